package builtins

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.starlark.net/starlark"

	"github.com/octostar/octostar/internal/octopus"
	"github.com/octostar/octostar/interp"
)

var waitSpec = &interp.Spec{
	Name:  "wait",
	Group: GroupActions,
	Doc: "Waits for deployments and runbook runs started with wait=False, or, with no arguments, for every run this " +
		"script started. Lists of runs are accepted and flattened. Returns the finished runs in argument order. A run " +
		"started with check=True that ends Failed, Canceled or TimedOut fails the script once all have finished.",
	Params: []interp.Param{
		{Name: "runs", Type: "deployment | runbook_run | list", Variadic: true, Doc: "the runs to wait for; none means all"},
		{Name: "timeout", Type: "str | duration | None", Default: "None", Doc: "how long to wait in all; None uses each run's own timeout"},
		{Name: "fail_fast", Type: "bool", Default: "False", Doc: "on the first failure, cancel the other runs being waited for, and fail listing what was cancelled, what finished and what failed"},
	},
	Returns: "list[deployment | runbook_run]",
	Example: `d = deploy("Payments API", to = "Development", wait = False)
done = wait(d)
print(done[0].state)  # Success`,
}

func init() { waitSpec.Impl = waitImpl }

func waitImpl(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var (
		runs     starlark.Tuple
		timeout  Duration
		failFast bool
	)
	if err := waitSpec.UnpackArgs(args, kwargs, &runs, &timeout, &failFast); err != nil {
		return nil, err
	}
	if timeout < 0 || (timeout == 0 && hasKeyword(kwargs, "timeout")) {
		if err := positive(b.Name(), timeout); err != nil {
			return nil, err
		}
	}
	env, err := envOf(th, b.Name())
	if err != nil {
		return nil, err
	}
	var trs []*trackedRun
	if len(runs) == 0 {
		trs = env.tracked()
	} else {
		for i, v := range runs {
			got, err := collectRuns(v)
			if err != nil {
				return nil, fmt.Errorf("%s: argument %d: %v", b.Name(), i+1, err)
			}
			trs = append(trs, got...)
		}
	}
	if err := env.wait(th, b.Name(), trs, time.Duration(timeout), failFast); err != nil {
		return nil, err
	}
	return recordList(trs, runValue), nil
}

// collectRuns accepts a run value or a list or tuple of them.
func collectRuns(v starlark.Value) ([]*trackedRun, error) {
	if rec, ok := v.(*Record); ok {
		tr, ok := rec.payload.(*trackedRun)
		if !ok {
			return nil, fmt.Errorf("got a %s, want a deployment or runbook_run", rec.kind)
		}
		return []*trackedRun{tr}, nil
	}
	iter, ok := v.(starlark.Iterable)
	if !ok {
		return nil, fmt.Errorf("got %s, want a deployment, a runbook_run or a list of them", v.Type())
	}
	var out []*trackedRun
	for x := range starlark.Elements(iter) {
		got, err := collectRuns(x)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

// maxMissingPolls is how many polls in a row may leave out a task
// before the wait stops expecting it.
const maxMissingPolls = 3

// wait follows the runs' tasks until every one has ended or its time is
// up. States come from the targets' pollers (see poller), so a wait adds
// no request of its own. With timeout 0 each run keeps its own timeout.
func (e *Env) wait(th *starlark.Thread, builtin string, runs []*trackedRun, timeout time.Duration, failFast bool) error {
	var cancelled []*trackedRun // by fail_fast
	var firstFailure *trackedRun
	ctx := callCtx(th)
	start := time.Now()
	deadline := func(tr *trackedRun) time.Time {
		if timeout > 0 {
			return start.Add(timeout)
		}
		if tr.timeout > 0 {
			return start.Add(tr.timeout)
		}
		return time.Time{}
	}
	for _, tr := range runs {
		tr.waitErr = ""
	}
	for {
		pending := map[octopus.Octopus][]*trackedRun{}
		for _, tr := range runs {
			if !tr.finished() && tr.waitErr == "" {
				pending[tr.oct] = append(pending[tr.oct], tr)
			}
		}
		if len(pending) == 0 {
			break
		}
		sleep := e.pollMax()
		for oct, trs := range pending {
			p := e.pollerFor(oct)
			if d := p.due(time.Now()); d > 0 {
				sleep = min(sleep, d)
				continue
			}
			// A poll that outlives the nearest deadline is abandoned,
			// so a server that stops answering cannot hold a wait past
			// its timeout.
			pollCtx, cancelPoll := ctx, context.CancelFunc(func() {})
			if next := nextDeadline(trs, deadline); !next.IsZero() {
				pollCtx, cancelPoll = context.WithDeadline(ctx, next)
			}
			_, err := e.poll(pollCtx, p)
			cancelPoll()
			if err != nil && ctx.Err() == nil && pollCtx.Err() != nil {
				continue // the deadline passed mid-request; the check below times the runs out
			}
			if err != nil {
				return fmt.Errorf("%s: %w%s", builtin, err, stillRunning(runs))
			}
			sleep = min(sleep, p.due(time.Now()))
		}
		if failFast && firstFailure == nil {
			if firstFailure = firstFailed(runs); firstFailure != nil {
				cancelled = e.cancelOthers(ctx, runs)
			}
		}
		now := time.Now()
		for _, trs := range pending {
			for _, tr := range trs {
				if d := deadline(tr); !tr.finished() && tr.waitErr == "" && !d.IsZero() && now.After(d) {
					e.timeOut(ctx, tr, now.Sub(start))
				}
			}
		}
		if next := nextDeadline(runs, deadline); !next.IsZero() {
			sleep = min(sleep, time.Until(next))
		}
		if !anyPending(runs) {
			continue
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %s%s", builtin, interp.CauseText(ctx), stillRunning(runs))
		case <-time.After(max(sleep, time.Millisecond)):
		}
	}
	if firstFailure != nil {
		return failFastError(builtin, firstFailure, runs, cancelled)
	}
	return checkRuns(builtin, runs)
}

func anyPending(runs []*trackedRun) bool {
	return slices.ContainsFunc(runs, func(tr *trackedRun) bool { return !tr.finished() && tr.waitErr == "" })
}

func firstFailed(runs []*trackedRun) *trackedRun {
	for _, tr := range runs {
		if tr.task.State.Done() && tr.task.State != octopus.StateSuccess && !tr.skipped {
			return tr
		}
	}
	return nil
}

// cancelOthers cancels, through Octopus, every run still going; the wait
// then follows them until the server reports them ended.
func (e *Env) cancelOthers(ctx context.Context, runs []*trackedRun) []*trackedRun {
	var cancelled []*trackedRun
	for _, tr := range runs {
		if tr.finished() || tr.waitErr != "" {
			continue
		}
		if err := tr.oct.CancelTask(ctx, tr.run.TaskID); err != nil {
			tr.waitErr = fmt.Sprintf("%s: cancelling task %s failed: %v", tr.describe(), tr.run.TaskID, err)
			continue
		}
		e.Log.Warn().Str("task", tr.run.TaskID).Str("project", tr.run.Project).Str("environment", tr.run.Environment).Msg("cancelled by fail_fast")
		cancelled = append(cancelled, tr)
	}
	return cancelled
}

// failFastError says what failed first, what fail_fast cancelled, what
// had finished and what else failed.
func failFastError(builtin string, first *trackedRun, runs, cancelled []*trackedRun) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n  fail_fast cancelled %d:", builtin, first.err, len(cancelled))
	for _, tr := range cancelled {
		fmt.Fprintf(&b, "\n    %s (%s, now %s)", tr.describe(), tr.run.TaskID, tr.task.State)
	}
	var ok, failed []string
	for _, tr := range runs {
		switch {
		case tr == first || slices.Contains(cancelled, tr):
		case tr.task.State == octopus.StateSuccess || tr.skipped:
			ok = append(ok, tr.describe())
		default:
			failed = append(failed, tr.describe()+" ("+string(tr.task.State)+")")
		}
	}
	fmt.Fprintf(&b, "\n  finished: %d", len(ok))
	for _, s := range ok {
		b.WriteString("\n    " + s)
	}
	if len(failed) > 0 {
		fmt.Fprintf(&b, "\n  also failed: %s", strings.Join(failed, ", "))
	}
	return errors.New(b.String())
}

func nextDeadline(runs []*trackedRun, deadline func(*trackedRun) time.Time) time.Time {
	var next time.Time
	for _, tr := range runs {
		if d := deadline(tr); !tr.finished() && tr.waitErr == "" && !d.IsZero() && (next.IsZero() || d.Before(next)) {
			next = d
		}
	}
	return next
}

// finished is true once the task ended (or nothing was started).
func (tr *trackedRun) finished() bool { return tr.skipped || tr.task.State.Done() }

// timeOut gives up on a run, cancelling its task when asked to.
func (e *Env) timeOut(ctx context.Context, tr *trackedRun, waited time.Duration) {
	state := tr.task.State
	if state == "" {
		state = "not yet reported"
	}
	msg := fmt.Sprintf("timed out after %s waiting for %s (task %s was %s)", waited.Round(time.Second), tr.describe(), tr.run.TaskID, state)
	if tr.cancelOnTimeout {
		if err := tr.oct.CancelTask(ctx, tr.run.TaskID); err != nil {
			msg += "; cancelling it failed: " + err.Error()
		} else {
			msg += "; cancelled it"
			e.Log.Warn().Str("task", tr.run.TaskID).Str("project", tr.run.Project).Msg("cancelled on timeout")
		}
	}
	tr.waitErr = msg
}

// failureText explains a failed task with the last error lines of its log.
func (e *Env) failureText(ctx context.Context, tr *trackedRun) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s ended %s", tr.describe(), tr.task.State)
	if tr.task.ErrorMessage != "" {
		fmt.Fprintf(&b, ": %s", tr.task.ErrorMessage)
	}
	fmt.Fprintf(&b, " (%s)", tr.run.URL)
	if lines, err := tr.oct.TaskErrors(ctx, tr.run.TaskID, 5); err == nil && len(lines) > 0 {
		b.WriteString("\n  last errors in the task log:")
		for _, l := range lines {
			b.WriteString("\n    " + l)
		}
	}
	return b.String()
}

// describe names a run for messages: "Web 1.4.2 to Production for Acme".
func (tr *trackedRun) describe() string {
	r := tr.run
	var s string
	if r.Kind == octopus.KindRunbookRun {
		s = fmt.Sprintf("runbook %s of %s in %s", r.Runbook, r.Project, r.Environment)
	} else {
		s = fmt.Sprintf("%s %s to %s", r.Project, r.Release.Version, r.Environment)
	}
	if r.Tenant != "" {
		s += " for " + r.Tenant
	}
	return s
}

// checkRuns fails when a run started with check=True did not succeed.
func checkRuns(builtin string, runs []*trackedRun) error {
	var failed []string
	for _, tr := range runs {
		switch {
		case !tr.check || tr.skipped || tr.task.State == octopus.StateSuccess:
		case tr.waitErr != "":
			failed = append(failed, tr.waitErr)
		default:
			failed = append(failed, tr.err)
		}
	}
	switch len(failed) {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("%s: %s", builtin, failed[0])
	}
	return fmt.Errorf("%s: %d runs did not succeed:\n- %s", builtin, len(failed), strings.Join(failed, "\n- "))
}

func stillRunning(runs []*trackedRun) string {
	var ids []string
	for _, tr := range runs {
		if !tr.finished() && tr.waitErr == "" {
			ids = append(ids, tr.describe()+" ("+tr.run.TaskID+")")
		}
	}
	if len(ids) == 0 {
		return ""
	}
	return "; still running on the server: " + strings.Join(ids, ", ")
}

func hasKeyword(kwargs []starlark.Tuple, name string) bool {
	for _, kv := range kwargs {
		if string(kv[0].(starlark.String)) == name {
			return true
		}
	}
	return false
}

// apply records polled task states on the runs and reports whether any
// changed. A failed run gets its failure text, with the log's last errors.
func (e *Env) apply(ctx context.Context, trs []*trackedRun, tasks []octopus.Task) bool {
	changed := false
	byID := map[string]octopus.Task{}
	for _, t := range tasks {
		byID[t.ID] = t
	}
	for _, tr := range trs {
		t, ok := byID[tr.run.TaskID]
		if !ok {
			// Deleted, or this key cannot see it: after a few polls,
			// stop waiting for it rather than forever.
			if tr.missing++; tr.missing >= maxMissingPolls {
				tr.task.State = octopus.StateFailed
				tr.err = fmt.Sprintf("%s: the server no longer returns task %s (deleted, or this API key cannot see it)", tr.describe(), tr.run.TaskID)
				changed = true
			}
			continue
		}
		tr.missing = 0
		moved := t.State != tr.task.State
		tr.task = t
		if t.State.Done() && t.State != octopus.StateSuccess {
			tr.err = e.failureText(ctx, tr)
		}
		if moved {
			changed = true
			e.progress(tr, t.State)
			e.Log.Debug().Str("task", t.ID).Str("project", tr.run.Project).Str("environment", tr.run.Environment).
				Str("state", string(t.State)).Msg("task state")
		}
	}
	if changed {
		e.reportTasks()
	}
	return changed
}

// limitFor is the in-flight cap for a target.
func (e *Env) limitFor(target string) int {
	if n, ok := e.Parallel[target]; ok {
		return n
	}
	return e.MaxParallel
}

// admit waits, politely, until the target has room for n more tasks of
// this run under its cap, taking states from the target's poller
// meanwhile. One request may start several tasks (environments times
// tenants); when n alone exceeds the cap it waits for the target to be
// idle instead.
func (e *Env) admit(th *starlark.Thread, builtin string, oct octopus.Octopus, n int) error {
	limit := e.limitFor(oct.Target().Name)
	if limit <= 0 {
		return nil
	}
	ctx := callCtx(th)
	p := e.pollerFor(oct)
	said := false
	for {
		inFlight := len(e.unfinished(oct))
		if inFlight == 0 || inFlight+n <= limit {
			return nil
		}
		if !said {
			e.note(fmt.Sprintf("waiting for a free slot on %s: %d of %d tasks in flight", oct.Target().Name, inFlight, limit))
			e.Log.Info().Str("target", oct.Target().Name).Int("in_flight", inFlight).Int("limit", limit).Str("at", position(th)).
				Msgf("waiting for a free slot: %d of %d tasks in flight (--max-parallel)", inFlight, limit)
			said = true
		}
		if d := p.due(time.Now()); d > 0 {
			select {
			case <-ctx.Done():
				return fmt.Errorf("%s: %s while waiting for a free slot", builtin, interp.CauseText(ctx))
			case <-time.After(d):
			}
		}
		if _, err := e.poll(ctx, p); err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("%s: %s while waiting for a free slot", builtin, interp.CauseText(ctx))
			}
			return fmt.Errorf("%s: %w", builtin, err)
		}
	}
}

// expectedRuns is how many tasks a request will start, as far as the
// script's arguments tell ("*" and tags count as one tenant).
func expectedRuns(envs int, tenants []string) int {
	n := max(envs, 1)
	if len(tenants) > 0 && tenants[0] != "*" {
		n *= len(tenants)
	}
	return n
}
