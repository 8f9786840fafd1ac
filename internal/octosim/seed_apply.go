package octosim

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/octostar/octostar/internal/spell"
)

// SeedError is a seed problem at a JSON path.
type SeedError struct {
	Path string
	Msg  string
}

func (e *SeedError) Error() string { return "seed: " + e.Path + ": " + e.Msg }

func seedErr(path, format string, args ...any) error {
	return &SeedError{Path: path, Msg: fmt.Sprintf(format, args...)}
}

// wrapSeed reports an operation's refusal at the seed path, with the
// detail a client would have seen in Errors.
func wrapSeed(path string, err error) error {
	if err == nil {
		return nil
	}
	var se *SeedError
	if errors.As(err, &se) {
		return err
	}
	var ae *apiError
	if errors.As(err, &ae) {
		msg := ae.Message
		if len(ae.Errors) > 0 {
			msg = strings.Join(ae.Errors, " ")
		}
		return &SeedError{Path: path, Msg: msg}
	}
	return &SeedError{Path: path, Msg: err.Error()}
}

// seeder applies a seed through ops; o is the administrator's op.
type seeder struct {
	o *op
}

// applySeed builds the seed's world in dependency order. Every document is
// made by the operation its API endpoint uses (create, update, upload,
// snapshot), so a seed cannot make anything the API would refuse.
func applySeed(o *op, seed *Seed) error {
	if seed == nil {
		seed = &Seed{}
	}
	sd := &seeder{o: o}
	steps := []func(*Seed) error{
		sd.spaces, sd.users, sd.teams, sd.environments, sd.lifecycles, sd.projectGroups, sd.tagSets,
		sd.packages, sd.projects, sd.channels, sd.processes, sd.runbooks, sd.tenants, sd.teamRoles,
	}
	for _, step := range steps {
		if err := step(seed); err != nil {
			return err
		}
	}
	for _, h := range seedHooks {
		if err := h(o, seed); err != nil {
			return err
		}
	}
	return nil
}

// seedHooks run after the built-in sections (round B: releases,
// deployments, failure arrangements).
var seedHooks []func(o *op, seed *Seed) error

// space resolves a seed "space" field ("" = the default space).
func (sd *seeder) space(path, name string) (*op, error) {
	if name == "" {
		sp := defaultSpace(sd.o.st)
		if sp == nil {
			return nil, seedErr(path, "there is no default space")
		}
		return sd.o.in(sp.ID), nil
	}
	sp := findSpace(sd.o.st, name)
	if sp == nil {
		return nil, seedErr(path+".space", "no space named %q", name)
	}
	return sd.o.in(sp.ID), nil
}

// suggest is " (did you mean X?)" for the kind's closest name in the
// op's space, or "".
func (k *kind[T]) suggest(o *op, name string) string {
	if k.NameOf == nil {
		return ""
	}
	var names []string
	for _, v := range k.all(o) {
		names = append(names, k.NameOf(v))
	}
	if s, ok := spell.Nearest(name, names); ok {
		return " (did you mean " + s + "?)"
	}
	return ""
}

// resolve looks names up with a kind's byIDOrName.
func resolve[T entity](o *op, k *kind[T], path, what string, names []string) ([]string, error) {
	out := []string{}
	for i, n := range names {
		v, ok := k.byIDOrName(o, n)
		if !ok {
			return nil, seedErr(fmt.Sprintf("%s[%d]", path, i), "no %s named %q%s", what, n, k.suggest(o, n))
		}
		out = append(out, v.meta().ID)
	}
	return out, nil
}

func resolveOne[T entity](o *op, k *kind[T], path, what, name string) (T, error) {
	v, ok := k.byIDOrName(o, name)
	if !ok {
		var zero T
		return zero, seedErr(path, "no %s named %q%s", what, name, k.suggest(o, name))
	}
	return v, nil
}

func (sd *seeder) spaces(seed *Seed) error {
	if len(seed.Spaces) == 0 {
		_, err := kSpaces.create(sd.o, &Space{Name: defaultSpaceName, IsDefault: true})
		return wrapSeed("spaces", err)
	}
	for i, s := range seed.Spaces {
		path := fmt.Sprintf("spaces[%d]", i)
		// Managers are users, which come later: set them afterwards.
		if _, err := kSpaces.create(sd.o, &Space{Name: s.Name, Description: s.Description, IsDefault: s.Default}); err != nil {
			return wrapSeed(path, err)
		}
	}
	return nil
}

func (sd *seeder) users(seed *Seed) error {
	for i, u := range seed.Users {
		path := fmt.Sprintf("users[%d]", i)
		created, err := kUsers.create(sd.o, &User{Username: u.Username, DisplayName: u.DisplayName,
			EmailAddress: u.Email, IsService: u.Service, IsActive: !u.Inactive})
		if err != nil {
			return wrapSeed(path, err)
		}
		for j, k := range u.APIKeys {
			kp := fmt.Sprintf("%s.apiKeys[%d]", path, j)
			if k.Key != "" && !apiKeyPattern.MatchString(k.Key) {
				return seedErr(kp+".key", "an API key must be \"API-\" followed by uppercase letters and digits")
			}
			if _, err := createAPIKey(sd.o, created.ID, k.Purpose, k.Key, nil); err != nil {
				return wrapSeed(kp, err)
			}
		}
	}
	// Space managers, now that users exist.
	for i, s := range seed.Spaces {
		if len(s.Managers) == 0 {
			continue
		}
		path := fmt.Sprintf("spaces[%d].managers", i)
		ids, err := resolve(sd.o, kUsers, path, "user", s.Managers)
		if err != nil {
			return err
		}
		sp := findSpace(sd.o.st, s.Name)
		c := *sp
		c.SpaceManagersTeamMembers = ids
		if _, err := kSpaces.update(sd.o, sp.ID, &c); err != nil {
			return wrapSeed(path, err)
		}
	}
	return nil
}

// teamOp is the unit of work a team is seeded in: the system one for
// system teams, its space's otherwise.
func (sd *seeder) teamOp(path string, t SeedTeam) (*op, error) {
	if t.System {
		return sd.o, nil
	}
	return sd.space(path, t.Space)
}

func (sd *seeder) teams(seed *Seed) error {
	for i, t := range seed.Teams {
		path := fmt.Sprintf("teams[%d]", i)
		o, err := sd.teamOp(path, t)
		if err != nil {
			return err
		}
		members, err := resolve(o, kUsers, path+".members", "user", t.Members)
		if err != nil {
			return err
		}
		if _, err := kTeams.create(o, &Team{Name: t.Name, Description: t.Description, MemberUserIDs: members}); err != nil {
			return wrapSeed(path, err)
		}
	}
	return nil
}

func (sd *seeder) environments(seed *Seed) error {
	for i, e := range seed.Environments {
		path := fmt.Sprintf("environments[%d]", i)
		o, err := sd.space(path, e.Space)
		if err != nil {
			return err
		}
		if _, err := kEnvironments.create(o, &Environment{Name: e.Name, Description: e.Description,
			UseGuidedFailure: e.UseGuidedFailure, AllowDynamicInfrastructure: e.AllowDynamicInfrastructure}); err != nil {
			return wrapSeed(path, err)
		}
	}
	return nil
}

func (sd *seeder) lifecycles(seed *Seed) error {
	for i, l := range seed.Lifecycles {
		path := fmt.Sprintf("lifecycles[%d]", i)
		o, err := sd.space(path, l.Space)
		if err != nil {
			return err
		}
		lc := &Lifecycle{Name: l.Name, Description: l.Description}
		for j, p := range l.Phases {
			pp := fmt.Sprintf("%s.phases[%d]", path, j)
			auto, err := resolve(o, kEnvironments, pp+".automatic", "environment", p.Automatic)
			if err != nil {
				return err
			}
			opt, err := resolve(o, kEnvironments, pp+".optional", "environment", p.Optional)
			if err != nil {
				return err
			}
			ph := &Phase{Name: p.Name, AutomaticDeploymentTargets: auto, OptionalDeploymentTargets: opt,
				MinimumEnvironmentsBeforePromotion: p.MinimumEnvironments, IsOptionalPhase: p.IsOptional, IsPriorityPhase: p.IsPriority}
			if p.ReleaseRetentionDays > 0 {
				ph.ReleaseRetentionPolicy = &RetentionPeriod{QuantityToKeep: p.ReleaseRetentionDays, Unit: "Days", Strategy: "Count"}
			}
			lc.Phases = append(lc.Phases, ph)
		}
		if _, err := kLifecycles.create(o, lc); err != nil {
			return wrapSeed(path, err)
		}
	}
	return nil
}

func (sd *seeder) projectGroups(seed *Seed) error {
	for i, g := range seed.ProjectGroups {
		path := fmt.Sprintf("projectGroups[%d]", i)
		o, err := sd.space(path, g.Space)
		if err != nil {
			return err
		}
		if _, err := kProjectGroups.create(o, &ProjectGroup{Name: g.Name, Description: g.Description}); err != nil {
			return wrapSeed(path, err)
		}
	}
	return nil
}

func (sd *seeder) tagSets(seed *Seed) error {
	for i, t := range seed.TagSets {
		path := fmt.Sprintf("tagSets[%d]", i)
		o, err := sd.space(path, t.Space)
		if err != nil {
			return err
		}
		ts := &TagSet{Name: t.Name, Description: t.Description}
		for _, name := range t.Tags {
			ts.Tags = append(ts.Tags, &Tag{Name: name})
		}
		if _, err := kTagSets.create(o, ts); err != nil {
			return wrapSeed(path, err)
		}
	}
	return nil
}

func (sd *seeder) packages(seed *Seed) error {
	for i, p := range seed.Packages {
		path := fmt.Sprintf("packages[%d]", i)
		o, err := sd.space(path, p.Space)
		if err != nil {
			return err
		}
		if p.ID == "" {
			return seedErr(path+".id", "a package ID is required")
		}
		for j, v := range p.Versions {
			if _, _, err := addPackage(o, p.ID, v, ".zip", 0, "", "FailIfExists"); err != nil {
				return wrapSeed(fmt.Sprintf("%s.versions[%d]", path, j), err)
			}
		}
	}
	return nil
}

func (sd *seeder) projects(seed *Seed) error {
	for i, p := range seed.Projects {
		path := fmt.Sprintf("projects[%d]", i)
		o, err := sd.space(path, p.Space)
		if err != nil {
			return err
		}
		group, lifecycle := p.Group, p.Lifecycle
		if group == "" {
			group = "Default Project Group"
		}
		if lifecycle == "" {
			lifecycle = "Default Lifecycle"
		}
		g, err := resolveOne(o, kProjectGroups, path+".group", "project group", group)
		if err != nil {
			return err
		}
		l, err := resolveOne(o, kLifecycles, path+".lifecycle", "lifecycle", lifecycle)
		if err != nil {
			return err
		}
		proj := &Project{Name: p.Name, Description: p.Description, ProjectGroupID: g.ID, LifecycleID: l.ID,
			TenantedDeploymentMode: p.Tenanted, DefaultGuidedFailureMode: p.GuidedFailure, IsDisabled: p.Disabled}
		if p.VersionTemplate != "" || p.DonorPackage != "" {
			proj.VersioningStrategy = &VersioningStrategy{Template: p.VersionTemplate}
			if p.DonorPackage != "" {
				step, ref, _ := strings.Cut(p.DonorPackage, ":")
				proj.VersioningStrategy.DonorPackage = &DeploymentActionPackage{DeploymentAction: step, PackageReference: ref}
			}
		}
		created, err := kProjects.create(o, proj)
		if err != nil {
			return wrapSeed(path, err)
		}
		if err := sd.seedVariables(o, created, path, p.Variables); err != nil {
			return err
		}
	}
	return nil
}

func (sd *seeder) channels(seed *Seed) error {
	for i, c := range seed.Channels {
		path := fmt.Sprintf("channels[%d]", i)
		o, err := sd.space(path, c.Space)
		if err != nil {
			return err
		}
		p, err := resolveOne(o, kProjects, path+".project", "project", c.Project)
		if err != nil {
			return err
		}
		ch := &Channel{Name: c.Name, Description: c.Description, ProjectID: p.ID, IsDefault: c.Default, TenantTags: c.TenantTags}
		if c.Lifecycle != "" {
			l, err := resolveOne(o, kLifecycles, path+".lifecycle", "lifecycle", c.Lifecycle)
			if err != nil {
				return err
			}
			ch.LifecycleID = &l.ID
		}
		for j, r := range c.Rules {
			rule := &ChannelRule{VersionRange: r.VersionRange, Tag: r.Tag}
			for _, s := range r.Steps {
				step, ref, _ := strings.Cut(s, ":")
				rule.ActionPackages = append(rule.ActionPackages, DeploymentActionPackage{DeploymentAction: step, PackageReference: ref})
			}
			if len(rule.ActionPackages) == 0 {
				return seedErr(fmt.Sprintf("%s.rules[%d].steps", path, j), "a rule must name at least one package step")
			}
			ch.Rules = append(ch.Rules, rule)
		}
		// Declaring an existing channel (such as "Default") updates it.
		var existing *Channel
		for _, v := range kChannels.all(o) {
			if sameSpace(v.ProjectID, p.ID) && strings.EqualFold(v.Name, c.Name) {
				existing = v
			}
		}
		if existing != nil {
			ch.IsDefault = ch.IsDefault || existing.IsDefault
			_, err = kChannels.update(o, existing.ID, ch)
		} else {
			_, err = kChannels.create(o, ch)
		}
		if err != nil {
			return wrapSeed(path, err)
		}
	}
	return nil
}

func (sd *seeder) processes(seed *Seed) error {
	for i, p := range seed.Projects {
		if len(p.Steps) == 0 {
			continue
		}
		path := fmt.Sprintf("projects[%d]", i)
		o, err := sd.space(path, p.Space)
		if err != nil {
			return err
		}
		proj, err := resolveOne(o, kProjects, path, "project", p.Name)
		if err != nil {
			return err
		}
		steps, err := sd.steps(o, proj.ID, path+".steps", p.Steps)
		if err != nil {
			return err
		}
		if _, err := kProcesses.update(o, proj.DeploymentProcessID, &DeploymentProcess{Steps: steps}); err != nil {
			return wrapSeed(path+".steps", err)
		}
	}
	return nil
}

// steps turns seed steps into process steps, resolving names to IDs.
func (sd *seeder) steps(o *op, projectID, path string, in []SeedStep) ([]*Step, error) {
	var out []*Step
	for i, s := range in {
		sp := fmt.Sprintf("%s[%d]", path, i)
		a := &Action{Name: s.Name, IsRequired: s.Required, IsDisabled: s.Disabled, Properties: Properties{}}
		switch strings.ToLower(s.Type) {
		case "manual":
			a.ActionType = ActionManual
			a.Properties[PropManualInstructions] = NewProperty(s.Instructions)
			if s.BlockConcurrent {
				a.Properties[PropManualBlock] = NewProperty("True")
			}
			if len(s.ResponsibleTeams) > 0 {
				ids, err := resolveTeams(o, sp+".responsibleTeams", s.ResponsibleTeams)
				if err != nil {
					return nil, err
				}
				a.Properties[PropManualTeams] = NewProperty(strings.Join(ids, ","))
			}
		case "script":
			a.ActionType = ActionScript
			syntax := s.Syntax
			if syntax == "" {
				syntax = "PowerShell"
			}
			a.Properties[PropScriptSource] = NewProperty("Inline")
			a.Properties[PropScriptSyntax] = NewProperty(syntax)
			a.Properties[PropScriptBody] = NewProperty(s.Script)
			a.Properties[PropRunOnServer] = NewProperty("true")
		case "package", "deploy-package":
			a.ActionType = ActionPackage
		case "":
			return nil, seedErr(sp+".type", "a step type is required (manual, script, package, or an action type)")
		default:
			a.ActionType = s.Type
		}
		if s.Package != "" {
			a.Packages = append(a.Packages, &PackageReference{Name: "", PackageID: s.Package, FeedID: BuiltInFeedID,
				AcquisitionLocation: "Server", Properties: map[string]string{}})
			a.Properties[PropPackageID] = NewProperty(s.Package)
			a.Properties[PropPackageFeedID] = NewProperty(BuiltInFeedID)
		}
		for j, p := range s.Packages {
			feedID := BuiltInFeedID
			if p.Feed != "" {
				f, err := resolveOne(o, kFeeds, fmt.Sprintf("%s.packages[%d].feed", sp, j), "feed", p.Feed)
				if err != nil {
					return nil, err
				}
				feedID = f.ID
			}
			a.Packages = append(a.Packages, &PackageReference{Name: p.Name, PackageID: p.ID, FeedID: feedID,
				AcquisitionLocation: "Server", Properties: map[string]string{}})
		}
		var err error
		if a.Environments, err = resolve(o, kEnvironments, sp+".environments", "environment", s.Environments); err != nil {
			return nil, err
		}
		if a.ExcludedEnvironments, err = resolve(o, kEnvironments, sp+".excludedEnvironments", "environment", s.ExcludedEnvironments); err != nil {
			return nil, err
		}
		for j, name := range s.Channels {
			found := ""
			for _, ch := range kChannels.all(o) {
				if sameSpace(ch.ProjectID, projectID) && (strings.EqualFold(ch.Name, name) || sameSpace(ch.ID, name)) {
					found = ch.ID
				}
			}
			if found == "" {
				return nil, seedErr(fmt.Sprintf("%s.channels[%d]", sp, j), "no channel named %q in this project", name)
			}
			a.Channels = append(a.Channels, found)
		}
		a.TenantTags = s.TenantTags
		for k, v := range s.Properties {
			a.Properties[k] = NewProperty(v)
		}
		step := &Step{Name: s.Name, Condition: s.Condition, StartTrigger: s.StartTrigger, Properties: Properties{},
			Actions: []*Action{a}}
		if len(s.Roles) > 0 {
			step.Properties[PropTargetRoles] = NewProperty(strings.Join(s.Roles, ","))
		}
		out = append(out, step)
	}
	return out, nil
}

// resolveTeams finds teams by name (space team or system team) or ID.
func resolveTeams(o *op, path string, names []string) ([]string, error) {
	var out []string
	for i, n := range names {
		found := ""
		for _, t := range kTeams.tab(o.st).inSpace("") {
			if (strings.EqualFold(t.Name, n) && (t.SpaceID == "" || sameSpace(t.SpaceID, o.spaceID))) || sameSpace(t.ID, n) {
				found = t.ID
			}
		}
		if found == "" {
			return nil, seedErr(fmt.Sprintf("%s[%d]", path, i), "no team named %q", n)
		}
		out = append(out, found)
	}
	return out, nil
}

func (sd *seeder) runbooks(seed *Seed) error {
	for i, r := range seed.Runbooks {
		path := fmt.Sprintf("runbooks[%d]", i)
		o, err := sd.space(path, r.Space)
		if err != nil {
			return err
		}
		p, err := resolveOne(o, kProjects, path+".project", "project", r.Project)
		if err != nil {
			return err
		}
		envs, err := resolve(o, kEnvironments, path+".environments", "environment", r.Environments)
		if err != nil {
			return err
		}
		rb := &Runbook{Name: r.Name, Description: r.Description, ProjectID: p.ID, Environments: envs, MultiTenancyMode: r.Tenanted}
		if len(envs) > 0 {
			rb.EnvironmentScope = "Specified"
		}
		created, err := kRunbooks.create(o, rb)
		if err != nil {
			return wrapSeed(path, err)
		}
		if len(r.Steps) > 0 {
			steps, err := sd.steps(o, p.ID, path+".steps", r.Steps)
			if err != nil {
				return err
			}
			if _, err := kRunbookProcesses.update(o, created.RunbookProcessID, &RunbookProcess{Steps: steps}); err != nil {
				return wrapSeed(path+".steps", err)
			}
		}
		if r.Publish || r.Snapshot != "" {
			if _, err := createSnapshot(o, &RunbookSnapshot{Name: r.Snapshot, RunbookID: created.ID, ProjectID: p.ID}, r.Publish); err != nil {
				return wrapSeed(path+".snapshot", err)
			}
		}
	}
	return nil
}

func (sd *seeder) tenants(seed *Seed) error {
	for i, t := range seed.Tenants {
		path := fmt.Sprintf("tenants[%d]", i)
		o, err := sd.space(path, t.Space)
		if err != nil {
			return err
		}
		conns := map[string][]string{}
		names := make([]string, 0, len(t.Projects))
		for name := range t.Projects {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			envNames := t.Projects[name]
			p, err := resolveOne(o, kProjects, path+".projects."+name, "project", name)
			if err != nil {
				return err
			}
			envs, err := resolve(o, kEnvironments, path+".projects."+name, "environment", envNames)
			if err != nil {
				return err
			}
			conns[p.ID] = envs
		}
		if _, err := kTenants.create(o, &Tenant{Name: t.Name, Description: t.Description, TenantTags: t.Tags,
			ProjectEnvironments: conns}); err != nil {
			return wrapSeed(path, err)
		}
	}
	return nil
}

func (sd *seeder) teamRoles(seed *Seed) error {
	for i, t := range seed.Teams {
		path := fmt.Sprintf("teams[%d]", i)
		o, err := sd.teamOp(path, t)
		if err != nil {
			return err
		}
		team, err := resolveTeams(o, path+".name", []string{t.Name})
		if err != nil {
			return err
		}
		for j, r := range t.Roles {
			rp := fmt.Sprintf("%s.roles[%d]", path, j)
			ro := o
			if t.System && r.Space != "" {
				if ro, err = sd.space(rp, r.Space); err != nil {
					return err
				}
			}
			role, err := resolveOne(ro, kUserRoles, rp+".role", "user role", r.Role)
			if err != nil {
				return err
			}
			sur := &ScopedUserRole{TeamID: team[0], UserRoleID: role.ID}
			if ro.spaceID != "" {
				sur.SpaceID = ro.spaceID
				if sur.ProjectIDs, err = resolve(ro, kProjects, rp+".projects", "project", r.Projects); err != nil {
					return err
				}
				if sur.ProjectGroupIDs, err = resolve(ro, kProjectGroups, rp+".projectGroups", "project group", r.ProjectGroups); err != nil {
					return err
				}
				if sur.EnvironmentIDs, err = resolve(ro, kEnvironments, rp+".environments", "environment", r.Environments); err != nil {
					return err
				}
				if sur.TenantIDs, err = resolve(ro, kTenants, rp+".tenants", "tenant", r.Tenants); err != nil {
					return err
				}
			}
			if _, err := kScopedUserRoles.create(ro, sur); err != nil {
				return wrapSeed(rp, err)
			}
		}
	}
	return nil
}
