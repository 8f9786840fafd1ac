package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/octostar/octostar/internal/servicemsg"
)

// The community step template and its script body, kept equal by
// TestStepTemplate (-update copies the body into the JSON).
const (
	templatePath = "../../scripts/octopus/run-octostar-script.json"
	templateBody = "../../scripts/octopus/run-octostar-script.sh"
)

// stepTemplate is the shape of a step template exported for Octopus's
// community Library (github.com/OctopusDeploy/Library, step-templates/).
// Field order is the Library's, so that -update writes a file in the
// same order.
type stepTemplate struct {
	ID                        string            `json:"Id"`
	Name                      string            `json:"Name"`
	Description               string            `json:"Description"`
	ActionType                string            `json:"ActionType"`
	Version                   int               `json:"Version"`
	CommunityActionTemplateID *string           `json:"CommunityActionTemplateId"`
	Packages                  []templatePackage `json:"Packages"`
	Properties                map[string]string `json:"Properties"`
	Parameters                []templateParam   `json:"Parameters"`
	LastModifiedBy            string            `json:"LastModifiedBy"`
	Meta                      templateMeta      `json:"$Meta"`
	Category                  string            `json:"Category"`
}

type templatePackage struct {
	ID                  string            `json:"Id"`
	Name                string            `json:"Name"`
	PackageID           *string           `json:"PackageId"`
	FeedID              *string           `json:"FeedId"`
	AcquisitionLocation string            `json:"AcquisitionLocation"`
	Properties          map[string]string `json:"Properties"`
}

type templateParam struct {
	ID              string            `json:"Id"`
	Name            string            `json:"Name"`
	Label           string            `json:"Label"`
	HelpText        string            `json:"HelpText"`
	DefaultValue    string            `json:"DefaultValue"`
	DisplaySettings map[string]string `json:"DisplaySettings"`
}

type templateMeta struct {
	ExportedAt     string `json:"ExportedAt"`
	OctopusVersion string `json:"OctopusVersion"`
	Type           string `json:"Type"`
}

// encode writes the template as the Library keeps it: two-space
// indents, no HTML escaping, a final line break.
func (t stepTemplate) encode() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	err := enc.Encode(t)
	return b.Bytes(), err
}

func loadTemplate(t *testing.T) (stepTemplate, []byte) {
	t.Helper()
	data, err := os.ReadFile(templatePath)
	if err != nil {
		t.Fatal(err)
	}
	var tpl stepTemplate
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&tpl); err != nil {
		t.Fatalf("%s does not parse into the Library's step-template shape: %v", templatePath, err)
	}
	return tpl, data
}

var guid = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// systemVariables are the Octopus variables the body may read besides
// its parameters.
var systemVariables = []string{"Octopus.Action.Name", "Octopus.Action.Package[Octostar.ScriptPackage].ExtractedPath"}

// TestStepTemplate checks the template the way the Library's own tests
// and review checklist do, and what octostar adds: every parameter the
// body reads is declared and every declared one is read, the API key is
// sensitive and never printed nor put on a command line.
func TestStepTemplate(t *testing.T) {
	tpl, data := loadTemplate(t)
	body, err := os.ReadFile(templateBody)
	if err != nil {
		t.Fatal(err)
	}
	if tpl.Properties["Octopus.Action.Script.ScriptBody"] != string(body) {
		if !updatingGolden() {
			t.Errorf("the template's ScriptBody differs from %s (run go test ./cmd/octostar -run TestStepTemplate -update)", templateBody)
		}
		tpl.Properties["Octopus.Action.Script.ScriptBody"] = string(body)
	}
	canonical, err := tpl.encode()
	if err != nil {
		t.Fatal(err)
	}
	if updatingGolden() {
		if err := os.WriteFile(templatePath, canonical, 0o644); err != nil {
			t.Fatal(err)
		}
	} else if !bytes.Equal(canonical, data) {
		t.Errorf("%s is not in its canonical form (run go test ./cmd/octostar -run TestStepTemplate -update)", templatePath)
	}

	// The Library's checks (spec/step-template-validation-tests.js) and checklist.
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		t.Error("the file starts with a BOM, which breaks JSON.parse")
	}
	if !guid.MatchString(tpl.ID) || tpl.ID == "00000000-0000-0000-0000-000000000000" || tpl.ID == "abcdef00-ab00-cd00-ef00-000000abcdef" {
		t.Errorf("Id %q: want a real GUID", tpl.ID)
	}
	if tpl.Name == "" || len(tpl.Name) > 200 || !strings.Contains(tpl.Name, " - ") {
		t.Errorf("Name %q: want \"Noun - Verb\", at most 200 characters", tpl.Name)
	}
	checks := []struct {
		what string
		ok   bool
	}{
		{"ActionType is Octopus.Script", tpl.ActionType == "Octopus.Script"},
		{"Version is at least 1", tpl.Version >= 1},
		{"CommunityActionTemplateId is null", tpl.CommunityActionTemplateID == nil},
		{"Description is set", len(tpl.Description) > 100},
		{"LastModifiedBy is set", tpl.LastModifiedBy != ""},
		{"$Meta.Type is ActionTemplate", tpl.Meta.Type == "ActionTemplate"},
		{"$Meta.OctopusVersion is set", tpl.Meta.OctopusVersion != ""},
		{"Category is a lower-case id", regexp.MustCompile(`^[a-z0-9-]+$`).MatchString(tpl.Category)},
		{"ScriptSource is Inline", tpl.Properties["Octopus.Action.Script.ScriptSource"] == "Inline"},
		{"Syntax is Bash", tpl.Properties["Octopus.Action.Script.Syntax"] == "Bash"},
		{"runs on a worker", tpl.Properties["Octopus.Action.RunOnServer"] == "true"},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("want: %s", c.what)
		}
	}
	if _, err := time.Parse(time.RFC3339, tpl.Meta.ExportedAt); err != nil {
		t.Errorf("$Meta.ExportedAt: %v", err)
	}

	ids := map[string]bool{tpl.ID: true}
	params := map[string]templateParam{}
	controls := []string{"SingleLineText", "MultiLineText", "Sensitive", "Select", "Checkbox", "Package"}
	for _, p := range tpl.Parameters {
		if !guid.MatchString(p.ID) || ids[p.ID] {
			t.Errorf("parameter %s: Id %q is not a fresh GUID", p.Name, p.ID)
		}
		ids[p.ID] = true
		if _, dup := params[p.Name]; dup || !strings.HasPrefix(p.Name, "Octostar.") {
			t.Errorf("parameter %q: want a unique name under Octostar.", p.Name)
		}
		params[p.Name] = p
		if p.Label == "" || p.HelpText == "" {
			t.Errorf("parameter %s: want a label and help text", p.Name)
		}
		control := p.DisplaySettings["Octopus.ControlType"]
		switch {
		case !slices.Contains(controls, control):
			t.Errorf("parameter %s: control type %q", p.Name, control)
		case control == "Select":
			var values []string
			for _, o := range strings.Split(p.DisplaySettings["Octopus.SelectOptions"], "\n") {
				v, _, _ := strings.Cut(o, "|")
				values = append(values, v)
			}
			if !slices.Contains(values, p.DefaultValue) {
				t.Errorf("parameter %s: default %q is not one of %v", p.Name, p.DefaultValue, values)
			}
		case control == "Checkbox" && p.DefaultValue != "True" && p.DefaultValue != "False":
			t.Errorf("parameter %s: a checkbox's default is True or False", p.Name)
		}
	}
	for _, want := range []struct{ name, control string }{
		{"Octostar.ServerUrl", "SingleLineText"}, {"Octostar.ApiKey", "Sensitive"}, {"Octostar.Space", "SingleLineText"},
		{"Octostar.ScriptSource", "Select"}, {"Octostar.Script", "MultiLineText"}, {"Octostar.ScriptPackage", "Package"},
		{"Octostar.ScriptPath", "SingleLineText"}, {"Octostar.Variables", "MultiLineText"}, {"Octostar.Journal", "SingleLineText"},
	} {
		if got := params[want.name].DisplaySettings["Octopus.ControlType"]; got != want.control {
			t.Errorf("parameter %s: control type %q, want %q", want.name, got, want.control)
		}
	}
	if params["Octostar.ApiKey"].DefaultValue != "" {
		t.Error("the API key parameter has a default value")
	}
	for _, pkg := range tpl.Packages {
		if pkg.FeedID != nil && !strings.HasPrefix(*pkg.FeedID, "#") {
			t.Errorf("package %s: FeedId must be null or a binding", pkg.Name)
		}
		if ids[pkg.ID] || !guid.MatchString(pkg.ID) {
			t.Errorf("package %s: Id %q is not a fresh GUID", pkg.Name, pkg.ID)
		}
		ids[pkg.ID] = true
		if p := params[pkg.Properties["PackageParameterName"]]; p.DisplaySettings["Octopus.ControlType"] != "Package" || pkg.Name != p.Name {
			t.Errorf("package %s is not bound to a Package parameter of the same name", pkg.Name)
		}
	}

	// Every #{...} and get_octopusvariable in the body names a parameter
	// or a system variable, and every parameter is read.
	src := string(body)
	used := map[string]bool{}
	for _, m := range regexp.MustCompile(`#\{([^}]*)\}`).FindAllStringSubmatch(src, -1) {
		used[m[1]] = true
	}
	for _, m := range regexp.MustCompile(`get_octopusvariable "([^"]+)"`).FindAllStringSubmatch(src, -1) {
		used[m[1]] = true
	}
	for name := range used {
		if _, ok := params[name]; !ok && !slices.Contains(systemVariables, name) {
			t.Errorf("the body reads %s, which is no parameter", name)
		}
	}
	for name := range params {
		if name != "Octostar.ScriptPackage" && !used[name] { // read as Octopus.Action.Package[...]
			t.Errorf("parameter %s is never read", name)
		}
	}

	// The key is read once, into the variable octostar reads, and that
	// variable appears nowhere else but its check and its export.
	var keyLines []string
	for _, l := range strings.Split(src, "\n") {
		l = strings.TrimSpace(l)
		if !strings.HasPrefix(l, "#") && (strings.Contains(l, "OCTOPUS_API_KEY") || strings.Contains(l, "Octostar.ApiKey")) {
			keyLines = append(keyLines, l)
		}
	}
	wantKeyLines := []string{
		`OCTOPUS_API_KEY=$(get_octopusvariable "Octostar.ApiKey")`,
		`case "$OCTOPUS_API_KEY" in`,
		"export OCTOPUS_API_KEY",
	}
	if !slices.Equal(keyLines, wantKeyLines) {
		t.Errorf("the API key is used beyond reading and exporting it:\n%s", strings.Join(keyLines, "\n"))
	}
	if strings.Contains(src, "set -x") || strings.Contains(src, "--api-key") {
		t.Error("the body may print the API key or put it on a command line")
	}
}

// TestStepTemplateRunsOctostar runs the template's body with Bash as
// Calamari would, its helper functions stubbed, against a sandbox, with
// the real octostar binary: the step's stdout must carry octostar's
// service messages and never the API key.
func TestStepTemplateRunsOctostar(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	cfg, stop, err := startSandbox(sandboxDemo, "", 1000, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	body, err := os.ReadFile(templateBody)
	if err != nil {
		t.Fatal(err)
	}
	bin := octostarBinary(t)
	pkg := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(pkg, "release"), 0o755))
	must(os.WriteFile(filepath.Join(pkg, "release", "train.star"), []byte(
		"load(\"lib.star\", \"env\")\nd = deploy(\"Payments API\", to = env)\noutput(\"version\", d.version)\n"), 0o644))
	must(os.WriteFile(filepath.Join(pkg, "release", "lib.star"), []byte("env = vars[\"env\"]\n"), 0o644))
	inline := "d = deploy(\"Payments API\", to = vars[\"env\"])\nprint(\"deployed\", d.version)\n" +
		"output(\"version\", d.version)\noutput(\"token\", \"s3cr3t-value\", sensitive = True)\n"

	base := map[string]string{
		"Octostar.ServerUrl":    cfg.URL,
		"Octostar.ApiKey":       cfg.APIKey,
		"Octostar.Space":        "Default",
		"Octostar.ScriptSource": "Inline",
		"Octostar.Script":       inline,
		"Octostar.Variables":    "# which environment\nenv=Development\r\n\nunused=1",
		"Octostar.Executable":   bin,
		"Octopus.Action.Name":   "Run octostar",
	}
	tests := []struct {
		name     string
		set      map[string]string
		wantCode int
		wantOut  []string // in stdout, messages decoded
	}{
		{name: "inline", wantOut: []string{"deployed 1.2.0", "setVariable name=version value=1.2.0", "setVariable name=token value=s3cr3t-value sensitive=True",
			"output variable version: later steps read Octopus.Action[Run octostar].Output.version", "createArtifact"}},
		{name: "package", set: map[string]string{"Octostar.ScriptSource": "Package", "Octostar.ScriptPath": "release/train.star",
			"Octopus.Action.Package[Octostar.ScriptPackage].ExtractedPath": pkg},
			wantOut: []string{"setVariable name=version value=1.2.0"}},
		{name: "script fails", set: map[string]string{"Octostar.Script": "fail('no')\n"}, wantCode: 1,
			wantOut: []string{"resultMessage message=octostar " /* the script's path */}},
		{name: "no key", set: map[string]string{"Octostar.ApiKey": ""}, wantCode: 1,
			wantOut: []string{"resultMessage message=octostar: the API key is empty"}},
		{name: "key out of scope", set: map[string]string{"Octostar.ApiKey": "#{Octostar.Target.ApiKey}"}, wantCode: 1,
			wantOut: []string{"resultMessage message=octostar: the API key is bound to a variable with no value in this environment or tenant"}},
		{name: "server out of scope", set: map[string]string{"Octostar.ServerUrl": "#{Octostar.Target.Url}"}, wantCode: 1,
			wantOut: []string{"resultMessage message=octostar: the Octopus server URL is bound to a variable with no value"}},
		{name: "path leaves the package", set: map[string]string{"Octostar.ScriptSource": "Package", "Octostar.ScriptPath": "../x.star",
			"Octopus.Action.Package[Octostar.ScriptPackage].ExtractedPath": pkg}, wantCode: 1,
			wantOut: []string{"resultMessage message=octostar: the script path must be relative to the package"}},
		{name: "bad variables", set: map[string]string{"Octostar.Variables": "env=Development\nnot a pair"}, wantCode: 1,
			wantOut: []string{"resultMessage message=octostar: line 2 of the variables is not NAME=VALUE"}},
		{name: "journal in the working folder", set: map[string]string{"Octostar.Journal": "WORKDIR/j.journal"}, wantCode: 1,
			wantOut: []string{"resultMessage message=octostar: the journal must be outside"}},
		{name: "no octostar", set: map[string]string{"Octostar.Executable": "/nonexistent/octostar"}, wantCode: 1,
			wantOut: []string{"resultMessage message=octostar: cannot find '/nonexistent/octostar'"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			work := t.TempDir()
			vars := map[string]string{}
			for k, v := range base {
				vars[k] = v
			}
			for k, v := range tt.set {
				vars[k] = strings.ReplaceAll(v, "WORKDIR", work)
			}
			script := filepath.Join(work, "Script.sh")
			must(os.WriteFile(script, []byte(calamariStubs(vars)+string(body)), 0o644))
			cmd := boundedCommand(t, processTimeout, bash, script)
			cmd.Dir = work
			cmd.Env = append(os.Environ(), stepEnvVar+"="+work, "OCTOSTAR_TARGETS="+filepath.Join(work, "none.json"))
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			decoded := decodeStep(stdout.String())
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, decoded, stderr.String())
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(decoded, w) {
					t.Errorf("stdout lacks %q:\n%s\nstderr:\n%s", w, decoded, stderr.String())
				}
			}
			for what, s := range map[string]string{"stdout": decoded, "stderr": stderr.String()} {
				if strings.Contains(s, cfg.APIKey) {
					t.Errorf("%s shows the API key:\n%s", what, s)
				}
			}
			if tt.wantCode == 0 && stderr.Len() > 0 {
				t.Errorf("a successful step wrote to stderr, which Octopus logs as errors:\n%s", stderr.String())
			}
		})
	}
}

// calamariStubs stands in for the functions Calamari's Bash bootstrap
// defines: get_octopusvariable returns the given values (empty for any
// other name, as Calamari does), fail_step sends resultMessage and exits 1.
func calamariStubs(vars map[string]string) string {
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
	var b strings.Builder
	b.WriteString("get_octopusvariable() {\n  case \"$1\" in\n")
	for k, v := range vars {
		fmt.Fprintf(&b, "  %s) printf '%%s' %s ;;\n", quote(k), quote(v))
	}
	b.WriteString("  *) echo \"\" ;;\n  esac\n}\n")
	b.WriteString("fail_step() {\n  echo \"##octopus[resultMessage message='$(printf '%s' \"$1\" | base64 -w0)']\"\n  exit 1\n}\n")
	return b.String()
}

// decodeStep shows each service message with its values decoded
// ("setVariable name=version value=1.2.0"), and other lines as they are.
func decodeStep(out string) string {
	var b strings.Builder
	for _, l := range strings.Split(out, "\n") {
		if m, err := servicemsg.Parse(l); err == nil {
			b.WriteString(m.Name)
			for _, a := range m.Attrs {
				b.WriteString(" " + a.Name + "=" + a.Value)
			}
			b.WriteString("\n")
			continue
		}
		b.WriteString(l + "\n")
	}
	return b.String()
}
