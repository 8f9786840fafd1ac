package versioning

import (
	"strings"
	"testing"
)

var versionSeeds = []string{
	"", "1", "1.0", "1.0.0", "1.0.0.0", "1.2.3-beta.2+sha.1", "1.0.0-0", "1.0.0-alpha.beta",
	"1.0.0--", "01.02", "2147483647", "2147483648", "1.0.0-BETA", "1.0.0+meta", " 1.2 ",
	"1.0.0-99999999999999999999", "v1", "1..2", "1.0.0-", "1.2.3.4.5", "1.0.0-a_b", "1.0.0+a+b",
}

// FuzzParseVersion: Parse never panics; a parsed version round-trips
// through String; Compare is reflexive, antisymmetric and transitive.
func FuzzParseVersion(f *testing.F) {
	for i, s := range versionSeeds {
		f.Add(s, versionSeeds[(i+1)%len(versionSeeds)], versionSeeds[(i+5)%len(versionSeeds)])
	}
	f.Fuzz(func(t *testing.T, a, b, c string) {
		va, errA := Parse(a)
		vb, errB := Parse(b)
		vc, errC := Parse(c)
		if errA != nil {
			if !strings.Contains(errA.Error(), "invalid version") {
				t.Fatalf("Parse(%q) error text %q", a, errA)
			}
			return
		}
		again, err := Parse(va.String())
		if err != nil {
			t.Fatalf("Parse(%q) ok but Parse(String()=%q): %v", a, va.String(), err)
		}
		if again.String() != va.String() || Compare(again, va) != 0 || again.Metadata() != va.Metadata() ||
			again.Prerelease() != va.Prerelease() || again.Parts() != va.Parts() {
			t.Fatalf("round trip of %q changed it: %+v vs %+v", a, again, va)
		}
		if va.String() != strings.TrimSpace(a) {
			t.Fatalf("String() = %q, want the trimmed input %q", va.String(), a)
		}
		if Compare(va, va) != 0 {
			t.Fatalf("Compare(%q, itself) != 0", a)
		}
		if errB != nil {
			return
		}
		ab, ba := Compare(va, vb), Compare(vb, va)
		if ab != -ba || ab < -1 || ab > 1 {
			t.Fatalf("Compare(%q, %q) = %d but Compare(%q, %q) = %d", a, b, ab, b, a, ba)
		}
		if (ab == 0) != va.Equal(vb) {
			t.Fatalf("Equal disagrees with Compare for %q, %q", a, b)
		}
		if m1, m2 := compareWithMetadata(va, vb), compareWithMetadata(vb, va); m1 != -m2 {
			t.Fatalf("compareWithMetadata not antisymmetric for %q, %q", a, b)
		}
		if errC != nil {
			return
		}
		bc, ac := Compare(vb, vc), Compare(va, vc)
		if ab <= 0 && bc <= 0 && ac > 0 {
			t.Fatalf("not transitive: %q <= %q <= %q but %q > %q", a, b, c, a, c)
		}
		if ab >= 0 && bc >= 0 && ac < 0 {
			t.Fatalf("not transitive: %q >= %q >= %q but %q < %q", a, b, c, a, c)
		}
	})
}

// FuzzParseRange: ParseRange never panics; a parsed range's String parses
// back to a range with the same members; bounds behave as declared.
func FuzzParseRange(f *testing.F) {
	seeds := []string{"1.0", "[1.0]", "[1.0,2.0)", "(,2.0]", "(1.0,)", "(,)", "*", "1.*", "[1.2.*,2)",
		"[2.0.0-alpha.1,2.0.0)", "  [ 1 . 0 , 2 ] ", "(1.6)", "[2,1]", "[1.0,1.0)", "[", "]", "()", "1-*"}
	for i, s := range seeds {
		f.Add(s, versionSeeds[i%len(versionSeeds)])
	}
	f.Fuzz(func(t *testing.T, s, v string) {
		r, err := ParseRange(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "invalid version range ") {
				t.Fatalf("ParseRange(%q) error text %q", s, err)
			}
			return
		}
		if r.IsAny() {
			t.Fatalf("ParseRange(%q) gave an unbounded range", s)
		}
		again, err := ParseRange(r.String())
		if err != nil {
			t.Fatalf("ParseRange(%q) ok, but its String %q does not parse: %v", s, r.String(), err)
		}
		if again.String() != r.String() {
			t.Fatalf("String not stable: %q then %q", r.String(), again.String())
		}
		if min, inc, ok := r.Min(); ok && r.Contains(min) != (inc && (!r.hasMax || Compare(min, r.max) < 0 || r.maxInc)) {
			t.Fatalf("%q: Contains(min %s) = %v, inclusive %v", s, min, r.Contains(min), inc)
		}
		if max, inc, ok := r.Max(); ok && r.Contains(max) != inc {
			t.Fatalf("%q: Contains(max %s) = %v, inclusive %v", s, max, r.Contains(max), inc)
		}
		ver, err := Parse(v)
		if err != nil {
			return
		}
		if r.Contains(ver) != again.Contains(ver) {
			t.Fatalf("%q and its String %q disagree on %q", s, r.String(), v)
		}
	})
}

// FuzzNextVersion: NextVersion never panics, and whatever it returns
// without error is a valid version; masks applied to anything also give
// valid versions.
func FuzzNextVersion(f *testing.F) {
	seeds := []string{
		DefaultTemplate, "1.2.i", "1.c.i", "#{Octopus.Date.Year}.#{Octopus.Date.Month}.#{Octopus.Date.Day}.i",
		docsDateTemplate, "#{if Flag}1#{else}2#{/if}.0", "##{x}", "#{", "#{}", "#{a|b}", "1.0-#{Octopus.Release.Channel.Name}.i",
		"#{Octopus.Version.Channel[Beta].NextMajor}.#{Octopus.Version.Channel.LastMinor}", "#{Loop}", "#{X}.i", "i.c.c-a.i+b.c",
	}
	for i, s := range seeds {
		f.Add(s, versionSeeds[i%len(versionSeeds)])
	}
	vars := map[string]string{"Flag": "true", "X": "#{Octopus.Version.NextMajor}", "Loop": "#{Loop}"}
	f.Fuzz(func(t *testing.T, template, last string) {
		opts := []Option{WithClock(testClock), WithChannel("Beta", last), WithOtherChannel("Other", "1.0"), WithExistingVersions(last, "1.2.3")}
		got, err := NextVersion(template, last, vars, opts...)
		if err == nil {
			if _, perr := Parse(got); perr != nil {
				t.Fatalf("NextVersion(%q, %q) = %q, which does not parse: %v", template, last, got, perr)
			}
			if IsMask(got) {
				t.Fatalf("NextVersion(%q, %q) = %q, still a mask", template, last, got)
			}
		}
		if _, err := ExpandTemplate(template, last, vars, opts...); err != nil && got != "" && !strings.Contains(err.Error(), "version template") {
			t.Fatalf("ExpandTemplate error text %q", err)
		}
		// The template text used as a mask on last.
		if out, err := ApplyMask(template, last); err == nil {
			if _, perr := Parse(out); perr != nil {
				t.Fatalf("ApplyMask(%q, %q) = %q, which does not parse: %v", template, last, out, perr)
			}
		}
		if out, err := ResolveReleaseVersion(template, []string{last, "1.2.3", "2.0"}); err == nil {
			if _, perr := Parse(out); perr != nil {
				t.Fatalf("ResolveReleaseVersion(%q) = %q, which does not parse", template, out)
			}
		}
	})
}

// FuzzChannelRule: building a rule never panics and Allows is consistent
// with its parts.
func FuzzChannelRule(f *testing.F) {
	f.Add("[1.0,2.0)", "^$", "1.5.0")
	f.Add("", `^(?!beta).+`, "1.0.0-alpha")
	f.Add("(,1]", `^[^\+].*`, "1.0.0-rc+x")
	f.Add("", "^(?![)]", "1.0.0-)")
	f.Fuzz(func(t *testing.T, rng, tag, v string) {
		rule, err := ParseChannelRule(rng, tag)
		if err != nil {
			return
		}
		ver, err := Parse(v)
		if err != nil {
			if rule.AllowsString(v) {
				t.Fatalf("invalid version %q allowed", v)
			}
			return
		}
		if rule.Allows(ver) != (rule.Range.Contains(ver) && rule.MatchesTag(ver)) {
			t.Fatalf("Allows inconsistent for %q", v)
		}
		got, ok := SelectLatest([]string{v}, rule)
		if ok != rule.Allows(ver) || ok && got != v {
			t.Fatalf("SelectLatest([%q]) = %q, %v", v, got, ok)
		}
	})
}
