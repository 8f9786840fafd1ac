package octopus

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/channels"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/deployments"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/lifecycles"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/packages"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/releases"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/runbooks"
)

// Previewer is what the server can say about a change before anyone
// makes it, read with GET requests only. It is not part of Octopus, so
// fakes and wrappers need not implement it: a plan type-asserts on it
// and states what it could not preview when it is missing.
type Previewer interface {
	// PreviewRelease says what CREATE RELEASE would make of r now: the
	// channel, the version (the server's NextVersionIncrement when r
	// names none) and each package's version.
	PreviewRelease(ctx context.Context, r CreateReleaseRequest) (ReleasePreview, error)
	// PreviewDeployment lists the steps a deployment of release to the
	// environment would run: the server's deployment preview for a
	// release that exists, else (release.ID == "") the steps of the
	// project's current process that apply to the environment and
	// release.ChannelID, since a new release snapshots that process.
	PreviewDeployment(ctx context.Context, project string, release Release, environment string) (RunPreview, error)
	// PreviewRunbookRun lists the steps of a runbook's snapshot (the
	// published one unless named) that apply to the environment.
	PreviewRunbookRun(ctx context.Context, project, runbook, snapshot, environment string) (RunPreview, error)
	// Lifecycle lists the phases a release of the project in the
	// channel (by name or ID; "" for the default) goes through.
	Lifecycle(ctx context.Context, project, channel string) ([]Phase, error)
}

// ReleasePreview is what creating a release would make.
type ReleasePreview struct {
	Project, ProjectID string
	Channel, ChannelID string
	// ChannelAssumed is set when the request named no channel and the
	// project has several: the server then picks the best one, and the
	// preview assumes the default channel.
	ChannelAssumed bool
	LastVersion    string // the project's most recently created release, "" if none
	// Version is the version the release would get: the request's, the
	// server's NextVersionIncrement, or the donor package's version. It
	// may still hold a mask ("2026.11.i") that the server resolves when
	// it creates the release; "" when nothing tells.
	Version       string
	VersionSource VersionSource
	Packages      []PackagePreview
	// Existing is the release that already has Version, if any (only
	// looked up when Version holds no mask).
	Existing *Release
}

// VersionSource says where a previewed release version comes from.
type VersionSource string

// The sources of a previewed version.
const (
	VersionGiven   VersionSource = "given"         // the request named it
	VersionServer  VersionSource = "server"        // the template's NextVersionIncrement
	VersionDonor   VersionSource = "donor package" // the version of the donor package
	VersionUnknown VersionSource = "unknown"       // the server computes it and gave no preview
)

// PackagePreview is one package step's version in a previewed release.
type PackagePreview struct {
	Key       string // "Step" or "Step:Reference", as in Release.Packages
	PackageID string
	Version   string // "" when the preview cannot tell
	// Source says how Version was chosen: "given", "fixed", "newest in
	// the feed that the channel allows", or why it is unknown.
	Source      string
	LastRelease string // the version in the last release, if any
}

// RunPreview is the steps a deployment or runbook run would execute.
type RunPreview struct {
	// FromServer is set for the server's own deployment preview; else
	// the steps were read from a process and filtered here.
	FromServer    bool
	Steps         []PreviewStep
	GuidedFailure bool     // the server's default for the deployment (FromServer only)
	Prompts       []string // names of prompted variables that need a value (FromServer only)
	// Runbook and Snapshot name the runbook and its snapshot, for
	// runbook runs.
	Runbook, Snapshot string
}

// PreviewStep is one step of a previewed run.
type PreviewStep struct {
	Number, Name string
	// Manual marks a manual intervention: the task stops there until
	// someone answers it.
	Manual bool
	// NoMachines marks a step with target tags but no target to run on.
	NoMachines bool
}

// Phase is one phase of a lifecycle, with environment names.
type Phase struct {
	Name      string
	Automatic []string // deployed to automatically when the phase opens
	Optional  []string // deployable once the phase opens
	// IsOptional phases never hold later ones back.
	IsOptional bool
	Minimum    int // environments needed before the next phase opens; 0 means all
}

// Environments lists the phase's environments, automatic ones first.
func (p Phase) Environments() []string { return append(slices.Clone(p.Automatic), p.Optional...) }

var _ Previewer = (*Client)(nil)

// channelDocs reads a project's channels with their rules and
// lifecycles, which the name cache does not keep.
func (c *Client) channelDocs(ctx context.Context, p Project) ([]*channels.Channel, error) {
	type page struct {
		Items []*channels.Channel `json:"Items"`
	}
	res, err := get[page](ctx, c, "listing the channels of "+p.Name, "/api/"+c.info.SpaceID+"/projects/"+p.ID+"/channels?take=1000")
	if err != nil {
		return nil, err
	}
	return res.Items, nil
}

// pickChannel finds the named channel, or the one a request naming none
// would most likely get: the only channel, else the default one.
func (c *Client) pickChannel(ctx context.Context, p Project, ref string) (ch *channels.Channel, assumed bool, err error) {
	docs, err := c.channelDocs(ctx, p)
	if err != nil {
		return nil, false, err
	}
	if ref != "" {
		named, err := c.channel(ctx, p, ref)
		if err != nil {
			return nil, false, err
		}
		for _, d := range docs {
			if d.ID == named.ID {
				return d, false, nil
			}
		}
		return nil, false, fmt.Errorf("channel %s of %s was listed but not found again", named.Name, p.Name)
	}
	if len(docs) == 1 {
		return docs[0], false, nil
	}
	for _, d := range docs {
		if d.IsDefault {
			return d, true, nil
		}
	}
	return nil, false, fmt.Errorf("%s has %d channels and none is the default: name one", p.Name, len(docs))
}

// PreviewRelease reads the process template for the channel (GET
// .../deploymentprocesses/template?channel=), then each package's newest
// version in its feed within the channel's rule, as the official CLI
// does before it creates a release.
func (c *Client) PreviewRelease(ctx context.Context, r CreateReleaseRequest) (ReleasePreview, error) {
	p, err := c.project(ctx, r.Project)
	if err != nil {
		return ReleasePreview{}, err
	}
	ch, assumed, err := c.pickChannel(ctx, p, r.Channel)
	if err != nil {
		return ReleasePreview{}, err
	}
	proc, err := get[deployments.DeploymentProcess](ctx, c, "reading the deployment process of "+p.Name,
		"/api/"+c.info.SpaceID+"/projects/"+p.ID+"/deploymentprocesses")
	if err != nil {
		return ReleasePreview{}, err
	}
	tmpl, err := deployments.GetDeploymentProcessTemplate(c.with(ctx), proc, ch.ID, "")
	if err != nil {
		return ReleasePreview{}, c.wrap(ctx, "reading the release template of "+p.Name, err)
	}
	out := ReleasePreview{Project: p.Name, ProjectID: p.ID, Channel: ch.Name, ChannelID: ch.ID, ChannelAssumed: assumed,
		LastVersion: tmpl.LastReleaseVersion}
	for _, tp := range tmpl.Packages {
		pp, err := c.previewPackage(ctx, r, ch, tp)
		if err != nil {
			return ReleasePreview{}, err
		}
		out.Packages = append(out.Packages, pp)
	}
	switch {
	case strings.TrimSpace(r.Version) != "":
		out.Version, out.VersionSource = strings.TrimSpace(r.Version), VersionGiven
	case tmpl.NextVersionIncrement != "":
		out.Version, out.VersionSource = tmpl.NextVersionIncrement, VersionServer
	case tmpl.VersioningPackageStepName != nil && *tmpl.VersioningPackageStepName != "":
		key := *tmpl.VersioningPackageStepName
		if ref := tmpl.VersioningPackageReferenceName; ref != nil && *ref != "" {
			key += ":" + *ref
		}
		out.VersionSource = VersionDonor
		for _, pp := range out.Packages {
			if strings.EqualFold(pp.Key, key) {
				out.Version = pp.Version
			}
		}
	default:
		out.VersionSource = VersionUnknown
	}
	if out.Version != "" && !IsVersionMask(out.Version) {
		existing, ok, err := c.releaseByVersion(ctx, p, out.Version)
		if err != nil {
			return ReleasePreview{}, err
		}
		if ok {
			out.Existing = &existing
		}
	}
	return out, nil
}

// previewPackage chooses a package step's version as the server would:
// a matching Packages entry (step and reference, step, package ID, then
// "*"), then PackageVersion, then a fixed version, then the newest
// version in the feed that the channel's rule allows.
func (c *Client) previewPackage(ctx context.Context, r CreateReleaseRequest, ch *channels.Channel, tp releases.ReleaseTemplatePackage) (PackagePreview, error) {
	step := tp.ActionName
	if step == "" {
		step = tp.StepName
	}
	key := step
	if tp.PackageReferenceName != "" {
		key += ":" + tp.PackageReferenceName
	}
	pp := PackagePreview{Key: key, PackageID: tp.PackageID, LastRelease: tp.VersionSelectedLastRelease}
	best := 0
	for k, v := range r.Packages {
		score := 0
		switch {
		case strings.EqualFold(k, key) && tp.PackageReferenceName != "":
			score = 4
		case strings.EqualFold(k, step) || strings.EqualFold(k, tp.StepName):
			score = 3
		case strings.EqualFold(k, tp.PackageID):
			score = 2
		case k == "*":
			score = 1
		}
		if score > best {
			best, pp.Version, pp.Source = score, v, "given"
		}
	}
	switch {
	case pp.Version != "":
		return pp, nil
	case r.PackageVersion != "":
		pp.Version, pp.Source = r.PackageVersion, "given"
		return pp, nil
	case tp.FixedVersion != "":
		pp.Version, pp.Source = tp.FixedVersion, "fixed"
		return pp, nil
	case !tp.IsResolvable:
		pp.Source = "the package or feed is a variable the server resolves"
		return pp, nil
	}
	params := url.Values{"packageId": {tp.PackageID}, "take": {"1"}}
	for _, rule := range ch.Rules {
		for _, ap := range rule.ActionPackages {
			if (strings.EqualFold(ap.DeploymentAction, tp.ActionName) || strings.EqualFold(ap.DeploymentAction, tp.StepName)) &&
				strings.EqualFold(ap.PackageReference, tp.PackageReferenceName) {
				if rule.VersionRange != "" {
					params.Set("versionRange", rule.VersionRange)
				}
				if rule.Tag != "" {
					params.Set("preReleaseTag", rule.Tag)
				}
			}
		}
	}
	type page struct {
		Items []*packages.PackageVersion `json:"Items"`
	}
	res, err := get[page](ctx, c, "searching the versions of package "+tp.PackageID,
		"/api/"+c.info.SpaceID+"/feeds/"+url.PathEscape(tp.FeedID)+"/packages/versions?"+params.Encode())
	if err != nil {
		return PackagePreview{}, err
	}
	if len(res.Items) == 0 {
		pp.Source = "no version in the feed that channel " + ch.Name + " allows"
		return pp, nil
	}
	pp.Version, pp.Source = res.Items[0].Version, "newest in the feed that channel "+ch.Name+" allows"
	return pp, nil
}

// IsVersionMask reports whether a version holds a mask part ("i" or
// "c", as in "1.2.i") that the server replaces when it saves a release.
func IsVersionMask(v string) bool {
	core, _, _ := strings.Cut(v, "-")
	for part := range strings.SplitSeq(core, ".") {
		if part == "i" || part == "c" || part == "I" || part == "C" {
			return true
		}
	}
	return false
}

// PreviewDeployment reads GET /releases/{id}/deployments/preview/{env}
// and marks the manual interventions from the release's process
// snapshot; for a release not created yet it filters the project's
// current process instead. The untenanted preview stands for tenanted
// deployments too (actions scoped to tenant tags are not told apart).
func (c *Client) PreviewDeployment(ctx context.Context, project string, release Release, environment string) (RunPreview, error) {
	p, err := c.project(ctx, project)
	if err != nil {
		return RunPreview{}, err
	}
	env, err := c.environment(ctx, environment)
	if err != nil {
		return RunPreview{}, err
	}
	if release.ID == "" {
		proc, err := get[deployments.DeploymentProcess](ctx, c, "reading the deployment process of "+p.Name,
			"/api/"+c.info.SpaceID+"/projects/"+p.ID+"/deploymentprocesses")
		if err != nil {
			return RunPreview{}, err
		}
		return RunPreview{Steps: applicableSteps(proc.Steps, env.ID, release.ChannelID)}, nil
	}
	rel, err := get[releases.Release](ctx, c, "reading release "+release.ID, "/api/"+c.info.SpaceID+"/releases/"+release.ID)
	if err != nil {
		return RunPreview{}, err
	}
	manual := map[string]bool{}
	if rel.ProjectDeploymentProcessSnapshotID != "" {
		proc, err := get[deployments.DeploymentProcess](ctx, c, "reading the process snapshot of "+p.Name+" "+release.Version,
			"/api/"+c.info.SpaceID+"/deploymentprocesses/"+rel.ProjectDeploymentProcessSnapshotID)
		if err != nil {
			return RunPreview{}, err
		}
		for _, s := range proc.Steps {
			for _, a := range s.Actions {
				manual[a.Name] = a.ActionType == actionManual
			}
		}
	}
	prev, err := deployments.GetReleaseDeploymentPreview(c.with(ctx), c.info.SpaceID, release.ID, env.ID, false)
	if err != nil {
		return RunPreview{}, c.wrap(ctx, fmt.Sprintf("previewing the deployment of %s %s to %s", p.Name, release.Version, env.Name), err)
	}
	out := RunPreview{FromServer: true, GuidedFailure: prev.UseGuidedFailureModeByDefault}
	for _, s := range prev.StepsToExecute {
		out.Steps = append(out.Steps, PreviewStep{Number: s.ActionNumber, Name: s.ActionName, Manual: manual[s.ActionName],
			NoMachines: s.HasNoApplicableMachines})
	}
	if prev.Form != nil {
		for _, e := range prev.Form.Elements {
			if e == nil || !e.IsValueRequired {
				continue
			}
			// The element's Name is the variable's ID; its control's
			// Name is the variable name a script passes in variables=.
			name := e.Name
			if e.Control != nil && e.Control.Name != "" {
				name = e.Control.Name
			}
			out.Prompts = append(out.Prompts, name)
		}
	}
	return out, nil
}

// actionManual is the action type of a manual intervention step.
const actionManual = "Octopus.Manual"

// applicableSteps filters a process as a deployment to the environment
// in the channel would run it: enabled actions, not scoped away from
// the environment or the channel. Steps are numbered as Octopus numbers
// them ("2", or "2.1" for the first action of a parent step).
func applicableSteps(steps []*deployments.DeploymentStep, envID, channelID string) []PreviewStep {
	var out []PreviewStep
	for i, s := range steps {
		for j, a := range s.Actions {
			if a.IsDisabled || (len(a.Environments) > 0 && !slices.Contains(a.Environments, envID)) ||
				slices.Contains(a.ExcludedEnvironments, envID) ||
				(channelID != "" && len(a.Channels) > 0 && !slices.Contains(a.Channels, channelID)) {
				continue
			}
			number := strconv.Itoa(i + 1)
			if len(s.Actions) > 1 {
				number += "." + strconv.Itoa(j+1)
			}
			out = append(out, PreviewStep{Number: number, Name: a.Name, Manual: a.ActionType == actionManual})
		}
	}
	return out
}

// PreviewRunbookRun reads the runbook's snapshot and its frozen process.
// Octopus has a runbook run preview too, but not every server (nor the
// simulator) serves it; the frozen process says what a run executes.
func (c *Client) PreviewRunbookRun(ctx context.Context, project, runbook, snapshot, environment string) (RunPreview, error) {
	p, err := c.project(ctx, project)
	if err != nil {
		return RunPreview{}, err
	}
	rb, err := c.runbook(ctx, p, runbook)
	if err != nil {
		return RunPreview{}, err
	}
	env, err := c.environment(ctx, environment)
	if err != nil {
		return RunPreview{}, err
	}
	path := "/api/" + c.info.SpaceID + "/runbookSnapshots/" + rb.PublishedSnapshot
	switch {
	case snapshot != "":
		path = "/api/" + c.info.SpaceID + "/projects/" + p.ID + "/runbookSnapshots/" + url.PathEscape(snapshot)
	case rb.PublishedSnapshot == "":
		return RunPreview{}, fmt.Errorf("runbook %s of %s has no published snapshot; publish one or name a snapshot", rb.Name, p.Name)
	}
	snap, err := get[runbooks.RunbookSnapshot](ctx, c, "reading the snapshot of runbook "+rb.Name, path)
	if err != nil {
		return RunPreview{}, err
	}
	proc, err := get[runbooks.RunbookProcess](ctx, c, "reading the process of runbook snapshot "+snap.Name,
		"/api/"+c.info.SpaceID+"/runbookProcesses/"+snap.FrozenRunbookProcessID)
	if err != nil {
		return RunPreview{}, err
	}
	return RunPreview{Steps: applicableSteps(proc.Steps, env.ID, ""), Runbook: rb.Name, Snapshot: snap.Name}, nil
}

// Lifecycle reads the lifecycle's preview (its effective phases) for the
// channel's lifecycle, or the project's when the channel has none.
func (c *Client) Lifecycle(ctx context.Context, project, channel string) ([]Phase, error) {
	p, err := c.project(ctx, project)
	if err != nil {
		return nil, err
	}
	id := p.LifecycleID
	if channel != "" {
		ch, _, err := c.pickChannel(ctx, p, channel)
		if err != nil {
			return nil, err
		}
		if ch.LifecycleID != "" {
			id = ch.LifecycleID
		}
	}
	lc, err := get[lifecycles.Lifecycle](ctx, c, "reading the lifecycle of "+p.Name, "/api/"+c.info.SpaceID+"/lifecycles/"+id+"/preview")
	if err != nil {
		return nil, err
	}
	names := func(ids []string) []string {
		out := make([]string, 0, len(ids))
		for _, id := range ids {
			out = append(out, c.environmentName(ctx, id))
		}
		return out
	}
	var out []Phase
	for _, ph := range lc.Phases {
		if ph == nil {
			continue
		}
		out = append(out, Phase{Name: ph.Name, Automatic: names(ph.AutomaticDeploymentTargets), Optional: names(ph.OptionalDeploymentTargets),
			IsOptional: ph.IsOptionalPhase, Minimum: int(ph.MinimumEnvironmentsBeforePromotion)})
	}
	return out, nil
}
