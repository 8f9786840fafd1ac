package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/deployments"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/releases"

	"github.com/octostar/octostar/internal/octosim"
	"github.com/octostar/octostar/internal/octosim/simtest"
	"github.com/octostar/octostar/internal/plan"
)

var update = flag.Bool("update", false, "rewrite the plan golden files under testdata/plans")

// demoWorld serves a fresh demo world on a loopback port. Its clock
// starts at a fixed date, so that date-based release versions
// (Platform Ops: 2026.11.i) are the same on every day the tests run.
func demoWorld(t *testing.T) (*octosim.Server, string) {
	t.Helper()
	return demoWorldAt(t, 1000)
}

// demoWorldAt is demoWorld with tasks running scale times faster than
// real time.
func demoWorldAt(t *testing.T, scale float64) (*octosim.Server, string) {
	t.Helper()
	start := time.Now()
	anchor := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	return simtest.Serve(t, octosim.DemoSeed(), octosim.WithTimeScale(scale),
		octosim.WithClock(func() time.Time { return anchor.Add(time.Since(start)) }))
}

// planOn plans a script on the server at url and returns stdout and the
// plan's JSON.
func planOn(t *testing.T, url, script string, extra ...string) (code int, out, errOut string, js []byte) {
	t.Helper()
	jsonPath := filepath.Join(t.TempDir(), "plan.json")
	args := append([]string{"plan", "--server", url, "--api-key", octosim.DemoAdminAPIKey, "--log-level", "error",
		"--progress", "none", "--plan-json", jsonPath}, extra...)
	code, out, errOut = call(t, "", append(args, script)...)
	js, _ = os.ReadFile(jsonPath)
	return code, out, errOut, js
}

var loopback = regexp.MustCompile(`http://127\.0\.0\.1:\d+`)

// TestPlanGolden plans every example script on the demo world and
// compares the output and the JSON with testdata/plans/NAME.golden
// (rewrite them with -update, or make update-golden). Only the loopback
// port is normalized. No plan may send anything but a GET.
func TestPlanGolden(t *testing.T) {
	type example struct {
		name, script string
		vars         []string
	}
	var cases []example
	scripts, _ := filepath.Glob("../../scripts/examples/*.star")
	for _, s := range scripts {
		cases = append(cases, example{strings.TrimSuffix(filepath.Base(s), ".star"), s, nil})
	}
	if len(cases) < 5 {
		t.Fatalf("found %d example scripts", len(cases))
	}
	cases = append(cases, example{"promote_test_to_staging.promote", "../../scripts/examples/promote_test_to_staging.star", []string{"--var", "promote=yes"}})
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, url := demoWorld(t)
			code, out, errOut, js := planOn(t, url, tt.script, tt.vars...)
			if code != exitOK {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
			var p plan.Plan
			if err := json.Unmarshal(js, &p); err != nil {
				t.Fatalf("plan JSON: %v\n%s", err, js)
			}
			got := loopback.ReplaceAllString(out+"\n--- plan.json ---\n"+string(js), "http://127.0.0.1:PORT")
			golden := filepath.Join("../../testdata/plans", tt.name+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./cmd/octostar -run TestPlanGolden -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("the plan differs from %s (rewrite it with -update if the change is intended):\n%s", golden, firstDifference(string(want), got))
			}
			assertNothingSent(t, srv, p)
		})
	}
}

// assertNothingSent fails when the server saw anything but reads. A plan
// with actions must have read something, or the check proves nothing.
func assertNothingSent(t *testing.T, srv *octosim.Server, p plan.Plan) {
	t.Helper()
	st := srv.Stats()
	if st.Requests == 0 && len(p.Actions) > 0 {
		t.Error("the server saw no request: the check proves nothing")
	}
	for route, rs := range st.Routes {
		if !strings.HasPrefix(route, "GET ") {
			t.Errorf("the plan sent %d × %s", rs.Count, route)
		}
	}
}

func firstDifference(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\n  want %q\n  got  %q", i+1, wl, gl)
		}
	}
	return "(no line differs)"
}

// TestPlanMatchesRun is the check: a plan on one fresh demo
// world, then the real run on another, and the simulator's record of
// what the run did (releases created, deployments the script made,
// automatic ones, runbook runs, interventions answered) equals the
// plan action for action.
func TestPlanMatchesRun(t *testing.T) {
	for _, script := range []string{"release_train.star", "approve_pending.star", "runbook_tenants.star", "ordered_rollout.star"} {
		t.Run(script, func(t *testing.T) {
			t.Parallel()
			path := "../../scripts/examples/" + script
			planned, url := demoWorld(t)
			code, out, errOut, js := planOn(t, url, path)
			if code != exitOK {
				t.Fatalf("plan: exit %d\n%s\n%s", code, out, errOut)
			}
			var p plan.Plan
			if err := json.Unmarshal(js, &p); err != nil {
				t.Fatal(err)
			}
			assertNothingSent(t, planned, p)
			before := record(t, url) // the plan changed nothing: this is the seeded world

			_, runURL := demoWorld(t)
			code, out, errOut = call(t, "", "run", "--server", runURL, "--api-key", octosim.DemoAdminAPIKey, "--log-level", "error",
				"--progress", "none", "--poll-interval", "10ms", path)
			if code != exitOK {
				t.Fatalf("run: exit %d\n%s\n%s", code, out, errOut)
			}
			after := record(t, runURL)
			done, want := after.since(before), planRecord(p)
			if len(want) == 0 {
				t.Fatal("the plan holds no change: the comparison proves nothing")
			}
			if !slices.Equal(done, want) {
				t.Errorf("the run did:\n  %s\nthe plan said:\n  %s", strings.Join(done, "\n  "), strings.Join(want, "\n  "))
			}
			t.Logf("%d changes, as planned:\n  %s", len(done), strings.Join(done, "\n  "))
		})
	}
}

// world is the simulator's record, one line per change, keyed by ID.
type world map[string]string

// since lists what after holds and before does not, in creation order
// within each kind (IDs count up), kinds in a fixed order.
func (after world) since(before world) []string {
	var ids []string
	for id := range after {
		if _, ok := before[id]; !ok {
			ids = append(ids, id)
		}
	}
	kind := func(id string) string { k, _, _ := strings.Cut(id, "-"); return k }
	order := []string{"Releases", "Deployments", "Automatic", "RunbookRuns", "Interruptions"}
	slices.SortFunc(ids, func(a, b string) int {
		if c := slices.Index(order, kind(a)) - slices.Index(order, kind(b)); c != 0 {
			return c
		}
		na, _ := strconv.Atoi(a[strings.LastIndex(a, "-")+1:])
		nb, _ := strconv.Atoi(b[strings.LastIndex(b, "-")+1:])
		return na - nb
	})
	var out []string
	for _, id := range ids {
		if after[id] != "" {
			out = append(out, after[id])
		}
	}
	return out
}

// record reads the simulator's record through the API, with
// go-octopusdeploy's types where it has them.
func record(t *testing.T, url string) world {
	t.Helper()
	get := func(path string, into any) {
		req, _ := http.NewRequest(http.MethodGet, url+path, nil)
		req.Header.Set("X-Octopus-ApiKey", octosim.DemoAdminAPIKey)
		resp, err := testHTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	type named struct{ ID, Name string }
	names := map[string]string{}
	for _, kind := range []string{"projects", "environments", "tenants", "runbooks"} {
		var all []named
		get("/api/Spaces-1/"+kind+"/all", &all)
		for _, n := range all {
			names[n.ID] = n.Name
		}
	}
	w := world{}
	var rels struct{ Items []*releases.Release }
	get("/api/Spaces-1/releases?take=10000", &rels)
	versions := map[string]string{}
	for _, r := range rels.Items {
		versions[r.ID] = r.Version
		w[r.ID] = fmt.Sprintf("create_release %s %s", names[r.ProjectID], r.Version)
	}
	var deps struct{ Items []*deployments.Deployment }
	get("/api/Spaces-1/deployments?take=10000", &deps)
	for _, d := range deps.Items {
		line := fmt.Sprintf("deploy %s %s to %s%s", names[d.ProjectID], versions[d.ReleaseID], names[d.EnvironmentID], forTenant(names[d.TenantID]))
		if d.DeployedBy == "System" {
			w["Automatic-"+strings.TrimPrefix(d.ID, "Deployments-")] = "automatic " + line
			continue
		}
		w[d.ID] = line
	}
	var runs struct {
		Items []struct{ ID, RunbookID, ProjectID, EnvironmentID, TenantID string }
	}
	get("/api/Spaces-1/runbookRuns?take=10000", &runs)
	for _, r := range runs.Items {
		w[r.ID] = fmt.Sprintf("run_runbook %s %s in %s%s", names[r.ProjectID], names[r.RunbookID], names[r.EnvironmentID], forTenant(names[r.TenantID]))
	}
	var ivs struct {
		Items []struct {
			ID, Title          string
			IsPending          bool
			RelatedDocumentIDs []string `json:"RelatedDocumentIds"`
			Form               struct{ Values map[string]any }
		}
	}
	get("/api/Spaces-1/interruptions?take=10000", &ivs)
	for _, iv := range ivs.Items {
		var project, env string
		for _, id := range iv.RelatedDocumentIDs {
			switch {
			case strings.HasPrefix(id, "Projects-"):
				project = names[id]
			case strings.HasPrefix(id, "Environments-"):
				env = names[id]
			}
		}
		answer, _ := iv.Form.Values["Result"].(string)
		w[iv.ID] = ""
		if !iv.IsPending {
			w[iv.ID] = fmt.Sprintf("intervene %q %s: %s in %s", iv.Title, strings.ToLower(answer), project, env)
		}
	}
	return w
}

func forTenant(t string) string {
	if t == "" {
		return ""
	}
	return " for " + t
}

// planRecord words the plan's changes as record() words the
// simulator's, in the same order: releases, deployments, automatic
// deployments, runbook runs, interventions.
func planRecord(p plan.Plan) []string {
	var creates, deploys, autos, runs, answers []string
	for _, a := range p.Actions {
		switch a.Kind {
		case "create_release":
			if a.Reuses {
				continue
			}
			creates = append(creates, fmt.Sprintf("create_release %s %s", a.Project, a.Release))
			for _, e := range a.Automatic {
				autos = append(autos, fmt.Sprintf("automatic deploy %s %s to %s", a.Project, a.Release, e))
			}
		case "deploy":
			deploys = append(deploys, fmt.Sprintf("deploy %s %s to %s%s", a.Project, a.Release, a.Environment, forTenant(a.Tenant)))
		case "run_runbook":
			runs = append(runs, fmt.Sprintf("run_runbook %s %s in %s%s", a.Project, a.Runbook, a.Environment, forTenant(a.Tenant)))
		case "intervene":
			answers = append(answers, fmt.Sprintf("intervene %q %s: %s in %s", a.Intervention, a.Answer, a.Project, a.Environment))
		}
	}
	return slices.Concat(creates, deploys, autos, runs, answers)
}

// TestPlanCommands covers the ways to ask for a plan and what a plan
// says when a promotion skips an environment or the script fails.
func TestPlanCommands(t *testing.T) {
	promote := script(t, `create_release("Checkout Web", version = "9.9.9")
promote("Checkout Web", "Staging", to = ["Production", "Test"])
`)
	eligible := script(t, `r = create_release("Notification Service")
deploy("Notification Service", to = "Test")
deploy("Checkout Web", to = "Staging")
`)
	failing := script(t, `create_release("Payments API", version = "1.2.0")
print("not reached")
`)
	// A plan that really waited would sit here for an hour (the call
	// gives up long before): nothing it planned changes while it waits.
	waiting := script(t, `intervene(None, "proceed", project = "Checkout Web", wait = "1h")
`)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string // in this order in stdout
		outcome  string   // in the JSON; "" when no --plan-json is given
	}{
		{name: "a skip takes its place among the actions", args: []string{"plan", promote}, want: []string{
			"Plan of " + promote + ": 2 changes, none of them sent",
			"1. " + promote + ":1  create release 9.9.9 of Checkout Web in channel Default",
			"why: version 9.9.9, given by the script",
			"2. " + promote + ":2  skip Checkout Web 2.1.0 to Production",
			"why: Checkout Web 2.1.0 is already in Production",
			"3. " + promote + ":2  deploy Checkout Web 2.1.0 to Test",
			"why: release 2.1.0, promoted from Staging where it is current",
			"steps (server preview): 1 Deploy web app (no deployment target has its tags), 2 Purge CDN cache",
		}, outcome: "complete"},
		{name: "the latest eligible release, planned or on the server", args: []string{"plan", eligible}, want: []string{
			"1. " + eligible + ":1  create release 1.0.2 of Notification Service",
			"2. " + eligible + ":2  deploy Notification Service 1.0.2 to Test",
			"why: Notification Service: latest release eligible for Test is 1.0.2, planned at " + eligible + ":1",
			"3. " + eligible + ":3  deploy Checkout Web 2.2.0 to Staging",
			"why: Checkout Web: latest release eligible for Staging is 2.2.0",
			eligible + ":2: the release deployed to Test: the plan chose Notification Service 1.0.2 by its own reading of the lifecycle",
		}, outcome: "complete"},
		{name: "run --plan is the same", args: []string{"run", "--plan", promote}, want: []string{
			"2. " + promote + ":2  skip Checkout Web 2.1.0 to Production"}},
		{name: "--plan-json alone makes a plan", args: []string{"run", promote}, want: []string{
			"2 changes, none of them sent"}, outcome: "complete"},
		{name: "a plan stops where the run would fail", args: []string{"plan", failing}, wantCode: exitFailed, want: []string{
			"Plan of " + failing + ": 0 changes, none of them sent",
			"The script stopped at an error, so the plan ends there:",
			`release 1.2.0 already exists, so the server would refuse it (if_exists="reuse" would reuse it)`,
			"The script would change nothing.",
		}, outcome: "failed"},
		{name: "a plan does not wait for the server", args: []string{"plan", waiting}, wantCode: exitFailed, want: []string{
			"intervene: no matching intervention appeared within 1h0m0s",
			"What this plan could not know:",
			waiting + ":1: whether something appears on the server while the script waits here: the plan does not wait",
		}, outcome: "failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, url := demoWorld(t)
			jsonPath := filepath.Join(t.TempDir(), "plan.json")
			args := []string{tt.args[0], "--server", url, "--api-key", octosim.DemoAdminAPIKey, "--log-level", "error", "--progress", "none"}
			if tt.outcome != "" {
				args = append(args, "--plan-json", jsonPath)
			}
			args = append(args, tt.args[1:]...)
			code, out, errOut := call(t, "", args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, out, errOut)
			}
			rest := out
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("stdout lacks %q after what came before:\n%s", w, out)
				}
				rest = rest[i+len(w):]
			}
			var p plan.Plan
			if tt.outcome != "" {
				data, _ := os.ReadFile(jsonPath)
				if err := json.Unmarshal(data, &p); err != nil || p.Outcome != tt.outcome {
					t.Errorf("plan JSON (%v): %s", err, data)
				}
			}
			assertNothingSent(t, srv, p)
			// A wait in a plan takes a few dozen looks, however long:
			// one per poll interval would be hundreds for an hour.
			if rs := srv.Stats().Routes["GET /api/{spaceId}/interruptions"]; rs != nil && rs.Count > 50 {
				t.Errorf("the plan read the interventions %d times", rs.Count)
			}
		})
	}
}
