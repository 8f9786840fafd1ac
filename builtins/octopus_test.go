package builtins

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/octostar/octostar/internal/octopus"
	"github.com/octostar/octostar/internal/targets"
	"github.com/octostar/octostar/interp"
)

// fakeEnv is an Env whose default target is def and which also knows a
// target named "prod".
func fakeEnv(t *testing.T, def, prod *fakeOctopus, log *strings.Builder) *Env {
	t.Helper()
	file, err := targets.ParseFile("t.json", []byte(`{"targets": {"prod": {"url": "https://prod.example.com", "apiKeyEnv": "K"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	set := targets.NewSet(&octopus.Config{URL: "https://default.example.com", APIKey: "API-TEST"}, file,
		func(string) string { return "API-PROD" },
		func(cfg octopus.Config) (octopus.Octopus, error) {
			if cfg.Name == "prod" {
				return prod, nil
			}
			return def, nil
		})
	return &Env{Targets: set, Log: zerolog.New(log), PollMin: time.Millisecond, PollMax: 5 * time.Millisecond}
}

// runStar runs a testdata/builtins script with the assert module.
func runStar(t *testing.T, env *Env, name string) error {
	t.Helper()
	return runTestScript(t, env, filepath.Join("..", "testdata", "builtins", name), nil)
}

func TestActions(t *testing.T) {
	def, prod := newFake("default"), newFake("prod")
	def.failIn["Production"] = true
	var log strings.Builder
	env := fakeEnv(t, def, prod, &log)
	if err := runStar(t, env, "actions.star"); err != nil {
		t.Fatal(interp.FormatError(err))
	}
	var outs []string
	for _, o := range env.Outputs() {
		outs = append(outs, o.Name+"="+o.Value.String())
	}
	if !slices.Equal(outs, []string{`released="1.2.0"`, "count=3"}) {
		t.Errorf("outputs: %v", outs)
	}
	// Each change the script made logged one line with its position.
	if !strings.Contains(log.String(), `"action":"deploy"`) || !strings.Contains(log.String(), `"at":"../testdata/builtins/actions.star:16"`) {
		t.Errorf("no structured deploy line with its position:\n%s", log.String())
	}
	if !strings.Contains(log.String(), "latest release eligible for Test is 1.0.2") {
		t.Errorf("the chosen release and its reason are not logged:\n%s", log.String())
	}
	if len(prod.calls) != 0 {
		t.Errorf("the prod target was used: %v", prod.calls)
	}
}

func TestTwoTargetsInOneScript(t *testing.T) {
	def, prod := newFake("default"), newFake("prod")
	env := fakeEnv(t, def, prod, &strings.Builder{})
	if err := runStar(t, env, "targets.star"); err != nil {
		t.Fatal(interp.FormatError(err))
	}
	if !slices.Contains(def.calls, "create_release Web 1.0.1") || !slices.Contains(prod.calls, "create_release Web 5.0.0") {
		t.Errorf("calls went to the wrong target:\ndefault: %v\nprod: %v", def.calls, prod.calls)
	}
}

func TestWaitTimeoutCancels(t *testing.T) {
	def := newFake("default")
	def.stuck = true
	env := fakeEnv(t, def, newFake("prod"), &strings.Builder{})
	err := runStar(t, env, "timeout.star")
	if err == nil {
		t.Fatal("the timed-out wait did not fail")
	}
	msg := interp.FormatError(err)
	if !strings.Contains(msg, "Error in deploy: deploy: timed out after 0s waiting for Web 1.0.0 to Development (task ServerTasks-1 was Executing); cancelled it") {
		t.Errorf("message:\n%s", msg)
	}
	if !slices.Contains(def.cancelled, "ServerTasks-1") {
		t.Errorf("the task was not cancelled: %v", def.calls)
	}
}

func TestQueriesAndIntervene(t *testing.T) {
	def := newFake("default")
	def.pending = []octopus.Intervention{{ID: "Interruptions-1", Title: "Approve", Kind: octopus.ManualIntervention, Project: "Web", Environment: "Production", TaskID: "ServerTasks-3", Pending: true}}
	env := fakeEnv(t, def, newFake("prod"), &strings.Builder{})
	if err := runStar(t, env, "queries.star"); err != nil {
		t.Fatal(interp.FormatError(err))
	}
	if !slices.Contains(def.calls, "intervene Interruptions-1 proceed CAB-123") {
		t.Errorf("calls: %v", def.calls)
	}
}

func TestEdgeCases(t *testing.T) {
	def := newFake("default")
	env := fakeEnv(t, def, newFake("prod"), &strings.Builder{})
	if err := runStar(t, env, "edges.star"); err != nil {
		t.Fatal(interp.FormatError(err))
	}
	for _, c := range def.calls {
		if strings.HasPrefix(c, "deploy Portal") || strings.HasPrefix(c, "run_runbook Portal") {
			t.Errorf("an empty tenant list reached the server: %s", c)
		}
	}
}

func TestWaitGivesUpOnATaskTheServerNoLongerReturns(t *testing.T) {
	def := newFake("default")
	def.hidden = true
	env := fakeEnv(t, def, newFake("prod"), &strings.Builder{})
	err := runStar(t, env, "hidden.star")
	if err == nil || !strings.Contains(err.Error(), "Web 1.0.0 to Development: the server no longer returns task ServerTasks-1 (deleted, or this API key cannot see it)") {
		t.Fatalf("error: %v", err)
	}
}

func TestWaitFailFast(t *testing.T) {
	def := newFake("default")
	def.failIn["Production"] = true
	def.slowIn["Development"] = true
	env := fakeEnv(t, def, newFake("prod"), &strings.Builder{})
	err := runStar(t, env, "fail_fast.star")
	if err == nil {
		t.Fatal("fail_fast did not fail")
	}
	msg := interp.FormatError(err)
	for _, want := range []string{
		"Error in wait: wait: Web 1.0.0 to Production ended Failed",
		"fail_fast cancelled 1:\n    Web 1.0.0 to Development (ServerTasks-3, now Canceled)",
		"finished: 1\n    Web 1.0.0 to Test",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	if !slices.Equal(def.cancelled, []string{"ServerTasks-3"}) {
		t.Errorf("cancelled %v", def.cancelled)
	}
}

// TestProgressLines checks the non-terminal progress form against
// testdata/builtins/progress.golden (rewrite it with -update).
func TestProgressLines(t *testing.T) {
	def := newFake("default")
	def.failIn["Production"] = true
	env := fakeEnv(t, def, newFake("prod"), &strings.Builder{})
	var progress strings.Builder
	env.Progress = &progress
	env.MaxParallel = 2
	err := runStar(t, env, "progress.star")
	if err == nil || !strings.Contains(err.Error(), "Web 1.0.0 to Production ended Failed") {
		t.Fatalf("error: %v", err)
	}
	golden := filepath.Join("..", "testdata", "builtins", "progress.golden")
	if *update {
		os.WriteFile(golden, []byte(progress.String()), 0o644)
		return
	}
	want, _ := os.ReadFile(golden)
	if progress.String() != string(want) {
		t.Errorf("progress lines differ from %s\n--- got\n%s--- want\n%s", golden, progress.String(), want)
	}
}
