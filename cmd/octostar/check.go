package main

import (
	"fmt"

	"github.com/octostar/octostar/builtins"
	"github.com/octostar/octostar/interp"
)

func checkCmd(io stdio, args []string) int {
	fs := newFlags(io, "check", "SCRIPT.star...",
		"Parses and resolves scripts, and the modules they load, without running them.\n"+
			"Reports every problem as file:line:col: message and exits 1 if there is an error.\n"+
			"Lint warnings (legal but likely wrong) carry an ID and a one-line fix; --strict fails on them too.")
	strict := fs.Bool("strict", false, "exit 1 on warnings as well as errors")
	if code, done := parseFlags(io, fs, args); done {
		return code
	}
	if fs.NArg() == 0 {
		return usageError(io, fs, "name at least one script")
	}
	for _, p := range fs.Args() {
		if err := scriptArg(p); err != nil {
			return usageError(io, fs, "%v", err)
		}
	}
	runtime := interp.New(interp.Options{Registry: builtins.Registry(), Globals: builtins.Globals(nil)})
	findings := runtime.Check(fs.Args()...)
	errs, warnings := 0, 0
	for _, f := range findings {
		fmt.Fprintln(io.out, f)
		if f.Warning {
			warnings++
		} else {
			errs++
		}
	}
	if len(findings) > 0 {
		fmt.Fprintf(io.err, "%d error%s, %d warning%s\n", errs, plural(errs), warnings, plural(warnings))
	}
	if errs > 0 || (*strict && warnings > 0) {
		return exitFailed
	}
	return exitOK
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
