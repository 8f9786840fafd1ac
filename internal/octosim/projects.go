package octosim

import (
	"net/http"
	"slices"
	"strings"
)

// projectDeleteHooks run when a project is deleted, after its channels,
// process, settings and runbooks are gone. Round B registers its releases,
// deployments and runs here.
var projectDeleteHooks []func(o *op, p *Project)

var kProjects = &kind[*Project]{}

func init() {
	*kProjects = kind[*Project]{
		Name: "Projects", Segment: "projects", ItemType: "Project", IDPrefix: "Projects",
		Template: "{/id}{?name,skip,ids,clone,take,partialName,clonedFromProjectId}",
		View:     ProjectView, Create: ProjectCreate, Edit: ProjectEdit, Delete: ProjectDelete,
		New:    func() *Project { return &Project{} },
		NameOf: func(p *Project) string { return p.Name },
		Scope: func(o *op, p *Project) Scope {
			return Scope{SpaceID: p.SpaceID, ProjectID: p.ID, ProjectGroupID: p.ProjectGroupID}
		},
		// GET /projects/{x} takes an ID or a slug, never a display name.
		Lookup: func(o *op, s string) (*Project, bool) {
			if p, ok := kProjects.tab(o.st).get(o.spaceID, s); ok {
				return p, true
			}
			for _, p := range kProjects.tab(o.st).inSpace(o.spaceID) {
				if strings.EqualFold(p.Slug, s) {
					return p, true
				}
			}
			return nil, false
		},
		Filters: map[string]func(o *op, p *Project, v string) bool{
			"clonedFromProjectId": func(o *op, p *Project, v string) bool { return strings.EqualFold(deref(p.ClonedFromProjectID), v) },
		},
		Links:    projectLinks,
		Prepare:  prepareProject,
		Created:  projectCreated,
		Deleting: deletingProject,
	}
	defineKind(kProjects)
}

func init() {
	addRoutes(kProjects.routes()...)
	addRoutes(
		routeSpec{Method: http.MethodGet, Pattern: "/api/{spaceId}/projects/{projectId}/deploymentsettings", Handler: getDeploymentSettings},
		routeSpec{Method: http.MethodPut, Pattern: "/api/{spaceId}/projects/{projectId}/deploymentsettings", Handler: putDeploymentSettings},
	)
}

func projectLinks(p *Project) map[string]string {
	base := "/api/" + p.SpaceID + "/projects/" + p.ID
	return map[string]string{
		"Self":                                 base,
		"Releases":                             base + "/releases{/version}{?skip,take,searchByVersion}",
		"Channels":                             base + "/channels{/id}{?skip,take,partialName}",
		"OrderChannels":                        base + "/channels/order",
		"Triggers":                             base + "/triggers{?skip,take,partialName,triggerActionType,triggerActionCategory,runbooks}",
		"ScheduledTriggers":                    base + "/triggers{?skip,take,partialName,triggerActionType,triggerActionCategory,runbooks}",
		"Variables":                            "/api/" + p.SpaceID + "/variables/" + p.VariableSetID,
		"Progression":                          base + "/progression{?releaseHistoryCount}",
		"RunbookTaskRunDashboardItemsTemplate": base + "/runbookTaskRuns{?skip,take}",
		"DeploymentProcess":                    base + "/deploymentprocesses",
		"DeploymentSettings":                   base + "/deploymentsettings",
		"Web":                                  "/app#/" + p.SpaceID + "/projects/" + p.ID,
		"Logo":                                 base + "/logo",
		"Metadata":                             base + "/metadata",
		"Runbooks":                             base + "/runbooks{?skip,take,partialName}",
		"RunbookSnapshots":                     base + "/runbookSnapshots{/name}{?skip,take,searchByName}",
		"Summary":                              base + "/summary",
	}
}

func validVersioning(v *VersioningStrategy) error {
	if v == nil {
		return nil
	}
	if v.Template != "" && v.DonorPackage != nil && v.DonorPackage.DeploymentAction != "" {
		return badRequest("Only one of either a donor package step or a version template may be provided.")
	}
	return nil
}

func prepareProject(o *op, p, old *Project) error {
	if err := requireName(p.Name); err != nil {
		return err
	}
	switch strings.ToLower(strings.TrimSpace(p.Name)) {
	case "all", "new":
		return badRequest("A project cannot be named '%s'.", strings.TrimSpace(p.Name))
	}
	all := kProjects.tab(o.st).inSpace(o.spaceID)
	if !uniqueIn(all, func(v *Project) string { return v.Name }, p.Name, selfID(old)) {
		return duplicateName("project")
	}
	if p.Slug == "" {
		p.Slug = slugify(p.Name)
	}
	p.Slug = uniqueSlug(all, func(v *Project) string { return v.Slug }, p.Slug, selfID(old))
	if p.ProjectGroupID == "" {
		return badRequest("Please select a project group.")
	}
	if _, ok := kProjectGroups.tab(o.st).get(o.spaceID, p.ProjectGroupID); !ok {
		return badRequest("The project group '%s' does not exist.", p.ProjectGroupID)
	}
	if p.LifecycleID == "" {
		return badRequest("Please select a lifecycle.")
	}
	if _, ok := kLifecycles.tab(o.st).get(o.spaceID, p.LifecycleID); !ok {
		return badRequest("The lifecycle '%s' does not exist.", p.LifecycleID)
	}
	var err error
	if p.TenantedDeploymentMode, err = oneOf("TenantedDeploymentMode", p.TenantedDeploymentMode, "Untenanted",
		"Untenanted", "TenantedOrUntenanted", "Tenanted"); err != nil {
		return err
	}
	if p.DefaultGuidedFailureMode, err = oneOf("DefaultGuidedFailureMode", p.DefaultGuidedFailureMode, "EnvironmentDefault",
		"EnvironmentDefault", "Off", "On"); err != nil {
		return err
	}
	if err := validVersioning(p.VersioningStrategy); err != nil {
		return err
	}
	if old == nil {
		p.ID = o.st.nextID("Projects")
	} else {
		p.ID = old.ID
	}
	p.VariableSetID = "variableset-" + p.ID
	p.DeploymentProcessID = "deploymentprocess-" + p.ID
	p.PersistenceSettings = &PersistenceSettings{Type: "Database"}
	if p.ClonedFromProjectID != nil && *p.ClonedFromProjectID == "" {
		p.ClonedFromProjectID = nil
	}
	p.IsVersionControlled = false
	if p.ProjectConnectivityPolicy, err = normalizeConnectivity(p.ProjectConnectivityPolicy); err != nil {
		return err
	}
	p.IncludedLibraryVariableSetIDs = nonNil(p.IncludedLibraryVariableSetIDs)
	p.AutoDeployReleaseOverrides = nonNil(p.AutoDeployReleaseOverrides)
	p.Templates = nonNil(p.Templates)
	p.ExtensionSettings = nonNil(p.ExtensionSettings)
	p.ProjectTags = nonNil(p.ProjectTags)

	// The deployment settings own the versioning strategy; the project shows
	// the effective one. A project written without one keeps what it had.
	settings, _ := kDeploymentSettings.tab(o.st).get(o.spaceID, deploymentSettingsID(p.ID))
	switch {
	case p.VersioningStrategy != nil:
	case settings != nil:
		p.VersioningStrategy = settings.VersioningStrategy
	default:
		p.VersioningStrategy = &VersioningStrategy{Template: DefaultVersionTemplate}
	}
	if settings != nil {
		c := *settings
		c.VersioningStrategy = p.VersioningStrategy
		c.DefaultGuidedFailureMode = p.DefaultGuidedFailureMode
		c.ReleaseNotesTemplate = p.ReleaseNotesTemplate
		c.DefaultToSkipIfAlreadyInstalled = p.DefaultToSkipIfAlreadyInstalled
		c.DeploymentChangesTemplate = p.DeploymentChangesTemplate
		c.ConnectivityPolicy = p.ProjectConnectivityPolicy
		kDeploymentSettings.save(o, &c)
	}
	return nil
}

// projectCreated adds what a new project always has: its deployment
// process, its deployment settings, its variable set and a "Default"
// channel.
func projectCreated(o *op, p *Project) error {
	kProcesses.save(o, &DeploymentProcess{Meta: Meta{ID: p.DeploymentProcessID}, ProjectID: p.ID, Steps: []*Step{}})
	kDeploymentSettings.save(o, &DeploymentSettings{Meta: Meta{ID: deploymentSettingsID(p.ID)}, ProjectID: p.ID,
		ConnectivityPolicy: p.ProjectConnectivityPolicy, DefaultGuidedFailureMode: p.DefaultGuidedFailureMode,
		VersioningStrategy: p.VersioningStrategy, ReleaseNotesTemplate: p.ReleaseNotesTemplate,
		DefaultToSkipIfAlreadyInstalled: p.DefaultToSkipIfAlreadyInstalled, DeploymentChangesTemplate: p.DeploymentChangesTemplate})
	kVariableSets.save(o, &VariableSet{Meta: Meta{ID: p.VariableSetID}, OwnerID: p.ID, Variables: []*Variable{}})
	kChannels.save(o, &Channel{Meta: Meta{ID: o.st.nextID("Channels")}, Name: "Default", Slug: "default",
		ProjectID: p.ID, IsDefault: true, Rules: []*ChannelRule{}, TenantTags: []string{}, Type: "Lifecycle",
		GitReferenceRules: []string{}, GitResourceRules: []jsonRaw{}, CustomFieldDefinitions: []jsonRaw{}})
	return nil
}

func deletingProject(o *op, p *Project) error {
	sp := p.SpaceID
	for _, c := range kChannels.tab(o.st).inSpace(sp) {
		if sameSpace(c.ProjectID, p.ID) {
			kChannels.tab(o.st).del(sp, c.ID)
		}
	}
	for _, d := range kProcesses.tab(o.st).inSpace(sp) {
		if sameSpace(d.ProjectID, p.ID) {
			kProcesses.tab(o.st).del(sp, d.ID)
		}
	}
	kDeploymentSettings.tab(o.st).del(sp, deploymentSettingsID(p.ID))
	kVariableSets.tab(o.st).del(sp, p.VariableSetID)
	for _, r := range kRunbooks.tab(o.st).inSpace(sp) {
		if sameSpace(r.ProjectID, p.ID) {
			deleteRunbookDocuments(o, r)
		}
	}
	for _, t := range kTenants.tab(o.st).inSpace(sp) {
		if _, ok := t.ProjectEnvironments[p.ID]; ok {
			c := *t
			c.ProjectEnvironments = map[string][]string{}
			for k, v := range t.ProjectEnvironments {
				if k != p.ID {
					c.ProjectEnvironments[k] = v
				}
			}
			kTenants.save(o, &c)
		}
	}
	for _, r := range kScopedUserRoles.tab(o.st).inSpace("") {
		if sameSpace(r.SpaceID, sp) && containsFold(r.ProjectIDs, p.ID) {
			c := *r
			c.ProjectIDs = slices.DeleteFunc(slices.Clone(r.ProjectIDs), func(id string) bool { return sameSpace(id, p.ID) })
			kScopedUserRoles.save(o, &c)
		}
	}
	for _, h := range projectDeleteHooks {
		h(o, p)
	}
	return nil
}

// Deployment settings: one per project, created with it.

func deploymentSettingsID(projectID string) string { return "deploymentsettings-" + projectID }

var kDeploymentSettings = &kind[*DeploymentSettings]{}

func init() {
	*kDeploymentSettings = kind[*DeploymentSettings]{
		Name: "DeploymentSettings", Segment: "deploymentsettings", ItemType: "DeploymentSettings", IDPrefix: "deploymentsettings",
		View: ProjectView, Edit: ProjectEdit, ReadOnly: true,
		New: func() *DeploymentSettings { return &DeploymentSettings{} },
		Scope: func(o *op, d *DeploymentSettings) Scope {
			return o.in(d.SpaceID).projectScope(d.ProjectID, "", "")
		},
		Links: func(d *DeploymentSettings) map[string]string {
			return map[string]string{"Self": "/api/" + d.SpaceID + "/projects/" + d.ProjectID + "/deploymentsettings"}
		},
	}
	defineKind(kDeploymentSettings)
}

// projectChild resolves the {projectId} of a nested route (ID or slug).
func projectChild(o *op, c *call) (*Project, error) {
	return kProjects.find(o, c.param("projectId"))
}

func getDeploymentSettings(c *call) (int, any, error) {
	return c.read(func(o *op) (int, any, error) {
		p, err := projectChild(o, c)
		if err != nil {
			return 0, nil, err
		}
		d, ok := kDeploymentSettings.get(o, deploymentSettingsID(p.ID))
		if !ok {
			return 0, nil, notFound(deploymentSettingsID(p.ID))
		}
		return http.StatusOK, d, nil
	})
}

func putDeploymentSettings(c *call) (int, any, error) {
	in := &DeploymentSettings{}
	if err := c.decode(in); err != nil {
		return 0, nil, err
	}
	return c.write(func(o *op) (int, any, error) {
		p, err := projectChild(o, c)
		if err != nil {
			return 0, nil, err
		}
		if err := o.require(ProjectEdit, kProjects.scope(o, p)); err != nil {
			return 0, nil, err
		}
		if err := validVersioning(in.VersioningStrategy); err != nil {
			return 0, nil, err
		}
		if in.DefaultGuidedFailureMode, err = oneOf("DefaultGuidedFailureMode", in.DefaultGuidedFailureMode,
			"EnvironmentDefault", "EnvironmentDefault", "Off", "On"); err != nil {
			return 0, nil, err
		}
		if in.VersioningStrategy == nil {
			in.VersioningStrategy = &VersioningStrategy{Template: DefaultVersionTemplate}
		}
		if in.ConnectivityPolicy, err = normalizeConnectivity(in.ConnectivityPolicy); err != nil {
			return 0, nil, err
		}
		in.ID = deploymentSettingsID(p.ID)
		in.SpaceID = p.SpaceID
		in.ProjectID = p.ID
		kDeploymentSettings.save(o, in)
		pc := *p
		pc.VersioningStrategy = in.VersioningStrategy
		pc.DefaultGuidedFailureMode = in.DefaultGuidedFailureMode
		pc.ReleaseNotesTemplate = in.ReleaseNotesTemplate
		pc.DefaultToSkipIfAlreadyInstalled = in.DefaultToSkipIfAlreadyInstalled
		pc.DeploymentChangesTemplate = in.DeploymentChangesTemplate
		pc.ProjectConnectivityPolicy = in.ConnectivityPolicy
		kProjects.save(o, &pc)
		return http.StatusOK, in, nil
	})
}
