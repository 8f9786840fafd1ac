package bench

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestEndToEnd runs the whole harness at a small scale: octostar built
// and run as a process, the CLI pattern in this test binary re-executed,
// the simulator as a separate process, and the wait scenario.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds octostar and runs three scenarios")
	}
	const n = 5
	cfg := DefaultConfig()
	cfg.Projects, cfg.TaskDuration, cfg.Latency = n, 100*time.Millisecond, 2*time.Millisecond
	cfg.CLIPollInterval = 100 * time.Millisecond
	cfg.WaitProjects, cfg.WaitTaskDuration = n, time.Second
	var log bytes.Buffer
	cfg.Log = &log
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := Run(ctx, cfg)
	if err != nil {
		t.Fatalf("%v\nprogress:\n%s", err, log.String())
	}
	waves := len(trainEnvironments)
	routes := func(a *Arm) map[string]int {
		m, sum := map[string]int{}, 0
		for _, rc := range a.Routes {
			m[rc.Route] = rc.Count
			sum += rc.Count
		}
		if sum != a.Requests {
			t.Errorf("%s: routes add up to %d, total says %d", a.Name, sum, a.Requests)
		}
		return m
	}
	for _, a := range []*Arm{rep.Octostar, rep.CLI} {
		if a == nil {
			t.Fatal("an arm is missing from the report")
		}
		r := routes(a)
		if a.Requests <= 0 || a.WallSeconds <= 0 {
			t.Errorf("%s: %d requests in %gs", a.Name, a.Requests, a.WallSeconds)
		}
		if got := r["POST /api/{spaceId}/releases/create/v1"]; got != n {
			t.Errorf("%s: %d release creates, want %d", a.Name, got, n)
		}
		if got := r["POST /api/{spaceId}/deployments/create/untenanted/v1"]; got > waves*n || got < waves {
			t.Errorf("%s: %d deploy requests, want between %d and %d", a.Name, got, waves, waves*n)
		}
		if a.Tasks != waves*n {
			t.Errorf("%s: %d deployment tasks, want %d", a.Name, a.Tasks, waves*n)
		}
		if a.PeakRunning > cfg.TaskCap {
			t.Errorf("%s: %d tasks ran at once, above the task cap %d", a.Name, a.PeakRunning, cfg.TaskCap)
		}
		if d := a.TaskSeconds; d.Min < 0.09 || d.Max > 1 {
			t.Errorf("%s: server task durations %+v, want about 0.1s", a.Name, d)
		}
		if a.WallSeconds < rep.Bound.Seconds {
			t.Errorf("%s: %gs beats the lower bound %gs", a.Name, a.WallSeconds, rep.Bound.Seconds)
		}
	}
	// Section 6's arithmetic: 10 requests per create, 11 per deploy,
	// 6 per task wait plus its polls.
	c := rep.CLI.CLI
	deploys := waves * n
	if want := n*cliCreateRequests + deploys*cliDeployRequests + deploys*cliWaitRequests + c.Polls; rep.CLI.Requests != want {
		t.Errorf("CLI pattern: %d requests, want %d = %d x 10 + %d x 11 + %d x 6 + %d polls", rep.CLI.Requests, want, n, deploys, deploys, c.Polls)
	}
	if c.Commands["release create"] != n || c.Commands["release deploy"] != deploys || c.Commands["task wait"] != deploys {
		t.Errorf("CLI pattern commands = %v", c.Commands)
	}
	if w := rep.Wait; w == nil || w.Tasks != n*wideEnvironments {
		t.Errorf("wait scenario = %+v, want %d tasks", w, n*wideEnvironments)
	} else if w.PeakInFlight != w.Tasks {
		t.Errorf("wait scenario: at most %d tasks in flight, want all %d at once", w.PeakInFlight, w.Tasks)
	}
	if len(rep.Targets) != 6 {
		t.Errorf("%d targets, want 6", len(rep.Targets))
	}
	var text, js bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"text": text.String(), "JSON": js.String(), "progress": log.String()} {
		if strings.Contains(out, "API-") {
			t.Errorf("the %s output shows an API key", name)
		}
	}
	t.Logf("progress:\n%s\nreport:\n%s", log.String(), text.String())
}
