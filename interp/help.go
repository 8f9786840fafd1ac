package interp

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
)

// starlarkSpecURL documents the language's own built-ins, which the
// registry does not describe.
const starlarkSpecURL = "https://github.com/bazelbuild/starlark/blob/master/spec.md"

// Doc finds the documentation of a builtin, or of a module member by
// its dotted name ("json.encode").
func (r *Registry) Doc(name string) (*Spec, bool) {
	if spec, ok := r.Lookup(name); ok {
		return spec, true
	}
	mod, member, ok := strings.Cut(name, ".")
	if !ok {
		return nil, false
	}
	spec, ok := r.Lookup(mod)
	if !ok {
		return nil, false
	}
	for _, m := range spec.Members {
		if m.Name == member {
			return &Spec{
				Name: mod + "." + m.Name, Group: m.Group, Doc: m.Doc, Params: m.Params,
				Returns: m.Returns, Mutates: m.Mutates, Example: m.Example,
			}, true
		}
	}
	return nil, false
}

// Index lists every entry by group with its summary, marking those that
// change the server: what help() shows before one asks for a builtin.
func (r *Registry) Index() string {
	var b strings.Builder
	width := 0
	for _, s := range r.specs {
		width = max(width, len(s.Name))
	}
	for i, g := range r.groups() {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s\n", g.name)
		for _, s := range g.specs {
			mark := " "
			if s.Mutates {
				mark = "*"
			}
			fmt.Fprintf(&b, "  %s %-*s  %s\n", mark, width, s.Name, s.Summary())
		}
	}
	return b.String()
}

// help is the session's help builtin: help() lists the builtins by
// group, help(deploy) or help("deploy") shows one, help(value) lists a
// result's attributes. It is not in the script API: scripts are read,
// not explored.
func (s *REPL) help(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var v starlark.Value
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 0, &v); err != nil {
		return nil, err
	}
	text, err := s.helpText(v)
	if err != nil {
		return nil, err
	}
	th.Print(th, strings.TrimRight(text, "\n"))
	return starlark.None, nil
}

func (s *REPL) helpText(v starlark.Value) (string, error) {
	reg := s.rt.opts.Registry
	if v == nil {
		return reg.Index() + "\n* changes the server (the REPL asks first unless --yes)\n" +
			"help(NAME) shows one builtin; the language's own (len, sorted, ...) are in " + starlarkSpecURL + "\n", nil
	}
	name := ""
	switch v := v.(type) {
	case starlark.String:
		name = string(v)
	case *starlark.Builtin:
		name = v.Name()
	case *starlarkstruct.Module:
		name = v.Name
	default:
		name = s.predeclaredName(v)
	}
	if name != "" {
		if spec, ok := reg.Doc(name); ok {
			return spec.Text(), nil
		}
		if name == "help" {
			return "help(NAME) shows a builtin's documentation; help() lists them all.\n", nil
		}
		if _, ok := starlark.Universe[name]; ok {
			return fmt.Sprintf("%s is a built-in of the Starlark language: see %s#%s\n", name, starlarkSpecURL, name), nil
		}
		if _, isStr := v.(starlark.String); isStr {
			return "", fmt.Errorf("help: no builtin named %q%s", name, didYouMean(name, reg.Names()))
		}
	}
	if x, ok := v.(starlark.HasAttrs); ok {
		names := x.AttrNames()
		slices.Sort(names)
		return fmt.Sprintf("a value of type %s; its attributes: %s\n", v.Type(), strings.Join(names, ", ")), nil
	}
	return "", fmt.Errorf("help: no documentation for a value of type %s; help() lists the builtins", v.Type())
}

// predeclaredName finds the name a predeclared value is bound to, such
// as vars, whose value alone does not say it.
func (s *REPL) predeclaredName(v starlark.Value) string {
	if !reflect.TypeOf(v).Comparable() {
		return ""
	}
	for name, p := range s.rt.predeclared {
		if reflect.TypeOf(p) == reflect.TypeOf(v) && p == v {
			return name
		}
	}
	return ""
}
