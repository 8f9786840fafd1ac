package octosim

import "encoding/json"

// DefaultVersionTemplate is the versioning template of a new project.
const DefaultVersionTemplate = "#{Octopus.Version.LastMajor}.#{Octopus.Version.LastMinor}.#{Octopus.Version.NextPatch}"

// DeploymentActionPackage names a package of a step: the action, and the
// package reference ("" for the primary package).
type DeploymentActionPackage struct {
	DeploymentAction string `json:"DeploymentAction"`
	PackageReference string `json:"PackageReference"`
}

// VersioningStrategy says how release numbers are chosen: a template, or
// the version of a donor package.
type VersioningStrategy struct {
	Template           string                   `json:"Template"`
	DonorPackage       *DeploymentActionPackage `json:"DonorPackage"`
	DonorPackageStepID *string                  `json:"DonorPackageStepId"`
}

// PersistenceSettings says where a project's configuration lives.
type PersistenceSettings struct {
	Type string `json:"Type"`
}

// Project is /api/{space}/projects.
type Project struct {
	Meta
	Name                            string               `json:"Name"`
	Slug                            string               `json:"Slug"`
	Description                     string               `json:"Description"`
	ProjectGroupID                  string               `json:"ProjectGroupId"`
	LifecycleID                     string               `json:"LifecycleId"`
	IsDisabled                      bool                 `json:"IsDisabled"`
	VariableSetID                   string               `json:"VariableSetId"`
	DeploymentProcessID             string               `json:"DeploymentProcessId"`
	IncludedLibraryVariableSetIDs   []string             `json:"IncludedLibraryVariableSetIds"`
	TenantedDeploymentMode          string               `json:"TenantedDeploymentMode"`
	DefaultGuidedFailureMode        string               `json:"DefaultGuidedFailureMode"`
	VersioningStrategy              *VersioningStrategy  `json:"VersioningStrategy"`
	ReleaseNotesTemplate            *string              `json:"ReleaseNotesTemplate"`
	DeploymentChangesTemplate       *string              `json:"DeploymentChangesTemplate"`
	DefaultToSkipIfAlreadyInstalled bool                 `json:"DefaultToSkipIfAlreadyInstalled"`
	AllowIgnoreChannelRules         bool                 `json:"AllowIgnoreChannelRules"`
	DiscreteChannelRelease          bool                 `json:"DiscreteChannelRelease"`
	AutoCreateRelease               bool                 `json:"AutoCreateRelease"`
	IsVersionControlled             bool                 `json:"IsVersionControlled"`
	ProjectConnectivityPolicy       *ConnectivityPolicy  `json:"ProjectConnectivityPolicy"`
	PersistenceSettings             *PersistenceSettings `json:"PersistenceSettings"`
	ClonedFromProjectID             *string              `json:"ClonedFromProjectId"`
	ReleaseCreationStrategy         json.RawMessage      `json:"ReleaseCreationStrategy,omitempty"`
	AutoDeployReleaseOverrides      []json.RawMessage    `json:"AutoDeployReleaseOverrides"`
	Templates                       []json.RawMessage    `json:"Templates"`
	ExtensionSettings               []json.RawMessage    `json:"ExtensionSettings"`
	ProjectTags                     []string             `json:"ProjectTags"`
}

// DeploymentSettings is a project's deployment settings document
// (/projects/{id}/deploymentsettings), which owns the versioning strategy on
// servers since 2021.2.
type DeploymentSettings struct {
	Meta
	ProjectID                       string              `json:"ProjectId"`
	ConnectivityPolicy              *ConnectivityPolicy `json:"ConnectivityPolicy"`
	DefaultGuidedFailureMode        string              `json:"DefaultGuidedFailureMode"`
	VersioningStrategy              *VersioningStrategy `json:"VersioningStrategy"`
	ReleaseNotesTemplate            *string             `json:"ReleaseNotesTemplate"`
	DefaultToSkipIfAlreadyInstalled bool                `json:"DefaultToSkipIfAlreadyInstalled"`
	DeploymentChangesTemplate       *string             `json:"DeploymentChangesTemplate"`
	ForcePackageDownload            bool                `json:"ForcePackageDownload"`
	FailTargetDiscovery             bool                `json:"FailTargetDiscovery"`
}

// ChannelRule constrains the package versions a channel's releases use.
type ChannelRule struct {
	ID                 string                    `json:"Id"`
	VersionRange       string                    `json:"VersionRange"`
	Tag                string                    `json:"Tag"`
	VersioningStrategy string                    `json:"VersioningStrategy,omitempty"`
	VersionTagRegex    string                    `json:"VersionTagRegex,omitempty"`
	ActionPackages     []DeploymentActionPackage `json:"ActionPackages"`
}

// Channel is /api/{space}/channels.
type Channel struct {
	Meta
	Name                   string            `json:"Name"`
	Slug                   string            `json:"Slug"`
	Description            string            `json:"Description"`
	ProjectID              string            `json:"ProjectId"`
	LifecycleID            *string           `json:"LifecycleId"`
	IsDefault              bool              `json:"IsDefault"`
	Rules                  []*ChannelRule    `json:"Rules"`
	TenantTags             []string          `json:"TenantTags"`
	Type                   string            `json:"Type"`
	GitReferenceRules      []string          `json:"GitReferenceRules"`
	GitResourceRules       []json.RawMessage `json:"GitResourceRules"`
	CustomFieldDefinitions []json.RawMessage `json:"CustomFieldDefinitions"`
}

// PackageReference is a package an action uses.
type PackageReference struct {
	ID                  string            `json:"Id"`
	Name                string            `json:"Name"`
	PackageID           string            `json:"PackageId"`
	FeedID              string            `json:"FeedId"`
	AcquisitionLocation string            `json:"AcquisitionLocation"`
	Properties          map[string]string `json:"Properties"`
}

// Action is what a step does ("Octopus.Script", "Octopus.Manual", ...).
type Action struct {
	ID                            string              `json:"Id"`
	Name                          string              `json:"Name"`
	Slug                          string              `json:"Slug"`
	ActionType                    string              `json:"ActionType"`
	Notes                         *string             `json:"Notes"`
	IsDisabled                    bool                `json:"IsDisabled"`
	IsRequired                    bool                `json:"IsRequired"`
	CanBeUsedForProjectVersioning bool                `json:"CanBeUsedForProjectVersioning"`
	Condition                     string              `json:"Condition,omitempty"`
	WorkerPoolID                  *string             `json:"WorkerPoolId"`
	WorkerPoolVariable            *string             `json:"WorkerPoolVariable"`
	Container                     json.RawMessage     `json:"Container,omitempty"`
	Environments                  []string            `json:"Environments"`
	ExcludedEnvironments          []string            `json:"ExcludedEnvironments"`
	Channels                      []string            `json:"Channels"`
	TenantTags                    []string            `json:"TenantTags"`
	Packages                      []*PackageReference `json:"Packages"`
	GitDependencies               []json.RawMessage   `json:"GitDependencies"`
	Properties                    Properties          `json:"Properties"`
	StepPackageVersion            string              `json:"StepPackageVersion,omitempty"`
}

// Step is one step of a process; its actions run together.
type Step struct {
	ID                 string     `json:"Id"`
	Name               string     `json:"Name"`
	Slug               string     `json:"Slug"`
	PackageRequirement string     `json:"PackageRequirement"`
	Properties         Properties `json:"Properties"`
	Condition          string     `json:"Condition"`
	StartTrigger       string     `json:"StartTrigger"`
	Actions            []*Action  `json:"Actions"`
}

// DeploymentProcess is a project's process ("deploymentprocess-Projects-1"),
// or a frozen copy of it ("deploymentprocess-Projects-1-s-2-ABCDE").
type DeploymentProcess struct {
	Meta
	ProjectID      string  `json:"ProjectId"`
	Version        int     `json:"Version"`
	LastSnapshotID *string `json:"LastSnapshotId"`
	Steps          []*Step `json:"Steps"`
}

// VariablePrompt makes a variable prompted: a deployment asks for its
// value (the preview's Form has an element for it).
type VariablePrompt struct {
	Label           string            `json:"Label"`
	Description     string            `json:"Description"`
	Required        bool              `json:"Required"`
	DisplaySettings map[string]string `json:"DisplaySettings"`
}

// Variable is one variable of a variable set. Type is "String" or
// "Sensitive"; a sensitive value is never sent back.
type Variable struct {
	ID          string              `json:"Id"`
	Name        string              `json:"Name"`
	Value       *string             `json:"Value"`
	Description *string             `json:"Description"`
	Type        string              `json:"Type"`
	IsSensitive bool                `json:"IsSensitive"`
	IsEditable  bool                `json:"IsEditable"`
	Prompt      *VariablePrompt     `json:"Prompt"`
	Scope       map[string][]string `json:"Scope"`
}

// VariableSet is a project's variables ("variableset-Projects-1"). Only
// seeds fill it; the simulator uses its prompted variables.
type VariableSet struct {
	Meta
	OwnerID   string      `json:"OwnerId"`
	Version   int         `json:"Version"`
	Variables []*Variable `json:"Variables"`
}
