package octosim

import (
	"net/http"
	"strings"
)

var kRunbookRuns = &kind[*RunbookRun]{}

func init() {
	*kRunbookRuns = kind[*RunbookRun]{
		Name: "RunbookRuns", Segment: "runbookRuns", ItemType: "RunbookRun", IDPrefix: "RunbookRuns",
		Template: "{/id}{?skip,take,ids,projects,environments,tenants,runbooks,taskState,partialName}",
		View:     RunbookRunView, ReadOnly: true,
		New: func() *RunbookRun { return &RunbookRun{} },
		Scope: func(o *op, r *RunbookRun) Scope {
			return execScope(o.in(r.SpaceID), r.ProjectID, r.EnvironmentID, r.TenantID)
		},
		Less:  func(a, b *RunbookRun) bool { return lessID(b.ID, a.ID) },
		Links: func(*RunbookRun) map[string]string { return noLinks },
	}
	defineKind(kRunbookRuns)
}

func init() {
	addRoutes(
		routeSpec{Method: http.MethodGet, Pattern: "/api/{spaceId}/runbookRuns", Handler: listRunbookRuns},
		routeSpec{Method: http.MethodGet, Pattern: "/api/{spaceId}/runbookRuns/{id}", Handler: kRunbookRuns.handleGet},
		routeSpec{Method: http.MethodPost, Pattern: "/api/{spaceId}/runbookRuns", Handler: postRunbookRun},
		routeSpec{Method: http.MethodPost, Pattern: "/api/{spaceId}/runbook-runs/create/v1", Handler: runRunbookV1},
		routeSpec{Method: http.MethodGet, Pattern: "/api/{spaceId}/progression/runbooks/{runbookId}", Handler: runbookProgression},
	)
}

// runRequest is one runbook run to start.
type runRequest struct {
	execRequest
	project  *Project
	runbook  *Runbook
	snapshot *RunbookSnapshot
}

// startRunbookRun creates a runbook run and its queued task. The caller
// has checked permissions.
func startRunbookRun(o *op, req *runRequest) (*RunbookRun, error) {
	rb, s, env := req.runbook, req.snapshot, req.env
	proc, ok := kRunbookProcesses.tab(o.st).get(rb.SpaceID, s.FrozenRunbookProcessID)
	if !ok {
		return nil, serverFault()
	}
	df := req.defaults(o, false)
	runID := o.st.nextID("RunbookRuns")
	taskID := o.st.nextID("ServerTasks")
	rr := &RunbookRun{Meta: Meta{ID: runID, SpaceID: rb.SpaceID}, Name: rb.Name, ProjectID: rb.ProjectID, RunbookID: rb.ID,
		RunbookSnapshotID: s.ID, FrozenRunbookProcessID: proc.ID, EnvironmentID: env.ID, TenantID: df.tenantPtr, TaskID: taskID,
		Created: ts(o.now), DeployedBy: df.by, DeployedByID: df.byID,
		UseGuidedFailure:     guidedFailureFor(rb.DefaultGuidedFailureMode, env, req.useGuidedFailure),
		ForcePackageDownload: req.forceDownload, Priority: df.priority, Comments: df.comments, SkipActions: nonNil(req.skipActions),
		SpecificMachineIDs: []string{}, ExcludedMachineIDs: nonNil(req.excludedMachines), QueueTime: tsOrNil(req.queueTime),
		QueueTimeExpiry: tsOrNil(req.expiry), FormValues: df.formValues, DeployedToMachineIDs: []string{}}
	saveRunbookRun(o, rr)
	desc := "Run runbook " + rb.Name + " in " + env.Name + forTenant(req.tenant)
	saveTask(o, &ServerTask{Meta: Meta{ID: taskID, SpaceID: rb.SpaceID}, Name: "RunbookRun", Description: desc,
		State: StateQueued, QueueTime: df.queued, QueueTimeExpiry: req.expiry, LastUpdatedTime: o.now, ProjectID: rb.ProjectID,
		EnvironmentID: env.ID, TenantID: df.tenantID, RunbookRunID: runID, RunbookID: rb.ID})
	run := &taskRun{taskID: taskID, spaceID: rb.SpaceID, kind: runRunbook, docID: runID, projectID: rb.ProjectID,
		envID: env.ID, tenantID: df.tenantID, runbookID: rb.ID, skip: df.skip, guided: rr.UseGuidedFailure,
		notBefore: req.queueTime, expiry: req.expiry, notes: req.notes}
	o.st.x.newRun(o, run, proc.Steps)
	return rr, nil
}

// runbookCommand is the runbook-runs/create/v1 body.
type runbookCommand struct {
	executionCommand
	RunbookName      string   `json:"RunbookName"`
	EnvironmentNames []string `json:"EnvironmentNames"`
	Tenants          []string `json:"Tenants"`
	TenantTags       []string `json:"TenantTags"`
	Snapshot         string   `json:"Snapshot"`
}

// RunbookRunServerTask pairs a runbook run with its task.
type RunbookRunServerTask struct {
	RunbookRunID string `json:"RunbookRunId"`
	ServerTaskID string `json:"ServerTaskId"`
}

// checkRunbookTarget validates one environment (and tenant) of a run.
func checkRunbookTarget(o *op, p *Project, rb *Runbook, e *Environment, t *Tenant) error {
	allowed := false
	for _, env := range runbookEnvironmentList(o, rb) {
		allowed = allowed || env.ID == e.ID
	}
	if !allowed {
		return badRequest("The runbook '%s' cannot be run in the environment '%s'.", rb.Name, e.Name)
	}
	if t != nil {
		if rb.MultiTenancyMode == "Untenanted" {
			return badRequest("The runbook '%s' cannot be run for tenants.", rb.Name)
		}
		if !containsFold(t.ProjectEnvironments[p.ID], e.ID) {
			return badRequest("The tenant '%s' is not connected to the project '%s' in the environment '%s'.", t.Name, p.Name, e.Name)
		}
	} else if rb.MultiTenancyMode == "Tenanted" {
		return badRequest("The runbook '%s' can only be run for tenants.", rb.Name)
	}
	return o.require(RunbookRunCreate, execTarget{env: e, tenant: t}.scope(o, p.ID))
}

func runRunbookV1(c *call) (int, any, error) {
	cmd := &runbookCommand{}
	return runProjectCommand(c, cmd, func(o *op, p *Project) (int, any, error) {
		var rb *Runbook
		for _, r := range kRunbooks.all(o) {
			if r.ProjectID == p.ID && (strings.EqualFold(r.ID, cmd.RunbookName) || strings.EqualFold(strings.TrimSpace(r.Name), strings.TrimSpace(cmd.RunbookName))) {
				rb = r
			}
		}
		if rb == nil {
			return 0, nil, &apiError{Status: http.StatusNotFound,
				Message: "Runbook named '" + cmd.RunbookName + "' within project '" + p.Name + "' was not found."}
		}
		if err := o.require(RunbookView, kRunbooks.scope(o, rb)); err != nil {
			return 0, nil, err
		}
		snap, err := runbookSnapshot(o, rb, cmd.Snapshot)
		if err != nil {
			return 0, nil, err
		}
		proc, _ := kRunbookProcesses.get(o, snap.FrozenRunbookProcessID)
		var steps []*Step
		if proc != nil {
			steps = proc.Steps
		}
		base, err := execOptions(o, &cmd.executionCommand, steps)
		if err != nil {
			return 0, nil, err
		}
		var targets []execTarget
		for _, name := range dedupe(cmd.EnvironmentNames) {
			e, err := resolveEnvironment(o, name)
			if err != nil {
				return 0, nil, err
			}
			if len(cmd.Tenants) == 0 && len(cmd.TenantTags) == 0 {
				targets = append(targets, execTarget{env: e})
				continue
			}
			// Connection is checked per target below, after the environment.
			tenants, err := pickTenants(o, p, e, cmd.Tenants, cmd.TenantTags, nil, false)
			if err != nil {
				return 0, nil, err
			}
			for _, t := range tenants {
				targets = append(targets, execTarget{env: e, tenant: t})
			}
		}
		err = checkTargets(o, p, targets, cmd.Variables, func(tg execTarget) error {
			return checkRunbookTarget(o, p, rb, tg.env, tg.tenant)
		})
		if err != nil {
			return 0, nil, err
		}
		out := []*RunbookRunServerTask{}
		for _, tg := range targets {
			rr, err := startRunbookRun(o, &runRequest{execRequest: base.at(tg), project: p, runbook: rb, snapshot: snap})
			if err != nil {
				return 0, nil, err
			}
			out = append(out, &RunbookRunServerTask{RunbookRunID: rr.ID, ServerTaskID: rr.TaskID})
		}
		afterChange(o)
		return http.StatusOK, map[string]any{"RunbookRunServerTasks": out}, nil
	})
}

// runbookSnapshot is the snapshot a run uses: the one named (name or ID),
// else the published one.
func runbookSnapshot(o *op, rb *Runbook, ident string) (*RunbookSnapshot, error) {
	if ident = strings.TrimSpace(ident); ident != "" {
		for _, s := range kRunbookSnapshots.all(o) {
			if s.RunbookID == rb.ID && (strings.EqualFold(s.ID, ident) || strings.EqualFold(s.Name, ident)) {
				return s, nil
			}
		}
		return nil, &apiError{Status: http.StatusNotFound,
			Message: "Snapshot named '" + ident + "' of runbook '" + rb.Name + "' was not found."}
	}
	if rb.PublishedRunbookSnapshotID == nil {
		return nil, badRequest("The runbook '%s' has no published snapshot. Publish a snapshot, or name the snapshot to run.", rb.Name)
	}
	s, ok := kRunbookSnapshots.get(o, *rb.PublishedRunbookSnapshotID)
	if !ok {
		return nil, serverFault()
	}
	return s, nil
}

// classicRunbookRun is the body of POST /runbookRuns.
type classicRunbookRun struct {
	RunbookRun
	UseGuidedFailure *bool `json:"UseGuidedFailure"`
}

func postRunbookRun(c *call) (int, any, error) {
	in := &classicRunbookRun{}
	if err := c.decode(in); err != nil {
		return 0, nil, err
	}
	return c.write(func(o *op) (int, any, error) {
		if in.RunbookID == "" || in.RunbookSnapshotID == "" || in.EnvironmentID == "" {
			return 0, nil, badRequest("The RunbookId, RunbookSnapshotId and EnvironmentId must be specified.")
		}
		rb, err := kRunbooks.find(o, in.RunbookID)
		if err != nil {
			return 0, nil, err
		}
		p, ok := kProjects.get(o, rb.ProjectID)
		if !ok {
			return 0, nil, serverFault()
		}
		snap, ok := kRunbookSnapshots.get(o, in.RunbookSnapshotID)
		if !ok || snap.RunbookID != rb.ID {
			return 0, nil, badRequest("The snapshot '%s' is not a snapshot of the runbook '%s'.", in.RunbookSnapshotID, rb.Name)
		}
		tg, err := classicTarget(o, in.EnvironmentID, in.tenant())
		if err != nil {
			return 0, nil, err
		}
		if err := checkRunbookTarget(o, p, rb, tg.env, tg.tenant); err != nil {
			return 0, nil, err
		}
		if err := checkPrompts(o, p, in.FormValues); err != nil {
			return 0, nil, err
		}
		req := &runRequest{project: p, runbook: rb, snapshot: snap,
			execRequest: execRequest{env: tg.env, tenant: tg.tenant, useGuidedFailure: in.UseGuidedFailure,
				forceDownload: in.ForcePackageDownload, skipActions: in.SkipActions, excludedMachines: in.ExcludedMachineIDs,
				formValues: in.FormValues, comments: deref(in.Comments), priority: in.Priority}}
		req.setQueueWindow(in.QueueTime, in.QueueTimeExpiry)
		rr, err := startRunbookRun(o, req)
		if err != nil {
			return 0, nil, err
		}
		return answerCreated(o, kRunbookRuns, rr.ID)
	})
}

func listRunbookRuns(c *call) (int, any, error) {
	pool := func(o *op, _ listQuery) []*RunbookRun { return kRunbookRuns.tab(o.st).inSpace(o.spaceID) }
	return listExecs(c, kRunbookRuns, pool, runbookRunMatches)
}

// runbookRunMatches applies the /runbookRuns filters.
func runbookRunMatches(o *op, r *RunbookRun, q listQuery) bool {
	return execMatches(o, q, r.ID, r.Name, r.TaskID, map[string]string{"projects": r.ProjectID,
		"environments": r.EnvironmentID, "tenants": r.tenant(), "runbooks": r.RunbookID}) && kRunbookRuns.visible(o, r)
}

// runbookProgression is GET /progression/runbooks/{id}: each environment's
// runs of the runbook, newest first.
func runbookProgression(c *call) (int, any, error) {
	return c.read(func(o *op) (int, any, error) {
		rb, err := kRunbooks.find(o, c.param("runbookId"))
		if err != nil {
			return 0, nil, err
		}
		envs := []map[string]string{}
		for _, e := range runbookEnvironmentList(o, rb) {
			if kEnvironments.visible(o, e) {
				envs = append(envs, map[string]string{"Id": e.ID, "Name": e.Name})
			}
		}
		runs := map[string][]*runbookRunItem{}
		list := o.st.x.runsByRunbook[rb.ID]
		for i := len(list) - 1; i >= 0; i-- {
			r := list[i]
			if !kRunbookRuns.visible(o, r) {
				continue
			}
			t := o.st.x.tasks[r.TaskID]
			if t == nil {
				continue
			}
			item := &runbookRunItem{DashboardItem: taskItem(t, o.now), RunbookRunID: r.ID, RunbookID: r.RunbookID,
				RunbookSnapshotID: r.RunbookSnapshotID, RunBy: r.DeployedBy}
			if s, ok := kRunbookSnapshots.get(o, r.RunbookSnapshotID); ok {
				item.RunbookSnapshotName = s.Name
			}
			item.ID, item.ProjectID, item.EnvironmentID, item.TenantID = r.ID, r.ProjectID, r.EnvironmentID, r.TenantID
			item.Created = r.Created
			item.IsCurrent = len(runs[r.EnvironmentID]) == 0
			item.Links = map[string]string{"Self": "/api/" + r.SpaceID + "/runbookRuns/" + r.ID, "Task": "/api/tasks/" + r.TaskID}
			runs[r.EnvironmentID] = append(runs[r.EnvironmentID], item)
		}
		return http.StatusOK, map[string]any{"Environments": envs, "RunbookRuns": runs}, nil
	})
}

// runbookRunItem is a run in the runbook progression.
type runbookRunItem struct {
	DashboardItem
	RunbookRunID        string `json:"RunbookRunId"`
	RunbookID           string `json:"RunbookId"`
	RunbookSnapshotID   string `json:"RunbookSnapshotId"`
	RunbookSnapshotName string `json:"RunbookSnapshotName"`
	RunBy               string `json:"RunBy"`
}
