package octosim

import (
	"bytes"
	"strings"
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/channels"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/client"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/core"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/deployments"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/environments"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/feeds"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/lifecycles"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/packages"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/projectgroups"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/projects"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/runbooks"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/tagsets"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/teams"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/tenants"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/userroles"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/users"
)

// clientWorld is what buildClientWorld made, by ID.
type clientWorld struct {
	envs                   map[string]string // name -> ID
	lifecycle, group       string
	web, tenanted, ops     *projects.Project
	deployKey, deployerID  string
	manualTeam             string
	runbook, snapshot      string
	betaChannel            string
	regionTagSet, tenantID string
}

// buildClientWorld builds the same world as worldSeed (below), through the
// official client only. Keep the two in step: TestSeedMatchesClientWorld
// compares them.
func buildClientWorld(t *testing.T, c *client.Client) *clientWorld {
	t.Helper()
	w := &clientWorld{envs: map[string]string{}}
	for _, name := range []string{"Development", "Test", "Production"} {
		e := environments.NewEnvironment(name)
		if name == "Production" {
			e.UseGuidedFailure = true
		}
		w.envs[name] = must(environments.Add(c, e)).ID
	}

	// Users and teams first: manual steps name their responsible team.
	deployer := must(c.Users.Add(users.NewUser("deployer", "Deployer")))
	w.deployerID = deployer.ID
	key := must(c.APIKeys.Create(users.NewAPIKey("ci", deployer.ID)))
	w.deployKey = key.APIKey
	approvers := teams.NewTeam("Approvers")
	approvers.SpaceID = "Spaces-1"
	approvers.MemberUserIDs = []string{deployer.ID}
	w.manualTeam = must(teams.Add(c, approvers)).ID

	lc := lifecycles.NewLifecycle("Dev to Prod")
	for _, name := range []string{"Development", "Test", "Production"} {
		ph := lifecycles.NewPhase(name)
		if name == "Development" {
			ph.AutomaticDeploymentTargets = []string{w.envs[name]}
		} else {
			ph.OptionalDeploymentTargets = []string{w.envs[name]}
		}
		lc.Phases = append(lc.Phases, ph)
	}
	w.lifecycle = must(lifecycles.Add(c, lc)).ID
	w.group = must(projectgroups.Add(c, projectgroups.NewProjectGroup("Web"))).ID

	ts := tagsets.NewTagSet("Region")
	ts.Tags = []*tagsets.Tag{tagsets.NewTag("East", "#333333"), tagsets.NewTag("West", "#333333")}
	w.regionTagSet = must(tagsets.Add(c, ts)).ID

	for _, v := range []string{"1.0.0", "1.1.0", "2.0.0-beta.1"} {
		must(upload(c, "Acme.Web."+v+".zip"))
	}

	web := projects.NewProject("Web App", w.lifecycle, w.group)
	web.VersioningStrategy = &projects.VersioningStrategy{Template: "1.0.#{Octopus.Version.NextPatch}"}
	w.web = must(projects.Add(c, web))
	tenanted := projects.NewProject("Tenanted App", w.lifecycle, w.group)
	tenanted.TenantedDeploymentMode = core.TenantedDeploymentModeTenanted
	w.tenanted = must(projects.Add(c, tenanted))
	w.ops = must(projects.Add(c, projects.NewProject("Ops", w.lifecycle, w.group)))

	beta := channels.NewChannel("Beta", w.web.ID)
	beta.SpaceID = "Spaces-1"
	beta.Rules = []channels.ChannelRule{{VersionRange: "[2.0,3.0)", Tag: "^beta",
		ActionPackages: []packages.DeploymentActionPackage{{DeploymentAction: "Deploy web"}}}}
	w.betaChannel = must(channels.Add(c, beta)).ID

	proc := must(deployments.GetDeploymentProcessByID(c, "Spaces-1", w.web.DeploymentProcessID))
	deploy := deployments.NewDeploymentStep("Deploy web")
	da := deployments.NewDeploymentAction("Deploy web", "Octopus.TentaclePackage")
	da.Properties["Octopus.Action.Package.PackageId"] = core.NewPropertyValue("Acme.Web", false)
	da.Properties["Octopus.Action.Package.FeedId"] = core.NewPropertyValue("feeds-builtin", false)
	da.Packages = []*packages.PackageReference{{PackageID: "Acme.Web", FeedID: "feeds-builtin", AcquisitionLocation: "Server", Properties: map[string]string{}}}
	deploy.Actions = []*deployments.DeploymentAction{da}
	approve := deployments.NewDeploymentStep("Approve")
	ma := deployments.NewDeploymentAction("Approve", "Octopus.Manual")
	ma.Properties["Octopus.Action.Manual.Instructions"] = core.NewPropertyValue("Approve production?", false)
	ma.Properties["Octopus.Action.Manual.ResponsibleTeamIds"] = core.NewPropertyValue(w.manualTeam, false)
	ma.Environments = []string{w.envs["Production"]}
	approve.Actions = []*deployments.DeploymentAction{ma}
	smoke := deployments.NewDeploymentStep("Smoke test")
	sa := deployments.NewDeploymentAction("Smoke test", "Octopus.Script")
	sa.Properties["Octopus.Action.Script.ScriptBody"] = core.NewPropertyValue("echo ok", false)
	sa.Properties["Octopus.Action.Script.Syntax"] = core.NewPropertyValue("Bash", false)
	sa.Properties["Octopus.Action.RunOnServer"] = core.NewPropertyValue("true", false)
	smoke.Actions = []*deployments.DeploymentAction{sa}
	proc.Steps = []*deployments.DeploymentStep{deploy, approve, smoke}
	must(deployments.UpdateDeploymentProcess(c, proc))

	tenant := tenants.NewTenant("Contoso")
	tenant.TenantTags = []string{"Region/East"}
	tenant.ProjectEnvironments = map[string][]string{w.tenanted.ID: {w.envs["Development"], w.envs["Test"]}}
	w.tenantID = must(tenants.Add(c, tenant)).ID

	rb := runbooks.NewRunbook("Restart", w.ops.ID)
	rb.EnvironmentScope = "Specified"
	rb.Environments = []string{w.envs["Production"]}
	rb = must(runbooks.Add(c, rb))
	w.runbook = rb.ID
	rp := must(runbooks.GetProcess(c, "Spaces-1", w.ops.ID, rb.RunbookProcessID))
	step := deployments.NewDeploymentStep("Restart service")
	ra := deployments.NewDeploymentAction("Restart service", "Octopus.Script")
	ra.Properties["Octopus.Action.Script.ScriptBody"] = core.NewPropertyValue("systemctl restart web", false)
	ra.Properties["Octopus.Action.Script.Syntax"] = core.NewPropertyValue("PowerShell", false)
	ra.Properties["Octopus.Action.RunOnServer"] = core.NewPropertyValue("true", false)
	step.Actions = []*deployments.DeploymentAction{ra}
	rp.Steps = []*deployments.DeploymentStep{step}
	must(c.RunbookProcesses.Update(rp))
	w.snapshot = must(c.RunbookSnapshots.Publish(runbooks.NewRunbookSnapshot("First", w.ops.ID, rb.ID))).ID

	// The deployer may deploy Web App to Development and Test only.
	deployers := teams.NewTeam("Web deployers")
	deployers.SpaceID = "Spaces-1"
	deployers.MemberUserIDs = []string{deployer.ID}
	team := must(teams.Add(c, deployers))
	sur := userroles.NewScopedUserRole("userroles-projectdeployer")
	sur.TeamID, sur.SpaceID = team.ID, "Spaces-1"
	sur.ProjectIDs = []string{w.web.ID}
	sur.EnvironmentIDs = []string{w.envs["Development"], w.envs["Test"]}
	must(c.ScopedUserRoles.Add(sur))
	return w
}

func upload(c *client.Client, name string) (*packages.PackageUploadResponse, error) {
	res, _, err := packages.Upload(c, "Spaces-1", name, bytes.NewReader([]byte("package "+name)), packages.OverwriteModeFailIfExists)
	return res, err
}

// TestBuildWorldThroughClient builds a world with the official client and
// checks what the server then answers.
func TestBuildWorldThroughClient(t *testing.T) {
	defer failOnPanic(t)
	_, hs := newTestServer(t, nil)
	c := newClient(t, hs, testAdminKey, "Spaces-1")
	w := buildClientWorld(t, c)

	t.Run("project", func(t *testing.T) {
		defer failOnPanic(t)
		p := must(projects.GetByID(c, "Spaces-1", w.web.ID))
		if p.Slug != "web-app" || p.LifecycleID != w.lifecycle || p.ProjectGroupID != w.group {
			t.Errorf("project = %+v", p)
		}
		if p.VersioningStrategy == nil || p.VersioningStrategy.Template != "1.0.#{Octopus.Version.NextPatch}" {
			t.Errorf("versioning strategy = %+v", p.VersioningStrategy)
		}
		if p.DeploymentProcessID != "deploymentprocess-"+p.ID || p.VariableSetID != "variableset-"+p.ID {
			t.Errorf("derived IDs = %s, %s", p.DeploymentProcessID, p.VariableSetID)
		}
		// By slug too, and by name through the client's 404 fallback.
		if bySlug := must(c.Projects.GetByID("web-app")); bySlug.ID != p.ID {
			t.Errorf("by slug = %s", bySlug.ID)
		}
		if byName := must(projects.GetByIdentifier(c, "Spaces-1", "Web App")); byName.ID != p.ID {
			t.Errorf("by identifier = %s", byName.ID)
		}
		tp := must(projects.GetByID(c, "Spaces-1", w.tenanted.ID))
		if tp.TenantedDeploymentMode != core.TenantedDeploymentModeTenanted {
			t.Errorf("tenanted mode = %s", tp.TenantedDeploymentMode)
		}
	})

	t.Run("channels", func(t *testing.T) {
		defer failOnPanic(t)
		chs := must(c.Projects.GetChannels(w.web))
		var names []string
		for _, ch := range chs {
			names = append(names, ch.Name)
			if ch.Name == "Default" && !ch.IsDefault {
				t.Errorf("Default channel is not the default")
			}
		}
		if strings.Join(names, ",") != "Beta,Default" {
			t.Errorf("channels = %v", names)
		}
		beta := must(channels.GetByID(c, "Spaces-1", w.betaChannel))
		if len(beta.Rules) != 1 || beta.Rules[0].VersionRange != "[2.0,3.0)" || beta.Rules[0].ID == "" ||
			beta.Rules[0].ActionPackages[0].DeploymentAction != "Deploy web" {
			t.Errorf("rules = %+v", beta.Rules)
		}
	})

	t.Run("process", func(t *testing.T) {
		defer failOnPanic(t)
		proc := must(c.DeploymentProcesses.GetByID(w.web.DeploymentProcessID))
		if proc.Version != 1 || len(proc.Steps) != 3 {
			t.Fatalf("process version %d with %d steps", proc.Version, len(proc.Steps))
		}
		manual := proc.Steps[1].Actions[0]
		if manual.ActionType != "Octopus.Manual" || manual.Properties["Octopus.Action.Manual.ResponsibleTeamIds"].Value != w.manualTeam ||
			manual.Properties["Octopus.Action.RunOnServer"].Value != "true" || manual.Environments[0] != w.envs["Production"] {
			t.Errorf("manual action = %+v", manual)
		}
		if proc.Steps[0].ID == "" || proc.Steps[0].Actions[0].ID == "" || proc.Steps[0].Actions[0].Packages[0].ID == "" {
			t.Errorf("IDs were not assigned")
		}
		if proc.Steps[2].Actions[0].Properties["Octopus.Action.Script.ScriptSource"].Value != "Inline" {
			t.Errorf("script source default missing")
		}
		tmpl := must(deployments.GetDeploymentProcessTemplate(c, proc, w.betaChannel, ""))
		if len(tmpl.Packages) != 1 || tmpl.Packages[0].PackageID != "Acme.Web" || !tmpl.Packages[0].IsResolvable {
			t.Errorf("template packages = %+v", tmpl.Packages)
		}
	})

	t.Run("lifecycle", func(t *testing.T) {
		defer failOnPanic(t)
		lc := must(lifecycles.GetByID(c, "Spaces-1", w.lifecycle))
		if len(lc.Phases) != 3 || lc.Phases[0].AutomaticDeploymentTargets[0] != w.envs["Development"] || lc.Phases[0].ID == "" {
			t.Errorf("phases = %+v", lc.Phases)
		}
	})

	t.Run("packages", func(t *testing.T) {
		defer failOnPanic(t)
		vs := must(feeds.SearchPackageVersions(c, "Spaces-1", "feeds-builtin", "Acme.Web", "", 0))
		var got []string
		for _, v := range vs.Items {
			got = append(got, v.Version)
		}
		if strings.Join(got, ",") != "2.0.0-beta.1,1.1.0,1.0.0" {
			t.Errorf("versions = %v", got)
		}
	})

	t.Run("tenant", func(t *testing.T) {
		defer failOnPanic(t)
		tn := must(tenants.GetByID(c, "Spaces-1", w.tenantID))
		if len(tn.TenantTags) != 1 || tn.TenantTags[0] != "Region/East" || len(tn.ProjectEnvironments[w.tenanted.ID]) != 2 {
			t.Errorf("tenant = %+v", tn)
		}
		ts := must(tagsets.GetByID(c, "Spaces-1", w.regionTagSet))
		if ts.Tags[0].CanonicalTagName != "Region/East" || !strings.HasPrefix(ts.Tags[0].ID, w.regionTagSet+"/Tags-") {
			t.Errorf("tags = %+v", ts.Tags[0])
		}
	})

	t.Run("runbook", func(t *testing.T) {
		defer failOnPanic(t)
		rb := must(runbooks.GetByID(c, "Spaces-1", w.runbook))
		if rb.PublishedRunbookSnapshotID != w.snapshot {
			t.Errorf("published snapshot = %q, want %q", rb.PublishedRunbookSnapshotID, w.snapshot)
		}
		snap := must(runbooks.GetSnapshot(c, "Spaces-1", w.ops.ID, "First"))
		if snap.ID != w.snapshot || !strings.HasPrefix(snap.FrozenRunbookProcessID, rb.RunbookProcessID+"-s-") {
			t.Errorf("snapshot = %+v", snap)
		}
		frozen := must(runbooks.GetProcess(c, "Spaces-1", w.ops.ID, snap.FrozenRunbookProcessID))
		if len(frozen.Steps) != 1 || frozen.Steps[0].Name != "Restart service" {
			t.Errorf("frozen process = %+v", frozen.Steps)
		}
		envs := must(runbooks.ListEnvironments(c, "Spaces-1", w.ops.ID, rb.ID))
		if len(envs) != 1 || envs[0].Name != "Production" {
			t.Errorf("runbook environments = %v", envs)
		}
		found := must(runbooks.GetByName(c, "Spaces-1", w.ops.ID, "Restart"))
		if found.ID != rb.ID {
			t.Errorf("by name = %s", found.ID)
		}
	})

	t.Run("deployer", func(t *testing.T) {
		defer failOnPanic(t)
		dc := newClient(t, hs, w.deployKey, "Spaces-1")
		me := must(dc.Users.GetMe())
		if me.ID != w.deployerID {
			t.Fatalf("me = %s", me.ID)
		}
		perms := must(dc.Users.GetPermissions(me))
		var ok bool
		for _, r := range perms.SpacePermissions.DeploymentCreate {
			if len(r.RestrictedToProjectIds) == 1 && r.RestrictedToProjectIds[0] == w.web.ID && len(r.RestrictedToEnvironmentIds) == 2 {
				ok = true
			}
		}
		if !ok {
			t.Errorf("DeploymentCreate = %+v", perms.SpacePermissions.DeploymentCreate)
		}
		// The deployer sees only the project it may act on.
		all := must(projects.GetAll(dc, "Spaces-1"))
		if len(all) != 1 || all[0].ID != w.web.ID {
			t.Errorf("deployer sees %d projects", len(all))
		}
	})
}
