package interp

import "strings"

// Nearest returns the candidate closest to name by edit distance, if it
// is close enough to be a plausible misspelling. Starlark's own spelling
// helper is internal, and its resolver offers none for predeclared names,
// so the checker and argument unpacking use this one.
func Nearest(name string, candidates []string) (string, bool) {
	best, bestDist := "", -1
	lower := strings.ToLower(name)
	for _, c := range candidates {
		if c == name {
			continue
		}
		d := editDistance(lower, strings.ToLower(c))
		if bestDist < 0 || d < bestDist || (d == bestDist && c < best) {
			best, bestDist = c, d
		}
	}
	if bestDist < 0 {
		return "", false
	}
	// Allow roughly one typo per three letters, and at least one.
	limit := max(1, len(name)/3)
	if bestDist > limit {
		return "", false
	}
	return best, true
}

// didYouMean formats a " (did you mean x?)" suffix, or "" when nothing is close.
func didYouMean(name string, candidates []string) string {
	if s, ok := Nearest(name, candidates); ok {
		return " (did you mean " + s + "?)"
	}
	return ""
}

// editDistance is the Damerau-Levenshtein (optimal string alignment)
// distance, so a swapped pair of letters counts as one typo.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
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
