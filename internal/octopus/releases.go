package octopus

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/releases"
)

// CreateRelease presses CREATE RELEASE through releases/create/v1. The
// answer names only the release's ID and version, so the result is
// Brief: its channel and packages are read when someone asks.
func (c *Client) CreateRelease(ctx context.Context, r CreateReleaseRequest) (Release, error) {
	p, err := c.project(ctx, r.Project)
	if err != nil {
		return Release{}, err
	}
	cmd := releases.NewCreateReleaseCommandV1(c.info.SpaceID, p.Name)
	cmd.ReleaseVersion = r.Version
	if r.Channel != "" {
		ch, err := c.channel(ctx, p, r.Channel)
		if err != nil {
			return Release{}, err
		}
		cmd.ChannelIDOrName = ch.Name
	}
	for _, k := range slices.Sorted(maps.Keys(r.Packages)) {
		cmd.Packages = append(cmd.Packages, k+":"+r.Packages[k])
	}
	cmd.PackageVersion = r.PackageVersion
	cmd.ReleaseNotes = r.Notes
	cmd.GitRef = r.GitRef
	switch r.IfExists {
	case "", "fail":
	case "reuse":
		cmd.IgnoreIfAlreadyExists = true
	default:
		return Release{}, fmt.Errorf("if_exists must be \"fail\" or \"reuse\", not %q", r.IfExists)
	}
	op := "creating a release of " + p.Name
	if r.Version != "" {
		op = "creating release " + r.Version + " of " + p.Name
	}
	res, err := sendOnce(ctx, c, func() (*releases.CreateReleaseResponseV1, error) {
		res, err := releases.CreateReleaseV1(c.with(ctx), cmd)
		if err != nil {
			return nil, c.wrap(ctx, op, err)
		}
		return res, nil
	}, func(since time.Time) (*releases.CreateReleaseResponseV1, bool, error) {
		// The release this request made: that version, or, when the
		// server chose it, the newest made since the request began.
		found, err := c.FindReleases(ctx, ReleaseSearch{Project: p.Name, Version: r.Version, Channel: r.Channel, Since: since})
		switch {
		case err != nil || len(found) == 0:
			return nil, false, err
		case len(found) > 1:
			// Someone else made one too: which is ours cannot be told.
			return nil, false, fmt.Errorf("%d releases of %s were made since the request began (%s): check which is this run's on the server",
				len(found), p.Name, versionsOf(found))
		}
		return &releases.CreateReleaseResponseV1{ReleaseID: found[0].ID, ReleaseVersion: found[0].Version}, true, nil
	})
	if err != nil {
		return Release{}, err
	}
	rel := Release{ID: res.ReleaseID, Version: res.ReleaseVersion, ProjectID: p.ID, Project: p.Name,
		URL: c.webURL("releases", res.ReleaseID), Brief: true}
	if !cmd.IgnoreIfAlreadyExists {
		rel.Channel = cmd.ChannelIDOrName // a reused release may be in another channel
	}
	return rel, nil
}

// progression reads where a release may go now: the environments of
// every phase that is not Pending, as the official CLI computes it.
func (c *Client) progression(ctx context.Context, releaseID string) ([]string, error) {
	prog, err := get[releases.LifecycleProgression](ctx, c, "reading the progression of "+releaseID,
		"/api/"+c.info.SpaceID+"/releases/"+releaseID+"/progression")
	if err != nil {
		return nil, err
	}
	var envs []string
	for _, ph := range prog.Phases {
		if ph.Progress == releases.PhaseProgressPending || (ph.Blocked && len(ph.Deployments) == 0) {
			continue
		}
		envs = append(envs, ph.AutomaticDeploymentTargets...)
		envs = append(envs, ph.OptionalDeploymentTargets...)
	}
	return envs, nil
}

// Progression lists the environments a release may enter now.
func (c *Client) Progression(ctx context.Context, releaseID string) ([]Environment, error) {
	if err := c.connect(ctx); err != nil {
		return nil, err
	}
	ids, err := c.progression(ctx, releaseID)
	if err != nil {
		return nil, err
	}
	all, err := c.Environments(ctx)
	if err != nil {
		return nil, err
	}
	var out []Environment
	for _, e := range all {
		if slices.Contains(ids, e.ID) {
			out = append(out, e)
		}
	}
	return out, nil
}

// EligibleRelease walks the project's releases newest first and returns
// the first one whose lifecycle lets it into the environment now: what
// the DEPLOY button offers.
func (c *Client) EligibleRelease(ctx context.Context, project, environment, channel string) (Release, string, error) {
	p, err := c.project(ctx, project)
	if err != nil {
		return Release{}, "", err
	}
	env, err := c.environment(ctx, environment)
	if err != nil {
		return Release{}, "", err
	}
	rels, err := c.Releases(ctx, ReleaseQuery{Project: p.ID, Channel: channel, Limit: 30})
	if err != nil {
		return Release{}, "", err
	}
	var passed []string
	for _, r := range rels {
		envs, err := c.progression(ctx, r.ID)
		if err != nil {
			return Release{}, "", err
		}
		if slices.Contains(envs, env.ID) {
			reason := fmt.Sprintf("%s: latest release eligible for %s is %s", p.Name, env.Name, r.Version)
			if len(passed) > 0 {
				reason += fmt.Sprintf(" (newer %s not yet allowed there by the lifecycle)", strings.Join(passed, ", "))
			}
			return r, reason, nil
		}
		passed = append(passed, r.Version)
	}
	in := ""
	if channel != "" {
		in = " in channel " + channel
	}
	if len(rels) == 0 {
		return Release{}, "", fmt.Errorf("%s has no releases%s to deploy to %s", p.Name, in, env.Name)
	}
	return Release{}, "", fmt.Errorf("no release of %s%s may be deployed to %s now: the lifecycle allows none of the %d newest (%s) there",
		p.Name, in, env.Name, len(rels), strings.Join(passed, ", "))
}

func versionsOf(rs []Release) string {
	vs := make([]string, len(rs))
	for i, r := range rs {
		vs[i] = r.Version
	}
	return strings.Join(vs, ", ")
}
