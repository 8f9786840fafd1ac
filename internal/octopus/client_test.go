package octopus

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/octostar/octostar/internal/octosim"
	"github.com/octostar/octostar/internal/octosim/simtest"
)

const (
	adminKey    = "API-FOUNDATIONADMIN0000000001"
	deployerKey = "API-FOUNDATIONDEPLOYER000001"
)

// simulator starts the Octopus simulator on the foundation seed.
func simulator(t *testing.T) (*octosim.Server, string) {
	t.Helper()
	return simtest.ServeFile(t, "../../testdata/seeds/foundation.json")
}

func newClient(t *testing.T, url, key, space string) *Client {
	t.Helper()
	c, err := New(Config{Name: "test", URL: url, Space: space, APIKey: key, UserAgent: "octostar-test"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNewRejectsBadConfig(t *testing.T) {
	tests := []struct {
		cfg  Config
		want string
	}{
		{Config{URL: "octopus.example.com", APIKey: adminKey}, `target default: the server URL is not an http:// or https:// URL with a host`},
		{Config{URL: "https://o.example.com"}, "target default: no API key or access token"},
		{Config{URL: "https://o.example.com", APIKey: "secret-lowercase"}, "target default: the API key is malformed"},
		{Config{URL: "https://o.example.com", APIKey: adminKey, AccessToken: "tok"}, "give an API key or an access token, not both"},
	}
	for _, tt := range tests {
		_, err := New(tt.cfg)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New(%+v) error %v, want %q", tt.cfg.URL, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret-lowercase") {
			t.Errorf("the error quotes the key: %v", err)
		}
	}
}

func TestResolutionAndQueries(t *testing.T) {
	srv, url := simulator(t)
	c := newClient(t, url, adminKey, "Default")
	ctx := t.Context()

	ps, err := c.Projects(ctx, ProjectQuery{Group: "web"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range ps {
		names = append(names, p.Name)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"Ops", "Tenanted App", "Web App"}) {
		t.Errorf("projects in group Web: %v", names)
	}
	if c.Target().Space != "Default" || c.Target().SpaceID == "" {
		t.Errorf("target after connect: %+v", c.Target())
	}

	// By name (any case), slug and ID.
	for _, ref := range []string{"Web App", "web app", ps[2].Slug, ps[2].ID} {
		p, err := c.project(ctx, ref)
		if err != nil || p.Name != "Web App" {
			t.Errorf("project(%q) = %v, %v", ref, p.Name, err)
		}
	}
	_, err = c.project(ctx, "Web Ap")
	if err == nil || err.Error() != `no project named "Web Ap" in space Default (did you mean Web App?)` {
		t.Errorf("unknown project: %v", err)
	}
	_, err = c.Projects(ctx, ProjectQuery{Group: "Wbe"})
	if err == nil || err.Error() != `no project group named "Wbe" in space Default (did you mean Web?)` {
		t.Errorf("unknown group: %v", err)
	}

	envs, err := c.Environments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var envNames []string
	for _, e := range envs {
		envNames = append(envNames, e.Name)
	}
	if !slices.Equal(envNames, []string{"Development", "Test", "Production"}) {
		t.Errorf("environments in order: %v", envNames)
	}
	_, err = c.environment(ctx, "Prod")
	if err == nil || err.Error() != `no environment named "Prod" in space Default (did you mean Production?)` {
		t.Errorf("unknown environment: %v", err)
	}

	ts, err := c.Tenants(ctx, TenantQuery{Project: "Tenanted App", Tags: []string{"Region/East"}})
	if err != nil || len(ts) != 1 || ts[0].Name != "Contoso" {
		t.Errorf("tenants: %v %v", ts, err)
	}
	ts, err = c.Tenants(ctx, TenantQuery{Tags: []string{"Region/West"}})
	if err != nil || len(ts) != 0 {
		t.Errorf("tenants tagged West: %v %v", ts, err)
	}

	// Everything above was resolved from one fetch of each list.
	stats := srv.Stats()
	for _, route := range []string{"GET /api/{spaceId}/projects/all", "GET /api/{spaceId}/environments/all", "GET /api/{spaceId}/tenants/all", "GET /api/spaces/all"} {
		if rs := stats.Routes[route]; rs == nil || rs.Count != 1 {
			t.Errorf("%s requested %v times, want 1 (routes: %v)", route, rs, routeNames(stats))
		}
	}
}

func TestBadKeyAndUnknownSpace(t *testing.T) {
	_, url := simulator(t)
	c := newClient(t, url, "API-NOTAKEY0000000000000000", "")
	_, err := c.Environments(t.Context())
	if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "refused the credentials (401)") {
		t.Errorf("bad key: %v", err)
	}
	if strings.Contains(err.Error(), "API-NOTAKEY") {
		t.Errorf("the error quotes the key: %v", err)
	}
	c = newClient(t, url, adminKey, "Defualt")
	_, err = c.Environments(t.Context())
	if err == nil || err.Error() != `target test: no space named "Defualt" (did you mean Default?)` {
		t.Errorf("unknown space: %v", err)
	}
}

func routeNames(s octosim.Stats) []string {
	var out []string
	for k, v := range s.Routes {
		out = append(out, fmt.Sprintf("%s=%d", k, v.Count))
	}
	slices.Sort(out)
	return out
}
