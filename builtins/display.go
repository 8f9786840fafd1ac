package builtins

import (
	"strings"

	"github.com/octostar/octostar/internal/octopus"
	"github.com/octostar/octostar/internal/progress"
)

// displayLocked is where progress goes: Display, else the lines form
// over Progress, else nowhere. Callers hold e.mu.
func (e *Env) displayLocked() progress.Display {
	if e.Display == nil && e.Progress != nil {
		e.Display = progress.NewLines(e.Progress)
	}
	return e.Display
}

// progress reports a run's new state to the display.
func (e *Env) progress(tr *trackedRun, _ octopus.TaskState) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if d := e.displayLocked(); d != nil {
		d.Update(tr.progressRun())
	}
}

// note shows a one-off progress message.
func (e *Env) note(msg string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if d := e.displayLocked(); d != nil {
		d.Note(msg)
	}
}

// progressRun is the display's view of a run.
func (tr *trackedRun) progressRun() progress.Run {
	r := tr.run
	where := r.Environment
	if r.Tenant != "" {
		where += " / " + r.Tenant
	}
	what := r.Release.Version
	if r.Kind == octopus.KindRunbookRun {
		what = "runbook " + r.Runbook
	}
	state := tr.task.State
	return progress.Run{
		Key: r.TaskID, Label: tr.describe(), Project: r.Project, Where: strings.TrimSpace(where), What: what,
		State: string(state), Done: state.Done(), Started: tr.startedAt, Duration: tr.task.Duration,
	}
}
