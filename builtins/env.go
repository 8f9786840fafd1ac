package builtins

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"go.starlark.net/starlark"

	"github.com/octostar/octostar/internal/octopus"
	"github.com/octostar/octostar/internal/progress"
	"github.com/octostar/octostar/internal/targets"
	"github.com/octostar/octostar/interp"
)

// envKey is the thread-local key of the run's Env.
const envKey = "octostar.env"

// Env is what the Octopus builtins share during one run: the targets,
// the logger, how to poll, the runs this script started and its
// outputs. The command builds it and hands it to the runtime through
// Locals(); builtins find it on the thread.
type Env struct {
	Targets *targets.Set
	Log     zerolog.Logger
	// PollMin and PollMax bound the interval between task polls; the
	// interval grows from the first to the second while tasks run.
	PollMin, PollMax time.Duration
	// MaxParallel caps the tasks this run keeps in flight on one target
	// (0: no cap); Parallel overrides it per target name.
	MaxParallel int
	Parallel    map[string]int
	// Progress, when set, gets one line per task state change (the
	// non-terminal form of the progress display).
	Progress io.Writer
	// Display, when set, shows progress instead of Progress: the live
	// table on a terminal.
	Display progress.Display
	// Context, when set, is the run's (or REPL session's) context: work
	// that outlives the builtin call that began it, such as reading the
	// rest of a release on first use, runs under it, so that Ctrl-C and
	// --timeout still stop it.
	Context context.Context
	// OnTasks, when set, is told after each poll that saw a task change
	// state how many of the runs this script started have ended, for
	// Octopus's progress bar (see step_access.go).
	OnTasks func(finished, started int)

	mu      sync.Mutex
	pollers map[octopus.Octopus]*poller
	runs    []*trackedRun
	actions []*actionRecord
	outputs map[string]starlark.Value
	order   []string
	// sensitive names the outputs that hold secrets (see step_access.go).
	sensitive map[string]bool
}

// Locals is the thread-local map to pass as interp.Options.Locals.
func (e *Env) Locals() map[string]any { return map[string]any{envKey: e} }

func envOf(th *starlark.Thread, name string) (*Env, error) {
	if e, ok := th.Local(envKey).(*Env); ok && e != nil {
		return e, nil
	}
	return nil, fmt.Errorf("%s: no Octopus target is configured for this run", name)
}

// Outputs returns the values recorded with output(), in the order they
// were first set.
func (e *Env) Outputs() []Output {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Output, 0, len(e.order))
	for _, k := range e.order {
		out = append(out, Output{Name: k, Value: e.outputs[k], Sensitive: e.sensitive[k]})
	}
	return out
}

// Output is a named result of the run.
type Output struct {
	Name  string
	Value starlark.Value
	// Sensitive outputs are secrets: sensitive output variables in an
	// Octopus step, and SensitiveShown in logs and summaries.
	Sensitive bool
}

// trackedRun is a deployment or runbook run this script started, with
// what wait() needs to finish it.
type trackedRun struct {
	oct             octopus.Octopus
	run             octopus.Run
	check           bool
	timeout         time.Duration
	cancelOnTimeout bool
	task            octopus.Task // last known state
	err             string       // why the task did not succeed, once it ended
	// waitErr is set when the latest wait gave up on the run before its
	// task ended; a later wait polls it again.
	waitErr string
	missing int // polls in a row that did not return the task
	skipped bool
	reason  string
	// startedAt is when this run asked for the task, on our clock.
	startedAt time.Time
}

// track adds a run this script started. Its first poll waits one
// PollMin: a task polled at once would only say Queued.
func (e *Env) track(r *trackedRun) {
	r.startedAt = time.Now()
	p := e.pollerFor(r.oct)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.runs = append(e.runs, r)
	if p.next.IsZero() {
		p.next = r.startedAt.Add(e.pollMin())
	}
	if d := e.displayLocked(); d != nil {
		d.Update(r.progressRun())
	}
}

func (e *Env) tracked() []*trackedRun {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.runs)
}

func (e *Env) setOutput(name string, v starlark.Value) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.outputs == nil {
		e.outputs = map[string]starlark.Value{}
	}
	if _, ok := e.outputs[name]; !ok {
		e.order = append(e.order, name)
	}
	e.outputs[name] = v
}

// position is the script line that called the builtin, for logs.
func position(th *starlark.Thread) string {
	pos := th.CallFrame(1).Pos
	return fmt.Sprintf("%s:%d", pos.Filename(), pos.Line)
}

// logAction writes the one structured line every server change gets,
// and records the change for the run's summary. run is the deployment
// or runbook run it started, if any.
func (e *Env) logAction(th *starlark.Thread, action string, fields map[string]string, run *trackedRun) {
	e.mu.Lock()
	e.actions = append(e.actions, &actionRecord{kind: action, at: position(th), fields: fields, run: run, when: time.Now()})
	e.mu.Unlock()
	ev := e.Log.Info().Str("action", action)
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if fields[k] != "" {
			ev = ev.Str(k, fields[k])
		}
	}
	ev.Str("at", position(th)).Msg(action)
}

// callCtx is the run's context carrying the script line of the builtin
// call, so that an Octopus implementation that records calls (a plan, a
// journal) can say which line asked for each one.
func callCtx(th *starlark.Thread) context.Context {
	return octopus.WithCaller(interp.Context(th), position(th))
}
