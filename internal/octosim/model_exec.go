package octosim

import (
	"encoding/json"
	"time"
)

// The documents of round B: releases, deployments, runbook runs, server
// tasks, interruptions and defects. Deployments, runbook runs, tasks and
// interruptions can number in the tens of thousands, so they are stored
// without Links (the shared noLinks map) and render them when encoded.

// noLinks is the Links value of documents whose links are computed when
// they are encoded. It is shared and must never be written to.
var noLinks = map[string]string{}

// Release is /api/{space}/releases: a project's process, variables and
// package versions frozen under a version number.
type Release struct {
	Meta
	Version                            string             `json:"Version"`
	ChannelID                          string             `json:"ChannelId"`
	ProjectID                          string             `json:"ProjectId"`
	ReleaseNotes                       *string            `json:"ReleaseNotes"`
	Assembled                          *Timestamp         `json:"Assembled"`
	IgnoreChannelRules                 bool               `json:"IgnoreChannelRules"`
	BuildInformation                   []jsonRaw          `json:"BuildInformation"`
	ProjectDeploymentProcessSnapshotID string             `json:"ProjectDeploymentProcessSnapshotId"`
	ProjectVariableSetSnapshotID       string             `json:"ProjectVariableSetSnapshotId"`
	LibraryVariableSetSnapshotIDs      []string           `json:"LibraryVariableSetSnapshotIds"`
	SelectedPackages                   []*SelectedPackage `json:"SelectedPackages"`
	SelectedGitResources               []jsonRaw          `json:"SelectedGitResources"`
	VersionControlReference            jsonRaw            `json:"VersionControlReference"`
	CustomFields                       map[string]string  `json:"CustomFields"`
}

// releaseLinks are a release's links (real names from a 2024.3 capture).
func releaseLinks(r *Release) map[string]string {
	sp := "/api/" + r.SpaceID
	base := sp + "/releases/" + r.ID
	return map[string]string{
		"Self":                             base,
		"Project":                          sp + "/projects/" + r.ProjectID,
		"Channel":                          sp + "/channels/" + r.ChannelID,
		"Progression":                      base + "/progression",
		"Deployments":                      base + "/deployments{?skip,take}",
		"DeploymentTemplate":               base + "/deployments/template",
		"Artifacts":                        sp + "/artifacts?regarding=" + r.ID,
		"ProjectVariableSnapshot":          sp + "/variables/" + r.ProjectVariableSetSnapshotID,
		"ProjectDeploymentProcessSnapshot": sp + "/deploymentprocesses/" + r.ProjectDeploymentProcessSnapshotID,
		"Web":                              "/app#/" + r.SpaceID + "/releases/" + r.ID,
		"SnapshotVariables":                base + "/snapshot-variables",
		"Defects":                          base + "/defects",
		"ReportDefect":                     base + "/defects",
		"ResolveDefect":                    base + "/defects/resolve",
		"DeploymentPreviews":               base + "/deployments/previews",
	}
}

// Deployment is /api/{space}/deployments: one release going to one
// environment (and tenant), carried out by a server task.
type Deployment struct {
	Meta
	Name                     string            `json:"Name"`
	ProjectID                string            `json:"ProjectId"`
	ReleaseID                string            `json:"ReleaseId"`
	ChannelID                string            `json:"ChannelId"`
	EnvironmentID            string            `json:"EnvironmentId"`
	TenantID                 *string           `json:"TenantId"`
	TaskID                   string            `json:"TaskId"`
	DeploymentProcessID      string            `json:"DeploymentProcessId"`
	ManifestVariableSetID    string            `json:"ManifestVariableSetId"`
	Created                  *Timestamp        `json:"Created"`
	DeployedBy               string            `json:"DeployedBy"`
	DeployedByID             *string           `json:"DeployedById"`
	UseGuidedFailure         bool              `json:"UseGuidedFailure"`
	ForcePackageDownload     bool              `json:"ForcePackageDownload"`
	ForcePackageRedeployment bool              `json:"ForcePackageRedeployment"`
	Priority                 string            `json:"Priority"`
	Comments                 *string           `json:"Comments"`
	SkipActions              []string          `json:"SkipActions"`
	SpecificMachineIDs       []string          `json:"SpecificMachineIds"`
	ExcludedMachineIDs       []string          `json:"ExcludedMachineIds"`
	QueueTime                *Timestamp        `json:"QueueTime"`
	QueueTimeExpiry          *Timestamp        `json:"QueueTimeExpiry"`
	FormValues               map[string]string `json:"FormValues"`
	FailureEncountered       bool              `json:"FailureEncountered"`
	Changes                  []jsonRaw         `json:"Changes"`
	ChangesMarkdown          string            `json:"ChangesMarkdown"`
	DeployedToMachineIDs     []string          `json:"DeployedToMachineIds"`
}

func (d Deployment) MarshalJSON() ([]byte, error) {
	type plain Deployment
	p := plain(d)
	sp := "/api/" + d.SpaceID
	p.Links = map[string]string{
		"Self":          sp + "/deployments/" + d.ID,
		"Release":       sp + "/releases/" + d.ReleaseID,
		"Environment":   sp + "/environments/" + d.EnvironmentID,
		"Project":       sp + "/projects/" + d.ProjectID,
		"Task":          "/api/tasks/" + d.TaskID,
		"Web":           "/app#/" + d.SpaceID + "/deployments/" + d.ID,
		"Artifacts":     sp + "/artifacts?regarding=" + d.ID,
		"Interruptions": sp + "/interruptions?regarding=" + d.ID,
	}
	if d.TenantID != nil {
		p.Links["Tenant"] = sp + "/tenants/" + *d.TenantID
	}
	return json.Marshal(p)
}

func (d *Deployment) tenant() string { return deref(d.TenantID) }

// RunbookRun is /api/{space}/runbookRuns: a runbook snapshot run in one
// environment (and tenant).
type RunbookRun struct {
	Meta
	Name                   string            `json:"Name"`
	ProjectID              string            `json:"ProjectId"`
	RunbookID              string            `json:"RunbookId"`
	RunbookSnapshotID      string            `json:"RunbookSnapshotId"`
	FrozenRunbookProcessID string            `json:"FrozenRunbookProcessId"`
	EnvironmentID          string            `json:"EnvironmentId"`
	TenantID               *string           `json:"TenantId"`
	TaskID                 string            `json:"TaskId"`
	Created                *Timestamp        `json:"Created"`
	DeployedBy             string            `json:"DeployedBy"`
	DeployedByID           *string           `json:"DeployedById"`
	UseGuidedFailure       bool              `json:"UseGuidedFailure"`
	ForcePackageDownload   bool              `json:"ForcePackageDownload"`
	Priority               string            `json:"Priority"`
	Comments               *string           `json:"Comments"`
	SkipActions            []string          `json:"SkipActions"`
	SpecificMachineIDs     []string          `json:"SpecificMachineIds"`
	ExcludedMachineIDs     []string          `json:"ExcludedMachineIds"`
	QueueTime              *Timestamp        `json:"QueueTime"`
	QueueTimeExpiry        *Timestamp        `json:"QueueTimeExpiry"`
	FormValues             map[string]string `json:"FormValues"`
	FailureEncountered     bool              `json:"FailureEncountered"`
	DeployedToMachineIDs   []string          `json:"DeployedToMachineIds"`
}

func (r RunbookRun) MarshalJSON() ([]byte, error) {
	type plain RunbookRun
	p := plain(r)
	sp := "/api/" + r.SpaceID
	p.Links = map[string]string{
		"Self":            sp + "/runbookRuns/" + r.ID,
		"Project":         sp + "/projects/" + r.ProjectID,
		"Runbook":         sp + "/runbooks/" + r.RunbookID,
		"RunbookSnapshot": sp + "/runbookSnapshots/" + r.RunbookSnapshotID,
		"Environment":     sp + "/environments/" + r.EnvironmentID,
		"Task":            "/api/tasks/" + r.TaskID,
		"Web":             "/app#/" + r.SpaceID + "/projects/" + r.ProjectID + "/operations/runbooks/" + r.RunbookID + "/snapshots/" + r.RunbookSnapshotID + "/runs/" + r.ID,
		"Artifacts":       sp + "/artifacts?regarding=" + r.ID,
		"Interruptions":   sp + "/interruptions?regarding=" + r.ID,
	}
	if r.TenantID != nil {
		p.Links["Tenant"] = sp + "/tenants/" + *r.TenantID
	}
	return json.Marshal(p)
}

func (r *RunbookRun) tenant() string { return deref(r.TenantID) }

// Task states, as Octopus names them.
const (
	StateQueued     = "Queued"
	StateExecuting  = "Executing"
	StateCancelling = "Cancelling"
	StateSuccess    = "Success"
	StateFailed     = "Failed"
	StateCanceled   = "Canceled"
	StateTimedOut   = "TimedOut"
)

func isTerminal(state string) bool {
	switch state {
	case StateSuccess, StateFailed, StateCanceled, StateTimedOut:
		return true
	}
	return false
}

// ServerTask is a task (ServerTasks-N). The stored document is small and
// immutable; what clients see (Duration, Completed, IsCompleted, Links...)
// is rendered by taskView.
type ServerTask struct {
	Meta
	Name                     string
	Description              string
	State                    string
	QueueTime                time.Time
	QueueTimeExpiry          time.Time
	StartTime                time.Time
	CompletedTime            time.Time
	LastUpdatedTime          time.Time
	ErrorMessage             string
	HasPendingInterruptions  bool
	HasWarningsOrErrors      bool
	PendingInterruptionTypes []string
	PickedUp                 bool
	ProjectID                string
	EnvironmentID            string
	TenantID                 string
	DeploymentID             string
	RunbookRunID             string
	RunbookID                string
}

// TaskResource is a task as the API shows it.
type TaskResource struct {
	ID                                     string            `json:"Id"`
	SpaceID                                string            `json:"SpaceId"`
	Name                                   string            `json:"Name"`
	Description                            string            `json:"Description"`
	Arguments                              map[string]any    `json:"Arguments"`
	State                                  string            `json:"State"`
	Completed                              string            `json:"Completed"`
	QueueTime                              *Timestamp        `json:"QueueTime"`
	QueueTimeExpiry                        *Timestamp        `json:"QueueTimeExpiry"`
	StartTime                              *Timestamp        `json:"StartTime"`
	LastUpdatedTime                        *Timestamp        `json:"LastUpdatedTime"`
	CompletedTime                          *Timestamp        `json:"CompletedTime"`
	ServerNode                             *string           `json:"ServerNode"`
	Duration                               string            `json:"Duration"`
	ErrorMessage                           string            `json:"ErrorMessage"`
	HasBeenPickedUpByProcessor             bool              `json:"HasBeenPickedUpByProcessor"`
	IsCompleted                            bool              `json:"IsCompleted"`
	FinishedSuccessfully                   bool              `json:"FinishedSuccessfully"`
	HasPendingInterruptions                bool              `json:"HasPendingInterruptions"`
	CanRerun                               bool              `json:"CanRerun"`
	HasWarningsOrErrors                    bool              `json:"HasWarningsOrErrors"`
	ProjectID                              *string           `json:"ProjectId"`
	PendingInterruptionTypes               []string          `json:"PendingInterruptionTypes"`
	HasPendingPreconditions                bool              `json:"HasPendingPreconditions"`
	PendingPreconditionTypes               []string          `json:"PendingPreconditionTypes"`
	EstimatedRemainingQueueDurationSeconds int               `json:"EstimatedRemainingQueueDurationSeconds"`
	LastModifiedOn                         *Timestamp        `json:"LastModifiedOn,omitempty"`
	LastModifiedBy                         string            `json:"LastModifiedBy,omitempty"`
	Links                                  map[string]string `json:"Links"`
}

// Interruption is a manual intervention or a guided failure waiting for
// (or given) an answer.
type Interruption struct {
	Meta
	Title                       string            `json:"Title"`
	Type                        string            `json:"Type"`
	Created                     *Timestamp        `json:"Created"`
	IsPending                   bool              `json:"IsPending"`
	Form                        *InterruptionForm `json:"Form"`
	RelatedDocumentIDs          []string          `json:"RelatedDocumentIds"`
	ResponsibleTeamIDs          []string          `json:"ResponsibleTeamIds"`
	ResponsibleUserID           *string           `json:"ResponsibleUserId"`
	CanTakeResponsibility       bool              `json:"CanTakeResponsibility"`
	HasResponsibility           bool              `json:"HasResponsibility"`
	TaskID                      string            `json:"TaskId"`
	CorrelationID               string            `json:"CorrelationId"`
	IsLinkedToOtherInterruption bool              `json:"IsLinkedToOtherInterruption"`

	projectID, environmentID, tenantID string
	stepIndex                          int
	required                           bool
}

func (i Interruption) MarshalJSON() ([]byte, error) {
	type plain Interruption
	p := plain(i)
	base := "/api/" + i.SpaceID + "/interruptions/" + i.ID
	p.Links = map[string]string{"Self": base, "Submit": base + "/submit", "Responsible": base + "/responsible"}
	return json.Marshal(p)
}

// Interruption types.
const (
	InterruptionManual = "ManualIntervention"
	InterruptionGuided = "GuidedFailure"
)

// InterruptionForm is what the answer looks like: values by name and the
// elements a UI draws.
type InterruptionForm struct {
	Values   map[string]*string `json:"Values"`
	Elements []*FormElement     `json:"Elements"`
}

// FormElement is one field of an interruption form.
type FormElement struct {
	Name            string `json:"Name"`
	Control         any    `json:"Control"`
	IsValueRequired bool   `json:"IsValueRequired"`
}

// FormButton is one button of a SubmitButtonGroup.
type FormButton struct {
	Text                 string `json:"Text"`
	Value                string `json:"Value"`
	RequiresConfirmation bool   `json:"RequiresConfirmation"`
}

// Defect is a problem reported against a release; an unresolved one stops
// the release entering new lifecycle phases.
type Defect struct {
	Meta
	ReleaseID   string `json:"-"`
	Description string `json:"Description"`
	Status      string `json:"Status"`
}

func (d Defect) MarshalJSON() ([]byte, error) {
	type plain Defect
	p := plain(d)
	p.Links = map[string]string{"Self": "/api/" + d.SpaceID + "/releases/" + d.ReleaseID + "/defects/" + d.ID}
	return json.Marshal(p)
}
