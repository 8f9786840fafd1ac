package interp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
)

// ContextKey is the thread-local key holding the run's context.Context.
// It is the key go.starlark.net's own REPL uses, so code written for
// that convention works here too.
const ContextKey = "context"

// DefaultMaxSteps bounds Starlark execution when the user sets nothing.
// A release train over a few hundred projects takes well under a
// million steps; a runaway loop hits the limit in about a second.
const DefaultMaxSteps = 100_000_000

// Options configures a Runtime.
type Options struct {
	// Registry declares the builtins; nil means none.
	Registry *Registry
	// Globals are per-run predeclared values, such as vars.
	Globals starlark.StringDict
	// MaxSteps caps Starlark execution steps; 0 means unlimited.
	MaxSteps uint64
	// MaxMemory stops a script once the process heap passes this many
	// bytes; 0 means unlimited. The heap is the whole process's, so set
	// it well above what the embedding program itself uses.
	MaxMemory uint64
	// Stdout receives print() output; nil means os.Stdout.
	Stdout io.Writer
	// Modules are virtual modules that load() finds by exact name
	// before looking at files (tests use "assert.star").
	Modules map[string]starlark.StringDict
	// Locals are set on every thread before execution starts, for
	// builtins to find their environment.
	Locals map[string]any
}

// Runtime executes scripts in the sandbox. It is safe to use from
// several goroutines; each execution gets its own thread.
type Runtime struct {
	opts        Options
	predeclared starlark.StringDict
	names       []string // predeclared and universal names, for hints
	printMu     sync.Mutex
}

// New builds a runtime.
func New(opts Options) *Runtime {
	if opts.Registry == nil {
		opts.Registry = NewRegistry()
	}
	if opts.Stdout == nil {
		opts.Stdout = os.Stdout
	}
	pre := starlark.StringDict{}
	for k, v := range opts.Registry.Predeclared() {
		pre[k] = v
	}
	for k, v := range opts.Globals {
		v.Freeze()
		pre[k] = v
	}
	pre.Freeze()
	names := append(pre.Keys(), starlark.Universe.Keys()...)
	return &Runtime{opts: opts, predeclared: pre, names: names}
}

// Predeclared returns the frozen values every script sees besides the
// Starlark universe.
func (r *Runtime) Predeclared() starlark.StringDict { return r.predeclared }

// Registry returns the registry the runtime was built with.
func (r *Runtime) Registry() *Registry { return r.opts.Registry }

// NewThread makes a thread with everything set before execution starts:
// print, load, the context, the step limit and the wiring that turns
// context cancellation into thread cancellation. Call the returned
// function when the thread is done. Use one thread per goroutine.
func (r *Runtime) NewThread(ctx context.Context, name string, loader *Loader) (*starlark.Thread, func()) {
	th := &starlark.Thread{Name: name, Print: r.print}
	if loader != nil {
		th.Load = loader.Load
	}
	for k, v := range r.opts.Locals {
		th.SetLocal(k, v)
	}
	th.SetLocal(ContextKey, ctx)
	if r.opts.MaxSteps > 0 {
		limit := r.opts.MaxSteps
		th.SetMaxExecutionSteps(limit)
		th.OnMaxSteps = func(th *starlark.Thread) {
			th.Cancel(fmt.Sprintf("script exceeded %d execution steps (raise the limit with --max-steps)", limit))
		}
	}
	stop := context.AfterFunc(ctx, func() { th.Cancel(CauseText(ctx)) })
	stopWatch := func() {}
	if r.opts.MaxMemory > 0 {
		stopWatch = watchMemory(th, r.opts.MaxMemory)
	}
	return th, func() { stop(); stopWatch() }
}

// Context returns the context of the run a thread belongs to. Builtins
// must pass it to every blocking call, so that Ctrl-C, --timeout and
// fail-fast stop them at once: thread cancellation alone only stops
// Starlark code between instructions.
func Context(th *starlark.Thread) context.Context {
	if ctx, ok := th.Local(ContextKey).(context.Context); ok {
		return ctx
	}
	return context.Background()
}

// CauseText is the human reason a context ended: the cause given to
// context.WithCancelCause or WithTimeoutCause, else its error.
func CauseText(ctx context.Context) string {
	if err := context.Cause(ctx); err != nil {
		return err.Error()
	}
	return "cancelled"
}

func (r *Runtime) print(th *starlark.Thread, msg string) {
	r.printMu.Lock()
	defer r.printMu.Unlock()
	fmt.Fprintln(r.opts.Stdout, msg)
}

// ExecFile runs the script at path. Its folder becomes the load root:
// load() can reach files below it and nothing else. It returns the
// script's frozen globals.
func (r *Runtime) ExecFile(ctx context.Context, path string) (globals starlark.StringDict, err error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	loader, err := r.NewLoader(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	defer loader.Close()
	loader.markMain(filepath.Base(path))
	th, done := r.NewThread(ctx, path, loader)
	defer done()
	return r.Exec(th, path, src)
}

// Exec runs src as a module named filename on th. Resolve errors gain
// spelling hints for predeclared names, which go.starlark.net's resolver
// does not offer, and a panic anywhere in execution becomes an error.
func (r *Runtime) Exec(th *starlark.Thread, filename string, src []byte) (globals starlark.StringDict, err error) {
	defer func() {
		if p := recover(); p != nil {
			globals, err = nil, fmt.Errorf("%s: internal error in octostar (please report it): %v", filename, p)
		}
	}()
	globals, err = starlark.ExecFileOptions(FileOptions, th, filename, src, r.predeclared)
	return globals, r.hint(err)
}

// hint adds "did you mean" to resolver errors about undefined names.
func (r *Runtime) hint(err error) error {
	var list resolve.ErrorList
	if err == nil || !errors.As(err, &list) {
		return err
	}
	for i, e := range list {
		if name, ok := strings.CutPrefix(e.Msg, "undefined: "); ok && !strings.Contains(name, " ") {
			list[i].Msg += undefinedHint(name, r.names)
		}
	}
	return err
}
