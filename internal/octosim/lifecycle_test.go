package octosim

import (
	"strings"
	"testing"
	"time"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/newclient"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/releases"
)

const phasesSeed = `{
  "environments": [{"name": "Dev1"}, {"name": "Dev2"}, {"name": "QA"}, {"name": "Prod"}],
  "lifecycles": [
    {"name": "Min one, optional QA", "phases": [
      {"name": "Dev", "optional": ["Dev1", "Dev2"], "minimumEnvironments": 1},
      {"name": "QA", "optional": ["QA"], "isOptional": true},
      {"name": "Prod", "optional": ["Prod"]}]}
  ],
  "projects": [
    {"name": "Phased", "lifecycle": "Min one, optional QA", "steps": [{"name": "Run", "type": "script", "script": "x"}]},
    {"name": "Phaseless", "steps": [{"name": "Run", "type": "script", "script": "x"}]},
    {"name": "Donor", "donorPackage": "Ship", "steps": [{"name": "Ship", "type": "package", "package": "Lib"}]},
    {"name": "Monthly", "versionTemplate": "#{Octopus.Date.Year}.#{Octopus.Date.Month}.i", "steps": [{"name": "Run", "type": "script", "script": "x"}]}
  ],
  "packages": [{"id": "Lib", "versions": ["7.1.3", "7.2.0-alpha.2"]}],
  "releases": [{"project": "Phased", "version": "1.0.0"}, {"project": "Phaseless", "version": "1.0.0"}]
}`

// TestLifecycleRules: a minimum of one environment opens the next phase,
// an optional phase does not block, and a lifecycle without phases has
// one phase per environment, in order.
func TestLifecycleRules(t *testing.T) {
	defer failOnPanic(t)
	seed := must(ParseSeed([]byte(phasesSeed)))
	fixed := time.Date(2025, 7, 14, 9, 30, 0, 0, time.UTC)
	s, hs := newTestServer(t, seed, instant(), WithClock(func() time.Time { return fixed }))
	t.Cleanup(func() { _ = s.Close() })
	c := newClient(t, hs, testAdminKey, space1)

	_, err := deployTo(c, "Phased", "1.0.0", "Prod")
	errContains(t, err, "cannot be deployed to environment 'Prod'")
	waitTask(t, c, mustDeploy(t, c, "Phased", "1.0.0", "Dev2")[0], "Success")
	// One of Dev1/Dev2 is enough; QA is optional, so Prod is open too.
	waitTask(t, c, mustDeploy(t, c, "Phased", "1.0.0", "Prod")[0], "Success")
	rel := must(c.Releases.GetByID(newReleaseID(t, c, "Phased", "1.0.0")))
	prog := must(c.Deployments.GetProgression(rel))
	if prog.Phases[0].Progress != releases.PhaseProgressComplete || prog.Phases[1].Progress != releases.PhaseProgressCurrent ||
		prog.Phases[2].Progress != releases.PhaseProgressComplete {
		t.Errorf("progress = %s %s %s", prog.Phases[0].Progress, prog.Phases[1].Progress, prog.Phases[2].Progress)
	}
	// Dev1 and QA remain open (the DEPLOY buttons of the project overview).
	if len(prog.NextDeployments) != 2 {
		t.Errorf("next deployments = %v", prog.NextDeployments)
	}

	// A donor package gives the version; a template can end in a mask.
	if r := newRelease(t, c, "Donor", nil); r.ReleaseVersion != "7.2.0-alpha.2" {
		t.Errorf("donor release = %s", r.ReleaseVersion)
	}
	m1, m2 := newRelease(t, c, "Monthly", nil), newRelease(t, c, "Monthly", nil)
	if m1.ReleaseVersion != "2025.7.0" || m2.ReleaseVersion != "2025.7.1" {
		t.Errorf("monthly releases = %s, %s", m1.ReleaseVersion, m2.ReleaseVersion)
	}

	// Phaseless: Dev1 → Dev2 → QA → Prod.
	_, err = deployTo(c, "Phaseless", "1.0.0", "Dev2")
	errContains(t, err, "cannot be deployed to environment 'Dev2'")
	waitTask(t, c, mustDeploy(t, c, "Phaseless", "1.0.0", "Dev1")[0], "Success")
	waitTask(t, c, mustDeploy(t, c, "Phaseless", "1.0.0", "Dev2")[0], "Success")
	_, err = deployTo(c, "Phaseless", "1.0.0", "Prod")
	errContains(t, err, "cannot be deployed to environment 'Prod'")
}

// TestFailureArrangements: a failure rate drawn from the seeded
// generator is reproducible, and the /_octosim/failures endpoint and the
// InstantTasks knob work over HTTP.
func TestFailureArrangements(t *testing.T) {
	defer failOnPanic(t)
	outcomes := func() string {
		_, _, c := execServer(t, instant(), WithRandSeed(42), WithStepFailureRate(0.5))
		newRelease(t, c, "Worker", nil)
		var out []string
		for i := 0; i < 8; i++ {
			tk := waitTask(t, c, mustDeploy(t, c, "Worker", "0.0.1", "Development")[0], "Success", "Failed")
			out = append(out, tk.State)
		}
		return strings.Join(out, ",")
	}
	a, b := outcomes(), outcomes()
	if a != b || !strings.Contains(a, "Failed") || !strings.Contains(a, "Success") {
		t.Errorf("rate 0.5 runs: %s vs %s", a, b)
	}

	s, _, c := execServer(t)
	// Knobs over HTTP: instant tasks.
	k := must(newclient.Put[Knobs](c.HttpSession(), "/_octosim/knobs", map[string]any{"InstantTasks": true}))
	if !k.InstantTasks || !s.Knobs().InstantTasks {
		t.Fatalf("knobs = %+v", k)
	}
	newRelease(t, c, "Worker", nil)
	rules := must(newclient.Post[[]failureState](c.HttpSession(), "/_octosim/failures",
		FailureRule{Project: "Worker", Environments: []string{"Development"}, Times: 2}))
	if len(*rules) != 1 {
		t.Fatalf("rules = %+v", rules)
	}
	waitTask(t, c, mustDeploy(t, c, "Worker", "0.0.1", "Development")[0], "Failed")
	waitTask(t, c, mustDeploy(t, c, "Worker", "0.0.1", "Development")[0], "Failed")
	waitTask(t, c, mustDeploy(t, c, "Worker", "0.0.1", "Development")[0], "Success")
	after := must(newclient.Get[[]failureState](c.HttpSession(), "/_octosim/failures"))
	if (*after)[0].Fired != 2 {
		t.Errorf("fired = %d", (*after)[0].Fired)
	}
	if _, err := newclient.Post[[]failureState](c.HttpSession(), "/_octosim/failures", FailureRule{Rate: 2}); err == nil {
		t.Errorf("a rate of 2 was accepted")
	}
	// Reset brings back the seed's world: no releases, no rules.
	must(newclient.Post[map[string]any](c.HttpSession(), "/_octosim/reset", map[string]any{}))
	if n := len(s.Failures()); n != 0 {
		t.Errorf("rules after reset = %d", n)
	}
	if n := s.store().Count("Releases"); n != 0 {
		t.Errorf("releases after reset = %d", n)
	}
}

// TestSeedExecErrors: seeded releases and deployments go through the
// same checks as the API.
func TestSeedExecErrors(t *testing.T) {
	base := `"environments": [{"name": "Dev"}, {"name": "Prod"}],
	  "projects": [{"name": "A", "steps": [{"name": "S", "type": "package", "package": "P"}]}],
	  "packages": [{"id": "P", "versions": ["1.0.0"]}]`
	tests := []struct{ name, seed, want string }{
		{"lifecycle", `{` + base + `, "releases": [{"project": "A", "version": "1.0.0"}],
		  "deployments": [{"project": "A", "release": "1.0.0", "environments": ["Prod"]}]}`,
			"seed: deployments[0].environments[0]: Release '1.0.0' of project 'A' cannot be deployed to environment 'Prod'"},
		{"duplicate", `{` + base + `, "releases": [{"project": "A", "version": "1.0.0"}, {"project": "A", "version": "1.0.0"}]}`,
			"seed: releases[1]: Release '1.0.0' already exists for this project."},
		{"no package version", `{` + base + `, "releases": [{"project": "A", "version": "1.0.0", "packageVersion": "x"}]}`,
			"seed: releases[0]: The package version"},
		{"unknown release", `{` + base + `, "deployments": [{"project": "A", "release": "9.9.9", "environments": ["Dev"]}]}`,
			`seed: deployments[0].release: project "A" has no release "9.9.9"`},
		{"bad state", `{` + base + `, "releases": [{"project": "A", "version": "1.0.0"}],
		  "deployments": [{"project": "A", "release": "1.0.0", "environments": ["Dev"], "state": "Sideways"}]}`,
			"seed: deployments[0].state:"},
		{"bad failure", `{"failures": [{"times": -1}]}`, "seed: failures[0]: times must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seed, err := ParseSeed([]byte(tt.seed))
			if err == nil {
				_, err = New(seed, WithAPIKey(testAdminKey))
			}
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error = %v\nwant prefix %s", err, tt.want)
			}
		})
	}
}
