package interp

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

// scriptedInput feeds lines to the REPL; an item equal to ctrlC stands
// for Ctrl-C pressed at the prompt.
type scriptedInput struct {
	lines   []string
	prompts []string
}

const ctrlC = "\x03"

func (s *scriptedInput) ReadLine(prompt string) (string, error) {
	s.prompts = append(s.prompts, prompt)
	if len(s.lines) == 0 {
		return "", io.EOF
	}
	line := s.lines[0]
	s.lines = s.lines[1:]
	if line == ctrlC {
		return "", ErrInterrupted
	}
	return line, nil
}

func newTestREPL(t *testing.T, reg *Registry) (*REPL, *strings.Builder) {
	t.Helper()
	var out strings.Builder
	rt := New(Options{Registry: reg, Stdout: &out, MaxSteps: 100_000})
	s, err := rt.NewREPL(writeFiles(t, map[string]string{"lib/x.star": "x = 42\n"}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, &out
}

func TestREPLSession(t *testing.T) {
	s, out := newTestREPL(t, testRegistry())
	in := &scriptedInput{lines: []string{
		"x = 1",
		"x + 1",
		"def double(n):",
		"    return n * 2",
		"",
		"double(21)",
		"_ + 1",
		"print('printed')",
		"deploy('Web', to = 'Test')",
		"depoy",
		"load('lib/x.star', 'x')", // a new chunk may shadow an earlier global
		"x",
		"deploy = 1",
		"None",
		"1 +",
		ctrlC,
		"'after ctrl-c'",
		"def unfinished():", // EOF in the middle of a statement drops it
	}}
	failed := s.Run(t.Context(), in, out)
	want := strings.Join([]string{
		"2",
		"42",
		"43",
		"printed",
		`"Web->Test"`,
		"<repl>:1:1: undefined: depoy (did you mean deploy?)",
		"42",
		"<repl>:1:1: cannot redefine the builtin deploy",
		"<repl>:1:4: syntax error: got newline, want primary expression",
		`"after ctrl-c"`,
		"",
	}, "\n")
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}
	if failed != 3 {
		t.Errorf("failed = %d, want 3", failed)
	}
	if !slices.Contains(in.prompts, "... ") {
		t.Errorf("no continuation prompt was shown: %q", in.prompts)
	}
}

func TestREPLInterruptCancelsRunningStatement(t *testing.T) {
	s, out := newTestREPL(t, testRegistry(blockSpec))
	interrupts := make(chan struct{}, 1)
	s.Interrupts = interrupts
	time.AfterFunc(50*time.Millisecond, func() { interrupts <- struct{}{} })
	in := &scriptedInput{lines: []string{"block()", "'still here'"}}
	start := time.Now()
	s.Run(context.Background(), in, out)
	if time.Since(start) > 10*time.Second {
		t.Fatal("the interrupt did not reach the blocked builtin")
	}
	want := "Traceback (most recent call last):\n  <repl>:1:6: in <expr>\nError in block: interrupted\n\"still here\"\n"
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}
}
