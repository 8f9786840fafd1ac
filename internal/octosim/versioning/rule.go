package versioning

import (
	"fmt"
	"regexp"
	"strings"
)

// ChannelRule is a channel's package version rule: a version range and a
// pre-release tag pattern. A version satisfies the rule when the range
// contains it and the pattern matches its tag text.
//
// The tag text is the pre-release without its '-', followed by '+' and the
// build metadata when there is any: "beta.2" for 1.0.0-beta.2,
// "beta.2+sha.5" for 1.0.0-beta.2+sha.5, "+sha.5" for 1.0.0+sha.5, "" for
// 1.0.0. The pattern is searched for anywhere in it (use ^ and $ to
// anchor), case-sensitively, so "^$" admits only versions with neither
// pre-release nor metadata, "^(|\+.*)$" admits stable versions with or
// without metadata, and "^[^\+].*" admits any pre-release.
//
// The zero ChannelRule admits every version.
type ChannelRule struct {
	Range Range // the zero Range admits every version
	tag   *tagMatcher
}

// RuleError reports a channel rule whose tag pattern cannot be used.
type RuleError struct {
	Pattern string // the tag pattern as given
	Reason  string
}

func (e *RuleError) Error() string {
	return fmt.Sprintf("invalid pre-release tag pattern %q: %s", e.Pattern, e.Reason)
}

// ParseChannelRule builds a rule from a channel rule's VersionRange and
// Tag fields. An empty or all-whitespace versionRange admits every
// version; so does an empty or all-whitespace tag. Range errors are
// *RangeError, pattern errors *RuleError.
//
// The pattern is a Go regular expression (RE2). Octopus evaluates .NET
// regular expressions; the common subset behaves the same. One .NET-only
// form is also accepted because the Octopus documentation uses it: a
// single leading negative lookahead, ^(?!X)Y, meaning "X does not match at
// the start, and ^Y matches".
func ParseChannelRule(versionRange, tag string) (ChannelRule, error) {
	var rule ChannelRule
	if strings.TrimSpace(versionRange) != "" {
		r, err := ParseRange(versionRange)
		if err != nil {
			return ChannelRule{}, err
		}
		rule.Range = r
	}
	if strings.TrimSpace(tag) != "" {
		m, err := compileTag(tag)
		if err != nil {
			return ChannelRule{}, err
		}
		rule.tag = m
	}
	return rule, nil
}

// MustParseChannelRule is ParseChannelRule for values known to be valid;
// it panics otherwise.
func MustParseChannelRule(versionRange, tag string) ChannelRule {
	r, err := ParseChannelRule(versionRange, tag)
	if err != nil {
		panic(err)
	}
	return r
}

// Allows reports whether v satisfies the rule.
func (r ChannelRule) Allows(v Version) bool {
	return r.Range.Contains(v) && r.MatchesTag(v)
}

// AllowsString is Allows for a version string; a string that is not a
// valid version is never allowed.
func (r ChannelRule) AllowsString(s string) bool {
	v, reason := parse(s)
	return reason == "" && r.Allows(v)
}

// MatchesTag reports whether the rule's tag pattern matches v's tag text
// (see ChannelRule); it ignores the range.
func (r ChannelRule) MatchesTag(v Version) bool {
	if r.tag == nil {
		return true
	}
	return r.tag.match(TagText(v))
}

// TagPattern returns the rule's tag pattern as given, "" when it has none.
func (r ChannelRule) TagPattern() string {
	if r.tag == nil {
		return ""
	}
	return r.tag.pattern
}

// TagText returns the text a channel rule's tag pattern is matched
// against: the pre-release, then '+' and the metadata if there is any.
func TagText(v Version) string {
	if v.meta == "" {
		return v.pre
	}
	return v.pre + "+" + v.meta
}

// SelectLatest returns the newest of versions that satisfies rule, as the
// text given. Strings that are not valid versions are skipped. Among
// versions that order equally, the one whose build metadata sorts last
// (ASCII case-insensitively) wins, then the earliest in the list. ok is
// false when none qualifies.
func SelectLatest(versions []string, rule ChannelRule) (latest string, ok bool) {
	return Latest(versions, rule.Allows)
}

// Latest returns the newest of versions for which allow returns true
// (nil allows all), with SelectLatest's tie-breaking and skipping.
func Latest(versions []string, allow func(Version) bool) (latest string, ok bool) {
	var best Version
	for _, s := range versions {
		v, reason := parse(s)
		if reason != "" || allow != nil && !allow(v) {
			continue
		}
		if !ok || compareWithMetadata(v, best) > 0 {
			best, latest, ok = v, s, true
		}
	}
	return latest, ok
}

// tagMatcher matches tag text. For ^(?!X)Y, not holds ^(?:X) and re ^(?:Y).
type tagMatcher struct {
	pattern string
	re      *regexp.Regexp
	not     *regexp.Regexp
}

func (m *tagMatcher) match(s string) bool {
	if m.not != nil && m.not.MatchString(s) {
		return false
	}
	return m.re.MatchString(s)
}

func compileTag(pattern string) (*tagMatcher, error) {
	if body, rest, ok := leadingNegativeLookahead(pattern); ok {
		not, err := regexp.Compile("^(?:" + body + ")")
		if err != nil {
			return nil, &RuleError{Pattern: pattern, Reason: "in the (?!...) lookahead: " + err.Error()}
		}
		re, err := regexp.Compile("^(?:" + rest + ")")
		if err != nil {
			return nil, &RuleError{Pattern: pattern, Reason: "after the (?!...) lookahead: " + err.Error()}
		}
		return &tagMatcher{pattern: pattern, re: re, not: not}, nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		reason := err.Error()
		if strings.Contains(pattern, "(?!") || strings.Contains(pattern, "(?=") || strings.Contains(pattern, "(?<=") || strings.Contains(pattern, "(?<!") {
			reason += " (lookarounds are supported only as a single leading ^(?!...) with no top-level '|' after it)"
		}
		return nil, &RuleError{Pattern: pattern, Reason: reason}
	}
	return &tagMatcher{pattern: pattern, re: re}, nil
}

// leadingNegativeLookahead splits "^(?!X)Y" into X and Y. It declines when
// Y has a top-level '|' (the alternation would then bind differently), so
// such patterns fall through to the RE2 compiler and its error.
func leadingNegativeLookahead(p string) (body, rest string, ok bool) {
	const open = "^(?!"
	if !strings.HasPrefix(p, open) {
		return "", "", false
	}
	end := groupEnd(p, len(open))
	if end < 0 {
		return "", "", false
	}
	body, rest = p[len(open):end], p[end+1:]
	if hasTopLevelBar(rest) {
		return "", "", false
	}
	return body, rest, true
}

// groupEnd returns the index of the ')' closing a group whose contents
// start at i, honouring escapes, character classes and nested groups.
func groupEnd(p string, i int) int {
	depth := 0
	for ; i < len(p); i++ {
		switch p[i] {
		case '\\':
			i++
		case '[':
			i = classEnd(p, i)
			if i < 0 {
				return -1
			}
		case '(':
			depth++
		case ')':
			if depth == 0 {
				return i
			}
			depth--
		}
	}
	return -1
}

// classEnd returns the index of the ']' closing the class opened at i.
func classEnd(p string, i int) int {
	i++
	if i < len(p) && p[i] == '^' {
		i++
	}
	if i < len(p) && p[i] == ']' {
		i++
	}
	for ; i < len(p); i++ {
		switch p[i] {
		case '\\':
			i++
		case ']':
			return i
		}
	}
	return -1
}

func hasTopLevelBar(p string) bool {
	depth := 0
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '\\':
			i++
		case '[':
			i = classEnd(p, i)
			if i < 0 {
				return false
			}
		case '(':
			depth++
		case ')':
			depth--
		case '|':
			if depth == 0 {
				return true
			}
		}
	}
	return false
}
