package octosim

import "encoding/json"

// Environment is /api/{space}/environments.
type Environment struct {
	Meta
	Name                       string            `json:"Name"`
	Slug                       string            `json:"Slug"`
	Description                string            `json:"Description"`
	SortOrder                  int               `json:"SortOrder"`
	UseGuidedFailure           bool              `json:"UseGuidedFailure"`
	AllowDynamicInfrastructure bool              `json:"AllowDynamicInfrastructure"`
	EnvironmentTags            []string          `json:"EnvironmentTags"`
	ExtensionSettings          []json.RawMessage `json:"ExtensionSettings"`
}

// RetentionPeriod is a lifecycle or phase retention policy.
type RetentionPeriod struct {
	QuantityToKeep    int    `json:"QuantityToKeep"`
	ShouldKeepForever bool   `json:"ShouldKeepForever"`
	Unit              string `json:"Unit"`
	Strategy          string `json:"Strategy,omitempty"`
}

// Phase is one stage of a lifecycle.
type Phase struct {
	ID                                 string           `json:"Id"`
	Name                               string           `json:"Name"`
	AutomaticDeploymentTargets         []string         `json:"AutomaticDeploymentTargets"`
	OptionalDeploymentTargets          []string         `json:"OptionalDeploymentTargets"`
	MinimumEnvironmentsBeforePromotion int              `json:"MinimumEnvironmentsBeforePromotion"`
	IsOptionalPhase                    bool             `json:"IsOptionalPhase"`
	IsPriorityPhase                    bool             `json:"IsPriorityPhase"`
	ReleaseRetentionPolicy             *RetentionPeriod `json:"ReleaseRetentionPolicy"`
	TentacleRetentionPolicy            *RetentionPeriod `json:"TentacleRetentionPolicy"`
}

// Lifecycle is /api/{space}/lifecycles.
type Lifecycle struct {
	Meta
	Name                    string           `json:"Name"`
	Slug                    string           `json:"Slug"`
	Description             string           `json:"Description"`
	Phases                  []*Phase         `json:"Phases"`
	ReleaseRetentionPolicy  *RetentionPeriod `json:"ReleaseRetentionPolicy"`
	TentacleRetentionPolicy *RetentionPeriod `json:"TentacleRetentionPolicy"`
}

// ProjectGroup is /api/{space}/projectgroups.
type ProjectGroup struct {
	Meta
	Name              string   `json:"Name"`
	Slug              string   `json:"Slug"`
	Description       string   `json:"Description"`
	EnvironmentIDs    []string `json:"EnvironmentIds"`
	RetentionPolicyID *string  `json:"RetentionPolicyId"`
}
