//go:build unix

package main

import (
	"bytes"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// TestLiveTableOnATerminal runs the release train with stdout and stderr
// on a pseudo-terminal: the progress is a table redrawn in place, and
// what the script prints and the finished runs stay on the screen.
func TestLiveTableOnATerminal(t *testing.T) {
	cmd := boundedCommand(t, processTimeout, octostarBinary(t), "run", "--sandbox", "--sandbox-speed", "50", "--log-level", "warn",
		"../../scripts/examples/release_train.star")
	cmd.Env = append(os.Environ(), "TERM=xterm", "NO_COLOR=1")
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 30, Cols: 100})
	if err != nil {
		t.Fatalf("starting octostar on a pseudo-terminal: %v", err)
	}
	defer f.Close()
	var raw bytes.Buffer
	copied := make(chan struct{})
	go func() { io.Copy(&raw, f); close(copied) }() // ends with EIO when the process exits
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		if err != nil {
			<-copied
			t.Fatalf("exit: %v\n%s", err, raw.String())
		}
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		<-copied // raw is complete, and no longer written, only then
		t.Fatalf("the run did not end:\n%s", raw.String())
	}
	<-copied
	out := raw.String()
	if !regexp.MustCompile(`\x1b\[\d+A`).MatchString(out) {
		t.Errorf("no cursor movement: the table was not redrawn in place:\n%q", out)
	}
	screen := emulate(out)
	for _, want := range []string{
		"Identity Service 4.1.1: Success in Test", // print() output survives the redraws
		"Platform Ops " + monthlyVersion() + ": Success in Test",
		"Notification Service 1.0.2 to Development: Success after", // each finished run, once
		"8 runs: 8 success", // the final total line
	} {
		if strings.Count(screen, want) != 1 {
			t.Errorf("the screen shows %q %d times, want once:\n%s", want, strings.Count(screen, want), screen)
		}
	}
}

// emulate applies what the table uses (\r, \n, cursor up, erase to the
// end of the screen or line) to a screen of lines and returns the text
// a person would see at the end.
func emulate(s string) string {
	lines := []string{""}
	row, col := 0, 0
	esc := regexp.MustCompile(`^\x1b\[(\d*)([A-Za-z])`)
	for i := 0; i < len(s); {
		if m := esc.FindStringSubmatch(s[i:]); m != nil {
			n, _ := strconv.Atoi(m[1])
			switch m[2] {
			case "A":
				row = max(0, row-max(n, 1))
			case "J":
				lines = lines[:row+1]
				lines[row] = cut(lines[row], col)
			case "K":
				lines[row] = cut(lines[row], col)
			}
			i += len(m[0])
			continue
		}
		switch c := s[i]; c {
		case '\r':
			col = 0
		case '\n':
			row, col = row+1, 0
			if row == len(lines) {
				lines = append(lines, "")
			}
		default:
			l := []byte(cut(lines[row], col))
			for len(l) < col {
				l = append(l, ' ')
			}
			rest := ""
			if len(lines[row]) > col+1 {
				rest = lines[row][col+1:]
			}
			lines[row] = string(append(l, c)) + rest
			col++
		}
		i++
	}
	return strings.Join(lines, "\n")
}

func cut(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
