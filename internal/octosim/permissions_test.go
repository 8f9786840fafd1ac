package octosim

import (
	"strings"
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/environments"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/lifecycles"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/projects"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/spaces"
)

const permissionsSeed = `{
  "users": [
    {"username": "viewer", "apiKeys": [{"purpose": "t", "key": "API-VIEWER00000000000000000001"}]},
    {"username": "deployer", "apiKeys": [{"purpose": "t", "key": "API-DEPLOYER000000000000000001"}]},
    {"username": "groupie", "apiKeys": [{"purpose": "t", "key": "API-GROUPIE0000000000000000001"}]},
    {"username": "tenantop", "apiKeys": [{"purpose": "t", "key": "API-TENANTOP000000000000000001"}]},
    {"username": "nobody", "apiKeys": [{"purpose": "t", "key": "API-NOBODY00000000000000000001"}]}
  ],
  "teams": [
    {"name": "Viewers", "members": ["viewer"], "roles": [{"role": "Project viewer", "projects": ["Alpha"]}]},
    {"name": "Deployers", "members": ["deployer"],
     "roles": [{"role": "Project deployer", "projects": ["Alpha"], "environments": ["Dev", "Test"]}]},
    {"name": "Group viewers", "members": ["groupie"], "roles": [{"role": "Project viewer", "projectGroups": ["Second"]}]},
    {"name": "Tenant operators", "members": ["tenantop"],
     "roles": [{"role": "Project deployer", "projects": ["Tenanted"], "tenants": ["Acme"]}]}
  ],
  "environments": [{"name": "Dev"}, {"name": "Test"}, {"name": "Prod"}],
  "projectGroups": [{"name": "First"}, {"name": "Second"}],
  "projects": [
    {"name": "Alpha", "group": "First"},
    {"name": "Beta", "group": "Second"},
    {"name": "Tenanted", "group": "First", "tenanted": "TenantedOrUntenanted"}
  ],
  "tenants": [{"name": "Acme", "projects": {"Tenanted": ["Dev"]}}, {"name": "Globex", "projects": {"Tenanted": ["Dev"]}}]
}`

func TestPermissionRefusals(t *testing.T) {
	defer failOnPanic(t)
	_, hs := newTestServer(t, must(ParseSeed([]byte(permissionsSeed))))
	viewer := newClient(t, hs, "API-VIEWER00000000000000000001", "Spaces-1")
	deployer := newClient(t, hs, "API-DEPLOYER000000000000000001", "Spaces-1")
	groupie := newClient(t, hs, "API-GROUPIE0000000000000000001", "Spaces-1")
	nobody := newClient(t, hs, "API-NOBODY00000000000000000001", "Spaces-1")

	t.Run("missing permission is named", func(t *testing.T) {
		_, err := environments.Add(viewer, environments.NewEnvironment("New"))
		ae := asAPIErr(t, err)
		want := "You do not have permission to perform this action. Please contact your Octopus administrator. Missing permission: EnvironmentCreate"
		if ae.StatusCode != 403 || ae.ErrorMessage != want {
			t.Fatalf("got %d %q", ae.StatusCode, ae.ErrorMessage)
		}
		if len(ae.Errors) != 1 || ae.Errors[0] != "This action requires permission to create environments. None of your teams have this permission." {
			t.Errorf("Errors = %q", ae.Errors)
		}
	})
	t.Run("document outside scope is 403 not 404", func(t *testing.T) {
		_, err := projects.GetByID(viewer, "Spaces-1", "Projects-2")
		ae := asAPIErr(t, err)
		if ae.StatusCode != 403 || !strings.HasSuffix(ae.ErrorMessage, "Missing permission: ProjectView") ||
			!strings.Contains(ae.Errors[0], "not for this scope") {
			t.Errorf("got %+v", ae)
		}
	})
	t.Run("lists leave out what is hidden", func(t *testing.T) {
		defer failOnPanic(t)
		for _, tc := range []struct {
			name string
			got  []*projects.Project
			want string
		}{
			{"viewer", must(projects.GetAll(viewer, "Spaces-1")), "Alpha"},
			{"deployer", must(projects.GetAll(deployer, "Spaces-1")), "Alpha"},
			{"project group role", must(projects.GetAll(groupie, "Spaces-1")), "Beta"},
		} {
			var names []string
			for _, p := range tc.got {
				names = append(names, p.Name)
			}
			if strings.Join(names, ",") != tc.want {
				t.Errorf("%s sees %v, want %s", tc.name, names, tc.want)
			}
		}
		envs := must(environments.GetAll(deployer, "Spaces-1"))
		if len(envs) != 2 {
			t.Errorf("deployer restricted to Dev and Test sees %d environments", len(envs))
		}
	})
	t.Run("no permission at all", func(t *testing.T) {
		_, err := environments.GetAll(nobody, "Spaces-1")
		if ae := asAPIErr(t, err); ae.StatusCode != 403 || !strings.HasSuffix(ae.ErrorMessage, "EnvironmentView") {
			t.Errorf("got %+v", ae)
		}
		if all, err := spaces.GetAll(nobody); err != nil || len(all) != 0 {
			t.Errorf("nobody sees spaces %v (%v)", all, err)
		}
	})
	t.Run("edit outside the role", func(t *testing.T) {
		defer failOnPanic(t)
		lc := must(lifecycles.GetByID(deployer, "Spaces-1", "Lifecycles-1"))
		lc.Description = "changed"
		_, err := lifecycles.Update(deployer, lc)
		if ae := asAPIErr(t, err); ae.StatusCode != 403 || !strings.HasSuffix(ae.ErrorMessage, "LifecycleEdit") {
			t.Errorf("got %+v", ae)
		}
	})
}

// TestRequirePermission checks the helper every endpoint (and round B)
// uses, on a world built by a seed.
func TestRequirePermission(t *testing.T) {
	defer failOnPanic(t)
	s := must(New(must(ParseSeed([]byte(permissionsSeed))), WithAPIKey(testAdminKey)))
	st := s.store()
	st.mu.RLock()
	defer st.mu.RUnlock()
	who := func(name string) *principal {
		for _, u := range kUsers.tab(st).inSpace("") {
			if u.Username == name {
				return &principal{user: u}
			}
		}
		t.Fatalf("no user %s", name)
		return nil
	}
	dev, prod := "Environments-1", "Environments-3"
	alpha, beta, tenanted := "Projects-1", "Projects-2", "Projects-3"
	acme, globex := "Tenants-1", "Tenants-2"
	tests := []struct {
		user string
		perm Permission
		sc   Scope
		ok   bool
	}{
		{"deployer", DeploymentCreate, Scope{SpaceID: "Spaces-1", ProjectID: alpha, EnvironmentID: dev}, true},
		{"deployer", DeploymentCreate, Scope{SpaceID: "Spaces-1", ProjectID: alpha, EnvironmentID: prod}, false},
		{"deployer", DeploymentCreate, Scope{SpaceID: "Spaces-1", ProjectID: beta, EnvironmentID: dev}, false},
		{"deployer", DeploymentCreate, Scope{SpaceID: "Spaces-2", ProjectID: alpha, EnvironmentID: dev}, false},
		{"deployer", InterruptionSubmit, Scope{SpaceID: "Spaces-1", ProjectID: alpha, EnvironmentID: dev}, true},
		{"deployer", ReleaseCreate, Scope{SpaceID: "Spaces-1", ProjectID: alpha}, false},
		{"viewer", DeploymentView, Scope{SpaceID: "Spaces-1", ProjectID: alpha, EnvironmentID: prod}, true},
		{"viewer", DeploymentCreate, Scope{SpaceID: "Spaces-1", ProjectID: alpha, EnvironmentID: dev}, false},
		{"groupie", ProjectView, Scope{SpaceID: "Spaces-1", ProjectID: beta, ProjectGroupID: "ProjectGroups-3"}, true},
		{"tenantop", DeploymentCreate, Scope{SpaceID: "Spaces-1", ProjectID: tenanted, EnvironmentID: dev, TenantID: acme}, true},
		{"tenantop", DeploymentCreate, Scope{SpaceID: "Spaces-1", ProjectID: tenanted, EnvironmentID: dev, TenantID: globex}, false},
		{"tenantop", DeploymentCreate, Scope{SpaceID: "Spaces-1", ProjectID: tenanted, EnvironmentID: dev, Untenanted: true}, false},
		{"admin", DeploymentCreate, Scope{SpaceID: "Spaces-1", ProjectID: beta, EnvironmentID: prod}, true},
		{"admin", SpaceCreate, Scope{}, true},
		{"nobody", ProjectView, Scope{SpaceID: "Spaces-1", ProjectID: alpha}, false},
	}
	for _, tt := range tests {
		err := requirePermission(st, who(tt.user), tt.perm, tt.sc)
		if (err == nil) != tt.ok {
			t.Errorf("%s %s %+v: err = %v, want ok=%v", tt.user, tt.perm, tt.sc, err, tt.ok)
		}
		if err != nil && !strings.HasSuffix(err.(*apiError).Message, "Missing permission: "+string(tt.perm)) {
			t.Errorf("message %q", err.(*apiError).Message)
		}
	}
}
