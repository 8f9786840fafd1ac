package octosim

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/client"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/deployments"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/interruptions"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/newclient"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/projects"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/releases"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/runbooks"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/tasks"
)

// TestManualIntervention deploys to Production, where a manual
// intervention pauses the task, and answers it: Proceed, then Abort.
func TestManualIntervention(t *testing.T) {
	defer failOnPanic(t)
	_, hs, c := execServer(t, instant())
	newRelease(t, c, "Web App", nil)
	waitTask(t, c, mustDeploy(t, c, "Web App", "1.0.1", "Test")[0], "Success")

	id := mustDeploy(t, c, "Web App", "1.0.1", "Production")[0]
	tk := readTask(t, c, id)
	// Paused: back to Queued, waiting on the interruption.
	if tk.State != "Queued" || !tk.HasPendingInterruptions || !tk.HasBeenPickedUpByProcessor {
		t.Fatalf("task at the manual step = %+v", tk)
	}
	ins := pending(t, c, id)
	if len(ins) != 1 || ins[0].Title != "Approve" || !ins[0].IsPending || len(ins[0].ResponsibleTeamIDs) != 1 {
		t.Fatalf("interruptions = %+v", ins)
	}
	in := ins[0]
	if in.Form == nil || len(in.Form.Elements) != 3 || in.Form.Elements[2].Name != "Result" || !in.CanTakeResponsibility {
		t.Errorf("interruption = %+v", in)
	}
	byID := must(c.Interruptions.GetByID(in.ID))
	if byID.TaskID != id || !strings.Contains(strings.Join(byID.RelatedDocumentIDs, ","), id) {
		t.Errorf("by ID = %+v", byID)
	}
	// Submitting before taking responsibility is refused.
	_, err := c.Interruptions.Submit(in, &interruptions.InterruptionSubmitRequest{Result: "Proceed"})
	errContains(t, err, "You must take responsibility for this interruption before attempting to submit it.")
	// The deployer is not in the responsible team.
	dc := newClient(t, hs, execDeployerKey, space1)
	_, err = dc.Interruptions.TakeResponsibility(in)
	errContains(t, err)

	out := answer(t, c, in, map[string]string{"Result": "Proceed", "Notes": "looks good"})
	if out.IsPending || out.Form.Values["Result"] != "Proceed" || !out.HasResponsibility {
		t.Errorf("answered interruption = %+v", out)
	}
	tk = waitTask(t, c, id, "Success")
	if tk.HasPendingInterruptions {
		t.Errorf("still pending: %+v", tk)
	}
	_, err = c.Interruptions.Submit(in, &interruptions.InterruptionSubmitRequest{Result: "Proceed"})
	errContains(t, err, "The interruption has already been submitted.")
	_, err = c.Interruptions.GetResponsibility(in)
	errContains(t, err, "This interruption has already been submitted, possibly by another user.")
	details := must(tasks.GetDetails(c, space1, id))
	log := flatten(details.ActivityLogs)
	if !strings.Contains(log, "Manual intervention approved by admin: looks good") || !strings.Contains(log, "Success Step 3: Smoke test") {
		t.Errorf("log = %s", log)
	}
	if details.Progress == nil || details.Progress.ProgressPercentage != 100 {
		t.Errorf("progress = %+v", details.Progress)
	}

	// Abort: the deployment fails.
	newRelease(t, c, "Web App", func(cmd *releases.CreateReleaseCommandV1) { cmd.ReleaseVersion = "1.0.5" })
	waitTask(t, c, mustDeploy(t, c, "Web App", "1.0.5", "Test")[0], "Success")
	id = mustDeploy(t, c, "Web App", "1.0.5", "Production")[0]
	in = pending(t, c, id)[0]
	answer(t, c, in, map[string]string{"Result": "Abort"})
	tk = waitTask(t, c, id, "Failed")
	if !strings.Contains(tk.ErrorMessage, "aborted by admin") {
		t.Errorf("error message = %q", tk.ErrorMessage)
	}
}

func flatten(els []*tasks.ActivityElement) string {
	var b strings.Builder
	var walk func([]*tasks.ActivityElement)
	walk = func(es []*tasks.ActivityElement) {
		for _, e := range es {
			b.WriteString(e.Status + " " + e.Name + "\n")
			for _, l := range e.LogElements {
				b.WriteString("  " + l.Category + " " + l.MessageText + "\n")
			}
			walk(e.Children)
		}
	}
	walk(els)
	return b.String()
}

// approve answers a pending manual intervention with Proceed.
func approve(t *testing.T, c *client.Client, taskID string) {
	t.Helper()
	ins := pending(t, c, taskID)
	if len(ins) != 1 {
		t.Fatalf("task %s has %d pending interruptions", taskID, len(ins))
	}
	answer(t, c, ins[0], map[string]string{"Result": "Proceed"})
}

// TestGuidedFailure makes the smoke test fail in Production (guided
// failure is on there): Retry after one failure succeeds; Ignore carries
// on with warnings; without guided failure the deployment fails.
func TestGuidedFailure(t *testing.T) {
	defer failOnPanic(t)
	s, hs, c := execServer(t, instant(), WithFailure(FailureRule{Project: "Web App", Step: "Smoke test",
		Environments: []string{"Production"}, Times: 1, Message: "Smoke test failed: HTTP 503"}))
	newRelease(t, c, "Web App", nil)
	waitTask(t, c, mustDeploy(t, c, "Web App", "1.0.1", "Test")[0], "Success")
	id := mustDeploy(t, c, "Web App", "1.0.1", "Production")[0]
	approve(t, c, id)
	tk := readTask(t, c, id)
	if tk.State != "Executing" || !tk.HasPendingInterruptions {
		t.Fatalf("task in guided failure = %+v", tk)
	}
	in := pending(t, c, id)[0]
	if in.Title != "Failed: Smoke test" || in.Form.Elements[1].Name != "Guidance" {
		t.Errorf("guided failure = %+v", in)
	}
	answer(t, c, in, map[string]string{"Guidance": "Retry", "Notes": "flaky"})
	tk = waitTask(t, c, id, "Success")
	log := flatten(must(tasks.GetDetails(c, space1, id)).ActivityLogs)
	if !strings.Contains(log, "Error Smoke test failed: HTTP 503") || !strings.Contains(log, "Retrying the step") {
		t.Errorf("log = %s", log)
	}
	if !tk.HasWarningsOrErrors {
		t.Errorf("a retried failure should leave warnings: %+v", tk)
	}

	// Ignore.
	if err := s.AddFailure(FailureRule{Step: "Smoke test", Environments: []string{"Production"}}); err != nil {
		t.Fatal(err)
	}
	newRelease(t, c, "Web App", func(cmd *releases.CreateReleaseCommandV1) { cmd.ReleaseVersion = "2.0.0" })
	waitTask(t, c, mustDeploy(t, c, "Web App", "2.0.0", "Test")[0], "Success")
	id = mustDeploy(t, c, "Web App", "2.0.0", "Production")[0]
	approve(t, c, id)
	in = pending(t, c, id)[0]
	answer(t, c, in, map[string]string{"Guidance": "Ignore"})
	tk = waitTask(t, c, id, "Success")
	if !tk.HasWarningsOrErrors {
		t.Errorf("ignored failure without warnings: %+v", tk)
	}
	// Without guided failure (Test), the same failure fails the task.
	if err := s.AddFailure(FailureRule{Step: "Smoke test", Environments: []string{"Test"}, Message: "boom"}); err != nil {
		t.Fatal(err)
	}
	id = mustDeploy(t, c, "Web App", "2.0.0", "Test")[0]
	tk = waitTask(t, c, id, "Failed")
	if !strings.Contains(tk.ErrorMessage, "boom") {
		t.Errorf("error = %q", tk.ErrorMessage)
	}
	raw := rawLog(t, hs, id)
	if !strings.Contains(raw, "Task status:    Failed") || !strings.Contains(raw, "Error    |     boom") {
		t.Errorf("raw log = %s", raw)
	}
}

// rawLog reads a task's plain-text log (no typed helper in go-client).
func rawLog(t *testing.T, hs *httptest.Server, id string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, hs.URL+"/api/tasks/"+id+"/raw", nil)
	req.Header.Set("X-Octopus-ApiKey", testAdminKey)
	res, err := hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("raw: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	return string(b)
}

// TestLifecycleRefusal checks the phases: Production before Test is
// refused, and a later failed redeploy to Test blocks Production again.
func TestLifecycleRefusal(t *testing.T) {
	defer failOnPanic(t)
	s, _, c := execServer(t, instant())
	newRelease(t, c, "Web App", nil)
	_, err := deployTo(c, "Web App", "1.0.1", "Production")
	errContains(t, err, "There was a problem with your request.",
		"Release '1.0.1' of project 'Web App' cannot be deployed to environment 'Production' because the environment is not in the list of environments that this release can be deployed to.")
	waitTask(t, c, mustDeploy(t, c, "Web App", "1.0.1", "Test")[0], "Success")
	tmpl := must(releases.GetReleaseDeploymentTemplate(c, space1, newReleaseID(t, c, "Web App", "1.0.1")))
	if len(tmpl.PromoteTo) != 3 {
		t.Errorf("promote to = %+v", tmpl.PromoteTo)
	}
	// A failed redeploy to Test closes Production again.
	if err := s.AddFailure(FailureRule{Environments: []string{"Test"}}); err != nil {
		t.Fatal(err)
	}
	waitTask(t, c, mustDeploy(t, c, "Web App", "1.0.1", "Test")[0], "Failed")
	_, err = deployTo(c, "Web App", "1.0.1", "Production")
	errContains(t, err, "cannot be deployed to environment 'Production'")
	// Unknown release: the null-reference error real servers give.
	_, err = deployTo(c, "Web App", "latest", "Test")
	errContains(t, err, "Object reference not set to an instance of an object.")
	// Unknown environment; an empty environment list deploys nothing.
	_, err = deployTo(c, "Web App", "1.0.1", "Staging")
	errContains(t, err, "Environment named 'Staging' was not found.")
	cmd := deployments.NewCreateDeploymentUntenantedCommandV1(space1, "Web App")
	cmd.ReleaseVersion = "1.0.1"
	// go-client refuses an empty list itself; post the body directly.
	res := must(newclient.Post[deployments.CreateDeploymentResponseV1](c.HttpSession(), "/api/Spaces-1/deployments/create/untenanted/v1",
		map[string]any{"spaceId": space1, "projectName": "Web App", "releaseVersion": "1.0.1", "environmentNames": []string{}}))
	if len(res.DeploymentServerTasks) != 0 {
		t.Errorf("empty environment list deployed %d", len(res.DeploymentServerTasks))
	}
}

func newReleaseID(t *testing.T, c *client.Client, project, version string) string {
	t.Helper()
	p := must(projects.GetByIdentifier(c, space1, project))
	return must(releases.GetReleaseInProject(c, space1, p.ID, version)).ID
}

// TestPermissionRefusal uses a key whose user may deploy only to
// Development and Test.
func TestPermissionRefusal(t *testing.T) {
	defer failOnPanic(t)
	_, hs, c := execServer(t, instant())
	newRelease(t, c, "Web App", nil)
	dc := newClient(t, hs, execDeployerKey, space1)
	waitTask(t, dc, mustDeploy(t, dc, "Web App", "1.0.1", "Test")[0], "Success")
	_, err := deployTo(dc, "Web App", "1.0.1", "Production")
	errContains(t, err, "You do not have permission to perform this action. Please contact your Octopus administrator. Missing permission: DeploymentCreate")
	// A viewer may not deploy at all, nor create releases.
	vc := newClient(t, hs, execViewerKey, space1)
	_, err = deployTo(vc, "Web App", "1.0.1", "Test")
	errContains(t, err, "Missing permission: DeploymentCreate", "None of your teams have this permission.")
	_, err = releases.CreateReleaseV1(vc, releases.NewCreateReleaseCommandV1(space1, "Web App"))
	errContains(t, err, "Missing permission: ReleaseCreate")
	// The deployer's template shows only where it may deploy.
	tmpl := must(releases.GetReleaseDeploymentTemplate(dc, space1, newReleaseID(t, c, "Web App", "1.0.1")))
	if len(tmpl.PromoteTo) != 2 {
		t.Errorf("deployer may promote to %+v", tmpl.PromoteTo)
	}
}

// TestTenantedDeployments deploys to tenants by name, by tag and with "*",
// with the lifecycle applied per tenant.
func TestTenantedDeployments(t *testing.T) {
	defer failOnPanic(t)
	_, _, c := execServer(t, instant())
	res := newRelease(t, c, "Portal", nil)
	rel := must(c.Releases.GetByID(res.ReleaseID))
	// Development is automatic: one deployment per connected tenant.
	deps := must(c.Deployments.GetDeployments(rel))
	if deps.TotalResults != 3 {
		t.Fatalf("automatic tenant deployments = %d", deps.TotalResults)
	}
	// Untenanted deployment of a tenanted project: the real refusal.
	_, err := deployTo(c, "Portal", res.ReleaseVersion, "Test")
	errContains(t, err, "Portal can only be deployed to tenants.")

	all := deployments.NewCreateDeploymentTenantedCommandV1(space1, "Portal")
	all.ReleaseVersion, all.EnvironmentName, all.Tenants = res.ReleaseVersion, "Test", []string{"*"}
	out := must(deployments.CreateDeploymentTenantedV1(c, all))
	if len(out.DeploymentServerTasks) != 2 { // Acme and Globex are connected to Test
		t.Fatalf("* deployed to %d tenants", len(out.DeploymentServerTasks))
	}
	for _, d := range out.DeploymentServerTasks {
		waitTask(t, c, d.ServerTaskID, "Success")
	}
	east := deployments.NewCreateDeploymentTenantedCommandV1(space1, "Portal")
	east.ReleaseVersion, east.EnvironmentName, east.TenantTags = res.ReleaseVersion, "Production", []string{"Region/East"}
	out = must(deployments.CreateDeploymentTenantedV1(c, east))
	if len(out.DeploymentServerTasks) != 1 {
		t.Fatalf("Region/East in Production = %d", len(out.DeploymentServerTasks))
	}
	d := must(c.Deployments.GetByID(out.DeploymentServerTasks[0].DeploymentID))
	if d.TenantID == "" || !strings.Contains(d.Name, "Acme") {
		t.Errorf("deployment = %+v", d)
	}
	// Globex is not connected to Production.
	named := deployments.NewCreateDeploymentTenantedCommandV1(space1, "Portal")
	named.ReleaseVersion, named.EnvironmentName, named.Tenants = res.ReleaseVersion, "Production", []string{"Globex"}
	_, err = deployments.CreateDeploymentTenantedV1(c, named)
	errContains(t, err, "not connected")
	// The template lists each tenant's promotions.
	tmpl := must(releases.GetReleaseDeploymentTemplate(c, space1, rel.ID))
	if len(tmpl.TenantPromotions) != 3 {
		t.Errorf("tenant promotions = %+v", tmpl.TenantPromotions)
	}
}

// TestAutomaticPhaseDeployment: with Development and Test automatic, a
// new release goes to both by itself, and no further.
func TestAutomaticPhaseDeployment(t *testing.T) {
	defer failOnPanic(t)
	_, _, c := execServer(t, instant())
	res := newRelease(t, c, "Worker", nil)
	rel := must(c.Releases.GetByID(res.ReleaseID))
	if rel.SelectedPackages[0].Version != "3.1.0" || res.ReleaseVersion != "0.0.1" {
		t.Errorf("release %s with %+v", res.ReleaseVersion, rel.SelectedPackages[0])
	}
	deps := must(c.Deployments.GetDeployments(rel))
	if deps.TotalResults != 2 {
		t.Fatalf("automatic deployments = %d", deps.TotalResults)
	}
	for _, d := range deps.Items {
		if d.DeployedBy != "System" {
			t.Errorf("deployed by %s", d.DeployedBy)
		}
		waitTask(t, c, d.TaskID, "Success")
	}
	prog := must(c.Deployments.GetProgression(rel))
	if prog.Phases[1].Progress != releases.PhaseProgressComplete || len(prog.Phases[1].Deployments) != 1 {
		t.Errorf("Test phase = %+v", prog.Phases[1])
	}
}

// TestRunbookRun runs the published snapshot, and one by name.
func TestRunbookRun(t *testing.T) {
	defer failOnPanic(t)
	_, _, c := execServer(t, instant())
	cmd := runbooks.NewRunbookRunCommandV1(space1, "Ops")
	cmd.RunbookName, cmd.EnvironmentNames = "Restart", []string{"Development", "Test"}
	res := must(runbooks.RunbookRunV1(c, cmd))
	if len(res.RunbookRunServerTasks) != 2 {
		t.Fatalf("runs = %d", len(res.RunbookRunServerTasks))
	}
	for _, r := range res.RunbookRunServerTasks {
		tk := waitTask(t, c, r.ServerTaskID, "Success")
		if tk.Name != "RunbookRun" || tk.Arguments["RunbookRunId"] != r.RunbookRunID {
			t.Errorf("task = %+v", tk)
		}
	}
	run := must(newclient.Get[map[string]any](c.HttpSession(), "/api/Spaces-1/runbookRuns/"+res.RunbookRunServerTasks[0].RunbookRunID))
	if (*run)["RunbookSnapshotId"] == "" || (*run)["FrozenRunbookProcessId"] == "" {
		t.Errorf("run = %v", run)
	}
	cmd.Snapshot, cmd.EnvironmentNames, cmd.Tenants = "First", []string{"Production"}, []string{"Acme"}
	res = must(runbooks.RunbookRunV1(c, cmd))
	if len(res.RunbookRunServerTasks) != 1 {
		t.Fatalf("tenant runs = %d", len(res.RunbookRunServerTasks))
	}
	waitTask(t, c, res.RunbookRunServerTasks[0].ServerTaskID, "Success")
	cmd.Snapshot = "Nope"
	_, err := runbooks.RunbookRunV1(c, cmd)
	errContains(t, err, "Snapshot named 'Nope'")
}

// TestCancellation cancels a running task (the engine's timed path), a
// task waiting for its queue time, and one paused at an interruption.
func TestCancellation(t *testing.T) {
	defer failOnPanic(t)
	s, _, c := execServer(t, instant())
	newRelease(t, c, "Web App", nil)
	waitTask(t, c, mustDeploy(t, c, "Web App", "1.0.1", "Test")[0], "Success")

	// Timed: a step takes 6 simulated seconds, 1.2 s at speed 5.
	s.SetInstantTasks(false)
	s.SetTimeScale(5)
	id := mustDeploy(t, c, "Web App", "1.0.1", "Test")[0]
	waitTask(t, c, id, "Executing")
	ct := must(tasks.Cancel(c, space1, id))
	if ct.State != "Cancelling" && ct.State != "Canceled" {
		t.Errorf("after cancel: %s", ct.State)
	}
	s.SetTimeScale(1000)
	tk := waitTask(t, c, id, "Canceled")
	if tk.IsCompleted == nil || !*tk.IsCompleted || tk.FinishedSuccessfully == nil || *tk.FinishedSuccessfully {
		t.Errorf("canceled task = %+v", tk)
	}

	// Scheduled for later: stays queued until canceled.
	s.SetInstantTasks(true)
	cmd := deployments.NewCreateDeploymentUntenantedCommandV1(space1, "Web App")
	cmd.ReleaseVersion, cmd.EnvironmentNames = "1.0.1", []string{"Test"}
	cmd.RunAt = time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	res := must(deployments.CreateDeploymentUntenantedV1(c, cmd))
	id = res.DeploymentServerTasks[0].ServerTaskID
	if tk := readTask(t, c, id); tk.State != "Queued" || tk.QueueTime == nil || tk.QueueTime.Before(time.Now()) {
		t.Errorf("scheduled task = %+v", tk)
	}
	must(tasks.Cancel(c, space1, id))
	waitTask(t, c, id, "Canceled")

	// Paused at a manual intervention. (The canceled redeploy to Test is
	// the latest there, so Test must succeed again first.)
	waitTask(t, c, mustDeploy(t, c, "Web App", "1.0.1", "Test")[0], "Success")
	id = mustDeploy(t, c, "Web App", "1.0.1", "Production")[0]
	waitTask(t, c, id, "Queued")
	in := pending(t, c, id)[0]
	must(tasks.Cancel(c, space1, id))
	waitTask(t, c, id, "Canceled")
	if got := must(c.Interruptions.GetByID(in.ID)); got.IsPending {
		t.Errorf("interruption still pending after cancel")
	}
}

// TestTaskCapAndQueries queues tasks behind a cap of one, and reads them
// back with both ids encodings, paging and filters.
func TestTaskCapAndQueries(t *testing.T) {
	defer failOnPanic(t)
	s, _, c := execServer(t, WithTaskCap(1), WithTimeScale(5))
	s.SetInstantTasks(true)
	newRelease(t, c, "Web App", nil)
	newRelease(t, c, "Worker", nil)
	s.SetInstantTasks(false)
	a := mustDeploy(t, c, "Web App", "1.0.1", "Test")[0]
	b := mustDeploy(t, c, "Worker", "0.0.1", "Production")[0]
	waitTask(t, c, a, "Executing")
	if tk := readTask(t, c, b); tk.State != "Queued" || tk.HasBeenPickedUpByProcessor {
		t.Errorf("second task should wait behind the cap: %+v", tk)
	}
	behind := must(newclient.Get[struct{ TotalResults int }](c.HttpSession(), "/api/tasks/"+b+"/queued-behind"))
	if behind.TotalResults < 1 {
		t.Errorf("queued behind = %d", behind.TotalResults)
	}
	s.SetInstantTasks(true)
	waitTask(t, c, a, "Success")
	waitTask(t, c, b, "Success")

	// ids: go-client's %2C form and plain commas.
	both := must(c.Tasks.Get(tasks.TasksQuery{IDs: []string{a, b}}))
	if both.TotalResults != 2 || both.Items[0].ID != b {
		t.Errorf("ids (encoded) = %d, first %s", both.TotalResults, both.Items[0].ID)
	}
	plain := must(newclient.Get[struct {
		TotalResults int
		Items        []*tasks.Task
	}](c.HttpSession(), "/api/tasks?ids="+a+","+b))
	if plain.TotalResults != 2 {
		t.Errorf("ids (plain) = %d", plain.TotalResults)
	}
	page := must(newclient.Get[struct {
		TotalResults int
		Items        []*tasks.Task
		Links        map[string]string
	}](c.HttpSession(), "/api/tasks?take=1&states=Success"))
	if len(page.Items) != 1 || page.Links["Page.Next"] == "" || page.TotalResults < 4 {
		t.Errorf("paged = %d items of %d, next %q", len(page.Items), page.TotalResults, page.Links["Page.Next"])
	}
	p := must(projects.GetByIdentifier(c, space1, "Worker"))
	byProject := must(c.Tasks.Get(tasks.TasksQuery{Project: p.ID}))
	for _, tk := range byProject.Items {
		if tk.Arguments["DeploymentId"] == nil {
			t.Errorf("task without a deployment: %+v", tk)
		}
	}
	if byProject.TotalResults != 3 { // Development and Test automatic, Production by hand
		t.Errorf("Worker tasks = %d", byProject.TotalResults)
	}
	// The space-scoped alias answers too.
	scoped := must(newclient.Get[tasks.Task](c.HttpSession(), "/api/spaces/Spaces-1/tasks/"+a))
	if scoped.ID != a {
		t.Errorf("scoped task = %s", scoped.ID)
	}
	// Deployments by filter.
	deps := must(newclient.Get[struct{ TotalResults int }](c.HttpSession(), "/api/Spaces-1/deployments?projects="+p.ID+"&taskState=Success"))
	if deps.TotalResults != 3 {
		t.Errorf("deployments filter = %d", deps.TotalResults)
	}
}

// TestQueueTimes: a task scheduled a moment ahead starts then; a task that
// cannot start before its NoRunAfter times out (the only slot is held by a
// deployment waiting on guided failure).
func TestQueueTimes(t *testing.T) {
	defer failOnPanic(t)
	s, _, c := execServer(t, instant(), WithTaskCap(1))
	newRelease(t, c, "Worker", nil)
	cmd := deployments.NewCreateDeploymentUntenantedCommandV1(space1, "Worker")
	cmd.ReleaseVersion, cmd.EnvironmentNames = "0.0.1", []string{"Development"}
	cmd.RunAt = time.Now().Add(150 * time.Millisecond).UTC().Format(time.RFC3339Nano)
	id := must(deployments.CreateDeploymentUntenantedV1(c, cmd)).DeploymentServerTasks[0].ServerTaskID
	if tk := readTask(t, c, id); tk.State != "Queued" {
		t.Fatalf("scheduled task = %s", tk.State)
	}
	waitTask(t, c, id, "Success")

	if err := s.AddFailure(FailureRule{Environments: []string{"Production"}}); err != nil {
		t.Fatal(err)
	}
	held := mustDeploy(t, c, "Worker", "0.0.1", "Production")[0]
	if tk := readTask(t, c, held); tk.State != "Executing" || !tk.HasPendingInterruptions {
		t.Fatalf("guided failure = %+v", tk)
	}
	cmd.RunAt, cmd.NoRunAfter = "", time.Now().Add(100*time.Millisecond).UTC().Format(time.RFC3339Nano)
	id = must(deployments.CreateDeploymentUntenantedV1(c, cmd)).DeploymentServerTasks[0].ServerTaskID
	tk := waitTask(t, c, id, "TimedOut")
	if tk.Completed != "Timed out" || tk.ErrorMessage == "" {
		t.Errorf("timed out task = %+v", tk)
	}
	answer(t, c, pending(t, c, held)[0], map[string]string{"Guidance": "Fail"})
	waitTask(t, c, held, "Failed")
}
