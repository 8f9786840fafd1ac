package builtins

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarktest"

	"github.com/octostar/octostar/internal/octopus"
	"github.com/octostar/octostar/internal/octosim"
	"github.com/octostar/octostar/interp"
)

// TestScripts runs every testdata/scripts/*.star file with the full
// registry; the scripts check themselves with the assert module.
func TestScripts(t *testing.T) {
	files, err := filepath.Glob("../testdata/scripts/*.star")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	assert, err := starlarktest.LoadAssertModule()
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			rt := interp.New(interp.Options{
				Registry: Registry(),
				Globals:  Globals(map[string]string{"env": "Test"}),
				MaxSteps: 1_000_000,
				Modules:  map[string]starlark.StringDict{"assert.star": assert},
				Stdout:   &strings.Builder{},
			})
			loader, err := rt.NewLoader(filepath.Dir(file))
			if err != nil {
				t.Fatal(err)
			}
			defer loader.Close()
			th, done := rt.NewThread(t.Context(), file, loader)
			defer done()
			starlarktest.SetReporter(th, t)
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := rt.Exec(th, file, src); err != nil {
				t.Fatal(interp.FormatError(err))
			}
		})
	}
}

// TestEveryBuiltinIsExercised guards against a builtin that no script
// test calls: UnpackArgs panics on unsupported Go types, and only a
// call finds that.
func TestEveryBuiltinIsExercised(t *testing.T) {
	var all strings.Builder
	files, _ := filepath.Glob("../testdata/*/*.star")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		all.Write(b)
	}
	for _, spec := range Registry().Specs() {
		if spec.Impl == nil {
			continue
		}
		if !regexp.MustCompile(`\b` + regexp.QuoteMeta(spec.Name) + `\(`).MatchString(all.String()) {
			t.Errorf("no script under testdata/scripts calls %s()", spec.Name)
		}
	}
}

// TestDocsUpToDate fails when docs/builtins.md differs from what the
// registry generates.
func TestDocsUpToDate(t *testing.T) {
	reg := Registry()
	for _, spec := range reg.Specs() {
		if strings.TrimSpace(spec.Doc) == "" {
			t.Errorf("%s has no doc", spec.Name)
		}
		for _, p := range spec.Params {
			if p.Doc == "" {
				t.Errorf("%s: parameter %s has no doc", spec.Name, p.Name)
			}
		}
	}
	want, err := os.ReadFile("../docs/builtins.md")
	if err != nil {
		t.Fatalf("%v (run make docs)", err)
	}
	if got := reg.Markdown(); got != string(want) {
		t.Errorf("docs/builtins.md is stale: run make docs")
	}
}

// TestDocExamplesRun runs every example in the docs. A print() line that
// ends in a "# text" comment must print that text.
func TestDocExamplesRun(t *testing.T) {
	var specs []*interp.Spec
	for _, s := range Registry().Specs() {
		specs = append(specs, s)
		specs = append(specs, s.Members...)
	}
	printLine := regexp.MustCompile(`^print\(.*\)\s+#\s*(.*)$`)
	for _, spec := range specs {
		if spec.Example == "" {
			continue
		}
		t.Run(spec.Name, func(t *testing.T) {
			var want []string
			for _, line := range strings.Split(spec.Example, "\n") {
				if m := printLine.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
					want = append(want, m[1])
				}
			}
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "example.star"), []byte(spec.Example+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			// Each example runs on a fresh demo world whose tasks finish at once.
			s := startDemo(t, octosim.WithInstantTasks())
			env := simEnv(t, octopus.Config{URL: s.url, APIKey: octosim.DemoAdminAPIKey}, nil, nil)
			var out strings.Builder
			rt := interp.New(interp.Options{Registry: Registry(), Globals: Globals(nil), Stdout: &out, Locals: env.Locals()})
			if _, err := rt.ExecFile(t.Context(), filepath.Join(dir, "example.star")); err != nil {
				t.Fatal(interp.FormatError(err))
			}
			got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if len(want) > 0 && strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("printed %q, the example says %q", got, want)
			}
		})
	}
}
