package bench

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/octostar/octostar/internal/octosim"
)

const testKey = "API-BENCHTEST0000000000000000"

// The seeds must pass the simulator's strict parser and build a world
// with what the scenarios rely on.
func TestSeedsBuild(t *testing.T) {
	for _, tc := range []struct {
		name     string
		seed     *octosim.Seed
		projects int
		envs     int
		group    string
	}{
		{"train", TrainSeed(12, testKey), 12, 2, TrainGroup},
		{"wide", WideSeed(3, testKey), 3, wideEnvironments, WideGroup},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "seed.json")
			if err := writeSeed(path, tc.seed); err != nil {
				t.Fatal(err)
			}
			seed, err := octosim.LoadSeed(path)
			if err != nil {
				t.Fatalf("the simulator refuses the seed: %v", err)
			}
			if got := len(seed.Projects); got != tc.projects {
				t.Errorf("projects = %d, want %d", got, tc.projects)
			}
			if got := len(seed.Environments); got != tc.envs {
				t.Errorf("environments = %d, want %d", got, tc.envs)
			}
			for _, p := range seed.Projects {
				if p.Group != tc.group || len(p.Steps) != 1 || p.Steps[0].Type != "script" {
					t.Errorf("project %q: group %q, %d steps; want group %q and one script step", p.Name, p.Group, len(p.Steps), tc.group)
				}
			}
			srv, err := octosim.New(seed)
			if err != nil {
				t.Fatalf("building the world: %v", err)
			}
			defer srv.Close()
			if srv.AdminAPIKey() != testKey {
				t.Errorf("admin key not taken from the seed")
			}
			if got := srv.Stats().Documents["Projects"]; got != tc.projects {
				t.Errorf("world has %d projects, want %d", got, tc.projects)
			}
			if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
				t.Errorf("seed file mode %v: others may read the API key", fi.Mode().Perm())
			}
		})
	}
}

// The train's lifecycle: nothing automatic, Development before Test.
func TestTrainLifecycle(t *testing.T) {
	lc := TrainSeed(1, testKey).Lifecycles[0]
	data, _ := json.Marshal(lc)
	if strings.Contains(string(data), "automatic") {
		t.Errorf("the train's lifecycle deploys automatically: %s", data)
	}
	if len(lc.Phases) != 2 || lc.Phases[0].Optional[0] != "Development" || lc.Phases[1].Optional[0] != "Test" {
		t.Errorf("phases = %+v, want Development then Test", lc.Phases)
	}
}

func TestProjectNames(t *testing.T) {
	for _, tc := range []struct {
		n     int
		first string
		last  string
	}{
		{5, "Train Service 1", "Train Service 5"},
		{20, "Train Service 01", "Train Service 20"},
		{200, "Train Service 001", "Train Service 200"},
	} {
		names := projectNames(TrainGroup, tc.n)
		if names[0] != tc.first || names[len(names)-1] != tc.last {
			t.Errorf("n=%d: names %q..%q, want %q..%q", tc.n, names[0], names[len(names)-1], tc.first, tc.last)
		}
		// A partial-name search for one name must find only it.
		for _, a := range names {
			hits := 0
			for _, b := range names {
				if strings.Contains(b, a) {
					hits++
				}
			}
			if hits != 1 {
				t.Fatalf("n=%d: %q is part of %d names", tc.n, a, hits)
			}
		}
	}
}

func TestSpeedFor(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want float64
	}{{time.Second, 10}, {100 * time.Millisecond, 100}, {10 * time.Second, 1}} {
		if got := speedFor(tc.d); got != tc.want {
			t.Errorf("speedFor(%s) = %g, want %g", tc.d, got, tc.want)
		}
	}
}

// The Go copies of the scripts are what scripts/bench holds.
func TestScriptsMatchRepo(t *testing.T) {
	for file, text := range map[string]string{"train.star": trainScript, "wait_all.star": waitScript} {
		data, err := os.ReadFile(filepath.Join("..", "..", "scripts", "bench", file))
		if err != nil {
			t.Fatal(err)
		}
		if string(data) != text {
			t.Errorf("scripts/bench/%s differs from its copy in scripts.go: update the copy", file)
		}
	}
}
