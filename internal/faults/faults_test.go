package faults

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/octostar/octostar/internal/testbin"
)

var (
	resultsMu sync.Mutex
	results   []*Result
)

// TestMain prints the results table after the fault tests, for `make
// fault-test` and docs/reliability.md.
func TestMain(m *testing.M) {
	code := m.Run()
	resultsMu.Lock()
	if len(results) > 0 {
		fmt.Printf("\nFault tests: %d projects per train, simulator seed %d, %s, %s/%s, %d CPUs:\n\n%s\n",
			results[0].Projects, results[0].RandSeed, time.Now().UTC().Format("2006-01-02"), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), Table(results))
	}
	resultsMu.Unlock()
	testbin.Cleanup()
	os.Exit(code)
}

// octostarBinary is cmd/octostar, built once with the race detector when
// the tests have it; $OCTOSTAR_FAULT_BINARY names another build to test
// instead (an older one, to compare).
func octostarBinary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("OCTOSTAR_FAULT_BINARY"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("OCTOSTAR_FAULT_BINARY: %v", err)
		}
		return p
	}
	return testbin.Octostar(t, raceEnabled)
}

// randSeed is the simulator's seed: 1, or $OCTOSTAR_FAULT_SEED to see
// the faults strike other requests.
func randSeed(t *testing.T) uint64 {
	v := os.Getenv("OCTOSTAR_FAULT_SEED")
	if v == "" {
		return 1
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n == 0 {
		t.Fatalf("OCTOSTAR_FAULT_SEED=%q: want a whole number above 0", v)
	}
	return n
}

// TestFaults runs the 50-project train under each fault. Each must end
// complete or with a report that matches the server, with no release or
// deployment made twice.
func TestFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("the fault trains run the octostar binary for about 40 s in all; skipped in -short mode")
	}
	for _, sc := range Scenarios {
		t.Run(sc.ID, func(t *testing.T) {
			dir := t.TempDir()
			res, err := Run(t.Context(), Config{Binary: octostarBinary(t), Dir: dir, RandSeed: randSeed(t)}, sc)
			if err != nil {
				t.Fatal(err)
			}
			resultsMu.Lock()
			results = append(results, res)
			resultsMu.Unlock()
			t.Logf("%s (%s): %s in %s; %d requests, injected: %s; %d retries seen; %d releases, %d deployments on the server; duplicates: %d releases, %d deployments",
				sc.Fault, sc.Setting, res.Outcome(), res.Wall.Round(100*time.Millisecond), res.Requests, res.InjectedText(),
				res.Retries, res.Releases, res.Deployments, res.DuplicateReleases, res.DuplicateDeployments)
			if res.Summary != nil && res.Summary.Error != "" {
				t.Logf("the run's error:\n%s", res.Summary.Error)
			}
			for _, n := range res.Notes {
				t.Logf("note: %s", n)
			}
			if !res.Struck() {
				t.Errorf("the fault never struck (%d requests, nothing injected): the run proves nothing", res.Requests)
			}
			if len(res.Problems) > 0 {
				t.Errorf("%d broken promise(s):\n- %s\nstderr ends:\n%s", len(res.Problems), strings.Join(res.Problems, "\n- "), tail(res.Stderr, 15))
			}
		})
	}
}
