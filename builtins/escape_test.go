package builtins

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/octostar/octostar/interp"
)

// TestEscapeAttemptsThroughBuiltins is the part of the sandbox escape
// catalogue that needs Octopus builtins: aiming a builtin at a URL of the
// script's own, reading a target's credential, and a wait with no end.
// The language-level attempts (files, environment, load outside the
// folder, endless loops, recursion, huge values) are golden cases under
// testdata/sandbox.
func TestEscapeAttemptsThroughBuiltins(t *testing.T) {
	tests := []struct {
		name, src, wantErr string
	}{
		{"a URL as a target name", `target("https://evil.example.com")`, `target: no target named "https://evil.example.com"`},
		{"a URL keyword", `target(url = "https://evil.example.com")`, `target: unexpected keyword argument "url"`},
		{"a target's key", `print(target().api_key)`, `target has no .api_key field or method`},
		{"a named target's key", `print(target("prod").key)`, `target has no .key field or method`},
		{"the key through getattr", `print([getattr(target("prod"), a) for a in dir(target("prod")) if "key" in a.lower()])`, ""},
		{"the key through str and json", `print(str(target("prod")), repr(target()), json.encode(struct(t = target().name)))`, ""},
		{"a wait with no timeout ends with the run", `d = deploy("Web", to = "Development", release = "1.0.0", wait = False)
wait(d)`, "the run timed out after 300ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			def, prod := newFake("default"), newFake("prod")
			def.stuck = true
			var log strings.Builder
			env := fakeEnv(t, def, prod, &log)
			var out strings.Builder
			rt := interp.New(interp.Options{Registry: Registry(), Globals: Globals(nil), Locals: env.Locals(), Stdout: &out, MaxSteps: 1_000_000})
			path := filepath.Join(t.TempDir(), "escape.star")
			if err := os.WriteFile(path, []byte(tt.src+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeoutCause(t.Context(), 300*time.Millisecond, errTimedOut)
			defer cancel()
			_, err := rt.ExecFile(ctx, path)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", interp.FormatError(err))
			case tt.wantErr != "" && (err == nil || !strings.Contains(interp.FormatError(err), tt.wantErr)):
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			}
			// The fake targets' credentials are API-TEST and API-PROD.
			for _, key := range []string{"API-TEST", "API-PROD"} {
				for what, text := range map[string]string{"output": out.String(), "log": log.String(), "error": interp.FormatError(err)} {
					if strings.Contains(text, key) {
						t.Errorf("the %s shows the key %s:\n%s", what, key, text)
					}
				}
			}
		})
	}
}

var errTimedOut = timedOut{}

type timedOut struct{}

func (timedOut) Error() string { return "the run timed out after 300ms (raise it with --timeout)" }
