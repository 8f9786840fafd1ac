package octosim

import (
	"net/http"
	"strings"
)

// runbookDeleteHooks run when a runbook is deleted (round B: its runs).
var runbookDeleteHooks []func(o *op, r *Runbook)

func runbookProcessID(runbookID string) string { return "RunbookProcess-" + runbookID }

var kRunbooks = &kind[*Runbook]{}

func init() {
	*kRunbooks = kind[*Runbook]{
		Name: "Runbooks", Segment: "runbooks", ItemType: "Runbook", IDPrefix: "Runbooks",
		Template: "{/id}{?skip,take,ids,partialName,clone,projectIds}",
		View:     RunbookView, Create: RunbookEdit, Edit: RunbookEdit, Delete: RunbookEdit,
		New:    func() *Runbook { return &Runbook{} },
		NameOf: func(r *Runbook) string { return r.Name },
		Scope:  func(o *op, r *Runbook) Scope { return o.in(r.SpaceID).projectScope(r.ProjectID, "", "") },
		Filters: map[string]func(o *op, r *Runbook, v string) bool{
			"projectIds": func(o *op, r *Runbook, v string) bool {
				for _, id := range strings.Split(v, ",") {
					if sameSpace(strings.TrimSpace(id), r.ProjectID) {
						return true
					}
				}
				return false
			},
			"projectId": func(o *op, r *Runbook, v string) bool { return sameSpace(r.ProjectID, v) },
		},
		Links:    runbookLinks,
		Prepare:  prepareRunbook,
		Created:  runbookCreated,
		Deleting: func(o *op, r *Runbook) error { deleteRunbookDocuments(o, r); return nil },
	}
	defineKind(kRunbooks)
}

func init() {
	addRoutes(kRunbooks.routes()...)
	pb := "/api/{spaceId}/projects/{projectId}/runbooks"
	addRoutes(
		routeSpec{Method: http.MethodGet, Pattern: pb, Handler: projectChildList(kRunbooks, func(r *Runbook) string { return r.ProjectID }, "Runbook", "runbooks{?skip,take,partialName}")},
		routeSpec{Method: http.MethodPost, Pattern: pb, Handler: projectRunbookCreate},
		routeSpec{Method: http.MethodGet, Pattern: pb + "/{id}", Handler: projectRunbookGet},
		routeSpec{Method: http.MethodPut, Pattern: pb + "/{id}", Handler: projectRunbookUpdate},
		routeSpec{Method: http.MethodDelete, Pattern: pb + "/{id}", Handler: projectRunbookDelete},
		routeSpec{Method: http.MethodGet, Pattern: pb + "/{runbookId}/environments", Handler: runbookEnvironments},
		routeSpec{Method: http.MethodGet, Pattern: "/api/{spaceId}/runbooks/{runbookId}/environments", Handler: runbookEnvironments},
	)
}

func runbookLinks(r *Runbook) map[string]string {
	sp := "/api/" + r.SpaceID
	base := sp + "/runbooks/" + r.ID
	return map[string]string{
		"Self":                    base,
		"Project":                 sp + "/projects/" + r.ProjectID,
		"RunbookProcesses":        sp + "/runbookProcesses/" + r.RunbookProcessID,
		"RunbookSnapshots":        base + "/runbookSnapshots{?skip,take,searchByName}",
		"RunbookSnapshotTemplate": base + "/runbookSnapshotTemplate",
		"RunbookRunTemplate":      base + "/runbookRuns/template",
		"Environments":            sp + "/projects/" + r.ProjectID + "/runbooks/" + r.ID + "/environments",
		"Web":                     "/app#/" + r.SpaceID + "/projects/" + r.ProjectID + "/operations/runbooks/" + r.ID,
	}
}

func prepareRunbook(o *op, r, old *Runbook) error {
	if err := requireName(r.Name); err != nil {
		return err
	}
	if r.ProjectID == "" {
		return badRequest("The runbook must belong to a project.")
	}
	p, ok := kProjects.Lookup(o, r.ProjectID)
	if !ok {
		return badRequest("The project '%s' does not exist.", r.ProjectID)
	}
	if old != nil && !sameSpace(old.ProjectID, p.ID) {
		return badRequest("A runbook cannot be moved to another project.")
	}
	r.ProjectID = p.ID
	var siblings []*Runbook
	for _, v := range kRunbooks.tab(o.st).inSpace(o.spaceID) {
		if sameSpace(v.ProjectID, p.ID) {
			siblings = append(siblings, v)
		}
	}
	if !uniqueIn(siblings, func(v *Runbook) string { return v.Name }, r.Name, selfID(old)) {
		return duplicateName("runbook")
	}
	if r.Slug == "" {
		r.Slug = slugify(r.Name)
	}
	r.Slug = uniqueSlug(siblings, func(v *Runbook) string { return v.Slug }, r.Slug, selfID(old))
	var err error
	if r.EnvironmentScope, err = oneOf("EnvironmentScope", r.EnvironmentScope, "All", "All", "FromProjectLifecycles", "Specified"); err != nil {
		return err
	}
	if r.MultiTenancyMode, err = oneOf("MultiTenancyMode", r.MultiTenancyMode, "Untenanted", "Untenanted", "TenantedOrUntenanted", "Tenanted"); err != nil {
		return err
	}
	if r.DefaultGuidedFailureMode, err = oneOf("DefaultGuidedFailureMode", r.DefaultGuidedFailureMode, "EnvironmentDefault", "EnvironmentDefault", "Off", "On"); err != nil {
		return err
	}
	r.Environments = dedupe(r.Environments)
	for _, id := range r.Environments {
		if _, ok := kEnvironments.tab(o.st).get(o.spaceID, id); !ok {
			return badRequest("The environment '%s' does not exist.", id)
		}
	}
	if r.RunRetentionPolicy == nil {
		r.RunRetentionPolicy = &RunbookRetentionPolicy{QuantityToKeep: 100, Strategy: "Default", Unit: "Items"}
	}
	if r.ConnectivityPolicy, err = normalizeConnectivity(r.ConnectivityPolicy); err != nil {
		return err
	}
	r.RunbookTags = nonNil(r.RunbookTags)
	if old == nil {
		r.ID = o.st.nextID("Runbooks")
		r.PublishedRunbookSnapshotID = nil
	} else if r.PublishedRunbookSnapshotID != nil && *r.PublishedRunbookSnapshotID == "" {
		r.PublishedRunbookSnapshotID = nil
	}
	r.RunbookProcessID = runbookProcessID(r.ID)
	// Publishing by PUT: the snapshot must be one of this runbook's.
	if r.PublishedRunbookSnapshotID != nil {
		s, ok := kRunbookSnapshots.tab(o.st).get(o.spaceID, *r.PublishedRunbookSnapshotID)
		if !ok || !sameSpace(s.RunbookID, r.ID) {
			return badRequest("The snapshot '%s' is not a snapshot of this runbook.", *r.PublishedRunbookSnapshotID)
		}
		r.PublishedRunbookSnapshotID = &s.ID
	}
	return nil
}

func runbookCreated(o *op, r *Runbook) error {
	kRunbookProcesses.save(o, &RunbookProcess{Meta: Meta{ID: r.RunbookProcessID}, ProjectID: r.ProjectID,
		RunbookID: r.ID, Steps: []*Step{}})
	return nil
}

// deleteRunbookDocuments removes a runbook with its process and snapshots.
func deleteRunbookDocuments(o *op, r *Runbook) {
	sp := r.SpaceID
	for _, p := range kRunbookProcesses.tab(o.st).inSpace(sp) {
		if sameSpace(p.RunbookID, r.ID) {
			kRunbookProcesses.tab(o.st).del(sp, p.ID)
		}
	}
	for _, s := range kRunbookSnapshots.tab(o.st).inSpace(sp) {
		if sameSpace(s.RunbookID, r.ID) {
			kRunbookSnapshots.tab(o.st).del(sp, s.ID)
		}
	}
	for _, h := range runbookDeleteHooks {
		h(o, r)
	}
	kRunbooks.tab(o.st).del(sp, r.ID)
}

// projectRunbook finds a runbook of the route's project (by ID or name).
func projectRunbook(o *op, c *call, param string) (*Project, *Runbook, error) {
	p, err := projectChild(o, c)
	if err != nil {
		return nil, nil, err
	}
	id := c.param(param)
	r, ok := kRunbooks.get(o, id)
	if !ok {
		for _, v := range kRunbooks.all(o) {
			if sameSpace(v.ProjectID, p.ID) && strings.EqualFold(v.Name, id) {
				r, ok = v, true
			}
		}
	}
	if !ok || !sameSpace(r.ProjectID, p.ID) {
		return nil, nil, notFound(id)
	}
	if err := o.require(RunbookView, kRunbooks.scope(o, r)); err != nil {
		return nil, nil, err
	}
	return p, r, nil
}

func projectRunbookCreate(c *call) (int, any, error) {
	in := &Runbook{}
	if err := c.decode(in); err != nil {
		return 0, nil, err
	}
	return c.write(func(o *op) (int, any, error) {
		p, err := projectChild(o, c)
		if err != nil {
			return 0, nil, err
		}
		in.ProjectID = p.ID
		out, err := kRunbooks.create(o, in)
		return http.StatusCreated, out, err
	})
}

func projectRunbookGet(c *call) (int, any, error) {
	return c.read(func(o *op) (int, any, error) {
		_, r, err := projectRunbook(o, c, "id")
		return http.StatusOK, r, err
	})
}

func projectRunbookUpdate(c *call) (int, any, error) {
	in := &Runbook{}
	if err := c.decode(in); err != nil {
		return 0, nil, err
	}
	return c.write(func(o *op) (int, any, error) {
		_, r, err := projectRunbook(o, c, "id")
		if err != nil {
			return 0, nil, err
		}
		out, err := kRunbooks.update(o, r.ID, in)
		return http.StatusOK, out, err
	})
}

func projectRunbookDelete(c *call) (int, any, error) {
	return c.write(func(o *op) (int, any, error) {
		_, r, err := projectRunbook(o, c, "id")
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, noBody{}, kRunbooks.remove(o, r.ID)
	})
}

// RunbookEnvironments are the environments a runbook may run in: all of
// the space's, the listed ones, or those of the project's lifecycles (the
// project's and its channels').
func runbookEnvironmentList(o *op, r *Runbook) []*Environment {
	all := kEnvironments.all(o)
	switch r.EnvironmentScope {
	case "Specified":
		var out []*Environment
		for _, e := range all {
			if containsFold(r.Environments, e.ID) {
				out = append(out, e)
			}
		}
		return nonNil(out)
	case "FromProjectLifecycles":
		p, ok := kProjects.get(o, r.ProjectID)
		if !ok {
			return []*Environment{}
		}
		ids := map[string]bool{}
		add := func(lid string) {
			if l, ok := kLifecycles.get(o, lid); ok {
				for _, ph := range effectivePhases(o.st, l) {
					for _, id := range append(append([]string{}, ph.AutomaticDeploymentTargets...), ph.OptionalDeploymentTargets...) {
						ids[strings.ToLower(id)] = true
					}
				}
			}
		}
		add(p.LifecycleID)
		for _, ch := range kChannels.all(o) {
			if sameSpace(ch.ProjectID, p.ID) && ch.LifecycleID != nil {
				add(*ch.LifecycleID)
			}
		}
		var out []*Environment
		for _, e := range all {
			if ids[strings.ToLower(e.ID)] {
				out = append(out, e)
			}
		}
		return nonNil(out)
	}
	return all
}

func runbookEnvironments(c *call) (int, any, error) {
	return c.read(func(o *op) (int, any, error) {
		r, err := kRunbooks.find(o, c.param("runbookId"))
		if err != nil {
			return 0, nil, err
		}
		if pid := c.param("projectId"); pid != "" {
			if p, ok := kProjects.Lookup(o, pid); !ok || !sameSpace(p.ID, r.ProjectID) {
				return 0, nil, notFound(c.param("runbookId"))
			}
		}
		var visible []*Environment
		for _, e := range runbookEnvironmentList(o, r) {
			if kEnvironments.visible(o, e) {
				visible = append(visible, e)
			}
		}
		return http.StatusOK, nonNil(visible), nil
	})
}

// Runbook processes: one per runbook, plus frozen copies for snapshots.

var kRunbookProcesses = &kind[*RunbookProcess]{}

func init() {
	*kRunbookProcesses = kind[*RunbookProcess]{
		Name: "RunbookProcesses", Segment: "runbookProcesses", ItemType: "RunbookProcess", IDPrefix: "RunbookProcess",
		Template: "{/id}{?skip,take,ids}",
		View:     RunbookView, Edit: RunbookEdit, NoCreate: true, NoDelete: true,
		New:    func() *RunbookProcess { return &RunbookProcess{} },
		Scope:  func(o *op, p *RunbookProcess) Scope { return o.in(p.SpaceID).projectScope(p.ProjectID, "", "") },
		Select: func(o *op, p *RunbookProcess, q listQuery) bool { return !isFrozen(p.ID) || len(q.IDs) > 0 },
		Links: func(p *RunbookProcess) map[string]string {
			sp := "/api/" + p.SpaceID
			return map[string]string{"Self": sp + "/runbookProcesses/" + p.ID, "Project": sp + "/projects/" + p.ProjectID,
				"Runbook": sp + "/runbooks/" + p.RunbookID}
		},
		Prepare: func(o *op, p, old *RunbookProcess) error {
			if isFrozen(old.ID) {
				return badRequest("A runbook process snapshot cannot be modified.")
			}
			p.ProjectID, p.RunbookID = old.ProjectID, old.RunbookID
			p.Version = old.Version + 1
			p.LastSnapshotID = old.LastSnapshotID
			steps, err := normalizeSteps(o, p.ProjectID, p.Steps)
			p.Steps = steps
			return err
		},
	}
	defineKind(kRunbookProcesses)
}

func init() {
	addRoutes(kRunbookProcesses.routes()...)
	pb := "/api/{spaceId}/projects/{projectId}/runbookProcesses/{id}"
	addRoutes(
		routeSpec{Method: http.MethodGet, Pattern: pb, Handler: projectRunbookProcessGet},
		routeSpec{Method: http.MethodPut, Pattern: pb, Handler: projectRunbookProcessPut},
	)
}

func projectRunbookProcessGet(c *call) (int, any, error) {
	return c.read(func(o *op) (int, any, error) {
		p, err := projectChild(o, c)
		if err != nil {
			return 0, nil, err
		}
		rp, err := kRunbookProcesses.find(o, c.param("id"))
		if err == nil && !sameSpace(rp.ProjectID, p.ID) {
			return 0, nil, notFound(c.param("id"))
		}
		return http.StatusOK, rp, err
	})
}

func projectRunbookProcessPut(c *call) (int, any, error) {
	in := &RunbookProcess{}
	if err := c.decode(in); err != nil {
		return 0, nil, err
	}
	return c.write(func(o *op) (int, any, error) {
		p, err := projectChild(o, c)
		if err != nil {
			return 0, nil, err
		}
		rp, err := kRunbookProcesses.find(o, c.param("id"))
		if err != nil {
			return 0, nil, err
		}
		if !sameSpace(rp.ProjectID, p.ID) {
			return 0, nil, notFound(c.param("id"))
		}
		out, err := kRunbookProcesses.update(o, rp.ID, in)
		return http.StatusOK, out, err
	})
}
