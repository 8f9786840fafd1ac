package main

import (
	"errors"
	"os"

	"github.com/spf13/pflag"

	"github.com/octostar/octostar/builtins"
)

// summaryFlags say where the run's summary goes.
type summaryFlags struct{ markdown, json string }

func (s *summaryFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&s.markdown, "summary", "", "write the run's summary as Markdown to this file (also appended to $GITHUB_STEP_SUMMARY when set)")
	fs.StringVar(&s.json, "summary-json", "", "write the run's summary as JSON to this file")
}

// write puts the summary everywhere it was asked for, and appends it to
// GitHub's step summary as GitHub's own actions do.
func (s *summaryFlags) write(sum builtins.Summary, getenv func(string) string) error {
	var errs []error
	if s.markdown != "" {
		errs = append(errs, os.WriteFile(s.markdown, []byte(sum.Markdown()), 0o644))
	}
	if s.json != "" {
		errs = append(errs, os.WriteFile(s.json, sum.JSON(), 0o644))
	}
	if p := getenv("GITHUB_STEP_SUMMARY"); p != "" && len(sum.Actions) > 0 {
		f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			_, err = f.WriteString(sum.Markdown() + "\n")
			err = errors.Join(err, f.Close())
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
