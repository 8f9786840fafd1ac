package interp

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// Finding is one problem the checker found, at a position in a script.
// Lint findings carry an ID, a short name, and a one-line fix; warnings
// are legal Starlark that is likely wrong, and do not fail a check
// unless asked.
type Finding struct {
	Pos     syntax.Position
	Msg     string
	ID      string // "OS101"; "" for plain errors
	Name    string // "ignored-run"
	Fix     string // one line
	Warning bool
}

func (f Finding) String() string {
	if f.ID == "" {
		return fmt.Sprintf("%s: %s", f.Pos, f.Msg)
	}
	kind := "error"
	if f.Warning {
		kind = "warning"
	}
	s := fmt.Sprintf("%s: %s %s (%s): %s", f.Pos, kind, f.ID, f.Name, f.Msg)
	if f.Fix != "" {
		s += "\n    fix: " + f.Fix
	}
	return s
}

// The lint IDs the checker itself raises; builtins add their own
// through Spec.Lint and Param.Check.
const (
	IDUnknownKeyword = "OS102"
	IDBadLiteral     = "OS103"
)

// LintCall is what a builtin's Lint sees of one call in a script.
type LintCall struct {
	Call *syntax.CallExpr
	// Keywords are the keyword arguments as written.
	Keywords map[string]syntax.Expr
	// Discarded is true when the call is a statement of its own, so its
	// result is dropped.
	Discarded bool
	// File is the whole script, for rules that look at other calls.
	File *syntax.File
}

// Calls lists the calls in f of the predeclared name (not shadowed).
func Calls(f *syntax.File, name string) []*syntax.CallExpr {
	var out []*syntax.CallExpr
	syntax.Walk(f, func(n syntax.Node) bool {
		if c, ok := n.(*syntax.CallExpr); ok {
			if id, ok := c.Fn.(*syntax.Ident); ok && id.Name == name {
				if b, ok := id.Binding.(*resolve.Binding); ok && b.Scope == resolve.Predeclared {
					out = append(out, c)
				}
			}
		}
		return true
	})
	return out
}

// Literal is the value of a string, number or True/False/None written in
// the script, or nil for anything computed.
func Literal(e syntax.Expr) starlark.Value {
	switch x := e.(type) {
	case *syntax.Literal:
		switch v := x.Value.(type) {
		case string:
			return starlark.String(v)
		case int64:
			return starlark.MakeInt64(v)
		case float64:
			return starlark.Float(v)
		}
	case *syntax.Ident:
		switch x.Name {
		case "True":
			return starlark.True
		case "False":
			return starlark.False
		case "None":
			return starlark.None
		}
	}
	return nil
}

// Check parses and resolves each script, and the modules it loads,
// without running anything. It reports every problem it can find rather
// than stopping at the first: syntax errors, undefined names (with a
// suggestion), calls to builtins with unknown keywords, too many
// positional or missing required arguments, and load() statements whose
// file or symbols do not exist or break the sandbox rules.
func (r *Runtime) Check(paths ...string) []Finding {
	var out []Finding
	for _, p := range paths {
		c := &checker{rt: r, rootDir: filepath.Dir(p), seen: map[string]bool{}}
		src, err := os.ReadFile(p)
		if err != nil {
			out = append(out, Finding{Pos: syntax.MakePosition(&p, 0, 0), Msg: readErrorText(err)})
			continue
		}
		c.file(p, src)
		out = append(out, c.findings...)
	}
	slices.SortStableFunc(out, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(a.Pos.Filename(), b.Pos.Filename()),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Col, b.Pos.Col))
	})
	return slices.CompactFunc(out, func(a, b Finding) bool { return a.String() == b.String() })
}

func readErrorText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return "cannot read file: " + pe.Err.Error()
	}
	return err.Error()
}

type checker struct {
	rt       *Runtime
	rootDir  string
	seen     map[string]bool // files already checked, by display name
	findings []Finding
}

func (c *checker) add(pos syntax.Position, format string, args ...any) {
	c.findings = append(c.findings, Finding{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// file checks one file and returns the names it exports, or nil when it
// could not be parsed.
func (c *checker) file(name string, src []byte) map[string]bool {
	c.seen[name] = true
	f, err := FileOptions.Parse(name, src, 0)
	if err != nil {
		if se, ok := err.(syntax.Error); ok {
			c.add(se.Pos, "syntax error: %s", se.Msg)
		} else {
			c.add(syntax.MakePosition(&name, 0, 0), "%v", err)
		}
		return nil
	}
	if err := resolve.File(f, c.rt.predeclared.Has, starlark.Universe.Has); err != nil {
		if list, ok := err.(resolve.ErrorList); ok {
			for _, e := range list {
				msg := e.Msg
				if n, ok := strings.CutPrefix(msg, "undefined: "); ok && !strings.Contains(n, " ") {
					msg += undefinedHint(n, c.rt.names)
				}
				c.add(e.Pos, "%s", msg)
			}
		}
	}
	discarded := map[*syntax.CallExpr]bool{}
	syntax.Walk(f, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.ExprStmt:
			if call, ok := n.X.(*syntax.CallExpr); ok {
				discarded[call] = true
			}
		case *syntax.CallExpr:
			c.call(n, f, discarded[n])
		case *syntax.LoadStmt:
			c.load(n)
		}
		return true
	})
	exported := map[string]bool{}
	if m, ok := f.Module.(*resolve.Module); ok {
		for _, b := range m.Globals {
			exported[b.First.Name] = true
		}
	}
	return exported
}

// call checks a call to a registered builtin against its parameters,
// vets literal arguments, and runs the builtin's own lint.
func (c *checker) call(call *syntax.CallExpr, f *syntax.File, discarded bool) {
	id, ok := call.Fn.(*syntax.Ident)
	if !ok {
		return
	}
	if b, ok := id.Binding.(*resolve.Binding); !ok || b.Scope != resolve.Predeclared {
		return // a local or global of the script shadows the builtin
	}
	spec, ok := c.rt.opts.Registry.Lookup(id.Name)
	if !ok || spec.Impl == nil {
		return
	}
	names := spec.ParamNames()
	given := map[string]bool{}
	keywords := map[string]syntax.Expr{}
	positional, splat := 0, false
	for _, arg := range call.Args {
		switch a := arg.(type) {
		case *syntax.BinaryExpr:
			if a.Op != syntax.EQ {
				c.literal(spec, positionalParam(spec, positional), a)
				positional++
				continue
			}
			kw := a.X.(*syntax.Ident)
			given[kw.Name] = true
			keywords[kw.Name] = a.Y
			if !slices.Contains(names, kw.Name) && !spec.acceptsKwargs() {
				fix := fmt.Sprintf("see `octostar doc %s` for its parameters", spec.Name)
				if s, ok := Nearest(kw.Name, names); ok {
					fix = fmt.Sprintf("write %s = ... instead of %s = ...", s, kw.Name)
				}
				c.findings = append(c.findings, Finding{Pos: kw.NamePos, ID: IDUnknownKeyword, Name: "unknown-keyword",
					Msg: fmt.Sprintf("%s: unknown keyword argument %q%s", spec.Name, kw.Name, didYouMean(kw.Name, names)), Fix: fix})
				continue
			}
			c.literal(spec, paramNamed(spec, kw.Name), a.Y)
		case *syntax.UnaryExpr:
			if a.Op == syntax.STAR || a.Op == syntax.STARSTAR {
				splat = true
			} else {
				positional++
			}
		default:
			c.literal(spec, positionalParam(spec, positional), a)
			positional++
		}
	}
	if spec.Lint != nil {
		c.findings = append(c.findings, spec.Lint(LintCall{Call: call, Keywords: keywords, Discarded: discarded, File: f})...)
	}
	if max := spec.MaxPositional(); max >= 0 && positional > max {
		c.add(call.Lparen, "%s: got %d positional arguments, want at most %d%s", spec.Name, positional, max, spec.keywordHint(max))
	}
	if splat {
		return
	}
	for i, p := range spec.Params {
		if p.Optional() || given[p.Name] || (spec.MaxPositional() < 0 || i < positional) {
			continue
		}
		c.add(call.Lparen, "%s: missing argument for %s", spec.Name, p.Name)
	}
}

// literal vets a literal argument with its parameter's Check.
func (c *checker) literal(spec *Spec, p *Param, e syntax.Expr) {
	if p == nil || p.Check == nil {
		return
	}
	v := Literal(e)
	if v == nil {
		return
	}
	if err := p.Check(v); err != nil {
		start, _ := e.Span()
		c.findings = append(c.findings, Finding{Pos: start, ID: IDBadLiteral, Name: "bad-value", Warning: true,
			Msg: fmt.Sprintf("%s: for parameter %s: %v", spec.Name, p.Name, err),
			Fix: "correct the value; the run would stop at this call"})
	}
}

func paramNamed(spec *Spec, name string) *Param {
	for i := range spec.Params {
		if spec.Params[i].Name == name {
			return &spec.Params[i]
		}
	}
	return nil
}

// positionalParam is the parameter the i-th positional argument fills.
// From a variadic parameter on, positional arguments all go to it.
func positionalParam(spec *Spec, i int) *Param {
	for j := 0; j <= i && j < len(spec.Params); j++ {
		if spec.Params[j].Variadic {
			return nil
		}
	}
	if i < len(spec.Params) && !spec.Params[i].KeywordOnly && !spec.Params[i].Kwargs {
		return &spec.Params[i]
	}
	return nil
}

// load checks the module path, checks the loaded file once, and checks
// that each loaded symbol exists.
func (c *checker) load(stmt *syntax.LoadStmt) {
	module := stmt.ModuleName()
	pos := stmt.Module.TokenPos
	if _, virtual := c.rt.opts.Modules[module]; virtual {
		return
	}
	rel, err := cleanModulePath(module, c.rootDir)
	if err != nil {
		c.add(pos, "cannot load %s: %v", module, err)
		return
	}
	root, err := os.OpenRoot(c.rootDir)
	if err != nil {
		c.add(pos, "cannot load %s: %v", module, err)
		return
	}
	defer root.Close()
	src, err := root.ReadFile(rel)
	if err != nil {
		l := &Loader{rootDir: c.rootDir}
		c.add(pos, "cannot load %s: %v", module, l.readError(rel, err))
		return
	}
	name := filepath.Join(c.rootDir, filepath.FromSlash(rel))
	if c.seen[name] {
		return // checked already, or a cycle the run will report
	}
	exported := c.file(name, src)
	if exported == nil {
		return
	}
	for i, from := range stmt.From {
		sym := from.Name
		if strings.HasPrefix(sym, "_") {
			continue // the resolver reports these
		}
		if !exported[sym] {
			var candidates []string
			for k := range exported {
				candidates = append(candidates, k)
			}
			c.add(stmt.To[i].NamePos, "load: %s has no symbol %q%s", module, sym, didYouMean(sym, candidates))
		}
	}
}
