package interp

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.starlark.net/starlark"
)

// writeFiles lays out files (path -> content) under a new temp folder.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runScript runs main.star from files with the given registry and
// returns print output and the rendered error ("" when it succeeded).
func runScript(t *testing.T, ctx context.Context, reg *Registry, files map[string]string) (string, string) {
	t.Helper()
	dir := writeFiles(t, files)
	var out strings.Builder
	rt := New(Options{Registry: reg, Stdout: &out, MaxSteps: 1_000_000})
	_, err := rt.ExecFile(ctx, filepath.Join(dir, "main.star"))
	if err != nil {
		// Positions carry the temp folder; tests compare relative text.
		return out.String(), strings.ReplaceAll(FormatError(err), dir+string(filepath.Separator), "")
	}
	return out.String(), ""
}

// testRegistry has builtins shaped like octostar's, for rule tests that
// must not depend on the builtins package.
func testRegistry(extra ...*Spec) *Registry {
	r := NewRegistry()
	deploySpec := &Spec{
		Name: "deploy", Doc: "Deploys.", Mutates: true,
		Params: []Param{
			{Name: "project", Type: "str", Doc: "the project"},
			{Name: "to", Type: "str", Doc: "the environment"},
			{Name: "release", Type: "str", Default: "None", KeywordOnly: true},
			{Name: "wait", Type: "bool", Default: "True", KeywordOnly: true},
			{Name: "timeout", Type: "str", Default: `"30m"`, KeywordOnly: true},
		},
	}
	deploySpec.Impl = func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var project, to, release, timeout string
		wait := true
		if err := deploySpec.UnpackArgs(args, kwargs, &project, &to, &release, &wait, &timeout); err != nil {
			return nil, err
		}
		return starlark.String(project + "->" + to), nil
	}
	r.Add(deploySpec)
	r.Add(extra...)
	return r
}

func symlink(target, link string) error { return os.Symlink(target, link) }
