package journal

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/octostar/octostar/internal/octopus"
)

// search bounds a hunt for a lost write's traces.
type search struct {
	// since is the write's first begin time less the margin for clock
	// skew; the server's timestamps are compared with it.
	since time.Time
	// known reports IDs the journal already holds: older objects that
	// happen to be recent enough are never taken for the lost write's.
	known func(id string) bool
	// resend writes a begin record before recovery sends a part of the
	// write that was not found.
	resend func() error
}

// recoverFunc looks on the server for what a lost write did. found is
// false when nothing shows that it arrived: it is then sent whole. It may
// itself send the part of a write that did not arrive (the environments
// a deployment did not reach) and return the whole answer.
type recoverFunc[R any] func(ctx context.Context, f octopus.Finder, s search) (res R, found bool, err error)

// recoverRelease finds the release a lost CreateRelease made: the one
// with its version, or, when the server chose the version, the one
// release of the project (and channel) created since the write began
// that the journal does not know. Several such releases are an error:
// another made one too, and which is this run's cannot be told.
func recoverRelease(r octopus.CreateReleaseRequest) recoverFunc[octopus.Release] {
	return func(ctx context.Context, f octopus.Finder, s search) (octopus.Release, bool, error) {
		exact := r.Version != "" && !octopus.IsVersionMask(r.Version)
		reuse := exact && r.IfExists == "reuse"
		q := octopus.ReleaseSearch{Project: r.Project, Channel: r.Channel, Since: s.since}
		if exact {
			q.Version = r.Version
		}
		if reuse {
			q.Since = time.Time{} // the server answers with it however old it is
		}
		rs, err := f.FindReleases(ctx, q)
		if err != nil {
			return octopus.Release{}, false, err
		}
		var mine []octopus.Release
		for _, rel := range rs {
			if reuse || !s.known(rel.ID) {
				mine = append(mine, rel)
			}
		}
		switch {
		case len(mine) == 0:
			return octopus.Release{}, false, nil
		case len(mine) > 1 && !exact:
			// Someone else made a release in the window too: which one
			// the lost write made cannot be told from the server.
			var vs []string
			for _, rel := range mine {
				vs = append(vs, rel.Version)
			}
			return octopus.Release{}, false, fmt.Errorf("%d releases of %s were made since the lost request began (%s): check which is this run's on the server, then run with --fresh",
				len(mine), r.Project, strings.Join(vs, ", "))
		}
		return mine[0], true, nil
	}
}

// recoverRuns finds, environment by environment, the deployments or
// runbook runs a lost start made. A request starts all its runs or none,
// so an environment with any run since the begin time was reached;
// environments without one are sent now, and the answer is the whole.
func recoverRuns(q octopus.RunSearch, envs []string, send func(context.Context, []string) ([]octopus.Run, error)) recoverFunc[[]octopus.Run] {
	return func(ctx context.Context, f octopus.Finder, s search) ([]octopus.Run, bool, error) {
		var found []octopus.Run
		var missing []string
		for _, env := range envs {
			q.Environments, q.Since = []string{env}, s.since
			runs, err := f.FindRuns(ctx, q)
			if err != nil {
				return nil, false, err
			}
			n := 0
			for i := len(runs) - 1; i >= 0; i-- { // oldest first, as they were started
				if !s.known(runs[i].ID) {
					found = append(found, runs[i])
					n++
				}
			}
			if n == 0 {
				missing = append(missing, env)
			}
		}
		if len(found) == 0 {
			return nil, false, nil
		}
		if len(missing) == 0 {
			return found, true, nil
		}
		if err := s.resend(); err != nil {
			return nil, false, err
		}
		more, err := send(ctx, missing)
		all := append(found, more...)
		if err != nil {
			var partial *octopus.PartialError
			if errors.As(err, &partial) {
				err = partial.Err
			}
			return all, true, &octopus.PartialError{Err: err, Started: all}
		}
		return all, true, nil
	}
}

// recoverAnswer treats an intervention answered with the same action as
// answered by the lost write; one answered otherwise was answered by
// someone else, which is reported rather than taken for ours.
func recoverAnswer(a octopus.InterventionAnswer) recoverFunc[octopus.Intervention] {
	return func(ctx context.Context, f octopus.Finder, _ search) (octopus.Intervention, bool, error) {
		iv, err := f.InterventionByID(ctx, a.ID)
		return octopus.AnsweredAs(iv, a, err)
	}
}
