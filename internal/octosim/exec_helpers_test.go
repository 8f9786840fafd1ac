package octosim

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/client"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/deployments"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/interruptions"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/newclient"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/releases"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/tasks"
)

// execSeed is the world most round B tests run in.
const execSeed = `{
  "users": [
    {"username": "deployer", "apiKeys": [{"purpose": "ci", "key": "API-EXECDEPLOYER00000000000001"}]},
    {"username": "viewer", "apiKeys": [{"purpose": "ci", "key": "API-EXECVIEWER000000000000001"}]}
  ],
  "teams": [
    {"name": "Approvers", "members": ["admin"]},
    {"name": "Developers", "members": ["deployer"],
     "roles": [{"role": "Project deployer", "environments": ["Development", "Test"]}]},
    {"name": "Viewers", "members": ["viewer"], "roles": [{"role": "Project viewer"}]}
  ],
  "environments": [
    {"name": "Development"}, {"name": "Test"}, {"name": "Production", "useGuidedFailure": true}
  ],
  "lifecycles": [
    {"name": "Dev to Prod", "phases": [
      {"name": "Development", "automatic": ["Development"]},
      {"name": "Test", "optional": ["Test"]},
      {"name": "Production", "optional": ["Production"]}]},
    {"name": "Auto", "phases": [
      {"name": "Development", "automatic": ["Development"]},
      {"name": "Test", "automatic": ["Test"]},
      {"name": "Production", "optional": ["Production"]}]}
  ],
  "projectGroups": [{"name": "Web"}],
  "tagSets": [{"name": "Region", "tags": ["East", "West"]}],
  "packages": [
    {"id": "Acme.Web", "versions": ["1.0.0", "1.1.0", "2.0.0-beta.1"]},
    {"id": "Acme.Worker", "versions": ["3.0.0", "3.1.0"]}
  ],
  "projects": [
    {"name": "Web App", "group": "Web", "lifecycle": "Dev to Prod", "versionTemplate": "1.0.#{Octopus.Version.NextPatch}",
     "steps": [
       {"name": "Deploy web", "type": "package", "package": "Acme.Web"},
       {"name": "Approve", "type": "manual", "instructions": "Ship it?", "responsibleTeams": ["Approvers"], "environments": ["Production"]},
       {"name": "Smoke test", "type": "script", "script": "echo ok"}]},
    {"name": "Worker", "group": "Web", "lifecycle": "Auto",
     "steps": [{"name": "Deploy worker", "type": "package", "package": "Acme.Worker"}]},
    {"name": "Portal", "group": "Web", "lifecycle": "Dev to Prod", "tenanted": "Tenanted",
     "steps": [{"name": "Deploy portal", "type": "script", "script": "echo portal"}]},
    {"name": "Ops", "group": "Web", "tenanted": "TenantedOrUntenanted", "steps": [{"name": "Noop", "type": "script", "script": "echo"}]}
  ],
  "channels": [
    {"project": "Web App", "name": "Stable", "rules": [{"tag": "^$", "steps": ["Deploy web"]}]}
  ],
  "runbooks": [
    {"project": "Ops", "name": "Restart", "publish": true, "tenanted": "TenantedOrUntenanted", "snapshot": "First",
     "steps": [{"name": "Restart service", "type": "script", "script": "systemctl restart web"}]}
  ],
  "tenants": [
    {"name": "Acme", "tags": ["Region/East"], "projects": {"Portal": ["Development", "Test", "Production"], "Ops": ["Production"]}},
    {"name": "Globex", "tags": ["Region/West"], "projects": {"Portal": ["Development", "Test"]}},
    {"name": "Initech", "tags": ["Region/East"], "projects": {"Portal": ["Development"]}}
  ]
}`

const (
	execDeployerKey = "API-EXECDEPLOYER00000000000001"
	execViewerKey   = "API-EXECVIEWER000000000000001"
	space1          = "Spaces-1"
)

// execServer starts a simulator on execSeed (instant tasks unless opts
// say otherwise) and returns it with an administrator client.
func execServer(t *testing.T, opts ...Option) (*Server, *httptest.Server, *client.Client) {
	t.Helper()
	seed, err := ParseSeed([]byte(execSeed))
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	s, hs := newTestServer(t, seed, opts...)
	t.Cleanup(func() { _ = s.Close() })
	return s, hs, newClient(t, hs, testAdminKey, space1)
}

func instant() Option { return WithInstantTasks() }

// getTask reads one task through the client's task service.
func readTask(t *testing.T, c *client.Client, id string) *tasks.Task {
	t.Helper()
	res, err := c.Tasks.Get(tasks.TasksQuery{IDs: []string{id}})
	if err != nil || len(res.Items) != 1 {
		t.Fatalf("task %s: %v (%d items)", id, err, len(res.Items))
	}
	return res.Items[0]
}

// waitTask polls a task (as `octopus task wait` does) until its state is
// one of states.
func waitTask(t *testing.T, c *client.Client, id string, states ...string) *tasks.Task {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		tk := readTask(t, c, id)
		for _, s := range states {
			if tk.State == s {
				return tk
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("task %s is %s, want one of %v (error %q)", id, tk.State, states, tk.ErrorMessage)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func newRelease(t *testing.T, c *client.Client, project string, mod func(*releases.CreateReleaseCommandV1)) *releases.CreateReleaseResponseV1 {
	t.Helper()
	cmd := releases.NewCreateReleaseCommandV1(space1, project)
	if mod != nil {
		mod(cmd)
	}
	res, err := releases.CreateReleaseV1(c, cmd)
	if err != nil {
		t.Fatalf("create release of %s: %v", project, err)
	}
	return res
}

func deployTo(c *client.Client, project, version string, envs ...string) (*deployments.CreateDeploymentResponseV1, error) {
	cmd := deployments.NewCreateDeploymentUntenantedCommandV1(space1, project)
	cmd.ReleaseVersion = version
	cmd.EnvironmentNames = envs
	return deployments.CreateDeploymentUntenantedV1(c, cmd)
}

func mustDeploy(t *testing.T, c *client.Client, project, version string, envs ...string) []string {
	t.Helper()
	res, err := deployTo(c, project, version, envs...)
	if err != nil {
		t.Fatalf("deploy %s %s to %v: %v", project, version, envs, err)
	}
	var ids []string
	for _, d := range res.DeploymentServerTasks {
		ids = append(ids, d.ServerTaskID)
	}
	if len(ids) != len(envs) {
		t.Fatalf("deploy %s %s to %v: %d tasks", project, version, envs, len(ids))
	}
	return ids
}

// pending lists a task's pending interruptions.
func pending(t *testing.T, c *client.Client, taskID string) []*interruptions.Interruption {
	t.Helper()
	page, err := newclient.Get[struct {
		Items []*interruptions.Interruption
	}](c.HttpSession(), "/api/Spaces-1/interruptions?regarding="+taskID+"&pendingOnly=true")
	if err != nil {
		t.Fatalf("interruptions of %s: %v", taskID, err)
	}
	return page.Items
}

// answer takes responsibility for an interruption and submits values.
func answer(t *testing.T, c *client.Client, in *interruptions.Interruption, values map[string]string) *interruptions.Interruption {
	t.Helper()
	if _, err := c.Interruptions.TakeResponsibility(in); err != nil {
		t.Fatalf("take responsibility for %s: %v", in.ID, err)
	}
	if _, ok := values["Result"]; ok && len(values) <= 3 {
		req := interruptions.NewInterruptionSubmitRequest()
		req.Result, req.Notes = values["Result"], values["Notes"]
		out, err := c.Interruptions.Submit(in, req)
		if err != nil {
			t.Fatalf("submit %s: %v", in.ID, err)
		}
		return out
	}
	// go-client's submit request has no Guidance: post the values as
	// other clients do.
	out, err := newclient.Post[interruptions.Interruption](c.HttpSession(), in.Links["Submit"], values)
	if err != nil {
		t.Fatalf("submit %s: %v", in.ID, err)
	}
	return out
}

func errContains(t *testing.T, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Fatalf("error %q does not contain %q", err.Error(), w)
		}
	}
}

func tasksQueryRunning() tasks.TasksQuery { return tasks.TasksQuery{IsRunning: true} }

func tasksQueryIDs(ids ...string) tasks.TasksQuery { return tasks.TasksQuery{IDs: ids} }
