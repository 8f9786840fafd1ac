package confirm

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/octostar/octostar/internal/octopus"
)

// recorder is the inner target: it records the writes that reach it.
// Reads it does not override would panic on the nil interface, which
// the tests never call.
type recorder struct {
	octopus.Octopus
	sent []string
}

func (r *recorder) CreateRelease(_ context.Context, q octopus.CreateReleaseRequest) (octopus.Release, error) {
	r.sent = append(r.sent, "create "+q.Project)
	return octopus.Release{Project: q.Project, Version: "1.0.1"}, nil
}

func (r *recorder) Deploy(_ context.Context, q octopus.DeployRequest) ([]octopus.Run, error) {
	r.sent = append(r.sent, "deploy "+q.Project)
	return []octopus.Run{{Kind: octopus.KindDeployment, TaskID: "ServerTasks-7", Project: q.Project, Environment: q.Environments[0], Release: q.Release}}, nil
}

func (r *recorder) RunRunbook(_ context.Context, q octopus.RunbookRequest) ([]octopus.Run, error) {
	r.sent = append(r.sent, "runbook "+q.Runbook)
	return nil, nil
}

func (r *recorder) Intervene(_ context.Context, a octopus.InterventionAnswer) (octopus.Intervention, error) {
	r.sent = append(r.sent, a.Action+" "+a.ID)
	return octopus.Intervention{ID: a.ID}, nil
}

func (r *recorder) CancelTask(_ context.Context, id string) error {
	r.sent = append(r.sent, "cancel "+id)
	return nil
}

func (r *recorder) Interventions(context.Context, octopus.InterventionQuery) ([]octopus.Intervention, error) {
	return []octopus.Intervention{{ID: "Interruptions-3", Title: "Approve production release", Project: "Payments API", Environment: "Production"}}, nil
}

func (r *recorder) Environments(context.Context) ([]octopus.Environment, error) {
	r.sent = append(r.sent, "read environments")
	return nil, nil
}

func TestQuestions(t *testing.T) {
	rel := octopus.Release{Project: "Payments API", Version: "1.2.0"}
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"release, server's version", CreateReleaseQuestion(octopus.CreateReleaseRequest{Project: "Payments API"}),
			"create release of Payments API (version chosen by the server)?"},
		{"release with everything", CreateReleaseQuestion(octopus.CreateReleaseRequest{Project: "Web", Version: "2.0.0", Channel: "Hotfix", PackageVersion: "2.0.0-rc1", IfExists: "reuse"}),
			"create release 2.0.0 of Web in channel Hotfix with packages at 2.0.0-rc1, or reuse it if it exists?"},
		{"deploy", DeployQuestion(octopus.DeployRequest{Project: "payments-api", Release: rel, Environments: []string{"Production"}}),
			"deploy Payments API 1.2.0 to Production?"},
		{"deploy to three, all tenants, forced", DeployQuestion(octopus.DeployRequest{Project: "Portal", Release: octopus.Release{Version: "3.1.0"},
			Environments: []string{"Test", "Staging", "Production"}, Tenants: []string{"*"}, ForceRedeploy: true}),
			"deploy Portal 3.1.0 to Test, Staging and Production for every connected tenant, forcing a redeployment?"},
		{"deploy by tag, scheduled", DeployQuestion(octopus.DeployRequest{Project: "Portal", Release: octopus.Release{Version: "3.1.0"},
			Environments: []string{"Production"}, TenantTags: []string{"Region/EU"}, At: time.Date(2026, 11, 26, 22, 0, 0, 0, time.UTC)}),
			"deploy Portal 3.1.0 to Production for the tenants tagged Region/EU, starting at 2026-11-26T22:00:00Z?"},
		{"runbook", RunbookQuestion(octopus.RunbookRequest{Project: "Platform Ops", Runbook: "Restart", Environments: []string{"Test", "Production"}, Tenants: []string{"Acme", "Globex"}}),
			"run runbook Restart of Platform Ops in Test and Production for Acme and Globex?"},
		{"known intervention", InterventionQuestion(octopus.InterventionAnswer{ID: "Interruptions-3", Action: "proceed"},
			octopus.Intervention{ID: "Interruptions-3", Title: "Approve", Project: "Payments API", Environment: "Production", Tenant: "Acme"}),
			`proceed "Approve" of Payments API in Production for Acme (Interruptions-3)?`},
		{"unknown intervention", InterventionQuestion(octopus.InterventionAnswer{ID: "Interruptions-4", Action: "abort"}, octopus.Intervention{ID: "Interruptions-4"}),
			"abort the intervention (Interruptions-4)?"},
		{"cancel a known deployment", CancelQuestion(octopus.Run{Kind: octopus.KindDeployment, TaskID: "ServerTasks-9", Project: "Web", Environment: "Test", Release: octopus.Release{Version: "2.2.0"}}),
			"cancel the deployment of Web 2.2.0 to Test (ServerTasks-9)?"},
		{"cancel a runbook run", CancelQuestion(octopus.Run{Kind: octopus.KindRunbookRun, TaskID: "ServerTasks-10", Project: "Ops", Runbook: "Restart", Environment: "Test", Tenant: "Acme"}),
			"cancel runbook Restart of Ops in Test for Acme (ServerTasks-10)?"},
		{"cancel an unknown task", CancelQuestion(octopus.Run{TaskID: "ServerTasks-11"}), "cancel task ServerTasks-11?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got  %q\nwant %q", tt.got, tt.want)
			}
		})
	}
}

func TestWrapperAsksBeforeEveryWrite(t *testing.T) {
	ctx := t.Context()
	rel := octopus.Release{Project: "Payments API", Version: "1.2.0"}
	calls := []struct {
		name string
		call func(o *Octopus) error
	}{
		{"create", func(o *Octopus) error {
			_, err := o.CreateRelease(ctx, octopus.CreateReleaseRequest{Project: "Payments API"})
			return err
		}},
		{"deploy", func(o *Octopus) error {
			_, err := o.Deploy(ctx, octopus.DeployRequest{Project: "Payments API", Release: rel, Environments: []string{"Production"}})
			return err
		}},
		{"runbook", func(o *Octopus) error {
			_, err := o.RunRunbook(ctx, octopus.RunbookRequest{Project: "Ops", Runbook: "Restart", Environments: []string{"Test"}})
			return err
		}},
		{"intervene", func(o *Octopus) error {
			_, err := o.Intervene(ctx, octopus.InterventionAnswer{ID: "Interruptions-3", Action: "proceed"})
			return err
		}},
		{"cancel", func(o *Octopus) error { return o.CancelTask(ctx, "ServerTasks-7") }},
	}
	for _, answer := range []bool{false, true} {
		for _, c := range calls {
			t.Run(c.name, func(t *testing.T) {
				inner := &recorder{}
				var asked []string
				o := Wrap(inner, func(_ context.Context, q string) bool { asked = append(asked, q); return answer })
				err := c.call(o)
				if len(asked) != 1 {
					t.Fatalf("asked %d questions, want 1: %q", len(asked), asked)
				}
				switch {
				case !answer && !errors.Is(err, ErrDeclined):
					t.Errorf("after no: err = %v, want ErrDeclined", err)
				case !answer && len(inner.sent) != 0:
					t.Errorf("after no, the target got %q", inner.sent)
				case answer && (err != nil || len(inner.sent) != 1):
					t.Errorf("after yes: err = %v, sent %q", err, inner.sent)
				}
			})
		}
	}
}

func TestReadsNeverAsk(t *testing.T) {
	inner := &recorder{}
	o := Wrap(inner, func(context.Context, string) bool { t.Fatal("a read asked for confirmation"); return false })
	if _, err := o.Environments(t.Context()); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(inner.sent, []string{"read environments"}) {
		t.Errorf("the read did not reach the target: %q", inner.sent)
	}
}

// TestLaterWritesNameWhatEarlierCallsSaw: a cancel names the deployment
// it stops, an answer names the intervention it answers.
func TestLaterWritesNameWhatEarlierCallsSaw(t *testing.T) {
	ctx := t.Context()
	var asked []string
	o := Wrap(&recorder{}, func(_ context.Context, q string) bool { asked = append(asked, q); return true })
	if _, err := o.Deploy(ctx, octopus.DeployRequest{Project: "Payments API", Release: octopus.Release{Project: "Payments API", Version: "1.2.0"}, Environments: []string{"Test"}}); err != nil {
		t.Fatal(err)
	}
	if err := o.CancelTask(ctx, "ServerTasks-7"); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Interventions(ctx, octopus.InterventionQuery{}); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Intervene(ctx, octopus.InterventionAnswer{ID: "Interruptions-3", Action: "proceed"}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"deploy Payments API 1.2.0 to Test?",
		"cancel the deployment of Payments API 1.2.0 to Test (ServerTasks-7)?",
		`proceed "Approve production release" of Payments API in Production (Interruptions-3)?`,
	}
	if !slices.Equal(asked, want) {
		t.Errorf("asked:\n%q\nwant:\n%q", asked, want)
	}
}

func TestCancelledContextSendsNothing(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	inner := &recorder{}
	o := Wrap(inner, func(context.Context, string) bool { t.Error("asked after the context ended"); return true })
	if err := o.CancelTask(ctx, "ServerTasks-1"); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if len(inner.sent) != 0 {
		t.Errorf("sent %q", inner.sent)
	}
}
