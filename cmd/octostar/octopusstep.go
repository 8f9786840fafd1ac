package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/pflag"

	"github.com/octostar/octostar/builtins"
	"github.com/octostar/octostar/internal/servicemsg"
)

// Running inside an Octopus script step: octostar then speaks Octopus's
// service-message protocol on stdout (see internal/servicemsg and
// docs/octopus-step.md). Outputs become output variables, the summary
// an artifact, log levels task-log levels and finished tasks the step's
// progress bar. Everything goes to stdout, in order: Octopus logs every
// stderr line as an error, and a project with "fail the step on error
// output" would fail a run that succeeded.

// stepEnvVar shows that the process runs in an Octopus step. Calamari
// sets it in its own process before it runs any script, and every
// script step runs through Calamari, on a target, a worker, the built-in
// worker or in an execution container, and its children inherit it.
// Tentacle's own variables (TentacleHome, ...) are missing where no
// Tentacle runs the script (SSH targets, some workers), so they are not
// used.
const stepEnvVar = "OctopusCalamariWorkingDirectory"

// stepNameEnvVar, when the step template sets it to Octopus.Action.Name,
// lets octostar print how later steps read its output variables.
// Octopus variables are not environment variables: the template hands
// it over.
const stepNameEnvVar = "OCTOSTAR_STEP_NAME"

// summaryArtifact is the file name of the summary attached to the task.
const summaryArtifact = "octostar-summary.md"

// stepFlags hold --octopus: unset means detect, else forced on or off.
type stepFlags struct{ set, on bool }

func (s *stepFlags) register(fs *pflag.FlagSet) {
	f := fs.VarPF(s, "octopus", "", "speak Octopus's service messages on stdout (output variables, summary artifact, log levels, progress); "+
		"auto: inside an Octopus script step, shown by $"+stepEnvVar+"; --octopus=false turns it off")
	f.NoOptDefVal = "true"
}

func (s *stepFlags) String() string {
	if !s.set {
		return "auto"
	}
	return strconv.FormatBool(s.on)
}

func (s *stepFlags) Set(v string) error {
	on, err := strconv.ParseBool(v)
	if err != nil {
		return fmt.Errorf("want true or false")
	}
	s.set, s.on = true, on
	return nil
}

func (s *stepFlags) Type() string { return "bool" }

// enabled says whether this run speaks to Octopus.
func (s *stepFlags) enabled(getenv func(string) string) bool {
	if s.set {
		return s.on
	}
	return getenv(stepEnvVar) != ""
}

// octopusStep is the run's link to the Octopus step; nil outside one, and
// every method is then a no-op, so run.go calls them unconditionally.
type octopusStep struct {
	msgs     *servicemsg.Writer
	streams  []*servicemsg.LineWriter
	progress *servicemsg.LineWriter
	getenv   func(string) string
	// lastDone is the finished-task count last sent as progress.
	lastDone int
}

// begin starts step mode when enabled, replacing io's streams: print()
// writes plain lines and errors go out as stdout-error lines, all
// through one Writer on the real stdout.
func (s *stepFlags) begin(io *stdio, getenv func(string) string) *octopusStep {
	if !s.enabled(getenv) {
		return nil
	}
	msgs := servicemsg.NewWriter(io.out)
	st := &octopusStep{msgs: msgs, getenv: getenv}
	out, errs := msgs.Lines(servicemsg.Default), msgs.Lines(servicemsg.Error)
	st.progress = msgs.Lines(servicemsg.Default)
	st.streams = []*servicemsg.LineWriter{out, errs, st.progress}
	io.out, io.err = out, errs
	why := "--octopus"
	if !s.set {
		why = "$" + stepEnvVar + " is set"
	}
	_ = msgs.Print(servicemsg.Verbose, "octostar: writing Octopus service messages ("+why+")")
	return st
}

// logger is the run's logger: in a step, one that writes each line at
// the task-log level matching its own.
func (st *octopusStep) logger(l *logFlags, w io.Writer) (zerolog.Logger, error) {
	if st == nil {
		return l.logger(w)
	}
	if _, err := l.logger(io.Discard); err != nil { // the same checks of --log-level and --log-format
		return zerolog.Nop(), err
	}
	level, _ := zerolog.ParseLevel(strings.ToLower(l.level))
	return zerolog.New(&stepLog{msgs: st.msgs, json: l.format == "json"}).Level(level).With().Timestamp().Logger(), nil
}

// stepLog is a zerolog writer that wraps each line in the service
// messages of its level: debug and trace verbose, info default, warn
// warning, error and worse error. Octopus stamps and colours each line,
// so the console form leaves out the time and the level.
type stepLog struct {
	msgs *servicemsg.Writer
	json bool
}

func (l *stepLog) Write(p []byte) (int, error) { return l.WriteLevel(zerolog.NoLevel, p) }

func (l *stepLog) WriteLevel(level zerolog.Level, p []byte) (int, error) {
	text := p
	if !l.json {
		var b bytes.Buffer
		cw := zerolog.ConsoleWriter{Out: &b, NoColor: true, PartsExclude: []string{zerolog.TimestampFieldName, zerolog.LevelFieldName}}
		if _, err := cw.Write(p); err == nil {
			text = b.Bytes()
		}
	}
	if err := l.msgs.Print(stepLevel(level), string(text)); err != nil {
		return 0, err
	}
	return len(p), nil
}

func stepLevel(l zerolog.Level) servicemsg.Level {
	switch {
	case l == zerolog.NoLevel, l == zerolog.InfoLevel:
		return servicemsg.Default
	case l <= zerolog.DebugLevel:
		return servicemsg.Verbose
	case l == zerolog.WarnLevel:
		return servicemsg.Warning
	}
	return servicemsg.Error
}

// attach routes the run's task progress to the step: state-change lines
// (unless --progress none) and the progress bar.
func (st *octopusStep) attach(env *builtins.Env, lines bool) {
	if st == nil {
		return
	}
	env.Progress = nil
	if lines {
		env.Progress = st.progress
	}
	env.OnTasks = st.tasks
}

// tasks moves the progress bar each time a task ends: the share of the
// tasks started so far that have finished. Only ends move it: a poll
// that saw a task start or begin executing says nothing new about the
// share of work done.
func (st *octopusStep) tasks(done, started int) {
	if done <= st.lastDone || started == 0 {
		return
	}
	st.lastDone = done
	_ = st.msgs.Send(servicemsg.Progress(done*100/started, fmt.Sprintf("%d of %d task%s finished", done, started, plural(started))))
}

// finish reports the end of the run: output variables, the summary as
// an artifact, a highlighted result line and, on failure, the step's
// failure text. The exit code still decides whether the step fails.
func (st *octopusStep) finish(env *builtins.Env, sum builtins.Summary) {
	if st == nil {
		return
	}
	st.flush()
	step := st.getenv(stepNameEnvVar)
	if step == "" {
		step = "<this step>"
	}
	for _, o := range env.Outputs() {
		_ = st.msgs.Send(servicemsg.SetVariable(o.Name, o.Text(), o.Sensitive))
		note := ""
		if o.Sensitive {
			note = " (sensitive)"
		}
		_ = st.msgs.Print(servicemsg.Default, fmt.Sprintf("output variable %s%s: later steps read Octopus.Action[%s].Output.%s", o.Name, note, step, o.Name))
	}
	if err := st.attachSummary(sum); err != nil {
		_ = st.msgs.Print(servicemsg.Warning, "octostar: the summary is not attached: "+err.Error())
	}
	_ = st.msgs.Print(servicemsg.Highlight, fmt.Sprintf("octostar %s %s: %d action%s in %s", sum.Script, sum.Outcome,
		len(sum.Actions), plural(len(sum.Actions)), sum.Finished.Sub(sum.Started).Round(time.Second)))
	if sum.Outcome != "succeeded" {
		// What the step shows as its failure, instead of "The remote
		// script failed with exit code 1".
		why := fmt.Sprintf("octostar %s %s", sum.Script, sum.Outcome)
		if first, _, _ := strings.Cut(sum.Error, "\n"); first != "" {
			why += ": " + first
		}
		_ = st.msgs.Send(servicemsg.ResultMessage(why))
	}
}

// attachSummary writes the Markdown summary into the step's working
// folder, which Octopus collects from before deleting it, and asks for
// it as an artifact. The summary holds no credential and shows
// sensitive outputs as (sensitive): Octopus does not mask artifacts.
func (st *octopusStep) attachSummary(sum builtins.Summary) error {
	dir := st.getenv(stepEnvVar)
	if dir == "" {
		var err error
		if dir, err = os.Getwd(); err != nil {
			return err
		}
	}
	dir, err := filepath.Abs(dir) // Tentacle resolves a relative path against its home, not here
	if err != nil {
		return err
	}
	// A second run in the same step gets its own file rather than
	// replacing the first one's before Octopus collects it.
	name := summaryArtifact
	for i := 2; ; i++ {
		_, err := os.Lstat(filepath.Join(dir, name))
		if os.IsNotExist(err) {
			break
		}
		if err != nil { // not a folder, no access, a link loop: no name will do
			return fmt.Errorf("the step's working folder %s: %w", dir, err)
		}
		name = fmt.Sprintf("octostar-summary-%d.md", i)
	}
	path := filepath.Join(dir, name)
	data := []byte(sum.Markdown())
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return err
	}
	return st.msgs.Send(servicemsg.CreateArtifact(path, name, int64(len(data))))
}

// flush writes what print() and the error stream hold of a last line.
func (st *octopusStep) flush() {
	for _, s := range st.streams {
		_ = s.Flush()
	}
}

// close ends step mode on every path out of the run, a plan's too.
func (st *octopusStep) close() {
	if st == nil {
		return
	}
	st.flush()
}
