package versioning

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestParseValid(t *testing.T) {
	tests := []struct {
		in                                string
		text                              string
		major, minor, patch, revision, np int
		pre, tag, meta                    string
	}{
		{in: "1", text: "1", major: 1, np: 1},
		{in: "1.2", text: "1.2", major: 1, minor: 2, np: 2},
		{in: "1.2.3", text: "1.2.3", major: 1, minor: 2, patch: 3, np: 3},
		{in: "1.2.3.4", text: "1.2.3.4", major: 1, minor: 2, patch: 3, revision: 4, np: 4},
		{in: "  1.2.3  ", text: "1.2.3", major: 1, minor: 2, patch: 3, np: 3},
		{in: "01.002.3", text: "01.002.3", major: 1, minor: 2, patch: 3, np: 3},
		{in: "0.0.0", text: "0.0.0", np: 3},
		{in: "2147483647.0", text: "2147483647.0", major: 2147483647, np: 2},
		{in: "1.0.0-beta", text: "1.0.0-beta", major: 1, np: 3, pre: "beta", tag: "beta"},
		{in: "1.0.0-beta.2", text: "1.0.0-beta.2", major: 1, np: 3, pre: "beta.2", tag: "beta"},
		{in: "1.0.0-beta-2", text: "1.0.0-beta-2", major: 1, np: 3, pre: "beta-2", tag: "beta-2"},
		{in: "1.0.0--", text: "1.0.0--", major: 1, np: 3, pre: "-", tag: "-"},
		{in: "1.0.0-0.3.7", text: "1.0.0-0.3.7", major: 1, np: 3, pre: "0.3.7", tag: "0"},
		{in: "1.0.0-x.7.z.92", text: "1.0.0-x.7.z.92", major: 1, np: 3, pre: "x.7.z.92", tag: "x"},
		{in: "1.0.0+build.5", text: "1.0.0+build.5", major: 1, np: 3, meta: "build.5"},
		{in: "1.0.0-rc.1+sha.5114f85", text: "1.0.0-rc.1+sha.5114f85", major: 1, np: 3, pre: "rc.1", tag: "rc", meta: "sha.5114f85"},
		{in: "1.0.0+build-1-2", text: "1.0.0+build-1-2", major: 1, np: 3, meta: "build-1-2"},
		{in: "1.2.3.4-alpha", text: "1.2.3.4-alpha", major: 1, minor: 2, patch: 3, revision: 4, np: 4, pre: "alpha", tag: "alpha"},
		{in: "1-alpha", text: "1-alpha", major: 1, np: 1, pre: "alpha", tag: "alpha"},
	}
	for _, tt := range tests {
		v, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		got := []any{v.String(), v.Major(), v.Minor(), v.Patch(), v.Revision(), v.Parts(), v.Prerelease(), v.PrereleaseTag(), v.Metadata(), v.IsPrerelease()}
		want := []any{tt.text, tt.major, tt.minor, tt.patch, tt.revision, tt.np, tt.pre, tt.tag, tt.meta, tt.pre != ""}
		if !slices.Equal(got, want) {
			t.Errorf("Parse(%q) = %v, want %v", tt.in, got, want)
		}
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `invalid version "": empty; expected 1 to 4 dot-separated numbers such as 1.2.3`},
		{"   ", `invalid version "   ": empty; expected 1 to 4 dot-separated numbers such as 1.2.3`},
		{"1. 2", `invalid version "1. 2": whitespace at offset 2; a version may not contain spaces`},
		{"1.2.3.4.5", `invalid version "1.2.3.4.5": more than 4 numeric parts; expected at most major.minor.patch.revision`},
		{"1..2", `invalid version "1..2": numeric part 2 is empty`},
		{"1.", `invalid version "1.": numeric part 2 is empty`},
		{".1", `invalid version ".1": numeric part 1 is empty`},
		{"v1.0", `invalid version "v1.0": numeric part 1 ("v1") is not a non-negative integer`},
		{"1.x", `invalid version "1.x": numeric part 2 ("x") is not a non-negative integer`},
		{"-1.0", `invalid version "-1.0": no numeric part; expected 1 to 4 dot-separated numbers before any '-' or '+'`},
		{"+1.0", `invalid version "+1.0": no numeric part; expected 1 to 4 dot-separated numbers before any '-' or '+'`},
		{"2147483648", `invalid version "2147483648": numeric part 1 ("2147483648") exceeds 2147483647`},
		{"1.99999999999999999999", `invalid version "1.99999999999999999999": numeric part 2 ("99999999999999999999") exceeds 2147483647`},
		{"1.0.0-", `invalid version "1.0.0-": empty pre-release after its separator`},
		{"1.0.0-beta.", `invalid version "1.0.0-beta.": empty pre-release identifier in "beta."`},
		{"1.0.0-beta..1", `invalid version "1.0.0-beta..1": empty pre-release identifier in "beta..1"`},
		{"1.0.0-beta_1", `invalid version "1.0.0-beta_1": pre-release identifier "beta_1" contains '_'; allowed are ASCII letters, digits and '-'`},
		{"1.0.0-bêta", `invalid version "1.0.0-bêta": pre-release identifier "bêta" contains 'ê'; allowed are ASCII letters, digits and '-'`},
		{"1.0.0+", `invalid version "1.0.0+": empty build metadata after its separator`},
		{"1.0.0+a+b", `invalid version "1.0.0+a+b": build metadata identifier "a+b" contains '+'; allowed are ASCII letters, digits and '-'`},
		{"1.0.0+a..b", `invalid version "1.0.0+a..b": empty build metadata identifier in "a..b"`},
		{"1.0.*", `invalid version "1.0.*": numeric part 3 ("*") is not a non-negative integer`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		if err == nil {
			t.Errorf("Parse(%q) succeeded, want error", tt.in)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("Parse(%q) error\n got %s\nwant %s", tt.in, err, tt.want)
		}
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Input != tt.in {
			t.Errorf("Parse(%q) error %T does not carry the input", tt.in, err)
		}
	}
}

func TestMustParsePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("MustParse(bad) did not panic")
		}
	}()
	MustParse("not a version")
}

// TestCompareOrder checks a list that must be strictly ascending, in
// every pairing.
func TestCompareOrder(t *testing.T) {
	ascending := []string{
		"0.0.1",
		"0.9",
		"1.0.0-0",
		"1.0.0-1",
		"1.0.0-2",
		"1.0.0-10", // numeric identifiers by value, not text
		"1.0.0-99999999999999999999",
		"1.0.0--",       // '-' sorts before letters
		"1.0.0-A",       // numeric before alphanumeric
		"1.0.0-alpha",   //
		"1.0.0-alpha.1", // longer after its prefix
		"1.0.0-alpha.beta",
		"1.0.0-alpha0",
		"1.0.0-beta",
		"1.0.0-beta.2",
		"1.0.0-beta.11",
		"1.0.0-rc.1",
		"1.0.0-rc1",
		"1.0.0", // stable after every pre-release
		"1.0.0.1-alpha",
		"1.0.0.1",
		"1.0.1",
		"1.1",
		"1.10",
		"2",
		"2147483647",
	}
	vs := make([]Version, len(ascending))
	for i, s := range ascending {
		vs[i] = MustParse(s)
	}
	for i := range vs {
		for j := range vs {
			want := 0
			switch {
			case i < j:
				want = -1
			case i > j:
				want = 1
			}
			if got := Compare(vs[i], vs[j]); got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", vs[i], vs[j], got, want)
			}
		}
	}
	// Sorting any shuffle gives the list back.
	r := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		shuffled := slices.Clone(vs)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		Sort(shuffled)
		for i := range shuffled {
			if shuffled[i].String() != ascending[i] {
				t.Fatalf("Sort gave %v at %d, want %s", shuffled[i], i, ascending[i])
			}
		}
	}
}

func TestCompareEqual(t *testing.T) {
	pairs := [][2]string{
		{"1", "1.0"},
		{"1.0", "1.0.0"},
		{"1.0.0", "1.0.0.0"},
		{"01.2", "1.02.0"},
		{"1.0.0+a", "1.0.0+b"},
		{"1.0.0+build", "1.0.0"},
		{"1.0.0-beta", "1.0.0-BETA"},
		{"1.0.0-Beta.1+x", "1.0.0-bEta.1"},
		{"1.0.0-rc.01", "1.0.0-rc.1"},
		{"1.0-alpha", "1.0.0.0-alpha"},
	}
	for _, p := range pairs {
		a, b := MustParse(p[0]), MustParse(p[1])
		if Compare(a, b) != 0 || Compare(b, a) != 0 || !a.Equal(b) || a.Compare(b) != 0 {
			t.Errorf("%s and %s should order equally", a, b)
		}
	}
}

func TestZeroVersion(t *testing.T) {
	var z Version
	if z.String() != "" || z.IsPrerelease() || z.Parts() != 0 {
		t.Errorf("zero Version = %+v", z)
	}
	if Compare(z, MustParse("0.0.0")) != 0 {
		t.Error("zero Version should order like 0.0.0")
	}
}

func TestSortStableWithMetadata(t *testing.T) {
	in := []string{"1.0.0+b", "1.0.0", "1.0.0+A", "0.1", "1.0.0+a"}
	vs := make([]Version, len(in))
	for i, s := range in {
		vs[i] = MustParse(s)
	}
	Sort(vs)
	var got []string
	for _, v := range vs {
		got = append(got, v.String())
	}
	want := []string{"0.1", "1.0.0", "1.0.0+A", "1.0.0+a", "1.0.0+b"}
	if !slices.Equal(got, want) {
		t.Errorf("Sort = %v, want %v", got, want)
	}
}
