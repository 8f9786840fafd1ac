package octopus

import (
	"testing"
	"time"

	"github.com/octostar/octostar/internal/octosim"
	"github.com/octostar/octostar/internal/octosim/simtest"
)

// TestFinders checks the searches a lost write is looked for with: by
// version, by time, by channel; deployments by environment, tenant and
// who started them; runbook runs.
func TestFinders(t *testing.T) {
	_, url := simtest.ServeFile(t, "../../testdata/seeds/foundation.json", octosim.WithInstantTasks())
	admin := newClient(t, url, adminKey, "")
	deployer := newClient(t, url, deployerKey, "")
	ctx := t.Context()
	since := time.Now().Add(-time.Minute)
	future := time.Now().Add(time.Hour)

	// Creating it deploys it to Development automatically (as System).
	rel, err := admin.CreateRelease(ctx, CreateReleaseRequest{Project: "Web App", Version: "1.0.5"})
	if err != nil {
		t.Fatal(err)
	}
	releaseTests := []struct {
		name string
		q    ReleaseSearch
		want int
	}{
		{"by version", ReleaseSearch{Project: "Web App", Version: "1.0.5"}, 1},
		{"by version, made before since", ReleaseSearch{Project: "Web App", Version: "1.0.5", Since: future}, 0},
		{"unknown version", ReleaseSearch{Project: "Web App", Version: "9.9.9"}, 0},
		{"by time", ReleaseSearch{Project: "web-app", Since: since}, 1},
		{"by time, a mask", ReleaseSearch{Project: "Web App", Version: "1.0.i", Since: since}, 1},
		{"by time, nothing since", ReleaseSearch{Project: "Web App", Since: future}, 0},
		{"by time, another channel", ReleaseSearch{Project: "Web App", Channel: "Beta", Since: since}, 0},
		{"by time, its channel", ReleaseSearch{Project: "Web App", Channel: "Default", Since: since}, 1},
	}
	for _, tt := range releaseTests {
		got, err := admin.FindReleases(ctx, tt.q)
		if err != nil || len(got) != tt.want || (tt.want == 1 && (got[0].ID != rel.ID || got[0].Created.IsZero())) {
			t.Errorf("%s: %+v, %v; want %d", tt.name, got, err, tt.want)
		}
	}

	// The deployer deploys to Test; then the administrator does.
	theirs, err := deployer.Deploy(ctx, DeployRequest{Project: "Web App", Release: rel, Environments: []string{"Test"}})
	if err != nil {
		t.Fatal(err)
	}
	ours, err := admin.Deploy(ctx, DeployRequest{Project: "Web App", Release: rel, Environments: []string{"Test"}, ForceRedeploy: true})
	if err != nil {
		t.Fatal(err)
	}
	tenRel, err := admin.CreateRelease(ctx, CreateReleaseRequest{Project: "Tenanted App", Version: "1.0.0"})
	if err != nil {
		t.Fatal(err)
	}
	tenanted, err := admin.Deploy(ctx, DeployRequest{Project: "Tenanted App", Release: tenRel, Environments: []string{"Development"}, Tenants: []string{"Contoso"}})
	if err != nil {
		t.Fatal(err)
	}
	restart, err := admin.RunRunbook(ctx, RunbookRequest{Project: "Ops", Runbook: "Restart", Environments: []string{"Production"}})
	if err != nil {
		t.Fatal(err)
	}
	byVersion := Release{Version: rel.Version}
	runTests := []struct {
		name string
		c    *Client
		q    RunSearch
		want []Run
	}{
		{"mine, by release ID", admin, RunSearch{Kind: KindDeployment, Project: "Web App", Release: rel, Environments: []string{"Test"}, Since: since}, ours},
		{"mine, by release version", admin, RunSearch{Kind: KindDeployment, Project: "Web App", Release: byVersion, Environments: []string{"Test"}, Since: since}, ours},
		{"theirs", deployer, RunSearch{Kind: KindDeployment, Project: "Web App", Release: rel, Environments: []string{"Test"}, Since: since}, theirs},
		{"not the automatic one", admin, RunSearch{Kind: KindDeployment, Project: "Web App", Release: rel, Environments: []string{"Development"}, Since: since}, nil},
		{"nothing since", admin, RunSearch{Kind: KindDeployment, Project: "Web App", Release: rel, Environments: []string{"Test"}, Since: future}, nil},
		{"a named tenant", admin, RunSearch{Kind: KindDeployment, Project: "Tenanted App", Release: tenRel, Environments: []string{"Development"}, Tenants: []string{"Contoso"}, Since: since}, tenanted},
		{"any tenant", admin, RunSearch{Kind: KindDeployment, Project: "Tenanted App", Release: tenRel, Tenants: []string{"*"}, Since: since}, tenanted},
		{"untenanted only", admin, RunSearch{Kind: KindDeployment, Project: "Tenanted App", Release: tenRel, Since: since}, nil},
		{"a runbook run", admin, RunSearch{Kind: KindRunbookRun, Project: "Ops", Runbook: "Restart", Environments: []string{"Production"}, Since: since}, restart},
		{"a runbook run, nothing since", admin, RunSearch{Kind: KindRunbookRun, Project: "Ops", Runbook: "Restart", Since: future}, nil},
	}
	for _, tt := range runTests {
		got, err := tt.c.FindRuns(ctx, tt.q)
		if err != nil || len(got) != len(tt.want) {
			t.Errorf("%s: %+v, %v; want %+v", tt.name, got, err, tt.want)
			continue
		}
		for i, r := range got {
			w := tt.want[i]
			if r.ID != w.ID || r.TaskID != w.TaskID || r.Environment != w.Environment || r.Tenant != w.Tenant || r.Kind != w.Kind || r.URL != w.URL {
				t.Errorf("%s: found %+v, want %+v", tt.name, r, w)
			}
		}
	}
}
