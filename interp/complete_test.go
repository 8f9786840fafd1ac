package interp

import (
	"slices"
	"testing"
)

func TestREPLComplete(t *testing.T) {
	s, out := newTestREPL(t, testRegistry())
	s.Run(t.Context(), &scriptedInput{lines: []string{"deployments = []"}}, out)
	// Names as a target would give them, per builtin and parameter.
	s.ArgNames = func(builtin, param string) []string {
		switch {
		case builtin == "deploy" && param == "project":
			return []string{"Payments API", "Platform Ops", "Checkout Web", `Odd "quoted" \ name`}
		case builtin == "deploy" && param == "to":
			return []string{"Development", "Test", "Staging", "Production"}
		}
		return nil
	}
	tests := []struct {
		name string
		line string
		want []string
		n    int
	}{
		{"global and builtin", "dep", []string{"deploy", "deployments"}, 3},
		{"keyword", "deploy('Web', wa", []string{"wait="}, 2},
		{"keyword or name", "deploy('Web', t", []string{"to=", "timeout=", "tuple", "type"}, 1},
		{"help is a name", "hel", []string{"help"}, 3},
		{"after an assignment", "x = sor", []string{"sorted"}, 3},
		{"attribute", "json.enc", nil, 0},
		{"project, first positional", `deploy("P`, []string{`Payments API"`, `Platform Ops"`}, 1},
		{"project, two words typed", `deploy("Payments A`, []string{`Payments API"`}, 10},
		{"single quotes", `deploy('Che`, []string{`Checkout Web'`}, 3},
		{"escaped in the literal", `deploy("Odd`, []string{`Odd \"quoted\" \\ name"`}, 3},
		{"environment, second positional", `deploy("Payments API", "Pro`, []string{`Production"`}, 3},
		{"environment by keyword", `deploy("Payments API", to = "S`, []string{`Staging"`}, 1},
		{"environment in a list", `deploy("Payments API", to=["Test", "`, []string{`Development"`, `Production"`, `Staging"`, `Test"`}, 0},
		{"inside a nested call", `print(deploy("Check`, []string{`Checkout Web"`}, 5},
		{"a comma inside a string", `deploy("a, b", "Te`, []string{`Test"`}, 2},
		{"keyword that takes no names", `deploy("Web", to="Test", release="1`, nil, 0},
		{"positional after a keyword", `deploy(project="Web", "Te`, nil, 0},
		{"a method of another target", `target("dr").deploy("Pay`, nil, 0},
		{"a dict is not a list of names", `deploy("Web", to={"Te`, nil, 0},
		{"closed string", `deploy("Payments API"`, nil, 0},
		{"comment", `x = 1  # deploy("Pay`, nil, 0},
		{"a builtin without names", `len("Pay`, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, n := s.Complete(tt.line, len(tt.line))
			if !slices.Equal(got, tt.want) || n != tt.n {
				t.Errorf("Complete(%q) = %q, %d; want %q, %d", tt.line, got, n, tt.want, tt.n)
			}
		})
	}
}

// TestCompleteWithoutNames: no name source (a session with no target)
// completes nothing inside strings, and never fails.
func TestCompleteWithoutNames(t *testing.T) {
	s, _ := newTestREPL(t, testRegistry())
	if got, n := s.Complete(`deploy("Pay`, 11); got != nil || n != 0 {
		t.Errorf("got %q, %d", got, n)
	}
}

func TestScanCursor(t *testing.T) {
	tests := []struct {
		text    string
		fn      string
		arg     int
		keyword string
		str     string
	}{
		{`f(`, "f", 0, "", ""},
		{`f(a, `, "f", 1, "", ""},
		{`f(a, (1, 2), "x`, "f", 2, "", "x"},
		{`f(a, k=`, "f", -1, "k", ""},
		{`f(a == b, "`, "f", 1, "", ""},
		{`f("it's", '''tri`, "f", 1, "", "tri"},
		{`f("esc\"aped", "`, "f", 1, "", ""},
		{`f(g(1), h(`, "h", 0, "", ""},
	}
	for _, tt := range tests {
		c := scanCursor(tt.text)
		call := c.call()
		if call == nil {
			t.Errorf("%s: no open call", tt.text)
			continue
		}
		str := ""
		if c.str != nil {
			str = c.str.text
		}
		if call.fn != tt.fn || call.arg != tt.arg || call.keyword != tt.keyword || str != tt.str {
			t.Errorf("%s: call %s arg %d keyword %q string %q; want %s %d %q %q", tt.text, call.fn, call.arg, call.keyword, str, tt.fn, tt.arg, tt.keyword, tt.str)
		}
	}
}
