package octosim

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

func init() {
	sp := "/api/{spaceId}"
	addRoutes(
		routeSpec{Method: http.MethodGet, Pattern: sp + "/dashboard", Handler: dashboard},
		routeSpec{Method: http.MethodGet, Pattern: sp + "/dashboard/dynamic", Handler: dashboardDynamic},
		routeSpec{Method: http.MethodGet, Pattern: sp + "/progression/{projectId}", Handler: projectProgression},
		routeSpec{Method: http.MethodGet, Pattern: sp + "/projects/{projectId}/progression", Handler: projectProgression},
		routeSpec{Method: http.MethodGet, Pattern: sp + "/releases/{id}/progression", Handler: releaseProgression},
		routeSpec{Method: http.MethodGet, Pattern: sp + "/releases/{id}/deployments/template", Handler: deploymentTemplate},
		routeSpec{Method: http.MethodGet, Pattern: sp + "/releases/{id}/deployments/preview/{environmentId}", Handler: deploymentPreview},
	)
}

// DashboardItem is one deployment as the dashboard and progression show
// it (field names from a real capture, reference 3b).
type DashboardItem struct {
	ID                       string            `json:"Id"`
	ProjectID                string            `json:"ProjectId"`
	EnvironmentID            string            `json:"EnvironmentId"`
	TenantID                 *string           `json:"TenantId"`
	ReleaseID                string            `json:"ReleaseId"`
	ReleaseVersion           string            `json:"ReleaseVersion"`
	DeploymentID             string            `json:"DeploymentId"`
	TaskID                   string            `json:"TaskId"`
	ChannelID                string            `json:"ChannelId"`
	State                    string            `json:"State"`
	Created                  *Timestamp        `json:"Created"`
	QueueTime                *Timestamp        `json:"QueueTime"`
	StartTime                *Timestamp        `json:"StartTime"`
	CompletedTime            *Timestamp        `json:"CompletedTime"`
	Duration                 string            `json:"Duration"`
	ErrorMessage             string            `json:"ErrorMessage"`
	IsCurrent                bool              `json:"IsCurrent"`
	IsPrevious               bool              `json:"IsPrevious"`
	IsCompleted              bool              `json:"IsCompleted"`
	HasWarningsOrErrors      bool              `json:"HasWarningsOrErrors"`
	HasPendingInterruptions  bool              `json:"HasPendingInterruptions"`
	HasPendingPreconditions  bool              `json:"HasPendingPreconditions"`
	PendingInterruptionTypes []string          `json:"PendingInterruptionTypes"`
	PendingPreconditionTypes []string          `json:"PendingPreconditionTypes"`
	Links                    map[string]string `json:"Links"`
}

// taskItem fills the task half of a dashboard item.
func taskItem(t *ServerTask, now time.Time) DashboardItem {
	v := taskView(t, now)
	return DashboardItem{TaskID: t.ID, State: t.State, QueueTime: v.QueueTime, StartTime: v.StartTime,
		CompletedTime: v.CompletedTime, Duration: v.Duration, ErrorMessage: t.ErrorMessage, IsCompleted: v.IsCompleted,
		HasWarningsOrErrors: t.HasWarningsOrErrors, HasPendingInterruptions: t.HasPendingInterruptions,
		PendingInterruptionTypes: nonNil(t.PendingInterruptionTypes), PendingPreconditionTypes: []string{}}
}

func dashboardItem(x *execState, d *Deployment, r *Release, now time.Time) *DashboardItem {
	t := x.tasks[d.TaskID]
	item := DashboardItem{}
	if t != nil {
		item = taskItem(t, now)
	}
	item.ID, item.DeploymentID = d.ID, d.ID
	item.ProjectID, item.EnvironmentID, item.TenantID = d.ProjectID, d.EnvironmentID, d.TenantID
	item.ReleaseID, item.ChannelID, item.Created = d.ReleaseID, d.ChannelID, d.Created
	if r != nil {
		item.ReleaseVersion = r.Version
	}
	item.Links = map[string]string{"Self": "/api/" + d.SpaceID + "/deployments/" + d.ID, "Task": "/api/tasks/" + d.TaskID,
		"Release": "/api/" + d.SpaceID + "/releases/" + d.ReleaseID}
	return &item
}

// currentDeployments works out, for one project, the newest deployment to
// each environment and tenant (IsCurrent, whatever its state) and the
// previous successful deployment of another release there (IsPrevious).
type projectState struct {
	current  map[string]*Deployment // envTenantKey
	previous map[string]*Deployment
	order    []string
}

func currentDeployments(x *execState, projectID string) *projectState {
	ps := &projectState{current: map[string]*Deployment{}, previous: map[string]*Deployment{}}
	list := x.deploymentsByProject[projectID]
	for _, d := range list {
		k := envTenantKey(d.EnvironmentID, d.tenant())
		if _, ok := ps.current[k]; !ok {
			ps.order = append(ps.order, k)
		}
		ps.current[k] = d
	}
	for _, k := range ps.order {
		cur := ps.current[k]
		for i := len(list) - 1; i >= 0; i-- {
			d := list[i]
			if d == cur || envTenantKey(d.EnvironmentID, d.tenant()) != k || d.ReleaseID == cur.ReleaseID || lessID(cur.ID, d.ID) {
				continue
			}
			if x.taskState(d.TaskID) == StateSuccess {
				ps.previous[k] = d
				break
			}
		}
	}
	return ps
}

// ReferenceItem is {Id, Name}.
type ReferenceItem struct {
	ID   string `json:"Id"`
	Name string `json:"Name"`
}

// lifecycleEnvironments are the environments of a project's lifecycles
// (its own and its channels'), in environment order.
func lifecycleEnvironments(o *op, p *Project) (all []string, byLifecycle map[string][]string, byChannel map[string][]string) {
	byLifecycle = map[string][]string{}
	byChannel = map[string][]string{}
	envsOf := func(lid string) []string {
		if v, ok := byLifecycle[lid]; ok {
			return v
		}
		var ids []string
		if l, ok := kLifecycles.tab(o.st).get(p.SpaceID, lid); ok {
			for _, ph := range effectivePhases(o.st, l) {
				ids = append(ids, phaseEnvs(ph)...)
			}
		}
		ids = sortEnvIDs(o, ids)
		byLifecycle[lid] = ids
		return ids
	}
	seen := map[string]bool{}
	for _, id := range envsOf(p.LifecycleID) {
		seen[id] = true
	}
	for _, ch := range projectChannels(o, p) {
		lid := p.LifecycleID
		if ch.LifecycleID != nil {
			lid = *ch.LifecycleID
		}
		byChannel[ch.ID] = envsOf(lid)
		for _, id := range byChannel[ch.ID] {
			seen[id] = true
		}
	}
	for id := range seen {
		all = append(all, id)
	}
	return sortEnvIDs(o, all), byLifecycle, byChannel
}

// sortEnvIDs orders environment IDs as the environments are ordered.
func sortEnvIDs(o *op, ids []string) []string {
	out := []string{}
	for _, e := range kEnvironments.all(o) {
		if containsFold(ids, e.ID) {
			out = append(out, e.ID)
		}
	}
	return out
}

func refItems(o *op, ids []string) []ReferenceItem {
	out := []ReferenceItem{}
	for _, id := range ids {
		if e, ok := kEnvironments.get(o, id); ok && kEnvironments.visible(o, e) {
			out = append(out, ReferenceItem{ID: e.ID, Name: e.Name})
		}
	}
	return out
}

// ReleaseProgression is one release of a project's progression.
type ReleaseProgression struct {
	Release                 *Release                    `json:"Release"`
	Channel                 *Channel                    `json:"Channel"`
	Deployments             map[string][]*DashboardItem `json:"Deployments"`
	NextDeployments         []string                    `json:"NextDeployments"`
	HasUnresolvedDefect     bool                        `json:"HasUnresolvedDefect"`
	ReleaseRetentionPeriod  *RetentionPeriod            `json:"ReleaseRetentionPeriod"`
	TentacleRetentionPeriod *RetentionPeriod            `json:"TentacleRetentionPeriod"`
}

// releaseContext is whose progression a release shows outside a tenant.
func releaseContext(p *Project) progressCtx {
	if p.TenantedDeploymentMode == "Tenanted" {
		return anyCtx()
	}
	return untenantedCtx()
}

// projectProgression is GET /progression/{projectId}: the newest
// releaseHistoryCount releases (and any older release still current in an
// environment), newest first, with their deployments per environment.
func projectProgression(c *call) (int, any, error) {
	q, err := c.listQuery()
	if err != nil {
		return 0, nil, err
	}
	count := 3
	if s := q.get("releaseHistoryCount"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			return 0, nil, badRequest("The releaseHistoryCount must be a number from 1 to 100.")
		}
		count = n
	}
	return c.read(func(o *op) (int, any, error) {
		p, err := projectChild(o, c)
		if err != nil {
			return 0, nil, err
		}
		if err := o.require(ReleaseView, kProjects.scope(o, p)); err != nil {
			return 0, nil, err
		}
		x := o.st.x
		all, byLC, byCh := lifecycleEnvironments(o, p)
		lcEnvs := map[string][]ReferenceItem{}
		for k, v := range byLC {
			lcEnvs[k] = refItems(o, v)
		}
		chEnvs := map[string][]ReferenceItem{}
		for k, v := range byCh {
			chEnvs[k] = refItems(o, v)
		}
		ps := currentDeployments(x, p.ID)
		currentReleases := map[string]bool{}
		for _, d := range ps.current {
			currentReleases[d.ReleaseID] = true
		}
		isCur, isPrev := map[string]bool{}, map[string]bool{}
		for _, d := range ps.current {
			isCur[d.ID] = true
		}
		for _, d := range ps.previous {
			isPrev[d.ID] = true
		}
		rels := x.releasesByProject[p.ID]
		out := []*ReleaseProgression{}
		for i := len(rels) - 1; i >= 0; i-- {
			r := rels[i]
			if len(rels)-1-i >= count && !currentReleases[r.ID] {
				continue
			}
			if !kReleases.visible(o, r) {
				continue
			}
			ch, _ := kChannels.get(o, r.ChannelID)
			rp := &ReleaseProgression{Release: r, Channel: ch, Deployments: map[string][]*DashboardItem{},
				HasUnresolvedDefect: x.hasUnresolvedDefect(r.ID)}
			latest := map[string]*Deployment{}
			var keys []string
			for _, d := range x.deploymentsByRelease[r.ID] {
				k := envTenantKey(d.EnvironmentID, d.tenant())
				if _, ok := latest[k]; !ok {
					keys = append(keys, k)
				}
				latest[k] = d
			}
			for j := len(keys) - 1; j >= 0; j-- {
				d := latest[keys[j]]
				if !kDeployments.visible(o, d) {
					continue
				}
				item := dashboardItem(x, d, r, o.now)
				item.IsCurrent, item.IsPrevious = isCur[d.ID], isPrev[d.ID]
				rp.Deployments[d.EnvironmentID] = append(rp.Deployments[d.EnvironmentID], item)
			}
			ctx := releaseContext(p)
			rp.NextDeployments = nextDeployments(o, r, ctx, progression(o, r, ctx))
			out = append(out, rp)
		}
		return http.StatusOK, map[string]any{"Environments": refItems(o, all), "LifecycleEnvironments": lcEnvs,
			"ChannelEnvironments": chEnvs, "Releases": out,
			"Links": map[string]string{"Self": "/api/" + p.SpaceID + "/progression/" + p.ID}}, nil
	})
}

// dashboardFilter says what a dashboard shows.
type dashboardFilter struct {
	projects, environments []string
	projectID, releaseID   string
	tenants, tags          []string
	includePrevious        bool
	filtered               bool
}

func buildDashboard(o *op, f dashboardFilter) map[string]any {
	x := o.st.x
	envs := []ReferenceItem{}
	envIDs := map[string]bool{}
	for _, e := range kEnvironments.all(o) {
		if !kEnvironments.visible(o, e) || (len(f.environments) > 0 && !containsFold(f.environments, e.ID)) {
			continue
		}
		envs = append(envs, ReferenceItem{ID: e.ID, Name: e.Name})
		envIDs[e.ID] = true
	}
	projects := []map[string]any{}
	groups := map[string][]string{}
	var groupOrder []string
	items := []*DashboardItem{}
	tenantsUsed := map[string]bool{}
	for _, p := range kProjects.all(o) {
		if !kProjects.visible(o, p) {
			continue
		}
		if len(f.projects) > 0 && !containsFold(f.projects, p.ID) {
			continue
		}
		if f.projectID != "" && !strings.EqualFold(f.projectID, p.ID) {
			continue
		}
		all, _, _ := lifecycleEnvironments(o, p)
		var penvs []string
		for _, e := range all {
			if envIDs[e] {
				penvs = append(penvs, e)
			}
		}
		projects = append(projects, map[string]any{"Id": p.ID, "Name": p.Name, "Slug": p.Slug, "ProjectGroupId": p.ProjectGroupID,
			"EnvironmentIds": nonNil(penvs), "TenantedDeploymentMode": p.TenantedDeploymentMode,
			"CanPerformUntenantedDeployment": p.TenantedDeploymentMode != "Tenanted", "IsDisabled": p.IsDisabled,
			"Links": map[string]string{"Self": "/api/" + p.SpaceID + "/projects/" + p.ID}})
		if _, ok := groups[p.ProjectGroupID]; !ok {
			groupOrder = append(groupOrder, p.ProjectGroupID)
		}
		groups[p.ProjectGroupID] = append(groups[p.ProjectGroupID], penvs...)
		for _, t := range connectedTenants(o, p.ID, "") {
			tenantsUsed[t.ID] = true
		}
		ps := currentDeployments(x, p.ID)
		add := func(d *Deployment, cur bool) {
			if d == nil || !envIDs[d.EnvironmentID] || !kDeployments.visible(o, d) {
				return
			}
			if f.releaseID != "" && !strings.EqualFold(f.releaseID, d.ReleaseID) {
				return
			}
			if len(f.tenants) > 0 && !containsFold(f.tenants, d.tenant()) {
				return
			}
			if len(f.tags) > 0 {
				t, ok := kTenants.get(o, d.tenant())
				if !ok || !tenantMatchesTags(t, canonicalTagList(o, f.tags)) {
					return
				}
			}
			r, _ := kReleases.get(o, d.ReleaseID)
			item := dashboardItem(x, d, r, o.now)
			item.IsCurrent, item.IsPrevious = cur, !cur
			items = append(items, item)
		}
		for _, k := range ps.order {
			add(ps.current[k], true)
			if f.includePrevious {
				add(ps.previous[k], false)
			}
		}
	}
	groupsOut := []map[string]any{}
	for _, gid := range groupOrder {
		g, ok := kProjectGroups.get(o, gid)
		if !ok {
			continue
		}
		groupsOut = append(groupsOut, map[string]any{"Id": g.ID, "Name": g.Name, "EnvironmentIds": sortEnvIDs(o, dedupe(groups[gid])),
			"Links": map[string]string{"Self": "/api/" + g.SpaceID + "/projectgroups/" + g.ID}})
	}
	tenants := []map[string]any{}
	for _, t := range kTenants.all(o) {
		if tenantsUsed[t.ID] && kTenants.visible(o, t) {
			tenants = append(tenants, map[string]any{"Id": t.ID, "Name": t.Name, "TenantTags": t.TenantTags,
				"ProjectEnvironments": t.ProjectEnvironments, "IsDisabled": t.IsDisabled,
				"Links": map[string]string{"Self": "/api/" + t.SpaceID + "/tenants/" + t.ID}})
		}
	}
	return map[string]any{"Id": "dashboard-" + o.spaceID, "Projects": projects, "ProjectGroups": groupsOut, "Environments": envs,
		"Tenants": tenants, "Items": items, "ProjectLimit": nil, "IsFiltered": f.filtered,
		"Links": map[string]string{"Self": "/api/" + o.spaceID + "/dashboard"}}
}

// dashboard is GET /dashboard: the current deployment of every project
// to every environment (and tenant).
func dashboard(c *call) (int, any, error) {
	q, err := c.listQuery()
	if err != nil {
		return 0, nil, err
	}
	f := dashboardFilter{projectID: q.get("projectId"), releaseID: q.get("releaseId"), tenants: q.list("selectedTenants"),
		tags: q.list("selectedTags")}
	f.filtered = f.projectID != "" || f.releaseID != "" || len(f.tenants) > 0 || len(f.tags) > 0
	return c.read(func(o *op) (int, any, error) {
		if err := o.requireAny(ProjectView); err != nil {
			return 0, nil, err
		}
		return http.StatusOK, buildDashboard(o, f), nil
	})
}

// dashboardDynamic is GET /dashboard/dynamic: projects and environments
// by ID (a name matches nothing), previous deployments on request.
func dashboardDynamic(c *call) (int, any, error) {
	q, err := c.listQuery()
	if err != nil {
		return 0, nil, err
	}
	f := dashboardFilter{projects: q.list("projects"), environments: q.list("environments"), includePrevious: q.flag("includePrevious")}
	f.filtered = len(f.projects) > 0 || len(f.environments) > 0
	return c.read(func(o *op) (int, any, error) {
		if err := o.requireAny(ProjectView); err != nil {
			return 0, nil, err
		}
		return http.StatusOK, buildDashboard(o, f), nil
	})
}

// PhaseDeployment is a deployment in a release's progression.
type PhaseDeployment struct {
	Task       *TaskResource `json:"Task"`
	Deployment *Deployment   `json:"Deployment"`
}

// releaseProgression is GET /releases/{id}/progression.
func releaseProgression(c *call) (int, any, error) {
	return c.read(func(o *op) (int, any, error) {
		r, err := kReleases.find(o, c.param("id"))
		if err != nil {
			return 0, nil, err
		}
		p, ok := kProjects.get(o, r.ProjectID)
		if !ok {
			return 0, nil, serverFault()
		}
		x := o.st.x
		ctx := releaseContext(p)
		infos := progression(o, r, ctx)
		phases := []map[string]any{}
		minRequired := 0
		foundCurrent := false
		for _, pi := range infos {
			deps := []*PhaseDeployment{}
			list := x.deploymentsByRelease[r.ID]
			for i := len(list) - 1; i >= 0; i-- {
				d := list[i]
				if containsFold(pi.envs, d.EnvironmentID) && kDeployments.visible(o, d) {
					if t := x.tasks[d.TaskID]; t != nil {
						deps = append(deps, &PhaseDeployment{Task: taskView(t, o.now), Deployment: d})
					}
				}
			}
			if pi.progress == "Current" && !foundCurrent {
				foundCurrent = true
				minRequired = pi.phase.MinimumEnvironmentsBeforePromotion
			}
			phases = append(phases, map[string]any{"Id": nil, "Name": pi.phase.Name, "Blocked": pi.blocked, "Progress": pi.progress,
				"AutomaticDeploymentTargets":         nonNil(pi.phase.AutomaticDeploymentTargets),
				"OptionalDeploymentTargets":          nonNil(pi.phase.OptionalDeploymentTargets),
				"MinimumEnvironmentsBeforePromotion": pi.phase.MinimumEnvironmentsBeforePromotion,
				"IsOptionalPhase":                    pi.phase.IsOptionalPhase, "IsPriorityPhase": pi.phase.IsPriorityPhase,
				"Deployments": deps})
		}
		return http.StatusOK, map[string]any{"Phases": phases, "NextDeployments": nextDeployments(o, r, ctx, infos),
			"NextDeploymentsMinimumRequired": minRequired, "Links": map[string]string{}}, nil
	})
}

// promotionTarget is an environment a release may be promoted to.
type promotionTarget struct {
	ID        string            `json:"Id"`
	Name      string            `json:"Name"`
	PromoteTo []promotionTarget `json:"PromoteTo,omitempty"`
	Links     map[string]string `json:"Links"`
}

// deploymentTemplate is GET /releases/{id}/deployments/template: where
// the caller may deploy the release now (PromoteTo), per tenant too.
func deploymentTemplate(c *call) (int, any, error) {
	return c.read(func(o *op) (int, any, error) {
		r, err := kReleases.find(o, c.param("id"))
		if err != nil {
			return 0, nil, err
		}
		p, ok := kProjects.get(o, r.ProjectID)
		if !ok {
			return 0, nil, serverFault()
		}
		targets := func(ctx progressCtx, tenantID string) []promotionTarget {
			out := []promotionTarget{}
			for _, envID := range deployableEnvs(o, r, ctx) {
				e, ok := kEnvironments.get(o, envID)
				if !ok {
					continue
				}
				sc := o.projectScope(p.ID, e.ID, tenantID)
				sc.Untenanted = tenantID == ""
				if !o.can(DeploymentCreate, sc) {
					continue
				}
				out = append(out, promotionTarget{ID: e.ID, Name: e.Name,
					Links: map[string]string{"Self": "/api/" + e.SpaceID + "/environments/" + e.ID}})
			}
			return out
		}
		promote := []promotionTarget{}
		tenantPromotions := []promotionTarget{}
		if p.TenantedDeploymentMode != "Tenanted" {
			promote = targets(untenantedCtx(), "")
		}
		if p.TenantedDeploymentMode != "Untenanted" {
			seen := map[string]bool{}
			for _, t := range connectedTenants(o, p.ID, "") {
				if !kTenants.visible(o, t) {
					continue
				}
				envs := targets(tenantCtx(t, p.ID), t.ID)
				tenantPromotions = append(tenantPromotions, promotionTarget{ID: t.ID, Name: t.Name, PromoteTo: envs,
					Links: map[string]string{"Self": "/api/" + t.SpaceID + "/tenants/" + t.ID}})
				if p.TenantedDeploymentMode == "Tenanted" {
					for _, e := range envs {
						if !seen[e.ID] {
							seen[e.ID] = true
							promote = append(promote, promotionTarget{ID: e.ID, Name: e.Name, Links: e.Links})
						}
					}
				}
			}
		}
		modified := false
		live, ok1 := kProcesses.get(o, p.DeploymentProcessID)
		frozen, ok2 := kProcesses.get(o, r.ProjectDeploymentProcessSnapshotID)
		if ok1 && ok2 {
			modified = live.Version != frozen.Version
		}
		return http.StatusOK, map[string]any{"IsDeploymentProcessModified": modified, "DeploymentNotes": nil,
			"IsVariableSetModified": false, "IsLibraryVariableSetModified": false, "PromoteTo": promote,
			"TenantPromotions": tenantPromotions, "Links": map[string]string{}}, nil
	})
}

// deploymentPreview is GET /releases/{id}/deployments/preview/{env}: the
// steps a deployment there would run, and the prompted variables it asks
// for.
func deploymentPreview(c *call) (int, any, error) {
	q, err := c.listQuery()
	if err != nil {
		return 0, nil, err
	}
	return c.read(func(o *op) (int, any, error) {
		r, err := kReleases.find(o, c.param("id"))
		if err != nil {
			return 0, nil, err
		}
		e, err := kEnvironments.find(o, c.param("environmentId"))
		if err != nil {
			return 0, nil, err
		}
		p, _ := kProjects.get(o, r.ProjectID)
		proc, ok := kProcesses.get(o, r.ProjectDeploymentProcessSnapshotID)
		if !ok || p == nil {
			return 0, nil, serverFault()
		}
		includeDisabled := q.flag("includeDisabledSteps")
		steps := []map[string]any{}
		for i, s := range proc.Steps {
			for j, a := range s.Actions {
				if a.IsDisabled && !includeDisabled {
					continue
				}
				if (len(a.Environments) > 0 && !containsFold(a.Environments, e.ID)) || containsFold(a.ExcludedEnvironments, e.ID) ||
					(len(a.Channels) > 0 && !containsFold(a.Channels, r.ChannelID)) {
					continue
				}
				number := itoa(i + 1)
				if len(s.Actions) > 1 {
					number += "." + itoa(j+1)
				}
				roles := splitCSV(s.Properties.Get(PropTargetRoles))
				steps = append(steps, map[string]any{"ActionId": a.ID, "ActionName": a.Name, "ActionNumber": number,
					"Roles": nonNil(roles), "MachineNames": []string{}, "Machines": []any{}, "CanBeSkipped": !a.IsRequired,
					"IsDisabled": a.IsDisabled, "HasNoApplicableMachines": len(roles) > 0,
					"UnavailableMachines": []any{}, "ExcludedMachines": []any{}})
			}
		}
		return http.StatusOK, map[string]any{"StepsToExecute": steps,
			"Form":                          promptForm(o, p),
			"UseGuidedFailureModeByDefault": guidedFailureFor(p.DefaultGuidedFailureMode, e, nil),
			"Changes":                       []any{}, "ChangesMarkdown": ""}, nil
	})
}
