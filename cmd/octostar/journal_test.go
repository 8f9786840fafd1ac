package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/octostar/octostar/internal/octopus"
	"github.com/octostar/octostar/internal/octosim"
	"github.com/octostar/octostar/internal/octosim/simtest"
)

const journalKey = "API-JOURNALCMDTEST0000000001"

// journalWorld serves one project that may go to Development and Test.
func journalWorld(t *testing.T) string {
	t.Helper()
	_, url := simtest.ServeJSON(t, `{
	  "adminApiKey": "`+journalKey+`",
	  "environments": [{"name": "Development"}, {"name": "Test"}],
	  "lifecycles": [{"name": "Open", "phases": [{"name": "Anywhere", "optional": ["Development", "Test"]}]}],
	  "projects": [{"name": "Api", "lifecycle": "Open", "steps": [{"name": "Run", "type": "script", "script": "echo"}]}]
	}`, octosim.WithInstantTasks())
	return url
}

func TestJournalFlags(t *testing.T) {
	s := script(t, "print('hi')\n")
	tests := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"run", "--fresh", s}, "--fresh starts a new journal: give --journal FILE with it"},
		{[]string{"run", "--plan", "--journal", filepath.Join(t.TempDir(), "j"), s}, "--journal cannot be used with --plan"},
		{[]string{"plan", "--journal", "j", s}, "unknown flag: --journal"},
		{[]string{"run", "--sandbox", "--journal", filepath.Join(t.TempDir(), "j"), s}, "--journal cannot be used with --sandbox"},
	}
	for _, tt := range tests {
		code, _, stderr := call(t, "", tt.args...)
		if code != exitUsage || !strings.Contains(stderr, tt.wantErr) {
			t.Errorf("%v: exit %d, stderr:\n%s\nwant %q", tt.args, code, stderr, tt.wantErr)
		}
	}
}

// TestJournalRuns takes one journal through a failed run, a run whose
// --var makes a different call, a resumed run that finishes, a run of
// the finished journal, and a fresh start.
func TestJournalRuns(t *testing.T) {
	url := journalWorld(t)
	journal := filepath.Join(t.TempDir(), "train.journal")
	s := script(t, `r = create_release("Api")
d = deploy("Api", to = vars.get("env", "Development"), release = r, wait = False)
if vars.get("stop") == "yes":
    fail("stopped on purpose")
wait(d)
print(r.version, d.environment)
`)
	run := func(extra ...string) (int, string, string) {
		args := append([]string{"run", "--server", url, "--api-key", journalKey, "--journal", journal, "--progress", "none",
			"--poll-interval", "10ms"}, extra...)
		return call(t, "", append(args, s)...)
	}
	client, err := octopus.New(octopus.Config{URL: url, APIKey: journalKey})
	if err != nil {
		t.Fatal(err)
	}
	count := func() (releases, deployments int) {
		rs, err := client.FindReleases(context.Background(), octopus.ReleaseSearch{Project: "Api"})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			ds, err := client.FindRuns(context.Background(), octopus.RunSearch{Kind: octopus.KindDeployment, Project: "Api", Release: r})
			if err != nil {
				t.Fatal(err)
			}
			deployments += len(ds)
		}
		return len(rs), deployments
	}

	code, _, stderr := run("--var", "stop=yes")
	if code != exitFailed || !strings.Contains(stderr, "stopped on purpose") || !strings.Contains(stderr, "run the same command again to resume") {
		t.Fatalf("first run: exit %d\n%s", code, stderr)
	}

	code, _, stderr = run("--var", "stop=yes", "--var", "env=Test")
	for _, want := range []string{"call 2 differs from the journal (the script or its --var values changed since the journal was written)",
		"the script now makes Deploy at " + s + ":2, the journal has Deploy at " + s + ":2 (line 4)",
		`args.Environments[0]: now "Test", was "Development"`, "--fresh"} {
		if code != exitFailed || !strings.Contains(stderr, want) {
			t.Errorf("diverging run: exit %d, stderr lacks %q:\n%s", code, want, stderr)
		}
	}

	code, stdout, stderr := run()
	if code != exitOK || stdout != "0.0.1 Development\n" {
		t.Fatalf("resumed run: exit %d, stdout %q\n%s", code, stdout, stderr)
	}
	if r, d := count(); r != 1 || d != 1 {
		t.Errorf("after resuming: %d releases, %d deployments; want 1 and 1", r, d)
	}

	code, _, stderr = run()
	if code != exitUsage || !strings.Contains(stderr, "records a run that finished (succeeded,") || !strings.Contains(stderr, "--fresh") {
		t.Errorf("finished journal: exit %d\n%s", code, stderr)
	}

	code, stdout, stderr = run("--fresh")
	if code != exitOK || stdout != "0.0.2 Development\n" {
		t.Errorf("fresh run: exit %d, stdout %q\n%s", code, stdout, stderr)
	}
	for _, path := range []string{journal, journal + ".old"} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), journalKey) || strings.Contains(string(data), strings.TrimPrefix(journalKey, "API-")) {
			t.Errorf("%s holds the API key:\n%s", path, data)
		}
		if !strings.Contains(string(data), `"finished":true`) {
			t.Errorf("%s does not say it finished", path)
		}
	}
}

// TestJournalResumesAWaitForAnIntervention: a run that waited for an
// intervention, answered it and then failed resumes to the same
// answer. The wait's early stop reads the run's state through the
// journal: read live, it would see the deployment long finished and
// stop before reaching the recorded answer.
func TestJournalResumesAWaitForAnIntervention(t *testing.T) {
	// Slow enough that the first look comes before the deployment
	// reaches its approval.
	_, url := demoWorldAt(t, 100)
	journal := filepath.Join(t.TempDir(), "approve.journal")
	s := script(t, `deploy("Payments API", to = "Staging", release = "1.2.0")
p = deploy("Payments API", to = "Production", release = "1.2.0", wait = False)
print("answered", len(intervene(p, "proceed", notes = "CAB-1", wait = "10m")))
print(wait(p)[0].state)
if vars.get("stop") == "yes":
    fail("stopped on purpose")
`)
	run := func(extra ...string) (int, string, string) {
		args := append([]string{"run", "--server", url, "--api-key", octosim.DemoAdminAPIKey, "--journal", journal,
			"--progress", "none", "--poll-interval", "10ms"}, extra...)
		return call(t, "", append(args, s)...)
	}
	code, stdout, stderr := run("--var", "stop=yes")
	if code != exitFailed || stdout != "answered 1\nSuccess\n" || !strings.Contains(stderr, "stopped on purpose") {
		t.Fatalf("first run: exit %d, stdout %q\n%s", code, stdout, stderr)
	}
	data, _ := os.ReadFile(journal)
	if n := strings.Count(string(data), `"op":"Interventions"`); n < 2 {
		t.Fatalf("the first run found the intervention at its first look, so the resume proves nothing:\n%s", data)
	}
	code, stdout, stderr = run()
	if code != exitOK || stdout != "answered 1\nSuccess\n" {
		t.Fatalf("resumed run: exit %d, stdout %q\n%s", code, stdout, stderr)
	}
}
