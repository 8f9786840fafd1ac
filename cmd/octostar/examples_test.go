package main

import (
	"strings"
	"testing"
)

// TestExamplesRunOnSandbox runs each example script the README points
// to on the embedded demo world, as a user would.
func TestExamplesRunOnSandbox(t *testing.T) {
	tests := []struct {
		script string
		vars   []string
		want   []string
	}{
		{"release_train.star", nil, []string{"Identity Service 4.1.1: Success in Test", "Platform Ops 2026.11.0: Success in Test"}},
		{"promote_test_to_staging.star", []string{"--var", "promote=yes"}, []string{
			"Payments API 1.2.0 is in Test, not in Staging", "Checkout Web 2.2.0: Success in Staging"}},
		{"approve_pending.star", nil, []string{"approved Approve production release: Payments API in Production", "Payments API 1.2.0 to Production: Success"}},
		{"runbook_tenants.star", nil, []string{"running Rebuild search index for 3 tenants in Test", "Globex: Success"}},
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
}
