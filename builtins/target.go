package builtins

import (
	"fmt"
	"slices"

	"go.starlark.net/starlark"

	"github.com/octostar/octostar/internal/octopus"
	"github.com/octostar/octostar/interp"
)

// Target is a configured Octopus instance and space. It prints without
// secrets and carries every Octopus builtin as a method, so that one
// script can drive several instances: prod.deploy("Web", to="Production").
type Target struct {
	oct octopus.Octopus
}

var (
	_ starlark.HasAttrs = (*Target)(nil)
)

func (t *Target) String() string {
	info := t.oct.Target()
	space := info.Space
	if space == "" {
		space = "default space"
	}
	return fmt.Sprintf("Target(name=%q, url=%q, space=%q)", info.Name, info.URL, space)
}
func (t *Target) Type() string          { return "target" }
func (t *Target) Freeze()               {}
func (t *Target) Truth() starlark.Bool  { return starlark.True }
func (t *Target) Hash() (uint32, error) { return starlark.String(t.String()).Hash() }

// Attr returns name, url, space, or a builtin bound to this target.
func (t *Target) Attr(name string) (starlark.Value, error) {
	info := t.oct.Target()
	switch name {
	case "name":
		return starlark.String(info.Name), nil
	case "url":
		return starlark.String(info.URL), nil
	case "space":
		return str(info.Space), nil
	}
	if spec := targetMethod(name); spec != nil {
		return starlark.NewBuiltin(name, interp.Safe(spec.Impl)).BindReceiver(t), nil
	}
	return nil, nil
}

// AttrNames lists the fields and the methods.
func (t *Target) AttrNames() []string {
	names := []string{"name", "url", "space"}
	for _, s := range octopusSpecs() {
		if s.Impl != nil && s.Name != "target" {
			names = append(names, s.Name)
		}
	}
	slices.Sort(names[3:])
	return names
}

func targetMethod(name string) *interp.Spec {
	if name == "target" {
		return nil
	}
	for _, s := range octopusSpecs() {
		if s.Name == name && s.Impl != nil {
			return s
		}
	}
	return nil
}

// octo returns the Env and the target a builtin acts on: the receiver
// when it is called as a target's method, else the default target.
func octo(th *starlark.Thread, b *starlark.Builtin) (*Env, octopus.Octopus, error) {
	env, err := envOf(th, b.Name())
	if err != nil {
		return nil, nil, err
	}
	if t, ok := b.Receiver().(*Target); ok {
		return env, t.oct, nil
	}
	o, err := env.Targets.Get("")
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %v", b.Name(), err)
	}
	return env, o, nil
}

var targetSpec = &interp.Spec{
	Name:  "target",
	Group: GroupTargets,
	Doc: "Selects a configured Octopus target: the default one (from --server, OCTOPUS_URL or --sandbox) or a named one " +
		"from the targets file, optionally in another space. Scripts cannot aim a target at a URL of their own or see its " +
		"credential. The target carries every Octopus builtin as a method, so one script can drive several instances.",
	Params: []interp.Param{
		{Name: "name", Type: "str | None", Default: "None", Doc: "the target's name in the targets file; None is the default target"},
		{Name: "space", Type: "str | None", Default: "None", Doc: "another space of the same instance, by name or ID"},
	},
	Returns: "target",
	Example: `here = target()
print(here.name)  # default`,
}

func init() { targetSpec.Impl = targetImpl }

func targetImpl(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var name, space string
	if err := targetSpec.UnpackArgs(args, kwargs, &name, &space); err != nil {
		return nil, err
	}
	env, err := envOf(th, b.Name())
	if err != nil {
		return nil, err
	}
	var o octopus.Octopus
	if space != "" {
		o, err = env.Targets.InSpace(name, space)
	} else {
		o, err = env.Targets.Get(name)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v", b.Name(), err)
	}
	return &Target{oct: o}, nil
}
