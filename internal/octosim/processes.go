package octosim

import (
	"net/http"
	"strings"
)

// isFrozen reports whether a process ID names a snapshot
// ("deploymentprocess-Projects-1-s-2-ABCDE"), which is immutable.
func isFrozen(id string) bool { return strings.Contains(id, "-s-") }

var kProcesses = &kind[*DeploymentProcess]{}

func init() {
	*kProcesses = kind[*DeploymentProcess]{
		Name: "DeploymentProcesses", Segment: "deploymentprocesses", ItemType: "DeploymentProcess", IDPrefix: "deploymentprocess",
		Template: "{/id}{?skip,take,ids}",
		View:     ProcessView, Edit: ProcessEdit, NoCreate: true, NoDelete: true,
		New:    func() *DeploymentProcess { return &DeploymentProcess{} },
		Scope:  func(o *op, d *DeploymentProcess) Scope { return o.in(d.SpaceID).projectScope(d.ProjectID, "", "") },
		Select: func(o *op, d *DeploymentProcess, q listQuery) bool { return !isFrozen(d.ID) || len(q.IDs) > 0 },
		Links: func(d *DeploymentProcess) map[string]string {
			proj := "/api/" + d.SpaceID + "/projects/" + d.ProjectID
			self := proj + "/deploymentprocesses"
			if isFrozen(d.ID) {
				self = "/api/" + d.SpaceID + "/deploymentprocesses/" + d.ID
			}
			return map[string]string{"Self": self, "Project": proj,
				"Template": proj + "/deploymentprocesses/template{?channel,releaseId}"}
		},
		Prepare: func(o *op, d, old *DeploymentProcess) error {
			if isFrozen(old.ID) {
				return badRequest("A deployment process snapshot cannot be modified.")
			}
			d.ProjectID = old.ProjectID
			d.Version = old.Version + 1
			d.LastSnapshotID = old.LastSnapshotID
			steps, err := normalizeSteps(o, d.ProjectID, d.Steps)
			d.Steps = steps
			return err
		},
	}
	defineKind(kProcesses)
}

func init() {
	addRoutes(kProcesses.routes()...)
	base := "/api/{spaceId}/projects/{projectId}/deploymentprocesses"
	addRoutes(
		routeSpec{Method: http.MethodGet, Pattern: base, Handler: projectProcessGet},
		routeSpec{Method: http.MethodPut, Pattern: base, Handler: projectProcessPut},
		routeSpec{Method: http.MethodGet, Pattern: base + "/template", Handler: projectProcessTemplate},
	)
}

func projectProcessGet(c *call) (int, any, error) {
	return c.read(func(o *op) (int, any, error) {
		p, err := projectChild(o, c)
		if err != nil {
			return 0, nil, err
		}
		d, err := kProcesses.find(o, p.DeploymentProcessID)
		return http.StatusOK, d, err
	})
}

func projectProcessPut(c *call) (int, any, error) {
	in := &DeploymentProcess{}
	if err := c.decode(in); err != nil {
		return 0, nil, err
	}
	return c.write(func(o *op) (int, any, error) {
		p, err := projectChild(o, c)
		if err != nil {
			return 0, nil, err
		}
		out, err := kProcesses.update(o, p.DeploymentProcessID, in)
		return http.StatusOK, out, err
	})
}

// freezeDeploymentProcess stores an immutable copy of a project's process
// (what a release snapshots) and returns it. Round B calls it when
// creating releases. The lock must be held for writing.
func freezeDeploymentProcess(o *op, live *DeploymentProcess) *DeploymentProcess {
	f := *live
	f.ID = live.ID + "-s-" + itoa(live.Version) + "-" + suffix(o.st.rng, 5)
	f.LastSnapshotID = nil
	kProcesses.save(o.in(live.SpaceID), &f)
	lc := *live
	lc.LastSnapshotID = &f.ID
	kProcesses.save(o.in(live.SpaceID), &lc)
	return &f
}

// releaseTemplateHook fills the release-related parts of a process template
// (last and next release version, and each package's version in the last
// release). Round B sets it; until then they are empty.
var releaseTemplateHook func(o *op, p *Project, channelID, releaseID string, t *ProcessTemplate)

// ProcessTemplate is what release creation needs to know of a process.
type ProcessTemplate struct {
	DeploymentProcessID            string                    `json:"DeploymentProcessId"`
	LastReleaseVersion             *string                   `json:"LastReleaseVersion"`
	NextVersionIncrement           string                    `json:"NextVersionIncrement"`
	VersioningPackageStepName      *string                   `json:"VersioningPackageStepName"`
	VersioningPackageReferenceName *string                   `json:"VersioningPackageReferenceName"`
	Packages                       []*ReleaseTemplatePackage `json:"Packages"`
	GitResources                   []jsonRaw                 `json:"GitResources"`
}

// ReleaseTemplatePackage is one package step of a process template.
type ReleaseTemplatePackage struct {
	ActionName                 string  `json:"ActionName"`
	StepName                   string  `json:"StepName"`
	PackageID                  string  `json:"PackageId"`
	PackageReferenceName       string  `json:"PackageReferenceName"`
	FeedID                     string  `json:"FeedId"`
	FeedName                   string  `json:"FeedName"`
	IsResolvable               bool    `json:"IsResolvable"`
	VersionSelectedLastRelease *string `json:"VersionSelectedLastRelease"`
	FixedVersion               *string `json:"FixedVersion"`
}

func projectProcessTemplate(c *call) (int, any, error) {
	return c.read(func(o *op) (int, any, error) {
		p, err := projectChild(o, c)
		if err != nil {
			return 0, nil, err
		}
		d, err := kProcesses.find(o, p.DeploymentProcessID)
		if err != nil {
			return 0, nil, err
		}
		channelID := c.r.URL.Query().Get("channel")
		if channelID != "" {
			if ch, ok := kChannels.get(o, channelID); !ok || !sameSpace(ch.ProjectID, p.ID) {
				return 0, nil, notFound(channelID)
			}
		}
		t := &ProcessTemplate{DeploymentProcessID: d.ID, Packages: []*ReleaseTemplatePackage{}, GitResources: []jsonRaw{}}
		for _, u := range packageUses(d.Steps) {
			feedName := u.FeedID
			if f, ok := kFeeds.get(o, u.FeedID); ok {
				feedName = f.Name
			}
			t.Packages = append(t.Packages, &ReleaseTemplatePackage{ActionName: u.ActionName, StepName: u.StepName,
				PackageID: u.PackageID, PackageReferenceName: u.ReferenceName, FeedID: u.FeedID, FeedName: feedName,
				IsResolvable: !isExpression(u.PackageID) && !isExpression(u.FeedID)})
		}
		if vs := p.VersioningStrategy; vs != nil && vs.DonorPackage != nil && vs.DonorPackage.DeploymentAction != "" {
			t.VersioningPackageStepName = &vs.DonorPackage.DeploymentAction
			t.VersioningPackageReferenceName = &vs.DonorPackage.PackageReference
		}
		if releaseTemplateHook != nil {
			releaseTemplateHook(o, p, channelID, c.r.URL.Query().Get("releaseId"), t)
		}
		return http.StatusOK, t, nil
	})
}
