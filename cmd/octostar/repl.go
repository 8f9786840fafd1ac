package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"unicode/utf8"

	"github.com/chzyer/readline"

	"github.com/octostar/octostar/builtins"
	"github.com/octostar/octostar/interp"
)

func replCmd(io stdio, args []string) int {
	fs := newFlags(io, "repl", "",
		"Starts an interactive session with the same sandbox and builtins as run.\n"+
			"Ctrl-C cancels the running statement, Ctrl-D exits. With input from a pipe it\n"+
			"runs the statements it reads and exits 1 if any failed.")
	var (
		rt      runtimeFlags
		tf      targetFlags
		logs    logFlags
		history string
	)
	rt.register(fs)
	tf.register(fs)
	fs.StringVar(&history, "history", defaultHistoryFile(), "file that keeps the input history between sessions (empty: none)")
	logs.register(fs)
	if code, done := parseFlags(io, fs, args); done {
		return code
	}
	if fs.NArg() != 0 {
		return usageError(io, fs, "takes no arguments, got %d", fs.NArg())
	}
	vars, err := parseVars(rt.vars)
	if err != nil {
		return usageError(io, fs, "%v", err)
	}
	log, err := logs.logger(io.err)
	if err != nil {
		return usageError(io, fs, "%v", err)
	}
	env, stopTargets, err := tf.setup(io, log, os.Getenv, nil)
	if err != nil {
		return usageError(io, fs, "%v", err)
	}
	defer stopTargets()
	runtime := interp.New(interp.Options{
		Registry:  builtins.Registry(),
		Globals:   builtins.Globals(vars),
		MaxSteps:  rt.maxSteps,
		MaxMemory: uint64(rt.maxMemory),
		Stdout:    io.out,
		Locals:    env.Locals(),
	})
	session, err := runtime.NewREPL(".")
	if err != nil {
		fmt.Fprintf(io.err, "octostar repl: %v\n", err)
		return exitFailed
	}
	defer session.Close()

	// Ctrl-C while a statement runs cancels that statement only.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	interrupts := make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for {
			select {
			case sig := <-sigs:
				if sig == syscall.SIGTERM {
					cancel()
				}
				select {
				case interrupts <- struct{}{}:
				default:
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	session.Interrupts = interrupts

	var in interp.LineReader
	if f, ok := io.in.(*os.File); ok && isTerminal(f) && isTerminal(io.out) {
		rl, err := newTerminalReader(session, history)
		if err != nil {
			fmt.Fprintf(io.err, "octostar repl: %v\n", err)
			return exitFailed
		}
		defer rl.Close()
		fmt.Fprintln(io.out, "octostar repl: Ctrl-C cancels a statement, Ctrl-D exits; 'octostar doc' lists the builtins.")
		in = rl
	} else {
		in = &pipeReader{r: bufio.NewReader(io.in)}
	}
	failed := session.Run(ctx, in, io.out)
	switch {
	case ctx.Err() != nil:
		return exitInterrupted
	case failed > 0 && in != nil:
		if _, piped := in.(*pipeReader); piped {
			return exitFailed
		}
	}
	return exitOK
}

func defaultHistoryFile() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".octostar_history")
}

// pipeReader reads statements from a non-terminal input, without prompts.
type pipeReader struct{ r *bufio.Reader }

func (p *pipeReader) ReadLine(string) (string, error) {
	line, err := p.r.ReadString('\n')
	if err == io.EOF && line != "" {
		return line, nil
	}
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r"), nil
}

// terminalReader gives line editing, history and tab completion.
type terminalReader struct{ rl *readline.Instance }

func newTerminalReader(session *interp.REPL, history string) (*terminalReader, error) {
	rl, err := readline.NewEx(&readline.Config{
		Prompt:          ">>> ",
		HistoryFile:     history,
		AutoComplete:    completer{session},
		InterruptPrompt: "^C",
		EOFPrompt:       "",
	})
	if err != nil {
		return nil, err
	}
	return &terminalReader{rl}, nil
}

func (t *terminalReader) ReadLine(prompt string) (string, error) {
	t.rl.SetPrompt(prompt)
	line, err := t.rl.Readline()
	if errors.Is(err, readline.ErrInterrupt) {
		return "", interp.ErrInterrupted
	}
	return line, err
}

func (t *terminalReader) Close() error { return t.rl.Close() }

// completer adapts the session's completion to readline.
type completer struct{ session *interp.REPL }

func (c completer) Do(line []rune, pos int) ([][]rune, int) {
	prefix := string(line[:pos])
	cands, n := c.session.Complete(prefix, len(prefix))
	out := make([][]rune, len(cands))
	for i, s := range cands {
		out[i] = []rune(s[n:])
	}
	return out, utf8.RuneCountInString(prefix[len(prefix)-n:])
}
