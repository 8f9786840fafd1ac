package interp

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"go.starlark.net/starlark"
)

// Impl is the Go side of a builtin, with go.starlark.net's own signature.
type Impl func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error)

// Param documents one parameter of a builtin. The same list drives
// argument unpacking (Spec.UnpackArgs), the static checker's keyword
// validation, `octostar doc` and docs/builtins.md, so they cannot drift.
type Param struct {
	Name string
	// Type is the documented type, in Starlark terms ("str", "int | None").
	Type string
	// Default is the Starlark text of the default value; "" means required.
	Default string
	Doc     string
	// KeywordOnly parameters cannot be passed positionally.
	KeywordOnly bool
	// Variadic collects extra positional arguments (*name); it must come first.
	Variadic bool
	// Kwargs collects unknown keyword arguments (**name); it must come last.
	Kwargs bool
	// Check, when set, vets a literal argument (a string or number
	// written in the script) before the script runs, for `octostar
	// check`: it returns why the value will be refused, or nil.
	Check func(literal starlark.Value) error
}

// Optional reports whether the caller may leave the parameter out.
func (p Param) Optional() bool { return p.Default != "" || p.Variadic || p.Kwargs }

// Spec is one entry of the registry: a builtin function, a module value
// (such as json) or a per-run value (such as vars) that the runtime
// supplies.
type Spec struct {
	Name string
	// Group is the heading the entry appears under in the docs.
	Group string
	// Doc is Markdown-free prose; its first sentence is the summary.
	Doc     string
	Params  []Param
	Returns string
	// Mutates marks builtins that change the Octopus server. The dry run,
	// the REPL's confirmation and the docs read it.
	Mutates bool
	// Impl is set for functions.
	Impl Impl
	// Value is set for non-function entries that are the same for every
	// run (modules). Entries with neither Impl nor Value are supplied per
	// run through Options.Globals.
	Value starlark.Value
	// Members documents the functions of a module value.
	Members []*Spec
	// Example is a short script fragment shown in the docs.
	Example string
	// Lint, when set, looks at each call of the builtin in a script for
	// mistakes that are legal but likely wrong, for `octostar check`.
	Lint func(call LintCall) []Finding

	prepared   sync.Once
	keywords   []string // ParamNames, computed once
	unpackKeys []string // "name" or "name??" per Param, for starlark.UnpackArgs
}

func (s *Spec) prepare() {
	s.prepared.Do(func() {
		for _, p := range s.Params {
			switch {
			case p.Variadic || p.Kwargs:
				s.unpackKeys = append(s.unpackKeys, "")
			case p.Optional():
				s.keywords = append(s.keywords, p.Name)
				s.unpackKeys = append(s.unpackKeys, p.Name+"??")
			default:
				s.keywords = append(s.keywords, p.Name)
				s.unpackKeys = append(s.unpackKeys, p.Name)
			}
		}
	})
}

// IsFunction reports whether the entry is a callable builtin with a signature.
func (s *Spec) IsFunction() bool { return s.Impl != nil || (s.Value == nil && len(s.Params) > 0) }

// Summary is the first sentence of the doc.
func (s *Spec) Summary() string {
	doc := strings.TrimSpace(s.Doc)
	if i := strings.Index(doc, ". "); i >= 0 {
		return doc[:i+1]
	}
	if i := strings.IndexByte(doc, '\n'); i >= 0 {
		return doc[:i]
	}
	return doc
}

// Signature renders the call form, for example
// `deploy(project, to, *, release=None, wait=True)`.
func (s *Spec) Signature() string {
	return s.Name + "(" + s.signatureParams() + ")"
}

func (s *Spec) signatureParams() string {
	var parts []string
	star := false
	for _, p := range s.Params {
		switch {
		case p.Variadic:
			parts = append(parts, "*"+p.Name)
			star = true
		case p.Kwargs:
			parts = append(parts, "**"+p.Name)
		default:
			if p.KeywordOnly && !star {
				parts = append(parts, "*")
				star = true
			}
			if p.Default != "" {
				parts = append(parts, p.Name+"="+p.Default)
			} else {
				parts = append(parts, p.Name)
			}
		}
	}
	return strings.Join(parts, ", ")
}

// ParamNames lists the names a caller may pass by keyword. The slice is
// shared; do not modify it.
func (s *Spec) ParamNames() []string {
	s.prepare()
	return s.keywords
}

// MaxPositional is how many arguments may be passed positionally, or -1
// when a *args parameter takes any number.
func (s *Spec) MaxPositional() int {
	n := 0
	for _, p := range s.Params {
		if p.Variadic {
			return -1
		}
		if p.KeywordOnly || p.Kwargs {
			break
		}
		n++
	}
	return n
}

// acceptsKwargs reports whether unknown keywords are collected by **name.
func (s *Spec) acceptsKwargs() bool {
	return len(s.Params) > 0 && s.Params[len(s.Params)-1].Kwargs
}

// UnpackArgs checks a call against the documented parameters and stores
// the values in dst, one destination per Param in order, with the
// conventions of starlark.UnpackArgs. An explicit None for an optional
// parameter counts as absent. A *args parameter takes a *starlark.Tuple
// and a **kwargs parameter a *[]starlark.Tuple.
//
// Unlike starlark.UnpackArgs it suggests the closest name for every
// misspelt keyword and explains how many arguments may be positional.
func (s *Spec) UnpackArgs(args starlark.Tuple, kwargs []starlark.Tuple, dst ...any) error {
	if len(dst) != len(s.Params) {
		panic(fmt.Sprintf("%s: UnpackArgs got %d destinations for %d parameters", s.Name, len(dst), len(s.Params)))
	}
	var extra []starlark.Tuple
	known := s.ParamNames()
	for _, kv := range kwargs {
		name := string(kv[0].(starlark.String))
		if slices.Contains(known, name) {
			continue
		}
		if s.acceptsKwargs() {
			extra = append(extra, kv)
			continue
		}
		return fmt.Errorf("%s: unexpected keyword argument %q%s", s.Name, name, didYouMean(name, known))
	}
	if len(extra) > 0 {
		kept := make([]starlark.Tuple, 0, len(kwargs)-len(extra))
		for _, kv := range kwargs {
			if slices.Contains(known, string(kv[0].(starlark.String))) {
				kept = append(kept, kv)
			}
		}
		kwargs = kept
	}
	if max := s.MaxPositional(); max >= 0 && len(args) > max {
		return fmt.Errorf("%s: got %d positional arguments, want at most %d%s", s.Name, len(args), max, s.keywordHint(max))
	}
	pairs := make([]any, 0, 2*len(s.Params))
	for i, p := range s.Params {
		switch {
		case p.Variadic:
			*dst[i].(*starlark.Tuple) = args
			args = nil
		case p.Kwargs:
			*dst[i].(*[]starlark.Tuple) = extra
		default:
			pairs = append(pairs, s.unpackKeys[i], dst[i])
		}
	}
	return starlark.UnpackArgs(s.Name, args, kwargs, pairs...)
}

func (s *Spec) keywordHint(max int) string {
	names := s.ParamNames()
	if max >= len(names) {
		return ""
	}
	return fmt.Sprintf(" (pass %s by keyword)", strings.Join(names[max:], ", "))
}

// Registry is the single list of what a script can call. Registration,
// the checker, `octostar doc`, docs/builtins.md, REPL completion and the
// dry run all read it.
type Registry struct {
	specs  []*Spec
	byName map[string]*Spec
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{byName: map[string]*Spec{}} }

// Add registers specs. It panics on a duplicate or malformed entry: the
// registry is built from code at start-up, so that is a programming error
// that every test run catches.
func (r *Registry) Add(specs ...*Spec) {
	for _, s := range specs {
		if s.Name == "" || s.Doc == "" {
			panic(fmt.Sprintf("registry: entry %q needs a name and a doc", s.Name))
		}
		if _, dup := r.byName[s.Name]; dup {
			panic(fmt.Sprintf("registry: %q registered twice", s.Name))
		}
		if _, universal := starlark.Universe[s.Name]; universal {
			panic(fmt.Sprintf("registry: %q would shadow a Starlark built-in", s.Name))
		}
		if s.Impl != nil && s.Value != nil {
			panic(fmt.Sprintf("registry: %q has both Impl and Value", s.Name))
		}
		validateParams(s)
		r.specs = append(r.specs, s)
		r.byName[s.Name] = s
	}
}

func validateParams(s *Spec) {
	seenOptional := false
	seen := map[string]bool{}
	for i, p := range s.Params {
		switch {
		case seen[p.Name]:
			panic(fmt.Sprintf("registry: %s: parameter %q declared twice", s.Name, p.Name))
		case p.Variadic && i != 0:
			panic(fmt.Sprintf("registry: %s: *%s must be the first parameter", s.Name, p.Name))
		case p.Kwargs && i != len(s.Params)-1:
			panic(fmt.Sprintf("registry: %s: **%s must be the last parameter", s.Name, p.Name))
		case !p.Optional() && seenOptional:
			panic(fmt.Sprintf("registry: %s: required parameter %q follows an optional one", s.Name, p.Name))
		}
		seen[p.Name] = true
		if p.Default != "" {
			seenOptional = true
		}
	}
}

// Lookup finds an entry by name.
func (r *Registry) Lookup(name string) (*Spec, bool) {
	s, ok := r.byName[name]
	return s, ok
}

// Specs returns the entries in registration order.
func (r *Registry) Specs() []*Spec { return slices.Clone(r.specs) }

// Names returns every registered name, sorted.
func (r *Registry) Names() []string {
	names := make([]string, 0, len(r.specs))
	for _, s := range r.specs {
		names = append(names, s.Name)
	}
	slices.Sort(names)
	return names
}

// Predeclared builds the values a script sees. Every function is wrapped
// so that a Go panic becomes an error naming the builtin instead of
// crashing the process.
func (r *Registry) Predeclared() starlark.StringDict {
	d := starlark.StringDict{}
	for _, s := range r.specs {
		switch {
		case s.Impl != nil:
			d[s.Name] = starlark.NewBuiltin(s.Name, Safe(s.Impl))
		case s.Value != nil:
			d[s.Name] = s.Value
		}
	}
	d.Freeze()
	return d
}

// Safe recovers a panic in a builtin and reports it as an internal error
// that names the builtin.
func Safe(fn Impl) Impl {
	return func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (v starlark.Value, err error) {
		defer func() {
			if p := recover(); p != nil {
				v, err = nil, fmt.Errorf("%s: internal error in octostar (please report it): %v", b.Name(), p)
			}
		}()
		return fn(th, b, args, kwargs)
	}
}
