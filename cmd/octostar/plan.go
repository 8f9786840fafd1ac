package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/pflag"

	"github.com/octostar/octostar/builtins"
	"github.com/octostar/octostar/internal/octopus"
	"github.com/octostar/octostar/internal/plan"
)

const planAbout = "Plans a script: runs it against the real target, reading from it, but records every change " +
	"(release, deployment, runbook run, answer) instead of sending it, assuming each succeeds. Prints the numbered " +
	"actions with their script lines, then what the plan could not know. print() still writes to stdout."

// planCmd is `octostar plan`: `run` with every target's client wrapped
// in a plan.Recorder. It shares run's flags and wiring (runScript).
func planCmd(io stdio, args []string) int { return runScript(io, "plan", args) }

// planFlags turn a run into a plan. Only the command looks at them: the
// builtins see an Octopus implementation and nothing else.
type planFlags struct {
	on   bool
	json string
	book *plan.Book
	out  *countingWriter
}

func (p *planFlags) register(fs *pflag.FlagSet, always bool) {
	p.on = always
	if always {
		fs.StringVar(&p.json, "plan-json", "", "write the plan as JSON to this file too (docs/plans.md)")
		return
	}
	fs.BoolVar(&p.on, "plan", false, "plan instead of run, as octostar plan: read from the target, record every change instead of sending it, print the plan")
	fs.StringVar(&p.json, "plan-json", "", "write the plan as JSON to this file (implies --plan)")
}

// active reports whether this is a plan.
func (p *planFlags) active() bool { return p.on || p.json != "" }

// wrap is the wrapper for every target's client: nil for a run.
func (p *planFlags) wrap() func(octopus.Octopus) octopus.Octopus {
	if !p.active() {
		return nil
	}
	p.book = plan.NewBook()
	return p.book.Wrap
}

// tune adapts the run's Env to a plan: planned tasks end at once, so the
// first poll need not wait a second unless --poll-interval says so.
func (p *planFlags) tune(fs *pflag.FlagSet, env *builtins.Env, log zerolog.Logger) {
	if !p.active() {
		return
	}
	if !fs.Changed("poll-interval") {
		env.PollMin = time.Millisecond
	}
	if fs.Changed("summary") || fs.Changed("summary-json") {
		log.Warn().Msg("a plan writes no run summary: use --plan-json for the plan as JSON")
	}
	log.Info().Msg("planning: reads go to the server; changes are recorded, not sent")
}

// stdout is where the script's print() goes: counted in a plan, so the
// plan is set apart from the script's output only when there is some.
func (p *planFlags) stdout(w io.Writer) io.Writer {
	if !p.active() {
		return w
	}
	p.out = &countingWriter{w: w}
	return p.out
}

// report prints the plan after the script's output and writes its JSON.
// The exit code stays the script's: a plan that stops at an error fails.
func (p *planFlags) report(io stdio, env *builtins.Env, script string, start time.Time, runErr error, interrupted bool, code int) int {
	sum := env.Summary(script, start, runErr, interrupted)
	logged := make([]plan.Logged, 0, len(sum.Actions))
	for _, a := range sum.Actions {
		logged = append(logged, plan.Logged{Kind: a.Action, At: a.At, Target: a.Target, Project: a.Project,
			Environment: a.Environment, Tenant: a.Tenant, What: a.Release + a.Runbook, Detail: a.Detail})
	}
	pl := p.book.Assemble(script, logged, runErr, interrupted)
	if p.out != nil && p.out.n > 0 {
		fmt.Fprintln(io.out)
	}
	fmt.Fprint(io.out, pl.Text())
	if p.json != "" {
		if err := os.WriteFile(p.json, pl.JSON(), 0o644); err != nil {
			fmt.Fprintf(io.err, "octostar plan: writing the plan: %v\n", err)
			if code == exitOK {
				code = exitFailed
			}
		}
	}
	return code
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += n
	return n, err
}
