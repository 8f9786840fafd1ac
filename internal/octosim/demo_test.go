package octosim

import (
	"bytes"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/client"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/newclient"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/projects"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/runbooks"
)

// dashboardDoc is the part of /dashboard the tests read.
type dashboardDoc struct {
	Projects []struct {
		ID   string `json:"Id"`
		Name string
	}
	Environments []struct{ ID, Name string }
	Items        []struct {
		ProjectID, EnvironmentID, ReleaseVersion, State string
		TenantID                                        *string
		IsCurrent, IsPrevious                           bool
	}
}

func fetchDashboard(t *testing.T, c *client.Client, path string) *dashboardDoc {
	t.Helper()
	d := must(newclient.Get[dashboardDoc](c.HttpSession(), path))
	return d
}

// current maps project name → environment name → the version currently
// there (untenanted, successful).
func currentVersions(t *testing.T, c *client.Client, d *dashboardDoc) map[string]map[string]string {
	t.Helper()
	names := map[string]string{}
	for _, p := range must(c.Projects.GetAll()) {
		names[p.ID] = p.Name
	}
	envs := map[string]string{}
	for _, e := range d.Environments {
		envs[e.ID] = e.Name
	}
	out := map[string]map[string]string{}
	for _, it := range d.Items {
		if !it.IsCurrent || it.TenantID != nil || it.State != "Success" {
			continue
		}
		p := names[it.ProjectID]
		if out[p] == nil {
			out[p] = map[string]string{}
		}
		out[p][envs[it.EnvironmentID]] = it.ReleaseVersion
	}
	return out
}

func TestDemoSeed(t *testing.T) {
	defer failOnPanic(t)
	file, err := os.ReadFile("../../testdata/seeds/demo.json")
	if err != nil || !bytes.Equal(file, DemoSeedJSON()) {
		t.Fatalf("testdata/seeds/demo.json must be the embedded seeds/demo.json (err %v)", err)
	}
	s, hs := newTestServer(t, DemoSeed(), WithAPIKey(DemoAdminAPIKey), instant())
	t.Cleanup(func() { _ = s.Close() })
	if s.AdminAPIKey() != DemoAdminAPIKey {
		t.Errorf("admin key = %s", s.AdminAPIKey())
	}
	c := newClient(t, hs, DemoAdminAPIKey, space1)
	if n := len(must(c.Projects.GetAll())); n != 8 {
		t.Errorf("projects = %d", n)
	}

	d := fetchDashboard(t, c, "/api/Spaces-1/dashboard")
	if len(d.Environments) != 4 || d.Environments[0].Name != "Development" || d.Environments[3].Name != "Production" {
		t.Errorf("environments = %+v", d.Environments)
	}
	cur := currentVersions(t, c, d)
	var inTestNotStaging []string
	for p, envs := range cur {
		if v := envs["Test"]; v != "" && v != envs["Staging"] {
			inTestNotStaging = append(inTestNotStaging, p+" "+v)
		}
	}
	sort.Strings(inTestNotStaging)
	want := "Checkout Web 2.2.0,Notification Service 1.0.0,Payments API 1.2.0"
	if strings.Join(inTestNotStaging, ",") != want {
		t.Errorf("in Test but not in Staging: %v, want %s", inTestNotStaging, want)
	}
	if cur["Payments API"]["Production"] != "1.0.0" || cur["Identity Service"]["Staging"] != "4.1.0" {
		t.Errorf("current = %v", cur)
	}
	// Tenants: the portal is in Production for Acme Corp and Globex.
	tenantItems := 0
	for _, it := range d.Items {
		if it.TenantID != nil {
			tenantItems++
		}
	}
	if tenantItems < 8 {
		t.Errorf("tenanted dashboard items = %d", tenantItems)
	}
	// The failed Fraud Detection 1.0.0 is the current item in Test.
	failed := false
	for _, it := range d.Items {
		failed = failed || (it.State == "Failed" && it.ReleaseVersion == "1.0.0" && it.IsCurrent)
	}
	if !failed {
		t.Errorf("no failed current item")
	}

	// The limited key: Development and Test only.
	dc := newClient(t, hs, DemoDeployerAPIKey, space1)
	_, err = deployTo(dc, "Payments API", "1.2.0", "Staging")
	errContains(t, err, "Missing permission: DeploymentCreate")
	waitTask(t, dc, mustDeploy(t, dc, "Notification Service", "1.0.1", "Test")[0], "Success")

	// Runbooks: two published, one not.
	cmd := runbooks.NewRunbookRunCommandV1(space1, "Platform Ops")
	cmd.RunbookName, cmd.EnvironmentNames = "Flush caches", []string{"Test"}
	_, err = runbooks.RunbookRunV1(c, cmd)
	errContains(t, err, "has no published snapshot")
	cmd.RunbookName = "Restart services"
	res := must(runbooks.RunbookRunV1(c, cmd))
	waitTask(t, c, res.RunbookRunServerTasks[0].ServerTaskID, "Success")

	// Promoting Payments API 1.2.0 to Staging and Production (approval).
	waitTask(t, c, mustDeploy(t, c, "Payments API", "1.2.0", "Staging")[0], "Success")
	id := mustDeploy(t, c, "Payments API", "1.2.0", "Production")[0]
	approve(t, c, id)
	waitTask(t, c, id, "Success")
	cur = currentVersions(t, c, fetchDashboard(t, c, "/api/Spaces-1/dashboard"))
	if cur["Payments API"]["Production"] != "1.2.0" {
		t.Errorf("after promotion: %v", cur["Payments API"])
	}
}

// progressionDoc is the part of a project's progression the tests read.
type progressionDoc struct {
	Environments []struct{ ID, Name string }
	Releases     []struct {
		Release struct {
			ID      string `json:"Id"`
			Version string
		}
		Deployments map[string][]struct {
			State, ReleaseVersion string
			IsCurrent, IsPrevious bool
		}
		NextDeployments     []string
		HasUnresolvedDefect bool
	}
}

func TestProgressionAndDashboard(t *testing.T) {
	defer failOnPanic(t)
	s, hs := newTestServer(t, DemoSeed(), WithAPIKey(DemoAdminAPIKey), instant())
	t.Cleanup(func() { _ = s.Close() })
	c := newClient(t, hs, DemoAdminAPIKey, space1)
	p := must(projects.GetByIdentifier(c, space1, "Payments API"))
	envs := map[string]string{}
	for _, e := range fetchDashboard(t, c, "/api/Spaces-1/dashboard").Environments {
		envs[e.Name] = e.ID
	}

	prog := must(newclient.Get[progressionDoc](c.HttpSession(), "/api/Spaces-1/progression/"+p.ID))
	if len(prog.Environments) != 4 || len(prog.Releases) != 3 || prog.Releases[0].Release.Version != "1.2.0" {
		t.Fatalf("progression = %+v", prog)
	}
	r12, r11 := prog.Releases[0], prog.Releases[1]
	if !r12.Deployments[envs["Test"]][0].IsCurrent || len(r12.Deployments[envs["Staging"]]) != 0 {
		t.Errorf("1.2.0 = %+v", r12.Deployments)
	}
	if strings.Join(r12.NextDeployments, ",") != envs["Staging"] {
		t.Errorf("1.2.0 next = %v", r12.NextDeployments)
	}
	if r11.Deployments[envs["Test"]][0].IsCurrent || !r11.Deployments[envs["Test"]][0].IsPrevious || !r11.Deployments[envs["Staging"]][0].IsCurrent {
		t.Errorf("1.1.0 = %+v", r11.Deployments)
	}
	// The client's own progression call works too.
	gp := must(c.Projects.GetProgression(p))
	if len(gp.Releases) != 3 {
		t.Errorf("go-client progression releases = %d", len(gp.Releases))
	}
	// releaseHistoryCount.
	one := must(newclient.Get[progressionDoc](c.HttpSession(), "/api/Spaces-1/projects/"+p.ID+"/progression?releaseHistoryCount=1"))
	// 1.2.0 is the newest; 1.1.0 (Staging) and 1.0.0 (Production) are current somewhere.
	if len(one.Releases) != 3 || one.Releases[0].Release.Version != "1.2.0" {
		t.Errorf("history 1 = %d releases", len(one.Releases))
	}
	n := 0
	for range must(newclient.Get[progressionDoc](c.HttpSession(), "/api/Spaces-1/progression/"+must(projects.GetByIdentifier(c, space1, "Checkout Web")).ID+"?releaseHistoryCount=1")).Releases {
		n++
	}
	if n != 2 { // 2.2.0 (newest) and 2.1.0 (Staging, Production); 2.0.0 is in no environment any more
		t.Errorf("Checkout Web history 1 = %d releases", n)
	}

	// Deploy 1.2.0 to Staging: the dashboard and the progression move.
	waitTask(t, c, mustDeploy(t, c, "Payments API", "1.2.0", "Staging")[0], "Success")
	dyn := fetchDashboard(t, c, "/api/Spaces-1/dashboard/dynamic?projects="+p.ID+"&environments="+envs["Staging"]+"&includePrevious=true")
	var current, previous string
	for _, it := range dyn.Items {
		if it.IsCurrent {
			current = it.ReleaseVersion
		}
		if it.IsPrevious {
			previous = it.ReleaseVersion
		}
	}
	if len(dyn.Items) != 2 || current != "1.2.0" || previous != "1.1.0" {
		t.Errorf("dynamic dashboard = %+v", dyn.Items)
	}
	// Names match nothing.
	if byName := fetchDashboard(t, c, "/api/Spaces-1/dashboard/dynamic?projects=Payments%20API"); len(byName.Items) != 0 {
		t.Errorf("projects by name gave %d items", len(byName.Items))
	}
	prog = must(newclient.Get[progressionDoc](c.HttpSession(), "/api/Spaces-1/progression/"+p.ID))
	if !prog.Releases[0].Deployments[envs["Staging"]][0].IsCurrent || strings.Join(prog.Releases[0].NextDeployments, ",") != envs["Production"] {
		t.Errorf("1.2.0 after Staging = %+v", prog.Releases[0])
	}
}
