package targets

import (
	"errors"
	"strings"
	"testing"

	"github.com/octostar/octostar/internal/octopus"
)

func TestParseFile(t *testing.T) {
	tests := []struct {
		name, src, wantErr string
	}{
		{name: "valid", src: `{"default": "prod", "targets": {"prod": {"url": "https://o.example.com", "space": "Default", "apiKeyEnv": "PROD_KEY"},
			"stage": {"url": "https://s.example.com", "accessTokenEnv": "STAGE_TOKEN"}}}`},
		{name: "secret in file", src: `{"targets": {"prod": {"url": "https://o", "apiKey": "API-XYZ"}}}`,
			wantErr: "t.json: targets.prod.apiKey: the file must not hold secrets; name the environment variable that holds it with apiKeyEnv or accessTokenEnv"},
		{name: "unknown field", src: `{"targets": {"prod": {"url": "https://o", "apiKeyEnv": "K", "spcae": "x"}}}`,
			wantErr: `t.json: json: unknown field "spcae"`},
		{name: "no url", src: `{"targets": {"prod": {"apiKeyEnv": "K"}}}`, wantErr: "t.json: targets.prod.url: missing"},
		{name: "no credential", src: `{"targets": {"prod": {"url": "https://o"}}}`, wantErr: "targets.prod: name the environment variable holding the credential"},
		{name: "both credentials", src: `{"targets": {"prod": {"url": "https://o", "apiKeyEnv": "A", "accessTokenEnv": "B"}}}`, wantErr: "not both"},
		{name: "key pasted as the variable", src: `{"targets": {"prod": {"url": "https://o", "apiKeyEnv": "API-XYZ123"}}}`,
			wantErr: "targets.prod: apiKeyEnv and accessTokenEnv name an environment variable (letters, digits and _), not the credential itself"},
		{name: "reserved name", src: `{"targets": {"default": {"url": "https://o", "apiKeyEnv": "A"}}}`, wantErr: `"default" is reserved`},
		{name: "unknown default", src: `{"default": "prdo", "targets": {"prod": {"url": "https://o", "apiKeyEnv": "A"}}}`,
			wantErr: `default: no target named "prdo" (did you mean prod?)`},
		{name: "syntax error", src: "{\n  \"targets\": {\n    \"prod\": {\"url\": https}\n}}", wantErr: "t.json: line 3, column 21: invalid character 'h'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseFile("t.json", []byte(tt.src))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want it to contain %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "API-XYZ") {
				t.Errorf("the error quotes the secret: %v", err)
			}
		})
	}
}

// fakeOctopus records the configuration it was made from.
type fakeOctopus struct {
	octopus.Octopus
	cfg octopus.Config
}

func (f *fakeOctopus) Target() octopus.TargetInfo {
	return octopus.TargetInfo{Name: f.cfg.Name, URL: f.cfg.URL, Space: f.cfg.Space}
}

func TestSet(t *testing.T) {
	file, err := ParseFile("t.json", []byte(`{"default": "prod", "targets": {
		"prod": {"url": "https://prod.example.com", "space": "Default", "apiKeyEnv": "PROD_KEY"},
		"stage": {"url": "https://stage.example.com", "apiKeyEnv": "STAGE_KEY"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PROD_KEY": "API-PROD0001"}
	made := 0
	connect := func(cfg octopus.Config) (octopus.Octopus, error) { made++; return &fakeOctopus{cfg: cfg}, nil }

	set := NewSet(nil, file, func(k string) string { return env[k] }, connect)
	def, err := set.Get("")
	if err != nil || def.Target().Name != "prod" || def.(*fakeOctopus).cfg.APIKey != "API-PROD0001" {
		t.Fatalf("default from the file: %+v %v", def, err)
	}
	again, _ := set.Get("prod")
	if again != def || made != 1 {
		t.Errorf("a target is connected once per run (made %d)", made)
	}
	if _, err := set.Get("stage"); err == nil || err.Error() != "target stage: the environment variable STAGE_KEY (apiKeyEnv in t.json) is not set" {
		t.Errorf("missing key: %v", err)
	}
	if _, err := set.Get("prdo"); err == nil || err.Error() != `no target named "prdo" (did you mean prod?); configured: prod, stage` {
		t.Errorf("unknown target: %v", err)
	}
	other, err := set.InSpace("prod", "Team B")
	if err != nil || other.Target().Space != "Team B" || other == def {
		t.Errorf("another space: %+v %v", other, err)
	}

	// The command-line target wins as the default.
	set = NewSet(&octopus.Config{URL: "https://cli.example.com", APIKey: "API-CLI0001"}, file, func(k string) string { return env[k] }, connect)
	def, _ = set.Get("")
	if def.Target().Name != DefaultName || def.Target().URL != "https://cli.example.com" {
		t.Errorf("default: %+v", def.Target())
	}

	set = NewSet(nil, nil, func(string) string { return "" }, connect)
	if _, err := set.Get(""); err == nil || !strings.Contains(err.Error(), "no Octopus target is configured") {
		t.Errorf("nothing configured: %v", err)
	}
	failing := NewSet(&octopus.Config{URL: "x"}, nil, nil, func(octopus.Config) (octopus.Octopus, error) { return nil, errors.New("boom") })
	if _, err := failing.Get(""); err == nil || err.Error() != "boom" {
		t.Errorf("connect error: %v", err)
	}
}
