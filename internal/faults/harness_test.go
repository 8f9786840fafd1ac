package faults

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/client"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/projects"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/releases"

	"github.com/octostar/octostar/internal/octosim"
)

// TestSimRestartKeepsTheWorld stops the simulator (connections are then
// refused) and starts it again on the same address: what was created
// before the stop is still there.
func TestSimRestartKeepsTheWorld(t *testing.T) {
	key := octosim.NewAPIKey()
	srv, err := octosim.New(Seed(2, key), octosim.WithInstantTasks())
	if err != nil {
		t.Fatal(err)
	}
	sim, err := StartSim(srv)
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	u, _ := url.Parse(sim.URL)
	// A new transport for each phase, so that no idle connection from
	// before the stop is reused.
	newClient := func() *client.Client {
		c, err := client.NewClient(&http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}, u, key, "Spaces-1")
		if err != nil {
			t.Fatalf("connecting to %s: %v", sim.URL, err)
		}
		return c
	}
	c := newClient()
	created, err := releases.CreateReleaseV1(c, releases.NewCreateReleaseCommandV1("Spaces-1", ProjectName(0, 2)))
	if err != nil {
		t.Fatal(err)
	}

	sim.Stop()
	_, err = projects.GetAll(c, "Spaces-1")
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("while stopped, a request got %v, want connection refused", err)
	}
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	c = newClient()
	p, err := projects.GetByName(c, "Spaces-1", ProjectName(0, 2))
	if err != nil {
		t.Fatalf("after the restart: %v", err)
	}
	rels, err := c.Projects.GetReleases(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(rels) != 1 || rels[0].ID != created.ReleaseID {
		t.Errorf("after the restart the project has %d releases, want the one created before (%s)", len(rels), created.ReleaseID)
	}
	if out := sim.outages(); len(out) != 1 || out[0].to.IsZero() {
		t.Errorf("outages = %+v, want one, ended", out)
	}
}

// TestRetries counts requests sent again after a failed attempt, and
// nothing else.
func TestRetries(t *testing.T) {
	t0 := time.Now()
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	req := func(ms int, method, path string, body string, status int, aborted bool) exchange {
		e := exchange{start: at(ms), end: at(ms + 5), method: method, path: path, status: status, aborted: aborted}
		copy(e.body[:], body)
		return e
	}
	tests := []struct {
		name string
		log  []exchange
		down []outage
		want int
	}{
		{"a poll repeated after success is not a retry",
			[]exchange{req(0, "GET", "/api/tasks", "", 200, false), req(10, "GET", "/api/tasks", "", 200, false)}, nil, 0},
		{"a read sent again after a 500",
			[]exchange{req(0, "GET", "/api/x", "", 500, false), req(10, "GET", "/api/x", "", 200, false)}, nil, 1},
		{"a write sent again after a reset",
			[]exchange{req(0, "POST", "/api/r", "a", 201, true), req(10, "POST", "/api/r", "a", 201, false)}, nil, 1},
		{"another body is another write",
			[]exchange{req(0, "POST", "/api/r", "a", 201, true), req(10, "POST", "/api/r", "b", 201, false)}, nil, 0},
		{"one failure counts one retry",
			[]exchange{req(0, "GET", "/api/x", "", 503, false), req(10, "GET", "/api/x", "", 200, false), req(20, "GET", "/api/x", "", 200, false)}, nil, 1},
		{"an answer lost to a stop",
			[]exchange{req(0, "GET", "/api/x", "", 200, false), req(3000, "GET", "/api/x", "", 200, false)},
			[]outage{{from: at(2), to: at(2000)}}, 1},
		{"logged out of order, counted in order of arrival",
			[]exchange{req(10, "GET", "/api/x", "", 200, false), req(0, "GET", "/api/x", "", 500, false)}, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := retries(tt.log, tt.down); got != tt.want {
				t.Errorf("retries = %d, want %d", got, tt.want)
			}
		})
	}
}

// TestCheckFindsBrokenPromises feeds the checker runs that break a
// promise, and one that keeps them, so that a passing fault test means
// something.
func TestCheckFindsBrokenPromises(t *testing.T) {
	const p1, p2 = "Service 1", "Service 2"
	ok := func() *world {
		return &world{projects: []string{p1, p2},
			releases: map[string][]string{p1: {"0.0.1"}, p2: {"0.0.1"}},
			deployments: map[[2]string][]deploymentSeen{
				{p1, "Development"}: {{release: "0.0.1", taskID: "ServerTasks-1", state: "Success"}},
				{p2, "Development"}: {{release: "0.0.1", taskID: "ServerTasks-2", state: "Success"}},
				{p1, "Test"}:        {{release: "0.0.1", taskID: "ServerTasks-3", state: "Success"}},
				{p2, "Test"}:        {{release: "0.0.1", taskID: "ServerTasks-4", state: "Success"}},
			}}
	}
	full := func() Summary {
		s := Summary{Outcome: "succeeded"}
		for _, p := range []string{p1, p2} {
			s.Actions = append(s.Actions, Action{Action: "create_release", Project: p, Release: "0.0.1", Finished: true})
		}
		for i, k := range [][2]string{{p1, "Development"}, {p2, "Development"}, {p1, "Test"}, {p2, "Test"}} {
			s.Actions = append(s.Actions, Action{Action: "deploy", Project: k[0], Environment: k[1], Release: "0.0.1",
				TaskID: "ServerTasks-" + string(rune('1'+i)), State: "Success", Finished: true})
		}
		return s
	}
	tests := []struct {
		name   string
		exit   int
		stderr string
		change func(w *world, s *Summary)
		want   string // "" for no problem
	}{
		{name: "a complete, truthful run", change: func(*world, *Summary) {}},
		{name: "a duplicate release", want: "has 2 releases (0.0.1, 0.0.2): the run created a duplicate",
			change: func(w *world, s *Summary) { w.releases[p1] = append(w.releases[p1], "0.0.2") }},
		{name: "a duplicate deployment", want: "has 2 deployments to Test",
			change: func(w *world, s *Summary) {
				k := [2]string{p2, "Test"}
				w.deployments[k] = append(w.deployments[k], deploymentSeen{release: "0.0.1", taskID: "ServerTasks-9", state: "Success"})
			}},
		{name: "a release the report does not mention", exit: 1, stderr: "boom",
			want: "release 0.0.1 of Service 2 is on the server but the run's report neither lists it",
			change: func(w *world, s *Summary) {
				s.Outcome, s.Error, s.Actions = "failed", "boom", s.Actions[:1]
				delete(w.deployments, [2]string{p1, "Development"})
				delete(w.deployments, [2]string{p2, "Development"})
				delete(w.deployments, [2]string{p1, "Test"})
				delete(w.deployments, [2]string{p2, "Test"})
			}},
		{name: "a release the error says may exist", exit: 1,
			stderr: "create_release: creating a release of Service 2: reset (the request was sent; the server may have carried it out)",
			change: func(w *world, s *Summary) {
				s.Outcome, s.Actions = "failed", s.Actions[:1]
				s.Error = "create_release: creating a release of Service 2: reset (the request was sent; the server may have carried it out)"
				w.deployments = map[[2]string][]deploymentSeen{}
			}},
		{name: "a finished state that differs from the server's", want: "the summary says task ServerTasks-3 ended Success; the server says Failed",
			change: func(w *world, s *Summary) { w.deployments[[2]string{p1, "Test"}][0].state = "Failed" }},
		{name: "an unfinished task not named on stderr", exit: 1, stderr: "wait: timed out",
			want: "task ServerTasks-4 (Service 2 to Test) is unfinished in the summary but stderr does not name it",
			change: func(w *world, s *Summary) {
				s.Outcome, s.Error = "failed", "wait: timed out"
				s.Actions[5].Finished, s.Actions[5].State = false, "Executing"
				w.deployments[[2]string{p2, "Test"}][0].state = "Executing"
			}},
		{name: "a success that skipped a deployment", want: "the run succeeded but its summary lists no deployment of Service 2 to Test",
			change: func(w *world, s *Summary) { s.Actions = s.Actions[:5]; delete(w.deployments, [2]string{p2, "Test"}) }},
		{name: "an exit code that is neither", exit: 2, want: "octostar exited 2",
			change: func(w *world, s *Summary) {}},
		{name: "a data race in octostar", stderr: "WARNING: DATA RACE\nRead at ...", want: "the race detector found a data race",
			change: func(w *world, s *Summary) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, s := ok(), full()
			tt.change(w, &s)
			path := filepath.Join(t.TempDir(), "summary.json")
			data, _ := json.Marshal(s)
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			r := &Result{Exit: tt.exit, Stderr: tt.stderr}
			r.check(path, w)
			got := strings.Join(r.Problems, "\n")
			switch {
			case tt.want == "" && got != "":
				t.Errorf("problems found in a run that kept its promises:\n%s", got)
			case tt.want != "" && !strings.Contains(got, tt.want):
				t.Errorf("problems:\n%s\nwant one saying %q", got, tt.want)
			}
		})
	}
}
