package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The kill harness: a 30-project release train runs with --journal
// against `octostar sandbox` in its own process, is SIGKILLed at random
// moments, and is run again until it exits 0. Then the simulator is
// asked what exists: exactly one release per project, and exactly one
// deployment per project and environment. Release versions are left to
// the server, so a create sent twice would make a second release.
//
// OCTOSTAR_KILL_TRIALS sets the number of trials (default 3; `make
// kill-test` runs 100), OCTOSTAR_KILL_SEED the random seed.

const (
	killProjects = 30
	killAPIKey   = "API-KILLHARNESS0000000000001"
	killScript   = `# The release train the kill harness interrupts.
trains = []
for p in projects(group = "Train"):
    r = create_release(p.name)
    trains.append(deploy(p.name, to = "Development", release = r, wait = False))
wait(*trains)
tests = []
for d in trains:
    tests.append(deploy(d.project, to = "Test", release = d.release, wait = False))
wait(*tests)
`
	// attemptDeadline bounds one run of the train; one takes about two
	// seconds, plus two for each write whose answer a kill lost.
	attemptDeadline = 2 * time.Minute
)

// killSeed is the world: two environments in a lifecycle that deploys
// nothing by itself, and killProjects projects of one script step.
func killSeed() []byte {
	var projects []map[string]any
	for i := 1; i <= killProjects; i++ {
		projects = append(projects, map[string]any{"name": fmt.Sprintf("Service %02d", i), "group": "Train", "lifecycle": "Train",
			"steps": []map[string]string{{"name": "Deploy", "type": "script", "script": "echo deploy"}}})
	}
	seed := map[string]any{
		"adminApiKey":  killAPIKey,
		"environments": []map[string]string{{"name": "Development"}, {"name": "Test"}},
		"lifecycles": []map[string]any{{"name": "Train", "phases": []map[string]any{
			{"name": "Development", "optional": []string{"Development"}},
			{"name": "Test", "optional": []string{"Test"}}}}},
		"projectGroups": []map[string]string{{"name": "Train"}},
		"projects":      projects,
	}
	b, _ := json.MarshalIndent(seed, "", " ")
	return b
}

// sandboxProcess is `octostar sandbox` running in its own process.
type sandboxProcess struct {
	url string
	cmd *exec.Cmd
}

func startSandboxProcess(t *testing.T, bin, seed string, args ...string) *sandboxProcess {
	t.Helper()
	cmd := boundedCommand(t, 0, bin, append([]string{"sandbox", "--addr", "127.0.0.1:0", "--seed", seed, "--api-key", killAPIKey}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	// The banner comes at once; a sandbox that does not print it is
	// killed, which ends the read below.
	stuck := time.AfterFunc(processTimeout, func() { cmd.Process.Kill() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	stuck.Stop()
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "Octopus simulator serving at ")
	if err != nil || !ok {
		t.Fatalf("sandbox banner %q (%v); stderr:\n%s", line, err, stderr.String())
	}
	go io.Copy(io.Discard, stdout)
	return &sandboxProcess{url: url, cmd: cmd}
}

func (s *sandboxProcess) do(t *testing.T, method, path string, out any) {
	t.Helper()
	req, _ := http.NewRequest(method, s.url+path, nil)
	req.Header.Set("X-Octopus-ApiKey", killAPIKey)
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("%s %s: %s\n%s", method, path, resp.Status, body)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

// census counts, on the simulator, the releases of each project and the
// deployments of each project to each environment.
type census struct {
	releases    map[string]int // project name
	deployments map[string]int // project name + " to " + environment name
}

func (s *sandboxProcess) census(t *testing.T) census {
	t.Helper()
	var projects []struct{ Id, Name string }
	s.do(t, "GET", "/api/Spaces-1/projects/all", &projects)
	var envs []struct{ Id, Name string }
	s.do(t, "GET", "/api/Spaces-1/environments/all", &envs)
	projectName, envName := map[string]string{}, map[string]string{}
	for _, p := range projects {
		projectName[p.Id] = p.Name
	}
	for _, e := range envs {
		envName[e.Id] = e.Name
	}
	c := census{releases: map[string]int{}, deployments: map[string]int{}}
	for _, p := range projects {
		var page struct{ TotalResults int }
		s.do(t, "GET", "/api/Spaces-1/projects/"+p.Id+"/releases?take=1", &page)
		c.releases[p.Name] = page.TotalResults
	}
	var deps struct {
		TotalResults int
		Items        []struct{ ProjectId, EnvironmentId string }
	}
	s.do(t, "GET", "/api/Spaces-1/deployments?take=100000", &deps)
	if len(deps.Items) != deps.TotalResults {
		t.Fatalf("read %d of %d deployments", len(deps.Items), deps.TotalResults)
	}
	for _, d := range deps.Items {
		c.deployments[projectName[d.ProjectId]+" to "+envName[d.EnvironmentId]]++
	}
	return c
}

// problems lists what is not exactly one: duplicates and misses.
func (c census) problems() (duplicates, missing []string) {
	check := func(what string, n int) {
		switch {
		case n > 1:
			duplicates = append(duplicates, fmt.Sprintf("%s: %d", what, n))
		case n < 1:
			missing = append(missing, what)
		}
	}
	for i := 1; i <= killProjects; i++ {
		p := fmt.Sprintf("Service %02d", i)
		check("releases of "+p, c.releases[p])
		check("deployments of "+p+" to Development", c.deployments[p+" to Development"])
		check("deployments of "+p+" to Test", c.deployments[p+" to Test"])
	}
	return duplicates, missing
}

// attempt is one run of the train: started, then killed or finished.
type attempt struct {
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	start  time.Time
	done   chan struct{}
}

func startTrain(t *testing.T, bin, sandboxURL, journal, script string) *attempt {
	t.Helper()
	cmd := boundedCommand(t, 0, bin, "run", "--journal", journal, "--progress", "none", "--log-level", "warn",
		"--poll-interval", "50ms", "--max-poll-interval", "200ms", script)
	cmd.Env = append(os.Environ(), "OCTOPUS_URL="+sandboxURL, "OCTOPUS_API_KEY="+killAPIKey, "OCTOPUS_SPACE=",
		"OCTOSTAR_TARGETS="+filepath.Join(filepath.Dir(journal), "no-targets.json"))
	a := &attempt{cmd: cmd, stderr: &bytes.Buffer{}, done: make(chan struct{})}
	cmd.Stderr = a.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	a.start = time.Now()
	go func() { cmd.Wait(); close(a.done) }()
	return a
}

// wait waits for the run to end by itself and returns its exit code, or
// -1 when it outlived the deadline (it is then killed).
func (a *attempt) wait(deadline time.Duration) int {
	select {
	case <-a.done:
		return a.cmd.ProcessState.ExitCode()
	case <-time.After(deadline):
		a.cmd.Process.Kill()
		<-a.done
		return -1
	}
}

// ended reports whether the run has exited.
func (a *attempt) ended() bool {
	select {
	case <-a.done:
		return true
	default:
		return false
	}
}

// kill SIGKILLs the run and reports whether it was still running.
func (a *attempt) kill() bool {
	if a.ended() {
		return false
	}
	a.cmd.Process.Kill()
	<-a.done
	return a.cmd.ProcessState.ExitCode() == -1 // killed by a signal
}

func journalLines(path string) int {
	data, _ := os.ReadFile(path)
	return bytes.Count(data, []byte("\n"))
}

// journalFinished reports whether the journal's last record closes it.
func journalFinished(path string) bool {
	return strings.Contains(journalTail(path, 1), `"finished":true`)
}

func journalTail(path string, n int) string {
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	for i, l := range lines {
		if len(l) > 300 {
			lines[i] = l[:300] + "..."
		}
	}
	return strings.Join(lines, "\n")
}

// lostAnswers counts in a journal the writes found on the server after
// a kill, and those sent again because nothing showed they arrived.
func lostAnswers(path string) (found, resent int) {
	data, _ := os.ReadFile(path)
	begun := map[float64]int{}
	for line := range strings.SplitSeq(string(data), "\n") {
		var r map[string]any
		if json.Unmarshal([]byte(line), &r) != nil {
			continue
		}
		if r["recovered"] == true {
			found++
		}
		if seq, ok := r["seq"].(float64); ok && r["phase"] == "begin" {
			if begun[seq]++; begun[seq] == 2 {
				resent++
			}
		}
	}
	return found, resent
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("the kill harness runs the binary for several seconds")
	}
	trials := envInt("OCTOSTAR_KILL_TRIALS", 3)
	seed := uint64(envInt("OCTOSTAR_KILL_SEED", int(time.Now().UnixNano()%1_000_000)))
	t.Logf("kill harness: %d trials, OCTOSTAR_KILL_SEED=%d", trials, seed)
	bin := octostarBinary(t)
	dir := t.TempDir()
	seedPath := filepath.Join(dir, "train-world.json")
	script := filepath.Join(dir, "train.star")
	if err := os.WriteFile(seedPath, killSeed(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(script, []byte(killScript), 0o644); err != nil {
		t.Fatal(err)
	}
	// Twenty times faster than real time, with a little latency and ten
	// tasks at once: a train lasts about two seconds.
	sb := startSandboxProcess(t, bin, seedPath, "--speed", "20", "--latency", "3ms", "--task-cap", "10")

	// One undisturbed run gives the length that kill times are drawn from.
	calib := filepath.Join(dir, "calibration.journal")
	a := startTrain(t, bin, sb.url, calib, script)
	if code := a.wait(attemptDeadline); code != 0 {
		t.Fatalf("the undisturbed train exited %d:\n%s", code, a.stderr)
	}
	length := time.Since(a.start)
	if dup, miss := sb.census(t).problems(); len(dup)+len(miss) > 0 {
		t.Fatalf("the undisturbed train left duplicates %v and misses %v", dup, miss)
	}
	t.Logf("an undisturbed train takes %s", length.Round(time.Millisecond))

	rng := rand.New(rand.NewPCG(seed, 0x6b696c6c))
	var (
		kills, early, runs, found, resent int
		duplicates, missing               []string
		began                             = time.Now()
	)
	for trial := 1; trial <= trials; trial++ {
		sb.do(t, "POST", "/_octosim/reset", nil)
		sb.do(t, "DELETE", "/_octosim/stats", nil)
		journal := filepath.Join(dir, fmt.Sprintf("trial-%03d.journal", trial))
		planned := 1 + rng.IntN(3)
		var schedule []string
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("trial %d (OCTOSTAR_KILL_SEED=%d), kills %s: %s\njournal %s, last lines:\n%s",
				trial, seed, strings.Join(schedule, ", "), fmt.Sprintf(format, args...), journal, journalTail(journal, 8))
		}
		for n := 1; ; n++ {
			runs++
			if n > planned {
				a := startTrain(t, bin, sb.url, journal, script)
				if code := a.wait(attemptDeadline); code != 0 {
					fail("run %d exited %d (want 0) after %s; stderr:\n%s", n, code, time.Since(a.start).Round(time.Millisecond), a.stderr)
				}
				break
			}
			// A quarter of the kills land among the first records this
			// run writes; the others anywhere in a train's length.
			before := journalLines(journal)
			a := startTrain(t, bin, sb.url, journal, script)
			var when string
			if rng.IntN(4) == 0 {
				more := 1 + rng.IntN(8)
				for journalLines(journal) < before+more && !a.ended() && time.Since(a.start) < attemptDeadline {
					time.Sleep(time.Millisecond)
				}
				if !a.ended() && journalLines(journal) < before+more {
					// Neither wrote nor ended in a train's worth of time
					// many times over: stuck, not slow.
					a.kill()
					fail("run %d wrote %d of the %d new records awaited in %s and did not end; stderr:\n%s",
						n, journalLines(journal)-before, more, attemptDeadline, a.stderr)
				}
				when = fmt.Sprintf("after %d new records (%s)", more, time.Since(a.start).Round(time.Millisecond))
				early++
			} else {
				at := time.Duration(rng.Int64N(int64(length)))
				select {
				case <-a.done:
				case <-time.After(at):
				}
				when = "at " + at.Round(time.Millisecond).String()
			}
			if a.kill() {
				kills++
				if journalFinished(journal) {
					// Killed on its way out: the train had finished.
					schedule = append(schedule, when+" (after it finished)")
					break
				}
				schedule = append(schedule, when)
				continue
			}
			// It finished before the kill: the trial is over.
			schedule = append(schedule, when+" (too late: it had finished)")
			if code := a.cmd.ProcessState.ExitCode(); code != 0 {
				fail("run %d exited %d (want 0); stderr:\n%s", n, code, a.stderr)
			}
			break
		}
		if data, _ := os.ReadFile(journal); bytes.Contains(data, []byte(strings.TrimPrefix(killAPIKey, "API-"))) {
			fail("the journal holds the API key")
		}
		f, r := lostAnswers(journal)
		found, resent = found+f, resent+r
		dup, miss := sb.census(t).problems()
		if len(dup)+len(miss) > 0 {
			duplicates, missing = append(duplicates, dup...), append(missing, miss...)
			fail("duplicates %v, missing %v", dup, miss)
		}
	}
	t.Logf("%d trials in %s: %d runs, %d SIGKILLs (%d among a run's first records); writes whose answer a kill lost: %d found on the server, %d sent again because they had not arrived; duplicate releases or deployments: %d; missing: %d",
		trials, time.Since(began).Round(time.Second), runs, kills, early, found, resent, len(duplicates), len(missing))
}
