// Package spell finds the names a user probably meant. Starlark's own
// helper is internal to go.starlark.net, and both the checker and the
// Octopus name resolution need one.
package spell

import (
	"cmp"
	"slices"
	"strings"
)

// Nearest returns the candidate closest to name, if it is close enough
// to be a plausible misspelling: roughly one typo per three letters.
func Nearest(name string, candidates []string) (string, bool) {
	if c := closest(name, candidates, 1, false); len(c) > 0 {
		return c[0], true
	}
	return "", false
}

// Closest returns up to n plausible candidates for name, best first.
// Case is ignored, and a candidate that contains name (or is contained
// in it) counts as close.
func Closest(name string, candidates []string, n int) []string {
	return closest(name, candidates, n, true)
}

func closest(name string, candidates []string, n int, substrings bool) []string {
	type scored struct {
		s    string
		dist int
	}
	lower := strings.ToLower(name)
	limit := max(1, len([]rune(name))/3)
	var found []scored
	for _, c := range candidates {
		if c == name {
			continue
		}
		lc := strings.ToLower(c)
		d := Distance(lower, lc)
		if substrings && d > limit && lower != "" && (strings.Contains(lc, lower) || strings.Contains(lower, lc)) {
			d = limit // a substring is as good as the worst typo allowed
		}
		if d <= limit {
			found = append(found, scored{c, d})
		}
	}
	slices.SortStableFunc(found, func(a, b scored) int { return cmp.Or(cmp.Compare(a.dist, b.dist), cmp.Compare(a.s, b.s)) })
	var out []string
	for _, f := range found {
		if len(out) == n {
			break
		}
		if !slices.Contains(out, f.s) {
			out = append(out, f.s)
		}
	}
	return out
}

// Distance is the optimal-string-alignment edit distance: insertions,
// deletions, substitutions and swaps of neighbouring letters count one.
func Distance(a, b string) int {
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
