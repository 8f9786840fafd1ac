package builtins

import "github.com/octostar/octostar/interp"

// Group headings, in the order the docs show them.
const (
	GroupLanguage = "Language helpers"
)

// Registry returns a new registry holding every octostar builtin.
func Registry() *interp.Registry {
	r := interp.NewRegistry()
	r.Add(coreSpecs()...)
	return r
}
