package plan

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"

	"github.com/octostar/octostar/internal/octopus"
)

// fake is a small world behind the Octopus interface that logs every
// call by method name, so tests can tell what reached "the server".
type fake struct {
	mu            sync.Mutex
	calls         []string
	projects      []octopus.Project
	environments  []octopus.Environment
	tenants       []octopus.Tenant
	releases      map[string][]octopus.Release // by project ID, newest first
	progression   map[string][]string          // release ID -> environment names
	interventions []octopus.Intervention
}

// errWrite is what a write that reached the fake answers.
var errWrite = errors.New("fake: a write reached the server")

func newFake() *fake {
	return &fake{
		projects: []octopus.Project{
			{ID: "Projects-1", Name: "Web", Slug: "web", TenantedMode: "Untenanted"},
			{ID: "Projects-2", Name: "Portal", Slug: "portal", TenantedMode: "Tenanted"},
		},
		environments: []octopus.Environment{{ID: "Environments-1", Name: "Development"}, {ID: "Environments-2", Name: "Test"},
			{ID: "Environments-3", Name: "Staging"}, {ID: "Environments-4", Name: "Production"}},
		tenants: []octopus.Tenant{
			{ID: "Tenants-1", Name: "Acme", Tags: []string{"Tier/Gold", "Region/EU"}, Projects: map[string][]string{"Projects-2": {"Environments-2", "Environments-4"}}},
			{ID: "Tenants-2", Name: "Globex", Tags: []string{"Tier/Silver", "Region/US"}, Projects: map[string][]string{"Projects-2": {"Environments-2"}}},
		},
		releases: map[string][]octopus.Release{"Projects-1": {
			{ID: "Releases-2", Version: "1.1.0", ProjectID: "Projects-1", Project: "Web", ChannelID: "Channels-1", Channel: "Default"},
			{ID: "Releases-1", Version: "1.0.0", ProjectID: "Projects-1", Project: "Web", ChannelID: "Channels-1", Channel: "Default"},
		}},
		progression: map[string][]string{"Releases-1": {"Development", "Test", "Staging"}, "Releases-2": {"Development", "Test"}},
		interventions: []octopus.Intervention{{ID: "Interruptions-7", Title: "Approve", Kind: octopus.ManualIntervention,
			Project: "Web", Environment: "Production", TaskID: "ServerTasks-9", Pending: true}},
	}
}

func (f *fake) call(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, name)
}

func (f *fake) called() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

func (f *fake) Target() octopus.TargetInfo {
	return octopus.TargetInfo{Name: "default", URL: "https://octopus.example", Space: "Default", SpaceID: "Spaces-1"}
}
func (f *fake) Projects(ctx context.Context, q octopus.ProjectQuery) ([]octopus.Project, error) {
	f.call("Projects")
	return f.projects, nil
}
func (f *fake) Environments(ctx context.Context) ([]octopus.Environment, error) {
	f.call("Environments")
	return f.environments, nil
}
func (f *fake) Tenants(ctx context.Context, q octopus.TenantQuery) ([]octopus.Tenant, error) {
	f.call("Tenants")
	return f.tenants, nil
}
func (f *fake) Releases(ctx context.Context, q octopus.ReleaseQuery) ([]octopus.Release, error) {
	f.call("Releases")
	return f.releases[q.Project], nil
}
func (f *fake) Release(ctx context.Context, project, version string) (octopus.Release, error) {
	f.call("Release")
	for _, rs := range f.releases {
		for _, r := range rs {
			if r.Version == version && (strings.EqualFold(r.Project, project) || r.ProjectID == project) {
				return r, nil
			}
		}
	}
	return octopus.Release{}, errors.New(project + " has no release " + version)
}
func (f *fake) EligibleRelease(ctx context.Context, project, environment, channel string) (octopus.Release, string, error) {
	f.call("EligibleRelease")
	return f.releases["Projects-1"][0], "the server's choice", nil
}
func (f *fake) Current(ctx context.Context, project, environment, tenant string) (octopus.Release, bool, error) {
	f.call("Current")
	return octopus.Release{}, false, nil
}
func (f *fake) Progression(ctx context.Context, releaseID string) ([]octopus.Environment, error) {
	f.call("Progression")
	var out []octopus.Environment
	for _, e := range f.environments {
		if slices.Contains(f.progression[releaseID], e.Name) {
			out = append(out, e)
		}
	}
	return out, nil
}
func (f *fake) Dashboard(ctx context.Context, q octopus.DashboardQuery) ([]octopus.DashboardRow, error) {
	f.call("Dashboard")
	return []octopus.DashboardRow{{Project: "Web", Environment: "Test", Release: "1.1.0", ReleaseID: "Releases-2", State: octopus.StateSuccess}}, nil
}
func (f *fake) Interventions(ctx context.Context, q octopus.InterventionQuery) ([]octopus.Intervention, error) {
	f.call("Interventions")
	return slices.Clone(f.interventions), nil
}
func (f *fake) Tasks(ctx context.Context, ids []string) ([]octopus.Task, error) {
	f.call("Tasks")
	var out []octopus.Task
	for _, id := range ids {
		out = append(out, octopus.Task{ID: id, State: octopus.StateExecuting})
	}
	return out, nil
}
func (f *fake) TaskState(ctx context.Context, taskID string) (octopus.TaskState, error) {
	f.call("TaskState")
	return octopus.StateExecuting, nil
}
func (f *fake) TaskErrors(ctx context.Context, taskID string, max int) ([]string, error) {
	f.call("TaskErrors")
	return []string{"boom"}, nil
}
func (f *fake) CreateRelease(ctx context.Context, r octopus.CreateReleaseRequest) (octopus.Release, error) {
	f.call("CreateRelease")
	return octopus.Release{}, errWrite
}
func (f *fake) Deploy(ctx context.Context, r octopus.DeployRequest) ([]octopus.Run, error) {
	f.call("Deploy")
	return nil, errWrite
}
func (f *fake) RunRunbook(ctx context.Context, r octopus.RunbookRequest) ([]octopus.Run, error) {
	f.call("RunRunbook")
	return nil, errWrite
}
func (f *fake) Intervene(ctx context.Context, r octopus.InterventionAnswer) (octopus.Intervention, error) {
	f.call("Intervene")
	return octopus.Intervention{}, errWrite
}
func (f *fake) CancelTask(ctx context.Context, taskID string) error {
	f.call("CancelTask")
	return errWrite
}

// previewing is the fake with previews: a release of Web previews as
// 1.2.0 in channel Default; a deployment to Production stops at a
// manual intervention; lifecycles are Development (automatic), Test,
// Staging, Production.
type previewing struct{ *fake }

var _ octopus.Previewer = previewing{}

func (p previewing) PreviewRelease(ctx context.Context, r octopus.CreateReleaseRequest) (octopus.ReleasePreview, error) {
	p.call("PreviewRelease")
	proj, err := p.find(r.Project)
	if err != nil {
		return octopus.ReleasePreview{}, err
	}
	if proj.Name == "Portal" {
		return octopus.ReleasePreview{}, &octopus.APIError{Status: 403, Message: "You do not have permission to perform this action."}
	}
	out := octopus.ReleasePreview{Project: proj.Name, ProjectID: proj.ID, Channel: "Default", ChannelID: "Channels-1",
		Version: "1.2.0", VersionSource: octopus.VersionServer,
		Packages: []octopus.PackagePreview{{Key: "Deploy", PackageID: "Web.App", Version: "1.2.0", Source: "newest in the feed"}}}
	if r.Version != "" {
		out.Version, out.VersionSource = r.Version, octopus.VersionGiven
	}
	for _, rel := range p.releases[proj.ID] {
		if rel.Version == out.Version {
			out.Existing = &rel
		}
	}
	return out, nil
}

func (p previewing) PreviewDeployment(ctx context.Context, project string, release octopus.Release, environment string) (octopus.RunPreview, error) {
	p.call("PreviewDeployment")
	steps := []octopus.PreviewStep{{Number: "1", Name: "Deploy"}}
	if environment == "Production" {
		steps = append(steps, octopus.PreviewStep{Number: "2", Name: "Approve", Manual: true})
	}
	return octopus.RunPreview{FromServer: release.ID != "", Steps: steps}, nil
}

func (p previewing) PreviewRunbookRun(ctx context.Context, project, runbook, snapshot, environment string) (octopus.RunPreview, error) {
	p.call("PreviewRunbookRun")
	return octopus.RunPreview{Runbook: "Restart", Snapshot: "Restart v1", Steps: []octopus.PreviewStep{{Number: "1", Name: "Restart"}}}, nil
}

func (p previewing) Lifecycle(ctx context.Context, project, channel string) ([]octopus.Phase, error) {
	p.call("Lifecycle")
	return []octopus.Phase{{Name: "Dev", Automatic: []string{"Development"}}, {Name: "Test", Optional: []string{"Test"}},
		{Name: "Staging", Optional: []string{"Staging"}}, {Name: "Production", Optional: []string{"Production"}}}, nil
}

func (f *fake) find(ref string) (octopus.Project, error) {
	for _, p := range f.projects {
		if strings.EqualFold(p.Name, ref) || p.ID == ref {
			return p, nil
		}
	}
	return octopus.Project{}, errors.New("no project named " + ref)
}
