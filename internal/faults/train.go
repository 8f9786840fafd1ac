// Package faults runs octostar's release train against the Octopus
// simulator while the simulator misbehaves (5xx answers, latency spikes,
// connections reset after the write was made, a restart, failing tasks)
// and checks the two promises a release manager needs: the run ends
// complete or says exactly what it did and did not do, and it never
// creates a release or a deployment twice, counted on the simulator
// through the official Go client.
//
// It runs the real octostar binary, not the builtins in-process, so that
// what is tested is what users run: the command's flags and target set-up,
// the default HTTP transport under the retry transport of
// internal/octopus, the exit code, the error on stderr and the
// --summary-json file written on failure.
package faults

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/octostar/octostar/internal/octosim"
)

// Scenario is one fault and how the simulator is made to produce it.
type Scenario struct {
	ID      string // short name, used as the subtest name
	Fault   string // what goes wrong, for the table
	Setting string // the knob settings, for the table
	// Knobs changes the simulator's knobs for the whole run.
	Knobs func(k *octosim.Knobs)
	// RestartAfter > 0 stops the simulator once, right after it has
	// answered that many release creations, for Down.
	RestartAfter int
	Down         time.Duration
}

// Scenarios are the faults of issue 8, each at the setting the issue
// names.
var Scenarios = []Scenario{
	{ID: "5xx", Fault: "5% of answers are 5xx", Setting: "FaultRate 0.05",
		Knobs: func(k *octosim.Knobs) { k.FaultRate = 0.05 }},
	{ID: "spikes", Fault: "latency spikes", Setting: "SpikeRate 0.05, SpikeLatency 3s",
		Knobs: func(k *octosim.Knobs) { k.SpikeRate, k.SpikeLatency = 0.05, octosim.Duration(3*time.Second) }},
	{ID: "resets", Fault: "connections reset mid-response", Setting: "ResetRate 0.05",
		Knobs: func(k *octosim.Knobs) { k.ResetRate = 0.05 }},
	{ID: "restart", Fault: "the simulator restarts, state kept", Setting: "down 2 s once, after the 25th release",
		RestartAfter: 25, Down: 2 * time.Second},
	{ID: "task-failures", Fault: "tasks fail", Setting: "StepFailureRate 0.1",
		Knobs: func(k *octosim.Knobs) { k.StepFailureRate = 0.1 }},
}

// Config is how a scenario is run. Zero fields take the defaults.
type Config struct {
	Binary    string        // the octostar binary (required)
	Dir       string        // where the script, summary and logs go (required)
	Projects  int           // the train's length; default 50
	RandSeed  uint64        // the simulator's generator; default 1
	TimeScale float64       // simulated time speed; default 100 (a task takes about 50 ms)
	Timeout   time.Duration // the run's --timeout; default 3m
}

func (c *Config) defaults() {
	if c.Projects == 0 {
		c.Projects = 50
	}
	if c.RandSeed == 0 {
		c.RandSeed = 1
	}
	if c.TimeScale == 0 {
		c.TimeScale = 100
	}
	if c.Timeout == 0 {
		c.Timeout = 3 * time.Minute
	}
}

// trainGroup holds the train's projects.
const trainGroup = "Train"

// TrainScript is the release train. create_release gets no version, so
// the server picks the next one: a blind second send would make a second
// release, which is what the resets must not cause.
const TrainScript = `# The fault tests' release train (internal/faults): a release of every
# project, its version chosen by the server, to Development all at once;
# when all have landed, every one on to Test.
released = []
for p in projects(group = "Train"):
    r = create_release(p.name)
    deploy(p.name, to = "Development", release = r, wait = False)
    released.append(r)
wait()

for rel in released:
    deploy(rel.project, to = "Test", release = rel, wait = False)
wait()
`

// Seed is the train's world: n projects of one script step, whose
// lifecycle lets a release into Test only after Development succeeded,
// with nothing automatic, so that every deployment is the run's.
func Seed(n int, apiKey string) *octosim.Seed {
	seed := &octosim.Seed{
		AdminAPIKey:   apiKey,
		Environments:  []octosim.SeedEnvironment{{Name: "Development"}, {Name: "Test"}},
		ProjectGroups: []octosim.SeedProjectGroup{{Name: trainGroup}},
		Lifecycles: []octosim.SeedLifecycle{{Name: "Train", Phases: []octosim.SeedPhase{
			{Name: "Development", Optional: []string{"Development"}},
			{Name: "Test", Optional: []string{"Test"}},
		}}},
	}
	for i := range n {
		seed.Projects = append(seed.Projects, octosim.SeedProject{
			Name: ProjectName(i, n), Group: trainGroup, Lifecycle: "Train",
			Steps: []octosim.SeedStep{{Name: "Deploy", Type: "script", Syntax: "Bash", Script: "echo deployed"}},
		})
	}
	return seed
}

// ProjectName is the i-th project (from 0) of n, zero-padded so that the
// names sort in train order.
func ProjectName(i, n int) string {
	return fmt.Sprintf("Service %0*d", len(fmt.Sprint(n)), i+1)
}

// Run runs the train once under sc and checks the outcome. An error
// means the harness itself could not run (a simulator that would not
// start, a binary that would not execute); what went wrong in the run is
// in the Result's Problems.
func Run(ctx context.Context, cfg Config, sc Scenario) (*Result, error) {
	cfg.defaults()
	if cfg.Binary == "" || cfg.Dir == "" {
		return nil, errors.New("faults.Run: Config.Binary and Config.Dir are required")
	}
	key := octosim.NewAPIKey()
	srv, err := octosim.New(Seed(cfg.Projects, key), octosim.WithRandSeed(cfg.RandSeed),
		octosim.WithTimeScale(cfg.TimeScale), octosim.WithRequestLogSize(200_000))
	if err != nil {
		return nil, fmt.Errorf("building the simulator: %w", err)
	}
	sim, err := StartSim(srv)
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("serving the simulator: %w", err)
	}
	defer sim.Close()

	// restarted gets the restart's outcome once a stop was made.
	restarted := make(chan error, 1)
	var stopped atomic.Bool
	if sc.RestartAfter > 0 {
		var mu sync.Mutex
		created := 0
		sim.onEachAnswer(func(e exchange) {
			if e.method != "POST" || !strings.Contains(e.path, "/releases/create/v1") || e.status >= 300 || e.aborted {
				return
			}
			mu.Lock()
			created++
			due := created == sc.RestartAfter
			mu.Unlock()
			if due && stopped.CompareAndSwap(false, true) {
				// Stopped here, in the handler, once the answer is
				// flushed, so that no other request slips in between.
				sim.Stop()
				go func() { time.Sleep(sc.Down); restarted <- sim.Start() }()
			}
		})
	}
	k := srv.Knobs()
	if sc.Knobs != nil {
		sc.Knobs(&k)
	}
	if err := srv.SetKnobs(k); err != nil {
		return nil, fmt.Errorf("scenario %s: %w", sc.ID, err)
	}

	script := filepath.Join(cfg.Dir, "train.star")
	summaryPath := filepath.Join(cfg.Dir, "summary.json")
	if err := os.WriteFile(script, []byte(TrainScript), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, cfg.Binary, "run", "--server", sim.URL, "--summary-json", summaryPath,
		"--progress", "none", "--poll-interval", "25ms", "--max-poll-interval", "250ms",
		"--timeout", cfg.Timeout.String(), script)
	// Only what the run needs: no targets file, no credentials or
	// GitHub summary from the caller's environment.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + cfg.Dir, "XDG_CONFIG_HOME=" + cfg.Dir,
		"OCTOPUS_API_KEY=" + key, "GORACE=exitcode=66"}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	runErr := cmd.Run()
	res := &Result{Scenario: sc, Wall: time.Since(start), Dir: cfg.Dir, Projects: cfg.Projects, RandSeed: cfg.RandSeed,
		Stdout: stdout.String(), Stderr: stderr.String()}
	_ = os.WriteFile(filepath.Join(cfg.Dir, "stderr.txt"), []byte(res.Stderr), 0o644)
	var exitErr *exec.ExitError
	switch {
	case runErr == nil:
	case errors.As(runErr, &exitErr):
		res.Exit = exitErr.ExitCode()
	default:
		return nil, fmt.Errorf("running %s: %w", cfg.Binary, runErr)
	}

	// The restart, if any, is over before the world is read; then the
	// faults are turned off so that counting is not disturbed.
	switch {
	case stopped.Load():
		select {
		case err := <-restarted:
			if err != nil {
				return nil, err
			}
		case <-time.After(sc.Down + 10*time.Second):
			return nil, fmt.Errorf("scenario %s: the simulator did not come back after its stop", sc.ID)
		}
	case sc.RestartAfter > 0:
		res.Notes = append(res.Notes, fmt.Sprintf("no restart: the run ended before the simulator had answered %d release creations", sc.RestartAfter))
	}
	if err := srv.SetKnobs(octosim.Knobs{TimeScale: cfg.TimeScale}); err != nil {
		return nil, err
	}
	res.readSimulator(sim)
	w, err := observe(sim.URL, key, srv.DefaultSpaceID())
	if err != nil {
		return nil, fmt.Errorf("counting on the simulator: %w", err)
	}
	res.check(summaryPath, w)
	return res, nil
}

// Struck reports whether the scenario's fault happened at all: a run the
// fault never touched proves nothing.
func (r *Result) Struck() bool {
	return len(r.Injected) > 0 || r.FailedTasks > 0 || r.Downtime > 0
}

// readSimulator takes the request counts, the faults the simulator
// injected (from its own log) and the retries (from the log in front of
// it).
func (r *Result) readSimulator(sim *Sim) {
	stats := sim.Server.Stats()
	r.Requests = stats.Requests
	r.Injected, r.OnWrites = map[string]int{}, map[string]int{}
	for _, e := range stats.Log {
		if e.Injected == "" {
			continue
		}
		for name := range strings.SplitSeq(e.Injected, "+") {
			r.Injected[name]++
			if e.Method == "POST" {
				r.OnWrites[name]++
			}
		}
	}
	down := sim.outages()
	r.Retries = retries(sim.log.snapshot(), down)
	for _, o := range down {
		r.Downtime += o.to.Sub(o.from)
	}
}
