// Command octostar runs Starlark scripts that drive Octopus Deploy.
//
// This package holds flags and wiring only; the runtime lives in interp,
// the vocabulary in builtins.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/octostar/octostar/interp"
)

// Exit codes, documented in the README and `octostar help`.
const (
	exitOK          = 0   // the script succeeded
	exitFailed      = 1   // the script failed: an error, fail(), a failed Octopus task
	exitUsage       = 2   // the command was wrong: unknown flag, missing file, bad --var
	exitInterrupted = 130 // SIGINT or SIGTERM
)

// stdio is what a command reads and writes; tests pass buffers.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

type command struct {
	name    string
	summary string
	run     func(io stdio, args []string) int
}

func commands() map[string]command {
	cmds := []command{
		{"run", "run a script", runCmd},
		{"plan", "show what a script would change, changing nothing", planCmd},
		{"check", "parse and resolve scripts without running them", checkCmd},
		{"fmt", "format scripts as buildifier does", fmtCmd},
		{"repl", "explore interactively with the same builtins", replCmd},
		{"doc", "show the builtins and their documentation", docCmd},
		{"sandbox", "serve the Octopus Server simulator", sandboxCmd},
		{"version", "print the version", versionCmd},
	}
	m := map[string]command{}
	for _, c := range cmds {
		m[c.name] = c
	}
	return m
}

func main() {
	os.Exit(dispatch(stdio{os.Stdin, os.Stdout, os.Stderr}, os.Args[1:]))
}

func dispatch(io stdio, args []string) int {
	if len(args) == 0 {
		usage(io.err)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "--help":
		if len(rest) == 0 {
			usage(io.out)
			return exitOK
		}
		return dispatch(io, []string{rest[0], "--help"})
	case "--version":
		return versionCmd(io, nil)
	}
	cmd, ok := commands()[name]
	if !ok {
		fmt.Fprintf(io.err, "octostar: unknown command %q%s\n", name, suggestCommand(name))
		fmt.Fprintln(io.err, "Run 'octostar help' for the list of commands.")
		return exitUsage
	}
	return cmd.run(io, rest)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "octostar scripts Octopus Deploy: create releases, deploy, run runbooks and answer")
	fmt.Fprintln(w, "manual interventions from short Starlark scripts.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: octostar COMMAND [flags] [args]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'octostar help COMMAND' for a command's flags.")
	fmt.Fprintln(w, "Exit codes: 0 success, 1 the script failed, 2 usage error, 130 interrupted.")
}

func suggestCommand(name string) string {
	names := make([]string, 0)
	for n := range commands() {
		names = append(names, n)
	}
	if s, ok := interp.Nearest(name, names); ok {
		return fmt.Sprintf(" (did you mean %s?)", s)
	}
	return ""
}
