package journal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/octostar/octostar/internal/octopus"
)

// Wrap returns inner with every script-driven call journaled in j. One
// journal serves every target of a run; records name the target and
// space, and a resumed run must reach the same ones.
func Wrap(inner octopus.Octopus, j *Journal) octopus.Octopus {
	return &wrapper{inner: inner, j: j}
}

type wrapper struct {
	inner octopus.Octopus
	j     *Journal
}

// Results with more than one value are journaled as one object.
type (
	eligible struct {
		Release octopus.Release
		Reason  string
	}
	currentRelease struct {
		Release octopus.Release
		OK      bool
	}
)

func (w *wrapper) Target() octopus.TargetInfo { return w.inner.Target() }

func (w *wrapper) Projects(ctx context.Context, q octopus.ProjectQuery) ([]octopus.Project, error) {
	return read(ctx, w, "Projects", q, func(ctx context.Context) ([]octopus.Project, error) { return w.inner.Projects(ctx, q) })
}

func (w *wrapper) Environments(ctx context.Context) ([]octopus.Environment, error) {
	return read(ctx, w, "Environments", struct{}{}, w.inner.Environments)
}

func (w *wrapper) Tenants(ctx context.Context, q octopus.TenantQuery) ([]octopus.Tenant, error) {
	return read(ctx, w, "Tenants", q, func(ctx context.Context) ([]octopus.Tenant, error) { return w.inner.Tenants(ctx, q) })
}

func (w *wrapper) Releases(ctx context.Context, q octopus.ReleaseQuery) ([]octopus.Release, error) {
	return read(ctx, w, "Releases", q, func(ctx context.Context) ([]octopus.Release, error) { return w.inner.Releases(ctx, q) })
}

func (w *wrapper) Release(ctx context.Context, project, version string) (octopus.Release, error) {
	args := map[string]string{"Project": project, "Version": version}
	return read(ctx, w, "Release", args, func(ctx context.Context) (octopus.Release, error) { return w.inner.Release(ctx, project, version) })
}

func (w *wrapper) EligibleRelease(ctx context.Context, project, environment, channel string) (octopus.Release, string, error) {
	args := map[string]string{"Project": project, "Environment": environment, "Channel": channel}
	res, err := read(ctx, w, "EligibleRelease", args, func(ctx context.Context) (eligible, error) {
		r, why, err := w.inner.EligibleRelease(ctx, project, environment, channel)
		return eligible{r, why}, err
	})
	return res.Release, res.Reason, err
}

func (w *wrapper) Current(ctx context.Context, project, environment, tenant string) (octopus.Release, bool, error) {
	args := map[string]string{"Project": project, "Environment": environment, "Tenant": tenant}
	res, err := read(ctx, w, "Current", args, func(ctx context.Context) (currentRelease, error) {
		r, ok, err := w.inner.Current(ctx, project, environment, tenant)
		return currentRelease{r, ok}, err
	})
	return res.Release, res.OK, err
}

func (w *wrapper) Progression(ctx context.Context, releaseID string) ([]octopus.Environment, error) {
	args := map[string]string{"Release": releaseID}
	return read(ctx, w, "Progression", args, func(ctx context.Context) ([]octopus.Environment, error) { return w.inner.Progression(ctx, releaseID) })
}

func (w *wrapper) Dashboard(ctx context.Context, q octopus.DashboardQuery) ([]octopus.DashboardRow, error) {
	return read(ctx, w, "Dashboard", q, func(ctx context.Context) ([]octopus.DashboardRow, error) { return w.inner.Dashboard(ctx, q) })
}

func (w *wrapper) Interventions(ctx context.Context, q octopus.InterventionQuery) ([]octopus.Intervention, error) {
	return read(ctx, w, "Interventions", q, func(ctx context.Context) ([]octopus.Intervention, error) { return w.inner.Interventions(ctx, q) })
}

// Tasks and TaskErrors follow tasks as they run: how often they are
// called depends on timing, so they are never journaled (TaskState is).
func (w *wrapper) Tasks(ctx context.Context, ids []string) ([]octopus.Task, error) {
	return w.inner.Tasks(ctx, ids)
}

// TaskState is journaled: a script's later calls depend on what it says
// (see octopus.Octopus), so a resumed run must hear the same answer.
func (w *wrapper) TaskState(ctx context.Context, taskID string) (octopus.TaskState, error) {
	return read(ctx, w, "TaskState", taskID, func(ctx context.Context) (octopus.TaskState, error) { return w.inner.TaskState(ctx, taskID) })
}

func (w *wrapper) TaskErrors(ctx context.Context, taskID string, max int) ([]string, error) {
	return w.inner.TaskErrors(ctx, taskID, max)
}

func (w *wrapper) CreateRelease(ctx context.Context, r octopus.CreateReleaseRequest) (octopus.Release, error) {
	return write(ctx, w, "CreateRelease", r, func(ctx context.Context) (octopus.Release, error) { return w.inner.CreateRelease(ctx, r) },
		recoverRelease(r))
}

func (w *wrapper) Deploy(ctx context.Context, r octopus.DeployRequest) ([]octopus.Run, error) {
	q := octopus.RunSearch{Kind: octopus.KindDeployment, Project: r.Project, Release: r.Release, Tenants: r.Tenants, TenantTags: r.TenantTags}
	rec := r
	rec.Variables = hideValues(r.Variables)
	return write(ctx, w, "Deploy", rec, func(ctx context.Context) ([]octopus.Run, error) { return w.inner.Deploy(ctx, r) },
		recoverRuns(q, r.Environments, func(ctx context.Context, envs []string) ([]octopus.Run, error) {
			rest := r
			rest.Environments = envs
			return w.inner.Deploy(ctx, rest)
		}))
}

func (w *wrapper) RunRunbook(ctx context.Context, r octopus.RunbookRequest) ([]octopus.Run, error) {
	q := octopus.RunSearch{Kind: octopus.KindRunbookRun, Project: r.Project, Runbook: r.Runbook, Tenants: r.Tenants, TenantTags: r.TenantTags}
	rec := r
	rec.Variables = hideValues(r.Variables)
	return write(ctx, w, "RunRunbook", rec, func(ctx context.Context) ([]octopus.Run, error) { return w.inner.RunRunbook(ctx, r) },
		recoverRuns(q, r.Environments, func(ctx context.Context, envs []string) ([]octopus.Run, error) {
			rest := r
			rest.Environments = envs
			return w.inner.RunRunbook(ctx, rest)
		}))
}

// hiddenValue stands in the journal for a prompted variable's value.
const hiddenValue = "(hidden)"

// hideValues keeps prompted variables' names and drops their values:
// they are often passwords, and a journal outlives the run (and its
// divergence messages go to logs). A changed value then does not count
// as a different call; a changed name does.
func hideValues(vars map[string]string) map[string]string {
	if vars == nil {
		return nil
	}
	out := make(map[string]string, len(vars))
	for k := range vars {
		out[k] = hiddenValue
	}
	return out
}

func (w *wrapper) Intervene(ctx context.Context, a octopus.InterventionAnswer) (octopus.Intervention, error) {
	return write(ctx, w, "Intervene", a, func(ctx context.Context) (octopus.Intervention, error) { return w.inner.Intervene(ctx, a) },
		recoverAnswer(a))
}

// CancelTask is sent live and noted for people, never replayed: a
// resumed run cancels what its own waits decide to cancel.
func (w *wrapper) CancelTask(ctx context.Context, taskID string) error {
	err := w.inner.CancelTask(ctx, taskID)
	r := record{Cancel: taskID, Target: w.inner.Target().Name, At: octopus.Caller(ctx)}
	if err != nil {
		r.Error = err.Error()
	}
	w.j.mu.Lock()
	defer w.j.mu.Unlock()
	if w.j.failed == nil {
		if werr := w.j.write(r); werr != nil {
			w.j.log.Warn().Err(werr).Str("task", taskID).Msg("journal: noting a cancel")
		}
	}
	return err
}

// connect makes the client resolve its space, so that records and
// comparisons name it.
func (w *wrapper) connect(ctx context.Context) error {
	if c, ok := w.inner.(interface{ Connect(context.Context) error }); ok {
		return c.Connect(ctx)
	}
	return nil
}

func read[R any](ctx context.Context, w *wrapper, op string, args any, live func(context.Context) (R, error)) (R, error) {
	return do(ctx, w, op, args, live, nil)
}

func write[R any](ctx context.Context, w *wrapper, op string, args any, live func(context.Context) (R, error), recov recoverFunc[R]) (R, error) {
	return do(ctx, w, op, args, live, recov)
}

// do is one journaled call: answered from the journal, sent live and
// recorded, or, for a write whose answer was lost, looked for on the
// server first. recov is nil for reads.
func do[R any](ctx context.Context, w *wrapper, op string, args any, live func(context.Context) (R, error), recov recoverFunc[R]) (R, error) {
	var zero R
	if err := w.connect(ctx); err != nil {
		return zero, err
	}
	canon, err := canonical(args)
	if err != nil {
		return zero, fmt.Errorf("journal: %s: %v", op, err)
	}
	ti := w.inner.Target()
	c := &call{op: op, target: ti.Name, url: ti.URL, space: ti.SpaceID, at: octopus.Caller(ctx), args: canon, write: recov != nil}
	j := w.j
	act, old, err := j.take(c)
	if err != nil {
		return zero, err
	}
	switch act {
	case fromJournal:
		return replayed[R](j, old)
	case lookFirst:
		return recoverLost(ctx, w, c, old, live, recov)
	}
	phase := ""
	if c.write {
		phase = "end"
		if err := j.begin(c); err != nil {
			return zero, err // never send a write the journal cannot vouch for
		}
	}
	res, err := live(ctx)
	if jerr := j.finish(c, phase, res, err, false, lostAnswer(ctx, c, err)); jerr != nil {
		return zero, jerr
	}
	return res, err
}

// lostAnswer reports a write that failed after it may have been sent:
// an ambiguous network failure, or a run interrupted mid-request. A
// resumed run looks for what it did before sending it again.
func lostAnswer(ctx context.Context, c *call, err error) bool {
	return c.write && err != nil && (octopus.IsAmbiguous(err) || ctx.Err() != nil)
}

// action is what take decided for a call.
type action int

const (
	goLive      action = iota // send it and record it
	fromJournal               // answer it from the journal
	lookFirst                 // a write whose answer was lost: look, then maybe send
)

// take numbers a call and decides how to answer it.
func (j *Journal) take(c *call) (action, *call, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.failed != nil {
		return 0, nil, j.failed
	}
	j.next++
	c.seq = j.next
	if c.seq > len(j.calls) {
		if !j.wentOn && len(j.calls) > 0 {
			j.log.Info().Str("journal", j.path).Int("call", c.seq).Str("at", c.at).
				Msgf("the journal's %d calls are used up: going on live from call %d (%s at %s)", len(j.calls), c.seq, c.op, c.at)
		}
		j.wentOn = true
		return goLive, nil, nil
	}
	old := j.calls[c.seq-1]
	// Only the last call can be open: a read that failed, or a write
	// that never ended or ended in an error. It is made again.
	open := c.seq == len(j.calls) && (!old.done || old.err != "")
	if diff := old.differs(c); diff != "" {
		if open && old.droppable() {
			j.log.Info().Str("journal", j.path).Int("call", c.seq).
				Msgf("call %d failed in the earlier run (%s at %s); the script now makes another call there (%s at %s)", c.seq, old.op, old.at, c.op, c.at)
			j.wentOn = true
			return goLive, nil, nil
		}
		j.failed = j.divergence(c, old, diff, open)
		return 0, nil, j.failed
	}
	switch {
	case !open:
		return fromJournal, old, nil
	case old.write && !old.droppable():
		return lookFirst, old, nil // it may have happened: look first
	}
	j.wentOn = true
	return goLive, nil, nil // a read that failed: read again
}

// differs says how c differs from the recorded call, or "".
func (old *call) differs(c *call) string {
	switch {
	case old.op != c.op:
		return fmt.Sprintf("the operation: now %s, was %s", c.op, old.op)
	case old.target != c.target || old.url != c.url:
		return fmt.Sprintf("the target: now %s at %s, was %s at %s", c.target, c.url, old.target, old.url)
	case old.space != c.space && old.space != "" && c.space != "":
		return fmt.Sprintf("the space: now %s, was %s", c.space, old.space)
	}
	return argsDiff(old.args, c.args)
}

// droppable is a failed call that certainly changed nothing: any read,
// or a write that failed with an answer (a refusal, a name not found)
// rather than after it was sent, and started nothing.
func (old *call) droppable() bool {
	return !old.write || (old.done && !old.ambiguous && !old.partial)
}

func (j *Journal) divergence(c, old *call, diff string, open bool) error {
	hint := ""
	if j.changed {
		hint = " (the script or its --var values changed since the journal was written)"
	}
	what := fmt.Sprintf("journal %s: call %d differs from the journal%s: the script now makes %s at %s, the journal has %s at %s (line %d); %s",
		j.path, c.seq, hint, c.op, c.at, old.op, old.at, old.line, diff)
	if open {
		return errors.New(what + ". The earlier run never learned whether that call reached the server: restore the script and --var values of that run to resume, or check the server and run with --fresh")
	}
	return errors.New(what + ". Restore the script and --var values of that run to resume it, or run with --fresh to start over")
}

// replayed decodes a recorded answer.
func replayed[R any](j *Journal, c *call) (R, error) {
	var out R
	if len(c.result) > 0 {
		if err := json.Unmarshal(c.result, &out); err != nil {
			return out, fmt.Errorf("journal %s:%d: the answer to call %d (%s) cannot be read: %v", j.path, c.line, c.seq, c.op, err)
		}
	}
	if c.err == "" {
		return out, nil
	}
	err := error(&recordedError{msg: c.err, status: c.status})
	if runs, ok := any(out).([]octopus.Run); ok && c.partial {
		err = &octopus.PartialError{Err: err, Started: runs}
	}
	return out, err
}

// recordedError is an error answer replayed from the journal; it keeps
// the kind (not found, forbidden) for errors.Is.
type recordedError struct {
	msg    string
	status int
}

func (e *recordedError) Error() string { return e.msg }

func (e *recordedError) Unwrap() error {
	switch e.status {
	case 401:
		return octopus.ErrUnauthorized
	case 403:
		return octopus.ErrForbidden
	case 404:
		return octopus.ErrNotFound
	}
	return nil
}

// begin writes a write's begin record, before the request goes out.
func (j *Journal) begin(c *call) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.failed != nil {
		return j.failed
	}
	r := record{Seq: c.seq, Phase: "begin", Op: c.op, Target: c.target, URL: c.url, Space: c.space, At: c.at, Args: c.args}
	if err := j.write(r); err != nil {
		j.failed = err
		return err
	}
	return nil
}

// finish writes a read's record (phase "") or a write's end record.
// Every call gets one, even one cut short by Ctrl-C or a timeout, so the
// calls in the file stay numbered without gaps.
func (j *Journal) finish(c *call, phase string, res any, callErr error, recovered, ambiguous bool) error {
	r := record{Seq: c.seq, Phase: phase, Op: c.op, Recovered: recovered, Ambiguous: ambiguous}
	if phase == "" {
		r.Target, r.URL, r.Space, r.At, r.Args = c.target, c.url, c.space, c.at, c.args
	}
	var partial *octopus.PartialError
	switch {
	case callErr == nil:
	case errors.As(callErr, &partial):
		r.Error, r.Partial = partial.Err.Error(), true
	default:
		r.Error = callErr.Error()
	}
	var api *octopus.APIError
	if errors.As(callErr, &api) {
		r.Status = api.Status
	}
	if callErr == nil || r.Partial {
		b, err := canonical(res)
		if err != nil {
			return fmt.Errorf("journal %s: call %d (%s): %v", j.path, c.seq, c.op, err)
		}
		r.Result = b
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.failed != nil {
		return j.failed
	}
	if err := j.write(r); err != nil {
		j.failed = err
		return err
	}
	j.learn(c.target, c.url, r.Result)
	return nil
}

// knownID reports whether the journal has seen an object with this ID on
// the call's target.
func (j *Journal) knownID(c *call, id string) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.known[c.target+"\x00"+c.url][id]
}

// recoverLost answers an open write: it waits for a request that may
// still be in flight to land, looks for what it did, and sends it only
// when nothing is found.
func recoverLost[R any](ctx context.Context, w *wrapper, c, old *call, live func(context.Context) (R, error), recov recoverFunc[R]) (R, error) {
	var zero R
	j := w.j
	what := fmt.Sprintf("call %d (%s at %s)", c.seq, c.op, c.at)
	f, ok := w.inner.(octopus.Finder)
	if !ok {
		return zero, fmt.Errorf("journal %s: %s may have reached the server before the earlier run stopped, and target %s cannot look for it; check the server, then run with --fresh",
			j.path, what, c.target)
	}
	if wait := time.Until(old.lastBegin.Add(j.opts.Settle)); wait > 0 {
		select {
		case <-ctx.Done():
			return zero, context.Cause(ctx)
		case <-time.After(wait):
		}
	}
	s := search{
		since: f.ServerTime(old.firstBegin).Add(-j.opts.Margin),
		known: func(id string) bool { return j.knownID(c, id) },
		// Whatever recovery sends gets a begin of its own first, so a
		// kill during it is recovered the same way.
		resend: func() error { return j.begin(c) },
	}
	res, found, err := recov(ctx, f, s)
	switch {
	case !found && err != nil:
		return zero, fmt.Errorf("journal %s: %s may have reached the server before the earlier run stopped; looking for it there failed, so it was not sent again: %w", j.path, what, err)
	case found:
		j.log.Info().Str("journal", j.path).Int("call", c.seq).Str("at", c.at).Str("found", describe(res)).
			Msgf("%s lost its answer when the earlier run stopped; found what it did on the server, so it is not sent again", what)
		if jerr := j.finish(c, "end", res, err, true, lostAnswer(ctx, c, err)); jerr != nil {
			return zero, jerr
		}
		return res, err
	}
	j.log.Info().Str("journal", j.path).Int("call", c.seq).Str("at", c.at).
		Msgf("%s lost its answer when the earlier run stopped; nothing on the server shows it arrived, so it is sent now", what)
	if err := j.begin(c); err != nil {
		return zero, err
	}
	res, err = live(ctx)
	if jerr := j.finish(c, "end", res, err, false, lostAnswer(ctx, c, err)); jerr != nil {
		return zero, jerr
	}
	return res, err
}

// describe names what recovery found, for the log.
func describe(v any) string {
	switch x := v.(type) {
	case octopus.Release:
		return fmt.Sprintf("release %s %s (%s)", x.Project, x.Version, x.ID)
	case []octopus.Run:
		s := ""
		for i, r := range x {
			if i > 0 {
				s += ", "
			}
			s += r.ID + " (" + r.TaskID + ")"
		}
		return s
	case octopus.Intervention:
		return fmt.Sprintf("intervention %s, answered %s", x.ID, x.Answered)
	}
	return fmt.Sprint(v)
}

var _ octopus.Octopus = (*wrapper)(nil)
