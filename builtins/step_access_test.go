package builtins

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/octostar/octostar/interp"
)

func TestSensitiveOutputs(t *testing.T) {
	var log strings.Builder
	env := fakeEnv(t, newFake("default"), newFake("prod"), &log)
	src := `load("assert.star", "assert")
output("version", "1.4.2")
output("info", {"projects": ["Web", "Api"], "ok": True, "none": None})
output("token", "s3cr3t-value", sensitive = True)
output("token", "s3cr3t-value-2")  # stays sensitive
output("n", 3, sensitive = False)
assert.fails(lambda: output("x", 1, True), "want at most 2 \\(pass sensitive by keyword\\)")
`
	p := filepath.Join(t.TempDir(), "s.star")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := runTestScript(t, env, p, nil); err != nil {
		t.Fatal(interp.FormatError(err))
	}
	tests := []struct{ name, text, shown string }{
		{"version", "1.4.2", `"1.4.2"`},
		{"info", `{"none":null,"ok":true,"projects":["Web","Api"]}`, `{"projects": ["Web", "Api"], "ok": True, "none": None}`},
		{"token", "s3cr3t-value-2", SensitiveShown},
		{"n", "3", "3"},
	}
	outs := env.Outputs()
	if len(outs) != len(tests) {
		t.Fatalf("outputs: %v", outs)
	}
	for i, tt := range tests {
		o := outs[i]
		if o.Name != tt.name || o.Text() != tt.text || o.Shown() != tt.shown || o.Sensitive != (tt.name == "token") {
			t.Errorf("output %d: %s text %q shown %q sensitive %v; want %s %q %q", i, o.Name, o.Text(), o.Shown(), o.Sensitive, tt.name, tt.text, tt.shown)
		}
	}
	sum := env.Summary("s.star", time.Now(), nil, false)
	if sum.Outputs["token"] != SensitiveShown || strings.Contains(sum.Markdown(), "s3cr3t") || strings.Contains(string(sum.JSON()), "s3cr3t") {
		t.Errorf("the summary shows the secret:\n%s\n%s", sum.Markdown(), sum.JSON())
	}
	if strings.Contains(log.String(), "s3cr3t") {
		t.Errorf("the log shows the secret:\n%s", log.String())
	}
}

// TestOnTasks checks the hook behind Octopus's progress bar: after each
// poll that saw a change, how many of the started runs have ended.
func TestOnTasks(t *testing.T) {
	var log strings.Builder
	env := fakeEnv(t, newFake("default"), newFake("prod"), &log)
	var calls [][2]int
	env.OnTasks = func(done, started int) { calls = append(calls, [2]int{done, started}) }
	src := `create_release("Web", version = "1.0.0")
a = deploy("Web", to = "Development", wait = False)
b = deploy("Web", to = "Test", wait = False)
wait(a, b)
`
	p := filepath.Join(t.TempDir(), "s.star")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := runTestScript(t, env, p, nil); err != nil {
		t.Fatal(interp.FormatError(err))
	}
	if len(calls) == 0 || calls[len(calls)-1] != [2]int{2, 2} {
		t.Fatalf("OnTasks calls %v, want them to end with [2 2]", calls)
	}
	for i, c := range calls {
		if c[1] != 2 || c[0] < 0 || (i > 0 && c[0] < calls[i-1][0]) {
			t.Errorf("OnTasks calls %v: want 2 started and a count of ended runs that never drops", calls)
		}
	}
}
