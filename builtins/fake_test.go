package builtins

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/octostar/octostar/internal/octopus"
)

// fakeOctopus is an in-memory Octopus for the builtins' unit tests: it
// checks what the builtins send and lets tests script task outcomes.
// The end-to-end tests run against the simulator instead.
type fakeOctopus struct {
	mu       sync.Mutex
	name     string
	calls    []string
	releases []octopus.Release
	tasks    map[string]*fakeTask
	next     int
	// failIn makes deployments to these environments fail.
	failIn map[string]bool
	// stuck makes tasks never finish.
	stuck bool
	// slowIn makes tasks in these environments run until cancelled.
	slowIn map[string]bool
	// hidden makes the task list leave every task out.
	hidden    bool
	cancelled []string
	pending   []octopus.Intervention
}

type fakeTask struct {
	polls int
	final octopus.TaskState
	slow  bool
}

func newFake(name string) *fakeOctopus {
	return &fakeOctopus{name: name, tasks: map[string]*fakeTask{}, failIn: map[string]bool{}, slowIn: map[string]bool{}}
}

func (f *fakeOctopus) record(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fmt.Sprintf(format, args...))
}

func (f *fakeOctopus) Target() octopus.TargetInfo {
	return octopus.TargetInfo{Name: f.name, URL: "https://" + f.name + ".example.com", Space: "Default", SpaceID: "Spaces-1"}
}

var fakeProjects = []octopus.Project{
	{ID: "Projects-1", Name: "Web", Slug: "web", Group: "Payments", TenantedMode: "Untenanted"},
	{ID: "Projects-2", Name: "Api", Slug: "api", Group: "Payments", TenantedMode: "Untenanted"},
	{ID: "Projects-3", Name: "Portal", Slug: "portal", Group: "Platform", TenantedMode: "Tenanted"},
}

func (f *fakeOctopus) Projects(_ context.Context, q octopus.ProjectQuery) ([]octopus.Project, error) {
	var out []octopus.Project
	for _, p := range fakeProjects {
		if q.Group == "" || strings.EqualFold(p.Group, q.Group) {
			out = append(out, p)
		}
	}
	return out, nil
}

func (f *fakeOctopus) Environments(context.Context) ([]octopus.Environment, error) {
	return []octopus.Environment{{ID: "Environments-1", Name: "Development"}, {ID: "Environments-2", Name: "Test"}, {ID: "Environments-3", Name: "Production"}}, nil
}

func (f *fakeOctopus) Tenants(context.Context, octopus.TenantQuery) ([]octopus.Tenant, error) {
	return []octopus.Tenant{{ID: "Tenants-1", Name: "Acme", Tags: []string{"Tier/Gold"}}}, nil
}

func (f *fakeOctopus) Releases(_ context.Context, q octopus.ReleaseQuery) ([]octopus.Release, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []octopus.Release
	for i := len(f.releases) - 1; i >= 0; i-- {
		if f.releases[i].Project == q.Project {
			out = append(out, f.releases[i])
		}
	}
	return out, nil
}

func (f *fakeOctopus) Release(_ context.Context, project, version string) (octopus.Release, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.releases {
		if r.Project == project && r.Version == version {
			return r, nil
		}
	}
	// Releases made outside the test (deployed by version only).
	return octopus.Release{ID: "Releases-x" + version, Project: project, Version: version}, nil
}

func (f *fakeOctopus) EligibleRelease(_ context.Context, project, environment, _ string) (octopus.Release, string, error) {
	rs, _ := f.Releases(context.Background(), octopus.ReleaseQuery{Project: project})
	if len(rs) == 0 {
		return octopus.Release{}, "", fmt.Errorf("%s has no releases to deploy to %s", project, environment)
	}
	return rs[0], fmt.Sprintf("%s: latest release eligible for %s is %s", project, environment, rs[0].Version), nil
}

func (f *fakeOctopus) Current(_ context.Context, project, environment, _ string) (octopus.Release, bool, error) {
	f.record("current %s %s", project, environment)
	rs, _ := f.Releases(context.Background(), octopus.ReleaseQuery{Project: project})
	if len(rs) == 0 {
		return octopus.Release{}, false, nil
	}
	if environment == "Development" || environment == "Test" {
		return rs[0], true, nil
	}
	if len(rs) > 1 {
		return rs[1], true, nil
	}
	return octopus.Release{}, false, nil
}

func (f *fakeOctopus) Progression(context.Context, string) ([]octopus.Environment, error) {
	return []octopus.Environment{{ID: "Environments-1", Name: "Development"}}, nil
}

func (f *fakeOctopus) Dashboard(context.Context, octopus.DashboardQuery) ([]octopus.DashboardRow, error) {
	return []octopus.DashboardRow{{Project: "Web", Environment: "Development", Release: "1.0.1", State: octopus.StateSuccess}}, nil
}

func (f *fakeOctopus) Interventions(_ context.Context, q octopus.InterventionQuery) ([]octopus.Intervention, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []octopus.Intervention
	for _, iv := range f.pending {
		if (q.TaskID == "" || iv.TaskID == q.TaskID) && (q.Project == "" || iv.Project == q.Project) {
			out = append(out, iv)
		}
	}
	return out, nil
}

func (f *fakeOctopus) TaskState(ctx context.Context, id string) (octopus.TaskState, error) {
	ts, err := f.Tasks(ctx, []string{id})
	if err != nil || len(ts) == 0 {
		return "", fmt.Errorf("no task %s", id)
	}
	return ts[0].State, nil
}

func (f *fakeOctopus) Tasks(_ context.Context, ids []string) ([]octopus.Task, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "tasks "+strings.Join(ids, ","))
	var out []octopus.Task
	for _, id := range ids {
		t := f.tasks[id]
		if f.hidden {
			continue
		}
		t.polls++
		state := octopus.StateExecuting
		if t.polls >= 2 && !f.stuck && !t.slow {
			state = t.final
		}
		if slices.Contains(f.cancelled, id) {
			state = octopus.StateCanceled
		}
		out = append(out, octopus.Task{ID: id, State: state, ErrorMessage: map[bool]string{true: "The deployment failed because one or more steps failed."}[state == octopus.StateFailed]})
	}
	return out, nil
}

func (f *fakeOctopus) TaskErrors(_ context.Context, id string, _ int) ([]string, error) {
	return []string{"Step 2 'Migrate' failed: exit code 3"}, nil
}

func (f *fakeOctopus) CreateRelease(_ context.Context, r octopus.CreateReleaseRequest) (octopus.Release, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	version := r.Version
	if version == "" {
		version = fmt.Sprintf("1.0.%d", len(f.releases)+1)
	}
	for _, existing := range f.releases {
		if existing.Project == r.Project && existing.Version == version {
			if r.IfExists == "reuse" {
				return existing, nil
			}
			return octopus.Release{}, fmt.Errorf("creating release %s of %s: There was a problem with your request. (400); Release '%s' already exists for this project.", version, r.Project, version)
		}
	}
	rel := octopus.Release{ID: fmt.Sprintf("Releases-%d", len(f.releases)+1), Project: r.Project, Version: version, Channel: "Default", Packages: r.Packages}
	f.releases = append(f.releases, rel)
	f.calls = append(f.calls, "create_release "+r.Project+" "+version)
	return rel, nil
}

func (f *fakeOctopus) start(kind octopus.RunKind, project, env, tenant string, rel octopus.Release, runbook string) octopus.Run {
	f.next++
	task := fmt.Sprintf("ServerTasks-%d", f.next)
	final := octopus.StateSuccess
	if f.failIn[env] {
		final = octopus.StateFailed
	}
	f.tasks[task] = &fakeTask{final: final, slow: f.slowIn[env]}
	return octopus.Run{Kind: kind, ID: fmt.Sprintf("%ss-%d", kind, f.next), TaskID: task, Project: project, Environment: env,
		Tenant: tenant, Release: rel, Runbook: runbook, URL: "https://" + f.name + ".example.com/app#/Spaces-1/tasks/" + task}
}

func (f *fakeOctopus) Deploy(_ context.Context, r octopus.DeployRequest) ([]octopus.Run, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fmt.Sprintf("deploy %s %s to %s tenants=%v", r.Project, r.Release.Version, strings.Join(r.Environments, ","), r.Tenants))
	var runs []octopus.Run
	for _, e := range r.Environments {
		if len(r.Tenants) > 0 {
			for _, t := range r.Tenants {
				runs = append(runs, f.start(octopus.KindDeployment, r.Project, e, strings.ReplaceAll(t, "*", "Acme"), r.Release, ""))
			}
			continue
		}
		runs = append(runs, f.start(octopus.KindDeployment, r.Project, e, "", r.Release, ""))
	}
	return runs, nil
}

func (f *fakeOctopus) RunRunbook(_ context.Context, r octopus.RunbookRequest) ([]octopus.Run, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fmt.Sprintf("run_runbook %s %s in %s", r.Project, r.Runbook, strings.Join(r.Environments, ",")))
	var runs []octopus.Run
	for _, e := range r.Environments {
		runs = append(runs, f.start(octopus.KindRunbookRun, r.Project, e, "", octopus.Release{}, r.Runbook))
	}
	return runs, nil
}

func (f *fakeOctopus) Intervene(_ context.Context, a octopus.InterventionAnswer) (octopus.Intervention, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "intervene "+a.ID+" "+a.Action+" "+a.Notes)
	for i, iv := range f.pending {
		if iv.ID == a.ID {
			iv.Pending, iv.Answered = false, a.Action
			f.pending = slices.Delete(f.pending, i, i+1)
			return iv, nil
		}
	}
	return octopus.Intervention{}, fmt.Errorf("no intervention %s", a.ID)
}

func (f *fakeOctopus) CancelTask(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cancelled = append(f.cancelled, id)
	f.calls = append(f.calls, "cancel "+id)
	return nil
}

var _ octopus.Octopus = (*fakeOctopus)(nil)
