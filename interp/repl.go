package interp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"unicode"

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
	rt      *Runtime
	loader  *Loader
	globals starlark.StringDict
	// Interrupts, when set, cancels the running statement on each
	// receive (the command wires SIGINT to it).
	Interrupts <-chan struct{}
}

// NewREPL starts a session whose load() root is dir.
func (r *Runtime) NewREPL(dir string) (*REPL, error) {
	loader, err := r.NewLoader(dir)
	if err != nil {
		return nil, err
	}
	return &REPL{rt: r, loader: loader, globals: starlark.StringDict{}}, nil
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
	maps.Copy(env, s.globals)
	isPredeclared := func(name string) bool { _, ok := env[name]; return ok }

	if expr := soleExpr(f); expr != nil {
		v, err := s.eval(th, expr, env)
		if err != nil {
			return err
		}
		if v != starlark.None {
			fmt.Fprintln(out, v.String())
		}
		s.globals["_"] = v
		return nil
	}
	// FileProgram resolves the chunk; resolving twice would corrupt it.
	prog, err := starlark.FileProgram(f, isPredeclared)
	if err != nil {
		return s.rt.hint(err)
	}
	if m, ok := f.Module.(*resolve.Module); ok {
		for _, b := range m.Globals {
			if _, builtin := s.rt.predeclared[b.First.Name]; builtin {
				return fmt.Errorf("%s: cannot redefine the builtin %s", b.First.NamePos, b.First.Name)
			}
		}
	}
	res, err := s.init(th, prog, env)
	// Keep what was defined before the error, as Python's REPL does.
	maps.Copy(s.globals, res)
	return err
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

// Complete proposes completions for the identifier that ends at pos in
// line: global, builtin and universal names, and keyword arguments
// (with "=") when the cursor is inside a call to a registered builtin.
// It returns the completions and the length of the prefix they replace.
func (s *REPL) Complete(line string, pos int) ([]string, int) {
	if pos > len(line) {
		pos = len(line)
	}
	start := pos
	for start > 0 && isIdentRune(rune(line[start-1])) {
		start--
	}
	prefix := line[start:pos]
	if start > 0 && line[start-1] == '.' {
		return nil, 0 // attribute completion needs a value; leave it
	}
	var out []string
	if fn := enclosingCall(line[:start]); fn != "" {
		if spec, ok := s.rt.opts.Registry.Lookup(fn); ok {
			for _, p := range spec.ParamNames() {
				if strings.HasPrefix(p, prefix) {
					out = append(out, p+"=")
				}
			}
		}
	}
	names := slices.Concat(s.rt.names, slices.Collect(maps.Keys(s.globals)))
	slices.Sort(names)
	for _, n := range slices.Compact(names) {
		if strings.HasPrefix(n, prefix) && (prefix != "" || !strings.HasPrefix(n, "_")) {
			out = append(out, n)
		}
	}
	return out, len(prefix)
}

func isIdentRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// enclosingCall returns the name of the function whose argument list is
// open at the end of s, if any.
func enclosingCall(s string) string {
	depth := 0
	for i := len(s) - 1; i >= 0; i-- {
		switch s[i] {
		case ')', ']', '}':
			depth++
		case '[', '{':
			depth--
		case '(':
			if depth > 0 {
				depth--
				continue
			}
			end := i
			for i > 0 && isIdentRune(rune(s[i-1])) {
				i--
			}
			return s[i:end]
		}
	}
	return ""
}
