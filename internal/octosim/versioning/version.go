package versioning

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// maxPart is the largest value a numeric version part may take. Octopus
// parses the numeric parts with .NET's System.Version, whose parts are
// 32-bit signed integers.
const maxPart = 1<<31 - 1

// Version is a parsed Octopus/NuGet-style semantic version: one to four
// numeric parts, an optional pre-release made of dot-separated
// identifiers, and optional build metadata.
//
// The zero Version has no text and orders like 0.0.0.
type Version struct {
	text   string    // trimmed original text, returned by String
	parts  [4]uint32 // missing parts are 0
	nparts int       // how many numeric parts the text had (1..4)
	pre    string    // pre-release without the leading '-', "" if none
	labels []string  // pre split on '.'
	meta   string    // build metadata without the leading '+', "" if none
}

// ParseError reports a string that is not a valid version.
type ParseError struct {
	Input  string // the text as given to Parse
	Reason string // what was wrong, and what was expected
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("invalid version %q: %s", e.Input, e.Reason)
}

// Parse parses a version such as "1.2", "1.2.3.4", "2.0.0-beta.2" or
// "1.0.0-rc.1+build.5". Surrounding whitespace is ignored; String returns
// the remaining text unchanged.
func Parse(s string) (Version, error) {
	v, reason := parse(s)
	if reason != "" {
		return Version{}, &ParseError{Input: s, Reason: reason}
	}
	return v, nil
}

// MustParse is Parse for values known to be valid; it panics otherwise.
func MustParse(s string) Version {
	v, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}

func parse(s string) (Version, string) {
	t := strings.TrimSpace(s)
	if t == "" {
		return Version{}, "empty; expected 1 to 4 dot-separated numbers such as 1.2.3"
	}
	if i := strings.IndexFunc(t, isSpace); i >= 0 {
		return Version{}, fmt.Sprintf("whitespace at offset %d; a version may not contain spaces", i)
	}
	v := Version{text: t}
	rest := t
	if i := strings.IndexByte(rest, '+'); i >= 0 {
		v.meta = rest[i+1:]
		rest = rest[:i]
		if reason := checkIdentifiers(v.meta, "build metadata"); reason != "" {
			return Version{}, reason
		}
	}
	if i := strings.IndexByte(rest, '-'); i >= 0 {
		v.pre = rest[i+1:]
		rest = rest[:i]
		if reason := checkIdentifiers(v.pre, "pre-release"); reason != "" {
			return Version{}, reason
		}
		v.labels = strings.Split(v.pre, ".")
	}
	if rest == "" {
		return Version{}, "no numeric part; expected 1 to 4 dot-separated numbers before any '-' or '+'"
	}
	for n := 0; ; n++ {
		p, after, more := strings.Cut(rest, ".")
		if n >= 4 {
			return Version{}, "more than 4 numeric parts; expected at most major.minor.patch.revision"
		}
		if p == "" {
			return Version{}, fmt.Sprintf("numeric part %d is empty", n+1)
		}
		if !allDigits(p) {
			return Version{}, fmt.Sprintf("numeric part %d (%q) is not a non-negative integer", n+1, p)
		}
		x, err := strconv.ParseUint(p, 10, 32)
		if err != nil || x > maxPart {
			return Version{}, fmt.Sprintf("numeric part %d (%q) exceeds %d", n+1, p, maxPart)
		}
		v.parts[n] = uint32(x)
		v.nparts = n + 1
		if !more {
			break
		}
		rest = after
	}
	return v, ""
}

// checkIdentifiers validates a dot-separated pre-release or metadata string.
func checkIdentifiers(s, what string) string {
	if s == "" {
		return fmt.Sprintf("empty %s after its separator", what)
	}
	for rest, more := s, true; more; {
		var id string
		id, rest, more = strings.Cut(rest, ".")
		if id == "" {
			return fmt.Sprintf("empty %s identifier in %q", what, s)
		}
		for _, r := range id {
			if r >= 0x80 || !isIdentChar(byte(r)) {
				return fmt.Sprintf("%s identifier %q contains %q; allowed are ASCII letters, digits and '-'", what, id, r)
			}
		}
	}
	return ""
}

func isIdentChar(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-'
}

func isSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\v', '\f':
		return true
	}
	return false
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String returns the version's text as it was parsed (without
// surrounding whitespace).
func (v Version) String() string { return v.text }

// Major returns the first numeric part.
func (v Version) Major() int { return int(v.parts[0]) }

// Minor returns the second numeric part, 0 when absent.
func (v Version) Minor() int { return int(v.parts[1]) }

// Patch returns the third numeric part (Octopus also calls it Build), 0 when absent.
func (v Version) Patch() int { return int(v.parts[2]) }

// Revision returns the fourth numeric part, 0 when absent.
func (v Version) Revision() int { return int(v.parts[3]) }

// Parts returns how many numeric parts the text had (1 to 4; 0 for the zero Version).
func (v Version) Parts() int { return v.nparts }

// IsPrerelease reports whether the version has a pre-release part.
func (v Version) IsPrerelease() bool { return v.pre != "" }

// Prerelease returns the whole pre-release without its leading '-'
// ("beta.2" for 1.0.0-beta.2), or "".
func (v Version) Prerelease() string { return v.pre }

// PrereleaseTag returns the first pre-release identifier ("beta" for
// 1.0.0-beta.2), or "" for a stable version.
func (v Version) PrereleaseTag() string {
	if len(v.labels) == 0 {
		return ""
	}
	return v.labels[0]
}

// Metadata returns the build metadata without its leading '+', or "".
func (v Version) Metadata() string { return v.meta }

// Compare orders a and b as Octopus orders package and release versions:
// numeric parts first (missing parts count as 0, so 1.2 == 1.2.0 ==
// 1.2.0.0), then a version without pre-release after one with, then the
// pre-release identifiers left to right (numeric identifiers by value and
// before alphanumeric ones, alphanumeric ones ASCII case-insensitively, a
// shorter list first when it is a prefix of the longer). Build metadata is
// ignored. It returns -1, 0 or +1.
func Compare(a, b Version) int {
	for i := range 4 {
		if a.parts[i] != b.parts[i] {
			if a.parts[i] < b.parts[i] {
				return -1
			}
			return 1
		}
	}
	switch {
	case a.pre == "" && b.pre == "":
		return 0
	case a.pre == "":
		return 1
	case b.pre == "":
		return -1
	}
	for i := 0; i < len(a.labels) && i < len(b.labels); i++ {
		if c := compareLabel(a.labels[i], b.labels[i]); c != 0 {
			return c
		}
	}
	switch {
	case len(a.labels) < len(b.labels):
		return -1
	case len(a.labels) > len(b.labels):
		return 1
	}
	return 0
}

// Compare is Compare(v, w).
func (v Version) Compare(w Version) int { return Compare(v, w) }

// Equal reports whether v and w order the same (Compare == 0); the texts
// may differ, as in 1.0 and 1.0.0+build.
func (v Version) Equal(w Version) bool { return Compare(v, w) == 0 }

// compareLabel compares two pre-release identifiers.
func compareLabel(x, y string) int {
	xn, yn := allDigits(x), allDigits(y)
	switch {
	case xn && yn:
		return compareDigits(x, y)
	case xn:
		return -1
	case yn:
		return 1
	}
	return compareFold(x, y)
}

// compareDigits compares two non-empty decimal strings by value, at any length.
func compareDigits(x, y string) int {
	x = strings.TrimLeft(x, "0")
	y = strings.TrimLeft(y, "0")
	if len(x) != len(y) {
		if len(x) < len(y) {
			return -1
		}
		return 1
	}
	return strings.Compare(x, y)
}

// compareFold compares ASCII strings ordinally after upper-casing letters,
// as .NET's StringComparer.OrdinalIgnoreCase does.
func compareFold(x, y string) int {
	for i := 0; i < len(x) && i < len(y); i++ {
		cx, cy := upper(x[i]), upper(y[i])
		if cx != cy {
			if cx < cy {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(x) < len(y):
		return -1
	case len(x) > len(y):
		return 1
	}
	return 0
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// compareWithMetadata is Compare, then the build metadata compared
// ASCII case-insensitively, as Octopus's default comparer does. It only
// breaks ties that Compare leaves.
func compareWithMetadata(a, b Version) int {
	if c := Compare(a, b); c != 0 {
		return c
	}
	return compareFold(a.meta, b.meta)
}

// Sort sorts versions in ascending order (Compare, then build metadata),
// keeping the input order of versions that are otherwise equal.
func Sort(vs []Version) {
	slices.SortStableFunc(vs, compareWithMetadata)
}
