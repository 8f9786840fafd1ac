package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/octostar/octostar/builtins"
	"github.com/octostar/octostar/internal/octosim"
)

// monthlyVersion is the first version the sandbox gives Platform Ops,
// whose template is #{Octopus.Date.Year}.#{Octopus.Date.Month}.i on
// the sandbox's clock (the wall clock, in UTC), this month.
func monthlyVersion() string {
	now := time.Now().UTC()
	return fmt.Sprintf("%d.%d.0", now.Year(), int(now.Month()))
}

// TestExamplesRunOnSandbox runs each example script the README points
// to on the embedded demo world, as a user would.
func TestExamplesRunOnSandbox(t *testing.T) {
	tests := []struct {
		script string
		vars   []string
		want   []string
	}{
		{"release_train.star", nil, []string{"Identity Service 4.1.1: Success in Test", "Platform Ops " + monthlyVersion() + ": Success in Test"}},
		{"promote_test_to_staging.star", []string{"--var", "promote=yes"}, []string{
			"Payments API 1.2.0 is in Test, not in Staging", "Checkout Web 2.2.0: Success in Staging"}},
		{"approve_pending.star", nil, []string{"approved Approve production release: Payments API in Production", "Payments API 1.2.0 to Production: Success"}},
		{"runbook_tenants.star", nil, []string{"running Rebuild search index for 3 tenants in Test", "Globex: Success"}},
		{"ordered_rollout.star", nil, []string{"wave 1: Notification Service 1.0.2 Success in Development", "wave 2: Fraud Detection 1.0.1 Success in Development"}},
	}
	for _, tt := range tests {
		t.Run(tt.script, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"run", "--sandbox", "--sandbox-speed", "1000", "--poll-interval", "10ms", "--log-level", "warn"}, tt.vars...)
			code, out, errOut := call(t, "", append(args, "../../scripts/examples/"+tt.script)...)
			if code != 0 {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestSandboxFlagsRefuseMixing(t *testing.T) {
	p := script(t, "print(1)\n")
	code, _, errOut := call(t, "", "run", "--sandbox", "--server", "https://o.example.com", p)
	if code != exitUsage || !strings.Contains(errOut, "--sandbox starts its own server: do not give --server or --api-key with it") {
		t.Errorf("code %d: %s", code, errOut)
	}
	code, _, errOut = call(t, "", "run", "--sandbox=nope.json", p)
	if code != exitUsage || !strings.Contains(errOut, "--sandbox=nope.json:") {
		t.Errorf("code %d: %s", code, errOut)
	}
	// A seed that names a missing lifecycle: the seed path, the JSON path
	// and the nearest name.
	var seed map[string]any
	json.Unmarshal(octosim.DemoSeedJSON(), &seed)
	seed["projects"].([]any)[3].(map[string]any)["lifecycle"] = "Standrad"
	bad := filepath.Join(t.TempDir(), "world.json")
	data, _ := json.Marshal(seed)
	os.WriteFile(bad, data, 0o644)
	code, _, errOut = call(t, "", "run", "--sandbox="+bad, p)
	want := "--sandbox=" + bad + `: seed: projects[3].lifecycle: no lifecycle named "Standrad" (did you mean Standard?)`
	if code != exitUsage || !strings.Contains(errOut, want) {
		t.Errorf("code %d: %s\nwant %s", code, errOut, want)
	}
}

func TestSummaryFiles(t *testing.T) {
	dir := t.TempDir()
	md, js, gh := dir+"/summary.md", dir+"/summary.json", dir+"/github.md"
	t.Setenv("GITHUB_STEP_SUMMARY", gh)
	code, out, errOut := call(t, "", "run", "--sandbox", "--sandbox-speed", "1000", "--poll-interval", "10ms", "--log-level", "warn",
		"--summary", md, "--summary-json", js, "../../scripts/examples/release_train.star")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	var sum builtins.Summary
	data, err := os.ReadFile(js)
	if err != nil || json.Unmarshal(data, &sum) != nil {
		t.Fatalf("summary JSON: %v\n%s", err, data)
	}
	if sum.Outcome != "succeeded" || len(sum.Actions) != 12 { // 4 releases, 4 + 4 deployments
		t.Fatalf("summary: %+v", sum)
	}
	last := sum.Actions[len(sum.Actions)-1]
	if last.Action != "deploy" || last.Environment != "Test" || last.State != "Success" || !last.Finished ||
		!strings.Contains(last.URL, "/tasks/ServerTasks-") || !strings.HasSuffix(last.At, "release_train.star:17") {
		t.Errorf("last action: %+v", last)
	}
	if sum.Outputs["released"] != "4" {
		t.Errorf("outputs: %v", sum.Outputs)
	}
	for _, p := range []string{md, gh} {
		text, _ := os.ReadFile(p)
		if !strings.Contains(string(text), "## octostar: ../../scripts/examples/release_train.star ✅ succeeded") ||
			!strings.Contains(string(text), "| deploy | Platform Ops | "+monthlyVersion()+" | Test | Success |") {
			t.Errorf("%s:\n%s", p, text)
		}
		if strings.Contains(string(text), "API-") {
			t.Errorf("%s holds a key:\n%s", p, text)
		}
	}
}

func TestSummaryOfAFailedRun(t *testing.T) {
	js := t.TempDir() + "/summary.json"
	p := script(t, "d = deploy('Fraud Detection', to = 'Staging', release = '0.9.0', check = False)\nfail('stopping: ' + d.state)\n")
	code, _, _ := call(t, "", "run", "--sandbox", "--sandbox-speed", "1000", "--poll-interval", "10ms", "--log-level", "warn", "--summary-json", js, p)
	var sum builtins.Summary
	data, _ := os.ReadFile(js)
	json.Unmarshal(data, &sum)
	if code != exitFailed || sum.Outcome != "failed" || !strings.Contains(sum.Error, "stopping: Failed") ||
		len(sum.Actions) != 1 || sum.Actions[0].State != "Failed" || !strings.Contains(sum.Actions[0].Error, "ended Failed") {
		t.Errorf("code %d summary %+v", code, sum)
	}
}

// TestNoKeyInAnyOutput runs a whole train with debug logs and both
// summaries, and looks for an API key in every byte the run wrote.
func TestNoKeyInAnyOutput(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := call(t, "", "run", "--sandbox", "--sandbox-speed", "1000", "--poll-interval", "10ms",
		"--log-level", "debug", "--log-format", "json", "--summary", dir+"/s.md", "--summary-json", dir+"/s.json",
		"../../scripts/examples/release_train.star")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	md, _ := os.ReadFile(dir + "/s.md")
	js, _ := os.ReadFile(dir + "/s.json")
	for name, text := range map[string]string{"stdout": out, "stderr": errOut, "summary": string(md), "summary-json": string(js)} {
		if strings.Contains(text, "API-") {
			t.Errorf("%s holds something that looks like an API key:\n%s", name, text)
		}
	}
	if !strings.Contains(errOut, `"action":"deploy"`) {
		t.Errorf("the debug log is not what the test expects to search:\n%s", errOut)
	}
}
