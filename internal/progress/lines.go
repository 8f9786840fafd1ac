package progress

import (
	"io"
	"strings"
	"sync"
)

// lines is the non-terminal form: one line per state change.
type lines struct {
	mu   sync.Mutex
	w    io.Writer
	last map[string]string // Key -> the last state shown (or assumed)
}

// NewLines returns the form for logs, CI and pipes: one line
// "LABEL: STATE" each time a run's state changes, with " after DURATION"
// once it ended, and one line per note. A run's first update writes
// nothing while it is queued, as the run was just started and said so
// in the log.
func NewLines(w io.Writer) Display {
	return &lines{w: w, last: map[string]string{}}
}

func (l *lines) Update(r Run) {
	state := r.state()
	l.mu.Lock()
	defer l.mu.Unlock()
	prev, seen := l.last[r.Key]
	l.last[r.Key] = state
	if state == prev || !seen && state == Queued {
		return
	}
	io.WriteString(l.w, r.line()+"\n")
}

func (l *lines) Note(msg string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	io.WriteString(l.w, strings.TrimSuffix(msg, "\n")+"\n")
}

// Writer is the underlying writer: with nothing redrawn, there is
// nothing to keep clear of.
func (l *lines) Writer() io.Writer { return l.w }

func (l *lines) Close() {}
