package interp

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckReportsEveryProblem(t *testing.T) {
	files := map[string]string{
		"main.star": `load("lib/util.star", "helper", "helpr2")
load("lib/none.star", "x")
load("../up.star", "y")
r = depoy("Web", "Test")
deploy("Web", "Test", wiat = False)
deploy("Web")
deploy("Web", "Test", "1.0")
deploy(*["Web", "Test"])
projects = lenn([])
def deploy_all():
    return deploy(project = "Web", to = "Test", relase = "1.0")
`,
		"lib/util.star": "def helper():\n    return 1\ndef helper2():\n    return 2\n",
		"other.star":    "x = \n",
	}
	dir := writeFiles(t, files)
	rt := New(Options{Registry: testRegistry()})
	findings := rt.Check(filepath.Join(dir, "main.star"), filepath.Join(dir, "other.star"))
	var got []string
	for _, f := range findings {
		got = append(got, strings.ReplaceAll(f.String(), dir+"/", ""))
	}
	want := []string{
		`main.star:1:34: load: lib/util.star has no symbol "helpr2" (did you mean helper2?)`,
		`main.star:2:6: cannot load lib/none.star: no such file in the script folder "` + dir + `"`,
		`main.star:3:6: cannot load ../up.star: the path leaves the script folder "` + dir + `"`,
		`main.star:4:5: undefined: depoy (did you mean deploy?)`,
		"main.star:5:23: error OS102 (unknown-keyword): deploy: unknown keyword argument \"wiat\" (did you mean wait?)\n    fix: write wait = ... instead of wiat = ...",
		`main.star:6:7: deploy: missing argument for to`,
		`main.star:7:7: deploy: got 3 positional arguments, want at most 2 (pass release, wait, timeout by keyword)`,
		`main.star:9:12: undefined: lenn (did you mean len?)`,
		"main.star:11:49: error OS102 (unknown-keyword): deploy: unknown keyword argument \"relase\" (did you mean release?)\n    fix: write release = ... instead of relase = ...",
		`other.star:1:5: syntax error: got newline, want primary expression`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\n\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestCheckCleanScriptHasNoFindings(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"main.star":  "load('lib/u.star', 'x')\ndef deploy2():\n    return deploy('Web', to = 'Test', wait = False)\nfor p in [x]:\n    print(p)\n",
		"lib/u.star": "x = 1\n",
	})
	if f := New(Options{Registry: testRegistry()}).Check(filepath.Join(dir, "main.star")); len(f) != 0 {
		t.Errorf("unexpected findings: %v", f)
	}
}

func TestCheckIgnoresShadowedBuiltins(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"main.star": "def deploy(anything = 1):\n    return anything\ndeploy(anything = 2)\n",
	})
	if f := New(Options{Registry: testRegistry()}).Check(filepath.Join(dir, "main.star")); len(f) != 0 {
		t.Errorf("a script's own deploy() was checked against the builtin: %v", f)
	}
}
