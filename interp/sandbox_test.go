package interp_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/octostar/octostar/builtins"
	"github.com/octostar/octostar/interp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestSandbox runs every case under testdata/sandbox: each is an attempt
// to break a sandbox rule (or a plain script error) whose rendered error
// must match the case's error.golden exactly.
func TestSandbox(t *testing.T) {
	cases, err := filepath.Glob("../testdata/sandbox/*/main.star")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no cases found: %v", err)
	}
	for _, main := range cases {
		caseDir := filepath.Dir(main)
		t.Run(filepath.Base(caseDir), func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			dir := filepath.Join(root, "scripts")
			if err := os.CopyFS(dir, os.DirFS(caseDir)); err != nil {
				t.Fatal(err)
			}
			os.Remove(filepath.Join(dir, "error.golden"))
			// A secret next to (not inside) the script folder, and a link to it.
			if err := os.WriteFile(filepath.Join(root, "outside.star"), []byte("secret = 'hunter2'\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if filepath.Base(caseDir) == "load_symlink_out" {
				os.MkdirAll(filepath.Join(dir, "lib"), 0o755)
				if err := os.Symlink(filepath.Join(root, "outside.star"), filepath.Join(dir, "lib", "escape.star")); err != nil {
					t.Fatal(err)
				}
			}
			os.WriteFile(filepath.Join(dir, "secrets.env"), []byte("API_KEY=API-SECRET\n"), 0o644)

			rt := interp.New(interp.Options{
				Registry: builtins.Registry(),
				Globals:  builtins.Globals(map[string]string{"env": "Test"}),
				MaxSteps: 100_000,
				Stdout:   &strings.Builder{},
			})
			_, err := rt.ExecFile(t.Context(), filepath.Join(dir, "main.star"))
			if err == nil {
				t.Fatal("the script ran without error")
			}
			got := strings.ReplaceAll(interp.FormatError(err), dir, "$ROOT")
			if strings.Contains(got, "hunter2") || strings.Contains(got, "API-SECRET") {
				t.Fatalf("the error leaks a secret:\n%s", got)
			}
			golden := filepath.Join(caseDir, "error.golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./interp -run TestSandbox -update)", err)
			}
			if got != string(want) {
				t.Errorf("error text differs from %s\n--- got\n%s--- want\n%s", golden, got, want)
			}
		})
	}
}
