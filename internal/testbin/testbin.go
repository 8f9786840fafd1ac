// Package testbin builds the octostar command for tests that need it as
// a real process (signals, kills, a step template run by Bash, faults).
package testbin

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

var (
	once sync.Once
	path string
	err  error
)

// buildTimeout: a build that takes this long is stuck (a lock, a module
// fetch with no network); it fails rather than stall every test.
const buildTimeout = 5 * time.Minute

// Octostar returns cmd/octostar built once per test process (with the
// race detector when race is true; the first call decides), failing tb
// if it cannot be built.
func Octostar(tb testing.TB, race bool) string {
	tb.Helper()
	once.Do(func() { path, err = build(race) })
	if err != nil {
		tb.Fatalf("building octostar: %v", err)
	}
	return path
}

func build(race bool) (string, error) {
	dir, err := os.MkdirTemp("", "octostar-test-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "octostar")
	args := []string{"build", "-o", bin}
	if race {
		args = append(args, "-race")
	}
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", append(args, "github.com/octostar/octostar/cmd/octostar")...)
	cmd.WaitDelay = 5 * time.Second
	cmd.Dir = moduleRoot() // a test may have moved to a folder outside the module
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go %v: %v\n%s", args, err, out)
	}
	return bin, nil
}

// moduleRoot is the folder of go.mod: two up from this file's.
func moduleRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Cleanup removes the build; call it from TestMain after m.Run.
func Cleanup() {
	if path != "" {
		os.RemoveAll(filepath.Dir(path))
	}
}
