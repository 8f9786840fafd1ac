package octosim

import (
	"strings"
)

// Well-known action types.
const (
	ActionManual  = "Octopus.Manual"
	ActionScript  = "Octopus.Script"
	ActionPackage = "Octopus.TentaclePackage"
)

// Well-known action properties.
const (
	PropManualInstructions        = "Octopus.Action.Manual.Instructions"
	PropManualTeams               = "Octopus.Action.Manual.ResponsibleTeamIds"
	PropManualBlock               = "Octopus.Action.Manual.BlockConcurrentDeployments"
	PropRunOnServer               = "Octopus.Action.RunOnServer"
	PropScriptSource              = "Octopus.Action.Script.ScriptSource"
	PropScriptSyntax              = "Octopus.Action.Script.Syntax"
	PropScriptBody                = "Octopus.Action.Script.ScriptBody"
	PropTargetRoles               = "Octopus.Action.TargetRoles"
	PropPackageID                 = "Octopus.Action.Package.PackageId"
	PropPackageFeedID             = "Octopus.Action.Package.FeedId"
	PropPackageDownloadOnTentacle = "Octopus.Action.Package.DownloadOnTentacle"
)

// normalizeSteps validates a process's steps (deployment or runbook) and
// fills what the server fills: IDs, slugs, defaults, [] for lists. Stored
// steps are never changed in place, so the result is a new slice of copies.
func normalizeSteps(o *op, projectID string, steps []*Step) ([]*Step, error) {
	out := make([]*Step, 0, len(steps))
	stepNames := map[string]bool{}
	actionNames := map[string]bool{}
	for i, s := range steps {
		if s == nil {
			continue
		}
		sc := *s
		if strings.TrimSpace(sc.Name) == "" {
			return nil, badRequest("Step %d must have a name.", i+1)
		}
		if stepNames[strings.ToLower(sc.Name)] {
			return nil, badRequest("The step name '%s' is used more than once. Step names must be unique.", sc.Name)
		}
		stepNames[strings.ToLower(sc.Name)] = true
		if sc.ID == "" {
			sc.ID = guid(o.st.rng)
		}
		if sc.Slug == "" {
			sc.Slug = slugify(sc.Name)
		}
		var err error
		if sc.Condition, err = oneOf("Condition", sc.Condition, "Success", "Success", "Failure", "Always", "Variable"); err != nil {
			return nil, err
		}
		if sc.StartTrigger, err = oneOf("StartTrigger", sc.StartTrigger, "StartAfterPrevious", "StartAfterPrevious", "StartWithPrevious"); err != nil {
			return nil, err
		}
		if sc.PackageRequirement, err = oneOf("PackageRequirement", sc.PackageRequirement, "LetOctopusDecide",
			"LetOctopusDecide", "BeforePackageAcquisition", "AfterPackageAcquisition"); err != nil {
			return nil, err
		}
		sc.Properties = copyProps(sc.Properties)
		if len(sc.Actions) == 0 {
			return nil, badRequest("The step '%s' must have at least one action.", sc.Name)
		}
		sc.Actions = make([]*Action, 0, len(s.Actions))
		for _, a := range s.Actions {
			if a == nil {
				continue
			}
			ac, err := normalizeAction(o, projectID, a, actionNames)
			if err != nil {
				return nil, err
			}
			sc.Actions = append(sc.Actions, ac)
		}
		out = append(out, &sc)
	}
	return out, nil
}

func normalizeAction(o *op, projectID string, a *Action, names map[string]bool) (*Action, error) {
	ac := *a
	if strings.TrimSpace(ac.Name) == "" {
		return nil, badRequest("Every action must have a name.")
	}
	if names[strings.ToLower(ac.Name)] {
		return nil, badRequest("The action name '%s' is used more than once. Action names must be unique.", ac.Name)
	}
	names[strings.ToLower(ac.Name)] = true
	if strings.TrimSpace(ac.ActionType) == "" {
		return nil, badRequest("The action '%s' must have an action type.", ac.Name)
	}
	if ac.ID == "" {
		ac.ID = guid(o.st.rng)
	}
	if ac.Slug == "" {
		ac.Slug = slugify(ac.Name)
	}
	ac.Properties = copyProps(ac.Properties)
	for _, list := range [][]string{ac.Environments, ac.ExcludedEnvironments} {
		for _, id := range list {
			if _, ok := kEnvironments.tab(o.st).get(o.spaceID, id); !ok {
				return nil, badRequest("The environment '%s' used by the action '%s' does not exist.", id, ac.Name)
			}
		}
	}
	for _, id := range ac.Channels {
		ch, ok := kChannels.tab(o.st).get(o.spaceID, id)
		if !ok || !sameSpace(ch.ProjectID, projectID) {
			return nil, badRequest("The channel '%s' used by the action '%s' does not belong to this project.", id, ac.Name)
		}
	}
	if err := checkTenantTags(o, ac.TenantTags); err != nil {
		return nil, err
	}
	ac.Environments = dedupe(ac.Environments)
	ac.ExcludedEnvironments = dedupe(ac.ExcludedEnvironments)
	ac.Channels = dedupe(ac.Channels)
	ac.TenantTags = dedupe(ac.TenantTags)
	ac.GitDependencies = nonNil(ac.GitDependencies)
	pkgs := make([]*PackageReference, 0, len(ac.Packages))
	refNames := map[string]bool{}
	for _, p := range ac.Packages {
		if p == nil {
			continue
		}
		pc := *p
		if pc.ID == "" {
			pc.ID = guid(o.st.rng)
		}
		if refNames[strings.ToLower(pc.Name)] {
			return nil, badRequest("The action '%s' references two packages named '%s'.", ac.Name, pc.Name)
		}
		refNames[strings.ToLower(pc.Name)] = true
		if pc.PackageID == "" {
			return nil, badRequest("A package reference of the action '%s' has no package ID.", ac.Name)
		}
		if pc.FeedID == "" {
			pc.FeedID = BuiltInFeedID
		}
		if !isExpression(pc.FeedID) {
			if _, ok := kFeeds.tab(o.st).get(o.spaceID, pc.FeedID); !ok {
				return nil, badRequest("The feed '%s' used by the action '%s' does not exist.", pc.FeedID, ac.Name)
			}
		}
		if pc.AcquisitionLocation == "" {
			pc.AcquisitionLocation = "Server"
		}
		if pc.Properties == nil {
			pc.Properties = map[string]string{}
		}
		pkgs = append(pkgs, &pc)
	}
	ac.Packages = pkgs
	switch ac.ActionType {
	case ActionManual:
		if _, ok := ac.Properties[PropRunOnServer]; !ok {
			ac.Properties[PropRunOnServer] = NewProperty("true")
		}
		if _, ok := ac.Properties[PropManualBlock]; !ok {
			ac.Properties[PropManualBlock] = NewProperty("False")
		}
		for _, tid := range splitCSV(ac.Properties.Get(PropManualTeams)) {
			if _, ok := kTeams.tab(o.st).get("", tid); !ok {
				return nil, badRequest("The team '%s' responsible for the manual intervention '%s' does not exist.", tid, ac.Name)
			}
		}
	case ActionScript:
		if _, ok := ac.Properties[PropScriptSource]; !ok {
			ac.Properties[PropScriptSource] = NewProperty("Inline")
		}
	}
	return &ac, nil
}

func copyProps(p Properties) Properties {
	out := Properties{}
	for k, v := range p {
		out[k] = v
	}
	return out
}

// isExpression reports whether a value is an Octopus variable expression,
// which the server cannot resolve at save time.
func isExpression(s string) bool { return strings.Contains(s, "#{") }

// splitCSV splits a comma-separated property such as ResponsibleTeamIds.
func splitCSV(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// PackageUse is one package a process step needs, as templates list them.
type PackageUse struct {
	StepName      string
	ActionName    string
	ReferenceName string
	PackageID     string
	FeedID        string
}

// packageUses lists the packages of a process's enabled actions, in order.
func packageUses(steps []*Step) []PackageUse {
	var out []PackageUse
	for _, s := range steps {
		for _, a := range s.Actions {
			if a.IsDisabled {
				continue
			}
			for _, p := range a.Packages {
				out = append(out, PackageUse{StepName: s.Name, ActionName: a.Name, ReferenceName: p.Name,
					PackageID: p.PackageID, FeedID: p.FeedID})
			}
		}
	}
	return out
}
