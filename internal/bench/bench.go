// Package bench is the release-train benchmark behind `make bench`
// (cmd/octostar-bench). It measures octostar against the lower bound the
// server sets and against what users do today with the official octopus
// CLI, on the Octopus simulator run as a separate process, and prints
// figures; it fails only when the scenario itself breaks, never because
// the machine is slow.
package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Config is the benchmark's scenario. Zero values take the defaults of
// DefaultConfig when run.
type Config struct {
	Projects        int           // N, the train's projects
	TaskDuration    time.Duration // real time a task holds its slot
	Latency         time.Duration // added to every API response
	TaskCap         int           // the simulator's task cap
	MaxParallel     int           // octostar's --max-parallel for the train
	CLIWorkers      int           // CLI command sequences run at once
	CLIPollInterval time.Duration // the CLI's task wait --poll-interval
	SkipCLI         bool
	SkipWait        bool // skip the 2,000-task wait
	// Octostar is the octostar binary; "" builds one into a temporary
	// folder (`go build`, so the current folder must be in the module).
	Octostar string
	// WaitProjects and WaitTaskDuration shape the 2,000-task wait: each
	// project deploys to 10 environments at once.
	WaitProjects     int
	WaitTaskDuration time.Duration
	// Self re-executes the running binary for the CLI-pattern arm; it
	// must answer CLIArmFlag. Default: os.Executable().
	Self string
	// Log receives progress lines (nil: none).
	Log io.Writer
}

// DefaultConfig is the scenario of `make bench`.
func DefaultConfig() Config {
	return Config{
		Projects: 200, TaskDuration: time.Second, Latency: 20 * time.Millisecond, TaskCap: 5, MaxParallel: 10,
		CLIWorkers: 5, CLIPollInterval: time.Second, WaitProjects: 200, WaitTaskDuration: 10 * time.Second,
	}
}

// Validate reports the first setting that cannot work, naming its flag.
func (c Config) Validate() error {
	switch {
	case c.Projects < 1:
		return fmt.Errorf("-n %d: want at least 1 project", c.Projects)
	case c.TaskDuration <= 0:
		return fmt.Errorf("--task-duration %s: want more than 0", c.TaskDuration)
	case c.Latency < 0:
		return fmt.Errorf("--latency %s: want 0 or more", c.Latency)
	case c.TaskCap < 1:
		return fmt.Errorf("--task-cap %d: want at least 1", c.TaskCap)
	case c.MaxParallel < 0:
		return fmt.Errorf("--max-parallel %d: want 0 (no cap) or more", c.MaxParallel)
	case c.CLIWorkers < 1:
		return fmt.Errorf("--cli-workers %d: want at least 1", c.CLIWorkers)
	case c.CLIPollInterval <= 0:
		return fmt.Errorf("--cli-poll-interval %s: want more than 0", c.CLIPollInterval)
	case c.WaitProjects < 1:
		return fmt.Errorf("wait projects %d: want at least 1", c.WaitProjects)
	case c.WaitTaskDuration <= 0:
		return fmt.Errorf("wait task duration %s: want more than 0", c.WaitTaskDuration)
	}
	return nil
}

// trainEnvironments are the train's waves, in order.
var trainEnvironments = []string{"Development", "Test"}

// releaseVersion is the version every release of the benchmark gets.
const releaseVersion = "1.0.0"

// Run runs the benchmark and returns its report. An error means the
// scenario broke (a build, a simulator, a failed deployment); a missed
// target is in the report, not an error.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	r := &runner{cfg: cfg, log: cfg.Log}
	if r.log == nil {
		r.log = io.Discard
	}
	dir, err := os.MkdirTemp("", "octostar-bench-")
	if err != nil {
		return nil, err
	}
	r.dir = dir
	rep, err := r.run(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w\n(files of this run kept in %s)", err, dir)
	}
	_ = os.RemoveAll(dir)
	return rep, nil
}

type runner struct {
	cfg      Config
	log      io.Writer
	dir      string
	octostar string
	apiKey   string
}

func (r *runner) logf(format string, args ...any) {
	fmt.Fprintf(r.log, "bench: %s "+format+"\n", append([]any{time.Now().Format("15:04:05.000")}, args...)...)
}

func (r *runner) run(ctx context.Context) (*Report, error) {
	cfg := r.cfg
	var err error
	if r.apiKey, err = newAPIKey(); err != nil {
		return nil, err
	}
	if r.octostar, err = r.binary(ctx); err != nil {
		return nil, err
	}
	for name, text := range map[string]string{"train.star": trainScript, "wait_all.star": waitScript} {
		if err := os.WriteFile(filepath.Join(r.dir, name), []byte(text), 0o644); err != nil {
			return nil, err
		}
	}
	speed := speedFor(cfg.TaskDuration)
	rep := &Report{
		Date: time.Now().UTC().Format("2006-01-02 15:04 MST"), Platform: runtime.GOOS + "/" + runtime.GOARCH, CPUs: runtime.NumCPU(),
		Setup: Setup{
			Projects: cfg.Projects, Environments: trainEnvironments, TaskCap: cfg.TaskCap,
			TaskDurationSeconds: cfg.TaskDuration.Seconds(), PickupSeconds: simPickupDelay.Seconds() / speed,
			LatencyMs: float64(cfg.Latency) / float64(time.Millisecond), Speed: speed, MaxParallel: cfg.MaxParallel,
			CLIWorkers: cfg.CLIWorkers, CLIPollSeconds: cfg.CLIPollInterval.Seconds(),
			WaitProjects: cfg.WaitProjects, WaitEnvironments: wideEnvironments,
			WaitTaskDurationSeconds: cfg.WaitTaskDuration.Seconds(), WaitSpeed: speedFor(cfg.WaitTaskDuration),
		},
		Bound: NewBound(cfg.Projects, len(trainEnvironments), cfg.TaskCap, cfg.TaskDuration),
	}

	seed := filepath.Join(r.dir, "train.json")
	if err := writeSeed(seed, TrainSeed(cfg.Projects, r.apiKey)); err != nil {
		return nil, err
	}
	sim, err := startSimulator(ctx, r.octostar, simOptions{Seed: seed, APIKey: r.apiKey, Latency: cfg.Latency, TaskCap: cfg.TaskCap, Speed: speed})
	if err != nil {
		return nil, err
	}
	defer sim.Stop()
	r.logf("simulator for the train at %s (task cap %d, latency %s, speed %g)", sim.URL, cfg.TaskCap, cfg.Latency, speed)

	if rep.Octostar, err = r.octostarArm(ctx, sim, "train.star", TrainGroup, cfg.MaxParallel, cfg.Projects*len(trainEnvironments)); err != nil {
		return nil, fmt.Errorf("octostar arm: %w", err)
	}
	rep.Octostar.Name = "octostar"
	rep.Octostar.Detail = fmt.Sprintf("octostar run --max-parallel %d scripts/bench/train.star", cfg.MaxParallel)
	if !cfg.SkipCLI {
		if rep.CLI, err = r.cliArm(ctx, sim); err != nil {
			return nil, fmt.Errorf("CLI-pattern arm: %w", err)
		}
	}
	sim.Stop()

	if !cfg.SkipWait {
		if rep.Wait, err = r.waitArm(ctx); err != nil {
			return nil, fmt.Errorf("2,000-task wait: %w", err)
		}
	}
	rep.evaluate()
	return rep, nil
}

// binary is the octostar binary to measure: the one given, or a fresh
// build of this module's cmd/octostar.
func (r *runner) binary(ctx context.Context) (string, error) {
	if r.cfg.Octostar != "" {
		if _, err := os.Stat(r.cfg.Octostar); err == nil {
			return filepath.Abs(r.cfg.Octostar)
		}
		path, err := exec.LookPath(r.cfg.Octostar)
		if err != nil {
			return "", fmt.Errorf("--octostar %s: no such file, nor a program on PATH", r.cfg.Octostar)
		}
		return path, nil
	}
	out := filepath.Join(r.dir, "octostar")
	if runtime.GOOS == "windows" {
		out += ".exe"
	}
	r.logf("building octostar into %s", r.dir)
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "github.com/octostar/octostar/cmd/octostar")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building octostar (go build ./cmd/octostar; give --octostar PATH to use a built one): %v\n%s", err, tail(string(msg), 20))
	}
	return out, nil
}

// octostarArm runs one of the scripts with the octostar binary against
// sim, from a freshly reset world, and checks that it started and
// finished every task it should have.
func (r *runner) octostarArm(ctx context.Context, sim *simulator, script, group string, maxParallel, wantTasks int) (*Arm, error) {
	if err := sim.ResetWorld(ctx); err != nil {
		return nil, err
	}
	summary := filepath.Join(r.dir, strings.TrimSuffix(script, ".star")+".summary.json")
	stderrPath := filepath.Join(r.dir, strings.TrimSuffix(script, ".star")+".stderr")
	stderr, err := os.Create(stderrPath)
	if err != nil {
		return nil, err
	}
	defer stderr.Close()
	cmd := exec.CommandContext(ctx, r.octostar, "run", "--server", sim.URL, "--space", "Default",
		"--max-parallel", fmt.Sprint(maxParallel), "--progress", "none", "--summary-json", summary,
		"--var", "group="+group, "--var", "version="+releaseVersion, filepath.Join(r.dir, script))
	cmd.Env = childEnv([]string{"OCTOPUS_API_KEY=" + r.apiKey, "OCTOSTAR_TARGETS=" + filepath.Join(r.dir, "no-targets.json")})
	cmd.Stdout, cmd.Stderr = stderr, stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	r.logf("octostar: %s (%d tasks)", script, wantTasks)
	start := time.Now()
	runErr := cmd.Run()
	wall := time.Since(start)
	if runErr != nil {
		logText, _ := os.ReadFile(stderrPath)
		return nil, fmt.Errorf("octostar run %s: %v\n%s", script, runErr, tail(string(logText), 20))
	}
	if err := checkSummary(summary); err != nil {
		return nil, err
	}
	arm, err := r.measure(ctx, sim, wall, peakRSS(cmd.ProcessState), wantTasks)
	if err != nil {
		return nil, err
	}
	r.logf("octostar: done in %s, %d requests", wall.Round(time.Millisecond), arm.Requests)
	return arm, nil
}

// runSummary is the part of octostar's --summary-json the benchmark
// checks.
type runSummary struct {
	Outcome string `json:"outcome"`
	Error   string `json:"error"`
	Actions []struct {
		Action      string `json:"action"`
		Project     string `json:"project"`
		Environment string `json:"environment"`
		State       string `json:"state"`
		Error       string `json:"error"`
		Finished    bool   `json:"finished"`
	} `json:"actions"`
}

// checkSummary reads octostar's --summary-json and fails unless the run
// succeeded with every action finished.
func checkSummary(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading octostar's summary: %w", err)
	}
	var sum runSummary
	if err := json.Unmarshal(data, &sum); err != nil {
		return fmt.Errorf("decoding octostar's summary %s: %w", path, err)
	}
	if sum.Outcome != "succeeded" {
		return fmt.Errorf("octostar's summary says the run %s: %s", sum.Outcome, sum.Error)
	}
	for _, a := range sum.Actions {
		if !a.Finished || a.Error != "" {
			return fmt.Errorf("octostar's summary: %s %s to %s did not finish cleanly (state %q, error %q)", a.Action, a.Project, a.Environment, a.State, a.Error)
		}
	}
	return nil
}

// measure reads the counters first (so that the checks' own requests do
// not count), then checks the server's deployment tasks.
func (r *runner) measure(ctx context.Context, sim *simulator, wall time.Duration, rss int64, wantTasks int) (*Arm, error) {
	total, routes, err := sim.Requests(ctx)
	if err != nil {
		return nil, err
	}
	ts, err := sim.DeployTasks(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkTasks(ts, wantTasks); err != nil {
		return nil, err
	}
	d, inFlight, running := summarise(ts)
	return &Arm{WallSeconds: wall.Seconds(), Requests: total, Routes: routes, PeakRSSBytes: rss,
		Tasks: len(ts), TaskSeconds: d, PeakInFlight: inFlight, PeakRunning: running}, nil
}

// checkTasks fails unless the server holds exactly want deployment tasks,
// all successful.
func checkTasks(ts []serverTask, want int) error {
	if len(ts) != want {
		return fmt.Errorf("the simulator holds %d deployment tasks, want %d", len(ts), want)
	}
	var bad []string
	for _, t := range ts {
		if t.State != "Success" {
			bad = append(bad, fmt.Sprintf("%s %q: %s %s", t.ID, t.Description, t.State, t.ErrorMessage))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%d of %d deployments did not succeed on the simulator, e.g. %s", len(bad), want, bad[0])
	}
	return nil
}

// cliArm runs the CLI pattern in a child process against sim, from a
// freshly reset world, and checks its count against the server's.
func (r *runner) cliArm(ctx context.Context, sim *simulator) (*Arm, error) {
	cfg := r.cfg
	if err := sim.ResetWorld(ctx); err != nil {
		return nil, err
	}
	self := cfg.Self
	if self == "" {
		var err error
		if self, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("finding this program to run the CLI pattern: %w", err)
		}
	}
	job := cliJob{URL: sim.URL, Space: "Default", Projects: projectNames(TrainGroup, cfg.Projects), Version: releaseVersion,
		Environments: trainEnvironments, Workers: cfg.CLIWorkers, PollInterval: cfg.CLIPollInterval}
	in, err := json.Marshal(job)
	if err != nil {
		return nil, err
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, self, CLIArmFlag)
	cmd.Env = childEnv([]string{"OCTOPUS_API_KEY=" + r.apiKey})
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(in), &stdout, &stderr
	want := cfg.Projects * len(trainEnvironments)
	r.logf("CLI pattern: %d workers, %s polls (%d tasks)", cfg.CLIWorkers, cfg.CLIPollInterval, want)
	start := time.Now()
	runErr := cmd.Run()
	wall := time.Since(start)
	if runErr != nil {
		return nil, fmt.Errorf("%s %s: %v\n%s", self, CLIArmFlag, runErr, tail(stderr.String(), 20))
	}
	var res CLIResult
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		return nil, fmt.Errorf("decoding the CLI pattern's result: %w (stderr: %s)", err, tail(stderr.String(), 5))
	}
	arm, err := r.measure(ctx, sim, wall, peakRSS(cmd.ProcessState), want)
	if err != nil {
		return nil, err
	}
	if got := res.TotalRequests(); got != arm.Requests {
		return nil, fmt.Errorf("the CLI pattern counted %d requests, the simulator %d", got, arm.Requests)
	}
	arm.Name = "CLI pattern"
	arm.Detail = fmt.Sprintf("octopus release create, release deploy, task wait per project (go-octopusdeploy); %d workers and %s polls, generous to the CLI (its default: one at a time, 10s polls)",
		cfg.CLIWorkers, cfg.CLIPollInterval)
	arm.CLI = &res
	r.logf("CLI pattern: done in %s, %d requests", wall.Round(time.Millisecond), arm.Requests)
	return arm, nil
}

// waitArm is the memory scenario: octostar waiting on WaitProjects x 10
// tasks at once, on a simulator of its own with no latency and a task cap
// that lets every task run.
func (r *runner) waitArm(ctx context.Context) (*Arm, error) {
	cfg := r.cfg
	tasks := cfg.WaitProjects * wideEnvironments
	seed := filepath.Join(r.dir, "wide.json")
	if err := writeSeed(seed, WideSeed(cfg.WaitProjects, r.apiKey)); err != nil {
		return nil, err
	}
	speed := speedFor(cfg.WaitTaskDuration)
	sim, err := startSimulator(ctx, r.octostar, simOptions{Seed: seed, APIKey: r.apiKey, TaskCap: tasks, Speed: speed})
	if err != nil {
		return nil, err
	}
	defer sim.Stop()
	r.logf("simulator for the wait at %s (task cap %d, no latency, speed %g)", sim.URL, tasks, speed)
	arm, err := r.octostarArm(ctx, sim, "wait_all.star", WideGroup, 0, tasks)
	if err != nil {
		return nil, err
	}
	arm.Name = fmt.Sprintf("octostar, %s-task wait", thousands(tasks))
	arm.Detail = fmt.Sprintf("octostar run --max-parallel 0 scripts/bench/wait_all.star: %d projects x %d environments in one deploy() each, task cap %d, latency 0, tasks of %s",
		cfg.WaitProjects, wideEnvironments, tasks, cfg.WaitTaskDuration)
	return arm, nil
}

// newAPIKey makes an administrator key for this run only ("API-" and 26
// capital letters or digits). It is never printed.
func newAPIKey() (string, error) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 26)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("making an API key: %w", err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "API-" + string(b), nil
}
