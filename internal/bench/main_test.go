package bench

import (
	"os"
	"testing"
)

// TestMain lets the test binary stand in for cmd/octostar-bench when the
// end-to-end test re-executes it for the CLI-pattern arm.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == CLIArmFlag {
		os.Exit(CLIArmMain(os.Stdin, os.Stdout, os.Stderr, os.Getenv))
	}
	os.Exit(m.Run())
}
