package octosim

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/environments"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/newclient"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/projects"
)

func TestLatencyKnob(t *testing.T) {
	defer failOnPanic(t)
	s, hs := newTestServer(t, nil)
	c := newClient(t, hs, testAdminKey, "Spaces-1")
	s.SetLatency(60 * time.Millisecond)
	start := time.Now()
	must(environments.GetAll(c, "Spaces-1"))
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Errorf("request took %v with 60ms latency", d)
	}
	s.SetLatency(0)
	start = time.Now()
	must(environments.GetAll(c, "Spaces-1"))
	if d := time.Since(start); d > 50*time.Millisecond {
		t.Errorf("request took %v with no latency", d)
	}
}

func TestFaultKnob(t *testing.T) {
	defer failOnPanic(t)
	s, hs := newTestServer(t, nil)
	c := newClient(t, hs, testAdminKey, "Spaces-1")
	s.SetFaultRate(1)
	_, err := environments.GetAll(c, "Spaces-1")
	if ae := asAPIErr(t, err); ae.StatusCode != 500 || ae.ErrorMessage != msgNullReference {
		t.Errorf("got %+v", ae)
	}
	// A rate between 0 and 1 fails about that share, repeatably.
	s.SetFaultRate(0.5)
	failed := 0
	for i := 0; i < 200; i++ {
		if _, err := environments.GetAll(c, "Spaces-1"); err != nil {
			failed++
		}
	}
	if failed < 60 || failed > 140 {
		t.Errorf("%d of 200 failed at rate 0.5", failed)
	}
	s.SetFaultRate(0)
	must(environments.GetAll(c, "Spaces-1"))
	var injected int
	for _, e := range s.Stats().Log {
		if e.Injected == "fault" {
			injected++
		}
	}
	if injected != failed+1 {
		t.Errorf("log shows %d injected faults, want %d", injected, failed+1)
	}
}

func TestDropKnob(t *testing.T) {
	defer failOnPanic(t)
	s, hs := newTestServer(t, nil)
	c := newClient(t, hs, testAdminKey, "Spaces-1")
	s.SetDropRate(1)
	_, err := environments.GetAll(c, "Spaces-1")
	if err == nil {
		t.Fatal("a dropped connection returned no error")
	}
	s.SetDropRate(0)
	must(environments.GetAll(c, "Spaces-1"))
	st := s.Stats().Routes["GET /api/{spaceId}/environments"]
	if st == nil || st.ByStatus["dropped"] == 0 || st.ByStatus["200"] == 0 {
		t.Errorf("route stats = %+v", st)
	}
}

func TestStatsAndReset(t *testing.T) {
	defer failOnPanic(t)
	s, hs := newTestServer(t, nil)
	c := newClient(t, hs, testAdminKey, "Spaces-1")
	a := must(projects.Add(c, projects.NewProject("A", "Lifecycles-1", "ProjectGroups-1")))
	b := must(projects.Add(c, projects.NewProject("B", "Lifecycles-1", "ProjectGroups-1")))
	s.ResetStats()
	must(projects.GetByID(c, "Spaces-1", a.ID))
	must(projects.GetByID(c, "Spaces-1", b.ID))
	_, _ = projects.GetByID(c, "Spaces-1", "Projects-404")
	must(newclient.Get[map[string]any](c.HttpSession(), "/api/projects/"+a.ID+"?apikey="+testAdminKey))

	stats := must(newclient.Get[Stats](c.HttpSession(), "/_octosim/stats"))
	byID := stats.Routes["GET /api/{spaceId}/projects/{id}"]
	if byID == nil || byID.Count != 3 || byID.ByStatus["200"] != 2 || byID.ByStatus["404"] != 1 {
		t.Errorf("GET /api/{spaceId}/projects/{id} = %+v", byID)
	}
	if alias := stats.Routes["GET /api/projects/{id}"]; alias == nil || alias.Count != 1 {
		t.Errorf("unscoped alias = %+v", alias)
	}
	if stats.Requests != 4 || len(stats.Log) != 4 || stats.Documents["Projects"] != 2 {
		t.Errorf("requests %d, log %d, documents %v", stats.Requests, len(stats.Log), stats.Documents)
	}
	raw, _ := json.Marshal(stats)
	if strings.Contains(string(raw), testAdminKey) || strings.Contains(string(raw), "apikey") {
		t.Errorf("stats leak the API key: %s", raw)
	}

	// Knobs over HTTP.
	k := must(newclient.Put[Knobs](c.HttpSession(), "/_octosim/knobs", map[string]any{"Latency": "5ms", "TimeScale": 10}))
	if time.Duration(k.Latency) != 5*time.Millisecond || k.TimeScale != 10 || s.TimeScale() != 10 {
		t.Errorf("knobs = %+v", k)
	}
	if _, err := newclient.Put[Knobs](c.HttpSession(), "/_octosim/knobs", map[string]any{"FaultRate": 2}); err == nil {
		t.Errorf("a fault rate of 2 was accepted")
	}

	// Reset brings back the seeded world, keeps the key, clears the stats.
	must(newclient.Post[map[string]any](c.HttpSession(), "/_octosim/reset", map[string]any{}))
	if _, err := projects.GetByID(c, "Spaces-1", a.ID); asAPIErr(t, err).StatusCode != 404 {
		t.Errorf("project survived reset: %v", err)
	}
	if s.Knobs().Latency != 0 || s.Stats().Requests != 1 {
		t.Errorf("after reset: knobs %+v, requests %d", s.Knobs(), s.Stats().Requests)
	}
}
