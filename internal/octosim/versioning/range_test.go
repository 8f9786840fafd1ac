package versioning

import (
	"errors"
	"testing"
)

func TestParseRangeValid(t *testing.T) {
	tests := []struct {
		in  string
		str string   // String()
		yes []string // contained
		no  []string // not contained
	}{
		{
			in: "1.0", str: "[1.0, )",
			yes: []string{"1.0", "1.0.0", "1.0.0+meta", "1.0.1", "2.0", "99.0.0-beta"},
			no:  []string{"0.9", "1.0.0-rc.1", "0.0.1"},
		},
		{
			in: "[1.0]", str: "[1.0]",
			yes: []string{"1.0", "1.0.0", "1.0.0.0", "1.0.0+build"},
			no:  []string{"1.0.1", "0.9", "1.0.0-beta", "1.0.0.1"},
		},
		{
			in: "[1.0,2.0)", str: "[1.0, 2.0)",
			yes: []string{"1.0", "1.5", "1.9.9.9", "1.5.0-beta", "2.0.0-rc.1"},
			no:  []string{"2.0", "2.0.0", "0.9", "1.0.0-beta", "2.0.0+meta"},
		},
		{
			in: "[1.0,2.0]", str: "[1.0, 2.0]",
			yes: []string{"1.0", "2.0.0", "2.0.0+meta"},
			no:  []string{"2.0.0.1", "2.0.1-alpha"},
		},
		{
			in: "(1.0,2.0)", str: "(1.0, 2.0)",
			yes: []string{"1.0.1", "1.0.0.1", "1.999"},
			no:  []string{"1.0", "1.0.0+x", "2.0"},
		},
		{
			in: "(1.0,2.0]", str: "(1.0, 2.0]",
			yes: []string{"2.0", "1.1"},
			no:  []string{"1.0"},
		},
		{
			in: "(,2.0]", str: "(, 2.0]",
			yes: []string{"0.0.0", "2.0", "1.0.0-alpha", "2.0.0-beta"},
			no:  []string{"2.0.1", "2.0.0.1"},
		},
		{
			in: "(,2.0)", str: "(, 2.0)",
			yes: []string{"1.99", "2.0.0-beta"},
			no:  []string{"2.0"},
		},
		{
			in: "(1.0,)", str: "(1.0, )",
			yes: []string{"1.0.1", "1000"},
			no:  []string{"1.0", "1.0.0", "0.1"},
		},
		{
			in: "[1.0,)", str: "[1.0, )",
			yes: []string{"1.0"},
			no:  []string{"0.9"},
		},
		{
			in: "[2.0.0-alpha.1,2.0.0)", str: "[2.0.0-alpha.1, 2.0.0)",
			yes: []string{"2.0.0-alpha.1", "2.0.0-alpha.2", "2.0.0-beta", "2.0.0-rc.1"},
			no:  []string{"2.0.0-alpha", "2.0.0-alpha.0", "2.0.0", "1.9.9"},
		},
		{
			in: "[1.0.0-beta+meta, 2.0.0-beta+meta]", str: "[1.0.0-beta+meta, 2.0.0-beta+meta]",
			yes: []string{"1.0.0", "1.0.0-beta+meta", "2.0.0-beta", "1.0.0+meta"},
			no:  []string{"1.0.0-alpha", "2.0.0-rc", "2.0.0+meta"},
		},
		{
			in: "(1.0.0-beta+meta, 2.0.0-beta+meta)", str: "(1.0.0-beta+meta, 2.0.0-beta+meta)",
			yes: []string{"1.0.0", "2.0.0-alpha+meta"},
			no:  []string{"2.0.0-beta+meta", "1.0.0-beta"},
		},
		{
			in: "   [  1 .2   , 2  .3   ]  ", str: "[1.2, 2.3]",
			yes: []string{"1.2", "2.3"},
			no:  []string{"2.4"},
		},
		{in: "  1  .   2  ", str: "[1.2, )", yes: []string{"1.2"}, no: []string{"1.1"}},
		{in: "\t[1.0 ,\n2.0)", str: "[1.0, 2.0)", yes: []string{"1.0"}, no: []string{"2.0"}},
		{in: "[1,3)", str: "[1, 3)", yes: []string{"1.0.0", "2.9"}, no: []string{"3.0.0"}},
		{in: "(1.2.3.4, 3.2)", str: "(1.2.3.4, 3.2)", yes: []string{"1.2.3.5", "3.1.99"}, no: []string{"1.2.3.4", "3.2.0"}},
		{in: "(1.6, ]", str: "(1.6, )", yes: []string{"1.7"}, no: []string{"1.6"}},
		{in: "[1.0,1.0]", str: "[1.0]", yes: []string{"1.0.0"}, no: []string{"1.0.1"}},
		{in: "[1.0,1.0.0]", str: "[1.0, 1.0.0]", yes: []string{"1.0.0"}, no: []string{"1.0.1"}},
		{in: "*", str: "[0.0.0, )", yes: []string{"0.0.0", "1.0.0-alpha", "5"}, no: []string{"0.0.0-alpha"}},
		{in: "1.*", str: "[1, )", yes: []string{"1.0", "1.5", "2.0"}, no: []string{"0.9", "1.0.0-beta"}},
		{in: "[1.2.*, 2.0)", str: "[1.2, 2.0)", yes: []string{"1.2.0", "1.9"}, no: []string{"1.1.9", "2.0"}},
		{in: "1.2.3.*", str: "[1.2.3, )", yes: []string{"1.2.3", "1.2.3.1"}, no: []string{"1.2.2"}},
	}
	for _, tt := range tests {
		r, err := ParseRange(tt.in)
		if err != nil {
			t.Errorf("ParseRange(%q): %v", tt.in, err)
			continue
		}
		if got := r.String(); got != tt.str {
			t.Errorf("ParseRange(%q).String() = %q, want %q", tt.in, got, tt.str)
		}
		for _, s := range tt.yes {
			if !r.Contains(MustParse(s)) {
				t.Errorf("%q should contain %s", tt.in, s)
			}
		}
		for _, s := range tt.no {
			if r.Contains(MustParse(s)) {
				t.Errorf("%q should not contain %s", tt.in, s)
			}
		}
		// String re-parses to a range with the same members.
		again, err := ParseRange(r.String())
		if err != nil {
			t.Errorf("ParseRange(%q) (String of %q): %v", r.String(), tt.in, err)
			continue
		}
		for _, s := range append(append([]string{}, tt.yes...), tt.no...) {
			if again.Contains(MustParse(s)) != r.Contains(MustParse(s)) {
				t.Errorf("%q and its String %q disagree on %s", tt.in, r.String(), s)
			}
		}
	}
}

func TestParseRangeInvalid(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `invalid version range "": empty; expected a version such as 1.0, or brackets such as [1.0,2.0)`},
		{"   ", `invalid version range "   ": empty; expected a version such as 1.0, or brackets such as [1.0,2.0)`},
		{"(,)", `invalid version range "(,)": no version on either side of ','; at least one bound is required`},
		{"[,]", `invalid version range "[,]": no version on either side of ','; at least one bound is required`},
		{"[,)", `invalid version range "[,)": no version on either side of ','; at least one bound is required`},
		{"(,]", `invalid version range "(,]": no version on either side of ','; at least one bound is required`},
		{"[]", `invalid version range "[]": no version between the brackets`},
		{"[", `invalid version range "[": expected ']' or ')' at the end, found "["`},
		{"[1.0", `invalid version range "[1.0": expected ']' or ')' at the end, found "0"`},
		{"[1.0,2.0", `invalid version range "[1.0,2.0": expected ']' or ')' at the end, found "0"`},
		{"1.0]", `invalid version range "1.0]": a range must start with '[' or '(' and end with ']' or ')'`},
		{"{1.0,2.0}", `invalid version range "{1.0,2.0}": two versions need brackets, such as [1.0,2.0)`},
		{"1.0,2.0", `invalid version range "1.0,2.0": two versions need brackets, such as [1.0,2.0)`},
		{"[[1.0,2.0]]", `invalid version range "[[1.0,2.0]]": unexpected bracket inside the range; expected at most two versions separated by ','`},
		{"(1.6)", `invalid version range "(1.6)": a single version must be written [1.6] (exact match); use a comma for an open bound, such as (1.6,)`},
		{"[1.6)", `invalid version range "[1.6)": a single version must be written [1.6] (exact match); use a comma for an open bound, such as (1.6,)`},
		{"(1.6]", `invalid version range "(1.6]": a single version must be written [1.6] (exact match); use a comma for an open bound, such as (1.6,)`},
		{"[1.0,2.0,3.0]", `invalid version range "[1.0,2.0,3.0]": more than one ','; expected at most two versions`},
		{"[2.0,1.0]", `invalid version range "[2.0,1.0]": lower bound 2.0 is above upper bound 1.0`},
		{"(1.0,1.0)", `invalid version range "(1.0,1.0)": bounds are equal (1.0) but not both inclusive, so nothing matches; write [1.0] for an exact match`},
		{"[1.0,1.0.0)", `invalid version range "[1.0,1.0.0)": bounds are equal (1.0) but not both inclusive, so nothing matches; write [1.0] for an exact match`},
		{"[-1, 2]", `invalid version range "[-1, 2]": lower bound: "-1" is not a version: no numeric part; expected 1 to 4 dot-separated numbers before any '-' or '+'`},
		{"(,1.3..2]", `invalid version range "(,1.3..2]": upper bound: "1.3..2" is not a version: numeric part 3 is empty`},
		{"(1.2.3.4.5,1.2]", `invalid version range "(1.2.3.4.5,1.2]": lower bound: "1.2.3.4.5" is not a version: more than 4 numeric parts; expected at most major.minor.patch.revision`},
		{"abc", `invalid version range "abc": "abc" is not a version: numeric part 1 ("abc") is not a non-negative integer`},
		{"[abc]", `invalid version range "[abc]": "abc" is not a version: numeric part 1 ("abc") is not a non-negative integer`},
		{"[1.0, 2.*)", `invalid version range "[1.0, 2.*)": upper bound: "2.*": only a lower bound may float ('*')`},
		{"[1.*]", `invalid version range "[1.*]": "1.*": only a lower bound may float ('*')`},
		{"1.0-*", `invalid version range "1.0-*": "1.0-*": unsupported floating version; expected *, 1.*, 1.2.* or 1.2.3.* (pre-release floats are not supported)`},
		{"1*", `invalid version range "1*": "1*": unsupported floating version; expected *, 1.*, 1.2.* or 1.2.3.* (pre-release floats are not supported)`},
		{"1.2.3.4.*", `invalid version range "1.2.3.4.*": "1.2.3.4.*": unsupported floating version; expected *, 1.*, 1.2.* or 1.2.3.*`},
		{"*.*", `invalid version range "*.*": "*.*": unsupported floating version; expected *, 1.*, 1.2.* or 1.2.3.* (pre-release floats are not supported)`},
	}
	for _, tt := range tests {
		_, err := ParseRange(tt.in)
		if err == nil {
			t.Errorf("ParseRange(%q) succeeded, want error", tt.in)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("ParseRange(%q) error\n got %s\nwant %s", tt.in, err, tt.want)
		}
		var re *RangeError
		if !errors.As(err, &re) || re.Input != tt.in {
			t.Errorf("ParseRange(%q) error %T does not carry the input", tt.in, err)
		}
	}
}

func TestZeroRange(t *testing.T) {
	var r Range
	if !r.IsAny() || r.String() != "" {
		t.Errorf("zero Range: IsAny %v, String %q", r.IsAny(), r.String())
	}
	for _, s := range []string{"0.0.0-a", "1.0", "2147483647.2147483647"} {
		if !r.Contains(MustParse(s)) {
			t.Errorf("zero Range should contain %s", s)
		}
	}
}

func TestRangeBounds(t *testing.T) {
	r := MustParseRange("(1.0,2.0]")
	if v, inc, ok := r.Min(); !ok || inc || v.String() != "1.0" {
		t.Errorf("Min = %v %v %v", v, inc, ok)
	}
	if v, inc, ok := r.Max(); !ok || !inc || v.String() != "2.0" {
		t.Errorf("Max = %v %v %v", v, inc, ok)
	}
	r = MustParseRange("(,2.0]")
	if _, inc, ok := r.Min(); ok || inc {
		t.Errorf("(,2.0] Min = %v %v", inc, ok)
	}
}

func TestMustParseRangePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("MustParseRange(bad) did not panic")
		}
	}()
	MustParseRange("[2,1]")
}
