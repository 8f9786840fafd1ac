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
type Finding struct {
	Pos syntax.Position
	Msg string
}

func (f Finding) String() string { return fmt.Sprintf("%s: %s", f.Pos, f.Msg) }

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
	syntax.Walk(f, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.CallExpr:
			c.call(n)
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

// call checks a call to a registered builtin against its parameters.
func (c *checker) call(call *syntax.CallExpr) {
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
	positional, splat := 0, false
	for _, arg := range call.Args {
		switch a := arg.(type) {
		case *syntax.BinaryExpr:
			if a.Op != syntax.EQ {
				positional++
				continue
			}
			kw := a.X.(*syntax.Ident)
			given[kw.Name] = true
			if !slices.Contains(names, kw.Name) && !spec.acceptsKwargs() {
				c.add(kw.NamePos, "%s: unknown keyword argument %q%s", spec.Name, kw.Name, didYouMean(kw.Name, names))
			}
		case *syntax.UnaryExpr:
			if a.Op == syntax.STAR || a.Op == syntax.STARSTAR {
				splat = true
			} else {
				positional++
			}
		default:
			positional++
		}
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
