package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/octostar/octostar/internal/testbin"
)

// TestMain runs the tests in a clean environment: a CI machine may set
// variables the commands read (a default Octopus target, a space, a
// GitHub step summary, an Octopus step's working folder), which would
// send the tests' runs elsewhere or write outside their folders. Tests
// that want one set it with t.Setenv; child processes inherit the
// cleaned environment.
func TestMain(m *testing.M) {
	for _, name := range []string{"OCTOPUS_URL", "OCTOPUS_API_KEY", "OCTOPUS_ACCESS_TOKEN", "OCTOPUS_SPACE",
		"GITHUB_STEP_SUMMARY", stepEnvVar, stepNameEnvVar, "XDG_STATE_HOME", "XDG_CONFIG_HOME"} {
		os.Unsetenv(name)
	}
	dir, err := os.MkdirTemp("", "octostar-test-home")
	if err != nil {
		panic(err)
	}
	// No targets file but the tests' own.
	os.Setenv("OCTOSTAR_TARGETS", filepath.Join(dir, "no-targets.json"))
	code := m.Run()
	os.RemoveAll(dir)
	testbin.Cleanup()
	os.Exit(code)
}

// hung names the first in-process command that did not end: it goes on
// running, so a later one would only slow down and muddle the report.
var hung atomic.Pointer[string]

// callTimeout bounds an in-process command. One that hangs fails its
// own test, with every goroutine's stack, instead of stalling the
// package until go test's timeout, whose report (the test's name at the
// top of a long dump) CI logs cut off.
const callTimeout = 2 * time.Minute

// call runs the command in-process with the given stdin.
func call(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	if h := hung.Load(); h != nil {
		t.Fatalf("not started: an earlier command, %s, did not end and may still be running", *h)
	}
	var out, errOut strings.Builder
	done := make(chan int, 1)
	go func() { done <- dispatch(stdio{in: strings.NewReader(stdin), out: &out, err: &errOut}, args) }()
	select {
	case code = <-done:
		return code, out.String(), errOut.String()
	case <-time.After(callTimeout):
		what := fmt.Sprintf("octostar %q (in %s)", args, t.Name())
		hung.CompareAndSwap(nil, &what)
		stacks := make([]byte, 1<<20)
		stacks = stacks[:runtime.Stack(stacks, true)]
		t.Fatalf("octostar %q did not end in %s; every goroutine:\n%s", args, callTimeout, stacks)
		return 0, "", ""
	}
}

func script(t *testing.T, src string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "s.star")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestExitCodesAndMessages(t *testing.T) {
	ok := script(t, "print('env is', vars['env'])\n")
	failing := script(t, "fail('no release for Production')\n")
	bad := script(t, "x = \n")
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantOut    string
		wantErrHas string
	}{
		{name: "success", args: []string{"run", "--var", "env=Test", ok}, wantCode: 0, wantOut: "env is Test\n"},
		{name: "script fails", args: []string{"run", "--var", "env=Test", failing}, wantCode: 1, wantErrHas: "Error in fail: fail: no release for Production"},
		{name: "syntax error", args: []string{"run", bad}, wantCode: 1, wantErrHas: "s.star:1:5: syntax error: got newline, want primary expression"},
		{name: "missing var is a script error", args: []string{"run", ok}, wantCode: 1, wantErrHas: `key "env" not in dict`},
		{name: "unknown flag", args: []string{"run", "--vars", "x=1", ok}, wantCode: 2, wantErrHas: "unknown flag: --vars"},
		{name: "bad var", args: []string{"run", "--var", "env", ok}, wantCode: 2, wantErrHas: `octostar run: --var "env": want NAME=VALUE`},
		{name: "duplicate var", args: []string{"run", "--var", "a=1", "--var", "a=2", ok}, wantCode: 2, wantErrHas: "--var a is given twice"},
		{name: "missing script", args: []string{"run", "nope.star"}, wantCode: 2, wantErrHas: "cannot read script nope.star: no such file or directory"},
		{name: "no script", args: []string{"run"}, wantCode: 2, wantErrHas: "want exactly one script, got 0 arguments"},
		{name: "folder as script", args: []string{"run", t.TempDir()}, wantCode: 2, wantErrHas: "is a folder; name a .star script"},
		{name: "bad timeout", args: []string{"run", "--timeout", "soon", ok}, wantCode: 2, wantErrHas: `invalid argument "soon" for "--timeout"`},
		{name: "bad log level", args: []string{"run", "--log-level", "loud", "--var", "env=x", ok}, wantCode: 2, wantErrHas: `--log-level "loud": want debug, info, warn or error`},
		{name: "bad log format", args: []string{"run", "--log-format", "xml", "--var", "env=x", ok}, wantCode: 2, wantErrHas: `--log-format "xml": want console or json`},
		{name: "unknown command", args: []string{"rnu"}, wantCode: 2, wantErrHas: `unknown command "rnu" (did you mean run?)`},
		{name: "no command", args: nil, wantCode: 2, wantErrHas: "Usage: octostar COMMAND"},
		{name: "help", args: []string{"help"}, wantCode: 0, wantOut: ""},
		{name: "command help", args: []string{"help", "run"}, wantCode: 0},
		{name: "flag help", args: []string{"run", "--help"}, wantCode: 0},
		{name: "check clean", args: []string{"check", ok}, wantCode: 0},
		{name: "check finds problems", args: []string{"check", bad}, wantCode: 1, wantErrHas: "1 error, 0 warnings"},
		{name: "check missing file", args: []string{"check", "nope.star"}, wantCode: 2, wantErrHas: "cannot read script nope.star"},
		{name: "doc one", args: []string{"doc", "duration"}, wantCode: 0},
		{name: "doc member", args: []string{"doc", "json.encode"}, wantCode: 0},
		{name: "doc unknown", args: []string{"doc", "duraton"}, wantCode: 2, wantErrHas: `no builtin named "duraton" (did you mean duration?)`},
		{name: "version", args: []string{"version"}, wantCode: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := call(t, "", tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, out, errOut)
			}
			if tt.wantOut != "" && out != tt.wantOut {
				t.Errorf("stdout %q, want %q", out, tt.wantOut)
			}
			if !strings.Contains(errOut, tt.wantErrHas) {
				t.Errorf("stderr %q does not contain %q", errOut, tt.wantErrHas)
			}
		})
	}
}

func TestHelpAndDocOutput(t *testing.T) {
	_, out, _ := call(t, "", "help")
	for _, cmd := range []string{"run", "check", "repl", "doc", "version"} {
		if !strings.Contains(out, "  "+cmd+" ") {
			t.Errorf("help does not list %s:\n%s", cmd, out)
		}
	}
	_, out, _ = call(t, "", "run", "--help")
	for _, flag := range []string{"--var", "--max-steps", "--timeout", "--log-level", "--log-format"} {
		if !strings.Contains(out, flag) {
			t.Errorf("run --help does not mention %s", flag)
		}
	}
	_, out, _ = call(t, "", "doc", "duration")
	if !strings.HasPrefix(out, "duration(value) -> duration\n") {
		t.Errorf("doc duration:\n%s", out)
	}
	_, out, _ = call(t, "", "doc")
	if !strings.Contains(out, "Language helpers\n================") || !strings.Contains(out, "json.encode(x) -> str") {
		t.Errorf("doc lists:\n%s", out)
	}
	_, out, _ = call(t, "", "version")
	if !strings.HasPrefix(out, "octostar ") || !strings.Contains(out, "commit ") {
		t.Errorf("version: %q", out)
	}
}

func TestCheckPrintsEveryFinding(t *testing.T) {
	p := script(t, "x = duraton('1s')\ny = lenn([])\n")
	code, out, _ := call(t, "", "check", p)
	want := p + ":1:5: undefined: duraton (did you mean duration?)\n" + p + ":2:5: undefined: lenn (did you mean len?)\n"
	if code != 1 || out != want {
		t.Errorf("code %d, out:\n%s\nwant:\n%s", code, out, want)
	}
}

func TestREPLFromPipe(t *testing.T) {
	code, out, _ := call(t, "x = 20\nx + 22\nprint('hi')\n", "repl", "--history", "")
	if code != 0 || out != "42\nhi\n" {
		t.Errorf("code %d out %q", code, out)
	}
	code, out, _ = call(t, "1/0\n'went on'\n", "repl", "--history", "")
	if code != 1 || !strings.Contains(out, "Error: floating-point division by zero") || !strings.HasSuffix(out, "\"went on\"\n") {
		t.Errorf("a failing statement from a pipe: code %d out %q", code, out)
	}
}

func TestRunTimeout(t *testing.T) {
	p := script(t, "def spin():\n    for i in range(1 << 62):\n        pass\nspin()\n")
	code, _, errOut := call(t, "", "run", "--max-steps", "0", "--timeout", "100ms", p)
	if code != 1 || !strings.Contains(errOut, "Starlark computation cancelled: the run timed out after 100ms (raise it with --timeout)") ||
		!strings.Contains(errOut, "s.star:2:5: in spin") {
		t.Errorf("code %d stderr:\n%s", code, errOut)
	}
}
