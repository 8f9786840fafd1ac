package octopus

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/octostar/octostar/internal/octosim"
	"github.com/octostar/octostar/internal/octosim/simtest"
)

// conformanceTarget is a server the conformance scenarios run against.
type conformanceTarget struct {
	url, key, space      string
	project, environment string // a project octostar may release and deploy to the environment
	write                bool   // whether the write scenarios may run
}

// TestConformance runs the same scenarios against the simulator, always,
// and against a real Octopus Server when a maintainer sets
// OCTOSTAR_IT_URL and OCTOSTAR_IT_API_KEY (see docs/reliability.md). On
// a real server each scenario confirms a behaviour the simulator copies:
// where they differ, the simulator is wrong.
func TestConformance(t *testing.T) {
	_, simURL := simtest.Serve(t, octosim.DemoSeed(), octosim.WithTimeScale(200))
	t.Run("simulator", func(t *testing.T) {
		conformance(t, conformanceTarget{url: simURL, key: octosim.DemoAdminAPIKey,
			project: "Identity Service", environment: "Development", write: true})
	})
	t.Run("real server", func(t *testing.T) {
		url, key := os.Getenv("OCTOSTAR_IT_URL"), os.Getenv("OCTOSTAR_IT_API_KEY")
		if url == "" || key == "" {
			t.Skip("no real Octopus Server: set OCTOSTAR_IT_URL and OCTOSTAR_IT_API_KEY to run these scenarios against one " +
				"(add OCTOSTAR_IT_PROJECT, OCTOSTAR_IT_ENVIRONMENT and OCTOSTAR_IT_WRITE=1 for the release and deployment scenarios)")
		}
		conformance(t, conformanceTarget{url: url, key: key, space: os.Getenv("OCTOSTAR_IT_SPACE"),
			project: os.Getenv("OCTOSTAR_IT_PROJECT"), environment: os.Getenv("OCTOSTAR_IT_ENVIRONMENT"),
			write: os.Getenv("OCTOSTAR_IT_WRITE") == "1"})
	})
}

func conformance(t *testing.T, target conformanceTarget) {
	c, err := New(Config{Name: "it", URL: target.url, Space: target.space, APIKey: target.key, UserAgent: "octostar-conformance"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()

	t.Run("a wrong key is refused with 401", func(t *testing.T) {
		bad, _ := New(Config{Name: "it", URL: target.url, Space: target.space, APIKey: "API-WRONGKEY0000000000000000"})
		_, err := bad.Environments(ctx)
		if !errors.Is(err, ErrUnauthorized) || strings.Contains(err.Error(), "WRONGKEY") {
			t.Errorf("err = %v, want a 401 that does not echo the key", err)
		}
	})
	t.Run("lists and the catalog", func(t *testing.T) {
		envs, err := c.Environments(ctx)
		if err != nil || len(envs) == 0 {
			t.Fatalf("environments: %v %v", envs, err)
		}
		ps, err := c.Projects(ctx, ProjectQuery{})
		if err != nil || len(ps) == 0 {
			t.Fatalf("projects: %v", err)
		}
		if _, err := c.project(ctx, ps[0].ID); err != nil {
			t.Errorf("a project by its ID: %v", err)
		}
		if _, err := c.project(ctx, strings.ToUpper(ps[0].Name)); err != nil {
			t.Errorf("a project by its name in another case: %v", err)
		}
	})
	t.Run("an unknown ID is a 404 with an error message", func(t *testing.T) {
		_, err := get[map[string]any](ctx, c, "reading a project", "/api/"+c.info.SpaceID+"/projects/Projects-999999")
		var api *APIError
		if !errors.As(err, &api) || api.Status != 404 || api.Message == "" {
			t.Errorf("err = %#v, want a 404 with Octopus's ErrorMessage", err)
		}
	})
	t.Run("the dashboard", func(t *testing.T) {
		if _, err := c.Dashboard(ctx, DashboardQuery{}); err != nil {
			t.Fatal(err)
		}
	})
	if !target.write || target.project == "" || target.environment == "" {
		t.Log("release and deployment scenarios skipped: they need a project, an environment and permission to write")
		return
	}
	version := fmt.Sprintf("0.0.%d-conformance", time.Now().Unix())
	var rel Release
	t.Run("create a release, a duplicate, and reuse", func(t *testing.T) {
		rel, err = c.CreateRelease(ctx, CreateReleaseRequest{Project: target.project, Version: version})
		if err != nil || rel.ID == "" || rel.Version != version {
			t.Fatalf("create: %+v %v", rel, err)
		}
		_, err := c.CreateRelease(ctx, CreateReleaseRequest{Project: target.project, Version: version})
		var api *APIError
		if !errors.As(err, &api) || api.Status != 400 || !strings.Contains(err.Error(), "already exists") {
			t.Errorf("a duplicate version: %v, want a 400 saying it already exists", err)
		}
		again, err := c.CreateRelease(ctx, CreateReleaseRequest{Project: target.project, Version: version, IfExists: "reuse"})
		if err != nil || again.ID != rel.ID {
			t.Errorf("if_exists=reuse: %+v %v, want %s", again, err, rel.ID)
		}
		full, err := c.Release(ctx, target.project, version)
		if err != nil || full.ID != rel.ID || full.Channel == "" {
			t.Errorf("reading it back: %+v %v", full, err)
		}
	})
	if rel.ID == "" {
		return
	}
	t.Run("deploy and follow the task to its end", func(t *testing.T) {
		if envs, err := c.Progression(ctx, rel.ID); err != nil || !slices.ContainsFunc(envs, func(e Environment) bool { return strings.EqualFold(e.Name, target.environment) }) {
			t.Fatalf("progression %v %v: the release may not enter %s", envs, err, target.environment)
		}
		runs, err := c.Deploy(ctx, DeployRequest{Project: target.project, Release: rel, Environments: []string{target.environment}})
		if err != nil || len(runs) != 1 || runs[0].TaskID == "" || !strings.EqualFold(runs[0].Environment, target.environment) {
			t.Fatalf("deploy: %+v %v", runs, err)
		}
		deadline := time.Now().Add(10 * time.Minute)
		var task Task
		for time.Now().Before(deadline) {
			tasks, err := c.Tasks(ctx, []string{runs[0].TaskID})
			if err != nil || len(tasks) != 1 {
				t.Fatalf("poll: %v %v", tasks, err)
			}
			if task = tasks[0]; task.State.Done() {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if !task.State.Done() || task.Started.IsZero() || task.Completed.Before(task.Started) {
			t.Fatalf("task %+v did not end with its times", task)
		}
	})
}
