package interp

import (
	"strings"
	"testing"

	"go.starlark.net/starlark"
)

func TestREPLHelp(t *testing.T) {
	tests := []struct {
		name  string
		line  string
		wants []string
	}{
		{"index", "help()", []string{"Other\n", "  * deploy  Deploys.", "* changes the server", "help(NAME) shows one builtin"}},
		{"a builtin", "help(deploy)", []string{"deploy(project, to, *, release=None, wait=True, timeout=\"30m\")", "[changes the server]", "    Deploys.", "    project              the project (str)"}},
		{"by name", `help("deploy")`, []string{"deploy(project, to, *"}},
		{"a language built-in", "help(len)", []string{"len is a built-in of the Starlark language: see https://github.com/bazelbuild/starlark/blob/master/spec.md#len"}},
		{"help itself", "help(help)", []string{"help(NAME) shows a builtin's documentation"}},
		{"a method of a string", `help("text".upper)`, []string{"no documentation"}},
		{"a misspelt name", `help("deploi")`, []string{`help: no builtin named "deploi" (did you mean deploy?)`}},
		{"a plain value", "help(1)", []string{"help: no documentation for a value of type int"}},
		{"too many arguments", "help(deploy, len)", []string{"help: got 2 arguments, want at most 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, out := newTestREPL(t, testRegistry())
			s.Run(t.Context(), &scriptedInput{lines: []string{tt.line}}, out)
			for _, want := range tt.wants {
				if !strings.Contains(out.String(), want) {
					t.Errorf("%s printed:\n%s\nwant it to contain %q", tt.line, out.String(), want)
				}
			}
		})
	}
}

// TestHelpIsNotInScripts: scripts keep the documented API; help is the
// session's alone, and cannot be redefined there.
func TestHelpIsNotInScripts(t *testing.T) {
	_, errText := runScript(t, t.Context(), testRegistry(), map[string]string{"main.star": "help(deploy)\n"})
	if !strings.Contains(errText, "undefined: help") {
		t.Errorf("a script could call help: %q", errText)
	}
	s, out := newTestREPL(t, testRegistry())
	s.Run(t.Context(), &scriptedInput{lines: []string{"help = 1"}}, out)
	if !strings.Contains(out.String(), "cannot redefine the builtin help") {
		t.Errorf("help could be redefined: %q", out.String())
	}
}

func TestREPLDisplay(t *testing.T) {
	s, out := newTestREPL(t, testRegistry())
	s.Display = func(v starlark.Value) string {
		if _, ok := v.(*starlark.List); ok {
			return "a table"
		}
		panic("not a list") // a broken Display must not lose the value
	}
	s.Run(t.Context(), &scriptedInput{lines: []string{"[1, 2]", "'text'", "x = [3]", "print([4])"}}, out)
	if want := "a table\n\"text\"\n[4]\n"; out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}
}
