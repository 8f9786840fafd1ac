package octosim

import (
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/client"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/environments"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/newclient"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/projects"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/releases"
)

// faultSeed is a one-project world whose project can be released and
// deployed to Development, enough for every kind of write.
func faultSeed() *Seed {
	return &Seed{
		Environments:  []SeedEnvironment{{Name: "Development"}},
		ProjectGroups: []SeedProjectGroup{{Name: "Faults"}},
		Lifecycles: []SeedLifecycle{{Name: "Dev only",
			Phases: []SeedPhase{{Name: "Development", Optional: []string{"Development"}}}}},
		Projects: []SeedProject{{Name: "Resettable", Group: "Faults", Lifecycle: "Dev only",
			Steps: []SeedStep{{Name: "Run script", Type: "script", Syntax: "Bash", Script: "echo hi"}}}},
	}
}

// TestResetKnobProcessesTheWrite sends each kind of write through the
// official client with ResetRate 1: the client gets no answer, yet the
// write was carried out, which is what makes a reset write ambiguous.
func TestResetKnobProcessesTheWrite(t *testing.T) {
	defer failOnPanic(t)
	projectID := func(c *client.Client) string { return must(projects.GetByName(c, space1, "Resettable")).ID }
	releaseCount := func(c *client.Client) int {
		return len(must(c.Projects.GetReleases(must(projects.GetByName(c, space1, "Resettable")))))
	}
	tests := []struct {
		name  string
		route string
		write func(c *client.Client) error
		count func(c *client.Client) int // what the write adds one to
	}{
		{
			name:  "create a project",
			route: "POST /api/{spaceId}/projects",
			write: func(c *client.Client) error {
				_, err := projects.Add(c, projects.NewProject("Created Anyway", "Lifecycles-1", "ProjectGroups-1"))
				return err
			},
			count: func(c *client.Client) int { return len(must(projects.GetAll(c, space1))) },
		},
		{
			name:  "create a release without a version",
			route: "POST /api/{spaceId}/releases/create/v1",
			write: func(c *client.Client) error {
				_, err := releases.CreateReleaseV1(c, releases.NewCreateReleaseCommandV1(space1, "Resettable"))
				return err
			},
			count: releaseCount,
		},
		{
			name:  "deploy a release",
			route: "POST /api/{spaceId}/deployments/create/untenanted/v1",
			write: func(c *client.Client) error {
				_, err := deployTo(c, "Resettable", "0.0.1", "Development")
				return err
			},
			count: func(c *client.Client) int {
				rel := must(releases.GetReleaseInProject(c, space1, projectID(c), "0.0.1"))
				return int(must(c.Deployments.GetDeployments(rel)).TotalResults)
			},
		},
	}
	s, hs := newTestServer(t, faultSeed(), instant())
	c := newClient(t, hs, testAdminKey, space1)
	newRelease(t, c, "Resettable", func(cmd *releases.CreateReleaseCommandV1) { cmd.ReleaseVersion = "0.0.1" })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer failOnPanic(t)
			before := tt.count(c)
			s.SetResetRate(1)
			err := tt.write(c)
			s.SetResetRate(0)
			if err == nil {
				t.Fatal("the write got an answer through a reset connection")
			}
			if !strings.Contains(err.Error(), "connection reset") && !strings.Contains(err.Error(), "EOF") {
				t.Errorf("error %q does not say the connection was reset", err)
			}
			if after := tt.count(c); after != before+1 {
				t.Errorf("the write was not carried out exactly once: %d before, %d after", before, after)
			}
			// The client sees the reset as soon as the connection
			// drops, which may be before the server has logged the
			// request: give the log a moment.
			var last LoggedRequest
			for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
				for _, e := range s.Stats().Log {
					if e.Method+" "+e.Route == tt.route {
						last = e
					}
				}
				if last.Injected == "reset" {
					break
				}
			}
			if last.Injected != "reset" || last.Status < 200 || last.Status > 299 {
				t.Errorf("the log shows %s with Injected %q and status %d, want reset after a 2xx", tt.route, last.Injected, last.Status)
			}
		})
	}
}

// TestSpikeKnob delays every request by SpikeLatency on top of Latency
// at rate 1, and none at rate 0.
func TestSpikeKnob(t *testing.T) {
	defer failOnPanic(t)
	s, hs := newTestServer(t, nil)
	c := newClient(t, hs, testAdminKey, space1)
	tests := []struct {
		name          string
		latency       time.Duration
		rate          float64
		spike         time.Duration
		atLeast, upTo time.Duration // upTo 0: no upper bound checked
	}{
		{name: "every request spikes", rate: 1, spike: 80 * time.Millisecond, atLeast: 80 * time.Millisecond},
		{name: "spike adds to latency", latency: 30 * time.Millisecond, rate: 1, spike: 80 * time.Millisecond, atLeast: 110 * time.Millisecond},
		{name: "rate 0 never spikes", rate: 0, spike: time.Second, upTo: 500 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer failOnPanic(t)
			s.SetLatency(tt.latency)
			s.SetSpikes(tt.rate, tt.spike)
			defer s.SetSpikes(0, 0)
			defer s.SetLatency(0)
			start := time.Now()
			must(environments.GetAll(c, space1))
			d := time.Since(start)
			if d < tt.atLeast || (tt.upTo > 0 && d > tt.upTo) {
				t.Errorf("the request took %v, want at least %v and at most %v", d, tt.atLeast, tt.upTo)
			}
		})
	}
}

// TestFaultFractions draws many requests at a rate between 0 and 1: the
// share injected is near the rate, and the same seed injects into the
// same requests again, so a fault run can be reproduced.
func TestFaultFractions(t *testing.T) {
	const n = 400
	tests := []struct {
		name   string
		inject string
		rate   float64
		option func(p float64) Option
	}{
		{name: "resets", inject: "reset", rate: 0.1, option: WithResetRate},
		{name: "spikes", inject: "spike", rate: 0.2, option: func(p float64) Option { return WithSpikes(p, time.Millisecond) }},
	}
	pattern := func(t *testing.T, seed uint64, rate float64, opt Option) []bool {
		defer failOnPanic(t)
		s, hs := newTestServer(t, nil, WithRandSeed(seed), WithRequestLogSize(4*n), opt)
		c := newClient(t, hs, testAdminKey, space1)
		for range n {
			// Errors are expected (resets); the log says what happened.
			_, _ = environments.GetAll(c, space1)
		}
		// In the order the requests arrived, which is the order of the
		// draws: an entry is logged when its answer is done, and the
		// client may already have sent the next one.
		log := s.Stats().Log
		sort.SliceStable(log, func(i, j int) bool { return log[i].Time.Before(log[j].Time.Time) })
		var out []bool
		for _, e := range log {
			if e.Method == "GET" && strings.Contains(e.Path, "/environments") {
				out = append(out, e.Injected != "")
			}
		}
		return out
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first := pattern(t, 42, tt.rate, tt.option(tt.rate))
			hit := 0
			for _, h := range first {
				if h {
					hit++
				}
			}
			total := float64(len(first))
			if total < n {
				t.Fatalf("the log holds %d requests, want at least %d", len(first), n)
			}
			// Four standard deviations of a binomial draw either way.
			sd := math.Sqrt(total * tt.rate * (1 - tt.rate))
			if want := total * tt.rate; math.Abs(float64(hit)-want) > 4*sd {
				t.Errorf("%d of %.0f requests had %s injected at rate %v, want %.0f±%.0f", hit, total, tt.inject, tt.rate, want, 4*sd)
			}
			again := pattern(t, 42, tt.rate, tt.option(tt.rate))
			if !samePrefix(first, again, n) {
				t.Errorf("the same seed injected %s into other requests", tt.inject)
			}
			if other := pattern(t, 43, tt.rate, tt.option(tt.rate)); samePrefix(first, other, n) {
				t.Errorf("another seed injected %s into the same %d requests", tt.inject, n)
			}
		})
	}
}

// samePrefix compares the first n entries of two patterns.
func samePrefix(a, b []bool, n int) bool {
	if len(a) < n || len(b) < n {
		return false
	}
	for i := range n {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestFaultKnobsOverHTTP sets the new knobs with PUT /_octosim/knobs and
// checks that bad values are refused naming the knob.
func TestFaultKnobsOverHTTP(t *testing.T) {
	defer failOnPanic(t)
	s, hs := newTestServer(t, nil)
	c := newClient(t, hs, testAdminKey, space1)
	k := must(newclient.Put[Knobs](c.HttpSession(), "/_octosim/knobs",
		map[string]any{"ResetRate": 0.05, "SpikeRate": 0.1, "SpikeLatency": "3s"}))
	if k.ResetRate != 0.05 || k.SpikeRate != 0.1 || time.Duration(k.SpikeLatency) != 3*time.Second {
		t.Errorf("knobs answered %+v", k)
	}
	if got := s.Knobs(); got != *k {
		t.Errorf("server holds %+v, answered %+v", got, *k)
	}
	for _, bad := range []struct {
		body map[string]any
		want string
	}{
		{map[string]any{"ResetRate": 1.5}, "ResetRate must be between 0 and 1"},
		{map[string]any{"SpikeRate": -0.1}, "SpikeRate must be between 0 and 1"},
		{map[string]any{"SpikeLatency": "-1s"}, "SpikeLatency must not be negative"},
	} {
		_, err := newclient.Put[Knobs](c.HttpSession(), "/_octosim/knobs", bad.body)
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("PUT %v: got %v, want an error saying %q", bad.body, err, bad.want)
		}
	}
	if got := s.Knobs(); got.ResetRate != 0.05 || got.SpikeRate != 0.1 {
		t.Errorf("a refused PUT changed the knobs: %+v", got)
	}
	if _, err := New(nil, WithResetRate(2)); err == nil || !strings.Contains(err.Error(), "ResetRate") {
		t.Errorf("New with ResetRate 2: %v", err)
	}
}
