// Package progress shows how the deployments and runbook runs of an
// octostar run are going.
//
// Builtins report structured events (a run started or changed state, a
// one-off note) to a [Display] and do not care how they are shown, so
// the same script reads well in two places:
//
//   - [NewLines] writes one plain line per state change. It is for
//     logs, CI and pipes: nothing is redrawn, so the output is stable
//     enough for golden tests and for grep.
//   - [NewTable] keeps a live table of the runs still going, redrawn in
//     place, for a person watching a terminal ([ForTerminal]).
//
// A script may start hundreds of runs at once, so the table is built not
// to grow with them: a run that ends leaves the table and is printed once
// as a permanent line above it (the same text as the Lines form); the
// table is capped to the terminal's height, with runs awaiting an
// intervention and executing shown before queued ones and the rest
// summed up as "… and N more"; every line is cut to the terminal's width
// so that nothing wraps and the cursor arithmetic of the redraw holds;
// and redraws are throttled, so a burst of hundreds of updates costs one
// redraw, not hundreds.
package progress

import (
	"io"
	"strings"
	"time"
)

// Run is one deployment or runbook run as the display shows it.
type Run struct {
	Key      string        // unique per run (the task ID)
	Label    string        // "Payments API 1.2.0 to Production for Acme"
	Project  string        // the project; the table shows Label when empty
	Where    string        // environment, with " / tenant" when tenanted
	What     string        // release version, or "runbook NAME"
	State    string        // Queued, Executing, AwaitingIntervention, Success, Failed, Canceled, TimedOut; empty means Queued
	Done     bool          // State is final
	Started  time.Time     // when octostar started it (local clock), for the elapsed column
	Duration time.Duration // the server's task duration once Done (0 if unknown)
}

// Display shows the progress of a run's tasks. Implementations are safe
// for concurrent use.
type Display interface {
	// Update reports that a run was started or changed state, with the
	// full new snapshot of that run.
	Update(r Run)
	// Note shows a one-off message, e.g. "waiting for a free slot on
	// prod: 10 of 10 tasks in flight".
	Note(msg string)
	// Writer returns where to write logs and print output so that they
	// appear above a live table without breaking it.
	Writer() io.Writer
	// Close draws the final state and stops any background redraw. It
	// is idempotent and safe after no Update at all.
	Close()
}

// Task states, as octostar reports them.
const (
	Queued               = "Queued"
	Executing            = "Executing"
	AwaitingIntervention = "AwaitingIntervention"
	Success              = "Success"
	Failed               = "Failed"
	Canceled             = "Canceled"
	TimedOut             = "TimedOut"
)

// state is the state to show: a run not yet reported on is queued.
func (r *Run) state() string {
	if r.State == "" {
		return Queued
	}
	return r.State
}

// line is the text of the Lines form for the run's current state, also
// printed by the table when a run ends: "LABEL: STATE[ after DURATION]".
func (r *Run) line() string {
	label := r.Label
	if label == "" {
		label = r.Key
	}
	s := label + ": " + r.state()
	if r.Done && r.Duration > 0 {
		s += " after " + roundDuration(r.Duration).String()
	}
	return s
}

// roundDuration keeps two significant figures' worth of a duration, so
// that both forms print the same text.
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= time.Minute:
		return d.Round(time.Second)
	case d >= time.Second:
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}

// stateOrder is the order of states in counts: what is going first,
// then how things ended.
var stateOrder = []string{Executing, Queued, AwaitingIntervention, Success, Failed, Canceled, TimedOut}

// stateWord names a state in running text: "awaiting intervention".
func stateWord(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return strings.ToLower(b.String())
}
