package builtins

import "github.com/octostar/octostar/interp"

// Group headings, in the order the docs show them.
const (
	GroupTargets  = "Targets"
	GroupActions  = "Actions (the four buttons and waiting)"
	GroupQueries  = "Queries"
	GroupLanguage = "Language helpers"
)

// octopusSpecs are the builtins that talk to Octopus, in doc order.
func octopusSpecs() []*interp.Spec {
	return []*interp.Spec{
		targetSpec,
		createReleaseSpec, deploySpec, promoteSpec, runRunbookSpec, interveneSpec, waitSpec, outputSpec,
		projectsSpec, environmentsSpec, tenantsSpec, releasesSpec, currentSpec, dashboardSpec, interventionsSpec, progressionSpec,
	}
}

// Registry returns a new registry holding every octostar builtin.
func Registry() *interp.Registry {
	r := interp.NewRegistry()
	r.Add(octopusSpecs()...)
	r.Add(coreSpecs()...)
	return r
}
