package main

import (
	"fmt"

	"github.com/octostar/octostar/builtins"
	"github.com/octostar/octostar/interp"
)

func docCmd(io stdio, args []string) int {
	fs := newFlags(io, "doc", "[NAME]",
		"Prints every builtin's signature and documentation, or one builtin's.\n"+
			"Builtins that change the Octopus server are marked.")
	markdown := fs.Bool("markdown", false, "print docs/builtins.md instead (used by make docs)")
	if code, done := parseFlags(io, fs, args); done {
		return code
	}
	reg := builtins.Registry()
	switch {
	case fs.NArg() > 1:
		return usageError(io, fs, "want at most one name, got %d", fs.NArg())
	case *markdown && fs.NArg() > 0:
		return usageError(io, fs, "--markdown prints every builtin; give no name")
	case *markdown:
		fmt.Fprint(io.out, reg.Markdown())
	case fs.NArg() == 0:
		fmt.Fprint(io.out, reg.Text())
	default:
		spec, ok := lookupDoc(reg, fs.Arg(0))
		if !ok {
			fmt.Fprintf(io.err, "octostar doc: no builtin named %q%s\n", fs.Arg(0), nearestName(reg, fs.Arg(0)))
			return exitUsage
		}
		fmt.Fprint(io.out, spec.Text())
	}
	return exitOK
}

// lookupDoc finds a builtin or a module member such as json.encode.
func lookupDoc(reg *interp.Registry, name string) (*interp.Spec, bool) { return reg.Doc(name) }

func nearestName(reg *interp.Registry, name string) string {
	if s, ok := interp.Nearest(name, reg.Names()); ok {
		return fmt.Sprintf(" (did you mean %s?)", s)
	}
	return ""
}
