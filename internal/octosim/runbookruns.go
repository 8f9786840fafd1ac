package octosim

import (
	"net/http"
	"sort"
	"strings"
	"time"
)

var kRunbookRuns = &kind[*RunbookRun]{}

func init() {
	*kRunbookRuns = kind[*RunbookRun]{
		Name: "RunbookRuns", Segment: "runbookRuns", ItemType: "RunbookRun", IDPrefix: "RunbookRuns",
		Template: "{/id}{?skip,take,ids,projects,environments,tenants,runbooks,taskState,partialName}",
		View:     RunbookRunView, ReadOnly: true,
		New: func() *RunbookRun { return &RunbookRun{} },
		Scope: func(o *op, r *RunbookRun) Scope {
			sc := o.in(r.SpaceID).projectScope(r.ProjectID, r.EnvironmentID, r.tenant())
			sc.Untenanted = r.TenantID == nil
			return sc
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
	project          *Project
	runbook          *Runbook
	snapshot         *RunbookSnapshot
	env              *Environment
	tenant           *Tenant
	useGuidedFailure *bool
	forceDownload    bool
	skipActions      []string
	excludedMachines []string
	queueTime        time.Time
	expiry           time.Time
	formValues       map[string]string
	comments         string
	priority         string
	notes            []logLine
}

// startRunbookRun creates a runbook run and its queued task. The caller
// has checked permissions.
func startRunbookRun(o *op, req *runRequest) (*RunbookRun, error) {
	rb, s, env := req.runbook, req.snapshot, req.env
	proc, ok := kRunbookProcesses.tab(o.st).get(rb.SpaceID, s.FrozenRunbookProcessID)
	if !ok {
		return nil, serverFault()
	}
	tenantID := ""
	var tenantPtr *string
	desc := "Run runbook " + rb.Name + " in " + env.Name
	if req.tenant != nil {
		tenantID = req.tenant.ID
		tenantPtr = strp(tenantID)
		desc += " for " + req.tenant.Name
	}
	by, byID := "System", (*string)(nil)
	if o.who != nil && o.who.user != nil {
		by, byID = o.who.user.Username, strp(o.who.user.ID)
	}
	priority := req.priority
	if priority == "" {
		priority = "LifecycleDefault"
	}
	var comments *string
	if req.comments != "" {
		comments = strp(req.comments)
	}
	fv := req.formValues
	if fv == nil {
		fv = map[string]string{}
	}
	runID := o.st.nextID("RunbookRuns")
	taskID := o.st.nextID("ServerTasks")
	rr := &RunbookRun{Meta: Meta{ID: runID, SpaceID: rb.SpaceID}, Name: rb.Name, ProjectID: rb.ProjectID, RunbookID: rb.ID,
		RunbookSnapshotID: s.ID, FrozenRunbookProcessID: proc.ID, EnvironmentID: env.ID, TenantID: tenantPtr, TaskID: taskID,
		Created: ts(o.now), DeployedBy: by, DeployedByID: byID,
		UseGuidedFailure:     guidedFailureFor(rb.DefaultGuidedFailureMode, env, req.useGuidedFailure),
		ForcePackageDownload: req.forceDownload, Priority: priority, Comments: comments, SkipActions: nonNil(req.skipActions),
		SpecificMachineIDs: []string{}, ExcludedMachineIDs: nonNil(req.excludedMachines), QueueTime: tsOrNil(req.queueTime),
		QueueTimeExpiry: tsOrNil(req.expiry), FormValues: fv, DeployedToMachineIDs: []string{}}
	saveRunbookRun(o, rr)
	queued := o.now
	if !req.queueTime.IsZero() {
		queued = req.queueTime
	}
	saveTask(o, &ServerTask{Meta: Meta{ID: taskID, SpaceID: rb.SpaceID}, Name: "RunbookRun", Description: desc,
		State: StateQueued, QueueTime: queued, QueueTimeExpiry: req.expiry, LastUpdatedTime: o.now, ProjectID: rb.ProjectID,
		EnvironmentID: env.ID, TenantID: tenantID, RunbookRunID: runID, RunbookID: rb.ID})
	skip := map[string]bool{}
	for _, a := range req.skipActions {
		skip[a] = true
	}
	run := &taskRun{taskID: taskID, spaceID: rb.SpaceID, kind: runRunbook, docID: runID, projectID: rb.ProjectID,
		envID: env.ID, tenantID: tenantID, runbookID: rb.ID, skip: skip, guided: rr.UseGuidedFailure,
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
	tid := ""
	if t != nil {
		tid = t.ID
		if rb.MultiTenancyMode == "Untenanted" {
			return badRequest("The runbook '%s' cannot be run for tenants.", rb.Name)
		}
		if !containsFold(t.ProjectEnvironments[p.ID], e.ID) {
			return badRequest("The tenant '%s' is not connected to the project '%s' in the environment '%s'.", t.Name, p.Name, e.Name)
		}
	} else if rb.MultiTenancyMode == "Tenanted" {
		return badRequest("The runbook '%s' can only be run for tenants.", rb.Name)
	}
	sc := o.projectScope(p.ID, e.ID, tid)
	sc.Untenanted = t == nil
	return o.require(RunbookRunCreate, sc)
}

func runRunbookV1(c *call) (int, any, error) {
	cmd := &runbookCommand{}
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
		skip, runAt, noRunAfter, notes, err := execOptions(o, &cmd.executionCommand, steps)
		if err != nil {
			return 0, nil, err
		}
		type target struct {
			env    *Environment
			tenant *Tenant
		}
		var targets []target
		for _, name := range dedupe(cmd.EnvironmentNames) {
			e, err := resolveEnvironment(o, name)
			if err != nil {
				return 0, nil, err
			}
			if len(cmd.Tenants) == 0 && len(cmd.TenantTags) == 0 {
				targets = append(targets, target{env: e})
				continue
			}
			var ts []*Tenant
			seen := map[string]bool{}
			for _, n := range cmd.Tenants {
				if strings.TrimSpace(n) == "*" {
					for _, t := range connectedTenants(o, p.ID, e.ID) {
						if !seen[t.ID] {
							seen[t.ID] = true
							ts = append(ts, t)
						}
					}
					continue
				}
				t, ok := kTenants.byIDOrName(o, n)
				if !ok {
					return 0, nil, &apiError{Status: http.StatusNotFound, Message: "Tenant named '" + n + "' was not found."}
				}
				if !seen[t.ID] {
					seen[t.ID] = true
					ts = append(ts, t)
				}
			}
			if len(cmd.TenantTags) > 0 {
				want := canonicalTagList(o, cmd.TenantTags)
				for _, t := range connectedTenants(o, p.ID, e.ID) {
					if tenantMatchesTags(t, want) && !seen[t.ID] {
						seen[t.ID] = true
						ts = append(ts, t)
					}
				}
			}
			for _, t := range ts {
				targets = append(targets, target{env: e, tenant: t})
			}
		}
		for _, tg := range targets {
			if err := checkRunbookTarget(o, p, rb, tg.env, tg.tenant); err != nil {
				return 0, nil, err
			}
		}
		if len(targets) > 0 {
			if err := checkPrompts(o, p, cmd.Variables); err != nil {
				return 0, nil, err
			}
		}
		out := []*RunbookRunServerTask{}
		for _, tg := range targets {
			rr, err := startRunbookRun(o, &runRequest{project: p, runbook: rb, snapshot: snap, env: tg.env, tenant: tg.tenant,
				useGuidedFailure: cmd.UseGuidedFailure, forceDownload: cmd.ForcePackageDownload, skipActions: skip,
				queueTime: runAt, expiry: noRunAfter, formValues: cmd.Variables, priority: cmd.Priority, notes: notes})
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
		e, ok := kEnvironments.get(o, in.EnvironmentID)
		if !ok {
			return 0, nil, badRequest("The environment '%s' does not exist.", in.EnvironmentID)
		}
		var t *Tenant
		if tid := in.tenant(); tid != "" {
			if t, ok = kTenants.get(o, tid); !ok {
				return 0, nil, badRequest("The tenant '%s' does not exist.", tid)
			}
		}
		if err := checkRunbookTarget(o, p, rb, e, t); err != nil {
			return 0, nil, err
		}
		if err := checkPrompts(o, p, in.FormValues); err != nil {
			return 0, nil, err
		}
		req := &runRequest{project: p, runbook: rb, snapshot: snap, env: e, tenant: t, useGuidedFailure: in.UseGuidedFailure,
			forceDownload: in.ForcePackageDownload, skipActions: in.SkipActions, excludedMachines: in.ExcludedMachineIDs,
			formValues: in.FormValues, comments: deref(in.Comments), priority: in.Priority}
		if in.QueueTime != nil {
			req.queueTime = in.QueueTime.UTC()
		}
		if in.QueueTimeExpiry != nil {
			req.expiry = in.QueueTimeExpiry.UTC()
		}
		rr, err := startRunbookRun(o, req)
		if err != nil {
			return 0, nil, err
		}
		afterChange(o)
		cur, _ := kRunbookRuns.get(o, rr.ID)
		return http.StatusCreated, cur, nil
	})
}

func listRunbookRuns(c *call) (int, any, error) {
	q, err := c.listQuery()
	if err != nil {
		return 0, nil, err
	}
	return c.read(func(o *op) (int, any, error) {
		if err := o.requireAny(RunbookRunView); err != nil {
			return 0, nil, err
		}
		items := []*RunbookRun{}
		for _, r := range kRunbookRuns.tab(o.st).inSpace(o.spaceID) {
			if !q.matchID(r.ID) || !kRunbookRuns.visible(o, r) {
				continue
			}
			ok := true
			for param, val := range map[string]string{"projects": r.ProjectID, "environments": r.EnvironmentID,
				"tenants": r.tenant(), "runbooks": r.RunbookID} {
				if want := q.list(param); len(want) > 0 && !containsFold(want, val) {
					ok = false
				}
			}
			if states := q.list("taskState"); len(states) > 0 && !containsFold(states, o.st.x.taskState(r.TaskID)) {
				ok = false
			}
			if pn := q.PartialName; pn != "" && !strings.Contains(strings.ToLower(r.Name), strings.ToLower(pn)) {
				ok = false
			}
			if ok {
				items = append(items, r)
			}
		}
		sort.Slice(items, func(i, j int) bool { return lessID(items[j].ID, items[i].ID) })
		return http.StatusOK, paginate(items, q, "RunbookRun", c.r.URL.Path, kRunbookRuns.template(o.spaceID)), nil
	})
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
