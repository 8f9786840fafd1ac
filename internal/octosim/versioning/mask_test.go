package versioning

import (
	"strings"
	"testing"
)

func TestIsMask(t *testing.T) {
	yes := []string{"1.i", "i", "c", "1.2.i", "2.1.c.i", "1.c.i", "i.i.i.i", "1.2.3-alpha.i", "1.2.3-alpha.c",
		"1.2.3+build.i", "1.i-beta", " 1.2.i ", "1.2.3.c-x"}
	no := []string{"", "1.2.3", "1.2.3-i", "1.2.3-beta", "1.2.3-alpha.i.x", "1.2.x", "1.2.i.i.i", "v1.i",
		"1.I", "1..i", "1.2.i-", "1.2.i-a_b", "1. i", "1.2.3+i", "2147483648.i"}
	for _, s := range yes {
		if !IsMask(s) {
			t.Errorf("IsMask(%q) = false", s)
		}
	}
	for _, s := range no {
		if IsMask(s) {
			t.Errorf("IsMask(%q) = true", s)
		}
	}
}

func TestApplyMask(t *testing.T) {
	tests := []struct{ mask, current, want string }{
		// From Octopus's mask fixtures (reference 3a).
		{"1.i", "1.1.5", "1.2.0"},
		{"1.c.i", "1.1", "1.1.1"},
		{"1.i.c", "1.1.5", "1.2.0"},
		{"2.19.i-channel", "2.19.30-baz", "2.19.31-channel"},
		{"1.2.c-alpha.i", "1.2.3-alpha.4", "1.2.3-alpha.5"},
		// Numeric parts.
		{"2.1.c.i", "2.1.0.5", "2.1.0.6"},
		{"2.1.c.i", "2.1.7", "2.1.7.1"},
		{"i", "1.2.3", "2.0"},
		{"i.i.i", "1.2.3", "2.0.0"},
		{"c.c.i", "1.2.3", "1.2.4"},
		{"c.c.c", "1.2.3-beta", "1.2.3"}, // no mask pre-release: current one dropped
		{"i.c.c", "1.2.3", "2.0.3"},      // only the part right after an i resets
		{"1.i.5", "1.1.3", "1.2.5"},      // a fixed part stays
		{"1.i", "1.1.5.7", "1.2.0"},      // parts beyond the one after the mask end are dropped
		{"1.i", "1.1", "1.2"},
		{"1.2.i", "1", "1.2.1"}, // missing current parts are 0
		{"5.c.i", "1.2.3", "5.2.4"},
		{"1.2.i", "1.2.3+meta", "1.2.4"},
		{"1.2.i", "2147483646.2.2147483646", "1.2.2147483647"},
		// Pre-release and metadata identifiers.
		{"1.2.i-alpha.i", "1.2.3-alpha.4", "1.2.4-alpha.5"},
		{"1.2.c-beta.i", "1.2.3-alpha.4", "1.2.3-beta.5"},
		{"1.2.c-alpha.i", "1.2.3", "1.2.3-alpha.1"},
		{"1.2.c-alpha.i", "1.2.3-alpha.x", "1.2.3-alpha.1"},
		{"1.2.c-alpha.c", "1.2.3-alpha.7", "1.2.3-alpha.7"},
		{"1.2.c-i.i", "1.2.3-4.5", "1.2.3-5.0"},       // i after i resets when the tag ends in .i
		{"1.2.c-i.c.x", "1.2.3-4.5.6", "1.2.3-5.5.x"}, // not a trailing substitute: no reset
		{"1.2.i-i", "1.2.3-4", "1.2.4-5"},
		{"1.2.c-rc.i+build.i", "1.2.3-rc.1+build.9", "1.2.3-rc.2+build.10"},
		{"1.2.i+build.i", "1.2.3", "1.2.4+build.1"},
		// No current version: every i and c is 0.
		{"1.2.i", "", "1.2.0"},
		{"i.c", "  ", "0.0"},
		{"1.2.c-alpha.i", "", "1.2.0-alpha.0"},
		{"1.2.i+b.i", "", "1.2.0+b.0"},
		// Not a mask: a version passes through.
		{"1.2.3", "9.9.9", "1.2.3"},
		{" 1.2.3-i ", "9.9.9", "1.2.3-i"},
	}
	for _, tt := range tests {
		got, err := ApplyMask(tt.mask, tt.current)
		if err != nil {
			t.Errorf("ApplyMask(%q, %q): %v", tt.mask, tt.current, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ApplyMask(%q, %q) = %q, want %q", tt.mask, tt.current, got, tt.want)
		}
	}
}

func TestApplyMaskErrors(t *testing.T) {
	tests := []struct{ mask, current, want string }{
		{"1.x.i", "1.0", `"1.x.i" is neither a version mask nor a version: invalid version "1.x.i": numeric part 2 ("x") is not a non-negative integer`},
		{"1.2.i", "one", `applying mask "1.2.i": current version: invalid version "one": numeric part 1 ("one") is not a non-negative integer`},
		{"1.2.i", "1.2.2147483647", `applying mask "1.2.i" to "1.2.2147483647": invalid version "1.2.2147483648": numeric part 3 ("2147483648") exceeds 2147483647`},
	}
	for _, tt := range tests {
		_, err := ApplyMask(tt.mask, tt.current)
		if err == nil || err.Error() != tt.want {
			t.Errorf("ApplyMask(%q, %q) error\n got %v\nwant %s", tt.mask, tt.current, err, tt.want)
		}
	}
}

func TestLatestMatchingMask(t *testing.T) {
	versions := []string{"1.1.1", "2.2.1", "2.2.3", "2.3", "bad", "2.2.3-beta", "3.0.0.4"}
	tests := []struct {
		mask, want string
		ok         bool
	}{
		{"1.i.i", "1.1.1", true}, // the reference's example
		{"2.2.i", "2.2.3", true},
		{"2.i", "2.3", true},
		{"i.i", "3.0.0.4", true},
		{"2.3.i", "2.3", true},
		{"3.0.0.i", "3.0.0.4", true},
		{"3.0.i", "3.0.0.4", true},
		{"3.i", "3.0.0.4", true},
		{"3.0.0-beta.i", "", false}, // the revision must be 0
		{"4.i", "", false},
		{"2.2.3-beta.i", "2.2.3", true}, // only numeric parts are compared
		{"1.2.3", "", false},            // not a mask
	}
	for _, tt := range tests {
		got, ok := LatestMatchingMask(tt.mask, versions)
		if got != tt.want || ok != tt.ok {
			t.Errorf("LatestMatchingMask(%q) = %q, %v; want %q, %v", tt.mask, got, ok, tt.want, tt.ok)
		}
	}
}

func TestResolveReleaseVersion(t *testing.T) {
	existing := []string{"1.0.0", "1.0.1", "1.1.0", "2.0.0-beta.3", "2020.10.2.5"}
	tests := []struct{ requested, want string }{
		{"1.0.i", "1.0.2"},
		{"1.i", "1.2.0"},
		{"1.1.i", "1.1.1"},
		{"3.0.i", "3.0.0"}, // nothing agrees: fresh mask
		{"2.0.0-beta.i", "2.0.0-beta.4"},
		{"2020.10.2.i", "2020.10.2.6"},
		{"2020.10.3.i", "2020.10.3.0"}, // a new day starts at 0
		{"  4.5.6  ", "4.5.6"},
	}
	for _, tt := range tests {
		got, err := ResolveReleaseVersion(tt.requested, existing)
		if err != nil || got != tt.want {
			t.Errorf("ResolveReleaseVersion(%q) = %q, %v; want %q", tt.requested, got, err, tt.want)
		}
	}
	if _, err := ResolveReleaseVersion("1.0.x", existing); err == nil || !strings.Contains(err.Error(), `invalid version "1.0.x"`) {
		t.Errorf("ResolveReleaseVersion(1.0.x) error = %v", err)
	}
}
