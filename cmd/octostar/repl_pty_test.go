//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// These tests drive the real binary through a pseudo-terminal, as a
// person would: completion, raw-mode questions and Ctrl-C only happen
// on a terminal, never with a pipe.

// screenTimeout is generous: the race detector, a loaded CI machine and
// the simulator's tasks all slow the session down.
const screenTimeout = 60 * time.Second

// terminal is a running session on a pseudo-terminal and everything it
// has printed.
type terminal struct {
	t    *testing.T
	pty  *os.File
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited

	mu     sync.Mutex
	out    bytes.Buffer
	next   int           // expect looks at out[next:]
	change chan struct{} // signalled on new output
}

func startTerminal(t *testing.T, env []string, args ...string) *terminal {
	t.Helper()
	cmd := boundedCommand(t, processTimeout, octostarBinary(t), args...)
	cmd.Env = env
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 60, Cols: 250})
	if err != nil {
		t.Fatalf("starting octostar on a pseudo-terminal: %v", err)
	}
	term := &terminal{t: t, pty: f, cmd: cmd, done: make(chan struct{}), change: make(chan struct{}, 1)}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			term.mu.Lock()
			term.out.Write(buf[:n])
			term.mu.Unlock()
			select {
			case term.change <- struct{}{}:
			default:
			}
			if err != nil {
				return // EIO once the process is gone
			}
		}
	}()
	go func() { cmd.Wait(); close(term.done) }()
	t.Cleanup(func() {
		select {
		case <-term.done:
		default:
			cmd.Process.Kill()
			<-term.done
		}
		f.Close()
	})
	return term
}

// escapes are the terminal control sequences readline draws with.
var escapes = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|\r`)

// screen is the output so far without control sequences, for messages.
func (term *terminal) screen() string {
	term.mu.Lock()
	defer term.mu.Unlock()
	return escapes.ReplaceAllString(term.out.String(), "")
}

// expect waits until want appears in what was printed since the last
// expectation, then moves past it.
func (term *terminal) expect(want string) {
	term.t.Helper()
	deadline := time.After(screenTimeout)
	for {
		term.mu.Lock()
		plain := escapes.ReplaceAllString(term.out.String()[term.next:], "")
		raw := term.out.String()[term.next:]
		term.mu.Unlock()
		if i := strings.Index(plain, want); i >= 0 {
			// Move past the match in the raw output: find where the
			// plain prefix that includes want ends.
			term.mu.Lock()
			term.next += rawOffset(raw, i+len(want))
			term.mu.Unlock()
			return
		}
		select {
		case <-term.change:
		case <-term.done:
			// One last look: the final output may have come with the exit.
			term.mu.Lock()
			plain = escapes.ReplaceAllString(term.out.String()[term.next:], "")
			term.mu.Unlock()
			if strings.Contains(plain, want) {
				continue
			}
			term.t.Fatalf("octostar exited (%v) before printing %q; screen so far:\n%s", term.cmd.ProcessState, want, term.screen())
		case <-deadline:
			term.t.Fatalf("waited %s for %q; screen so far:\n%s", screenTimeout, want, term.screen())
		}
	}
}

// rawOffset maps an offset in the plain text back to the raw output.
func rawOffset(raw string, plainEnd int) int {
	plain := 0
	for i := 0; i < len(raw); {
		if plain >= plainEnd {
			return i
		}
		if loc := escapes.FindStringIndex(raw[i:]); loc != nil && loc[0] == 0 {
			i += loc[1]
			continue
		}
		i++
		plain++
	}
	return len(raw)
}

// prompt waits for an empty prompt, drawn after what was last typed
// and not followed by anything for a moment. Readline redraws the
// prompt with every key it echoes, so seeing ">>> " alone proves
// nothing; the keys typed next must reach it in raw mode, or Ctrl-D
// and Ctrl-C would go to the terminal driver instead.
func (term *terminal) prompt() {
	term.t.Helper()
	const settle = 150 * time.Millisecond
	deadline := time.After(screenTimeout)
	for {
		term.mu.Lock()
		tail := strings.TrimRight(escapes.ReplaceAllString(term.out.String()[term.next:], ""), " \b")
		term.mu.Unlock()
		if strings.HasSuffix(tail, ">>>") {
			select {
			case <-term.change: // more came: look again
				continue
			case <-time.After(settle):
				return
			case <-deadline:
				term.t.Fatalf("waited %s for the prompt to settle; screen so far:\n%s", screenTimeout, term.screen())
			}
		}
		select {
		case <-term.change:
		case <-term.done:
			term.t.Fatalf("octostar exited (%v) instead of prompting; screen so far:\n%s", term.cmd.ProcessState, term.screen())
		case <-deadline:
			term.t.Fatalf("waited %s for the prompt; screen so far:\n%s", screenTimeout, term.screen())
		}
	}
}

// send types keys. What was printed before is consumed: expectations
// look only at what comes after.
func (term *terminal) send(keys string) {
	term.t.Helper()
	term.mu.Lock()
	term.next = term.out.Len()
	term.mu.Unlock()
	if _, err := term.pty.Write([]byte(keys)); err != nil {
		term.t.Fatalf("typing %q: %v; screen so far:\n%s", keys, err, term.screen())
	}
}

// wait waits for the process to exit and returns its exit code.
func (term *terminal) wait() int {
	term.t.Helper()
	select {
	case <-term.done:
		return term.cmd.ProcessState.ExitCode()
	case <-time.After(screenTimeout):
		term.t.Fatalf("octostar did not exit; screen so far:\n%s", term.screen())
		return -1
	}
}

// sessionEnv is a clean environment: no Octopus variables, and config
// and state folders of the test's own.
func sessionEnv(t *testing.T) (env []string, stateDir string) {
	home := t.TempDir()
	stateDir = filepath.Join(home, "state")
	env = []string{"HOME=" + home, "XDG_STATE_HOME=" + stateDir, "XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"TERM=xterm", "PATH=" + os.Getenv("PATH")}
	return env, stateDir
}

func TestREPLOnTerminal(t *testing.T) {
	env, stateDir := sessionEnv(t)
	term := startTerminal(t, env, "repl", "--sandbox", "--sandbox-speed", "200", "--log-level", "warn")
	term.expect("help() lists the builtins")
	term.prompt()

	// A project name completes inside the string, closing it.
	term.send(`releases("Paym` + "\t")
	term.expect(`releases("Payments API"`)
	term.send(")\r")
	for _, want := range []string{"project       version  channel  id", "Payments API  1.2.0    Default", "Payments API  1.0.0", "(3 releases)"} {
		term.expect(want)
	}
	term.prompt()

	// So does an environment, as the second positional argument.
	term.send(`current("Payments API", "Stag` + "\t")
	term.expect(`current("Payments API", "Staging"`)
	term.send(")\r")
	term.expect(`Release(project="Payments API", version="1.1.0"`)
	term.prompt()

	term.send("help(deploy)\r")
	term.expect("deploy(project, to, *, release=None")
	term.expect("[changes the server]")
	term.expect("Deploys a release, as the DEPLOY button does.")
	term.prompt()

	// No sends nothing: Staging keeps 1.1.0.
	term.send(`deploy("Payments API", to="Staging")` + "\r")
	term.expect("deploy Payments API 1.2.0 to Staging? [y/N] ")
	term.send("n\r")
	term.expect("declined at the prompt: nothing was sent")
	term.prompt()
	term.send(`current("Payments API", "Staging").version` + "\r")
	term.expect(`"1.1.0"`)
	term.prompt()

	// Ctrl-C at the question is a no too, and the session goes on.
	term.send(`deploy("Payments API", to="Staging")` + "\r")
	term.expect("deploy Payments API 1.2.0 to Staging? [y/N] ")
	term.send("\x03")
	term.expect("declined at the prompt: nothing was sent")
	term.prompt()

	// Yes deploys.
	term.send(`deploy("Payments API", to="Staging")` + "\r")
	term.expect("deploy Payments API 1.2.0 to Staging? [y/N] ")
	term.send("y\r")
	term.expect(`Deployment(project="Payments API", version="1.2.0", environment="Staging", state="Success")`)
	term.prompt()
	term.send(`current("Payments API", "Staging").version` + "\r")
	term.expect(`"1.2.0"`)
	term.prompt()

	term.send("\x04") // Ctrl-D
	if code := term.wait(); code != exitOK {
		t.Fatalf("exit code %d after Ctrl-D; screen:\n%s", code, term.screen())
	}

	history, err := os.ReadFile(filepath.Join(stateDir, "octostar", "repl_history"))
	if err != nil {
		t.Fatalf("no history file in the state folder: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(history)), "\n")
	for _, want := range []string{`releases("Payments API")`, "help(deploy)", `deploy("Payments API", to="Staging")`} {
		if !strings.Contains(string(history), want+"\n") {
			t.Errorf("history lacks %q:\n%s", want, history)
		}
	}
	for _, l := range lines {
		if l == "y" || l == "n" {
			t.Errorf("history keeps an answer to a question (%q):\n%s", l, history)
		}
	}
}

// TestREPLOnTerminalWithYes: --yes sends at once, without a question.
func TestREPLOnTerminalWithYes(t *testing.T) {
	env, _ := sessionEnv(t)
	term := startTerminal(t, env, "repl", "--sandbox", "--sandbox-speed", "200", "--log-level", "warn", "--yes", "--history", "")
	term.expect("--yes: calls that change the server do not ask")
	term.prompt()
	term.send(`d = deploy("Checkout Web", to="Staging", wait=False)` + "\r")
	term.prompt()
	term.send("d.project\r")
	term.expect(`"Checkout Web"`)
	term.prompt()
	if s := term.screen(); strings.Contains(s, "[y/N]") {
		t.Errorf("--yes still asked:\n%s", s)
	}
	term.send("\x04")
	if code := term.wait(); code != exitOK {
		t.Fatalf("exit code %d after Ctrl-D; screen:\n%s", code, term.screen())
	}
}
