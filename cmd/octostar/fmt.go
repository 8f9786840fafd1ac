package main

import (
	"fmt"

	"github.com/octostar/octostar/internal/starfmt"
)

func fmtCmd(io stdio, args []string) int {
	fs := newFlags(io, "fmt", "FILE_OR_FOLDER...",
		"Formats scripts as buildifier does (the standard Starlark formatter), in place.\n"+
			"Folders are searched for .star files. Prints the files it changed; with --check it\n"+
			"changes nothing, prints the files that need formatting and exits 1 if there is any.")
	check := fs.Bool("check", false, "only report unformatted files (for CI); exit 1 if any")
	if code, done := parseFlags(io, fs, args); done {
		return code
	}
	if fs.NArg() == 0 {
		return usageError(io, fs, "name at least one script or folder")
	}
	files, err := starfmt.Files(fs.Args())
	if err != nil {
		return usageError(io, fs, "%v", err)
	}
	code := exitOK
	unformatted := 0
	for _, r := range starfmt.Run(files, !*check) {
		switch {
		case r.Err != nil:
			fmt.Fprintln(io.err, r.Err)
			code = exitFailed
		case r.Changed:
			fmt.Fprintln(io.out, r.Path)
			unformatted++
		}
	}
	if *check && unformatted > 0 {
		fmt.Fprintf(io.err, "%d file%s need%s formatting: run octostar fmt on them\n", unformatted, plural(unformatted), map[bool]string{true: "s"}[unformatted == 1])
		code = exitFailed
	}
	return code
}
