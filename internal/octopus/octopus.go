// Package octopus is every Octopus operation octostar performs, behind
// one interface (Octopus) so that a dry run or a journal can stand in for
// the live implementation without a builtin noticing.
//
// The live implementation (Client) talks to the server only through the
// official Go client, go-octopusdeploy: its HTTP session, its commands
// (releases/create/v1, deployments/create/*/v1, runbook-runs/create/v1)
// and its resource types. Every call carries the caller's context, so
// Ctrl-C and --timeout stop a request or a wait at once.
//
// Names are resolved once per client and cached: projects, environments,
// tenants, channels and runbooks are accepted by name, slug or ID, and an
// unknown one is an error that lists the closest matches.
package octopus

import (
	"context"
	"time"
)

// Octopus is one target's operations, as the builtins need them.
type Octopus interface {
	// Target describes the instance; it never carries a secret.
	Target() TargetInfo

	// Reads.
	Projects(ctx context.Context, q ProjectQuery) ([]Project, error)
	Environments(ctx context.Context) ([]Environment, error)
	Tenants(ctx context.Context, q TenantQuery) ([]Tenant, error)
	Releases(ctx context.Context, q ReleaseQuery) ([]Release, error)
	// Release finds a project's release by its version.
	Release(ctx context.Context, project, version string) (Release, error)
	// EligibleRelease is what the DEPLOY button offers: the newest release
	// of the project (within the channel, if given) that the lifecycle
	// lets into the environment now, with the reason it was chosen.
	EligibleRelease(ctx context.Context, project, environment, channel string) (Release, string, error)
	// Current is the release now deployed to an environment (for a
	// tenant), or ok=false when none is.
	Current(ctx context.Context, project, environment, tenant string) (Release, bool, error)
	// Progression lists the environments a release may enter now.
	Progression(ctx context.Context, releaseID string) ([]Environment, error)
	Dashboard(ctx context.Context, q DashboardQuery) ([]DashboardRow, error)
	Interventions(ctx context.Context, q InterventionQuery) ([]Intervention, error)
	// Tasks reads many tasks in one request (paged when long).
	Tasks(ctx context.Context, ids []string) ([]Task, error)
	// TaskState reads one task's state, for a decision the script's
	// later calls depend on (intervene stops waiting when its run has
	// ended): a journal records it, unlike the polls of Tasks, whose
	// number depends on timing, so a resumed run decides the same way.
	TaskState(ctx context.Context, taskID string) (TaskState, error)
	// TaskErrors returns the last error lines of a task's log.
	TaskErrors(ctx context.Context, taskID string, max int) ([]string, error)

	// Writes.
	CreateRelease(ctx context.Context, r CreateReleaseRequest) (Release, error)
	Deploy(ctx context.Context, r DeployRequest) ([]Run, error)
	RunRunbook(ctx context.Context, r RunbookRequest) ([]Run, error)
	Intervene(ctx context.Context, r InterventionAnswer) (Intervention, error)
	CancelTask(ctx context.Context, taskID string) error
}

// TargetInfo names an Octopus instance and space.
type TargetInfo struct {
	Name    string
	URL     string
	Space   string // the space's name
	SpaceID string
}

// Project is a deployment project.
type Project struct {
	ID, Name, Slug string
	Group          string // project group name
	LifecycleID    string
	// TenantedMode is Untenanted, TenantedOrUntenanted or Tenanted.
	TenantedMode string
	Disabled     bool
}

// Environment is a deployment environment.
type Environment struct {
	ID, Name  string
	SortOrder int
}

// Tenant is a tenant with its tags and project/environment connections.
type Tenant struct {
	ID, Name string
	Tags     []string            // canonical "Set/Tag" names
	Projects map[string][]string // project ID -> environment IDs
}

// Release is a project's release.
type Release struct {
	ID, Version string
	ProjectID   string
	Project     string // name
	ChannelID   string
	Channel     string // name
	// Packages maps "Step" or "Step:Reference" to the selected version.
	Packages map[string]string
	Notes    string
	Created  time.Time
	URL      string
	// Brief marks a release known only by what creating it answered (ID
	// and version, and the channel when the request named one): its
	// channel, packages, notes and creation time are read on demand
	// with Release(Project, Version). A train of two hundred releases
	// then costs two hundred requests, not four hundred.
	Brief bool
}

// RunKind tells deployments from runbook runs.
type RunKind string

// The kinds of Run.
const (
	KindDeployment RunKind = "Deployment"
	KindRunbookRun RunKind = "RunbookRun"
)

// Run is a started deployment or runbook run: the task to wait on and
// what it is about.
type Run struct {
	Kind        RunKind
	ID          string // Deployments-N or RunbookRuns-N
	TaskID      string
	Project     string
	ProjectID   string
	Environment string
	Tenant      string // "" when untenanted
	Release     Release
	Runbook     string
	Snapshot    string
	URL         string
}

// TaskState is a task's state as octostar reports it: Octopus's states,
// plus AwaitingIntervention for a task paused or blocked on an
// interruption (Octopus shows those as Queued or Executing).
type TaskState string

// Task states.
const (
	StateQueued               TaskState = "Queued"
	StateExecuting            TaskState = "Executing"
	StateAwaitingIntervention TaskState = "AwaitingIntervention"
	StateSuccess              TaskState = "Success"
	StateFailed               TaskState = "Failed"
	StateCanceled             TaskState = "Canceled"
	StateTimedOut             TaskState = "TimedOut"
)

// Done reports whether the state is final.
func (s TaskState) Done() bool {
	switch s {
	case StateSuccess, StateFailed, StateCanceled, StateTimedOut:
		return true
	}
	return false
}

// Task is a server task's progress.
type Task struct {
	ID           string
	State        TaskState
	ErrorMessage string
	Started      time.Time
	Completed    time.Time
	Duration     time.Duration
	URL          string
}

// ProjectQuery filters projects; empty fields match everything.
type ProjectQuery struct {
	Group string
	Name  string // case-insensitive substring
}

// TenantQuery filters tenants.
type TenantQuery struct {
	Project string
	Tags    []string
}

// ReleaseQuery selects a project's releases, newest first.
type ReleaseQuery struct {
	Project string
	Channel string
	Limit   int
}

// DashboardQuery filters the dashboard by project and environment names.
type DashboardQuery struct {
	Projects     []string
	Environments []string
}

// DashboardRow is the current deployment of a project to an environment.
type DashboardRow struct {
	Project     string
	Environment string
	Tenant      string
	Release     string // version
	ReleaseID   string
	State       TaskState
	TaskID      string
	Completed   time.Time
}

// InterventionQuery selects pending interventions.
type InterventionQuery struct {
	TaskID      string
	Project     string
	Environment string
	Tenant      string
	Step        string // title
	PendingOnly bool
}

// InterventionKind tells manual interventions from guided failures.
type InterventionKind string

// The kinds of Intervention.
const (
	ManualIntervention InterventionKind = "manual"
	GuidedFailure      InterventionKind = "guided_failure"
)

// Intervention is an interruption: a manual intervention or a guided
// failure waiting for an answer.
type Intervention struct {
	ID          string
	Title       string
	Kind        InterventionKind
	Project     string
	Environment string
	Tenant      string
	TaskID      string
	Pending     bool
	Answered    string // the answer given, "" while pending
}

// CreateReleaseRequest asks for a release, as the CREATE RELEASE button.
type CreateReleaseRequest struct {
	Project string
	Version string // "" lets the server's versioning strategy decide
	Channel string // "" lets the server pick the best channel
	// Packages maps a step or package name ("Step", "Step:Ref", "PackageId") to a version.
	Packages       map[string]string
	PackageVersion string // one version for every package
	Notes          string
	GitRef         string
	// IfExists is "fail" or "reuse".
	IfExists string
}

// DeployRequest asks for deployments of one release.
type DeployRequest struct {
	Project string
	Release Release // Version (and ID) must be set
	// Reason says how the script chose the release ("latest eligible
	// for Test", "given by the script"), for plans and journals; the
	// server never sees it.
	Reason       string
	Environments []string
	// Tenants are names or IDs, or ["*"] for every connected tenant;
	// with TenantTags, a tenanted deployment per environment.
	Tenants         []string
	TenantTags      []string
	Variables       map[string]string
	GuidedFailure   *bool
	SkipSteps       []string
	Machines        []string
	ExcludeMachines []string
	ForceRedeploy   bool
	At, Expires     time.Time
}

// RunbookRequest asks for runbook runs.
type RunbookRequest struct {
	Project       string
	Runbook       string
	Environments  []string
	Tenants       []string
	TenantTags    []string
	Snapshot      string
	Variables     map[string]string
	GuidedFailure *bool
}

// InterventionAnswer answers one intervention.
type InterventionAnswer struct {
	ID string
	// Action is proceed or abort (manual) or retry, ignore, exclude or
	// fail (guided failure).
	Action string
	Notes  string
}
