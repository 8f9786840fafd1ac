package journal

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/octostar/octostar/internal/octopus"
)

// These tests put someone else's work on the server in the window a
// lost write is searched in: it must never be taken for this run's.

// TestAnotherUsersReleaseIsNotOurs: a colleague's release made just
// before this run's lost create_release (server-chosen version) is in
// the window too; the resume must not adopt it.
func TestAnotherUsersReleaseIsNotOurs(t *testing.T) {
	w := newWorld(t)
	theirs, err := w.client(t, "colleague").CreateRelease(context.Background(), octopus.CreateReleaseRequest{Project: "Api"})
	if err != nil {
		t.Fatal(err)
	}
	path := journalPath(t)
	j, _ := open(t, path, Options{})
	ctx, cancel := context.WithCancel(at("5"))
	k := &killer{Client: w.client(t, "default"), cancel: cancel, after: true} // ours reached the server
	Wrap(k, j).CreateRelease(ctx, octopus.CreateReleaseRequest{Project: "Api"})
	j.Close()

	j2, logs := open(t, path, Options{})
	got, err := Wrap(w.client(t, "default"), j2).CreateRelease(at("5"), octopus.CreateReleaseRequest{Project: "Api"})
	switch {
	case err == nil && got.ID == theirs.ID:
		t.Fatalf("the resume took the colleague's release %s %s for its own\n%s", got.ID, got.Version, logs)
	case err != nil && !strings.Contains(err.Error(), "releases of Api were made since the lost request began"):
		t.Fatalf("err = %v, want one naming the releases it cannot tell apart", err)
	}
	if n := len(w.releases(t, "Api")); n != 2 {
		t.Errorf("%d releases on the server, want 2 (theirs and ours): nothing may be sent again", n)
	}
}

// TestRefusedWriteIsSentAgain: a write the server refused outright
// changed nothing; the resume sends it again instead of searching the
// server and adopting a colleague's object.
func TestRefusedWriteIsSentAgain(t *testing.T) {
	w := newWorld(t)
	theirs, err := w.client(t, "colleague").CreateRelease(context.Background(), octopus.CreateReleaseRequest{Project: "Api", Version: "2.0.0"})
	if err != nil {
		t.Fatal(err)
	}
	path := journalPath(t)
	j, _ := open(t, path, Options{})
	req := octopus.CreateReleaseRequest{Project: "Api", Version: "2.0.0", IfExists: "fail"}
	if _, err := Wrap(w.client(t, "default"), j).CreateRelease(at("1"), req); err == nil {
		t.Fatal("creating an existing version with if_exists=fail succeeded")
	}
	j.Finish(Failed, err)
	j.Close()
	j2, logs := open(t, path, Options{})
	got, err := Wrap(w.client(t, "default"), j2).CreateRelease(at("1"), req)
	if err == nil || !strings.Contains(err.Error(), "already exists") || got.ID == theirs.ID {
		t.Fatalf("resumed: %+v, %v: want the server's refusal again, not the colleague's release\n%s", got, err, logs)
	}
	if strings.Contains(logs.String(), "found what it did") {
		t.Errorf("a refused write was searched for as if its answer were lost:\n%s", logs)
	}
}

// TestAnotherUsersAnswerIsNotOurs: this run's proceed never left; a
// colleague aborted meanwhile. The resume must say so, not report a
// proceed.
func TestAnotherUsersAnswerIsNotOurs(t *testing.T) {
	w := newWorld(t)
	c := w.client(t, "setup")
	ctx := context.Background()
	r, err := c.CreateRelease(ctx, octopus.CreateReleaseRequest{Project: "Web"})
	if err != nil {
		t.Fatal(err)
	}
	c.Deploy(ctx, octopus.DeployRequest{Project: "Web", Release: r, Environments: []string{"Development"}})
	c.Deploy(ctx, octopus.DeployRequest{Project: "Web", Release: r, Environments: []string{"Test"}})
	ivs, err := c.Interventions(ctx, octopus.InterventionQuery{Project: "Web", PendingOnly: true})
	if err != nil || len(ivs) != 1 {
		t.Fatalf("the world should have one pending intervention: %v %v", ivs, err)
	}
	id := ivs[0].ID
	path := journalPath(t)
	j, _ := open(t, path, Options{})
	kctx, cancel := context.WithCancel(at("7"))
	k := &killer{Client: w.client(t, "default"), cancel: cancel, after: false} // our answer never left
	Wrap(k, j).Intervene(kctx, octopus.InterventionAnswer{ID: id, Action: "proceed"})
	j.Close()
	if _, err := w.client(t, "colleague").Intervene(ctx, octopus.InterventionAnswer{ID: id, Action: "abort"}); err != nil {
		t.Fatal(err)
	}
	j2, logs := open(t, path, Options{})
	got, err := Wrap(w.client(t, "default"), j2).Intervene(at("7"), octopus.InterventionAnswer{ID: id, Action: "proceed"})
	if err == nil || !strings.Contains(err.Error(), "was answered abort by someone else") {
		t.Fatalf("resumed proceed: %+v, %v: want it to say someone else aborted\n%s", got, err, logs)
	}
}

// TestFreshWaitsForARunningJournal: --fresh must not move aside the
// journal of a run that still uses it.
func TestFreshWaitsForARunningJournal(t *testing.T) {
	path := journalPath(t)
	running, _ := open(t, path, Options{})
	defer running.Close()
	if j, err := Open(path, Options{Fresh: true, Header: Header{Script: "x"}}); err == nil {
		j.Close()
		t.Fatal("--fresh opened a journal another run holds")
	} else if !strings.Contains(err.Error(), "in use by another octostar run") {
		t.Errorf("err = %v", err)
	}
	if _, err := os.Stat(path + ".old"); err == nil {
		t.Error("--fresh moved the running journal aside")
	}
}

// TestPromptedValuesStayOut: prompted variables are often passwords; the
// journal keeps their names only.
func TestPromptedValuesStayOut(t *testing.T) {
	w := newWorld(t)
	rel, err := w.client(t, "setup").CreateRelease(context.Background(), octopus.CreateReleaseRequest{Project: "Api"})
	if err != nil {
		t.Fatal(err)
	}
	path := journalPath(t)
	j, _ := open(t, path, Options{})
	req := octopus.DeployRequest{Project: "Api", Release: rel, Environments: []string{"Development"}, Variables: map[string]string{"DbPassword": "hunter2"}}
	if _, err := Wrap(w.client(t, "default"), j).Deploy(at("3"), req); err != nil {
		t.Fatal(err)
	}
	j.Finish(Failed, nil)
	j.Close()
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), "hunter2") || !strings.Contains(string(data), "DbPassword") {
		t.Fatalf("the journal should hold the variable's name and not its value:\n%s", data)
	}
	// A new value is the same call; a new name is not, and the message
	// shows no value.
	j2, _ := open(t, path, Options{})
	req.Variables = map[string]string{"DbPassword": "hunter3"}
	if _, err := Wrap(w.client(t, "default"), j2).Deploy(at("3"), req); err != nil {
		t.Fatalf("a changed value stopped the resume: %v", err)
	}
}
