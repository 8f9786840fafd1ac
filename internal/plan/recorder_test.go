package plan

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/octostar/octostar/internal/octopus"
)

// reads are the methods of octopus.Octopus that may reach the live
// implementation during a plan. A method added to the interface must be
// listed here (it only reads) or overridden by Recorder (it writes):
// TestNoWriteReachesTheServer fails until one or the other is done.
var reads = []string{"Target", "Projects", "Environments", "Tenants", "Releases", "Release", "EligibleRelease", "Current",
	"Progression", "Dashboard", "Interventions", "Tasks", "TaskState", "TaskErrors"}

// TestNoWriteReachesTheServer calls every method of the interface on a
// Recorder, with empty arguments and then with real ones, and checks
// that nothing but a read reached the implementation behind it.
func TestNoWriteReachesTheServer(t *testing.T) {
	for _, withPreviews := range []bool{false, true} {
		f := newFake()
		var inner octopus.Octopus = f
		if withPreviews {
			inner = previewing{f}
		}
		rec := NewBook().Recorder(inner)
		ctx := octopus.WithCaller(context.Background(), "t.star:1")
		iface := reflect.TypeFor[octopus.Octopus]()
		value := reflect.ValueOf(rec)
		for i := range iface.NumMethod() {
			m := iface.Method(i)
			args := []reflect.Value{}
			for j := range m.Type.NumIn() {
				in := m.Type.In(j)
				if in == reflect.TypeFor[context.Context]() {
					args = append(args, reflect.ValueOf(ctx))
				} else {
					args = append(args, reflect.Zero(in))
				}
			}
			before := len(f.called())
			value.MethodByName(m.Name).Call(args)
			for _, c := range f.called()[before:] {
				if c == m.Name && !slices.Contains(reads, c) {
					t.Errorf("%s reaches the live implementation through a plan: override it in Recorder if it changes the server, or list it in reads if it only reads", c)
				}
			}
		}
		// And every write, with arguments that get past validation.
		if _, err := rec.CreateRelease(ctx, octopus.CreateReleaseRequest{Project: "Web", IfExists: "reuse"}); err != nil {
			t.Fatal(err)
		}
		runs, err := rec.Deploy(ctx, octopus.DeployRequest{Project: "Web", Release: f.releases["Projects-1"][1], Environments: []string{"Production"}})
		if err != nil || len(runs) != 1 {
			t.Fatalf("deploy: %v %v", runs, err)
		}
		if _, err := rec.RunRunbook(ctx, octopus.RunbookRequest{Project: "Web", Runbook: "Restart", Environments: []string{"Test"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := rec.Intervene(ctx, octopus.InterventionAnswer{ID: "Interruptions-7", Action: "proceed"}); err != nil {
			t.Fatal(err)
		}
		if err := rec.CancelTask(ctx, runs[0].TaskID); err != nil {
			t.Fatal(err)
		}
		for _, c := range f.called() {
			if !slices.Contains(reads, c) && !slices.Contains([]string{"PreviewRelease", "PreviewDeployment", "PreviewRunbookRun", "Lifecycle"}, c) {
				t.Errorf("previews %v: %s reached the server", withPreviews, c)
			}
		}
	}
}

func TestPlannedReleaseIsReadBack(t *testing.T) {
	f := newFake()
	book := NewBook()
	rec := book.Recorder(previewing{f})
	ctx := octopus.WithCaller(t.Context(), "train.star:3")
	rel, err := rec.CreateRelease(ctx, octopus.CreateReleaseRequest{Project: "web"})
	if err != nil {
		t.Fatal(err)
	}
	if rel.ID != "planned:Releases-1" || rel.Version != "1.2.0" || rel.Packages["Deploy"] != "1.2.0" || rel.Brief {
		t.Fatalf("planned release %+v", rel)
	}
	tests := []struct {
		name string
		read func() (string, error)
		want string
	}{
		{"by version", func() (string, error) { r, err := rec.Release(ctx, "Web", "1.2.0"); return r.ID, err }, "planned:Releases-1"},
		{"a server release by version", func() (string, error) { r, err := rec.Release(ctx, "Web", "1.0.0"); return r.ID, err }, "Releases-1"},
		{"newest first", func() (string, error) {
			rs, err := rec.Releases(ctx, octopus.ReleaseQuery{Project: "Projects-1", Limit: 2})
			return rs[0].Version + " " + rs[1].Version + " " + strings.Repeat("x", len(rs)), err
		}, "1.2.0 1.1.0 xx"},
		{"eligible for Test: the automatic deployment to Development opened it", func() (string, error) {
			r, why, err := rec.EligibleRelease(ctx, "Web", "test", "")
			return r.Version + ": " + why, err
		}, "1.2.0: Web: latest release eligible for Test is 1.2.0, planned at train.star:3"},
		{"eligible for Staging: the planned release may not go there yet", func() (string, error) {
			r, why, err := rec.EligibleRelease(ctx, "Web", "Staging", "")
			return r.Version + ": " + why, err
		}, "1.0.0: Web: latest release eligible for Staging is 1.0.0 (newer 1.2.0, 1.1.0 not yet allowed there by the lifecycle)"},
		{"progression of the planned release", func() (string, error) {
			es, err := rec.Progression(ctx, "planned:Releases-1")
			var names []string
			for _, e := range es {
				names = append(names, e.Name)
			}
			return strings.Join(names, " "), err
		}, "Development Test"},
		{"current: the automatic deployment", func() (string, error) {
			r, ok, err := rec.Current(ctx, "Web", "Development", "")
			return r.Version + " " + map[bool]string{true: "ok"}[ok], err
		}, "1.2.0 ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.read()
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	// Deploying to Test moves the planned release on: Staging opens.
	runs, err := rec.Deploy(ctx, octopus.DeployRequest{Project: "Web", Release: rel, Reason: "given", Environments: []string{"Test"}})
	if err != nil {
		t.Fatal(err)
	}
	tasks, _ := rec.Tasks(ctx, []string{runs[0].TaskID, "ServerTasks-1"})
	if len(tasks) != 2 || tasks[0].State != octopus.StateSuccess || tasks[1].State != octopus.StateExecuting {
		t.Errorf("tasks %+v", tasks)
	}
	if r, _, _ := rec.EligibleRelease(ctx, "Web", "Staging", ""); r.ID != rel.ID {
		t.Errorf("after the deployment to Test, Staging gets %s", r.Version)
	}
	rows, _ := rec.Dashboard(ctx, octopus.DashboardQuery{})
	if len(rows) != 2 || rows[0].Release != "1.2.0" || rows[0].Environment != "Test" {
		t.Errorf("dashboard %+v", rows)
	}
}

func TestCreateReleaseOfAnExistingVersion(t *testing.T) {
	tests := []struct {
		ifExists, wantErr string
		wantID            string
	}{
		{"fail", `creating release 1.1.0 of Web: release 1.1.0 already exists, so the server would refuse it (if_exists="reuse" would reuse it)`, ""},
		{"reuse", "", "Releases-2"},
	}
	for _, tt := range tests {
		book := NewBook()
		rec := book.Recorder(previewing{newFake()})
		rel, err := rec.CreateRelease(t.Context(), octopus.CreateReleaseRequest{Project: "Web", Version: "1.1.0", IfExists: tt.ifExists})
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("if_exists=%s: %v, want %q", tt.ifExists, err, tt.wantErr)
			}
			continue
		}
		p := book.Assemble("s.star", []Logged{{Kind: "create_release"}}, nil, false)
		if err != nil || rel.ID != tt.wantID || len(p.Actions) != 1 || !p.Actions[0].Reuses {
			t.Errorf("if_exists=%s: %+v %v, plan %+v", tt.ifExists, rel, err, p.Actions)
		}
	}
}

func TestDeployments(t *testing.T) {
	existing := newFake().releases["Projects-1"][1] // 1.0.0: Development, Test and Staging open
	portal := octopus.Release{ID: "Releases-5", Version: "3.0.0", ProjectID: "Projects-2", Project: "Portal"}
	tests := []struct {
		name    string
		req     octopus.DeployRequest
		want    []string // environment/tenant of each run
		notes   string   // a note the first action has
		wantErr string
	}{
		{name: "one per environment", req: octopus.DeployRequest{Project: "Web", Release: existing, Environments: []string{"test", "Staging"}},
			want: []string{"Test/", "Staging/"}},
		{name: "the lifecycle does not allow it yet", req: octopus.DeployRequest{Project: "Web", Release: existing, Environments: []string{"Production"}},
			want: []string{"Production/"}, notes: "may not enter Production yet"},
		{name: "every connected tenant", req: octopus.DeployRequest{Project: "Portal", Release: portal, Environments: []string{"Test", "Production"}, Tenants: []string{"*"}},
			want: []string{"Test/Acme", "Test/Globex", "Production/Acme"}},
		{name: "tenants by tag", req: octopus.DeployRequest{Project: "Portal", Release: portal, Environments: []string{"Test"}, TenantTags: []string{"Region/US", "Region/EU", "Tier/Silver"}},
			want: []string{"Test/Globex"}},
		{name: "a tenant not connected there", req: octopus.DeployRequest{Project: "Portal", Release: portal, Environments: []string{"Production"}, Tenants: []string{"globex"}},
			wantErr: "tenant Globex is not connected to Portal in Production"},
		{name: "untenanted deployment of a tenanted project", req: octopus.DeployRequest{Project: "Portal", Release: portal, Environments: []string{"Test"}},
			wantErr: "Portal can only be deployed to tenants"},
		{name: "an unknown environment", req: octopus.DeployRequest{Project: "Web", Release: existing, Environments: []string{"Prod"}},
			wantErr: `no environment named "Prod"`},
		{name: "no version", req: octopus.DeployRequest{Project: "Web", Environments: []string{"Test"}},
			wantErr: "deploying Web: no release version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			book := NewBook()
			rec := book.Recorder(previewing{newFake()})
			runs, err := rec.Deploy(t.Context(), tt.req)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range runs {
				got = append(got, r.Environment+"/"+r.Tenant)
				if !IsPlanned(r.ID) || !IsPlanned(r.TaskID) || r.Kind != octopus.KindDeployment {
					t.Errorf("run %+v", r)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("runs %v, want %v", got, tt.want)
			}
			if tt.notes != "" && !strings.Contains(strings.Join(book.actions[0].Notes, "\n"), tt.notes) {
				t.Errorf("notes %q lack %q", book.actions[0].Notes, tt.notes)
			}
		})
	}
}

func TestInterventions(t *testing.T) {
	f := newFake()
	book := NewBook()
	rec := book.Recorder(previewing{f})
	ctx := octopus.WithCaller(t.Context(), "approve.star:4")
	runs, err := rec.Deploy(ctx, octopus.DeployRequest{Project: "Web", Release: f.releases["Projects-1"][1], Environments: []string{"Production"}})
	if err != nil {
		t.Fatal(err)
	}
	pending := func(q octopus.InterventionQuery) []string {
		q.PendingOnly = true
		ivs, err := rec.Interventions(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, iv := range ivs {
			ids = append(ids, iv.ID)
		}
		return ids
	}
	tests := []struct {
		name string
		q    octopus.InterventionQuery
		want []string
	}{
		{"all: the server's and the predicted one", octopus.InterventionQuery{}, []string{"Interruptions-7", "planned:Interruptions-1"}},
		{"of the planned task", octopus.InterventionQuery{TaskID: runs[0].TaskID}, []string{"planned:Interruptions-1"}},
		{"by step", octopus.InterventionQuery{Project: "web", Step: "appro"}, []string{"Interruptions-7", "planned:Interruptions-1"}},
		{"elsewhere", octopus.InterventionQuery{Environment: "Test"}, []string{"Interruptions-7"}}, // the fake ignores filters
	}
	for _, tt := range tests {
		if got := pending(tt.q); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	for _, id := range []string{"planned:Interruptions-1", "Interruptions-7"} {
		iv, err := rec.Intervene(ctx, octopus.InterventionAnswer{ID: id, Action: "proceed", Notes: "CAB-1"})
		if err != nil || iv.Pending || iv.Answered != "proceed" || iv.Title != "Approve" {
			t.Errorf("answering %s: %+v %v", id, iv, err)
		}
	}
	if got := pending(octopus.InterventionQuery{}); len(got) != 0 {
		t.Errorf("answered interventions still pending: %v", got)
	}
	if _, err := rec.Intervene(ctx, octopus.InterventionAnswer{ID: "planned:Interruptions-1", Action: "proceed"}); err == nil {
		t.Error("a second answer was accepted")
	}
	p := book.Assemble("approve.star", []Logged{{Kind: "deploy"}, {Kind: "intervene"}, {Kind: "intervene"}}, nil, false)
	if len(p.Actions) != 3 || p.Actions[1].Why != "predicted: a deployment or runbook run this plan starts stops at this step" ||
		p.Actions[2].Why != "pending on the server now" || p.Actions[2].Project != "Web" {
		t.Errorf("actions %+v", p.Actions)
	}
	if !slices.ContainsFunc(p.Unknowns, func(u Unknown) bool {
		return strings.Contains(u.What, `the manual intervention "Approve" of Web 1.0.0 to Production does not exist yet`)
	}) {
		t.Errorf("unknowns %+v", p.Unknowns)
	}
}

func TestAssembleKeepsScriptOrder(t *testing.T) {
	book := NewBook()
	for _, k := range []string{"create_release", "deploy", "cancel", "deploy"} {
		book.record(&Action{Kind: k, At: "s.star:" + k})
	}
	logged := []Logged{{Kind: "create_release"}, {Kind: "skip", At: "s.star:9", Project: "Web", Environment: "Test", What: "1.0.0", Detail: "Web 1.0.0 is already in Test"},
		{Kind: "deploy"}, {Kind: "deploy"}}
	p := book.Assemble("s.star", logged, nil, false)
	var got []string
	for _, a := range p.Actions {
		got = append(got, a.Kind)
	}
	if want := []string{"create_release", "skip", "deploy", "cancel", "deploy"}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
	if p.Actions[1].N != 2 || p.Actions[1].Why != "Web 1.0.0 is already in Test" || p.Outcome != "complete" {
		t.Errorf("plan %+v", p)
	}
	if text := p.Text(); !strings.Contains(text, "2. s.star:9  skip Web 1.0.0 to Test\n     why: Web 1.0.0 is already in Test\n") ||
		!strings.Contains(text, "4 changes, none of them sent") {
		t.Errorf("text:\n%s", text)
	}
}

func TestResolveMask(t *testing.T) {
	tests := []struct {
		mask     string
		versions []string
		want     string
	}{
		{"1.i", []string{"1.1.5", "0.9.0"}, "1.2.0"},
		{"1.c.i", []string{"1.1"}, "1.1.1"},
		{"1.i.c", []string{"1.1.5"}, "1.2.0"},
		{"2026.11.i", []string{"2026.10.4"}, "2026.11.0"},
		{"2026.11.i", []string{"2026.11.4", "2026.11.10", "2026.12.0"}, "2026.11.11"},
		{"1.2.i-beta", []string{"1.2.3"}, "1.2.4-beta"},
		{"1.2.c-alpha.i", []string{"1.2.3-alpha.4"}, ""}, // a mask in the tag: not read
	}
	for _, tt := range tests {
		f := newFake()
		f.releases["Projects-1"] = nil
		for _, v := range tt.versions {
			f.releases["Projects-1"] = append(f.releases["Projects-1"], octopus.Release{Version: v})
		}
		rec := NewBook().Recorder(f)
		got, err := rec.resolveMask(t.Context(), f.projects[0], tt.mask)
		if err != nil || got != tt.want {
			t.Errorf("resolveMask(%q) over %v = %q, %v; want %q", tt.mask, tt.versions, got, err, tt.want)
		}
	}
}

func TestTagsMatch(t *testing.T) {
	have := []string{"Tier/Gold", "Region/EU"}
	tests := []struct {
		want []string
		ok   bool
	}{
		{[]string{"Tier/Gold"}, true},
		{[]string{"tier/gold", "Tier/Silver"}, true}, // any tag within a set
		{[]string{"Tier/Gold", "Region/US"}, false},  // every set named
		{[]string{"Tier/Silver", "Region/EU"}, false},
	}
	for _, tt := range tests {
		if got := tagsMatch(have, tt.want); got != tt.ok {
			t.Errorf("tagsMatch(%v, %v) = %v", have, tt.want, got)
		}
	}
}

// TestWithoutPreviews plans on a target that cannot preview, or whose
// server refuses a preview: the plan goes on and says what it lacks.
func TestWithoutPreviews(t *testing.T) {
	tests := []struct {
		name  string
		inner octopus.Octopus
		req   octopus.CreateReleaseRequest
		want  []string
	}{
		{"no previews", newFake(), octopus.CreateReleaseRequest{Project: "Web"}, []string{
			"the target cannot preview releases",
			"the version of the new release of Web: the server computes it and gave no preview; the plan calls it unknown-1"}},
		{"a preview the server refuses", previewing{newFake()}, octopus.CreateReleaseRequest{Project: "Portal", Version: "2.0.0"}, []string{
			"the channel, version and packages of the new release of Portal: the server would not preview them",
			"1. s.star:2  create release 2.0.0 of Portal"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			book := NewBook()
			rec := book.Recorder(tt.inner)
			ctx := octopus.WithCaller(t.Context(), "s.star:2")
			if _, err := rec.CreateRelease(ctx, tt.req); err != nil {
				t.Fatal(err)
			}
			text := book.Assemble("s.star", []Logged{{Kind: "create_release"}}, nil, false).Text()
			for _, want := range tt.want {
				if !strings.Contains(text, want) {
					t.Errorf("plan lacks %q:\n%s", want, text)
				}
			}
		})
	}
}
