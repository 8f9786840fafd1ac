package main

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/octostar/octostar/internal/servicemsg"
)

// The suite must not switch into step mode because it happens to run
// inside an Octopus step itself.
func init() { os.Unsetenv(stepEnvVar) }

// updatingGolden reports whether -update was given (the flag is shared
// with the other golden tests of this package).
func updatingGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

func TestOctopusStepDetection(t *testing.T) {
	src := "print('hi')\noutput('n', 1)\n"
	tests := []struct {
		name     string
		env      bool // OctopusCalamariWorkingDirectory set
		flags    []string
		wantStep bool
		wantCode int
	}{
		{name: "outside Octopus", wantStep: false},
		{name: "inside a step", env: true, wantStep: true},
		{name: "inside a step, turned off", env: true, flags: []string{"--octopus=false"}, wantStep: false},
		{name: "forced outside Octopus", flags: []string{"--octopus"}, wantStep: true},
		{name: "forced with a value", flags: []string{"--octopus=true"}, wantStep: true},
		{name: "bad value", flags: []string{"--octopus=sometimes"}, wantCode: exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			if err := os.WriteFile("s.star", []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			if tt.env {
				t.Setenv(stepEnvVar, dir)
			}
			code, out, errOut := call(t, "", append(append([]string{"run"}, tt.flags...), "s.star")...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tt.wantCode, out, errOut)
			}
			if code != exitOK {
				return
			}
			step := strings.Contains(out, "##octopus[setVariable ")
			if step != tt.wantStep {
				t.Errorf("service messages: %v, want %v\nstdout:\n%s", step, tt.wantStep, out)
			}
			_, err := os.Stat(filepath.Join(dir, summaryArtifact))
			if (err == nil) != tt.wantStep {
				t.Errorf("summary artifact written: %v, want %v", err == nil, tt.wantStep)
			}
			if tt.wantStep && errOut != "" {
				t.Errorf("a step run wrote to stderr, which Octopus logs as errors:\n%s", errOut)
			}
			if !tt.wantStep && out != "hi\n" {
				t.Errorf("stdout %q, want the print only", out)
			}
		})
	}
}

// TestOctopusStepBadWorkingFolder: a working folder that is a file (or
// cannot be read) leaves the summary unattached, with a warning in the
// task log; the run itself still succeeds.
func TestOctopusStepBadWorkingFolder(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("s.star", []byte("print('hi')\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	notAFolder := filepath.Join(dir, "file")
	if err := os.WriteFile(notAFolder, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(stepEnvVar, notAFolder)
	code, out, errOut := call(t, "", "run", "s.star")
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	want := "octostar: the summary is not attached: the step's working folder " + notAFolder + ": lstat " + notAFolder + "/octostar-summary.md: not a directory"
	if !strings.Contains(out, "##octopus[stdout-warning]") || !strings.Contains(out, want) {
		t.Errorf("stdout lacks the warning %q:\n%s", want, out)
	}
}

func TestOctopusStepLogLevels(t *testing.T) {
	var out strings.Builder
	st := &octopusStep{msgs: servicemsg.NewWriter(&out)}
	for _, format := range []string{"console", "json"} {
		log, err := st.logger(&logFlags{level: "trace", format: format}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if format == "json" {
			log = zerolog.New(&stepLog{msgs: st.msgs, json: true}) // no timestamp, for a stable comparison
		}
		log.Trace().Msg("polling")
		log.Debug().Str("task", "ServerTasks-1").Msg("task state")
		log.Info().Str("project", "Web").Msg("deploy")
		log.Warn().Msg("cancelled by fail_fast")
		log.Error().Msg("no such project")
		log.Log().Msg("no level")
	}
	want := `##octopus[stdout-verbose]
polling
##octopus[stdout-default]
##octopus[stdout-verbose]
task state task=ServerTasks-1
##octopus[stdout-default]
deploy project=Web
##octopus[stdout-warning]
cancelled by fail_fast
##octopus[stdout-default]
##octopus[stdout-error]
no such project
##octopus[stdout-default]
no level
##octopus[stdout-verbose]
{"level":"trace","message":"polling"}
##octopus[stdout-default]
##octopus[stdout-verbose]
{"level":"debug","task":"ServerTasks-1","message":"task state"}
##octopus[stdout-default]
{"level":"info","project":"Web","message":"deploy"}
##octopus[stdout-warning]
{"level":"warn","message":"cancelled by fail_fast"}
##octopus[stdout-default]
##octopus[stdout-error]
{"level":"error","message":"no such project"}
##octopus[stdout-default]
{"message":"no level"}
`
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}
	if _, err := st.logger(&logFlags{level: "loud", format: "console"}, nil); err == nil {
		t.Error("a bad --log-level was accepted in a step")
	}
}

func TestOctopusStepProgress(t *testing.T) {
	var out strings.Builder
	st := &octopusStep{msgs: servicemsg.NewWriter(&out)}
	for _, c := range [][2]int{{0, 2}, {1, 2}, {1, 2}, {1, 4}, {2, 4}, {4, 4}} {
		st.tasks(c[0], c[1])
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		m, err := servicemsg.Parse(l)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := m.Attr("percentage")
		msg, _ := m.Attr("message")
		got = append(got, p+"% "+msg)
	}
	want := []string{"50% 1 of 2 tasks finished", "50% 2 of 4 tasks finished", "100% 4 of 4 tasks finished"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("progress %q, want %q", got, want)
	}
}

// stepScripts are whole runs inside a (simulated) Octopus step.
var stepScripts = map[string]string{
	"succeeded": `# Two deployments one after the other, and outputs for the next steps.
api = deploy("Payments API", to = "Development")
print("%s %s: %s" % (api.project, api.version, api.state))
web = deploy("Checkout Web", to = "Development", wait = False)
done = wait(web)
print("%s %s: %s" % (done[0].project, done[0].version, done[0].state))
output("released", [api.version, done[0].version])
output("count", 2)
output("notes", "quoting ##octopus[stdout-ignore] is harmless")
output("token", "s3cr3t-value", sensitive = True)
`,
	"failed": `output("started", True)
print("deploying a release that fails its checks")
deploy("Fraud Detection", to = "Staging", release = "0.9.0")
`,
}

// TestOctopusStepRunGolden runs whole scripts with --octopus on the
// sandbox and compares stdout, with what varies from run to run
// normalized, with testdata/servicemsg/run_*.golden. Then it reads the
// messages back as Octopus would and checks what they say.
func TestOctopusStepRunGolden(t *testing.T) {
	goldenDir, err := filepath.Abs(filepath.Join("..", "..", "testdata", "servicemsg"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"succeeded", "failed"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			t.Setenv(stepEnvVar, dir)
			t.Setenv(stepNameEnvVar, "Run octostar")
			if err := os.WriteFile("s.star", []byte(stepScripts[name]), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := call(t, "", "run", "--octopus", "--sandbox", "--sandbox-speed", "1000", "--poll-interval", "10ms", "s.star")
			wantCode := map[string]int{"succeeded": exitOK, "failed": exitFailed}[name]
			if code != wantCode {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, wantCode, out, errOut)
			}
			if errOut != "" {
				t.Errorf("a step run wrote to stderr, which Octopus logs as errors:\n%s", errOut)
			}

			msgs, text := readStep(t, out)
			vars := map[string]servicemsg.Message{}
			var artifact, result servicemsg.Message
			for _, m := range msgs {
				switch m.Name {
				case servicemsg.NameSetVariable:
					n, _ := m.Attr("name")
					vars[n] = m
				case servicemsg.NameCreateArtifact:
					artifact = m
				case servicemsg.NameResultMessage:
					result = m
				}
			}
			checkArtifact(t, artifact, dir)
			for _, l := range text {
				if strings.Contains(strings.ToLower(l), "##octopus") {
					t.Errorf("a text line holds a service message: %q", l)
				}
			}
			switch name {
			case "succeeded":
				wantVars := map[string][2]string{ // value, sensitive
					"released": {`["1.2.0","2.2.0"]`, ""},
					"count":    {"2", ""},
					"notes":    {"quoting ##octopus[stdout-ignore] is harmless", ""},
					"token":    {"s3cr3t-value", "True"},
				}
				for n, w := range wantVars {
					v, _ := vars[n].Attr("value")
					s, _ := vars[n].Attr("sensitive")
					if v != w[0] || s != w[1] {
						t.Errorf("output variable %s = %q sensitive=%q, want %q sensitive=%q", n, v, s, w[0], w[1])
					}
				}
				if len(vars) != len(wantVars) {
					t.Errorf("output variables: %v", vars)
				}
				for _, l := range text {
					if strings.Contains(l, "s3cr3t") {
						t.Errorf("the sensitive output shows in the log: %q", l)
					}
				}
				if result.Name != "" {
					t.Errorf("a succeeded run sent %s", result)
				}
			case "failed":
				v, _ := vars["started"].Attr("value")
				if v != "true" {
					t.Errorf("output variable started = %q, want true", v)
				}
				why, _ := result.Attr("message")
				if !strings.HasPrefix(why, "octostar s.star failed: deploy: Fraud Detection 0.9.0 to Staging ended Failed") {
					t.Errorf("result message %q", why)
				}
				if !strings.Contains(out, "##octopus[stdout-error]\nTraceback") {
					t.Errorf("the error is not logged as an error:\n%s", out)
				}
			}
			// No API key anywhere: not in the output, not in a message's
			// decoded values, not in the artifact.
			var decoded strings.Builder
			for _, m := range msgs {
				for _, a := range m.Attrs {
					decoded.WriteString(a.Value + "\n")
				}
			}
			summary, _ := os.ReadFile(filepath.Join(dir, summaryArtifact))
			for what, s := range map[string]string{"stdout": out, "decoded messages": decoded.String(), "artifact": string(summary)} {
				if strings.Contains(s, "API-") {
					t.Errorf("%s holds something that looks like an API key:\n%s", what, s)
				}
			}

			got := normalizeStep(t, out, dir)
			path := filepath.Join(goldenDir, "run_"+name+".golden")
			if updatingGolden() {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./cmd/octostar -run TestOctopusStep -update)", err)
			}
			if got != string(want) {
				t.Errorf("stdout differs from %s (run go test ./cmd/octostar -run TestOctopusStep -update after an intended change)\ngot:\n%s\nwant:\n%s", path, got, want)
			}
		})
	}
}

// readStep splits a step's stdout into its messages, each of which must
// parse, and its text lines.
func readStep(t *testing.T, out string) (msgs []servicemsg.Message, text []string) {
	t.Helper()
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if !strings.HasPrefix(l, servicemsg.Prefix) {
			text = append(text, l)
			continue
		}
		m, err := servicemsg.Parse(l)
		if err != nil {
			t.Errorf("Octopus would drop %q: %v", l, err)
			continue
		}
		msgs = append(msgs, m)
	}
	return msgs, text
}

// checkArtifact checks that the summary is attached by absolute path,
// with its size, and shows no secret.
func checkArtifact(t *testing.T, m servicemsg.Message, dir string) {
	t.Helper()
	path, _ := m.Attr("path")
	name, _ := m.Attr("name")
	length, _ := m.Attr("length")
	if path != filepath.Join(dir, summaryArtifact) || name != summaryArtifact {
		t.Fatalf("createArtifact %q named %q, want %s in %s", path, name, summaryArtifact, dir)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if length != strconv.Itoa(len(data)) {
		t.Errorf("artifact length %s, file has %d bytes", length, len(data))
	}
	if !strings.HasPrefix(string(data), "## octostar: s.star ") || strings.Contains(string(data), "s3cr3t") {
		t.Errorf("summary artifact:\n%s", data)
	}
}

var (
	// stateLine is a progress line for a state a fast task may skip
	// between two polls.
	stateLine = regexp.MustCompile(`: (Queued|Executing)$`)
	port      = regexp.MustCompile(`127\.0\.0\.1:\d+`)
	elapsed   = regexp.MustCompile(`\b(after|in) \d[0-9.µnmsh]*\b`)
)

// normalizeStep replaces what differs between runs: the sandbox's port,
// durations, the working folder, the artifact's length (checked
// separately), and progress lines for states a poll may miss. Values
// inside messages are decoded, normalized and encoded again, so the
// golden file keeps the exact form Octopus reads.
func normalizeStep(t *testing.T, out, dir string) string {
	t.Helper()
	text := func(s string) string {
		s = strings.ReplaceAll(s, dir, "/WORKDIR")
		s = port.ReplaceAllString(s, "127.0.0.1:PORT")
		return elapsed.ReplaceAllString(s, "$1 DURATION")
	}
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if stateLine.MatchString(l) {
			continue
		}
		if m, err := servicemsg.Parse(l); err == nil {
			for i, a := range m.Attrs {
				m.Attrs[i].Value = text(a.Value)
				if m.Name == servicemsg.NameCreateArtifact && a.Name == "length" {
					m.Attrs[i].Value = "LENGTH"
				}
			}
			l = m.String()
		} else {
			l = text(l)
		}
		b.WriteString(l + "\n")
	}
	return b.String()
}
