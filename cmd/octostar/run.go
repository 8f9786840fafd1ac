package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/octostar/octostar/builtins"
	"github.com/octostar/octostar/interp"
)

func runCmd(io stdio, args []string) int {
	fs := newFlags(io, "run", "SCRIPT.star", "Runs a script. print() writes to stdout; logs go to stderr.")
	var (
		rt      runtimeFlags
		tf      targetFlags
		logs    logFlags
		timeout time.Duration
		summary summaryFlags
		prog    string
	)
	rt.register(fs)
	fs.DurationVar(&timeout, "timeout", 0, "cap on the whole run's wall time, e.g. 30m (0 means none)")
	summary.register(fs)
	fs.StringVar(&prog, "progress", "auto", "progress of tasks on stderr: auto, lines (one per state change) or none")
	tf.register(fs)
	logs.register(fs)
	if code, done := parseFlags(io, fs, args); done {
		return code
	}
	if fs.NArg() != 1 {
		return usageError(io, fs, "want exactly one script, got %d arguments", fs.NArg())
	}
	script := fs.Arg(0)
	if err := scriptArg(script); err != nil {
		return usageError(io, fs, "%v", err)
	}
	vars, err := parseVars(rt.vars)
	if err != nil {
		return usageError(io, fs, "%v", err)
	}
	if timeout < 0 {
		return usageError(io, fs, "--timeout %s: want a positive duration", timeout)
	}
	log, err := logs.logger(io.err)
	if err != nil {
		return usageError(io, fs, "%v", err)
	}

	switch prog {
	case "auto", "lines":
	case "none":
	default:
		return usageError(io, fs, "--progress %q: want auto, lines or none", prog)
	}
	env, stopTargets, err := tf.setup(io, log, os.Getenv, nil)
	if err != nil {
		return usageError(io, fs, "%v", err)
	}
	defer stopTargets()
	if prog != "none" {
		env.Progress = io.err
	}

	ctx, stop := withSignals(context.Background())
	defer stop()
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, timeout, fmt.Errorf("the run timed out after %s (raise it with --timeout)", timeout))
		defer cancel()
	}

	runtime := interp.New(interp.Options{
		Registry:  builtins.Registry(),
		Globals:   builtins.Globals(vars),
		MaxSteps:  rt.maxSteps,
		MaxMemory: uint64(rt.maxMemory),
		Stdout:    io.out,
		Locals:    env.Locals(),
	})
	log.Debug().Str("script", script).Int("vars", len(vars)).Msg("run")
	start := time.Now()
	_, err = runtime.ExecFile(ctx, script)
	for _, o := range env.Outputs() {
		log.Info().Str("name", o.Name).Str("value", o.Value.String()).Msg("output")
	}
	code := exitOK
	switch {
	case err == nil:
		log.Debug().Dur("elapsed", time.Since(start)).Msg("done")
	case interrupted(ctx):
		interp.Render(io.err, err)
		code = exitInterrupted
	default:
		interp.Render(io.err, err)
		code = exitFailed
	}
	// The summary is written whatever happened, so that a failed or
	// interrupted run still says what it did and what is still running.
	sum := env.Summary(script, start, err, interrupted(ctx))
	if err != nil {
		for _, a := range sum.Actions {
			if !a.Finished {
				fmt.Fprintf(io.err, "still running on the server: %s %s %s to %s (%s) %s\n", a.Action, a.Project, a.Release+a.Runbook, a.Environment, a.TaskID, a.URL)
			}
		}
	}
	if werr := summary.write(sum, os.Getenv); werr != nil {
		fmt.Fprintf(io.err, "octostar run: writing the summary: %v\n", werr)
		if code == exitOK {
			code = exitFailed
		}
	}
	return code
}
