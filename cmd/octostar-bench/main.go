// Command octostar-bench is the release-train benchmark (`make bench`):
// octostar against the server's lower bound and against the official
// CLI's pattern, on the Octopus simulator. It prints figures and exits 0
// whether or not the targets are met; it exits 1 only when the scenario
// itself breaks, and 2 on a usage error. See docs/performance.md.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/octostar/octostar/internal/bench"
)

func main() {
	// The CLI-pattern arm runs in a child: this binary, re-executed.
	if len(os.Args) > 1 && os.Args[1] == bench.CLIArmFlag {
		os.Exit(bench.CLIArmMain(os.Stdin, os.Stdout, os.Stderr, os.Getenv))
	}
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	cfg := bench.DefaultConfig()
	var jsonPath string
	fs := pflag.NewFlagSet("octostar-bench", pflag.ContinueOnError)
	fs.IntVarP(&cfg.Projects, "projects", "n", cfg.Projects, "projects in the release train")
	fs.DurationVar(&cfg.TaskDuration, "task-duration", cfg.TaskDuration, "real time each deployment task holds a task-cap slot")
	fs.DurationVar(&cfg.Latency, "latency", cfg.Latency, "delay the simulator adds to every API response (the train only; the 2,000-task wait has none)")
	fs.IntVar(&cfg.TaskCap, "task-cap", cfg.TaskCap, "the simulator's task cap (Octopus's default is 5)")
	fs.IntVar(&cfg.MaxParallel, "max-parallel", cfg.MaxParallel, "octostar's --max-parallel for the train (0: no cap)")
	fs.IntVar(&cfg.CLIWorkers, "cli-workers", cfg.CLIWorkers, "CLI command sequences the CLI pattern runs at once")
	fs.DurationVar(&cfg.CLIPollInterval, "cli-poll-interval", cfg.CLIPollInterval, "the CLI pattern's task wait --poll-interval (the CLI's default is 10s)")
	fs.BoolVar(&cfg.SkipCLI, "skip-cli", false, "skip the CLI pattern")
	fs.BoolVar(&cfg.SkipWait, "skip-2000", false, "skip the 2,000-task wait")
	fs.StringVar(&cfg.Octostar, "octostar", "", "octostar binary to measure (default: build ./cmd/octostar into a temporary folder)")
	fs.StringVar(&jsonPath, "json", "", "also write the figures as JSON to this file")
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "Usage: octostar-bench [flags]\n\nRuns the release-train benchmark and prints its figures (docs/performance.md).\n\n%s", fs.FlagUsages())
	}
	if err := fs.Parse(args); err != nil {
		if err == pflag.ErrHelp {
			return 0
		}
		fmt.Fprintf(os.Stderr, "octostar-bench: %v\n", err)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "octostar-bench: takes no arguments, got %q\n", fs.Args())
		return 2
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintf(os.Stderr, "octostar-bench: %v\n", err)
		return 2
	}
	cfg.Log = os.Stderr

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := bench.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintf(os.Stderr, "octostar-bench: %v\n", err)
		return 1
	}
	if err := rep.WriteText(os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "octostar-bench: %v\n", err)
		return 1
	}
	if jsonPath != "" {
		f, err := os.Create(jsonPath)
		if err == nil {
			err = rep.WriteJSON(f)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "octostar-bench: --json: %v\n", err)
			return 1
		}
	}
	return 0
}
