package journal

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/octostar/octostar/internal/octopus"
)

// TestLostAnswers kills a run around each kind of write, once after the
// request reached the server and once before it left, then resumes: the
// write is found on the server in the first case and sent in the second,
// and either way the server ends with exactly one of it.
func TestLostAnswers(t *testing.T) {
	type write struct {
		name string
		// setup prepares the world with a live client; it returns what
		// the write needs.
		setup func(t *testing.T, w *world, oct octopus.Octopus) any
		// do makes the write through oct.
		do func(oct octopus.Octopus, ctx context.Context, arg any) (string, error)
		// count is how many of what the write makes the server holds.
		count func(t *testing.T, w *world, arg any) int
	}
	rel := func(t *testing.T, w *world, project string) octopus.Release {
		r, err := w.client(t, "setup").CreateRelease(context.Background(), octopus.CreateReleaseRequest{Project: project})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	writes := []write{
		{
			name: "create_release, version from the server",
			do: func(oct octopus.Octopus, ctx context.Context, _ any) (string, error) {
				r, err := oct.CreateRelease(ctx, octopus.CreateReleaseRequest{Project: "Api", IfExists: "fail"})
				return r.ID, err
			},
			count: func(t *testing.T, w *world, _ any) int { return len(w.releases(t, "Api")) },
		},
		{
			name: "create_release, version given",
			do: func(oct octopus.Octopus, ctx context.Context, _ any) (string, error) {
				r, err := oct.CreateRelease(ctx, octopus.CreateReleaseRequest{Project: "Api", Version: "2.0.0", IfExists: "fail"})
				return r.ID, err
			},
			count: func(t *testing.T, w *world, _ any) int { return len(w.releases(t, "Api")) },
		},
		{
			name: "create_release, mask",
			do: func(oct octopus.Octopus, ctx context.Context, _ any) (string, error) {
				r, err := oct.CreateRelease(ctx, octopus.CreateReleaseRequest{Project: "Api", Version: "3.1.i"})
				return r.ID, err
			},
			count: func(t *testing.T, w *world, _ any) int { return len(w.releases(t, "Api")) },
		},
		{
			name:  "deploy to two environments",
			setup: func(t *testing.T, w *world, _ octopus.Octopus) any { return rel(t, w, "Api") },
			do: func(oct octopus.Octopus, ctx context.Context, arg any) (string, error) {
				runs, err := oct.Deploy(ctx, octopus.DeployRequest{Project: "Api", Release: arg.(octopus.Release), Environments: []string{"Development", "Test"}})
				return runIDs(runs), err
			},
			// Each deploy makes one deployment in each environment.
			count: func(t *testing.T, w *world, arg any) int {
				q := octopus.RunSearch{Kind: octopus.KindDeployment, Project: "Api", Release: arg.(octopus.Release)}
				q.Environments = []string{"Development"}
				dev := len(w.runs(t, q))
				q.Environments = []string{"Test"}
				if test := len(w.runs(t, q)); test != dev {
					t.Errorf("%d deployments to Development, %d to Test", dev, test)
				}
				return dev
			},
		},
		{
			name: "run_runbook",
			do: func(oct octopus.Octopus, ctx context.Context, _ any) (string, error) {
				runs, err := oct.RunRunbook(ctx, octopus.RunbookRequest{Project: "Ops", Runbook: "Restart", Environments: []string{"Development"}})
				return runIDs(runs), err
			},
			count: func(t *testing.T, w *world, _ any) int {
				return len(w.runs(t, octopus.RunSearch{Kind: octopus.KindRunbookRun, Project: "Ops", Runbook: "Restart"}))
			},
		},
		{
			name: "intervene",
			setup: func(t *testing.T, w *world, _ octopus.Octopus) any {
				c := w.client(t, "setup")
				r := rel(t, w, "Web")
				ctx := context.Background()
				if _, err := c.Deploy(ctx, octopus.DeployRequest{Project: "Web", Release: r, Environments: []string{"Development"}}); err != nil {
					t.Fatal(err)
				}
				if _, err := c.Deploy(ctx, octopus.DeployRequest{Project: "Web", Release: r, Environments: []string{"Test"}}); err != nil {
					t.Fatal(err)
				}
				ivs, err := c.Interventions(ctx, octopus.InterventionQuery{Project: "Web", PendingOnly: true})
				if err != nil || len(ivs) != 1 {
					t.Fatalf("interventions %+v, %v", ivs, err)
				}
				return ivs[0].ID
			},
			do: func(oct octopus.Octopus, ctx context.Context, arg any) (string, error) {
				iv, err := oct.Intervene(ctx, octopus.InterventionAnswer{ID: arg.(string), Action: "proceed", Notes: "CAB-1"})
				return iv.ID + " " + iv.Answered, err
			},
			// Answered interventions: one, however often it is sent.
			count: func(t *testing.T, w *world, arg any) int {
				iv, err := w.client(t, "check").InterventionByID(context.Background(), arg.(string))
				if err != nil {
					t.Fatal(err)
				}
				if iv.Pending {
					return 0
				}
				return 1
			},
		},
	}
	for _, wr := range writes {
		for _, v := range []struct {
			after, killed bool
		}{{true, true}, {true, false}, {false, true}, {false, false}} {
			after := v.after
			name := wr.name + ", lost before sending"
			if after {
				name = wr.name + ", answer lost"
			}
			if v.killed {
				name += ", killed before its end was written"
			} else {
				name += ", interrupted"
			}
			t.Run(name, func(t *testing.T) {
				w := newWorld(t)
				var arg any
				if wr.setup != nil {
					arg = wr.setup(t, w, w.client(t, "setup"))
				}
				path := journalPath(t)
				j, _ := open(t, path, Options{})
				ctx, cancel := context.WithCancel(at("5"))
				k := &killer{Client: w.client(t, "default"), cancel: cancel, after: after}
				if _, err := wr.do(Wrap(k, j), ctx, arg); err == nil {
					t.Fatal("the killed write returned no error")
				}
				j.Close()
				want := 0
				if after {
					want = 1
				}
				if n := wr.count(t, w, arg); n != want {
					t.Fatalf("before resuming the server holds %d, want %d", n, want)
				}
				// Interrupted, the write's end says its answer was lost;
				// killed, it has none.
				recs := lines(t, path)
				if last := recs[len(recs)-1]; last["phase"] != "end" || last["ambiguous"] != true || last["error"] == nil {
					t.Fatalf("the interrupted write left %v last, want an ambiguous end", last)
				}
				if v.killed {
					data, _ := os.ReadFile(path)
					cut := strings.LastIndex(strings.TrimSuffix(string(data), "\n"), "\n")
					os.WriteFile(path, data[:cut+1], 0o600)
				}

				j2, logs := open(t, path, Options{})
				got, err := wr.do(Wrap(w.client(t, "default"), j2), at("5"), arg)
				if err != nil {
					t.Fatalf("resumed write: %v\n%s", err, logs)
				}
				if n := wr.count(t, w, arg); n != 1 {
					t.Errorf("after resuming the server holds %d, want 1\n%s", n, logs)
				}
				recs = lines(t, path)
				end := recs[len(recs)-1]
				if end["phase"] != "end" || end["seq"] != 1.0 || end["error"] != nil {
					t.Errorf("last record %v", end)
				}
				wantLog := "nothing on the server shows it arrived, so it is sent now"
				if after {
					wantLog = "found what it did on the server, so it is not sent again"
					if end["recovered"] != true {
						t.Errorf("the end of a found write lacks recovered: %v", end)
					}
				}
				if !strings.Contains(logs.String(), wantLog) {
					t.Errorf("log lacks %q:\n%s", wantLog, logs)
				}
				// Resumed once more, the write is answered from the journal.
				j2.Close()
				j3, _ := open(t, path, Options{})
				before := w.writes()
				again, err := wr.do(Wrap(w.client(t, "default"), j3), at("5"), arg)
				if err != nil || again != got || w.writes() != before {
					t.Errorf("third run: %q, %v (%d writes), want %q from the journal", again, err, w.writes()-before, got)
				}
			})
		}
	}
}

func runIDs(runs []octopus.Run) string {
	var ids []string
	for _, r := range runs {
		ids = append(ids, r.ID+"/"+r.TaskID+"/"+r.Environment)
	}
	return strings.Join(ids, ",")
}

// TestRecoveryIgnoresWhatTheJournalKnows: a release the script read
// before is not taken for the one a lost create made, so the create is
// sent and fails as it would have.
func TestRecoveryIgnoresWhatTheJournalKnows(t *testing.T) {
	w := newWorld(t)
	if _, err := w.client(t, "setup").CreateRelease(context.Background(), octopus.CreateReleaseRequest{Project: "Api", Version: "1.0.0"}); err != nil {
		t.Fatal(err)
	}
	path := journalPath(t)
	j, _ := open(t, path, Options{})
	ctx, cancel := context.WithCancel(at("2"))
	oct := Wrap(&killer{Client: w.client(t, "default"), cancel: cancel}, j)
	if _, err := oct.Releases(at("1"), octopus.ReleaseQuery{Project: "Api"}); err != nil {
		t.Fatal(err)
	}
	oct.CreateRelease(ctx, octopus.CreateReleaseRequest{Project: "Api", Version: "1.0.0", IfExists: "fail"})
	j.Close()

	j2, _ := open(t, path, Options{})
	oct2 := Wrap(w.client(t, "default"), j2)
	oct2.Releases(at("1"), octopus.ReleaseQuery{Project: "Api"})
	_, err := oct2.CreateRelease(at("2"), octopus.CreateReleaseRequest{Project: "Api", Version: "1.0.0", IfExists: "fail"})
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("error %v, want the server's refusal of a duplicate", err)
	}
}

// TestRecoveryNeedsAFinder: a target that cannot search is never sent a
// write whose answer was lost.
func TestRecoveryNeedsAFinder(t *testing.T) {
	w := newWorld(t)
	path := journalPath(t)
	j, _ := open(t, path, Options{})
	ctx, cancel := context.WithCancel(at("1"))
	Wrap(&killer{Client: w.client(t, "default"), cancel: cancel, after: true}, j).
		CreateRelease(ctx, octopus.CreateReleaseRequest{Project: "Api"})
	j.Close()

	j2, _ := open(t, path, Options{})
	type plain struct{ octopus.Octopus } // hides Finder and Connect
	_, err := Wrap(plain{w.client(t, "default")}, j2).CreateRelease(at("1"), octopus.CreateReleaseRequest{Project: "Api"})
	if err == nil || !strings.Contains(err.Error(), "call 1 (CreateRelease at train.star:1) may have reached the server") {
		t.Errorf("error %v", err)
	}
	if n := len(w.releases(t, "Api")); n != 1 {
		t.Errorf("%d releases, want 1", n)
	}
}

// halfKiller dies after the first environment's deployment was sent, as
// a tenanted deploy (one request per environment) can.
type halfKiller struct {
	*octopus.Client
	cancel context.CancelFunc
}

func (k *halfKiller) Deploy(ctx context.Context, r octopus.DeployRequest) ([]octopus.Run, error) {
	first := r
	first.Environments = r.Environments[:1]
	if _, err := k.Client.Deploy(ctx, first); err != nil {
		return nil, err
	}
	k.cancel()
	return nil, ctx.Err()
}

// TestRecoverySendsWhatDidNotArrive: environments with a deployment since
// the write began are taken as done; the others are sent now.
func TestRecoverySendsWhatDidNotArrive(t *testing.T) {
	w := newWorld(t)
	rel, err := w.client(t, "setup").CreateRelease(context.Background(), octopus.CreateReleaseRequest{Project: "Api"})
	if err != nil {
		t.Fatal(err)
	}
	req := octopus.DeployRequest{Project: "Api", Release: rel, Environments: []string{"Development", "Test"}}
	path := journalPath(t)
	j, _ := open(t, path, Options{})
	ctx, cancel := context.WithCancel(at("4"))
	Wrap(&halfKiller{Client: w.client(t, "default"), cancel: cancel}, j).Deploy(ctx, req)
	j.Close()

	j2, _ := open(t, path, Options{})
	runs, err := Wrap(w.client(t, "default"), j2).Deploy(at("4"), req)
	if err != nil || len(runs) != 2 || runs[0].Environment != "Development" || runs[1].Environment != "Test" {
		t.Fatalf("resumed: %+v, %v", runs, err)
	}
	for _, env := range req.Environments {
		q := octopus.RunSearch{Kind: octopus.KindDeployment, Project: "Api", Release: rel, Environments: []string{env}}
		if n := len(w.runs(t, q)); n != 1 {
			t.Errorf("%d deployments to %s, want 1", n, env)
		}
	}
	recs := lines(t, path)
	begins := 0
	for _, r := range recs {
		if r["phase"] == "begin" {
			begins++
		}
	}
	if end := recs[len(recs)-1]; begins != 2 || end["recovered"] != true || len(end["result"].([]any)) != 2 {
		t.Errorf("want a second begin before sending Test, and an end with both: %v", recs)
	}
}
