package builtins

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// Record is an immutable result value with named fields: a release, a
// deployment, a project. Its type name is the kind ("release"), it
// prints readably, and it hashes by kind and ID so results can be dict
// keys and set members.
type Record struct {
	kind   string
	id     string
	keys   []string // field order, for printing and dir()
	fields map[string]starlark.Value
	// methods are extra attributes (bound builtins), not fields.
	methods map[string]starlark.Value
	// summary lists the fields shown by str(); the rest show in repr
	// only through attribute access.
	summary []string
	// payload is Go-side state a builtin needs back (the target a run
	// belongs to); scripts cannot reach it.
	payload any
	// lazy, when set, reads the fields named in lazyKeys on first use,
	// once: a release fresh from create_release knows its ID and
	// version but not its packages until a script asks.
	lazy     func() (map[string]starlark.Value, error)
	lazyKeys []string
	lazyMu   sync.Mutex
	loaded   map[string]starlark.Value
}

// load runs the lazy reader until it succeeds once; fields it returns
// replace the known ones. A failed read is not kept: a later use tries
// again, so a brief outage does not spoil the value for the whole run.
// Safe for concurrent use.
func (r *Record) load() (map[string]starlark.Value, error) {
	r.lazyMu.Lock()
	defer r.lazyMu.Unlock()
	if r.loaded != nil {
		return r.loaded, nil
	}
	m, err := r.lazy()
	if err != nil {
		return nil, fmt.Errorf("reading the rest of %s %s: %w", r.kind, r.id, err)
	}
	for _, v := range m {
		v.Freeze()
	}
	r.loaded = m
	return m, nil
}

// known is a field's value as far as it is known without a request.
func (r *Record) known(name string) starlark.Value {
	if r.lazy != nil {
		r.lazyMu.Lock()
		v, ok := r.loaded[name]
		r.lazyMu.Unlock()
		if ok {
			return v
		}
	}
	return r.fields[name]
}

// field returns a field's value, reading lazy fields when needed.
func (r *Record) field(name string) (starlark.Value, bool, error) {
	if r.lazy != nil && slices.Contains(r.lazyKeys, name) {
		loaded, err := r.load()
		if err != nil {
			return nil, true, err
		}
		if v, ok := loaded[name]; ok {
			return v, true, nil
		}
	}
	v, ok := r.fields[name]
	return v, ok, nil
}

var (
	_ starlark.HasAttrs   = (*Record)(nil)
	_ starlark.Comparable = (*Record)(nil)
)

// field is one name and value, in order.
type field struct {
	name string
	v    starlark.Value
}

// newRecord builds a frozen record. Values are frozen with it.
func newRecord(kind, id string, summary []string, fields ...field) *Record {
	r := &Record{kind: kind, id: id, fields: make(map[string]starlark.Value, len(fields)), summary: summary}
	for _, f := range fields {
		v := f.v
		if v == nil {
			v = starlark.None
		}
		v.Freeze()
		r.keys = append(r.keys, f.name)
		r.fields[f.name] = v
	}
	return r
}

func (r *Record) String() string {
	var b strings.Builder
	b.WriteString(titleCase(r.kind))
	b.WriteByte('(')
	first := true
	for _, k := range r.summary {
		v := r.known(k) // printing never reads from the server
		if v == nil || v == starlark.None || v == starlark.String("") {
			continue
		}
		if !first {
			b.WriteString(", ")
		}
		first = false
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(v.String())
	}
	b.WriteByte(')')
	return b.String()
}

func titleCase(kind string) string {
	parts := strings.Split(kind, "_")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "")
}

// Type is the kind, e.g. "deployment".
func (r *Record) Type() string         { return r.kind }
func (r *Record) Freeze()              {}
func (r *Record) Truth() starlark.Bool { return starlark.True }

// Hash is by kind and ID, so snapshots of the same deployment taken at
// different moments land in the same dict bucket.
func (r *Record) Hash() (uint32, error) {
	if r.id == "" {
		return 0, fmt.Errorf("unhashable: %s without an id", r.kind)
	}
	return starlark.String(r.kind + "\x00" + r.id).Hash()
}

// Attr returns a field or method; (nil, nil) lets Starlark suggest a
// spelling for an unknown name.
func (r *Record) Attr(name string) (starlark.Value, error) {
	if v, ok, err := r.field(name); ok {
		return v, err
	}
	if m, ok := r.methods[name]; ok {
		return m, nil
	}
	return nil, nil
}

// AttrNames lists fields, then methods.
func (r *Record) AttrNames() []string {
	names := append([]string(nil), r.keys...)
	for k := range r.methods {
		names = append(names, k)
	}
	return names
}

// CompareSameType: records are equal when they name the same Octopus
// object (kind and ID), so a deployment from deploy(wait=False) equals
// its finished snapshot from wait() and `d in done` works.
func (r *Record) CompareSameType(op syntax.Token, y starlark.Value, depth int) (bool, error) {
	o := y.(*Record)
	switch op {
	case syntax.EQL:
		return r.kind == o.kind && r.id == o.id, nil
	case syntax.NEQ:
		return r.kind != o.kind || r.id != o.id, nil
	}
	return false, fmt.Errorf("%s %s %s is not supported", r.kind, op, o.kind)
}

// get reads a string field (for builtins that take records back).
func (r *Record) get(name string) string {
	v, _, _ := r.field(name)
	if s, ok := v.(starlark.String); ok {
		return string(s)
	}
	return ""
}

// str is a Starlark string, or None for "".
func str(s string) starlark.Value {
	if s == "" {
		return starlark.None
	}
	return starlark.String(s)
}

// strList is a frozen list of strings.
func strList(ss []string) *starlark.List {
	vs := make([]starlark.Value, len(ss))
	for i, s := range ss {
		vs[i] = starlark.String(s)
	}
	l := starlark.NewList(vs)
	l.Freeze()
	return l
}

// strDict is a frozen dict of strings, in the map's sorted key order.
func strDict(m map[string]string) *starlark.Dict {
	d := starlark.NewDict(len(m))
	for _, k := range sortedKeys(m) {
		_ = d.SetKey(starlark.String(k), starlark.String(m[k]))
	}
	d.Freeze()
	return d
}
