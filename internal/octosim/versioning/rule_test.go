package versioning

import (
	"errors"
	"fmt"
	"testing"
)

// TestTagPatterns uses the examples of Octopus's channel documentation.
func TestTagPatterns(t *testing.T) {
	tests := []struct {
		pattern string
		yes, no []string
	}{
		{ // any pre-release
			pattern: `^[^\+].*`,
			yes:     []string{"1.0.0-beta", "1.0.0-beta+meta", "1.0.0-0"},
			no:      []string{"1.0.0", "1.0.0+meta"},
		},
		{ // any non pre-release, build metadata allowed
			pattern: `^(|\+.*)$`,
			yes:     []string{"1.0.0", "1.0.0+build.20"},
			no:      []string{"1.0.0-beta", "1.0.0-beta+x"},
		},
		{ // no pre-release and no metadata
			pattern: `^$`,
			yes:     []string{"1.0.0", "2.1"},
			no:      []string{"1.0.0+build.20", "1.0.0-beta"},
		},
		{
			pattern: `^beta`,
			yes:     []string{"1.0.0-beta", "1.0.0-beta0003", "1.0.0-beta.2"},
			no:      []string{"1.0.0-mybeta", "1.0.0", "1.0.0+beta", "1.0.0-alpha+beta", "1.0.0-Beta"},
		},
		{
			pattern: `beta`,
			yes:     []string{"1.0.0-beta", "1.0.0-mybeta", "1.0.0-alpha+beta"},
			no:      []string{"1.0.0-alpha", "1.0.0"},
		},
		{ // .NET lookahead, as documented
			pattern: `^(?!beta).+`,
			yes:     []string{"1.0.0-alpha", "1.0.0-feature-x", "1.0.0-mybeta", "1.0.0+meta"},
			no:      []string{"1.0.0-beta", "1.0.0-beta.1", "1.0.0"},
		},
		{
			pattern: `^bugfix-`,
			yes:     []string{"1.0.0-bugfix-syscrash"},
			no:      []string{"1.0.0-bugfix", "1.0.0-x-bugfix-y"},
		},
		{
			pattern: `^(?!(alpha|beta)\b)[a-z]+`,
			yes:     []string{"1.0.0-alphabet", "1.0.0-rc"},
			no:      []string{"1.0.0-alpha", "1.0.0-beta.1", "1.0.0-0"},
		},
		{ // escapes and a leading ']' inside classes
			pattern: `^(?![\])][]x]|\()\d+`,
			yes:     []string{"1.0.0-7"},
			no:      []string{"1.0.0-x7", "1.0.0-]7"},
		},
		{
			pattern: `^(?![^]a-z])[a-z]+`,
			yes:     []string{"1.0.0-abc"},
			no:      []string{"1.0.0-1abc"},
		},
		{ // a class holding ')' inside the lookahead
			pattern: `^(?![)x])\d+`,
			yes:     []string{"1.0.0-7"},
			no:      []string{"1.0.0-x7"},
		},
	}
	for _, tt := range tests {
		rule, err := ParseChannelRule("", tt.pattern)
		if err != nil {
			t.Errorf("ParseChannelRule(%q): %v", tt.pattern, err)
			continue
		}
		for _, s := range tt.yes {
			if !rule.AllowsString(s) {
				t.Errorf("tag %q should admit %s (tag text %q)", tt.pattern, s, TagText(MustParse(s)))
			}
		}
		for _, s := range tt.no {
			if rule.AllowsString(s) {
				t.Errorf("tag %q should not admit %s (tag text %q)", tt.pattern, s, TagText(MustParse(s)))
			}
		}
	}
}

func TestParseChannelRuleErrors(t *testing.T) {
	tests := []struct{ rng, tag, want string }{
		{"[1.0", "", `invalid version range "[1.0": expected ']' or ')' at the end, found "0"`},
		{"", "(", "invalid pre-release tag pattern \"(\": error parsing regexp: missing closing ): `(`"},
		{"", "(?<=a)b", "invalid pre-release tag pattern \"(?<=a)b\": error parsing regexp: invalid named capture: `(?<=a)b` (lookarounds are supported only as a single leading ^(?!...) with no top-level '|' after it)"},
		{"", "^(?!a)b|c", "invalid pre-release tag pattern \"^(?!a)b|c\": error parsing regexp: invalid or unsupported Perl syntax: `(?!` (lookarounds are supported only as a single leading ^(?!...) with no top-level '|' after it)"},
		{"", "^(?!a)(?!b)c", "invalid pre-release tag pattern \"^(?!a)(?!b)c\": after the (?!...) lookahead: error parsing regexp: invalid or unsupported Perl syntax: `(?!`"},
		{"", "^(?!a(?=b))c", "invalid pre-release tag pattern \"^(?!a(?=b))c\": in the (?!...) lookahead: error parsing regexp: invalid or unsupported Perl syntax: `(?=`"},
		{"", `(a)\1`, "invalid pre-release tag pattern \"(a)\\\\1\": error parsing regexp: invalid escape sequence: `\\1`"},
	}
	for _, tt := range tests {
		_, err := ParseChannelRule(tt.rng, tt.tag)
		if err == nil {
			t.Errorf("ParseChannelRule(%q, %q) succeeded", tt.rng, tt.tag)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("ParseChannelRule(%q, %q)\n got %s\nwant %s", tt.rng, tt.tag, err, tt.want)
		}
	}
	_, err := ParseChannelRule("", "(")
	var re *RuleError
	if !errors.As(err, &re) || re.Pattern != "(" {
		t.Errorf("tag error is %T, want *RuleError with the pattern", err)
	}
	_, err = ParseChannelRule("[", "")
	var ge *RangeError
	if !errors.As(err, &ge) {
		t.Errorf("range error is %T, want *RangeError", err)
	}
}

func TestEmptyRuleAdmitsAll(t *testing.T) {
	for _, rule := range []ChannelRule{{}, MustParseChannelRule("", ""), MustParseChannelRule("  ", " \t ")} {
		for _, s := range []string{"0.0.1-alpha", "1.0.0+meta", "9.9.9.9"} {
			if !rule.AllowsString(s) {
				t.Errorf("empty rule should admit %s", s)
			}
		}
		if rule.AllowsString("not.a.version") {
			t.Error("an invalid version must never be admitted")
		}
	}
}

func TestSelectLatest(t *testing.T) {
	feed := []string{
		"1.0.0", "1.0.1", "1.1.0-beta.1", "1.1.0-beta.2", "1.1.0-beta.10",
		"1.1.0", "1.2.0-alpha", "1.2.0-rc.1+sha.1", "2.0.0-beta", "2.0.0",
		"2.1.0-feature-x", "garbage", "", "3.0.0-BETA.1", "1.5.0+build.7",
	}
	tests := []struct {
		rng, tag string
		want     string
		ok       bool
	}{
		{"", "", "3.0.0-BETA.1", true},
		{"", "^$", "2.0.0", true},
		{"", `^(|\+.*)$`, "2.0.0", true},
		{"[1.0,2.0)", "^$", "1.1.0", true},
		{"[1.0,2.0)", `^(|\+.*)$`, "1.5.0+build.7", true},
		{"[1.0,2.0)", "", "2.0.0-beta", true}, // 2.0.0-beta < 2.0.0, so inside [1.0,2.0)
		{"[1.0,2.0.0-0)", "", "1.5.0+build.7", true},
		{"[1.0,1.2)", "^beta", "1.1.0-beta.10", true}, // numeric identifiers by value
		{"[1.0,2.0)", "^beta", "2.0.0-beta", true},
		{"[1.0,1.9)", "^beta", "1.1.0-beta.10", true},
		{"", "^beta", "2.0.0-beta", true}, // case-sensitive: BETA does not match
		{"", "(?i)^beta", "3.0.0-BETA.1", true},
		{"[1.0,1.9)", `^[^\+].*`, "1.2.0-rc.1+sha.1", true},
		{"", `^(?!beta).+`, "3.0.0-BETA.1", true}, // case-sensitive
		{"", `^(?!(?i)beta).+`, "2.1.0-feature-x", true},
		{"[1.2,2.0]", "^rc", "", false}, // 1.2.0-rc.1 is below 1.2
		{"[1.2.0-rc,2.0]", "^rc", "1.2.0-rc.1+sha.1", true},
		{"(2.0,3.0)", "^$", "", false}, // 2.1.0-feature-x is the only member and it is a pre-release
		{"[4.0]", "", "", false},
		{"(,1.0.0)", "", "", false},
	}
	for _, tt := range tests {
		rule := MustParseChannelRule(tt.rng, tt.tag)
		got, ok := SelectLatest(feed, rule)
		if got != tt.want || ok != tt.ok {
			t.Errorf("SelectLatest(range %q, tag %q) = %q, %v; want %q, %v", tt.rng, tt.tag, got, ok, tt.want, tt.ok)
		}
	}
	if got, ok := SelectLatest(nil, ChannelRule{}); ok || got != "" {
		t.Errorf("SelectLatest(nil) = %q, %v", got, ok)
	}
}

func TestSelectLatestTies(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{[]string{"1.0", "1.0.0", "1.0.0.0"}, "1.0"},         // equal: earliest wins
		{[]string{"1.0.0+a", "1.0.0+b", "1.0.0"}, "1.0.0+b"}, // metadata breaks the tie
		{[]string{"1.0.0+B", "1.0.0+b"}, "1.0.0+B"},          // case-insensitively
		{[]string{"1.0.0-beta", "1.0.0-BETA", "1.0.0-Beta"}, "1.0.0-beta"},
		{[]string{" 1.0.1 ", "1.0.0"}, " 1.0.1 "}, // the text is returned as given
	}
	for _, tt := range tests {
		got, ok := SelectLatest(tt.in, ChannelRule{})
		if !ok || got != tt.want {
			t.Errorf("SelectLatest(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestLatestWithFilter(t *testing.T) {
	stable := MustParseChannelRule("", "^$")
	beta := MustParseChannelRule("[1.0,2.0)", "")
	got, ok := Latest([]string{"1.5.0", "1.6.0-beta", "2.0.0"}, func(v Version) bool {
		return stable.Allows(v) && beta.Allows(v)
	})
	if !ok || got != "1.5.0" {
		t.Errorf("Latest = %q, %v", got, ok)
	}
	if got, _ := Latest([]string{"1", "3", "2"}, nil); got != "3" {
		t.Errorf("Latest(nil filter) = %q", got)
	}
}

func ExampleSelectLatest() {
	rule, err := ParseChannelRule("[1.0,2.0)", "^beta")
	if err != nil {
		panic(err)
	}
	feed := []string{"1.0.0", "1.4.0-beta.2", "1.4.0-beta.10", "1.4.0", "2.1.0-beta.1"}
	fmt.Println(SelectLatest(feed, rule))
	// Output: 1.4.0-beta.10 true
}

func TestTagPattern(t *testing.T) {
	if p := MustParseChannelRule("", "^beta").TagPattern(); p != "^beta" {
		t.Errorf("TagPattern = %q", p)
	}
	if p := (ChannelRule{}).TagPattern(); p != "" {
		t.Errorf("zero TagPattern = %q", p)
	}
}

func TestMustParseChannelRulePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("MustParseChannelRule(bad) did not panic")
		}
	}()
	MustParseChannelRule("", "(")
}
