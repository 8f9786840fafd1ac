package octosim

import "encoding/json"

// RunbookRetentionPolicy says how many runs to keep per environment.
type RunbookRetentionPolicy struct {
	QuantityToKeep    int    `json:"QuantityToKeep"`
	ShouldKeepForever bool   `json:"ShouldKeepForever"`
	Strategy          string `json:"Strategy,omitempty"`
	Unit              string `json:"Unit,omitempty"`
}

// Runbook is /api/{space}/runbooks.
type Runbook struct {
	Meta
	Name                       string                  `json:"Name"`
	Slug                       string                  `json:"Slug"`
	Description                string                  `json:"Description"`
	ProjectID                  string                  `json:"ProjectId"`
	RunbookProcessID           string                  `json:"RunbookProcessId"`
	PublishedRunbookSnapshotID *string                 `json:"PublishedRunbookSnapshotId"`
	EnvironmentScope           string                  `json:"EnvironmentScope"`
	Environments               []string                `json:"Environments"`
	MultiTenancyMode           string                  `json:"MultiTenancyMode"`
	DefaultGuidedFailureMode   string                  `json:"DefaultGuidedFailureMode"`
	RunRetentionPolicy         *RunbookRetentionPolicy `json:"RunRetentionPolicy"`
	ConnectivityPolicy         *ConnectivityPolicy     `json:"ConnectivityPolicy"`
	ForcePackageDownload       bool                    `json:"ForcePackageDownload"`
	RunbookTags                []string                `json:"RunbookTags"`
}

// RunbookProcess is a runbook's steps ("RunbookProcess-Runbooks-1"), or a
// snapshot's frozen copy of them.
type RunbookProcess struct {
	Meta
	ProjectID      string  `json:"ProjectId"`
	RunbookID      string  `json:"RunbookId"`
	Version        int     `json:"Version"`
	LastSnapshotID *string `json:"LastSnapshotId"`
	Steps          []*Step `json:"Steps"`
}

// SelectedPackage is the version of one package a snapshot (or release)
// uses.
type SelectedPackage struct {
	ActionName           string `json:"ActionName"`
	PackageReferenceName string `json:"PackageReferenceName"`
	StepName             string `json:"StepName"`
	Version              string `json:"Version"`
}

// RunbookSnapshot is /api/{space}/runbookSnapshots: a runbook's process and
// variables frozen, ready to run.
type RunbookSnapshot struct {
	Meta
	Name                          string             `json:"Name"`
	Notes                         *string            `json:"Notes"`
	ProjectID                     string             `json:"ProjectId"`
	RunbookID                     string             `json:"RunbookId"`
	Assembled                     *Timestamp         `json:"Assembled"`
	FrozenRunbookProcessID        string             `json:"FrozenRunbookProcessId"`
	FrozenProjectVariableSetID    string             `json:"FrozenProjectVariableSetId"`
	ProjectVariableSetSnapshotID  string             `json:"ProjectVariableSetSnapshotId"`
	LibraryVariableSetSnapshotIDs []string           `json:"LibraryVariableSetSnapshotIds"`
	SelectedPackages              []*SelectedPackage `json:"SelectedPackages"`
	SelectedGitResources          []json.RawMessage  `json:"SelectedGitResources"`
}
