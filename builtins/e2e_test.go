package builtins

import (
	"strings"
	"testing"

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
