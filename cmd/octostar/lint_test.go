package main

import (
	"strings"
	"testing"
)

// TestCheckLintWarnings covers each lint rule: what it reports, where,
// the fix it proposes, and that warnings fail only with --strict.
func TestCheckLintWarnings(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string // lines of stdout, after the script path
	}{
		{
			name: "ignored run without a final wait",
			src:  "deploy(\"Web\", to = \"Test\", wait = False)\n",
			want: []string{":1:7: warning OS101 (ignored-run): the result of deploy(..., wait = False) is dropped and the script never calls wait(): nothing waits for this run or notices if it fails",
				"    fix: keep it (r = deploy(...)) and pass it to wait(r), or end the script with wait()"},
		},
		{
			name: "ignored run with a final wait() is fine",
			src:  "run_runbook(\"Ops\", \"Restart\", \"Production\", wait = False)\nwait(timeout = \"10m\")\n",
		},
		{
			name: "kept result is fine",
			src:  "d = deploy(\"Web\", to = \"Test\", wait = False)\nwait(d)\n",
		},
		{
			name: "a timeout that does not parse",
			src:  "d = deploy(\"Web\", to = \"Test\", timeout = \"30 minutes\")\nwait(d, timeout = \"-5m\")\n",
			want: []string{":1:42: warning OS103 (bad-value): deploy: for parameter timeout: \"30 minutes\" is not a duration; write it like \"90s\", \"30m\" or \"1h30m\"",
				"    fix: correct the value; the run would stop at this call",
				":2:19: warning OS103 (bad-value): wait: for parameter timeout: got -5m0s, want a positive duration such as \"30m\"",
				"    fix: correct the value; the run would stop at this call"},
		},
		{
			name: "wait's positional arguments are runs, not its timeout",
			src:  "d = deploy(\"Web\", to = \"Test\", wait = False)\ne = deploy(\"Web\", to = \"Prod\", wait = False)\nwait([d, e], 0)\n",
		},
		{
			name: "an unknown keyword is an error with a fix",
			src:  "deploy(\"Web\", to = \"Test\", relase = \"1.0\")\n",
			want: []string{":1:28: error OS102 (unknown-keyword): deploy: unknown keyword argument \"relase\" (did you mean release?)",
				"    fix: write release = ... instead of relase = ..."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := script(t, tt.src)
			code, out, _ := call(t, "", "check", path)
			var want []string
			for _, w := range tt.want {
				if strings.HasPrefix(w, ":") {
					w = path + w
				}
				want = append(want, w)
			}
			got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if out == "" {
				got = nil
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			isError := strings.Contains(out, ": error ")
			if wantCode := map[bool]int{true: exitFailed, false: exitOK}[isError]; code != wantCode {
				t.Errorf("exit %d, want %d", code, wantCode)
			}
			if strictCode, _, _ := call(t, "", "check", "--strict", path); len(want) > 0 && strictCode != exitFailed {
				t.Errorf("--strict exit %d on findings, want 1", strictCode)
			}
		})
	}
}
