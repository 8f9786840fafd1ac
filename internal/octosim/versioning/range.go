package versioning

import (
	"fmt"
	"strings"
)

// Range is a NuGet version range as Octopus channel version rules use it:
//
//	1.0          1.0 ≤ x
//	[1.0]        x == 1.0
//	[1.0,2.0)    1.0 ≤ x < 2.0     (any mix of [ ( and ] ) )
//	(,2.0]       x ≤ 2.0
//	(1.0,)       1.0 < x
//	*  1.*  1.2.*  1.2.3.*   floating: the lowest version the pattern allows ≤ x
//
// Membership is pure ordering by Compare, so pre-releases inside the
// bounds are members ([1.0,2.0) contains 1.5.0-beta and 2.0.0-rc.1) and
// build metadata plays no part. The zero Range has no bounds and contains
// every version.
type Range struct {
	min, max       Version
	hasMin, hasMax bool
	minInc, maxInc bool
}

// RangeError reports a string that is not a valid version range.
type RangeError struct {
	Input  string // the text as given to ParseRange
	Reason string // what was wrong, and what was expected
}

func (e *RangeError) Error() string {
	return fmt.Sprintf("invalid version range %q: %s", e.Input, e.Reason)
}

// ParseRange parses NuGet version range syntax (see Range). Whitespace is
// allowed anywhere, including inside the versions ("[ 1 . 0 , 2.0 )").
func ParseRange(s string) (Range, error) {
	r, reason := parseRange(s)
	if reason != "" {
		return Range{}, &RangeError{Input: s, Reason: reason}
	}
	return r, nil
}

// MustParseRange is ParseRange for values known to be valid; it panics otherwise.
func MustParseRange(s string) Range {
	r, err := ParseRange(s)
	if err != nil {
		panic(err)
	}
	return r
}

func parseRange(s string) (Range, string) {
	t := stripSpace(s)
	if t == "" {
		return Range{}, "empty; expected a version such as 1.0, or brackets such as [1.0,2.0)"
	}
	if t[0] != '[' && t[0] != '(' {
		if strings.ContainsAny(t, "[]()") {
			return Range{}, "a range must start with '[' or '(' and end with ']' or ')'"
		}
		if strings.Contains(t, ",") {
			return Range{}, "two versions need brackets, such as [1.0,2.0)"
		}
		v, reason := parseBound(t, true)
		if reason != "" {
			return Range{}, reason
		}
		return Range{min: v, hasMin: true, minInc: true}, ""
	}
	r := Range{minInc: t[0] == '['}
	switch t[len(t)-1] {
	case ']':
		r.maxInc = true
	case ')':
	default:
		return Range{}, fmt.Sprintf("expected ']' or ')' at the end, found %q", t[len(t)-1:])
	}
	if len(t) < 2 {
		return Range{}, "expected ']' or ')' at the end"
	}
	inner := t[1 : len(t)-1]
	if strings.ContainsAny(inner, "[]()") {
		return Range{}, "unexpected bracket inside the range; expected at most two versions separated by ','"
	}
	parts := strings.Split(inner, ",")
	switch {
	case len(parts) > 2:
		return Range{}, "more than one ','; expected at most two versions"
	case len(parts) == 2 && parts[0] == "" && parts[1] == "":
		return Range{}, "no version on either side of ','; at least one bound is required"
	case len(parts) == 1 && parts[0] == "":
		return Range{}, "no version between the brackets"
	case len(parts) == 1:
		if !r.minInc || !r.maxInc {
			return Range{}, fmt.Sprintf("a single version must be written [%s] (exact match); use a comma for an open bound, such as (%s,)", parts[0], parts[0])
		}
		v, reason := parseBound(parts[0], false)
		if reason != "" {
			return Range{}, reason
		}
		r.min, r.max, r.hasMin, r.hasMax = v, v, true, true
		return r, ""
	}
	if parts[0] != "" {
		v, reason := parseBound(parts[0], true)
		if reason != "" {
			return Range{}, "lower bound: " + reason
		}
		r.min, r.hasMin = v, true
	}
	if parts[1] != "" {
		v, reason := parseBound(parts[1], false)
		if reason != "" {
			return Range{}, "upper bound: " + reason
		}
		r.max, r.hasMax = v, true
	}
	if r.hasMin && r.hasMax {
		switch c := Compare(r.min, r.max); {
		case c > 0:
			return Range{}, fmt.Sprintf("lower bound %s is above upper bound %s", r.min, r.max)
		case c == 0 && !(r.minInc && r.maxInc):
			return Range{}, fmt.Sprintf("bounds are equal (%s) but not both inclusive, so nothing matches; write [%s] for an exact match", r.min, r.min)
		}
	}
	if !r.hasMin {
		r.minInc = false
	}
	if !r.hasMax {
		r.maxInc = false
	}
	return r, ""
}

// parseBound parses one bound. Floating forms (*, 1.*, 1.2.*, 1.2.3.*) are
// allowed only where a lower bound is.
func parseBound(s string, canFloat bool) (Version, string) {
	if strings.Contains(s, "*") {
		if !canFloat {
			return Version{}, fmt.Sprintf("%q: only a lower bound may float ('*')", s)
		}
		return parseFloat(s)
	}
	v, reason := parse(s)
	if reason != "" {
		return Version{}, fmt.Sprintf("%q is not a version: %s", s, reason)
	}
	return v, ""
}

func parseFloat(s string) (Version, string) {
	if s == "*" {
		v, _ := parse("0.0.0")
		return v, ""
	}
	prefix, ok := strings.CutSuffix(s, ".*")
	if !ok || strings.ContainsAny(prefix, "*-+") {
		return Version{}, fmt.Sprintf("%q: unsupported floating version; expected *, 1.*, 1.2.* or 1.2.3.* (pre-release floats are not supported)", s)
	}
	v, reason := parse(prefix)
	if reason != "" || v.nparts > 3 {
		return Version{}, fmt.Sprintf("%q: unsupported floating version; expected *, 1.*, 1.2.* or 1.2.3.*", s)
	}
	// The lowest version the pattern allows: the prefix, zero-filled.
	return v, ""
}

func stripSpace(s string) string {
	if strings.IndexFunc(s, isSpace) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if !isSpace(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Contains reports whether v lies within the range.
func (r Range) Contains(v Version) bool {
	if r.hasMin {
		c := Compare(v, r.min)
		if c < 0 || c == 0 && !r.minInc {
			return false
		}
	}
	if r.hasMax {
		c := Compare(v, r.max)
		if c > 0 || c == 0 && !r.maxInc {
			return false
		}
	}
	return true
}

// Min returns the lower bound and whether it is inclusive; ok is false
// when there is none.
func (r Range) Min() (v Version, inclusive, ok bool) { return r.min, r.minInc, r.hasMin }

// Max returns the upper bound and whether it is inclusive; ok is false
// when there is none.
func (r Range) Max() (v Version, inclusive, ok bool) { return r.max, r.maxInc, r.hasMax }

// IsAny reports whether the range has no bounds (the zero Range).
func (r Range) IsAny() bool { return !r.hasMin && !r.hasMax }

// String returns the range in bracket form, which ParseRange accepts:
// "[1.0, 2.0)", "[1.0]", "(, 2.0]", "[1.0, )". A floating bound is shown
// as the lowest version it allows. The zero Range gives "".
func (r Range) String() string {
	switch {
	case r.IsAny():
		return ""
	case r.hasMin && r.hasMax && r.minInc && r.maxInc && Compare(r.min, r.max) == 0 && r.min.text == r.max.text:
		return "[" + r.min.text + "]"
	}
	var b strings.Builder
	if r.minInc {
		b.WriteByte('[')
	} else {
		b.WriteByte('(')
	}
	if r.hasMin {
		b.WriteString(r.min.text)
	}
	b.WriteString(", ")
	if r.hasMax {
		b.WriteString(r.max.text)
	}
	if r.maxInc {
		b.WriteByte(']')
	} else {
		b.WriteByte(')')
	}
	return b.String()
}
