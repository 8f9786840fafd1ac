package octosim

import (
	"bytes"
	"strings"
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/channels"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/client"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/deployments"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/environments"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/feeds"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/lifecycles"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/newclient"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/packages"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/projectgroups"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/projects"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/resources"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/runbooks"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/spaces"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/teams"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/userroles"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/users"
)

func TestRootDocuments(t *testing.T) {
	defer failOnPanic(t)
	_, hs := newTestServer(t, nil, WithVersion("2025.3.1234"))
	c := newClient(t, hs, testAdminKey, "Spaces-1")
	root := must(client.GetServerRoot(c))
	if root.Application != "Octopus Deploy" || root.Version != "2025.3.1234" || root.APIVersion != "3.0.0" || root.InstallationID == nil {
		t.Errorf("root = %+v", root)
	}
	for link, want := range map[string]string{
		"CurrentUser": "/api/users/me",
		"Spaces":      "/api/spaces{/id}{?name,skip,ids,take,partialName}",
		"Projects":    "/api/Spaces-1/projects{/id}{?name,skip,ids,clone,take,partialName,clonedFromProjectId}",
	} {
		if root.Links[link] != want {
			t.Errorf("root link %s = %q", link, root.Links[link])
		}
	}
	space := "Spaces-1"
	sroot := must(client.GetSpaceRoot(c, &space))
	if sroot.Links["Environments"] != "/api/Spaces-1/environments{/id}{?name,skip,ids,take,partialName}" {
		t.Errorf("space root Environments = %q", sroot.Links["Environments"])
	}
	for _, absent := range []string{"Tasks", "CurrentUser", "Users", "Spaces"} {
		if _, ok := sroot.Links[absent]; ok {
			t.Errorf("space root has %s", absent)
		}
	}
}

func TestSpaces(t *testing.T) {
	defer failOnPanic(t)
	_, hs := newTestServer(t, nil)
	c := newClient(t, hs, testAdminKey, "")
	sp := spaces.NewSpace("Second")
	sp = must(c.Spaces.Add(sp))
	if sp.IsDefault || sp.Slug != "second" || !containsFold(sp.SpaceManagersTeams, "teams-spacemanagers-"+sp.ID) {
		t.Errorf("space = %+v", sp)
	}
	sc := newClient(t, hs, testAdminKey, sp.ID)
	if lcs := must(lifecycles.GetAll(sc, sp.ID)); len(lcs) != 1 || lcs[0].Name != "Default Lifecycle" {
		t.Errorf("lifecycles of a new space = %+v", lcs)
	}
	if gs := must(projectgroups.GetAll(sc, sp.ID)); len(gs) != 1 || gs[0].Name != "Default Project Group" {
		t.Errorf("project groups of a new space = %+v", gs)
	}
	if f := must(feeds.GetByID(sc, sp.ID, "feeds-builtin")); f.GetFeedType() != feeds.FeedTypeBuiltIn {
		t.Errorf("built-in feed = %+v", f)
	}
	// Making it the default demotes the old default.
	sp.IsDefault = true
	must(spaces.Update(c, sp))
	if first := must(spaces.GetByID(c, "Spaces-1")); first.IsDefault {
		t.Errorf("Spaces-1 is still the default")
	}
	// A space is deleted only once its task queue is stopped.
	first := must(spaces.GetByID(c, "Spaces-1"))
	err := c.Spaces.DeleteByID(first.ID)
	if err == nil || !strings.Contains(err.Error(), "task queue") {
		t.Errorf("delete with a running queue: %v", err)
	}
	first.TaskQueueStopped = true
	must(spaces.Update(c, first))
	if err := c.Spaces.DeleteByID(first.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := spaces.GetByID(c, first.ID); asAPIErr(t, err).StatusCode != 404 {
		t.Errorf("deleted space still answers: %v", err)
	}
}

func TestPackagesAndFeeds(t *testing.T) {
	defer failOnPanic(t)
	_, hs := newTestServer(t, nil)
	c := newClient(t, hs, testAdminKey, "Spaces-1")
	for _, name := range []string{"Acme.Api.1.0.0.zip", "Acme.Api.1.2.0.nupkg", "Acme.Api.2.0.0-rc.1.tar.gz", "Other.1.0.0.zip"} {
		res := must(upload(c, name))
		if res.FeedId != "feeds-builtin" || !strings.HasPrefix(res.ID, "packages-") {
			t.Errorf("upload response = %+v", res)
		}
	}
	if _, err := upload(c, "Acme.Api.1.0.0.zip"); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("duplicate upload: %v", err)
	}
	_, created, err := packages.Upload(c, "Spaces-1", "Acme.Api.1.0.0.zip", bytes.NewReader([]byte("x")), packages.OverwriteModeIgnoreIfExists)
	if err != nil || created {
		t.Errorf("IgnoreIfExists: created=%v err=%v", created, err)
	}
	if _, err := upload(c, "not-a-package.zip"); err == nil {
		t.Errorf("a file name without a version was accepted")
	}

	feed := must(feeds.GetByID(c, "Spaces-1", "feeds-builtin"))
	versions := func(q feeds.SearchPackageVersionsQuery) string {
		q.PackageID = "Acme.Api"
		res := must(c.Feeds.SearchFeedPackageVersions(feed, q))
		var vs []string
		for _, v := range res.Items {
			vs = append(vs, v.Version)
		}
		return strings.Join(vs, ",")
	}
	tests := []struct {
		name  string
		query feeds.SearchPackageVersionsQuery
		want  string
	}{
		{"pre-releases by default", feeds.SearchPackageVersionsQuery{}, "2.0.0-rc.1,1.2.0,1.0.0"},
		{"latest", feeds.SearchPackageVersionsQuery{Take: 1}, "2.0.0-rc.1"},
		{"range", feeds.SearchPackageVersionsQuery{VersionRange: "[1.0,1.5)"}, "1.2.0,1.0.0"},
		{"range orders pre-releases plainly (NuGet)", feeds.SearchPackageVersionsQuery{VersionRange: "[1.1,2.0)"}, "2.0.0-rc.1,1.2.0"},
		{"tag pattern", feeds.SearchPackageVersionsQuery{PreReleaseTag: "^rc"}, "2.0.0-rc.1"},
	}
	for _, tt := range tests {
		if got := versions(tt.query); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
	// go-client omits includePreRelease=false, so send it through its session.
	stable := must(newclient.Get[resources.Resources[*packages.PackageVersion]](c.HttpSession(),
		"/api/Spaces-1/feeds/feeds-builtin/packages/versions?packageId=Acme.Api&includePreRelease=false"))
	if stable.TotalResults != 2 || stable.Items[0].Version != "1.2.0" {
		t.Errorf("stable versions: %d, first %s", stable.TotalResults, stable.Items[0].Version)
	}
	list := must(packages.List(c, "Spaces-1", "Acme", 0))
	if list.TotalResults != 3 || list.Items[0].Version != "2.0.0-rc.1" {
		t.Errorf("package list = %d, first %s", list.TotalResults, list.Items[0].Version)
	}
}

func TestSecurityDocuments(t *testing.T) {
	defer failOnPanic(t)
	_, hs := newTestServer(t, nil)
	c := newClient(t, hs, testAdminKey, "Spaces-1")

	u := must(c.Users.Add(users.NewUser("alice", "Alice")))
	key := must(c.APIKeys.Create(users.NewAPIKey("laptop", u.ID)))
	if !apiKeyPattern.MatchString(key.APIKey) || len(key.APIKey) != 30 {
		t.Errorf("key %q does not look like a real key", key.APIKey)
	}
	keys := must(c.APIKeys.GetByUserID(u.ID))
	if len(keys) != 1 || keys[0].APIKey == nil || !keys[0].APIKey.HasValue || keys[0].APIKey.NewValue != "" {
		t.Errorf("listed key = %+v", keys[0])
	}
	ac := newClient(t, hs, key.APIKey, "")
	if me := must(ac.Users.GetMe()); me.ID != u.ID {
		t.Errorf("me = %s", me.ID)
	}

	role := userroles.NewUserRole("Auditor")
	role.GrantedSpacePermissions = []string{"ProjectView", "EnvironmentView"}
	role = must(c.UserRoles.Add(role))
	bad := userroles.NewUserRole("Broken")
	bad.GrantedSpacePermissions = []string{"FlyToTheMoon"}
	if _, err := c.UserRoles.Add(bad); err == nil {
		t.Errorf("an unknown permission was accepted")
	}
	if err := c.UserRoles.DeleteByID("userroles-systemadministrator"); err == nil {
		t.Errorf("a built-in role was deleted")
	}

	team := teams.NewTeam("Auditors")
	team.SpaceID = "Spaces-1"
	team.MemberUserIDs = []string{u.ID}
	team = must(c.Teams.Add(team))
	sur := userroles.NewScopedUserRole(role.ID)
	sur.TeamID = team.ID
	sur = must(c.ScopedUserRoles.Add(sur))
	if sur.SpaceID != "Spaces-1" {
		t.Errorf("scoped role space = %q", sur.SpaceID)
	}
	roles := must(c.Teams.GetScopedUserRoles(*team, coreSkipTake()))
	if roles.TotalResults != 1 {
		t.Errorf("team roles = %d", roles.TotalResults)
	}
	if all := must(environments.GetAll(ac, "Spaces-1")); all == nil {
		t.Errorf("auditor cannot list environments")
	}
	if _, err := environments.Add(ac, environments.NewEnvironment("X")); err == nil {
		t.Errorf("auditor created an environment")
	}
	// Deleting the team takes its roles away.
	must(struct{}{}, c.Teams.DeleteByID(team.ID))
	if _, err := environments.GetAll(ac, "Spaces-1"); err == nil {
		t.Errorf("auditor still lists environments after its team was deleted")
	}
	admins := must(c.Teams.GetByID("teams-administrators"))
	admins.Name = "Renamed"
	if _, err := c.Teams.Update(admins); err == nil {
		t.Errorf("a built-in team was renamed")
	}
}

func TestUpdatesAndCascades(t *testing.T) {
	defer failOnPanic(t)
	_, hs := newTestServer(t, must(ParseSeed([]byte(`{
	  "environments": [{"name": "Dev"}, {"name": "Prod"}],
	  "lifecycles": [{"name": "L", "phases": [{"name": "Dev", "optional": ["Dev"]}, {"name": "Prod", "optional": ["Prod"]}]}],
	  "projects": [{"name": "P", "lifecycle": "L", "steps": [{"name": "Hello", "type": "script", "script": "echo hi"}]}],
	  "runbooks": [{"project": "P", "name": "R", "steps": [{"name": "S", "type": "script"}], "publish": true, "snapshot": "One"}]
	}`))))
	c := newClient(t, hs, testAdminKey, "Spaces-1")
	p := must(projects.GetByName(c, "Spaces-1", "P"))

	t.Run("process version", func(t *testing.T) {
		defer failOnPanic(t)
		proc := must(deployments.GetDeploymentProcessByID(c, "Spaces-1", p.DeploymentProcessID))
		v := proc.Version
		proc = must(deployments.UpdateDeploymentProcess(c, proc))
		if proc.Version != v+1 {
			t.Errorf("version %d after update of %d", proc.Version, v)
		}
	})
	t.Run("versioning strategy follows deployment settings", func(t *testing.T) {
		defer failOnPanic(t)
		p2 := must(projects.GetByID(c, "Spaces-1", p.ID))
		if p2.VersioningStrategy.Template != DefaultVersionTemplate {
			t.Errorf("default template = %q", p2.VersioningStrategy.Template)
		}
		p2.VersioningStrategy = &projects.VersioningStrategy{Template: "#{Octopus.Date.Year}.#{Octopus.Version.NextPatch}"}
		must(projects.Update(c, p2))
		p3 := must(projects.GetByID(c, "Spaces-1", p.ID))
		if p3.VersioningStrategy.Template != "#{Octopus.Date.Year}.#{Octopus.Version.NextPatch}" {
			t.Errorf("template = %q", p3.VersioningStrategy.Template)
		}
		p3.VersioningStrategy = &projects.VersioningStrategy{Template: "x", DonorPackage: &packages.DeploymentActionPackage{DeploymentAction: "Hello"}}
		if _, err := projects.Update(c, p3); err == nil || !strings.Contains(asAPIErr(t, err).Errors[0], "Only one of either") {
			t.Errorf("template and donor together: %v", err)
		}
	})
	t.Run("default channel moves", func(t *testing.T) {
		defer failOnPanic(t)
		ch := channels.NewChannel("Hotfix", p.ID)
		ch.SpaceID = "Spaces-1"
		ch.IsDefault = true
		ch = must(channels.Add(c, ch))
		var defaults []string
		for _, v := range must(c.Projects.GetChannels(p)) {
			if v.IsDefault {
				defaults = append(defaults, v.Name)
			}
		}
		if strings.Join(defaults, ",") != "Hotfix" {
			t.Errorf("defaults = %v", defaults)
		}
		if err := c.Channels.DeleteByID(ch.ID); err == nil {
			t.Errorf("the default channel was deleted")
		}
	})
	t.Run("publishing and snapshot deletion", func(t *testing.T) {
		defer failOnPanic(t)
		rb := must(runbooks.GetByName(c, "Spaces-1", p.ID, "R"))
		one := must(runbooks.GetSnapshot(c, "Spaces-1", p.ID, "One"))
		two := must(c.RunbookSnapshots.Add(runbooks.NewRunbookSnapshot("Two", p.ID, rb.ID)))
		if err := c.RunbookSnapshots.DeleteByID(one.ID); err == nil {
			t.Errorf("the published snapshot was deleted")
		}
		rb.PublishedRunbookSnapshotID = two.ID
		rb = must(runbooks.Update(c, rb))
		if rb.PublishedRunbookSnapshotID != two.ID {
			t.Errorf("published = %s", rb.PublishedRunbookSnapshotID)
		}
		if err := c.RunbookSnapshots.DeleteByID(one.ID); err != nil {
			t.Errorf("delete unpublished snapshot: %v", err)
		}
		rb.PublishedRunbookSnapshotID = "RunbookSnapshots-999"
		if _, err := runbooks.Update(c, rb); err == nil {
			t.Errorf("published a snapshot that does not exist")
		}
	})
	t.Run("deleting an environment", func(t *testing.T) {
		defer failOnPanic(t)
		prod := must(c.Environments.GetByName("Prod"))[0]
		must(struct{}{}, environments.DeleteByID(c, "Spaces-1", prod.ID))
		lc := must(lifecycles.GetByID(c, "Spaces-1", p.LifecycleID))
		if len(lc.Phases[1].OptionalDeploymentTargets) != 0 {
			t.Errorf("phase still names the deleted environment: %v", lc.Phases[1].OptionalDeploymentTargets)
		}
	})
	t.Run("deleting a project", func(t *testing.T) {
		defer failOnPanic(t)
		must(struct{}{}, projects.DeleteByID(c, "Spaces-1", p.ID))
		if _, err := deployments.GetDeploymentProcessByID(c, "Spaces-1", p.DeploymentProcessID); asAPIErr(t, err).StatusCode != 404 {
			t.Errorf("process survived its project: %v", err)
		}
		if chs := must(channels.Get(c, "Spaces-1", channels.Query{})); chs.TotalResults != 0 {
			t.Errorf("%d channels survived their project", chs.TotalResults)
		}
		if rbs := must(c.Runbooks.GetAll()); len(rbs) != 0 {
			t.Errorf("%d runbooks survived their project", len(rbs))
		}
	})
}
