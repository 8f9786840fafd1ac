package main

import (
	"bufio"
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/octostar/octostar/internal/testbin"
)

// processTimeout bounds a process a test starts, so that a run that
// hangs fails its own test, with what it printed, instead of stalling
// the package until go test's timeout (whose report names the test at
// its top, which CI logs cut off).
const processTimeout = 2 * time.Minute

// testHTTP is the tests' own HTTP client: http.DefaultClient never
// gives up on a server that stops answering.
var testHTTP = &http.Client{Timeout: 30 * time.Second}

// boundedCommand is exec.Command bounded by timeout (zero: no bound of its
// own) and by the test's end. The process is killed then, and Wait
// stops waiting for its output pipes soon after, even if something the
// process started still holds them.
func boundedCommand(tb testing.TB, timeout time.Duration, name string, args ...string) *exec.Cmd {
	ctx := tb.Context()
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		tb.Cleanup(cancel)
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// octostarBinary is the command, built once per test process, for the
// tests and benchmarks that need a real process (signals, start-up).
func octostarBinary(tb testing.TB) string {
	tb.Helper()
	return testbin.Octostar(tb, false)
}

func TestSignalsInterruptTheRun(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			// It prints from inside spin, so the signal lands while spin runs.
			p := script(t, "def spin():\n    print('started')\n    for i in range(1 << 62):\n        pass\nspin()\n")
			cmd := boundedCommand(t, processTimeout, octostarBinary(t), "run", "--max-steps", "0", p)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			line, _ := bufio.NewReader(stdout).ReadString('\n')
			if line != "started\n" {
				t.Fatalf("first line %q", line)
			}
			cmd.Process.Signal(sig)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				t.Fatal("the run did not stop on the signal")
			}
			if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, exitInterrupted, stderr.String())
			}
			want := "Starlark computation cancelled: interrupted (" + sig.String() + ")"
			if !strings.Contains(stderr.String(), want) || !strings.Contains(stderr.String(), "s.star:5:5: in <toplevel>") || !strings.Contains(stderr.String(), ": in spin") {
				t.Errorf("stderr does not say where and why it stopped:\n%s", stderr.String())
			}
		})
	}
}

// BenchmarkStartup measures `octostar run` on a trivial script, from
// process start to exit.
func BenchmarkStartup(b *testing.B) {
	bin := octostarBinary(b)
	p := filepath.Join(b.TempDir(), "trivial.star")
	os.WriteFile(p, []byte("x = 1\n"), 0o644)
	b.ResetTimer()
	for b.Loop() {
		if out, err := exec.Command(bin, "run", p).CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, out)
		}
	}
}

// TestSandboxCommand starts `octostar sandbox`, reads its banner, asks
// the served API for its root and stops it with Ctrl-C.
func TestSandboxCommand(t *testing.T) {
	cmd := boundedCommand(t, processTimeout, octostarBinary(t), "sandbox", "--addr", "127.0.0.1:0", "--api-key", "API-SANDBOXTEST0000000000001")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	r := bufio.NewReader(stdout)
	var banner strings.Builder
	for !strings.Contains(banner.String(), "Ctrl-C stops it") {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("banner: %v\n%s", err, banner.String())
		}
		banner.WriteString(line)
	}
	text := banner.String()
	url := strings.TrimSpace(strings.TrimPrefix(strings.SplitN(text, "\n", 2)[0], "Octopus simulator serving at "))
	for _, want := range []string{"admin key:   API-SANDBOXTEST0000000000001", "API-DEMODEPLOYER00000000000000 (user dana)"} {
		if !strings.Contains(text, want) {
			t.Errorf("banner lacks %q:\n%s", want, text)
		}
	}
	req, _ := http.NewRequest("GET", url+"/api/spaces/all", nil)
	req.Header.Set("X-Octopus-ApiKey", "API-SANDBOXTEST0000000000001")
	resp, err := testHTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET /api/spaces/all: %s", resp.Status)
	}
	cmd.Process.Signal(syscall.SIGINT)
	if err := cmd.Wait(); err != nil {
		t.Errorf("after Ctrl-C: %v", err)
	}
}

// TestInterruptMidWaitWritesSummary presses Ctrl-C while the script
// waits on a deployment: the run exits 130 and its summary names the
// task still running.
func TestInterruptMidWaitWritesSummary(t *testing.T) {
	js := filepath.Join(t.TempDir(), "summary.json")
	p := script(t, "d = deploy('Checkout Web', to = 'Development', release = '2.2.0', wait = False)\nprint('started')\nwait(d)\n")
	// At speed 0.01 the deployment takes many minutes: it is still running.
	cmd := boundedCommand(t, processTimeout, octostarBinary(t), "run", "--sandbox", "--sandbox-speed", "0.01", "--summary-json", js, p)
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	if line, _ := bufio.NewReader(stdout).ReadString('\n'); line != "started\n" {
		cmd.Process.Kill()
		cmd.Wait() // stderr is complete only then
		t.Fatalf("first line %q; stderr:\n%s", line, stderr.String())
	}
	cmd.Process.Signal(syscall.SIGINT)
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "still running on the server: deploy Checkout Web 2.2.0 to Development (ServerTasks-") {
		t.Errorf("stderr does not name the running task:\n%s", stderr.String())
	}
	data, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, want := range []string{`"outcome": "interrupted"`, `"action": "deploy"`, `"finished": false`, `"taskId": "ServerTasks-`} {
		if !strings.Contains(text, want) {
			t.Errorf("summary lacks %s:\n%s", want, text)
		}
	}
}
