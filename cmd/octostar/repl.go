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
	goruntime "runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/chzyer/readline"

	"github.com/octostar/octostar/builtins"
	"github.com/octostar/octostar/internal/confirm"
	"github.com/octostar/octostar/internal/octopus"
	"github.com/octostar/octostar/interp"
)

// nameReadTimeout bounds the one read of project or environment names
// that completion makes: a slow server costs one short pause at the
// first TAB, never a hung prompt.
const nameReadTimeout = 3 * time.Second

func replCmd(io stdio, args []string) int {
	fs := newFlags(io, "repl", "",
		"Starts an interactive session with the same sandbox and builtins as run.\n"+
			"TAB completes builtins, keyword arguments and, inside a string argument, the\n"+
			"target's project and environment names. help() lists the builtins, help(deploy)\n"+
			"shows one. Lists of results print as tables. Every call that would change the\n"+
			"server asks first unless --yes is given. Ctrl-C cancels the running statement,\n"+
			"Ctrl-D exits. With input from a pipe it runs the statements it reads (answers\n"+
			"to the questions are read from the pipe too) and exits 1 if any failed.")
	var (
		rt      runtimeFlags
		tf      targetFlags
		logs    logFlags
		history string
		yes     bool
	)
	rt.register(fs)
	fs.StringVar(&tf.target, "target", "", "explore this target of the targets file: it becomes the default target")
	tf.register(fs)
	fs.BoolVar(&yes, "yes", false, "do not ask before calls that change the server (create_release, deploy, run_runbook, intervene, cancelling)")
	fs.StringVar(&history, "history", defaultHistoryFile(os.Getenv), "file that keeps the input history between sessions (empty: none)")
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
	// The questions are put through the session's line reader, which
	// exists only once the session does; the wrapper asks it late.
	asker := &prompter{out: io.out}
	var wrap func(octopus.Octopus) octopus.Octopus
	if !yes {
		wrap = func(o octopus.Octopus) octopus.Octopus { return confirm.Wrap(o, asker.ask) }
	}
	env, stopTargets, err := tf.setup(io, log, os.Getenv, wrap)
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
	session.Display = builtins.Display
	session.ArgNames = builtins.NewNameSource(env, nameReadTimeout).ArgNames

	// Ctrl-C while a statement runs cancels that statement only.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	interrupts := make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env.Context = ctx // reads that outlive a statement end with the session
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

	var in replReader
	if f, ok := io.in.(*os.File); ok && isTerminal(f) && isTerminal(io.out) {
		if history != "" {
			if err := os.MkdirAll(filepath.Dir(history), 0o700); err != nil {
				fmt.Fprintf(io.err, "octostar repl: no history this session: %v\n", err)
				history = ""
			}
		}
		rl, err := newTerminalReader(session, history)
		if err != nil {
			fmt.Fprintf(io.err, "octostar repl: %v\n", err)
			return exitFailed
		}
		defer rl.Close()
		ask := "calls that change the server ask first"
		if yes {
			ask = "--yes: calls that change the server do not ask"
		}
		fmt.Fprintf(io.out, "octostar repl: help() lists the builtins, TAB completes; %s. Ctrl-C cancels a statement, Ctrl-D exits.\n", ask)
		in = rl
	} else {
		in = &pipeReader{r: bufio.NewReader(io.in), out: io.out}
	}
	asker.set(in)
	failed := session.Run(ctx, in, io.out)
	switch {
	case ctx.Err() != nil:
		return exitInterrupted
	case failed > 0:
		if _, piped := in.(*pipeReader); piped {
			return exitFailed
		}
	}
	return exitOK
}

// defaultHistoryFile is octostar/repl_history in the user's state
// folder ($XDG_STATE_HOME, else ~/.local/state), where the XDG layout
// keeps history. macOS and Windows have no state folder: there it goes
// beside targets.json in the configuration folder.
func defaultHistoryFile(getenv func(string) string) string {
	if dir := getenv("XDG_STATE_HOME"); filepath.IsAbs(dir) {
		return filepath.Join(dir, "octostar", "repl_history")
	}
	if goruntime.GOOS != "darwin" && goruntime.GOOS != "windows" {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, ".local", "state", "octostar", "repl_history")
		}
	}
	if dir, err := os.UserConfigDir(); err == nil {
		return filepath.Join(dir, "octostar", "repl_history")
	}
	return ""
}

// replReader reads statements, and answers to the confirmation
// questions, from the same input.
type replReader interface {
	interp.LineReader
	// Confirm reads one answer: no completion, no history.
	Confirm(prompt string) (string, error)
}

// prompter asks the confirmation questions through the session's reader.
type prompter struct {
	out io.Writer
	mu  sync.Mutex
	in  replReader
}

func (p *prompter) set(in replReader) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.in = in
}

// ask is yes only for y or yes. An empty answer, Ctrl-C, Ctrl-D and the
// end of a pipe are no; anything else is asked again, a few times.
func (p *prompter) ask(_ context.Context, question string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.in == nil {
		return false
	}
	for range 3 {
		answer, err := p.in.Confirm(question + " [y/N] ")
		if err != nil {
			return false
		}
		switch strings.ToLower(strings.TrimSpace(answer)) {
		case "y", "yes":
			return true
		case "", "n", "no":
			return false
		}
		fmt.Fprintln(p.out, "Please answer y or n.")
	}
	return false
}

// pipeReader reads statements from a non-terminal input, without
// prompts; questions are written to out with the answer read after them.
type pipeReader struct {
	r   *bufio.Reader
	out io.Writer
}

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

// Confirm shows the question and reads the answer, echoing it so that
// a transcript shows what was answered.
func (p *pipeReader) Confirm(prompt string) (string, error) {
	fmt.Fprint(p.out, prompt)
	answer, err := p.ReadLine(prompt)
	fmt.Fprintln(p.out, answer)
	return answer, err
}

// terminalReader gives line editing, history and tab completion.
type terminalReader struct {
	rl *readline.Instance
	// asking turns completion off while a question waits for y or n.
	asking *atomic.Bool
}

func newTerminalReader(session *interp.REPL, history string) (*terminalReader, error) {
	asking := new(atomic.Bool)
	rl, err := readline.NewEx(&readline.Config{
		Prompt:      ">>> ",
		HistoryFile: history,
		// Statements are saved by ReadLine; answers to questions never.
		DisableAutoSaveHistory: true,
		AutoComplete:           completer{session, asking},
		InterruptPrompt:        "^C",
		EOFPrompt:              "",
	})
	if err != nil {
		return nil, err
	}
	return &terminalReader{rl, asking}, nil
}

func (t *terminalReader) ReadLine(prompt string) (string, error) {
	t.rl.SetPrompt(prompt)
	line, err := t.rl.Readline()
	if errors.Is(err, readline.ErrInterrupt) {
		return "", interp.ErrInterrupted
	}
	if err == nil && strings.TrimSpace(line) != "" {
		_ = t.rl.SaveHistory(line) // a history that cannot be written is not worth stopping for
	}
	return line, err
}

// Confirm reads one answer in raw mode, so Ctrl-C comes back as an
// error (a no) instead of a signal that would cancel the statement.
func (t *terminalReader) Confirm(prompt string) (string, error) {
	t.asking.Store(true)
	defer t.asking.Store(false)
	t.rl.SetPrompt(prompt)
	return t.rl.Readline()
}

func (t *terminalReader) Close() error { return t.rl.Close() }

// completer adapts the session's completion to readline.
type completer struct {
	session *interp.REPL
	off     *atomic.Bool
}

func (c completer) Do(line []rune, pos int) ([][]rune, int) {
	if c.off.Load() {
		return nil, 0
	}
	prefix := string(line[:pos])
	cands, n := c.session.Complete(prefix, len(prefix))
	out := make([][]rune, len(cands))
	for i, s := range cands {
		out[i] = []rune(s[n:])
	}
	return out, utf8.RuneCountInString(prefix[len(prefix)-n:])
}
