package interp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"sync"

	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// replFileOptions is the script dialect, except that load() binds names
// globally so that what a session loads stays usable in later
// statements, as in go.starlark.net's own REPL.
var replFileOptions = func() *syntax.FileOptions {
	o := *FileOptions
	o.LoadBindsGlobally = true
	return &o
}()

// ErrInterrupted is what a LineReader returns when the user presses
// Ctrl-C at the prompt: the statement being typed is dropped.
var ErrInterrupted = errors.New("interrupted")

// LineReader supplies the REPL's input one line at a time, without the
// trailing newline. It returns io.EOF at the end of input.
type LineReader interface {
	ReadLine(prompt string) (string, error)
}

// REPL is an interactive session: the same sandbox and builtins as a
// script, with globals that persist from one statement to the next.
type REPL struct {
	rt     *Runtime
	loader *Loader
	// mu guards globals: completion may run on the line editor's
	// goroutine while a statement runs.
	mu      sync.Mutex
	globals starlark.StringDict
	// extras are predeclared in the session only (help), never in
	// scripts.
	extras starlark.StringDict
	// Interrupts, when set, cancels the running statement on each
	// receive (the command wires SIGINT to it).
	Interrupts <-chan struct{}
	// Display, when set, renders the value of an expression statement
	// (the command shows lists of results as tables); nil prints the
	// repr.
	Display func(starlark.Value) string
	// ArgNames, when set, proposes values for a string argument of a
	// builtin (project and environment names) for completion. It must
	// not fail and should return quickly.
	ArgNames func(builtin, param string) []string
}

// NewREPL starts a session whose load() root is dir.
func (r *Runtime) NewREPL(dir string) (*REPL, error) {
	loader, err := r.NewLoader(dir)
	if err != nil {
		return nil, err
	}
	s := &REPL{rt: r, loader: loader, globals: starlark.StringDict{}}
	s.extras = starlark.StringDict{"help": starlark.NewBuiltin("help", Safe(s.help))}
	s.extras.Freeze()
	return s, nil
}

// Close releases the session's load root.
func (s *REPL) Close() error { return s.loader.Close() }

// Run reads and executes statements until the input ends. Values of
// expression statements are printed; errors are rendered and the
// session goes on. It returns the number of statements that failed.
func (s *REPL) Run(ctx context.Context, in LineReader, out io.Writer) int {
	failed := 0
	for ctx.Err() == nil {
		f, eof, err := s.parse(in)
		if eof {
			break
		}
		if errors.Is(err, ErrInterrupted) {
			continue
		}
		if err != nil {
			Render(out, err)
			failed++
			continue
		}
		if err := s.exec(ctx, f, out); err != nil {
			Render(out, err)
			failed++
		}
	}
	return failed
}

// parse reads one compound statement. The parser reports the end of
// input as a syntax error, so EOF is tracked in the reader instead.
func (s *REPL) parse(in LineReader) (f *syntax.File, eof bool, err error) {
	prompt := ">>> "
	var readErr error
	read := func() ([]byte, error) {
		line, err := in.ReadLine(prompt)
		prompt = "... "
		if err != nil {
			readErr = err
			return nil, err
		}
		return []byte(line + "\n"), nil
	}
	f, err = replFileOptions.ParseCompoundStmt("<repl>", read)
	switch {
	case errors.Is(readErr, ErrInterrupted):
		return nil, false, ErrInterrupted
	case readErr == io.EOF:
		// End of input: complete statements were already returned;
		// a statement cut short by EOF is dropped, as in Python.
		return nil, true, nil
	case readErr != nil:
		return nil, true, readErr
	}
	return f, false, err
}

func (s *REPL) exec(parent context.Context, f *syntax.File, out io.Writer) error {
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	stopWatch := make(chan struct{})
	defer close(stopWatch)
	if s.Interrupts != nil {
		go func() {
			select {
			case <-s.Interrupts:
				cancel(errors.New("interrupted"))
			case <-stopWatch:
			}
		}()
	}
	th, done := s.rt.NewThread(ctx, "repl", s.loader)
	defer done()

	env := maps.Clone(s.rt.predeclared)
	maps.Copy(env, s.extras)
	s.mu.Lock()
	maps.Copy(env, s.globals)
	s.mu.Unlock()
	isPredeclared := func(name string) bool { _, ok := env[name]; return ok }

	if expr := soleExpr(f); expr != nil {
		v, err := s.eval(th, expr, env)
		if err != nil {
			return err
		}
		if v != starlark.None {
			fmt.Fprintln(out, s.display(v))
		}
		s.mu.Lock()
		s.globals["_"] = v
		s.mu.Unlock()
		return nil
	}
	// FileProgram resolves the chunk; resolving twice would corrupt it.
	prog, err := starlark.FileProgram(f, isPredeclared)
	if err != nil {
		return s.rt.hint(err)
	}
	if m, ok := f.Module.(*resolve.Module); ok {
		for _, b := range m.Globals {
			_, builtin := s.rt.predeclared[b.First.Name]
			if _, extra := s.extras[b.First.Name]; builtin || extra {
				return fmt.Errorf("%s: cannot redefine the builtin %s", b.First.NamePos, b.First.Name)
			}
		}
	}
	res, err := s.init(th, prog, env)
	// Keep what was defined before the error, as Python's REPL does.
	s.mu.Lock()
	maps.Copy(s.globals, res)
	s.mu.Unlock()
	return err
}

// display renders a value with Display, falling back to its repr when
// Display is unset or panics: showing a result must not lose it.
func (s *REPL) display(v starlark.Value) (text string) {
	if s.Display == nil {
		return v.String()
	}
	defer func() {
		if recover() != nil {
			text = v.String()
		}
	}()
	return s.Display(v)
}

func (s *REPL) eval(th *starlark.Thread, expr syntax.Expr, env starlark.StringDict) (v starlark.Value, err error) {
	defer recoverInto(&err)
	v, err = starlark.EvalExprOptions(replFileOptions, th, expr, env)
	return v, s.rt.hint(err)
}

func (s *REPL) init(th *starlark.Thread, prog *starlark.Program, env starlark.StringDict) (res starlark.StringDict, err error) {
	defer recoverInto(&err)
	return prog.Init(th, env)
}

func recoverInto(err *error) {
	if p := recover(); p != nil {
		*err = fmt.Errorf("internal error in octostar (please report it): %v", p)
	}
}

func soleExpr(f *syntax.File) syntax.Expr {
	if len(f.Stmts) == 1 {
		if stmt, ok := f.Stmts[0].(*syntax.ExprStmt); ok {
			return stmt.X
		}
	}
	return nil
}
