package builtins

import (
	"context"
	"time"

	sltime "go.starlark.net/lib/time"
	"go.starlark.net/starlark"

	"github.com/octostar/octostar/internal/octopus"
)

func projectValue(p octopus.Project) *Record {
	return newRecord("project", p.ID, []string{"name", "group"},
		field{"id", starlark.String(p.ID)},
		field{"name", starlark.String(p.Name)},
		field{"slug", str(p.Slug)},
		field{"group", str(p.Group)},
		field{"tenanted", starlark.Bool(p.TenantedMode != "" && p.TenantedMode != "Untenanted")},
		field{"disabled", starlark.Bool(p.Disabled)},
	)
}

func environmentValue(e octopus.Environment) *Record {
	return newRecord("environment", e.ID, []string{"name"},
		field{"id", starlark.String(e.ID)},
		field{"name", starlark.String(e.Name)},
	)
}

func tenantValue(t octopus.Tenant) *Record {
	return newRecord("tenant", t.ID, []string{"name", "tags"},
		field{"id", starlark.String(t.ID)},
		field{"name", starlark.String(t.Name)},
		field{"tags", strList(t.Tags)},
	)
}

func releaseValue(r octopus.Release) *Record {
	rec := newRecord("release", r.ID, []string{"project", "version", "channel"},
		field{"id", starlark.String(r.ID)},
		field{"project", starlark.String(r.Project)},
		field{"version", starlark.String(r.Version)},
		field{"channel", str(r.Channel)},
		field{"packages", strDict(r.Packages)},
		field{"notes", str(r.Notes)},
		field{"url", str(r.URL)},
	)
	rec.payload = r
	return rec
}

// lazyReadTimeout bounds the one read that completes a brief release.
const lazyReadTimeout = time.Minute

// briefReleaseValue is a release known by ID and version only (fresh
// from create_release): channel, packages and notes are read with one
// request the first time the script looks at any of them.
func briefReleaseValue(ctx context.Context, session context.Context, oct octopus.Octopus, r octopus.Release) *Record {
	rec := releaseValue(r)
	if !r.Brief {
		return rec
	}
	rec.lazyKeys = []string{"channel", "packages", "notes"}
	// The read may come after the call that made the release has ended
	// (a later REPL statement): it runs under the run's or session's
	// context, so Ctrl-C and --timeout still stop it, keeping the call's
	// script line for a journal, and bounded on its own.
	if session == nil {
		session = context.WithoutCancel(ctx)
	}
	ctx = octopus.WithCaller(session, octopus.Caller(ctx))
	rec.lazy = func() (map[string]starlark.Value, error) {
		ctx, cancel := context.WithTimeout(ctx, lazyReadTimeout)
		defer cancel()
		full, err := oct.Release(ctx, r.Project, r.Version)
		if err != nil {
			return nil, err
		}
		return map[string]starlark.Value{"channel": str(full.Channel), "packages": strDict(full.Packages), "notes": str(full.Notes)}, nil
	}
	return rec
}

// runValue is the script's view of a deployment or runbook run: a
// snapshot of its state when the value was made.
func runValue(tr *trackedRun) *Record {
	r := tr.run
	var duration starlark.Value = starlark.None
	if tr.task.Duration > 0 {
		duration = sltime.Duration(tr.task.Duration)
	}
	state, errText := tr.task.State, tr.err
	if state == "" {
		state = octopus.StateQueued
	}
	if tr.waitErr != "" {
		// The last wait gave up before the task ended: the state is
		// still the server's, timed_out says octostar stopped waiting.
		errText = tr.waitErr
	}
	common := []field{
		{"id", str(r.ID)},
		{"project", starlark.String(r.Project)},
	}
	tail := []field{
		{"environment", str(r.Environment)},
		{"tenant", str(r.Tenant)},
		{"task_id", str(r.TaskID)},
		{"state", starlark.String(state)},
		{"ok", starlark.Bool((state == octopus.StateSuccess && tr.waitErr == "") || tr.skipped)},
		{"timed_out", starlark.Bool(tr.waitErr != "")},
		{"skipped", starlark.Bool(tr.skipped)},
		{"reason", str(tr.reason)},
		{"error", str(errText)},
		{"duration", duration},
		{"url", str(r.URL)},
	}
	var rec *Record
	id := r.ID
	if id == "" {
		id = "skipped:" + r.Project + ":" + r.Environment + ":" + r.Tenant
	}
	if r.Kind == octopus.KindRunbookRun {
		rec = newRecord("runbook_run", id, []string{"project", "runbook", "environment", "tenant", "state"},
			append(append(common, field{"runbook", starlark.String(r.Runbook)}, field{"snapshot", str(r.Snapshot)}), tail...)...)
	} else {
		var rel starlark.Value = starlark.None
		if r.Release.Version != "" {
			rel = releaseValue(r.Release)
		}
		rec = newRecord("deployment", id, []string{"project", "version", "environment", "tenant", "state"},
			append(append(common, field{"release", rel}, field{"version", str(r.Release.Version)}), tail...)...)
	}
	rec.payload = tr
	return rec
}

func interventionValue(iv octopus.Intervention) *Record {
	return newRecord("intervention", iv.ID, []string{"title", "kind", "project", "environment", "tenant", "answered"},
		field{"id", starlark.String(iv.ID)},
		field{"title", starlark.String(iv.Title)},
		field{"kind", starlark.String(string(iv.Kind))},
		field{"project", str(iv.Project)},
		field{"environment", str(iv.Environment)},
		field{"tenant", str(iv.Tenant)},
		field{"task_id", str(iv.TaskID)},
		field{"pending", starlark.Bool(iv.Pending)},
		field{"answered", str(iv.Answered)},
	)
}

func dashboardRowValue(row octopus.DashboardRow) *Record {
	return newRecord("dashboard_row", row.Project+"/"+row.Environment+"/"+row.Tenant,
		[]string{"project", "environment", "tenant", "release", "state"},
		field{"project", starlark.String(row.Project)},
		field{"environment", starlark.String(row.Environment)},
		field{"tenant", str(row.Tenant)},
		field{"release", str(row.Release)},
		field{"release_id", str(row.ReleaseID)},
		field{"state", starlark.String(string(row.State))},
		field{"task_id", str(row.TaskID)},
	)
}

func recordList[T any](items []T, f func(T) *Record) *starlark.List {
	vs := make([]starlark.Value, len(items))
	for i, it := range items {
		vs[i] = f(it)
	}
	l := starlark.NewList(vs)
	l.Freeze()
	return l
}
