package octosim

import (
	"net/http"
	"strings"
)

var kDeployments = &kind[*Deployment]{}

func init() {
	*kDeployments = kind[*Deployment]{
		Name: "Deployments", Segment: "deployments", ItemType: "Deployment", IDPrefix: "Deployments",
		Template: "{/id}{?skip,take,ids,projects,environments,tenants,channels,taskState,partialName}",
		View:     DeploymentView, ReadOnly: true,
		New: func() *Deployment { return &Deployment{} },
		Scope: func(o *op, d *Deployment) Scope {
			return execScope(o.in(d.SpaceID), d.ProjectID, d.EnvironmentID, d.TenantID)
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
	execRequest
	project       *Project
	release       *Release
	system        bool // an automatic deployment
	forceRedeploy bool
	outcome       string // seeded past deployments: Success or Failed
	failStep      string
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
	df := req.defaults(o, req.system)
	depID := o.st.nextID("Deployments")
	taskID := o.st.nextID("ServerTasks")
	d := &Deployment{Meta: Meta{ID: depID, SpaceID: r.SpaceID}, Name: "Deploy to " + env.Name + forTenant(req.tenant),
		ProjectID: p.ID, ReleaseID: r.ID, ChannelID: r.ChannelID, EnvironmentID: env.ID, TenantID: df.tenantPtr, TaskID: taskID,
		DeploymentProcessID: proc.ID, ManifestVariableSetID: "variableset-" + depID, Created: ts(o.now),
		DeployedBy: df.by, DeployedByID: df.byID, UseGuidedFailure: guidedFailureFor(p.DefaultGuidedFailureMode, env, req.useGuidedFailure),
		ForcePackageDownload: req.forceDownload, ForcePackageRedeployment: req.forceRedeploy, Priority: df.priority,
		Comments: df.comments, SkipActions: nonNil(req.skipActions), SpecificMachineIDs: []string{},
		ExcludedMachineIDs: nonNil(req.excludedMachines), QueueTime: tsOrNil(req.queueTime),
		QueueTimeExpiry: tsOrNil(req.expiry), FormValues: df.formValues, Changes: []jsonRaw{},
		DeployedToMachineIDs: []string{}}
	saveDeployment(o, d)
	desc := "Deploy " + p.Name + " release " + r.Version + " to " + env.Name + forTenant(req.tenant)
	t := &ServerTask{Meta: Meta{ID: taskID, SpaceID: r.SpaceID}, Name: "Deploy", Description: desc, State: StateQueued,
		QueueTime: df.queued, QueueTimeExpiry: req.expiry, LastUpdatedTime: o.now, ProjectID: p.ID, EnvironmentID: env.ID,
		TenantID: df.tenantID, DeploymentID: depID}
	saveTask(o, t)
	run := &taskRun{taskID: taskID, spaceID: r.SpaceID, kind: runDeploy, docID: depID, projectID: p.ID, envID: env.ID,
		tenantID: df.tenantID, channelID: r.ChannelID, releaseID: r.ID, skip: df.skip, guided: d.UseGuidedFailure,
		notBefore: req.queueTime, expiry: req.expiry, outcome: req.outcome, failStep: req.failStep, notes: req.notes}
	x.newRun(o, run, proc.Steps)
	return d, nil
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

// releaseForCommand finds the release a deploy command names; an unknown
// version is the null-reference 500 real servers give (reference 3b).
func releaseForCommand(o *op, p *Project, version string) (*Release, error) {
	r := o.st.x.releaseByVersion(p.ID, version)
	if r == nil {
		return nil, serverFault()
	}
	return r, nil
}

func deployV1(c *call, tenanted bool) (int, any, error) {
	cmd := &deployCommand{}
	return runProjectCommand(c, cmd, func(o *op, p *Project) (int, any, error) {
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
		base, err := execOptions(o, &cmd.executionCommand, steps)
		if err != nil {
			return 0, nil, err
		}
		if p.IsDisabled {
			return 0, nil, badRequest("The project '%s' is disabled, so it cannot be deployed.", p.Name)
		}
		if cmd.ForcePackageRedeployment {
			base.notes = append(base.notes, logLine{o.now, catInfo, "Packages will be redeployed even if they are already installed."})
		}
		var targets []execTarget
		if !tenanted {
			if p.TenantedDeploymentMode == "Tenanted" && len(cmd.EnvironmentNames) > 0 {
				return 0, nil, badRequest("%s can only be deployed to tenants. Either deploy this release to a tenant, or configure this project to allow un-tenanted deployments.", p.Name)
			}
			for _, name := range dedupe(cmd.EnvironmentNames) {
				e, err := resolveEnvironment(o, name)
				if err != nil {
					return 0, nil, err
				}
				targets = append(targets, execTarget{env: e})
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
				targets = append(targets, execTarget{env: e, tenant: t})
			}
		}
		err = checkTargets(o, p, targets, cmd.Variables, func(tg execTarget) error {
			if err := o.require(DeploymentCreate, tg.scope(o, p.ID)); err != nil {
				return err
			}
			return checkLifecycle(o, p, r, tg.env, tg.tenant)
		})
		if err != nil {
			return 0, nil, err
		}
		if cmd.UpdateVariableSnapshot && len(targets) > 0 {
			rc := *r
			rc.ProjectVariableSetSnapshotID = "variableset-" + p.ID + "-s-0-" + suffix(o.st.rng, 5)
			saveRelease(o, &rc)
			r = &rc
		}
		out := []*DeploymentServerTask{}
		for _, tg := range targets {
			d, err := startDeployment(o, &deployRequest{execRequest: base.at(tg), project: p, release: r,
				forceRedeploy: cmd.ForcePackageRedeployment})
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

// resolveTenants picks the tenants of a tenanted deployment of r: the
// named ones (all connected ones for "*") and those matching the tags;
// each must be connected to the project in the environment and fit the
// release's channel.
func resolveTenants(o *op, p *Project, e *Environment, r *Release, names, tags []string) ([]*Tenant, error) {
	ch, _ := kChannels.tab(o.st).get(r.SpaceID, r.ChannelID)
	return pickTenants(o, p, e, names, tags, ch, true)
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
		tg, err := classicTarget(o, in.EnvironmentID, in.tenant())
		if err != nil {
			return 0, nil, err
		}
		e, t := tg.env, tg.tenant
		if t != nil {
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
		if err := o.require(DeploymentCreate, tg.scope(o, p.ID)); err != nil {
			return 0, nil, err
		}
		if err := checkLifecycle(o, p, r, e, t); err != nil {
			return 0, nil, err
		}
		if err := checkPrompts(o, p, in.FormValues); err != nil {
			return 0, nil, err
		}
		req := &deployRequest{project: p, release: r, forceRedeploy: in.ForcePackageRedeployment,
			execRequest: execRequest{env: e, tenant: t, useGuidedFailure: in.UseGuidedFailure,
				forceDownload: in.ForcePackageDownload, skipActions: in.SkipActions, excludedMachines: in.ExcludedMachineIDs,
				formValues: in.FormValues, comments: deref(in.Comments), priority: in.Priority}}
		req.setQueueWindow(in.QueueTime, in.QueueTimeExpiry)
		d, err := startDeployment(o, req)
		if err != nil {
			return 0, nil, err
		}
		return answerCreated(o, kDeployments, d.ID)
	})
}

// deploymentMatches applies the /deployments filters.
func deploymentMatches(o *op, d *Deployment, q listQuery) bool {
	return execMatches(o, q, d.ID, d.Name, d.TaskID, map[string]string{"projects": d.ProjectID,
		"environments": d.EnvironmentID, "tenants": d.tenant(), "channels": d.ChannelID}) && kDeployments.visible(o, d)
}

func listDeployments(c *call) (int, any, error) {
	return listExecs(c, kDeployments, deploymentPool, deploymentMatches)
}

// deploymentPool is where /deployments looks: the named projects' index
// when the projects filter is given (no scan of every deployment), else
// the space.
func deploymentPool(o *op, q listQuery) []*Deployment {
	projects := q.list("projects")
	if len(projects) == 0 {
		return kDeployments.tab(o.st).inSpace(o.spaceID)
	}
	var pool []*Deployment
	for _, pid := range projects {
		if p, ok := kProjects.Lookup(o, pid); ok {
			pool = append(pool, o.st.x.deploymentsByProject[p.ID]...)
		}
	}
	return pool
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
