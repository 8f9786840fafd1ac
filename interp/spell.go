package interp

import "github.com/octostar/octostar/internal/spell"

// Nearest returns the candidate closest to name, if it is a plausible
// misspelling.
func Nearest(name string, candidates []string) (string, bool) { return spell.Nearest(name, candidates) }

// didYouMean formats a " (did you mean x?)" suffix, or "" when nothing is close.
func didYouMean(name string, candidates []string) string {
	if s, ok := Nearest(name, candidates); ok {
		return " (did you mean " + s + "?)"
	}
	return ""
}

// sandboxHints explain why a name a newcomer reaches for is missing.
var sandboxHints = map[string]string{}

func init() {
	for hint, names := range map[string][]string{
		"scripts cannot read or write files":                                                  {"open", "file", "read_file", "write_file"},
		"scripts cannot read the environment; pass values with --var and read them from vars": {"os", "getenv", "environ", "env", "environment"},
		"scripts have no clock; use duration() for time spans":                                {"time", "now", "sleep", "clock", "datetime"},
		"scripts have no randomness, so every run is repeatable":                              {"random", "rand", "uuid"},
		"scripts reach the network only through octostar's builtins":                          {"http", "urllib", "requests", "socket", "fetch", "url"},
		"scripts cannot start programs":                                                       {"exec", "eval", "subprocess", "system", "shell"},
	} {
		for _, n := range names {
			sandboxHints[n] = hint
		}
	}
}

// undefinedHint is the suffix for an "undefined: name" error: why the
// sandbox has no such thing, or the closest name that does exist.
func undefinedHint(name string, candidates []string) string {
	if h, ok := sandboxHints[name]; ok {
		return " (" + h + ")"
	}
	return didYouMean(name, candidates)
}
