package octosim

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/octostar/octostar/internal/octosim/versioning"
)

var kReleases = &kind[*Release]{}

func init() {
	*kReleases = kind[*Release]{
		Name: "Releases", Segment: "releases", ItemType: "Release", IDPrefix: "Releases",
		Template: "{/id}{?skip,ignoreChannelRules,take,ids}",
		View:     ReleaseView, Delete: ReleaseDelete, NoCreate: true, NoUpdate: true,
		New:   func() *Release { return &Release{} },
		Scope: func(o *op, r *Release) Scope { return o.in(r.SpaceID).projectScope(r.ProjectID, "", "") },
		// Newest first.
		Less:  func(a, b *Release) bool { return lessID(b.ID, a.ID) },
		Links: releaseLinks,
		Deleting: func(o *op, r *Release) error {
			o.st.x.dropRelease(o, r)
			return nil
		},
	}
	defineKind(kReleases)
}

func init() {
	addRoutes(kReleases.routes()...)
	sp := "/api/{spaceId}"
	addRoutes(
		routeSpec{Method: http.MethodPost, Pattern: sp + "/releases", Handler: postRelease},
		routeSpec{Method: http.MethodPut, Pattern: sp + "/releases/{id}", Handler: putRelease},
		routeSpec{Method: http.MethodPost, Pattern: sp + "/releases/create/v1", Handler: createReleaseV1},
		routeSpec{Method: http.MethodGet, Pattern: sp + "/projects/{projectId}/releases", Handler: projectReleases},
		routeSpec{Method: http.MethodGet, Pattern: sp + "/projects/{projectId}/releases/{version}", Handler: projectReleaseByVersion},
		routeSpec{Method: http.MethodGet, Pattern: sp + "/projects/{projectId}/channels/{channelId}/releases", Handler: channelReleases},
		routeSpec{Method: http.MethodGet, Pattern: sp + "/channels/{channelId}/releases", Handler: channelReleases},
		routeSpec{Method: http.MethodGet, Pattern: sp + "/releases/{id}/defects", Handler: listDefects},
		routeSpec{Method: http.MethodPost, Pattern: sp + "/releases/{id}/defects", Handler: reportDefect},
		routeSpec{Method: http.MethodPost, Pattern: sp + "/releases/{id}/defects/resolve", Handler: resolveDefects},
	)
	releaseTemplateHook = fillReleaseTemplate
}

// releaseRequest is a release to create, from create/v1, the classic
// POST, or a seed.
type releaseRequest struct {
	project            *Project
	channelName        string // name or ID; "" = the best channel
	channelID          string // classic: an ID
	version            string // "" = from the versioning strategy
	packages           []string
	packageVersion     string
	packagePrerelease  string
	selected           []*SelectedPackage // classic: every package given
	classic            bool
	notes              *string
	ignoreIfExists     bool
	ignoreChannelRules bool
	customFields       map[string]string
	gitRef, gitCommit  string
}

// projectChannels are a project's channels in name order.
func projectChannels(o *op, p *Project) []*Channel {
	var out []*Channel
	for _, ch := range kChannels.all(o) {
		if ch.ProjectID == p.ID {
			out = append(out, ch)
		}
	}
	return out
}

// channelApplies reports whether an action runs in releases of a channel.
func channelApplies(a *Action, ch *Channel) bool {
	return !a.IsDisabled && (len(a.Channels) == 0 || containsFold(a.Channels, ch.ID))
}

// packageEntry is one "Packages" item of create/v1: "Step:Version",
// "PackageId:Version" or "Step:Reference:Version", any part but the
// version possibly "*".
type packageEntry struct {
	first, ref, version string
	threePart           bool
}

func parsePackageEntries(entries []string) ([]packageEntry, error) {
	var out []packageEntry
	for _, e := range entries {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		parts := strings.Split(e, ":")
		if len(parts) == 1 && strings.Contains(e, "=") {
			parts = strings.SplitN(e, "=", 2)
		}
		switch len(parts) {
		case 2:
			out = append(out, packageEntry{first: strings.TrimSpace(parts[0]), version: strings.TrimSpace(parts[1])})
		case 3:
			out = append(out, packageEntry{first: strings.TrimSpace(parts[0]), ref: strings.TrimSpace(parts[1]),
				version: strings.TrimSpace(parts[2]), threePart: true})
		default:
			return nil, badRequest("The package version '%s' could not be parsed. Please use the format StepName:Version, PackageID:Version or StepName:PackageReferenceName:Version.", e)
		}
		if _, err := versioning.Parse(out[len(out)-1].version); err != nil {
			return nil, badRequest("The package version '%s' is not a valid version.", out[len(out)-1].version)
		}
	}
	return out, nil
}

// score says how specifically an entry names a package use (0 = not).
func (e packageEntry) score(u PackageUse) int {
	step := strings.EqualFold(e.first, u.StepName) || strings.EqualFold(e.first, u.ActionName)
	if e.threePart {
		ref := strings.EqualFold(e.ref, u.ReferenceName) || (e.ref == "" && u.ReferenceName == "")
		switch {
		case step && ref:
			return 6
		case e.first == "*" && ref:
			return 3
		case step && e.ref == "*":
			return 2
		case e.first == "*" && e.ref == "*":
			return 1
		}
		return 0
	}
	switch {
	case step:
		return 5
	case strings.EqualFold(e.first, u.PackageID):
		return 4
	case e.first == "*":
		return 1
	}
	return 0
}

// channelRuleFor finds the channel rule that governs a package use.
func channelRuleFor(ch *Channel, u PackageUse) *ChannelRule {
	for _, r := range ch.Rules {
		for _, ap := range r.ActionPackages {
			if (strings.EqualFold(ap.DeploymentAction, u.ActionName) || strings.EqualFold(ap.DeploymentAction, u.StepName)) &&
				strings.EqualFold(ap.PackageReference, u.ReferenceName) {
				return r
			}
		}
	}
	return nil
}

// releasePlan is what a release in a channel would use.
type releasePlan struct {
	channel    *Channel
	selected   []*SelectedPackage
	unresolved []string
	violations []string
	missing    []string // classic: packages without a version
	steps      int      // actions that run in the channel
}

func (pl *releasePlan) viable() bool {
	return len(pl.unresolved) == 0 && len(pl.violations) == 0 && len(pl.missing) == 0 && pl.steps > 0
}

// planRelease picks the package versions of a release in a channel:
// Packages entries (most specific first), then PackageVersion, then the
// newest version in the feed that the channel's rule (and
// PackagePrerelease) allows. Explicit versions that break the rule are
// violations unless IgnoreChannelRules.
func planRelease(o *op, req *releaseRequest, ch *Channel, steps []*Step, entries []packageEntry) *releasePlan {
	pl := &releasePlan{channel: ch, selected: []*SelectedPackage{}}
	for _, s := range steps {
		for _, a := range s.Actions {
			if channelApplies(a, ch) {
				pl.steps++
			}
		}
	}
	var prerelease *versioning.ChannelRule
	if req.packagePrerelease != "" {
		if r, err := versioning.ParseChannelRule("", req.packagePrerelease); err == nil {
			prerelease = &r
		}
	}
	for _, u := range packageUses(steps) {
		a := findAction(steps, u.ActionName)
		if a != nil && !channelApplies(a, ch) {
			continue
		}
		var rule *versioning.ChannelRule
		if cr := channelRuleFor(ch, u); cr != nil && !req.ignoreChannelRules {
			if r, err := versioning.ParseChannelRule(cr.VersionRange, cr.Tag); err == nil {
				rule = &r
			}
		}
		version := ""
		if req.classic {
			for _, sp := range req.selected {
				if sp == nil {
					continue
				}
				if (strings.EqualFold(sp.ActionName, u.ActionName) || (sp.ActionName == "" && strings.EqualFold(sp.StepName, u.StepName))) &&
					strings.EqualFold(sp.PackageReferenceName, u.ReferenceName) {
					version = strings.TrimSpace(sp.Version)
				}
			}
			if version == "" {
				pl.missing = append(pl.missing, u.StepName)
				continue
			}
		} else {
			best := 0
			for _, e := range entries {
				if sc := e.score(u); sc > best {
					best, version = sc, e.version
				}
			}
			if version == "" {
				version = strings.TrimSpace(req.packageVersion)
			}
		}
		if version != "" {
			if rule != nil && !rule.AllowsString(version) {
				pl.violations = append(pl.violations, u.StepName+" ("+version+")")
			}
		} else if strings.EqualFold(u.FeedID, BuiltInFeedID) && !isExpression(u.PackageID) {
			f := versionFilter{IncludePreRelease: true}
			if rule != nil {
				f.Rule = *rule
			}
			for _, pv := range packageVersions(o.st, o.spaceID, u.PackageID, f) {
				v, _ := versioning.Parse(pv.Version)
				if prerelease != nil && !prerelease.MatchesTag(v) {
					continue
				}
				version = pv.Version
				break
			}
		}
		if version == "" {
			pl.unresolved = append(pl.unresolved, u.StepName)
			continue
		}
		pl.selected = append(pl.selected, &SelectedPackage{ActionName: u.ActionName, PackageReferenceName: u.ReferenceName,
			StepName: u.StepName, Version: version})
	}
	return pl
}

func findAction(steps []*Step, name string) *Action {
	for _, s := range steps {
		for _, a := range s.Actions {
			if a.Name == name {
				return a
			}
		}
	}
	return nil
}

// resolveChannel finds a channel of the project by name or ID.
func resolveChannel(o *op, p *Project, ident string) (*Channel, error) {
	for _, ch := range projectChannels(o, p) {
		if strings.EqualFold(ch.ID, ident) || strings.EqualFold(strings.TrimSpace(ch.Name), strings.TrimSpace(ident)) {
			return ch, nil
		}
	}
	return nil, &apiError{Status: http.StatusNotFound,
		Message: fmt.Sprintf("Channel named '%s' within project '%s' was not found.", ident, p.Name)}
}

// releaseVersions are a project's release versions, oldest first.
func releaseVersions(x *execState, projectID string) []string {
	rs := x.releasesByProject[projectID]
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Version
	}
	return out
}

// templateOptions gives the versioning template its context.
func templateOptions(o *op, p *Project, ch *Channel) []versioning.Option {
	x := o.st.x
	last := func(chID string) string {
		if r := x.latestRelease(p.ID, chID); r != nil {
			return r.Version
		}
		return ""
	}
	opts := []versioning.Option{versioning.WithChannel(ch.Name, last(ch.ID)), versioning.WithClock(o.now),
		versioning.WithExistingVersions(releaseVersions(x, p.ID)...)}
	for _, other := range projectChannels(o, p) {
		opts = append(opts, versioning.WithOtherChannel(other.Name, last(other.ID)))
	}
	return opts
}

// createRelease is release creation, shared by create/v1, the classic
// POST and seeds. existed is true when IgnoreIfAlreadyExists returned an
// existing release.
func createRelease(o *op, req *releaseRequest) (rel *Release, existed bool, err error) {
	p := req.project
	x := o.st.x
	if err := o.require(ReleaseCreate, kProjects.scope(o, p)); err != nil {
		return nil, false, err
	}
	if p.IsDisabled {
		return nil, false, badRequest("The project is disabled, so releases cannot be created")
	}
	if req.gitRef != "" || req.gitCommit != "" {
		return nil, false, badRequest("The project '%s' is not version controlled, so a GitRef or GitCommit cannot be specified.", p.Name)
	}
	if len(req.customFields) > 10 {
		return nil, false, badRequest("A release can have at most 10 custom fields.")
	}
	for k, v := range req.customFields {
		if len(v) > 150 {
			return nil, false, badRequest("The custom field '%s' is longer than 150 characters.", k)
		}
	}
	// An explicit version that exists already: the existing release, or
	// the duplicate error, before anything else is worked out.
	explicit := strings.TrimSpace(req.version)
	if explicit != "" && !versioning.IsMask(explicit) {
		v, err := versioning.Parse(explicit)
		if err != nil {
			return nil, false, badRequest("The release number '%s' does not appear to be a valid semantic version number. Please use a version in the form 1.2.3, optionally with a pre-release tag such as 1.2.3-beta.1.", req.version)
		}
		if len(v.String()) > 349 {
			return nil, false, badRequest("The release version must be 349 characters or fewer.")
		}
		if existing := exactRelease(x, p.ID, v.String()); existing != nil {
			if req.ignoreIfExists {
				return existing, true, nil
			}
			return nil, false, badRequest("%s", versioning.DuplicateReleaseMessage(v.String()))
		}
	}
	live, ok := kProcesses.get(o, p.DeploymentProcessID)
	if !ok {
		return nil, false, serverFault()
	}
	entries, err := parsePackageEntries(req.packages)
	if err != nil {
		return nil, false, err
	}
	if pv := strings.TrimSpace(req.packageVersion); pv != "" {
		if _, err := versioning.Parse(pv); err != nil {
			return nil, false, badRequest("The package version '%s' is not a valid version.", pv)
		}
	}
	channels := projectChannels(o, p)
	var plan *releasePlan
	switch {
	case req.channelID != "":
		ch, ok := kChannels.get(o, req.channelID)
		if !ok || ch.ProjectID != p.ID {
			return nil, false, badRequest("The channel '%s' does not belong to the project '%s'.", req.channelID, p.Name)
		}
		plan = planRelease(o, req, ch, live.Steps, entries)
	case req.channelName != "":
		ch, err := resolveChannel(o, p, req.channelName)
		if err != nil {
			return nil, false, err
		}
		plan = planRelease(o, req, ch, live.Steps, entries)
	default:
		plan, err = bestChannel(o, req, channels, live.Steps, entries)
		if err != nil {
			return nil, false, err
		}
	}
	if len(plan.missing) > 0 {
		return nil, false, badRequest("A version must be specified for every included package. No version was given for the step '%s'.", plan.missing[0])
	}
	if len(plan.unresolved) > 0 {
		// What a real server does (cli #426): a null reference.
		return nil, false, serverFault()
	}
	if len(plan.violations) > 0 && !req.ignoreChannelRules {
		return nil, false, badRequest("The requested package versions for the following steps violate the channel version rules: %s. Please choose versions that satisfy the rules of the channel '%s', or ignore the channel rules.",
			strings.Join(plan.violations, ", "), plan.channel.Name)
	}
	ch := plan.channel

	version := ""
	existingVersions := releaseVersions(x, p.ID)
	switch {
	case explicit != "":
		if version, err = versioning.ResolveReleaseVersion(explicit, existingVersions); err != nil {
			return nil, false, badRequest("The release number '%s' does not appear to be a valid semantic version number. Please use a version in the form 1.2.3, optionally with a pre-release tag such as 1.2.3-beta.1.", req.version)
		}
	case p.VersioningStrategy != nil && p.VersioningStrategy.DonorPackage != nil && p.VersioningStrategy.DonorPackage.DeploymentAction != "":
		donor := p.VersioningStrategy.DonorPackage
		var sel []versioning.PackageSelection
		for _, s := range plan.selected {
			sel = append(sel, versioning.PackageSelection{ActionName: s.ActionName, PackageReferenceName: s.PackageReferenceName, Version: s.Version})
		}
		if version, err = versioning.DonorPackageVersion(donor.DeploymentAction, donor.PackageReference, sel); err != nil {
			return nil, false, badRequest("The release version could not be taken from the donor package: %s.", err.Error())
		}
	default:
		tmpl := DefaultVersionTemplate
		if p.VersioningStrategy != nil && strings.TrimSpace(p.VersioningStrategy.Template) != "" {
			tmpl = p.VersioningStrategy.Template
		}
		last := ""
		if r := x.latestRelease(p.ID, ""); r != nil {
			last = r.Version
		}
		if version, err = versioning.NextVersion(tmpl, last, nil, templateOptions(o, p, ch)...); err != nil {
			return nil, false, badRequest("The release version could not be worked out from the versioning template: %s.", err.Error())
		}
	}
	if existing := exactRelease(x, p.ID, version); existing != nil {
		if req.ignoreIfExists {
			return existing, true, nil
		}
		return nil, false, badRequest("%s", versioning.DuplicateReleaseMessage(version))
	}

	frozen := freezeDeploymentProcess(o, live)
	fields := req.customFields
	if fields == nil {
		fields = map[string]string{}
	}
	r := &Release{Meta: Meta{ID: o.st.nextID("Releases"), SpaceID: p.SpaceID}, Version: version, ChannelID: ch.ID,
		ProjectID: p.ID, ReleaseNotes: req.notes, Assembled: ts(o.now), IgnoreChannelRules: req.ignoreChannelRules,
		BuildInformation: []jsonRaw{}, ProjectDeploymentProcessSnapshotID: frozen.ID,
		ProjectVariableSetSnapshotID:  "variableset-" + p.ID + "-s-0-" + suffix(o.st.rng, 5),
		LibraryVariableSetSnapshotIDs: []string{}, SelectedPackages: plan.selected, SelectedGitResources: []jsonRaw{},
		CustomFields: fields}
	saveRelease(o, r)
	autoDeploy(o, r)
	return r, false, nil
}

// exactRelease finds a project's release whose version is exactly v.
func exactRelease(x *execState, projectID, v string) *Release {
	for _, r := range x.releasesByProject[projectID] {
		if r.Version == v {
			return r
		}
	}
	return nil
}

// bestChannel is the channel a release goes in when none is named (the
// octo CLI's rule, reference 3a): the only viable one; the default if
// several are; the default when none is (its errors are then reported).
func bestChannel(o *op, req *releaseRequest, channels []*Channel, steps []*Step, entries []packageEntry) (*releasePlan, error) {
	var viable []*releasePlan
	var def *releasePlan
	for _, ch := range channels {
		pl := planRelease(o, req, ch, steps, entries)
		if ch.IsDefault {
			def = pl
		}
		if pl.viable() {
			viable = append(viable, pl)
		}
	}
	switch {
	case len(viable) == 1:
		return viable[0], nil
	case len(viable) > 1:
		for _, pl := range viable {
			if pl.channel.IsDefault {
				return pl, nil
			}
		}
		var names []string
		for _, pl := range viable {
			names = append(names, "'"+pl.channel.Name+"'")
		}
		return nil, badRequest("A release could be created in more than one channel (%s). Please specify the channel.", strings.Join(names, ", "))
	case def != nil:
		return def, nil
	}
	return nil, serverFault()
}

// createReleaseCommand is the create/v1 body (camelCase from go-client).
type createReleaseCommand struct {
	SpaceID               string            `json:"SpaceId"`
	SpaceIDOrName         string            `json:"SpaceIdOrName"`
	ProjectName           string            `json:"ProjectName"`
	ChannelName           string            `json:"ChannelName"`
	ReleaseVersion        string            `json:"ReleaseVersion"`
	PackageVersion        string            `json:"PackageVersion"`
	Packages              []string          `json:"Packages"`
	PackagePrerelease     string            `json:"PackagePrerelease"`
	GitRef                string            `json:"GitRef"`
	GitCommit             string            `json:"GitCommit"`
	GitResources          []string          `json:"GitResources"`
	ReleaseNotes          string            `json:"ReleaseNotes"`
	IgnoreIfAlreadyExists bool              `json:"IgnoreIfAlreadyExists"`
	IgnoreChannelRules    bool              `json:"IgnoreChannelRules"`
	CustomFields          map[string]string `json:"CustomFields"`
}

func createReleaseV1(c *call) (int, any, error) {
	cmd := &createReleaseCommand{}
	return runProjectCommand(c, cmd, func(o *op, p *Project) (int, any, error) {
		req := &releaseRequest{project: p, channelName: strings.TrimSpace(cmd.ChannelName), version: cmd.ReleaseVersion,
			packages: cmd.Packages, packageVersion: cmd.PackageVersion, packagePrerelease: cmd.PackagePrerelease,
			ignoreIfExists: cmd.IgnoreIfAlreadyExists, ignoreChannelRules: cmd.IgnoreChannelRules,
			customFields: cmd.CustomFields, gitRef: cmd.GitRef, gitCommit: cmd.GitCommit}
		if cmd.ReleaseNotes != "" {
			req.notes = strp(cmd.ReleaseNotes)
		}
		r, existed, err := createRelease(o, req)
		if err != nil {
			return 0, nil, err
		}
		afterChange(o)
		status := http.StatusCreated
		if existed {
			status = http.StatusOK
		}
		return status, map[string]string{"ReleaseId": r.ID, "ReleaseVersion": r.Version}, nil
	})
}

// postRelease is the classic POST /releases: the client chooses the
// version and every package.
func postRelease(c *call) (int, any, error) {
	in := &Release{}
	if err := c.decode(in); err != nil {
		return 0, nil, err
	}
	ignore := strings.EqualFold(c.r.URL.Query().Get("ignoreChannelRules"), "true") || in.IgnoreChannelRules
	return c.write(func(o *op) (int, any, error) {
		if in.ProjectID == "" {
			return 0, nil, badRequest("No project ID was specified.")
		}
		p, ok := kProjects.Lookup(o, in.ProjectID)
		if !ok {
			return 0, nil, badRequest("The project '%s' does not exist.", in.ProjectID)
		}
		if strings.TrimSpace(in.Version) == "" {
			return 0, nil, badRequest("The Version field is required.")
		}
		req := &releaseRequest{project: p, channelID: in.ChannelID, version: in.Version, classic: true,
			selected: in.SelectedPackages, notes: in.ReleaseNotes, ignoreChannelRules: ignore, customFields: in.CustomFields}
		if req.channelID == "" {
			chs := projectChannels(o, p)
			for _, ch := range chs {
				if ch.IsDefault {
					req.channelID = ch.ID
				}
			}
			if req.channelID == "" {
				return 0, nil, badRequest("A channelId must be provided for a release when more than one exists for that project and no default channel has been specified.")
			}
		}
		r, _, err := createRelease(o, req)
		if err != nil {
			return 0, nil, err
		}
		afterChange(o)
		cur, _ := kReleases.get(o, r.ID)
		return http.StatusCreated, cur, nil
	})
}

// putRelease changes a release's notes, version or package versions.
func putRelease(c *call) (int, any, error) {
	in := &Release{}
	if err := c.decode(in); err != nil {
		return 0, nil, err
	}
	return c.write(func(o *op) (int, any, error) {
		old, err := kReleases.find(o, c.param("id"))
		if err != nil {
			return 0, nil, err
		}
		if err := o.require(ReleaseEdit, kReleases.scope(o, old)); err != nil {
			return 0, nil, err
		}
		cp := *old
		cp.ReleaseNotes = in.ReleaseNotes
		if v := strings.TrimSpace(in.Version); v != "" && v != old.Version {
			pv, err := versioning.Parse(v)
			if err != nil {
				return 0, nil, badRequest("The release number '%s' does not appear to be a valid semantic version number. Please use a version in the form 1.2.3, optionally with a pre-release tag such as 1.2.3-beta.1.", in.Version)
			}
			if exactRelease(o.st.x, old.ProjectID, pv.String()) != nil {
				return 0, nil, badRequest("%s", versioning.DuplicateReleaseMessage(pv.String()))
			}
			cp.Version = pv.String()
		}
		if in.SelectedPackages != nil {
			byKey := map[string]string{}
			for _, sp := range in.SelectedPackages {
				if sp != nil {
					byKey[strings.ToLower(sp.ActionName+"\x00"+sp.PackageReferenceName)] = strings.TrimSpace(sp.Version)
				}
			}
			sel := make([]*SelectedPackage, 0, len(old.SelectedPackages))
			for _, sp := range old.SelectedPackages {
				c := *sp
				if v, ok := byKey[strings.ToLower(sp.ActionName+"\x00"+sp.PackageReferenceName)]; ok && v != "" {
					if _, err := versioning.Parse(v); err != nil {
						return 0, nil, badRequest("The package version '%s' is not a valid version.", v)
					}
					c.Version = v
				}
				sel = append(sel, &c)
			}
			cp.SelectedPackages = sel
		}
		if in.CustomFields != nil {
			cp.CustomFields = in.CustomFields
		}
		saveRelease(o, &cp)
		return http.StatusOK, &cp, nil
	})
}

// fillReleaseTemplate fills the release parts of a process template: the
// last release, the next version (with any mask unapplied), and each
// package's version in the last release.
func fillReleaseTemplate(o *op, p *Project, channelID, releaseID string, t *ProcessTemplate) {
	x := o.st.x
	last := x.latestRelease(p.ID, "")
	if last != nil {
		v := last.Version
		t.LastReleaseVersion = &v
	}
	var ch *Channel
	if channelID != "" {
		ch, _ = kChannels.get(o, channelID)
	}
	if ch == nil {
		for _, c := range projectChannels(o, p) {
			if c.IsDefault {
				ch = c
			}
		}
	}
	if ch != nil && (p.VersioningStrategy == nil || p.VersioningStrategy.DonorPackage == nil || p.VersioningStrategy.DonorPackage.DeploymentAction == "") {
		tmpl := DefaultVersionTemplate
		if p.VersioningStrategy != nil && strings.TrimSpace(p.VersioningStrategy.Template) != "" {
			tmpl = p.VersioningStrategy.Template
		}
		lastV := ""
		if last != nil {
			lastV = last.Version
		}
		if next, err := versioning.ExpandTemplate(tmpl, lastV, nil, templateOptions(o, p, ch)...); err == nil {
			t.NextVersionIncrement = next
		}
	}
	src := last
	if ch != nil {
		if r := x.latestRelease(p.ID, ch.ID); r != nil {
			src = r
		}
	}
	if releaseID != "" {
		if r, ok := kReleases.get(o, releaseID); ok && r.ProjectID == p.ID {
			src = r
		}
	}
	if src == nil {
		return
	}
	for _, pkg := range t.Packages {
		for _, sp := range src.SelectedPackages {
			if strings.EqualFold(sp.ActionName, pkg.ActionName) && strings.EqualFold(sp.PackageReferenceName, pkg.PackageReferenceName) {
				v := sp.Version
				pkg.VersionSelectedLastRelease = &v
			}
		}
	}
}

// releaseMatches applies searchByVersion and visibility.
func releaseSearch(o *op, rs []*Release, q listQuery) []*Release {
	search := strings.ToLower(q.get("searchByVersion"))
	out := []*Release{}
	for i := len(rs) - 1; i >= 0; i-- {
		r := rs[i]
		if search != "" && !strings.Contains(strings.ToLower(r.Version), search) {
			continue
		}
		if !q.matchID(r.ID) || !kReleases.visible(o, r) {
			continue
		}
		out = append(out, r)
	}
	return out
}

func projectReleases(c *call) (int, any, error) {
	q, err := c.listQuery()
	if err != nil {
		return 0, nil, err
	}
	return c.read(func(o *op) (int, any, error) {
		p, err := projectChild(o, c)
		if err != nil {
			return 0, nil, err
		}
		if err := o.require(ReleaseView, kProjects.scope(o, p)); err != nil {
			return 0, nil, err
		}
		items := releaseSearch(o, o.st.x.releasesByProject[p.ID], q)
		tmpl := "/api/" + p.SpaceID + "/projects/" + p.ID + "/releases{/version}{?skip,take,searchByVersion}"
		return http.StatusOK, paginate(items, q, "Release", c.r.URL.Path, tmpl), nil
	})
}

func projectReleaseByVersion(c *call) (int, any, error) {
	return c.read(func(o *op) (int, any, error) {
		p, err := projectChild(o, c)
		if err != nil {
			return 0, nil, err
		}
		version := c.param("version")
		r := o.st.x.releaseByVersion(p.ID, version)
		if r == nil {
			if byID, ok := kReleases.get(o, version); ok && byID.ProjectID == p.ID {
				r = byID
			}
		}
		if r == nil {
			return 0, nil, notFound(version)
		}
		if err := o.require(ReleaseView, kReleases.scope(o, r)); err != nil {
			return 0, nil, err
		}
		return http.StatusOK, r, nil
	})
}

func channelReleases(c *call) (int, any, error) {
	q, err := c.listQuery()
	if err != nil {
		return 0, nil, err
	}
	return c.read(func(o *op) (int, any, error) {
		ch, err := kChannels.find(o, c.param("channelId"))
		if err != nil {
			return 0, nil, err
		}
		if c.param("projectId") != "" {
			p, err := projectChild(o, c)
			if err != nil {
				return 0, nil, err
			}
			if ch.ProjectID != p.ID {
				return 0, nil, notFound(c.param("channelId"))
			}
		}
		var mine []*Release
		for _, r := range o.st.x.releasesByProject[ch.ProjectID] {
			if r.ChannelID == ch.ID {
				mine = append(mine, r)
			}
		}
		items := releaseSearch(o, mine, q)
		tmpl := "/api/" + ch.SpaceID + "/channels/" + ch.ID + "/releases{?skip,take,searchByVersion}"
		return http.StatusOK, paginate(items, q, "Release", c.r.URL.Path, tmpl), nil
	})
}

// Defects.

var kDefects = &kind[*Defect]{}

func init() {
	*kDefects = kind[*Defect]{Name: "Defects", Segment: "defects", ItemType: "Defect", IDPrefix: "Defects", ReadOnly: true,
		New: func() *Defect { return &Defect{} }, Links: func(*Defect) map[string]string { return noLinks }}
	defineKind(kDefects)
}

func listDefects(c *call) (int, any, error) {
	q, err := c.listQuery()
	if err != nil {
		return 0, nil, err
	}
	return c.read(func(o *op) (int, any, error) {
		r, err := kReleases.find(o, c.param("id"))
		if err != nil {
			return 0, nil, err
		}
		items := append([]*Defect{}, o.st.x.defectsByRelease[r.ID]...)
		sort.Slice(items, func(i, j int) bool { return lessID(items[j].ID, items[i].ID) })
		return http.StatusOK, paginate(items, q, "Defect", c.r.URL.Path, "/api/"+r.SpaceID+"/releases/"+r.ID+"/defects"), nil
	})
}

type defectBody struct {
	ReleaseID   string `json:"ReleaseId"`
	Description string `json:"Description"`
}

func reportDefect(c *call) (int, any, error) {
	in := &defectBody{}
	if err := c.decode(in); err != nil {
		return 0, nil, err
	}
	return c.write(func(o *op) (int, any, error) {
		r, err := kReleases.find(o, c.param("id"))
		if err != nil {
			return 0, nil, err
		}
		if err := o.require(DefectReport, kReleases.scope(o, r)); err != nil {
			return 0, nil, err
		}
		if strings.TrimSpace(in.Description) == "" {
			return 0, nil, badRequest("Please describe the defect.")
		}
		d := &Defect{Meta: Meta{ID: o.st.nextID("Defects"), SpaceID: r.SpaceID}, ReleaseID: r.ID,
			Description: in.Description, Status: "Unresolved"}
		kDefects.save(o, d)
		o.st.x.defectsByRelease[r.ID] = append(o.st.x.defectsByRelease[r.ID], d)
		return http.StatusOK, d, nil
	})
}

func resolveDefects(c *call) (int, any, error) {
	return c.write(func(o *op) (int, any, error) {
		r, err := kReleases.find(o, c.param("id"))
		if err != nil {
			return 0, nil, err
		}
		if err := o.require(DefectResolve, kReleases.scope(o, r)); err != nil {
			return 0, nil, err
		}
		x := o.st.x
		var last *Defect
		list := x.defectsByRelease[r.ID]
		for i, d := range list {
			if d.Status == "Unresolved" {
				cp := *d
				cp.Status = "Resolved"
				kDefects.save(o, &cp)
				list[i] = &cp
				last = &cp
			}
		}
		if last == nil {
			return 0, nil, badRequest("The release '%s' has no unresolved defects.", r.Version)
		}
		// Resolving may let the release enter phases it was kept out of.
		autoDeploy(o, r)
		afterChange(o)
		return http.StatusOK, last, nil
	})
}
