package octosim

import (
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/client"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/deployments"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/releases"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/runbooks"
)

// promptSeed has a project with prompted variables (one required and
// sensitive, one optional) and a plain one, plus a runbook.
const promptSeed = `{
  "environments": [{"name": "Development"}, {"name": "Test"}],
  "projects": [
    {"name": "Billing", "variables": [
       {"name": "DbPassword", "prompt": {"label": "Database password", "required": true, "sensitive": true}},
       {"name": "Region", "value": "eu"},
       {"name": "Note", "prompt": {"description": "anything"}}],
     "steps": [{"name": "Migrate", "type": "script", "script": "echo migrate"}]},
    {"name": "Plain", "steps": [{"name": "Run", "type": "script", "script": "echo"}]},
    {"name": "Shop", "tenanted": "Tenanted", "variables": [{"name": "ApiToken", "prompt": {"required": true}}],
     "steps": [{"name": "Run", "type": "script", "script": "echo"}]}
  ],
  "tenants": [{"name": "Acme", "projects": {"Shop": ["Development"]}}],
  "runbooks": [
    {"project": "Billing", "name": "Rotate", "publish": true, "steps": [{"name": "Rotate", "type": "script", "script": "echo"}]}
  ]
}`

const promptSecret = "s3cr3t-hunter2"

func promptServer(t *testing.T) (*Server, *httptest.Server, *client.Client) {
	t.Helper()
	seed, err := ParseSeed([]byte(promptSeed))
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	s, hs := newTestServer(t, seed, instant())
	t.Cleanup(func() { _ = s.Close() })
	return s, hs, newClient(t, hs, testAdminKey, space1)
}

func TestPromptedVariableSeedErrors(t *testing.T) {
	for _, tc := range []struct{ seed, want string }{
		{`{"projects": [{"name": "P", "variables": [{"name": "A"}, {"name": "a"}]}]}`,
			`seed: projects[0].variables[1].name: the project already has a variable named "a"`},
		{`{"projects": [{"name": "P"}, {"name": "Q", "variables": [{"name": " "}]}]}`,
			`seed: projects[1].variables[0].name: a variable name is required`},
		{`{"projects": [{"name": "P", "variables": [{"name": "A", "prompt": {"requried": true}}]}]}`,
			`seed: projects[0]: unknown field "requried"`},
		{`{"projects": [{"name": "P", "variables": {"name": "A"}}]}`,
			`seed: projects[0].variables: expected`},
	} {
		seed, err := ParseSeed([]byte(tc.seed))
		if err == nil {
			_, err = New(seed, WithAPIKey(testAdminKey))
		}
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("seed %s: err = %v, want prefix %q", tc.seed, err, tc.want)
		}
	}
}

func TestPromptedVariablesPreview(t *testing.T) {
	defer failOnPanic(t)
	_, _, c := promptServer(t)
	rel := newRelease(t, c, "Billing", nil)
	env := must(c.Environments.GetByName("Test"))[0]
	prev := must(deployments.GetReleaseDeploymentPreview(c, space1, rel.ReleaseID, env.ID, false))
	if prev.Form == nil || len(prev.Form.Elements) != 2 {
		t.Fatalf("form = %+v", prev.Form)
	}
	pw, note := prev.Form.Elements[0], prev.Form.Elements[1]
	if pw.Name == "" || pw.Name == "DbPassword" || !pw.IsValueRequired || pw.Control == nil ||
		pw.Control.Type != "Sensitive" || pw.Control.Name != "DbPassword" || pw.Control.Label != "Database password" ||
		!pw.Control.Required || pw.Control.Description != "" || pw.Control.DisplaySettings == nil ||
		pw.Control.DisplaySettings.ControlType != "Sensitive" {
		t.Errorf("password element = %+v control %+v", pw, pw.Control)
	}
	if note.IsValueRequired || note.Control == nil || note.Control.Type != "SingleLineText" ||
		note.Control.Name != "Note" || note.Control.Label != "Note" || note.Control.Required {
		t.Errorf("note element = %+v control %+v", note, note.Control)
	}
	if v, ok := prev.Form.Values[pw.Name]; !ok || v != "" || len(prev.Form.Values) != 2 {
		t.Errorf("values = %v", prev.Form.Values)
	}
	// A project without prompts has an empty form.
	plain := newRelease(t, c, "Plain", nil)
	prev = must(deployments.GetReleaseDeploymentPreview(c, space1, plain.ReleaseID, env.ID, false))
	if prev.Form == nil || len(prev.Form.Elements) != 0 || len(prev.Form.Values) != 0 {
		t.Errorf("plain form = %+v", prev.Form)
	}
}

func TestPromptedVariablesRequired(t *testing.T) {
	defer failOnPanic(t)
	s, hs, c := promptServer(t)
	newRelease(t, c, "Billing", func(cmd *releases.CreateReleaseCommandV1) { cmd.ReleaseVersion = "1.0.0" })
	deploy := func(vars map[string]string) (*deployments.CreateDeploymentResponseV1, error) {
		cmd := deployments.NewCreateDeploymentUntenantedCommandV1(space1, "Billing")
		cmd.ReleaseVersion, cmd.EnvironmentNames, cmd.Variables = "1.0.0", []string{"Development"}, vars
		return deployments.CreateDeploymentUntenantedV1(c, cmd)
	}
	want := "Please provide a value for the following required prompted variables: DbPassword."
	_, err := deploy(nil)
	errContains(t, err, "There was a problem with your request.", want)
	// An empty value is no value; unknown names and optional prompts do not count.
	_, err = deploy(map[string]string{"DbPassword": "", "Nope": "x", "Note": "n"})
	errContains(t, err, want)
	newRelease(t, c, "Shop", func(cmd *releases.CreateReleaseCommandV1) { cmd.ReleaseVersion = "2.0.0" })
	tenanted := deployments.NewCreateDeploymentTenantedCommandV1(space1, "Shop")
	tenanted.ReleaseVersion, tenanted.EnvironmentName, tenanted.Tenants = "2.0.0", "Development", []string{"Acme"}
	_, err = deployments.CreateDeploymentTenantedV1(c, tenanted)
	errContains(t, err, "Please provide a value for the following required prompted variables: ApiToken.")
	tenanted.Variables = map[string]string{"ApiToken": promptSecret}
	if res, err := deployments.CreateDeploymentTenantedV1(c, tenanted); err != nil || len(res.DeploymentServerTasks) != 1 {
		t.Fatalf("tenanted deploy with value: %v %+v", err, res)
	}
	rb := runbooks.NewRunbookRunCommandV1(space1, "Billing")
	rb.RunbookName, rb.EnvironmentNames = "Rotate", []string{"Development"}
	_, err = runbooks.RunbookRunV1(c, rb)
	errContains(t, err, want)

	// With the value (by name, any case, or by the element's ID) it runs.
	res, err := deploy(map[string]string{"dbpassword": promptSecret, "Nope": "ignored"})
	if err != nil || len(res.DeploymentServerTasks) != 1 {
		t.Fatalf("deploy with value: %v %+v", err, res)
	}
	waitTask(t, c, res.DeploymentServerTasks[0].ServerTaskID, "Success")
	env := must(c.Environments.GetByName("Development"))[0]
	rel := must(releases.GetReleaseInProject(c, space1, must(c.Projects.GetByName("Billing")).ID, "1.0.0"))
	prev := must(deployments.GetReleaseDeploymentPreview(c, space1, rel.ID, env.ID, false))
	res, err = deploy(map[string]string{prev.Form.Elements[0].Name: promptSecret})
	if err != nil || len(res.DeploymentServerTasks) != 1 {
		t.Fatalf("deploy with value by ID: %v %+v", err, res)
	}
	rb.Variables = map[string]string{"DbPassword": promptSecret}
	if _, err := runbooks.RunbookRunV1(c, rb); err != nil {
		t.Fatalf("runbook run with value: %v", err)
	}

	// The value is in no request log or stats.
	stats, err := json.Marshal(s.Stats())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(stats), promptSecret) {
		t.Errorf("stats hold the secret: %s", stats)
	}
	resp, err := hs.Client().Get(hs.URL + "/_octosim/stats")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if !strings.Contains(string(body), "create/untenanted/v1") || strings.Contains(string(body), promptSecret) {
		t.Errorf("/_octosim/stats = %.400s", body)
	}
}
