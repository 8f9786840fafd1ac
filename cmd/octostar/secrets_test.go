package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/octostar/octostar/internal/octosim"
	"github.com/octostar/octostar/internal/octosim/simtest"
)

// secretKey is recognisable anywhere it might leak, whole or in part.
const secretKey = "API-OCTOSTARSECRET7777777777"

// TestTheKeyNeverLeaks runs, with one recognisable key, everything a run
// can write: a journaled train with debug JSON logs and both summaries,
// its resume, a plan with its JSON, an Octopus step with its service
// messages and artifact, a failing script, and a REPL session; then
// greps every byte for the key and for its distinctive part.
func TestTheKeyNeverLeaks(t *testing.T) {
	_, simURL := simtest.Serve(t, octosim.DemoSeed(), octosim.WithAPIKey(secretKey), octosim.WithTimeScale(1000))
	train, err := filepath.Abs("../../scripts/examples/release_train.star")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Chdir(dir) // the step writes its artifact here
	t.Setenv("OCTOPUS_URL", simURL)
	t.Setenv("OCTOPUS_API_KEY", secretKey)
	t.Setenv("OCTOPUS_ACCESS_TOKEN", "")
	t.Setenv("OctopusCalamariWorkingDirectory", "")
	scripts := t.TempDir() // apart from what the runs write, which is all searched
	failing := filepath.Join(scripts, "failing.star")
	os.WriteFile(failing, []byte("d = deploy('Fraud Detection', to = 'Staging', release = '0.9.0')\n"), 0o644)
	outputs := filepath.Join(scripts, "outputs.star")
	os.WriteFile(outputs, []byte("output('env', 'Test')\noutput('token', 'not-the-key', sensitive = True)\n"), 0o644)
	common := []string{"--poll-interval", "10ms", "--log-level", "debug", "--log-format", "json"}
	runs := []struct {
		name     string
		wantCode int
		stdin    string
		args     []string
	}{
		{"journaled train", exitOK, "", append([]string{"run", "--journal", "j.jsonl", "--summary", "s.md", "--summary-json", "s.json"}, append(common, train)...)},
		{"its resume (finished: asks for --fresh)", exitUsage, "", append([]string{"run", "--journal", "j.jsonl"}, append(common, train)...)},
		{"a plan", exitOK, "", append([]string{"plan", "--plan-json", "p.json"}, append(common, train)...)},
		{"an Octopus step", exitOK, "", append([]string{"run", "--octopus"}, append(common, outputs)...)},
		{"a failing script", exitFailed, "", append([]string{"run", "--summary-json", "f.json"}, append(common, failing)...)},
		{"a REPL session", exitOK, "releases('Payments API')\ntarget()\ndeploy('Identity Service', to = 'Development', release = '4.1.0')\nprint(dir(target()))\n",
			[]string{"repl", "--yes", "--log-level", "debug"}},
	}
	for _, r := range runs {
		code, out, errOut := call(t, r.stdin, r.args...)
		if code != r.wantCode {
			t.Errorf("%s: exit %d, want %d\n%s", r.name, code, r.wantCode, errOut)
		}
		check(t, r.name+" stdout", out)
		check(t, r.name+" stderr", errOut)
	}
	for _, name := range []string{"j.jsonl", "s.md", "s.json", "p.json", "octostar-summary.md", "f.json"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("the run did not write %s, so it was not checked: %v", name, err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		check(t, filepath.Base(f), string(data))
	}
}

func check(t *testing.T, what, text string) {
	t.Helper()
	for _, part := range []string{secretKey, "OCTOSTARSECRET", "7777777777", "not-the-key"} {
		if strings.Contains(text, part) {
			t.Errorf("%s shows %q:\n%s", what, part, text)
		}
	}
}
