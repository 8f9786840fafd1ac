package builtins

import (
	"strings"
	"testing"
	"time"

	"go.starlark.net/starlark"

	"github.com/octostar/octostar/internal/octopus"
)

func TestDisplay(t *testing.T) {
	list := func(vs ...starlark.Value) *starlark.List { return starlark.NewList(vs) }
	rel := func(version, channel string) *Record {
		return releaseValue(octopus.Release{ID: "Releases-" + version, Project: "Payments API", Version: version, Channel: channel})
	}
	run := func(env, tenant string, state octopus.TaskState, d time.Duration) *Record {
		return runValue(&trackedRun{
			run:  octopus.Run{Kind: octopus.KindDeployment, ID: "Deployments-" + env + tenant, TaskID: "ServerTasks-1", Project: "Portal", Environment: env, Tenant: tenant, Release: octopus.Release{Version: "3.1.0"}},
			task: octopus.Task{State: state, Duration: d},
		})
	}
	tests := []struct {
		name string
		v    starlark.Value
		want string
	}{
		{"releases", list(rel("1.2.0", "Default"), rel("1.10.0", "Hotfix")), `
project       version  channel  id
------------  -------  -------  ---------------
Payments API  1.2.0    Default  Releases-1.2.0
Payments API  1.10.0   Hotfix   Releases-1.10.0
(2 releases)`},
		{"deployments, with a tenant column because one has a tenant", starlark.Tuple{run("Test", "", octopus.StateSuccess, 90*time.Second), run("Production", "Acme Corp", octopus.StateExecuting, 0)}, `
project  version  environment  tenant     state      duration  task_id
-------  -------  -----------  ---------  ---------  --------  -------------
Portal   3.1.0    Test                    Success    1m30s     ServerTasks-1
Portal   3.1.0    Production   Acme Corp  Executing            ServerTasks-1
(2 deployments)`},
		{"one dashboard row, no tenant column", list(dashboardRowValue(octopus.DashboardRow{Project: "Web", Environment: "Test", Release: "2.2.0", State: octopus.StateFailed})), `
project  environment  release  state
-------  -----------  -------  ------
Web      Test         2.2.0    Failed
(1 dashboard row)`},
		{"tenants: lists joined, long cells cut", list(tenantValue(octopus.Tenant{ID: "Tenants-1", Name: "Ünïcode Ltd", Tags: []string{"Region/EU", "Tier/Enterprise", "Support/Premium", "Billing/Annual"}})), `
name         tags                                              id
-----------  ------------------------------------------------  ---------
Ünïcode Ltd  Region/EU, Tier/Enterprise, Support/Premium, Bi…  Tenants-1
(1 tenant)`},
		{"a single record keeps its repr", rel("1.2.0", "Default"), `Release(project="Payments API", version="1.2.0", channel="Default")`},
		{"mixed kinds keep the repr", list(rel("1.2.0", ""), environmentValue(octopus.Environment{ID: "Environments-1", Name: "Test"})),
			`[Release(project="Payments API", version="1.2.0"), Environment(name="Test")]`},
		{"an empty list", list(), "[]"},
		{"plain values", list(starlark.String("a"), starlark.MakeInt(1)), `["a", 1]`},
		{"a string", starlark.String("Payments API"), `"Payments API"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Display(tt.v)
			want := strings.TrimPrefix(tt.want, "\n")
			if got != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}
