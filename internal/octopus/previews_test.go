package octopus

import (
	"slices"
	"strings"
	"testing"

	"github.com/octostar/octostar/internal/octosim"
	"github.com/octostar/octostar/internal/octosim/simtest"
)

// demo serves the demo world, whose projects have package steps,
// channels with rules, a manual intervention and runbooks.
func demo(t *testing.T) (*octosim.Server, *Client) {
	t.Helper()
	srv, url := simtest.Serve(t, octosim.DemoSeed())
	return srv, newClient(t, url, octosim.DemoAdminAPIKey, "")
}

func TestPreviewRelease(t *testing.T) {
	srv, c := demo(t)
	tests := []struct {
		name                string
		req                 CreateReleaseRequest
		channel, version    string
		source              VersionSource
		assumed, exists     bool
		pkgKey, pkg, pkgWhy string
	}{
		{name: "the server's next version and the newest package", req: CreateReleaseRequest{Project: "Identity Service"},
			channel: "Default", version: "4.1.1", source: VersionServer, pkgKey: "Deploy service", pkg: "4.2.0-rc.1", pkgWhy: "newest in the feed that channel Default allows"},
		{name: "several channels and none named: the default is assumed", req: CreateReleaseRequest{Project: "Payments API"},
			channel: "Default", version: "1.2.1", source: VersionServer, assumed: true, pkgKey: "Deploy API", pkg: "1.2.0", pkgWhy: "newest in the feed that channel Default allows"},
		{name: "a channel rule that admits pre-releases", req: CreateReleaseRequest{Project: "payments api", Channel: "pre-release"},
			channel: "Pre-release", version: "1.2.1", source: VersionServer, pkgKey: "Deploy API", pkg: "1.3.0-beta.1", pkgWhy: "newest in the feed that channel Pre-release allows"},
		{name: "a date template keeps its mask", req: CreateReleaseRequest{Project: "Platform Ops"},
			channel: "Default", version: "2026.", source: VersionServer},
		{name: "a version that exists", req: CreateReleaseRequest{Project: "Payments API", Version: "1.2.0", Channel: "Default"},
			channel: "Default", version: "1.2.0", source: VersionGiven, exists: true, pkgKey: "Deploy API", pkg: "1.2.0", pkgWhy: "newest in the feed that channel Default allows"},
		{name: "given package versions win", req: CreateReleaseRequest{Project: "Checkout Web", Version: "9.0.0", Packages: map[string]string{"Checkout.Web": "2.0.0"}},
			channel: "Default", version: "9.0.0", source: VersionGiven, pkgKey: "Deploy web app", pkg: "2.0.0", pkgWhy: "given"},
		{name: "one version for every package", req: CreateReleaseRequest{Project: "Fraud Detection", PackageVersion: "0.9.0"},
			channel: "Default", version: "1.0.1", source: VersionServer, pkgKey: "Deploy model", pkg: "0.9.0", pkgWhy: "given"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := c.PreviewRelease(t.Context(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if p.Channel != tt.channel || !strings.HasPrefix(p.Version, tt.version) || p.VersionSource != tt.source ||
				p.ChannelAssumed != tt.assumed || (p.Existing != nil) != tt.exists {
				t.Errorf("preview %+v", p)
			}
			if tt.pkgKey == "" {
				return
			}
			i := slices.IndexFunc(p.Packages, func(pp PackagePreview) bool { return pp.Key == tt.pkgKey })
			if i < 0 || p.Packages[i].Version != tt.pkg || p.Packages[i].Source != tt.pkgWhy {
				t.Errorf("packages %+v, want %s %s (%s)", p.Packages, tt.pkgKey, tt.pkg, tt.pkgWhy)
			}
		})
	}
	if _, err := c.PreviewRelease(t.Context(), CreateReleaseRequest{Project: "Payments API", Channel: "Hotfx"}); err == nil ||
		!strings.Contains(err.Error(), `no channel named "Hotfx" in project Payments API (did you mean Hotfix?)`) {
		t.Errorf("unknown channel: %v", err)
	}
	assertOnlyReads(t, srv)
}

func TestPreviewRuns(t *testing.T) {
	srv, c := demo(t)
	ctx := t.Context()
	rel, err := c.Release(ctx, "Payments API", "1.2.0")
	if err != nil {
		t.Fatal(err)
	}
	names := func(p RunPreview) string {
		var s []string
		for _, st := range p.Steps {
			n := st.Number + " " + st.Name
			if st.Manual {
				n += " (manual)"
			}
			s = append(s, n)
		}
		return strings.Join(s, ", ")
	}
	tests := []struct {
		name       string
		preview    func() (RunPreview, error)
		fromServer bool
		want       string
	}{
		{"the server's preview leaves out steps scoped to other environments",
			func() (RunPreview, error) { return c.PreviewDeployment(ctx, "Payments API", rel, "Staging") }, true,
			"1 Deploy API, 2 Migrate database, 4 Smoke test"},
		{"the server's preview, with the manual intervention marked from the snapshot",
			func() (RunPreview, error) { return c.PreviewDeployment(ctx, "Payments API", rel, "Production") }, true,
			"1 Deploy API, 2 Migrate database, 3 Approve production release (manual), 4 Smoke test"},
		{"a release not created yet: the current process",
			func() (RunPreview, error) {
				return c.PreviewDeployment(ctx, "Payments API", Release{ChannelID: rel.ChannelID}, "Production")
			}, false,
			"1 Deploy API, 2 Migrate database, 3 Approve production release (manual), 4 Smoke test"},
		{"a runbook's published snapshot",
			func() (RunPreview, error) {
				return c.PreviewRunbookRun(ctx, "Platform Ops", "Rotate certificates", "", "Production")
			}, false,
			"1 Approve rotation (manual), 2 Rotate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := tt.preview()
			if err != nil {
				t.Fatal(err)
			}
			if got := names(p); got != tt.want || p.FromServer != tt.fromServer {
				t.Errorf("steps %q (from server %v), want %q (%v)", got, p.FromServer, tt.want, tt.fromServer)
			}
		})
	}
	if p, _ := c.PreviewDeployment(ctx, "Payments API", rel, "Production"); !p.GuidedFailure {
		t.Errorf("Production uses guided failure in the demo world: %+v", p)
	}
	if p, _ := c.PreviewRunbookRun(ctx, "Platform Ops", "Rotate certificates", "", "Production"); p.Runbook != "Rotate certificates" || p.Snapshot != "Rotate v1" {
		t.Errorf("runbook preview %+v", p)
	}
	if _, err := c.PreviewRunbookRun(ctx, "Platform Ops", "Flush caches", "", "Test"); err == nil || !strings.Contains(err.Error(), "has no published snapshot") {
		t.Errorf("unpublished runbook: %v", err)
	}
	assertOnlyReads(t, srv)
}

func TestLifecycle(t *testing.T) {
	srv, c := demo(t)
	tests := []struct{ project, channel, want string }{
		{"Payments API", "", "Development(auto) Test Staging Production"},
		{"Payments API", "Hotfix", "Staging Production"},
		{"Identity Service", "", "Development(auto) Test Staging Production"},
	}
	for _, tt := range tests {
		phases, err := c.Lifecycle(t.Context(), tt.project, tt.channel)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, ph := range phases {
			for _, e := range ph.Automatic {
				got = append(got, e+"(auto)")
			}
			got = append(got, ph.Optional...)
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("lifecycle of %s %q: %v, want %s", tt.project, tt.channel, got, tt.want)
		}
	}
	assertOnlyReads(t, srv)
}

func TestIsVersionMask(t *testing.T) {
	for v, want := range map[string]bool{"1.2.3": false, "1.2.i": true, "2026.11.i": true, "1.c.i": true, "1.2.3-beta.i": false, "i.0": true, "1.2.3-ci": false} {
		if got := IsVersionMask(v); got != want {
			t.Errorf("IsVersionMask(%q) = %v, want %v", v, got, want)
		}
	}
}

// assertOnlyReads fails when anything but a GET reached the server:
// previews must never change it.
func assertOnlyReads(t *testing.T, srv *octosim.Server) {
	t.Helper()
	routes := srv.Stats().Routes
	if len(routes) == 0 {
		t.Error("the server saw no request: the check proves nothing")
	}
	for route := range routes {
		if !strings.HasPrefix(route, "GET ") {
			t.Errorf("a preview sent %s", route)
		}
	}
}
