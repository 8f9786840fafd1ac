package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/octostar/octostar/builtins"
	"github.com/octostar/octostar/interp"
)

func runCmd(io stdio, args []string) int { return runScript(io, "run", args) }

// runScript is `run` and `plan` (plan.go): one wiring, so that a plan
// differs from a run only in the Octopus implementation of its targets.
func runScript(io stdio, name string, args []string) int {
	about := "Runs a script. print() writes to stdout; logs go to stderr."
	if name == "plan" {
		about = planAbout
	}
	fs := newFlags(io, name, "SCRIPT.star", about)
	var (
		rt      runtimeFlags
		tf      targetFlags
		logs    logFlags
		timeout time.Duration
		summary summaryFlags
		prog    string
		pl      planFlags
		jf      journalFlags
	)
	rt.register(fs)
	fs.DurationVar(&timeout, "timeout", 0, "cap on the whole run's wall time, e.g. 30m (0 means none)")
	summary.register(fs)
	pl.register(fs, name == "plan")
	jf.register(fs, name == "plan")
	fs.StringVar(&prog, "progress", "auto", "progress of tasks on stderr: auto, lines (one per state change) or none")
	tf.register(fs)
	logs.register(fs)
	var step stepFlags // octopusstep.go
	step.register(fs)
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
	st := step.begin(&io, os.Getenv) // inside an Octopus step, io now writes service messages
	defer st.close()
	table := liveTable(prog, &io) // on a terminal, stderr now writes above the table
	if table != nil {
		defer table.Close()
	}
	log, err := st.logger(&logs, io.err)
	if err != nil {
		return usageError(io, fs, "%v", err)
	}

	switch prog {
	case "auto", "lines":
	case "none":
	default:
		return usageError(io, fs, "--progress %q: want auto, lines or none", prog)
	}
	if err := jf.open(pl.active(), tf.sandbox != "", script, vars, log); err != nil {
		return usageError(io, fs, "%v", err)
	}
	defer jf.close()
	env, stopTargets, err := tf.setup(io, log, os.Getenv, jf.wrap(pl.wrap()))
	if err != nil {
		return usageError(io, fs, "%v", err)
	}
	defer stopTargets()
	switch {
	case table != nil:
		env.Display = table
	case prog != "none":
		env.Progress = io.err
	}
	st.attach(env, prog != "none")
	pl.tune(fs, env, log)

	ctx, stop := withSignals(context.Background())
	defer stop()
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, timeout, fmt.Errorf("the run timed out after %s (raise it with --timeout)", timeout))
		defer cancel()
	}
	env.Context = ctx

	runtime := interp.New(interp.Options{
		Registry:  builtins.Registry(),
		Globals:   builtins.Globals(vars),
		MaxSteps:  rt.maxSteps,
		MaxMemory: uint64(rt.maxMemory),
		Stdout:    pl.stdout(io.out),
		Locals:    env.Locals(),
	})
	log.Debug().Str("script", script).Int("vars", len(vars)).Msg("run")
	start := time.Now()
	_, err = runtime.ExecFile(ctx, script)
	if table != nil {
		table.Close() // the final table stays; what follows goes below it
	}
	for _, o := range env.Outputs() {
		log.Info().Str("name", o.Name).Str("value", o.Shown()).Msg("output")
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
	jf.finish(log, err, interrupted(ctx))
	if pl.active() {
		return pl.report(io, env, script, start, err, interrupted(ctx), code)
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
	st.finish(env, sum)
	return code
}
