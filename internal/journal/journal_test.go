package journal

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/octostar/octostar/internal/octopus"
)

// train makes the calls of a small release train through oct: a read, a
// release whose version the server chooses, and its deployment.
func train(t *testing.T, oct octopus.Octopus) (octopus.Release, []octopus.Run) {
	t.Helper()
	if _, err := oct.Projects(at("1"), octopus.ProjectQuery{}); err != nil {
		t.Fatal(err)
	}
	rel, err := oct.CreateRelease(at("2"), octopus.CreateReleaseRequest{Project: "Api", IfExists: "fail"})
	if err != nil {
		t.Fatal(err)
	}
	runs, err := oct.Deploy(at("3"), octopus.DeployRequest{Project: "Api", Release: rel, Environments: []string{"Development"}})
	if err != nil {
		t.Fatal(err)
	}
	return rel, runs
}

func TestFormat(t *testing.T) {
	w := newWorld(t)
	path := journalPath(t)
	j, _ := open(t, path, Options{})
	train(t, Wrap(w.client(t, "default"), j))
	if err := j.Finish(Succeeded, nil); err != nil {
		t.Fatal(err)
	}
	recs := lines(t, path)
	if len(recs) != 7 {
		t.Fatalf("%d records, want header, read, begin, end, begin, end, finished:\n%v", len(recs), recs)
	}
	h := recs[0]
	if h["journal"] != "octostar" || h["version"] != 1.0 || h["script"] != "train.star" || h["scriptSha256"] != "aaa" || h["started"] == nil {
		t.Errorf("header %v", h)
	}
	tests := []struct {
		line  int
		want  map[string]any
		has   []string
		lacks []string
	}{
		{1, map[string]any{"seq": 1.0, "op": "Projects", "target": "default", "space": "Spaces-1", "at": "train.star:1"}, []string{"args", "result", "time", "url"}, []string{"phase"}},
		{2, map[string]any{"seq": 2.0, "phase": "begin", "op": "CreateRelease", "at": "train.star:2"}, []string{"args", "time"}, []string{"result"}},
		{3, map[string]any{"seq": 2.0, "phase": "end", "op": "CreateRelease"}, []string{"result"}, []string{"args", "error"}},
		{4, map[string]any{"seq": 3.0, "phase": "begin", "op": "Deploy"}, []string{"args"}, nil},
		{5, map[string]any{"seq": 3.0, "phase": "end", "op": "Deploy"}, []string{"result"}, nil},
		{6, map[string]any{"finished": true, "outcome": "succeeded", "calls": 3.0}, nil, []string{"seq"}},
	}
	for _, tt := range tests {
		r := recs[tt.line]
		for k, v := range tt.want {
			if r[k] != v {
				t.Errorf("record %d: %s = %v, want %v (%v)", tt.line, k, r[k], v, r)
			}
		}
		for _, k := range tt.has {
			if _, ok := r[k]; !ok {
				t.Errorf("record %d lacks %s: %v", tt.line, k, r)
			}
		}
		for _, k := range tt.lacks {
			if _, ok := r[k]; ok {
				t.Errorf("record %d has %s: %v", tt.line, k, r)
			}
		}
	}
	if args := recs[4]["args"].(map[string]any); args["Environments"].([]any)[0] != "Development" || args["Project"] != "Api" {
		t.Errorf("deploy args %v", args)
	}
}

func TestReplayAnswersFromTheJournalThenGoesLive(t *testing.T) {
	w := newWorld(t)
	path := journalPath(t)
	j, _ := open(t, path, Options{})
	rel, runs := train(t, Wrap(w.client(t, "default"), j))
	j.Close() // killed: no outcome

	before := w.writes()
	j2, logs := open(t, path, Options{})
	oct := Wrap(w.client(t, "default"), j2)
	rel2, runs2 := train(t, oct)
	if w.writes() != before {
		t.Errorf("replaying sent %d writes", w.writes()-before)
	}
	if rel2.ID != rel.ID || rel2.Version != rel.Version || !rel2.Brief {
		t.Errorf("replayed release %+v, want %+v", rel2, rel)
	}
	if len(runs2) != 1 || runs2[0].TaskID != runs[0].TaskID || runs2[0].ID != runs[0].ID || runs2[0].Release.ID != rel.ID {
		t.Errorf("replayed runs %+v, want %+v", runs2, runs)
	}
	// Re-attached: the replayed task is polled live.
	tasks, err := oct.Tasks(context.Background(), []string{runs2[0].TaskID})
	if err != nil || len(tasks) != 1 || tasks[0].State != octopus.StateSuccess {
		t.Errorf("polling the replayed task: %+v, %v", tasks, err)
	}
	// The next call is new: it goes to the server and is appended.
	more, err := oct.Deploy(at("4"), octopus.DeployRequest{Project: "Api", Release: rel2, Environments: []string{"Test"}})
	if err != nil || len(more) != 1 || more[0].Environment != "Test" {
		t.Fatalf("live call after the journal: %+v, %v", more, err)
	}
	if w.writes() != before+1 {
		t.Errorf("%d writes after the journal ran out, want 1", w.writes()-before)
	}
	if !strings.Contains(logs.String(), "resuming from the journal: 3 recorded calls (2 writes)") ||
		!strings.Contains(logs.String(), "going on live from call 4 (Deploy at train.star:4)") {
		t.Errorf("log:\n%s", logs)
	}
	recs := lines(t, path)
	last := recs[len(recs)-1]
	if last["seq"] != 4.0 || last["phase"] != "end" {
		t.Errorf("last record %v", last)
	}
	if got := len(w.runs(t, octopus.RunSearch{Kind: octopus.KindDeployment, Project: "Api", Release: rel})); got != 2 {
		t.Errorf("%d deployments, want 2", got)
	}
}

func TestPollingAndCancelsAreNotSequenced(t *testing.T) {
	w := newWorld(t)
	path := journalPath(t)
	j, _ := open(t, path, Options{})
	oct := Wrap(w.client(t, "default"), j)
	_, runs := train(t, oct)
	oct.Tasks(context.Background(), []string{runs[0].TaskID})
	oct.TaskErrors(context.Background(), runs[0].TaskID, 5)
	if err := oct.CancelTask(at("9"), runs[0].TaskID); err != nil {
		t.Fatal(err)
	}
	if _, err := oct.Environments(at("10")); err != nil {
		t.Fatal(err)
	}
	j.Close()
	recs := lines(t, path)
	var cancel, env map[string]any
	for _, r := range recs {
		if r["cancel"] != nil {
			cancel = r
		}
		if r["op"] == "Environments" {
			env = r
		}
	}
	if cancel == nil || cancel["cancel"] != runs[0].TaskID || cancel["seq"] != nil || cancel["at"] != "train.star:9" {
		t.Errorf("cancel record %v", cancel)
	}
	if env == nil || env["seq"] != 4.0 {
		t.Errorf("the read after polling and cancelling is %v, want call 4", env)
	}
}

func TestDivergence(t *testing.T) {
	tests := []struct {
		name string
		// then makes the resumed run's calls; the last one differs.
		then func(oct octopus.Octopus, rel octopus.Release) error
		want []string
	}{
		{"another environment", func(oct octopus.Octopus, rel octopus.Release) error {
			_, err := oct.Deploy(at("7"), octopus.DeployRequest{Project: "Api", Release: rel, Environments: []string{"Test"}})
			return err
		}, []string{"call 3 differs from the journal", "now makes Deploy at train.star:7, the journal has Deploy at train.star:3 (line 5)",
			`args.Environments[0]: now "Test", was "Development"`, "--fresh"}},
		{"another operation", func(oct octopus.Octopus, rel octopus.Release) error {
			_, err := oct.Releases(at("5"), octopus.ReleaseQuery{Project: "Api"})
			return err
		}, []string{"call 3 differs", "the script now makes Releases at train.star:5, the journal has Deploy at train.star:3", "the operation: now Releases, was Deploy"}},
		{"another project", func(oct octopus.Octopus, rel octopus.Release) error {
			rel.Project = "Web"
			_, err := oct.Deploy(at("3"), octopus.DeployRequest{Project: "Web", Release: rel, Environments: []string{"Development"}})
			return err
		}, []string{"call 3 differs", `args.Project: now "Web", was "Api"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			path := journalPath(t)
			j, _ := open(t, path, Options{})
			train(t, Wrap(w.client(t, "default"), j))
			j.Close()
			before, _ := os.ReadFile(path)

			j2, _ := open(t, path, Options{Header: Header{Script: "train.star", ScriptSHA256: "changed"}})
			oct := Wrap(w.client(t, "default"), j2)
			oct.Projects(at("1"), octopus.ProjectQuery{})
			rel, err := oct.CreateRelease(at("2"), octopus.CreateReleaseRequest{Project: "Api", IfExists: "fail"})
			if err != nil {
				t.Fatal(err)
			}
			err = tt.then(oct, rel)
			if err == nil {
				t.Fatal("no error")
			}
			for _, want := range append(tt.want, path, "(the script or its --var values changed since the journal was written)") {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q:\n%v", want, err)
				}
			}
			// Every later call fails the same way, and the journal is left
			// as the earlier run wrote it, apart from the resume note.
			if _, err2 := oct.Environments(at("8")); err2 == nil || err2.Error() != err.Error() {
				t.Errorf("a later call: %v", err2)
			}
			j2.Finish(Failed, err)
			after, _ := os.ReadFile(path)
			added := strings.TrimPrefix(string(after), string(before))
			if len(added) == len(after) || strings.Count(added, "\n") != 1 || !strings.Contains(added, `"resume":true`) {
				t.Errorf("the diverged run changed the journal:\n%s", added)
			}
		})
	}
}

func TestTargetsMustMatch(t *testing.T) {
	w := newWorld(t)
	path := journalPath(t)
	j, _ := open(t, path, Options{})
	Wrap(w.client(t, "prod"), j).Environments(at("1"))
	j.Close()
	j2, _ := open(t, path, Options{})
	_, err := Wrap(w.client(t, "dr"), j2).Environments(at("1"))
	if err == nil || !strings.Contains(err.Error(), "the target: now dr at "+w.url+", was prod at "+w.url) {
		t.Errorf("error %v", err)
	}
}

func TestTornLines(t *testing.T) {
	// The journal damaged holds five lines: the header, two reads, and
	// the begin and end of a write.
	tests := []struct {
		name    string
		damage  func(data string) string
		wantErr string // from Open
		// recorded is how many calls the repaired journal holds.
		recorded int
		warn     string
	}{
		{"end cut mid-record", func(d string) string { return d[:len(d)-20] }, "", 3, ":5: the last line was cut short"},
		{"end cut just before its newline", func(d string) string { return d[:len(d)-1] }, "", 3, ":5: the last line was cut short"},
		{"garbage last line", func(d string) string { return d + "\x00\x00\x00\n" }, "", 3, ":6: the last line was cut short"},
		{"only a torn header", func(d string) string { return d[:30] }, "", 0, ":1: the last line was cut short"},
		{"bad line in the middle", func(d string) string {
			ls := strings.SplitAfter(d, "\n")
			ls[2] = "{not json\n"
			return strings.Join(ls, "")
		}, ":3: not a journal record", 0, ""},
		{"not a journal", func(string) string { return "{\"hello\":1}\n" }, ":1: not an octostar journal", 0, ""},
		{"not a journal, no newline", func(string) string { return "package main\n\nfunc main() {}" }, ":1: not an octostar journal", 0, ""},
		{"newer format", func(d string) string { return strings.Replace(d, `"version":1`, `"version":2`, 1) }, ":1: format version 2 was written by a newer octostar", 0, ""},
		{"end without begin", func(d string) string {
			ls := strings.SplitAfter(d, "\n")
			return strings.Join(append(ls[:3], ls[4:]...), "")
		}, ":4: the end of call 3 has no begin", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			path := journalPath(t)
			j, _ := open(t, path, Options{})
			oct := Wrap(w.client(t, "default"), j)
			oct.Projects(at("1"), octopus.ProjectQuery{})
			oct.Environments(at("2"))
			oct.CreateRelease(at("3"), octopus.CreateReleaseRequest{Project: "Ops", Version: "1.0.0"})
			j.Close()
			data, _ := os.ReadFile(path)
			if n := strings.Count(string(data), "\n"); n != 5 {
				t.Fatalf("%d lines, want 5:\n%s", n, data)
			}
			os.WriteFile(path, []byte(tt.damage(string(data))), 0o600)

			if tt.wantErr != "" {
				damaged, _ := os.ReadFile(path)
				_, err := Open(path, Options{})
				if err == nil || !strings.Contains(err.Error(), path+tt.wantErr) {
					t.Fatalf("error %v, want %q", err, path+tt.wantErr)
				}
				if after, _ := os.ReadFile(path); string(after) != string(damaged) {
					t.Errorf("a refused file was changed:\n%q\nwas\n%q", after, damaged)
				}
				return
			}
			j2, log := open(t, path, Options{})
			if !strings.Contains(log.String(), path+tt.warn) {
				t.Errorf("log lacks %q:\n%s", tt.warn, log)
			}
			if got := j2.Recorded(); got != tt.recorded {
				t.Errorf("%d recorded calls, want %d", got, tt.recorded)
			}
			// The repaired journal goes on, and every line is whole again.
			before := w.writes()
			oct2 := Wrap(w.client(t, "default"), j2)
			oct2.Projects(at("1"), octopus.ProjectQuery{})
			oct2.Environments(at("2"))
			if tt.recorded == 3 {
				// Its end was torn: the release is found, not made again.
				rel, err := oct2.CreateRelease(at("3"), octopus.CreateReleaseRequest{Project: "Ops", Version: "1.0.0"})
				if err != nil || rel.Version != "1.0.0" {
					t.Errorf("the release after repair: %+v, %v", rel, err)
				}
				if w.writes() != before {
					t.Errorf("the release was created again after the repair")
				}
			}
			j2.Close()
			lines(t, path)
			if n := len(w.releases(t, "Ops")); n != 1 {
				t.Errorf("%d releases of Ops, want 1", n)
			}
		})
	}
}

func TestFinishedJournal(t *testing.T) {
	w := newWorld(t)
	path := journalPath(t)
	j, _ := open(t, path, Options{})
	train(t, Wrap(w.client(t, "default"), j))
	j.Finish(Succeeded, nil)
	j.Close()

	_, err := Open(path, Options{})
	if !errors.Is(err, ErrFinished) || !strings.Contains(err.Error(), "records a run that finished (succeeded,") || !strings.Contains(err.Error(), "--fresh") {
		t.Fatalf("error %v", err)
	}
	old, _ := os.ReadFile(path)
	j2, _ := open(t, path, Options{Fresh: true})
	if j2.Recorded() != 0 {
		t.Errorf("a fresh journal holds %d calls", j2.Recorded())
	}
	if kept, _ := os.ReadFile(path + ".old"); string(kept) != string(old) {
		t.Errorf("the old journal was not kept as .old")
	}
	if recs := lines(t, path); len(recs) != 1 || recs[0]["journal"] != "octostar" {
		t.Errorf("fresh journal %v", recs)
	}
}

func TestFailedRunStaysResumable(t *testing.T) {
	w := newWorld(t)
	path := journalPath(t)
	j, _ := open(t, path, Options{})
	oct := Wrap(w.client(t, "default"), j)
	rel, err := oct.CreateRelease(at("1"), octopus.CreateReleaseRequest{Project: "Api"})
	if err != nil {
		t.Fatal(err)
	}
	// A typo fails the script at its second call.
	_, err = oct.Deploy(at("2"), octopus.DeployRequest{Project: "Api", Release: rel, Environments: []string{"Developmnet"}})
	if err == nil {
		t.Fatal("deploying to a misspelt environment worked")
	}
	j.Finish(Failed, err)
	j.Close()
	if recs := lines(t, path); recs[len(recs)-1]["outcome"] != "failed" {
		t.Errorf("last record %v", recs[len(recs)-1])
	}

	// Fixed and run again: the release is not made twice, and the call
	// that failed is replaced by the corrected one.
	j2, _ := open(t, path, Options{})
	oct2 := Wrap(w.client(t, "default"), j2)
	rel2, err := oct2.CreateRelease(at("1"), octopus.CreateReleaseRequest{Project: "Api"})
	if err != nil || rel2.ID != rel.ID {
		t.Fatalf("replayed %+v, %v", rel2, err)
	}
	runs, err := oct2.Deploy(at("2"), octopus.DeployRequest{Project: "Api", Release: rel2, Environments: []string{"Development"}})
	if err != nil || len(runs) != 1 {
		t.Fatalf("the corrected call: %+v, %v", runs, err)
	}
	if n := len(w.releases(t, "Api")); n != 1 {
		t.Errorf("%d releases of Api, want 1", n)
	}
	j2.Finish(Succeeded, nil)
	j2.Close()
	// And the journal of the two runs reads back whole.
	if _, err := Open(path, Options{}); !errors.Is(err, ErrFinished) {
		t.Errorf("reopening: %v", err)
	}
}

func TestOneRunAtATime(t *testing.T) {
	path := journalPath(t)
	open(t, path, Options{})
	_, err := Open(path, Options{})
	if err == nil || !strings.Contains(err.Error(), "is in use by another octostar run") {
		t.Errorf("a second open: %v", err)
	}
}
