package builtins

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/newclient"

	"github.com/octostar/octostar/internal/octopus"
	"github.com/octostar/octostar/internal/octosim"
	"github.com/octostar/octostar/interp"
)

// TestEndToEnd runs the testdata/e2e scripts against the simulator's
// demo world through the official client, each on a fresh world.
func TestEndToEnd(t *testing.T) {
	tests := []struct {
		script string
		key    string
	}{
		{"train.star", octosim.DemoAdminAPIKey},
		{"refusals.star", octosim.DemoAdminAPIKey},
		{"permissions.star", octosim.DemoDeployerAPIKey},
		{"interventions.star", octosim.DemoAdminAPIKey},
		{"guided_failure.star", octosim.DemoAdminAPIKey},
		{"tenants.star", octosim.DemoAdminAPIKey},
		{"promote_tenants.star", octosim.DemoAdminAPIKey},
		{"runbooks.star", octosim.DemoAdminAPIKey},
		{"options.star", octosim.DemoAdminAPIKey},
	}
	for _, tt := range tests {
		t.Run(tt.script, func(t *testing.T) {
			t.Parallel()
			s := startDemo(t, octosim.WithInstantTasks())
			var log strings.Builder
			env := simEnv(t, octopus.Config{URL: s.url, APIKey: tt.key}, nil, &log)
			if err := runE2E(t, env, tt.script, nil); err != nil {
				t.Fatalf("%s\nlog:\n%s", interp.FormatError(err), log.String())
			}
		})
	}
}

// TestEndToEndOnARealServer runs the same scripts against a real Octopus
// Server holding the demo world (internal/octosim/seeds/demo.json, built
// there by hand), when a maintainer asks for it; see docs/reliability.md.
// The scripts expect the demo world's fresh state: rebuild it between
// runs.
func TestEndToEndOnARealServer(t *testing.T) {
	url, key := os.Getenv("OCTOSTAR_IT_URL"), os.Getenv("OCTOSTAR_IT_API_KEY")
	if url == "" || key == "" || os.Getenv("OCTOSTAR_IT_DEMO_WORLD") != "1" {
		t.Skip("no real Octopus Server with the demo world: set OCTOSTAR_IT_URL, OCTOSTAR_IT_API_KEY and " +
			"OCTOSTAR_IT_DEMO_WORLD=1 (once the demo world is built there) to run the end-to-end scripts against it")
	}
	for _, script := range strings.Split(os.Getenv("OCTOSTAR_IT_SCRIPTS"), ",") {
		if script == "" {
			script = "train.star"
		}
		t.Run(script, func(t *testing.T) {
			var log strings.Builder
			env := simEnv(t, octopus.Config{URL: url, Space: os.Getenv("OCTOSTAR_IT_SPACE"), APIKey: key}, nil, &log)
			env.PollMin, env.PollMax = time.Second, 10*time.Second
			if err := runE2E(t, env, script, nil); err != nil {
				t.Fatalf("%s\nlog:\n%s", interp.FormatError(err), log.String())
			}
		})
	}
}

// TestTwoInstancesInOneScript drives two simulators from one script: the
// default target and a named one.
func TestTwoInstancesInOneScript(t *testing.T) {
	a := startDemo(t, octosim.WithInstantTasks())
	b := startDemo(t, octosim.WithInstantTasks())
	env := simEnv(t, octopus.Config{URL: a.url, APIKey: octosim.DemoAdminAPIKey},
		map[string]octopus.Config{"dr": {URL: b.url, Space: "Default", APIKey: octosim.DemoAdminAPIKey}}, nil)
	if err := runE2E(t, env, "two_targets.star", map[string]string{"dr_url": b.url}); err != nil {
		t.Fatal(interp.FormatError(err))
	}
	if a.srv.Stats().Routes["POST /api/{spaceId}/releases/create/v1"].Count != 1 || b.srv.Stats().Routes["POST /api/{spaceId}/releases/create/v1"].Count != 1 {
		t.Errorf("each instance should have created one release")
	}
}

// TestFanOutRespectsMaxParallel starts 300 deployments with a cap of 10
// and samples the server's unfinished deployment tasks meanwhile: never
// more than 10.
func TestFanOutRespectsMaxParallel(t *testing.T) {
	s := startDemo(t, octosim.WithTimeScale(2000))
	env := simEnv(t, octopus.Config{URL: s.url, APIKey: octosim.DemoAdminAPIKey}, nil, nil)
	env.MaxParallel = 10
	// The probe reads the server's unfinished deployment tasks through
	// the official client's session.
	base, _ := url.Parse(s.url)
	probe := &newclient.HttpSession{HttpClient: &http.Client{}, BaseURL: base,
		DefaultHeaders: map[string]string{"X-Octopus-ApiKey": octosim.DemoAdminAPIKey}}
	type page struct{ TotalResults int }
	stop := make(chan struct{})
	peak := make(chan int)
	go func() {
		most := 0
		for {
			select {
			case <-stop:
				peak <- most
				return
			default:
			}
			p, err := newclient.Get[page](probe, "/api/tasks?name=Deploy&states=Queued,Executing&take=1")
			if err == nil && p.TotalResults > most {
				most = p.TotalResults
			}
		}
	}()
	err := runE2E(t, env, "fan_out.star", map[string]string{"count": "300"})
	close(stop)
	most := <-peak
	if err != nil {
		t.Fatal(interp.FormatError(err))
	}
	if most > 10 {
		t.Errorf("the server saw %d unfinished deployment tasks at once; the cap is 10", most)
	}
	if most < 2 {
		t.Errorf("the sampler saw at most %d tasks in flight: the test did not fan out", most)
	}
}

// TestBurstOf503IsAbsorbed runs the release-train script while a third
// of the server's answers are 503: the retries absorb them.
func TestBurstOf503IsAbsorbed(t *testing.T) {
	s := startDemo(t, octosim.WithInstantTasks(), octosim.WithUnavailableRate(0.3, 0), octosim.WithRandSeed(7))
	env := simEnv(t, octopus.Config{URL: s.url, APIKey: octosim.DemoAdminAPIKey}, nil, nil)
	if err := runE2E(t, env, "train.star", nil); err != nil {
		t.Fatal(interp.FormatError(err))
	}
	unavailable := 0
	for _, r := range s.srv.Stats().Routes {
		unavailable += r.ByStatus["503"]
	}
	if unavailable < 5 {
		t.Errorf("only %d answers were 503: the test did not exercise the retries", unavailable)
	}
}
