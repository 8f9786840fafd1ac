package bench

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/octostar/octostar/internal/octosim"
	"github.com/octostar/octostar/internal/octosim/simtest"
)

// newTestSim serves a train world in process, with tasks that take about
// taskTime, behind the same control client the benchmark uses.
func newTestSim(t *testing.T, n int, taskTime time.Duration) *simulator {
	t.Helper()
	_, url := simtest.Serve(t, TrainSeed(n, testKey), octosim.WithTimeScale(speedFor(taskTime)), octosim.WithTaskCap(5))
	return &simulator{URL: url, apiKey: testKey, http: &http.Client{Timeout: time.Minute}}
}

// The CLI pattern makes the requests section 6 of the API reference
// records for each command, and the server sees exactly what it counts.
func TestCLIPatternRequests(t *testing.T) {
	const n = 3
	sim := newTestSim(t, n, 200*time.Millisecond)
	ctx := context.Background()
	if err := sim.ResetStats(ctx); err != nil {
		t.Fatal(err)
	}
	job := cliJob{URL: sim.URL, Space: "Default", Projects: projectNames(TrainGroup, n), Version: releaseVersion,
		Environments: trainEnvironments, Workers: 2, PollInterval: 20 * time.Millisecond}
	res, err := runCLIJob(ctx, job, testKey)
	if err != nil {
		t.Fatal(err)
	}
	waits := n * len(trainEnvironments)
	for _, c := range []struct {
		command        string
		count, request int
	}{
		{"release create", n, n * cliCreateRequests},
		{"release deploy", waits, waits * cliDeployRequests},
		{"task wait", waits, waits*cliWaitRequests + res.Polls},
	} {
		if res.Commands[c.command] != c.count || res.Requests[c.command] != c.request {
			t.Errorf("%s: %d commands, %d requests; want %d and %d", c.command, res.Commands[c.command], res.Requests[c.command], c.count, c.request)
		}
	}
	if res.Polls == 0 {
		t.Error("no task wait polled: the tasks finished before the first poll, so polling went untested")
	}
	if len(res.Succeeded) != waits {
		t.Errorf("%d tasks succeeded, want %d", len(res.Succeeded), waits)
	}
	total, routes, err := sim.Requests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if total != res.TotalRequests() {
		t.Errorf("the server counted %d requests, the CLI pattern %d", total, res.TotalRequests())
	}
	byRoute := map[string]int{}
	for _, rc := range routes {
		byRoute[rc.Route] = rc.Count
	}
	commands := n + 2*waits
	for route, want := range map[string]int{
		"GET /api":                                             2 * commands, // system and space client
		"GET /api/spaces":                                      commands,
		"GET /api/spaces/all":                                  commands,
		"GET /api/{spaceId}":                                   commands,
		"GET /api/{spaceId}/projects/{id}":                     n + 2*waits, // the 404 by name, twice per deploy
		"GET /api/{spaceId}/projects":                          n + 2*waits, // the partial-name search after it
		"POST /api/{spaceId}/releases/create/v1":               n,
		"POST /api/{spaceId}/deployments/create/untenanted/v1": waits,
		"GET /api/tasks":                                       waits + res.Polls,
	} {
		if byRoute[route] != want {
			t.Errorf("%s: %d requests, want %d", route, byRoute[route], want)
		}
	}
	tasks, err := sim.DeployTasks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkTasks(tasks, waits); err != nil {
		t.Error(err)
	}
}

// A failed deployment breaks the scenario, naming the command.
func TestCLIPatternReportsFailure(t *testing.T) {
	_, url := simtest.Serve(t, TrainSeed(2, testKey), octosim.WithInstantTasks(), octosim.WithStepFailureRate(1))
	job := cliJob{URL: url, Space: "Default", Projects: projectNames(TrainGroup, 2), Version: releaseVersion,
		Environments: trainEnvironments, Workers: 1, PollInterval: time.Millisecond}
	_, err := runCLIJob(context.Background(), job, testKey)
	if err == nil || !strings.Contains(err.Error(), "octopus task wait") || !strings.Contains(err.Error(), "failed") {
		t.Fatalf("err = %v, want the task wait's failure", err)
	}
}

func TestCheckTasks(t *testing.T) {
	ok := serverTask{ID: "ServerTasks-1", State: "Success"}
	bad := serverTask{ID: "ServerTasks-2", State: "Failed", ErrorMessage: "boom"}
	for _, tc := range []struct {
		name  string
		tasks []serverTask
		want  int
		err   string
	}{
		{"all succeeded", []serverTask{ok, ok}, 2, ""},
		{"too few", []serverTask{ok}, 2, "holds 1 deployment tasks, want 2"},
		{"one failed", []serverTask{ok, bad}, 2, "1 of 2 deployments did not succeed"},
	} {
		err := checkTasks(tc.tasks, tc.want)
		if (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.err)
		}
	}
}
