package builtins

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"go.starlark.net/starlark"
)

// stringList accepts "a" or ["a", "b"] (a list or tuple of strings).
type stringList struct {
	items []string
	many  bool // given as a list, even of one
	set   bool
}

func (s *stringList) Unpack(v starlark.Value) error {
	s.set = true
	if str, ok := starlark.AsString(v); ok {
		if strings.TrimSpace(str) == "" {
			return fmt.Errorf("got an empty string, want a name")
		}
		s.items = []string{str}
		return nil
	}
	iter, ok := v.(starlark.Iterable)
	if !ok {
		return fmt.Errorf("got %s, want a string or a list of strings", v.Type())
	}
	if _, isDict := v.(*starlark.Dict); isDict {
		return fmt.Errorf("got dict, want a string or a list of strings")
	}
	s.many = true
	for x := range starlark.Elements(iter) {
		str, ok := starlark.AsString(x)
		if !ok {
			return fmt.Errorf("got a list holding %s, want strings", x.Type())
		}
		if strings.TrimSpace(str) == "" {
			return fmt.Errorf("got an empty string in the list, want names")
		}
		s.items = append(s.items, str)
	}
	return nil
}

// stringMap accepts a dict of names to values; values may be strings,
// numbers or booleans and are sent as text, as Octopus variables are.
type stringMap map[string]string

func (m *stringMap) Unpack(v starlark.Value) error {
	d, ok := v.(*starlark.Dict)
	if !ok {
		return fmt.Errorf("got %s, want a dict of names to values", v.Type())
	}
	out := stringMap{}
	for k, val := range starlark.Entries(d) {
		key, ok := starlark.AsString(k)
		if !ok {
			return fmt.Errorf("got a %s key, want string keys", k.Type())
		}
		switch x := val.(type) {
		case starlark.String:
			out[key] = string(x)
		case starlark.Int, starlark.Float:
			out[key] = x.String()
		case starlark.Bool:
			out[key] = map[bool]string{true: "True", false: "False"}[bool(x)]
		default:
			return fmt.Errorf("the value for %q is %s, want a string, number or bool", key, val.Type())
		}
	}
	*m = out
	return nil
}

// optBool is True, False or None (use the server's default).
type optBool struct{ v *bool }

func (b *optBool) Unpack(v starlark.Value) error {
	x, ok := v.(starlark.Bool)
	if !ok {
		return fmt.Errorf("got %s, want True, False or None", v.Type())
	}
	val := bool(x)
	b.v = &val
	return nil
}

// nameRef accepts a name or a record that names one (a project value
// for project=, a tenant value for tenant=).
type nameRef string

func (n *nameRef) Unpack(v starlark.Value) error {
	switch x := v.(type) {
	case starlark.String:
		if strings.TrimSpace(string(x)) == "" {
			return fmt.Errorf("got an empty string, want a name")
		}
		*n = nameRef(x)
	case *Record:
		if x.id == "" {
			return fmt.Errorf("got a %s without an id", x.kind)
		}
		*n = nameRef(x.id)
	default:
		return fmt.Errorf("got %s, want a name", v.Type())
	}
	return nil
}

// timeArg accepts a timestamp: RFC 3339 ("2026-11-26T22:00:00Z") or
// "2026-11-26 22:00" (UTC).
type timeArg struct{ t time.Time }

func (ta *timeArg) Unpack(v starlark.Value) error {
	s, ok := starlark.AsString(v)
	if !ok {
		return fmt.Errorf("got %s, want a time such as \"2026-11-26T22:00:00Z\"", v.Type())
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			ta.t = t
			return nil
		}
	}
	return fmt.Errorf("%q is not a time; write it like \"2026-11-26T22:00:00Z\" or \"2026-11-26 22:00\" (UTC)", s)
}

// positive checks a timeout parameter: zero or less would mean either
// "give up at once" or "never", and neither is what anyone meant.
func positive(builtin string, d Duration) error {
	if d <= 0 {
		return fmt.Errorf("%s: for parameter timeout: got %s, want a positive duration such as \"30m\"", builtin, time.Duration(d))
	}
	return nil
}

// oneOf checks a choice parameter.
func oneOf(param, got string, choices ...string) error {
	if slices.Contains(choices, got) {
		return nil
	}
	return fmt.Errorf("for parameter %s: got %q, want %s", param, got, quoteList(choices))
}

func quoteList(choices []string) string {
	q := make([]string, len(choices))
	for i, c := range choices {
		q[i] = fmt.Sprintf("%q", c)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func sortStrings(s []string) { slices.Sort(s) }
