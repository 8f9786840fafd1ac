package octosim

import (
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/channels"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/deployments"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/newclient"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/packages"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/projects"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/releases"
)

// TestReleaseThroughClientWorld builds a world with the official client
// (buildClientWorld), then creates and deploys a release through the v1
// commands.
func TestReleaseThroughClientWorld(t *testing.T) {
	defer failOnPanic(t)
	_, hs := newTestServer(t, nil, instant())
	c := newClient(t, hs, testAdminKey, space1)
	w := buildClientWorld(t, c)

	res := newRelease(t, c, "Web App", nil)
	if res.ReleaseVersion != "1.0.1" {
		t.Errorf("version = %s, want 1.0.1 from the template 1.0.#{Octopus.Version.NextPatch}", res.ReleaseVersion)
	}
	rel := must(c.Releases.GetByID(res.ReleaseID))
	// Default channel, no rule: the newest version, pre-releases included.
	if len(rel.SelectedPackages) != 1 || rel.SelectedPackages[0].Version != "2.0.0-beta.1" || rel.SelectedPackages[0].ActionName != "Deploy web" {
		t.Errorf("selected packages = %+v", rel.SelectedPackages[0])
	}
	def := must(channels.GetByID(c, space1, rel.ChannelID))
	if !def.IsDefault {
		t.Errorf("release went to channel %s, want the default", def.Name)
	}
	// The Beta channel's rule ([2.0,3.0), ^beta) refuses 1.1.0.
	_, err := releases.CreateReleaseV1(c, &releases.CreateReleaseCommandV1{SpaceID: space1, ProjectIDOrName: "Web App",
		ChannelIDOrName: "Beta", PackageVersion: "1.1.0"})
	errContains(t, err, "violate the channel version rules", "Deploy web (1.1.0)")

	// Development is automatic: the release is deployed there already.
	deps := must(c.Deployments.GetDeployments(rel))
	if deps.TotalResults != 1 || deps.Items[0].EnvironmentID != w.envs["Development"] {
		t.Fatalf("automatic deployments = %+v", deps.Items)
	}
	if tk := waitTask(t, c, deps.Items[0].TaskID, "Success"); tk.FinishedSuccessfully == nil || !*tk.FinishedSuccessfully {
		t.Errorf("task = %+v", tk)
	}
	ids := mustDeploy(t, c, "Web App", "1.0.1", "Test")
	waitTask(t, c, ids[0], "Success")
	prog := must(c.Deployments.GetProgression(rel))
	if len(prog.Phases) != 3 || prog.Phases[0].Progress != releases.PhaseProgressComplete ||
		prog.Phases[1].Progress != releases.PhaseProgressComplete || prog.Phases[2].Progress != releases.PhaseProgressCurrent {
		t.Errorf("phases = %+v %+v %+v", prog.Phases[0], prog.Phases[1], prog.Phases[2])
	}
	if len(prog.NextDeployments) != 1 || prog.NextDeployments[0] != w.envs["Production"] {
		t.Errorf("next deployments = %v", prog.NextDeployments)
	}
}

func TestCreateReleaseV1(t *testing.T) {
	defer failOnPanic(t)
	_, _, c := execServer(t, instant())

	first := newRelease(t, c, "Web App", nil)
	if first.ReleaseVersion != "1.0.1" {
		t.Errorf("first version = %s", first.ReleaseVersion)
	}
	rel := must(c.Releases.GetByID(first.ReleaseID))
	ch := must(channels.GetByID(c, space1, rel.ChannelID))
	// Both channels could take it; the default wins, and without a rule
	// the pre-release is the newest.
	if ch.Name != "Default" || rel.SelectedPackages[0].Version != "2.0.0-beta.1" {
		t.Errorf("channel %s, packages %+v", ch.Name, rel.SelectedPackages[0])
	}
	if rel.ProjectDeploymentProcessSnapshotID == "" || rel.Links["Progression"] == "" || rel.Links["DeploymentTemplate"] == "" {
		t.Errorf("release = %+v", rel)
	}

	// The Stable channel's rule (^$) leaves the pre-release out.
	stable := newRelease(t, c, "Web App", func(cmd *releases.CreateReleaseCommandV1) { cmd.ChannelIDOrName = "Stable" })
	if stable.ReleaseVersion != "1.0.2" {
		t.Errorf("second version = %s", stable.ReleaseVersion)
	}
	sr := must(c.Releases.GetByID(stable.ReleaseID))
	if sr.SelectedPackages[0].Version != "1.1.0" {
		t.Errorf("stable package = %s, want 1.1.0", sr.SelectedPackages[0].Version)
	}
	// A pinned pre-release breaks the rule...
	_, err := releases.CreateReleaseV1(c, &releases.CreateReleaseCommandV1{SpaceID: space1, ProjectIDOrName: "Web App",
		ChannelIDOrName: "Stable", Packages: []string{"Deploy web:2.0.0-beta.1"}})
	errContains(t, err, "violate the channel version rules")
	// ...unless channel rules are ignored; Packages beats PackageVersion.
	ign := newRelease(t, c, "Web App", func(cmd *releases.CreateReleaseCommandV1) {
		cmd.ChannelIDOrName, cmd.IgnoreChannelRules = "Stable", true
		cmd.Packages, cmd.PackageVersion = []string{"Acme.Web:2.0.0-beta.1"}, "1.0.0"
		cmd.ReleaseVersion = "5.0.0"
	})
	if r := must(c.Releases.GetByID(ign.ReleaseID)); r.SelectedPackages[0].Version != "2.0.0-beta.1" || !r.IgnoreChannelRules {
		t.Errorf("ignored rules: %+v", r)
	}
	// Last* come from the most recently created release (5.0.0), so the
	// template 1.0.#{NextPatch} now gives 1.0.1 again: a duplicate.
	_, err = releases.CreateReleaseV1(c, &releases.CreateReleaseCommandV1{SpaceID: space1, ProjectIDOrName: "Web App"})
	errContains(t, err, "Release '1.0.1' already exists for this project.")

	// Duplicates: the real text, or the existing release.
	_, err = releases.CreateReleaseV1(c, &releases.CreateReleaseCommandV1{SpaceID: space1, ProjectIDOrName: "Web App", ReleaseVersion: "5.0.0"})
	errContains(t, err, "Release '5.0.0' already exists for this project. Please use a different version, or look at using a mask to auto-increment the number.")
	again := newRelease(t, c, "Web App", func(cmd *releases.CreateReleaseCommandV1) {
		cmd.ReleaseVersion, cmd.IgnoreIfAlreadyExists = "5.0.0", true
	})
	if again.ReleaseID != ign.ReleaseID {
		t.Errorf("IgnoreIfAlreadyExists gave %s, want %s", again.ReleaseID, ign.ReleaseID)
	}
	// A mask.
	if m := newRelease(t, c, "Web App", func(cmd *releases.CreateReleaseCommandV1) { cmd.ReleaseVersion = "5.0.i" }); m.ReleaseVersion != "5.0.1" {
		t.Errorf("mask 5.0.i gave %s", m.ReleaseVersion)
	}
	// A package that cannot be resolved: the real server's null reference.
	_, err = releases.CreateReleaseV1(c, &releases.CreateReleaseCommandV1{SpaceID: space1, ProjectIDOrName: "Web App",
		ChannelIDOrName: "Stable", PackagePrerelease: "^nightly"})
	errContains(t, err, "Object reference not set to an instance of an object.")
	// Unknown project and channel.
	_, err = releases.CreateReleaseV1(c, &releases.CreateReleaseCommandV1{SpaceID: space1, ProjectIDOrName: "Nope"})
	errContains(t, err, "Project named 'Nope' was not found.")
	_, err = releases.CreateReleaseV1(c, &releases.CreateReleaseCommandV1{SpaceID: space1, ProjectIDOrName: "Web App", ChannelIDOrName: "Gold"})
	errContains(t, err, "Channel named 'Gold' within project 'Web App' was not found.")

	// Lists: newest first, by version, per channel.
	p := must(projects.GetByIdentifier(c, space1, "Web App"))
	page := must(newclient.Get[struct {
		TotalResults int
		Items        []*releases.Release
	}](c.HttpSession(), "/api/Spaces-1/projects/"+p.ID+"/releases"))
	if page.TotalResults != 4 || page.Items[0].Version != "5.0.1" || page.Items[3].Version != "1.0.1" {
		t.Errorf("project releases: %d, first %s", page.TotalResults, page.Items[0].Version)
	}
	byVersion := must(releases.GetReleaseInProject(c, space1, p.ID, "1.0.2"))
	if byVersion.ID != stable.ReleaseID {
		t.Errorf("by version = %s", byVersion.ID)
	}
	inStable := must(releases.GetReleasesInProjectChannel(c, space1, p.ID, sr.ChannelID))
	if len(inStable) != 2 {
		t.Errorf("releases in Stable = %d", len(inStable))
	}
	search := must(newclient.Get[struct{ TotalResults int }](c.HttpSession(), "/api/Spaces-1/projects/"+p.ID+"/releases?searchByVersion=5.0"))
	if search.TotalResults != 2 {
		t.Errorf("searchByVersion=5.0 found %d", search.TotalResults)
	}

	// The process template now knows the last release.
	proc := must(c.DeploymentProcesses.GetByID(p.DeploymentProcessID))
	tmpl := must(deployments.GetDeploymentProcessTemplate(c, proc, sr.ChannelID, ""))
	if tmpl.LastReleaseVersion != "5.0.1" || tmpl.NextVersionIncrement != "1.0.2" {
		t.Errorf("template last %s next %s", tmpl.LastReleaseVersion, tmpl.NextVersionIncrement)
	}
	if tmpl.Packages[0].VersionSelectedLastRelease != "2.0.0-beta.1" {
		t.Errorf("version selected last release = %s", tmpl.Packages[0].VersionSelectedLastRelease)
	}
}

func TestClassicReleaseCreate(t *testing.T) {
	defer failOnPanic(t)
	_, _, c := execServer(t, instant())
	p := must(projects.GetByIdentifier(c, space1, "Web App"))
	chs := must(c.Projects.GetChannels(p))
	var stable *channels.Channel
	for _, ch := range chs {
		if ch.Name == "Stable" {
			stable = ch
		}
	}
	r := releases.NewRelease(stable.ID, p.ID, "2.0.0")
	r.SelectedPackages = []*packages.SelectedPackage{{ActionName: "Deploy web", Version: "1.0.0"}}
	created := must(c.Releases.Add(r))
	if created.ID == "" || created.Version != "2.0.0" || created.SelectedPackages[0].Version != "1.0.0" {
		t.Errorf("classic release = %+v", created)
	}
	r2 := releases.NewRelease(stable.ID, p.ID, "2.0.1")
	if _, err := c.Releases.Add(r2); err == nil {
		t.Errorf("a release without package versions was accepted")
	}
	r3 := releases.NewRelease(stable.ID, p.ID, "2.0.2")
	r3.SelectedPackages = []*packages.SelectedPackage{{ActionName: "Deploy web", Version: "2.0.0-beta.1"}}
	if _, err := c.Releases.Add(r3); err == nil {
		t.Errorf("a release breaking the channel rule was accepted")
	}

	// Defects stop the release entering new phases.
	rel := must(c.Releases.GetByID(created.ID))
	if _, err := newclient.Post[map[string]any](c.HttpSession(), "/api/Spaces-1/releases/"+rel.ID+"/defects",
		map[string]string{"ReleaseId": rel.ID, "Description": "broken"}); err != nil {
		t.Fatal(err)
	}
	_, err := deployTo(c, "Web App", "2.0.0", "Test")
	errContains(t, err, "cannot be deployed to environment 'Test'", "unresolved defect")
	if _, err := newclient.Post[map[string]any](c.HttpSession(), "/api/Spaces-1/releases/"+rel.ID+"/defects/resolve",
		map[string]string{"ReleaseId": rel.ID}); err != nil {
		t.Fatal(err)
	}
	waitTask(t, c, mustDeploy(t, c, "Web App", "2.0.0", "Test")[0], "Success")

	// Deleting a release takes its deployments and tasks with it, even a
	// task waiting at a manual intervention.
	waitTask(t, c, mustDeploy(t, c, "Web App", "2.0.0", "Production")[0], "Queued")
	if all := must(c.Interruptions.GetAll()); len(all) != 1 || !all[0].IsPending {
		t.Errorf("interruptions = %+v", all)
	}
	deps := must(c.Deployments.GetDeployments(rel))
	if err := newclient.Delete(c.HttpSession(), "/api/Spaces-1/releases/"+rel.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Releases.GetByID(rel.ID); err == nil {
		t.Errorf("release still there")
	}
	if _, err := c.Deployments.GetByID(deps.Items[0].ID); err == nil {
		t.Errorf("deployment still there")
	}
	if res := must(c.Tasks.Get(tasksQueryIDs(deps.Items[0].TaskID))); res.TotalResults != 0 {
		t.Errorf("task still there")
	}
	if all := must(c.Interruptions.GetAll()); len(all) != 0 {
		t.Errorf("interruptions after delete = %d", len(all))
	}
}
