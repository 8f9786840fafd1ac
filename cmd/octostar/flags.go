package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/pflag"

	"github.com/octostar/octostar/interp"
)

// newFlags makes a subcommand's flag set. Errors are returned, not
// printed and exited on, so that every command maps them to exit 2.
func newFlags(io stdio, name, args, about string) *pflag.FlagSet {
	fs := pflag.NewFlagSet("octostar "+name, pflag.ContinueOnError)
	fs.SetOutput(io.err)
	fs.SortFlags = false
	fs.Usage = func() {
		fmt.Fprintf(io.out, "Usage: octostar %s [flags] %s\n\n%s\n\nFlags:\n%s", name, args, about, fs.FlagUsages())
	}
	return fs
}

// parseFlags parses args and reports how the command should end: done is
// true when it should stop with code (help printed, or a usage error).
func parseFlags(io stdio, fs *pflag.FlagSet, args []string) (code int, done bool) {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, pflag.ErrHelp):
		return exitOK, true
	case err != nil:
		return usageError(io, fs, "%v", err), true
	}
	return 0, false
}

func usageError(io stdio, fs *pflag.FlagSet, format string, args ...any) int {
	fmt.Fprintf(io.err, "%s: %s\n", fs.Name(), fmt.Sprintf(format, args...))
	fmt.Fprintf(io.err, "Run '%s --help' for usage.\n", fs.Name())
	return exitUsage
}

// logFlags are shared by every command that runs Starlark.
type logFlags struct {
	level  string
	format string
}

func (l *logFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&l.level, "log-level", "info", "log level: debug, info, warn or error")
	fs.StringVar(&l.format, "log-format", "console", "log format on stderr: console or json")
}

// logger builds the zerolog logger that writes to stderr. print() output
// goes to stdout and never through it.
func (l *logFlags) logger(w io.Writer) (zerolog.Logger, error) {
	level, err := zerolog.ParseLevel(strings.ToLower(l.level))
	if err != nil || l.level == "" || level == zerolog.NoLevel {
		return zerolog.Nop(), fmt.Errorf("--log-level %q: want debug, info, warn or error", l.level)
	}
	var out io.Writer
	switch l.format {
	case "json":
		out = w
	case "console":
		out = zerolog.ConsoleWriter{Out: w, NoColor: !isTerminal(w), TimeFormat: time.TimeOnly}
	default:
		return zerolog.Nop(), fmt.Errorf("--log-format %q: want console or json", l.format)
	}
	return zerolog.New(out).Level(level).With().Timestamp().Logger(), nil
}

// runtimeFlags configure the sandbox for run and repl.
type runtimeFlags struct {
	vars      []string
	maxSteps  uint64
	maxMemory byteSize
}

func (r *runtimeFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&r.vars, "var", nil, "set vars[NAME] to VALUE for the script (NAME=VALUE, repeatable)")
	fs.Uint64Var(&r.maxSteps, "max-steps", interp.DefaultMaxSteps, "cap on Starlark execution steps (0 means unlimited)")
	r.maxMemory = interp.DefaultMaxMemory
	fs.Var(&r.maxMemory, "max-memory", "stop the script when octostar's heap passes this size, e.g. 512MiB (0 means unlimited)")
}

// byteSize is a flag holding a size such as 512MiB.
type byteSize uint64

func (b *byteSize) String() string { return interp.FormatBytes(uint64(*b)) }
func (b *byteSize) Type() string   { return "size" }
func (b *byteSize) Set(s string) error {
	n, err := interp.ParseBytes(s)
	if err != nil {
		return err
	}
	*b = byteSize(n)
	return nil
}

// parseVars checks --var NAME=VALUE pairs.
func parseVars(pairs []string) (map[string]string, error) {
	vars := map[string]string{}
	for _, p := range pairs {
		name, value, ok := strings.Cut(p, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("--var %q: want NAME=VALUE", p)
		}
		if _, dup := vars[name]; dup {
			return nil, fmt.Errorf("--var %s is given twice", name)
		}
		vars[name] = value
	}
	return vars, nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// scriptArg checks that a script argument names a readable file.
func scriptArg(path string) error {
	st, err := os.Stat(path)
	switch {
	case err != nil:
		var pe *os.PathError
		if errors.As(err, &pe) {
			return fmt.Errorf("cannot read script %s: %v", path, pe.Err)
		}
		return fmt.Errorf("cannot read script %s: %v", path, err)
	case st.IsDir():
		return fmt.Errorf("%s is a folder; name a .star script", path)
	}
	return nil
}
