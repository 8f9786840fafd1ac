package octosim

import (
	"net/http"
	"sort"
	"strings"
	"time"
)

var kDeployments = &kind[*Deployment]{}

func init() {
	*kDeployments = kind[*Deployment]{
		Name: "Deployments", Segment: "deployments", ItemType: "Deployment", IDPrefix: "Deployments",
		Template: "{/id}{?skip,take,ids,projects,environments,tenants,channels,taskState,partialName}",
		View:     DeploymentView, ReadOnly: true,
		New: func() *Deployment { return &Deployment{} },
		Scope: func(o *op, d *Deployment) Scope {
			sc := o.in(d.SpaceID).projectScope(d.ProjectID, d.EnvironmentID, d.tenant())
			sc.Untenanted = d.TenantID == nil
			return sc
		},
		Less:  func(a, b *Deployment) bool { return lessID(b.ID, a.ID) },
		Links: func(*Deployment) map[string]string { return noLinks },
	}
	defineKind(kDeployments)
}

func init() {
	addRoutes(
		routeSpec{Method: http.MethodGet, Pattern: "/api/{spaceId}/deployments", Handler: listDeployments},
		routeSpec{Method: http.MethodGet, Pattern: "/api/{spaceId}/deployments/{id}", Handler: kDeployments.handleGet},
		routeSpec{Method: http.MethodPost, Pattern: "/api/{spaceId}/deployments", Handler: postDeployment},
		routeSpec{Method: http.MethodPost, Pattern: "/api/{spaceId}/deployments/create/untenanted/v1", Handler: deployUntenantedV1},
		routeSpec{Method: http.MethodPost, Pattern: "/api/{spaceId}/deployments/create/tenanted/v1", Handler: deployTenantedV1},
		routeSpec{Method: http.MethodGet, Pattern: "/api/{spaceId}/releases/{id}/deployments", Handler: releaseDeployments},
	)
}

// deployRequest is one deployment to start, however it was asked for.
type deployRequest struct {
	project          *Project
	release          *Release
	env              *Environment
	tenant           *Tenant
	system           bool // an automatic deployment
	useGuidedFailure *bool
	forceDownload    bool
	forceRedeploy    bool
	skipActions      []string
	excludedMachines []string
	queueTime        time.Time
	expiry           time.Time
	formValues       map[string]string
	comments         string
	priority         string
	outcome          string // seeded past deployments: Success or Failed
	failStep         string
	notes            []logLine
}

// guidedFailureFor resolves "use the default" for guided failure mode.
func guidedFailureFor(mode string, env *Environment, asked *bool) bool {
	if asked != nil {
		return *asked
	}
	switch mode {
	case "On":
		return true
	case "Off":
		return false
	}
	return env != nil && env.UseGuidedFailure
}

// startDeployment creates a deployment and its queued task. The caller has
// checked permissions and the lifecycle.
func startDeployment(o *op, req *deployRequest) (*Deployment, error) {
	x := o.st.x
	r, p, env := req.release, req.project, req.env
	proc, ok := kProcesses.tab(o.st).get(r.SpaceID, r.ProjectDeploymentProcessSnapshotID)
	if !ok {
		return nil, serverFault()
	}
	tenantID := ""
	var tenantPtr *string
	name := "Deploy to " + env.Name
	desc := "Deploy " + p.Name + " release " + r.Version + " to " + env.Name
	if req.tenant != nil {
		tenantID = req.tenant.ID
		tenantPtr = strp(tenantID)
		name += " for " + req.tenant.Name
		desc += " for " + req.tenant.Name
	}
	by, byID := "System", (*string)(nil)
	if !req.system && o.who != nil && o.who.user != nil {
		by, byID = o.who.user.Username, strp(o.who.user.ID)
	}
	priority := req.priority
	if priority == "" {
		priority = "LifecycleDefault"
	}
	skip := map[string]bool{}
	for _, a := range req.skipActions {
		skip[a] = true
	}
	depID := o.st.nextID("Deployments")
	taskID := o.st.nextID("ServerTasks")
	var comments *string
	if req.comments != "" {
		comments = strp(req.comments)
	}
	formValues := req.formValues
	if formValues == nil {
		formValues = map[string]string{}
	}
	d := &Deployment{Meta: Meta{ID: depID, SpaceID: r.SpaceID}, Name: name, ProjectID: p.ID, ReleaseID: r.ID,
		ChannelID: r.ChannelID, EnvironmentID: env.ID, TenantID: tenantPtr, TaskID: taskID,
		DeploymentProcessID: proc.ID, ManifestVariableSetID: "variableset-" + depID, Created: ts(o.now),
		DeployedBy: by, DeployedByID: byID, UseGuidedFailure: guidedFailureFor(p.DefaultGuidedFailureMode, env, req.useGuidedFailure),
		ForcePackageDownload: req.forceDownload, ForcePackageRedeployment: req.forceRedeploy, Priority: priority,
		Comments: comments, SkipActions: nonNil(req.skipActions), SpecificMachineIDs: []string{},
		ExcludedMachineIDs: nonNil(req.excludedMachines), QueueTime: tsOrNil(req.queueTime),
		QueueTimeExpiry: tsOrNil(req.expiry), FormValues: formValues, Changes: []jsonRaw{},
		DeployedToMachineIDs: []string{}}
	saveDeployment(o, d)
	queued := o.now
	if !req.queueTime.IsZero() {
		queued = req.queueTime
	}
	t := &ServerTask{Meta: Meta{ID: taskID, SpaceID: r.SpaceID}, Name: "Deploy", Description: desc, State: StateQueued,
		QueueTime: queued, QueueTimeExpiry: req.expiry, LastUpdatedTime: o.now, ProjectID: p.ID, EnvironmentID: env.ID,
		TenantID: tenantID, DeploymentID: depID}
	saveTask(o, t)
	run := &taskRun{taskID: taskID, spaceID: r.SpaceID, kind: runDeploy, docID: depID, projectID: p.ID, envID: env.ID,
		tenantID: tenantID, channelID: r.ChannelID, releaseID: r.ID, skip: skip, guided: d.UseGuidedFailure,
		notBefore: req.queueTime, expiry: req.expiry, outcome: req.outcome, failStep: req.failStep, notes: req.notes}
	x.newRun(o, run, proc.Steps)
	return d, nil
}

// executionCommand is the part of the v1 deploy and runbook-run bodies
// they share (go-client's CreateExecutionAbstractCommandV1). JSON names
// match case-insensitively, so go-client's camelCase fills them.
type executionCommand struct {
	SpaceID                        string            `json:"SpaceId"`
	SpaceIDOrName                  string            `json:"SpaceIdOrName"`
	ProjectName                    string            `json:"ProjectName"`
	ForcePackageDownload           bool              `json:"ForcePackageDownload"`
	SpecificMachineNames           []string          `json:"SpecificMachineNames"`
	ExcludedMachineNames           []string          `json:"ExcludedMachineNames"`
	SpecificTargetTagNames         []string          `json:"SpecificTargetTagNames"`
	ExcludedTargetTagNames         []string          `json:"ExcludedTargetTagNames"`
	SkipStepNames                  []string          `json:"SkipStepNames"`
	UseGuidedFailure               *bool             `json:"UseGuidedFailure"`
	RunAt                          string            `json:"RunAt"`
	NoRunAfter                     string            `json:"NoRunAfter"`
	Variables                      map[string]string `json:"Variables"`
	Priority                       string            `json:"Priority"`
	DebugMode                      string            `json:"DebugMode"`
	DeploymentFreezeNames          []string          `json:"DeploymentFreezeNames"`
	DeploymentFreezeOverrideReason string            `json:"DeploymentFreezeOverrideReason"`
}

// deployCommand is the body of deployments/create/(un)tenanted/v1.
type deployCommand struct {
	executionCommand
	ReleaseVersion           string   `json:"ReleaseVersion"`
	EnvironmentNames         []string `json:"EnvironmentNames"`
	EnvironmentName          string   `json:"EnvironmentName"`
	Tenants                  []string `json:"Tenants"`
	TenantTags               []string `json:"TenantTags"`
	ForcePackageRedeployment bool     `json:"ForcePackageRedeployment"`
	UpdateVariableSnapshot   bool     `json:"UpdateVariableSnapshot"`
}

// DeploymentServerTask pairs a deployment with its task.
type DeploymentServerTask struct {
	DeploymentID string `json:"DeploymentId"`
	ServerTaskID string `json:"ServerTaskId"`
}

// parseWhen reads a RunAt/NoRunAfter value (DateTimeOffset text; without
// an offset it is taken as UTC).
func parseWhen(field, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, timeLayout, "2006-01-02T15:04:05.000Z07:00", "2006-01-02T15:04:05",
		"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02", "2006-01-02 15:04:05Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, badRequest("The value '%s' for %s is not a valid date and time.", s, field)
}

// resolveProject finds the project an execution command names (ID, slug
// or name).
func resolveProject(o *op, ident string) (*Project, error) {
	if strings.TrimSpace(ident) == "" {
		return nil, badRequest("The project must be specified.")
	}
	if p, ok := kProjects.Lookup(o, ident); ok {
		return p, nil
	}
	if p, ok := kProjects.byName(o, ident); ok {
		return p, nil
	}
	return nil, &apiError{Status: http.StatusNotFound, Message: "Project named '" + ident + "' was not found."}
}

// resolveEnvironment finds an environment by name or ID.
func resolveEnvironment(o *op, ident string) (*Environment, error) {
	if e, ok := kEnvironments.byIDOrName(o, ident); ok {
		return e, nil
	}
	return nil, &apiError{Status: http.StatusNotFound, Message: "Environment named '" + ident + "' was not found."}
}

// execOptions turns the shared fields into what a deployment or run
// needs. Unknown step names only warn (in the task log).
func execOptions(o *op, cmd *executionCommand, steps []*Step) (skip []string, runAt, noRunAfter time.Time, notes []logLine, err error) {
	if len(cmd.SpecificMachineNames) > 0 {
		err = badRequest("The machine '%s' could not be found. The simulated server has no deployment targets.", cmd.SpecificMachineNames[0])
		return
	}
	for _, name := range cmd.SkipStepNames {
		found := false
		for _, s := range steps {
			for _, a := range s.Actions {
				if strings.EqualFold(s.Name, name) || strings.EqualFold(a.Name, name) {
					skip = append(skip, a.ID)
					found = true
				}
			}
		}
		if !found {
			notes = append(notes, logLine{o.now, catWarning, "The step '" + name + "' was asked to be skipped, but the process has no step of that name."})
		}
	}
	for _, name := range cmd.ExcludedMachineNames {
		notes = append(notes, logLine{o.now, catWarning, "The machine '" + name + "' could not be found, so it could not be excluded."})
	}
	if runAt, err = parseWhen("RunAt", cmd.RunAt); err != nil {
		return
	}
	if noRunAfter, err = parseWhen("NoRunAfter", cmd.NoRunAfter); err != nil {
		return
	}
	if !noRunAfter.IsZero() && !runAt.IsZero() && !noRunAfter.After(runAt) {
		err = badRequest("NoRunAfter must be later than RunAt.")
	}
	return
}

// releaseForCommand finds the release a deploy command names; an unknown
// version is the null-reference 500 real servers give (reference 3b).
func releaseForCommand(o *op, p *Project, version string) (*Release, error) {
	r := o.st.x.releaseByVersion(p.ID, version)
	if r == nil {
		return nil, serverFault()
	}
	return r, nil
}

// deployTarget is one validated deployment of a v1 command.
type deployTarget struct {
	env    *Environment
	tenant *Tenant
}

func deployV1(c *call, tenanted bool) (int, any, error) {
	cmd := &deployCommand{}
	if err := c.decode(cmd); err != nil {
		return 0, nil, err
	}
	return c.write(func(o *op) (int, any, error) {
		p, err := resolveProject(o, cmd.ProjectName)
		if err != nil {
			return 0, nil, err
		}
		if err := o.require(ProjectView, kProjects.scope(o, p)); err != nil {
			return 0, nil, err
		}
		if strings.TrimSpace(cmd.ReleaseVersion) == "" {
			return 0, nil, badRequest("The release version must be specified.")
		}
		r, err := releaseForCommand(o, p, cmd.ReleaseVersion)
		if err != nil {
			return 0, nil, err
		}
		proc, _ := kProcesses.tab(o.st).get(r.SpaceID, r.ProjectDeploymentProcessSnapshotID)
		var steps []*Step
		if proc != nil {
			steps = proc.Steps
		}
		skip, runAt, noRunAfter, notes, err := execOptions(o, &cmd.executionCommand, steps)
		if err != nil {
			return 0, nil, err
		}
		if p.IsDisabled {
			return 0, nil, badRequest("The project '%s' is disabled, so it cannot be deployed.", p.Name)
		}
		if cmd.ForcePackageRedeployment {
			notes = append(notes, logLine{o.now, catInfo, "Packages will be redeployed even if they are already installed."})
		}
		var targets []deployTarget
		if !tenanted {
			if p.TenantedDeploymentMode == "Tenanted" && len(cmd.EnvironmentNames) > 0 {
				return 0, nil, badRequest("%s can only be deployed to tenants. Either deploy this release to a tenant, or configure this project to allow un-tenanted deployments.", p.Name)
			}
			for _, name := range dedupe(cmd.EnvironmentNames) {
				e, err := resolveEnvironment(o, name)
				if err != nil {
					return 0, nil, err
				}
				targets = append(targets, deployTarget{env: e})
			}
		} else {
			if strings.TrimSpace(cmd.EnvironmentName) == "" {
				return 0, nil, badRequest("The environment must be specified.")
			}
			e, err := resolveEnvironment(o, cmd.EnvironmentName)
			if err != nil {
				return 0, nil, err
			}
			if p.TenantedDeploymentMode == "Untenanted" && (len(cmd.Tenants) > 0 || len(cmd.TenantTags) > 0) {
				return 0, nil, badRequest("%s is not configured for tenanted deployments. Either deploy this release without tenants, or configure this project to allow tenanted deployments.", p.Name)
			}
			ts, err := resolveTenants(o, p, e, r, cmd.Tenants, cmd.TenantTags)
			if err != nil {
				return 0, nil, err
			}
			for _, t := range ts {
				targets = append(targets, deployTarget{env: e, tenant: t})
			}
		}
		// Check every target before starting any.
		for _, tg := range targets {
			tid := ""
			if tg.tenant != nil {
				tid = tg.tenant.ID
			}
			sc := o.projectScope(p.ID, tg.env.ID, tid)
			sc.Untenanted = tg.tenant == nil
			if err := o.require(DeploymentCreate, sc); err != nil {
				return 0, nil, err
			}
			if err := checkLifecycle(o, p, r, tg.env, tg.tenant); err != nil {
				return 0, nil, err
			}
		}
		if len(targets) > 0 {
			if err := checkPrompts(o, p, cmd.Variables); err != nil {
				return 0, nil, err
			}
		}
		if cmd.UpdateVariableSnapshot && len(targets) > 0 {
			rc := *r
			rc.ProjectVariableSetSnapshotID = "variableset-" + p.ID + "-s-0-" + suffix(o.st.rng, 5)
			saveRelease(o, &rc)
			r = &rc
		}
		out := []*DeploymentServerTask{}
		for _, tg := range targets {
			d, err := startDeployment(o, &deployRequest{project: p, release: r, env: tg.env, tenant: tg.tenant,
				useGuidedFailure: cmd.UseGuidedFailure, forceDownload: cmd.ForcePackageDownload,
				forceRedeploy: cmd.ForcePackageRedeployment, skipActions: skip, queueTime: runAt, expiry: noRunAfter,
				formValues: cmd.Variables, priority: cmd.Priority, notes: notes})
			if err != nil {
				return 0, nil, err
			}
			out = append(out, &DeploymentServerTask{DeploymentID: d.ID, ServerTaskID: d.TaskID})
		}
		afterChange(o)
		return http.StatusOK, map[string]any{"DeploymentServerTasks": out}, nil
	})
}

func deployUntenantedV1(c *call) (int, any, error) { return deployV1(c, false) }
func deployTenantedV1(c *call) (int, any, error)   { return deployV1(c, true) }

// resolveTenants picks the tenants of a tenanted command: the named ones
// (all connected ones for "*") and those matching the tags; each must be
// connected to the project in the environment and fit the channel.
func resolveTenants(o *op, p *Project, e *Environment, r *Release, names, tags []string) ([]*Tenant, error) {
	var out []*Tenant
	seen := map[string]bool{}
	add := func(t *Tenant) {
		if !seen[t.ID] {
			seen[t.ID] = true
			out = append(out, t)
		}
	}
	ch, _ := kChannels.tab(o.st).get(r.SpaceID, r.ChannelID)
	fits := func(t *Tenant) bool { return ch == nil || tenantMatchesTags(t, ch.TenantTags) }
	for _, n := range names {
		if strings.TrimSpace(n) == "*" {
			for _, t := range connectedTenants(o, p.ID, e.ID) {
				if fits(t) {
					add(t)
				}
			}
			continue
		}
		t, ok := kTenants.byIDOrName(o, n)
		if !ok {
			return nil, &apiError{Status: http.StatusNotFound, Message: "Tenant named '" + n + "' was not found."}
		}
		if !containsFold(t.ProjectEnvironments[p.ID], e.ID) {
			return nil, badRequest("The tenant '%s' is not connected to the project '%s' in the environment '%s'.", t.Name, p.Name, e.Name)
		}
		if !fits(t) {
			return nil, badRequest("The tenant '%s' does not match the tenant tags of the channel '%s'.", t.Name, ch.Name)
		}
		add(t)
	}
	if len(tags) > 0 {
		want := canonicalTagList(o, tags)
		for _, t := range connectedTenants(o, p.ID, e.ID) {
			if fits(t) && tenantMatchesTags(t, want) {
				add(t)
			}
		}
	}
	return out, nil
}

// classicDeployment is the body of POST /deployments.
type classicDeployment struct {
	Deployment
	UseGuidedFailure *bool `json:"UseGuidedFailure"`
}

func postDeployment(c *call) (int, any, error) {
	in := &classicDeployment{}
	if err := c.decode(in); err != nil {
		return 0, nil, err
	}
	return c.write(func(o *op) (int, any, error) {
		if in.ReleaseID == "" || in.EnvironmentID == "" {
			return 0, nil, badRequest("Deployment creation failed. The ReleaseId and EnvironmentId must be specified.")
		}
		r, ok := kReleases.get(o, in.ReleaseID)
		if !ok {
			return 0, nil, badRequest("The release '%s' does not exist.", in.ReleaseID)
		}
		p, ok := kProjects.get(o, r.ProjectID)
		if !ok {
			return 0, nil, serverFault()
		}
		e, ok := kEnvironments.get(o, in.EnvironmentID)
		if !ok {
			return 0, nil, badRequest("The environment '%s' does not exist.", in.EnvironmentID)
		}
		var t *Tenant
		if tid := in.tenant(); tid != "" {
			if t, ok = kTenants.get(o, tid); !ok {
				return 0, nil, badRequest("The tenant '%s' does not exist.", tid)
			}
			if p.TenantedDeploymentMode == "Untenanted" {
				return 0, nil, badRequest("%s is not configured for tenanted deployments. Either deploy this release without tenants, or configure this project to allow tenanted deployments.", p.Name)
			}
			if !containsFold(t.ProjectEnvironments[p.ID], e.ID) {
				return 0, nil, badRequest("The tenant '%s' is not connected to the project '%s' in the environment '%s'.", t.Name, p.Name, e.Name)
			}
		} else if p.TenantedDeploymentMode == "Tenanted" {
			return 0, nil, badRequest("%s can only be deployed to tenants. Either deploy this release to a tenant, or configure this project to allow un-tenanted deployments.", p.Name)
		}
		if len(in.SpecificMachineIDs) > 0 {
			return 0, nil, badRequest("The machine '%s' could not be found. The simulated server has no deployment targets.", in.SpecificMachineIDs[0])
		}
		sc := o.projectScope(p.ID, e.ID, in.tenant())
		sc.Untenanted = t == nil
		if err := o.require(DeploymentCreate, sc); err != nil {
			return 0, nil, err
		}
		if err := checkLifecycle(o, p, r, e, t); err != nil {
			return 0, nil, err
		}
		if err := checkPrompts(o, p, in.FormValues); err != nil {
			return 0, nil, err
		}
		req := &deployRequest{project: p, release: r, env: e, tenant: t, useGuidedFailure: in.UseGuidedFailure,
			forceDownload: in.ForcePackageDownload, forceRedeploy: in.ForcePackageRedeployment, skipActions: in.SkipActions,
			excludedMachines: in.ExcludedMachineIDs, formValues: in.FormValues, comments: deref(in.Comments), priority: in.Priority}
		if in.QueueTime != nil {
			req.queueTime = in.QueueTime.UTC()
		}
		if in.QueueTimeExpiry != nil {
			req.expiry = in.QueueTimeExpiry.UTC()
		}
		d, err := startDeployment(o, req)
		if err != nil {
			return 0, nil, err
		}
		afterChange(o)
		cur, _ := kDeployments.get(o, d.ID)
		return http.StatusCreated, cur, nil
	})
}

// deploymentMatches applies the /deployments filters.
func deploymentMatches(o *op, d *Deployment, q listQuery) bool {
	if !q.matchID(d.ID) {
		return false
	}
	for param, val := range map[string]string{"projects": d.ProjectID, "environments": d.EnvironmentID,
		"tenants": d.tenant(), "channels": d.ChannelID} {
		if want := q.list(param); len(want) > 0 && !containsFold(want, val) {
			return false
		}
	}
	if states := q.list("taskState"); len(states) > 0 && !containsFold(states, o.st.x.taskState(d.TaskID)) {
		return false
	}
	if pn := q.PartialName; pn != "" && !strings.Contains(strings.ToLower(d.Name), strings.ToLower(pn)) {
		return false
	}
	return kDeployments.visible(o, d)
}

func listDeployments(c *call) (int, any, error) {
	q, err := c.listQuery()
	if err != nil {
		return 0, nil, err
	}
	return c.read(func(o *op) (int, any, error) {
		if err := o.requireAny(DeploymentView); err != nil {
			return 0, nil, err
		}
		x := o.st.x
		var pool []*Deployment
		if projects := q.list("projects"); len(projects) > 0 {
			for _, pid := range projects {
				if p, ok := kProjects.Lookup(o, pid); ok {
					pool = append(pool, x.deploymentsByProject[p.ID]...)
				}
			}
		} else {
			pool = kDeployments.tab(o.st).inSpace(o.spaceID)
		}
		items := []*Deployment{}
		for _, d := range pool {
			if deploymentMatches(o, d, q) {
				items = append(items, d)
			}
		}
		sort.Slice(items, func(i, j int) bool { return lessID(items[j].ID, items[i].ID) })
		return http.StatusOK, paginate(items, q, "Deployment", c.r.URL.Path, kDeployments.template(o.spaceID)), nil
	})
}

func releaseDeployments(c *call) (int, any, error) {
	q, err := c.listQuery()
	if err != nil {
		return 0, nil, err
	}
	return c.read(func(o *op) (int, any, error) {
		r, err := kReleases.find(o, c.param("id"))
		if err != nil {
			return 0, nil, err
		}
		list := o.st.x.deploymentsByRelease[r.ID]
		items := []*Deployment{}
		for i := len(list) - 1; i >= 0; i-- {
			if deploymentMatches(o, list[i], q) {
				items = append(items, list[i])
			}
		}
		tmpl := "/api/" + r.SpaceID + "/releases/" + r.ID + "/deployments{?skip,take}"
		return http.StatusOK, paginate(items, q, "Deployment", c.r.URL.Path, tmpl), nil
	})
}
