package progress

import (
	"os"

	"golang.org/x/term"
)

// ForTerminal returns a live table on f, sized from the terminal, when f
// is a terminal that understands ANSI sequences (TERM is not "dumb");
// else nil and false, and the caller uses NewLines. NO_COLOR, when set,
// turns the colours off (https://no-color.org).
func ForTerminal(f *os.File) (Display, bool) {
	fd := int(f.Fd())
	if !term.IsTerminal(fd) || os.Getenv("TERM") == "dumb" {
		return nil, false
	}
	return NewTable(f, TableOptions{
		Size: func() (int, int) {
			w, h, err := term.GetSize(fd)
			if err != nil {
				return 0, 0 // the defaults
			}
			return w, h
		},
		Tick:     DefaultTick,
		Throttle: DefaultThrottle,
		NoColor:  os.Getenv("NO_COLOR") != "",
	}), true
}
