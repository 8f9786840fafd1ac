package main

import (
	"os"

	"golang.org/x/term"

	"github.com/octostar/octostar/internal/progress"
)

// liveTable starts the live progress table when --progress is auto and
// stderr is a terminal, and routes stderr (and stdout, when it is a
// terminal too) through it, so that logs and print() output appear above
// the table instead of tearing it. It returns nil when the
// table is not wanted; the caller closes it before the last messages.
func liveTable(mode string, io *stdio) progress.Display {
	if mode != "auto" {
		return nil
	}
	f, ok := io.err.(*os.File)
	if !ok {
		return nil
	}
	d, ok := progress.ForTerminal(f)
	if !ok {
		return nil
	}
	io.err = d.Writer()
	// print() output on the same terminal must go through the table too,
	// or the next redraw would move the cursor over it and erase it.
	if out, ok := io.out.(*os.File); ok && term.IsTerminal(int(out.Fd())) {
		io.out = d.Writer()
	}
	return d
}
