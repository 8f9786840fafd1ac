package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/octostar/octostar/internal/octosim"
)

// Worlds the benchmark seeds the simulator with. Every project has one
// script step whose simulated duration is fixed (the Octosim.Duration
// property), so every task holds a task-cap slot for exactly
// stepSimDuration / speed of real time.
const (
	// TrainGroup holds the projects of the release train.
	TrainGroup = "Train"
	// WideGroup holds the projects of the 2,000-task wait.
	WideGroup = "Wide"
	// stepSimDuration is the script step's simulated duration. The
	// simulator adds a pickup delay of 1 s (simulated) while a task is
	// queued; 10 s keeps it at a tenth of the task, and it overlaps the
	// previous task whenever the client keeps the queue fed.
	stepSimDuration = 10 * time.Second
	// simPickupDelay is the simulator's pickup delay (engine.go).
	simPickupDelay = time.Second
	// wideEnvironments is how many environments each project of the
	// 2,000-task wait deploys to at once.
	wideEnvironments = 10
)

// speedFor is the simulator's --speed that makes a task hold its slot
// for d of real time.
func speedFor(d time.Duration) float64 {
	return float64(stepSimDuration) / float64(d)
}

// projectName numbers projects with a fixed width so that a partial-name
// search (what the official CLI falls back to) finds exactly one, and
// with spaces so that, as for most real project names, a lookup by name
// in the URL misses (Octopus resolves IDs and slugs there, not names).
func projectName(group string, i, n int) string {
	width := len(fmt.Sprint(n))
	return fmt.Sprintf("%s Service %0*d", group, width, i+1)
}

// projectNames lists the n project names of a group in order.
func projectNames(group string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = projectName(group, i, n)
	}
	return out
}

func benchStep() octosim.SeedStep {
	return octosim.SeedStep{
		Name: "Run script", Type: "script", Syntax: "Bash", Script: "echo deployed",
		Properties: map[string]string{octosim.PropSimDuration: stepSimDuration.String()},
	}
}

// TrainSeed is the release train's world: n projects in group Train whose
// lifecycle has two phases, Development then Test, neither automatic, so
// a release reaches Test only after a successful deployment to
// Development and nothing deploys unless the client asks.
func TrainSeed(n int, apiKey string) *octosim.Seed {
	seed := &octosim.Seed{
		AdminAPIKey:   apiKey,
		Environments:  []octosim.SeedEnvironment{{Name: "Development"}, {Name: "Test"}},
		ProjectGroups: []octosim.SeedProjectGroup{{Name: TrainGroup}},
		Lifecycles: []octosim.SeedLifecycle{{Name: "Train", Description: "Development, then Test; both manual.",
			Phases: []octosim.SeedPhase{
				{Name: "Development", Optional: []string{"Development"}},
				{Name: "Test", Optional: []string{"Test"}},
			}}},
	}
	for _, name := range projectNames(TrainGroup, n) {
		seed.Projects = append(seed.Projects, octosim.SeedProject{Name: name, Group: TrainGroup, Lifecycle: "Train",
			Steps: []octosim.SeedStep{benchStep()}})
	}
	return seed
}

// WideSeed is the 2,000-task wait's world: n projects in group Wide whose
// lifecycle has one phase holding ten environments, so one deploy() call
// starts ten tasks.
func WideSeed(n int, apiKey string) *octosim.Seed {
	seed := &octosim.Seed{
		AdminAPIKey:   apiKey,
		ProjectGroups: []octosim.SeedProjectGroup{{Name: WideGroup}},
	}
	var envs []string
	for i := range wideEnvironments {
		name := fmt.Sprintf("Region %02d", i+1)
		envs = append(envs, name)
		seed.Environments = append(seed.Environments, octosim.SeedEnvironment{Name: name})
	}
	seed.Lifecycles = []octosim.SeedLifecycle{{Name: "Wide", Description: "Every region at once.",
		Phases: []octosim.SeedPhase{{Name: "Regions", Optional: envs}}}}
	for _, name := range projectNames(WideGroup, n) {
		seed.Projects = append(seed.Projects, octosim.SeedProject{Name: name, Group: WideGroup, Lifecycle: "Wide",
			Steps: []octosim.SeedStep{benchStep()}})
	}
	return seed
}

// writeSeed writes a seed as the JSON `octostar sandbox --seed` reads.
// The file holds the API key, so only its owner may read it.
func writeSeed(path string, seed *octosim.Seed) error {
	data, err := json.MarshalIndent(seed, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the seed: %w", err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("writing the seed: %w", err)
	}
	return nil
}
