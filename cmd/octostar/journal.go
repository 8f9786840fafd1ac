package main

import (
	"errors"

	"github.com/rs/zerolog"
	"github.com/spf13/pflag"

	"github.com/octostar/octostar/internal/journal"
	"github.com/octostar/octostar/internal/octopus"
)

// journalFlags make a run resumable: --journal FILE records every call,
// and running the same command again answers the recorded ones from it
// (see internal/journal and docs/journal.md).
type journalFlags struct {
	path  string
	fresh bool
	j     *journal.Journal
}

func (f *journalFlags) register(fs *pflag.FlagSet, plan bool) {
	if plan {
		return // a plan sends no change, so it has nothing to resume
	}
	fs.StringVar(&f.path, "journal", "", "record every call in this file; running the same command again after a crash resumes from it without repeating a change")
	fs.BoolVar(&f.fresh, "fresh", false, "with --journal: start a new journal, keeping the old one as FILE.old")
}

// open opens the journal before any target exists.
func (f *journalFlags) open(planning, sandbox bool, script string, vars map[string]string, log zerolog.Logger) error {
	switch {
	case f.path == "" && f.fresh:
		return errors.New("--fresh starts a new journal: give --journal FILE with it")
	case f.path == "":
		return nil
	case planning:
		return errors.New("--journal cannot be used with --plan: a plan changes nothing, so there is nothing to resume")
	case sandbox:
		return errors.New("--journal cannot be used with --sandbox: the sandbox's world ends with the run, so a journal of it cannot be resumed; serve one with `octostar sandbox` and point the run at it")
	}
	v, _ := buildVersion()
	h, err := journal.NewHeader(script, vars, v)
	if err != nil {
		return err
	}
	f.j, err = journal.Open(f.path, journal.Options{Fresh: f.fresh, Header: h, Log: log})
	return err
}

// wrap journals every target's client, or leaves other to do its work.
func (f *journalFlags) wrap(other func(octopus.Octopus) octopus.Octopus) func(octopus.Octopus) octopus.Octopus {
	if f.j == nil {
		return other
	}
	return func(o octopus.Octopus) octopus.Octopus { return journal.Wrap(o, f.j) }
}

// finish records how the run ended and closes the journal. Only success
// closes the journal for good; a failed or interrupted run can be resumed.
func (f *journalFlags) finish(log zerolog.Logger, runErr error, interrupted bool) {
	if f.j == nil {
		return
	}
	outcome := journal.Succeeded
	switch {
	case interrupted:
		outcome = journal.Interrupted
	case runErr != nil:
		outcome = journal.Failed
	}
	if err := f.j.Finish(outcome, runErr); err != nil {
		log.Warn().Err(err).Msg("the journal could not record the end of the run; running again replays it")
	}
	if outcome != journal.Succeeded {
		log.Info().Str("journal", f.j.Path()).Msg("run the same command again to resume from the journal, or add --fresh to start over")
	}
	f.close()
}

func (f *journalFlags) close() {
	if f.j != nil {
		f.j.Close()
		f.j = nil
	}
}
