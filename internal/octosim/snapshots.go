package octosim

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/octostar/octostar/internal/octosim/versioning"
)

var kRunbookSnapshots = &kind[*RunbookSnapshot]{}

func init() {
	*kRunbookSnapshots = kind[*RunbookSnapshot]{
		Name: "RunbookSnapshots", Segment: "runbookSnapshots", ItemType: "RunbookSnapshot", IDPrefix: "RunbookSnapshots",
		Template: "{/id}{?skip,take,ids,publish}",
		View:     RunbookView, Edit: RunbookEdit, Delete: RunbookEdit, NoCreate: true,
		New:    func() *RunbookSnapshot { return &RunbookSnapshot{} },
		NameOf: func(s *RunbookSnapshot) string { return s.Name },
		// Newest first.
		Less:  func(a, b *RunbookSnapshot) bool { return lessID(b.ID, a.ID) },
		Scope: func(o *op, s *RunbookSnapshot) Scope { return o.in(s.SpaceID).projectScope(s.ProjectID, "", "") },
		Filters: map[string]func(o *op, s *RunbookSnapshot, v string) bool{
			"searchByName": func(o *op, s *RunbookSnapshot, v string) bool {
				return strings.Contains(strings.ToLower(s.Name), strings.ToLower(v))
			},
		},
		Links: func(s *RunbookSnapshot) map[string]string {
			sp := "/api/" + s.SpaceID
			return map[string]string{
				"Self":                 sp + "/runbookSnapshots/" + s.ID,
				"Runbook":              sp + "/runbooks/" + s.RunbookID,
				"Project":              sp + "/projects/" + s.ProjectID,
				"FrozenRunbookProcess": sp + "/runbookProcesses/" + s.FrozenRunbookProcessID,
				"RunbookRuns":          sp + "/runbookSnapshots/" + s.ID + "/runbookRuns{?skip,take}",
				"Artifacts":            sp + "/artifacts?regarding=" + s.ID,
			}
		},
		// Only the name and notes of a snapshot can change.
		Prepare: func(o *op, s, old *RunbookSnapshot) error {
			if err := requireName(s.Name); err != nil {
				return err
			}
			name, notes := s.Name, s.Notes
			*s = *old
			s.Name, s.Notes = name, notes
			return nil
		},
		Deleting: func(o *op, s *RunbookSnapshot) error {
			if r, ok := kRunbooks.get(o, s.RunbookID); ok && r.PublishedRunbookSnapshotID != nil && sameSpace(*r.PublishedRunbookSnapshotID, s.ID) {
				return badRequest("The snapshot '%s' is published and cannot be deleted. Publish another snapshot first.", s.Name)
			}
			return nil
		},
	}
	defineKind(kRunbookSnapshots)
}

func init() {
	addRoutes(kRunbookSnapshots.routes()...)
	addRoutes(
		routeSpec{Method: http.MethodPost, Pattern: "/api/{spaceId}/runbookSnapshots", Handler: postSnapshot},
		routeSpec{Method: http.MethodPost, Pattern: "/api/{spaceId}/projects/{projectId}/runbookSnapshots", Handler: postSnapshot},
		routeSpec{Method: http.MethodGet, Pattern: "/api/{spaceId}/projects/{projectId}/runbookSnapshots", Handler: listSnapshots},
		routeSpec{Method: http.MethodGet, Pattern: "/api/{spaceId}/projects/{projectId}/runbookSnapshots/{name}", Handler: getSnapshotByName},
		routeSpec{Method: http.MethodGet, Pattern: "/api/{spaceId}/runbooks/{runbookId}/runbookSnapshots", Handler: listSnapshots},
		routeSpec{Method: http.MethodGet, Pattern: "/api/{spaceId}/projects/{projectId}/runbooks/{runbookId}/runbookSnapshots", Handler: listSnapshots},
		routeSpec{Method: http.MethodGet, Pattern: "/api/{spaceId}/projects/{projectId}/runbooks/{runbookId}/runbookSnapshots/{name}", Handler: getSnapshotByName},
		routeSpec{Method: http.MethodGet, Pattern: "/api/{spaceId}/runbooks/{runbookId}/runbookSnapshotTemplate", Handler: snapshotTemplate},
		routeSpec{Method: http.MethodGet, Pattern: "/api/{spaceId}/projects/{projectId}/runbooks/{runbookId}/runbookSnapshotTemplate", Handler: snapshotTemplate},
	)
}

// snapshotInput is the create body: a snapshot plus Publish, which any
// non-blank value turns on (it is not stored).
type snapshotInput struct {
	RunbookSnapshot
	Publish json.RawMessage `json:"Publish"`
}

func truthy(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	switch s {
	case "", "null", "false", `""`:
		return false
	}
	var str string
	if json.Unmarshal(raw, &str) == nil {
		return strings.TrimSpace(str) != "" && !strings.EqualFold(str, "false")
	}
	return true
}

func postSnapshot(c *call) (int, any, error) {
	in := &snapshotInput{}
	if err := c.decode(in); err != nil {
		return 0, nil, err
	}
	publish := truthy(in.Publish) || strings.EqualFold(c.r.URL.Query().Get("publish"), "true")
	return c.write(func(o *op) (int, any, error) {
		if pid := c.param("projectId"); pid != "" {
			p, err := projectChild(o, c)
			if err != nil {
				return 0, nil, err
			}
			if in.ProjectID == "" {
				in.ProjectID = p.ID
			}
		}
		out, err := createSnapshot(o, &in.RunbookSnapshot, publish)
		return http.StatusCreated, out, err
	})
}

// createSnapshot freezes a runbook's process, picks package versions and
// stores the snapshot; publish makes it the runbook's published snapshot.
// The API and the seed both create snapshots here.
func createSnapshot(o *op, s *RunbookSnapshot, publish bool) (*RunbookSnapshot, error) {
	if s.RunbookID == "" {
		return nil, badRequest("The runbook for the snapshot must be specified.")
	}
	r, ok := kRunbooks.get(o, s.RunbookID)
	if !ok {
		return nil, badRequest("The runbook '%s' does not exist.", s.RunbookID)
	}
	if s.ProjectID != "" {
		if p, ok := kProjects.Lookup(o, s.ProjectID); !ok || !sameSpace(p.ID, r.ProjectID) {
			return nil, badRequest("The runbook '%s' does not belong to the project '%s'.", r.Name, s.ProjectID)
		}
	}
	if err := o.require(RunbookEdit, kRunbooks.scope(o, r)); err != nil {
		return nil, err
	}
	live, ok := kRunbookProcesses.get(o, r.RunbookProcessID)
	if !ok {
		return nil, serverFault()
	}
	if s.Name == "" {
		s.Name = nextSnapshotName(o)
	}
	for _, other := range kRunbookSnapshots.all(o) {
		if sameSpace(other.RunbookID, r.ID) && strings.EqualFold(other.Name, s.Name) {
			return nil, badRequest("A snapshot named '%s' already exists for this runbook.", s.Name)
		}
	}
	selected, err := selectPackages(o, live.Steps, s.SelectedPackages)
	if err != nil {
		return nil, err
	}
	frozen := *live
	frozen.ID = live.ID + "-s-" + itoa(live.Version) + "-" + suffix(o.st.rng, 5)
	frozen.LastSnapshotID = nil
	kRunbookProcesses.save(o, &frozen)
	lc := *live
	lc.LastSnapshotID = &frozen.ID
	kRunbookProcesses.save(o, &lc)

	vs := "variableset-" + r.ProjectID + "-s-0-" + suffix(o.st.rng, 5)
	snap := &RunbookSnapshot{Meta: Meta{ID: o.st.nextID("RunbookSnapshots")}, Name: s.Name, Notes: s.Notes,
		ProjectID: r.ProjectID, RunbookID: r.ID, Assembled: ts(o.now), FrozenRunbookProcessID: frozen.ID,
		FrozenProjectVariableSetID: vs, ProjectVariableSetSnapshotID: vs, LibraryVariableSetSnapshotIDs: []string{},
		SelectedPackages: selected, SelectedGitResources: []jsonRaw{}}
	kRunbookSnapshots.save(o, snap)
	if publish {
		rc := *r
		rc.PublishedRunbookSnapshotID = &snap.ID
		kRunbooks.save(o, &rc)
	}
	return snap, nil
}

// nextSnapshotName is the default name of a new snapshot.
func nextSnapshotName(o *op) string { return "Snapshot " + suffix(o.st.rng, 7) }

// selectPackages decides the version of each package the steps use: the
// one given (matched by action and reference name, or by step name), else
// the latest in the built-in feed, stable versions preferred.
func selectPackages(o *op, steps []*Step, given []*SelectedPackage) ([]*SelectedPackage, error) {
	out := []*SelectedPackage{}
	for _, u := range packageUses(steps) {
		version := ""
		for _, g := range given {
			if g == nil {
				continue
			}
			if (strings.EqualFold(g.ActionName, u.ActionName) || strings.EqualFold(g.StepName, u.StepName)) &&
				strings.EqualFold(g.PackageReferenceName, u.ReferenceName) {
				version = g.Version
			}
		}
		if version == "" && strings.EqualFold(u.FeedID, BuiltInFeedID) && !isExpression(u.PackageID) {
			version = latestVersion(o.st, o.spaceID, u.PackageID)
		}
		if version == "" {
			return nil, badRequest("A version must be specified for every included package. No version could be found for the package '%s' of step '%s'.", u.PackageID, u.StepName)
		}
		out = append(out, &SelectedPackage{ActionName: u.ActionName, PackageReferenceName: u.ReferenceName,
			StepName: u.StepName, Version: version})
	}
	return out, nil
}

// latestVersion is the highest stable version of a package, or the highest
// pre-release if it has no stable one; "" if it has no versions.
func latestVersion(st *Store, spaceID, packageID string) string {
	all := packageVersions(st, spaceID, packageID, versionFilter{IncludePreRelease: true})
	for _, p := range all {
		if v, _ := versioning.Parse(p.Version); !v.IsPrerelease() {
			return p.Version
		}
	}
	if len(all) > 0 {
		return all[0].Version
	}
	return ""
}

// snapshotScope resolves the project and runbook a snapshot route names.
func snapshotScope(o *op, c *call) (projectID, runbookID string, err error) {
	if c.param("projectId") != "" {
		p, err := projectChild(o, c)
		if err != nil {
			return "", "", err
		}
		projectID = p.ID
	}
	if rid := c.param("runbookId"); rid != "" {
		r, err := kRunbooks.find(o, rid)
		if err != nil {
			return "", "", err
		}
		if projectID != "" && !sameSpace(projectID, r.ProjectID) {
			return "", "", notFound(rid)
		}
		runbookID, projectID = r.ID, r.ProjectID
	}
	return projectID, runbookID, nil
}

func listSnapshots(c *call) (int, any, error) {
	q, err := c.listQuery()
	if err != nil {
		return 0, nil, err
	}
	return c.read(func(o *op) (int, any, error) {
		projectID, runbookID, err := snapshotScope(o, c)
		if err != nil {
			return 0, nil, err
		}
		items, err := kRunbookSnapshots.query(o, q)
		if err != nil {
			return 0, nil, err
		}
		var out []*RunbookSnapshot
		for _, s := range items {
			if (projectID == "" || sameSpace(s.ProjectID, projectID)) && (runbookID == "" || sameSpace(s.RunbookID, runbookID)) {
				out = append(out, s)
			}
		}
		return http.StatusOK, paginate(out, q, "RunbookSnapshot", c.r.URL.Path, c.r.URL.Path+"{/name}{?skip,take,searchByName}"), nil
	})
}

// getSnapshotByName takes a snapshot's name or ID.
func getSnapshotByName(c *call) (int, any, error) {
	return c.read(func(o *op) (int, any, error) {
		projectID, runbookID, err := snapshotScope(o, c)
		if err != nil {
			return 0, nil, err
		}
		name := c.param("name")
		for _, s := range kRunbookSnapshots.all(o) {
			if !sameSpace(s.ProjectID, projectID) || (runbookID != "" && !sameSpace(s.RunbookID, runbookID)) {
				continue
			}
			if sameSpace(s.ID, name) || strings.EqualFold(s.Name, name) {
				if err := o.require(RunbookView, kRunbookSnapshots.scope(o, s)); err != nil {
					return 0, nil, err
				}
				return http.StatusOK, s, nil
			}
		}
		return 0, nil, notFound(name)
	})
}

// SnapshotTemplate is what creating a snapshot of a runbook will use.
type SnapshotTemplate struct {
	NextNameIncrement string                    `json:"NextNameIncrement"`
	RunbookID         string                    `json:"RunbookId"`
	RunbookProcessID  string                    `json:"RunbookProcessId"`
	Packages          []*ReleaseTemplatePackage `json:"Packages"`
	GitResources      []jsonRaw                 `json:"GitResources"`
	Links             map[string]string         `json:"Links"`
}

func snapshotTemplate(c *call) (int, any, error) {
	return c.write(func(o *op) (int, any, error) {
		_, runbookID, err := snapshotScope(o, c)
		if err != nil {
			return 0, nil, err
		}
		r, _ := kRunbooks.get(o, runbookID)
		live, _ := kRunbookProcesses.get(o, r.RunbookProcessID)
		var last *RunbookSnapshot
		if r.PublishedRunbookSnapshotID != nil {
			last, _ = kRunbookSnapshots.get(o, *r.PublishedRunbookSnapshotID)
		}
		t := &SnapshotTemplate{NextNameIncrement: nextSnapshotName(o), RunbookID: r.ID, RunbookProcessID: r.RunbookProcessID,
			Packages: []*ReleaseTemplatePackage{}, GitResources: []jsonRaw{}, Links: map[string]string{}}
		for _, u := range packageUses(live.Steps) {
			feedName := u.FeedID
			if f, ok := kFeeds.get(o, u.FeedID); ok {
				feedName = f.Name
			}
			pkg := &ReleaseTemplatePackage{ActionName: u.ActionName, StepName: u.StepName, PackageID: u.PackageID,
				PackageReferenceName: u.ReferenceName, FeedID: u.FeedID, FeedName: feedName,
				IsResolvable: !isExpression(u.PackageID) && !isExpression(u.FeedID)}
			if last != nil {
				for _, sp := range last.SelectedPackages {
					if strings.EqualFold(sp.ActionName, u.ActionName) && strings.EqualFold(sp.PackageReferenceName, u.ReferenceName) {
						v := sp.Version
						pkg.VersionSelectedLastRelease = &v
					}
				}
			}
			t.Packages = append(t.Packages, pkg)
		}
		return http.StatusOK, t, nil
	})
}
