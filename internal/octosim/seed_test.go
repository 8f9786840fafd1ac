package octosim

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/environments"
)

func TestSeedErrors(t *testing.T) {
	tests := []struct {
		name, seed, want string
	}{
		{"invalid JSON", `{"environments": [`, `seed: invalid JSON`},
		{"unknown section", `{"projcts": []}`, `seed: unknown field "projcts"`},
		{"unknown field", `{"projects": [{"name": "A", "lifecycel": "x"}]}`, `seed: projects[0]: unknown field "lifecycel"`},
		{"wrong type", `{"environments": [{"name": "A"}, {"name": 5}]}`, `seed: environments[1].name: expected a string, got number`},
		{"section not a list", `{"environments": {"name": "A"}}`, `seed: environments: must be a list`},
		{"unknown lifecycle", `{"projects": [{"name": "A"}, {"name": "B"}, {"name": "C"}, {"name": "D", "lifecycle": "Foo"}]}`,
			`seed: projects[3].lifecycle: no lifecycle named "Foo"`},
		{"unknown group", `{"projects": [{"name": "A", "group": "Nope"}]}`, `seed: projects[0].group: no project group named "Nope"`},
		{"duplicate environment", `{"environments": [{"name": "Dev"}, {"name": "dev"}]}`,
			`seed: environments[1]: An environment with this name already exists. Please choose a different name.`},
		{"unknown phase environment", `{"environments": [{"name": "Dev"}], "lifecycles": [{"name": "L", "phases": [{"name": "P", "optional": ["Dev", "Nope"]}]}]}`,
			`seed: lifecycles[0].phases[0].optional[1]: no environment named "Nope"`},
		{"unknown space", `{"environments": [{"name": "Dev", "space": "Elsewhere"}]}`, `seed: environments[0].space: no space named "Elsewhere"`},
		{"bad key", `{"users": [{"username": "u", "apiKeys": [{"purpose": "p", "key": "secret"}]}]}`,
			`seed: users[0].apiKeys[0].key: an API key must be "API-" followed by uppercase letters and digits`},
		{"unknown tag", `{"tenants": [{"name": "T", "tags": ["Region/North"]}]}`,
			`seed: tenants[0]: The tag 'Region/North' does not exist. Tags are written as 'Tag Set/Tag'.`},
		{"unknown role", `{"teams": [{"name": "T", "roles": [{"role": "Boss"}]}]}`, `seed: teams[0].roles[0].role: no user role named "Boss"`},
		{"unknown member", `{"teams": [{"name": "T", "members": ["ghost"]}]}`, `seed: teams[0].members[0]: no user named "ghost"`},
		{"step without type", `{"projects": [{"name": "A", "steps": [{"name": "S"}]}]}`, `seed: projects[0].steps[0].type: a step type is required`},
		{"step unknown environment", `{"projects": [{"name": "A", "steps": [{"name": "S", "type": "script", "environments": ["Nope"]}]}]}`,
			`seed: projects[0].steps[0].environments[0]: no environment named "Nope"`},
		{"unknown package version", `{"packages": [{"id": "P", "versions": ["1.0.0", "banana"]}]}`,
			`seed: packages[0].versions[1]: The version 'banana' of package 'P' is not a valid version.`},
		{"snapshot without a package version", `{"projects": [{"name": "A"}], "runbooks": [{"project": "A", "name": "R", "publish": true, "steps": [{"name": "S", "type": "package", "package": "Missing"}]}]}`,
			`seed: runbooks[0].snapshot: A version must be specified for every included package.`},
		{"release of an unknown project", `{"releases": [{"project": "A", "version": "1.0.0"}]}`, `seed: releases[0].project: no project named "A"`},
		{"untenanted connection", `{"projects": [{"name": "A"}], "environments": [{"name": "Dev"}], "tenants": [{"name": "T", "projects": {"A": ["Dev"]}}]}`,
			`seed: tenants[0]: The project 'A' is not enabled for tenanted deployments`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seed, err := ParseSeed([]byte(tt.seed))
			if err == nil {
				_, err = New(seed, WithAPIKey(testAdminKey))
			}
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error = %v\nwant prefix %s", err, tt.want)
			}
		})
	}
}

func TestLoadSeed(t *testing.T) {
	defer failOnPanic(t)
	if _, err := LoadSeed(filepath.Join(t.TempDir(), "missing.json")); err == nil || !strings.HasPrefix(err.Error(), "seed: ") {
		t.Errorf("missing file: %v", err)
	}
	path := filepath.Join(t.TempDir(), "two-spaces.json")
	data := `{"spaces": [{"name": "Main", "default": true}, {"name": "Other"}],
	          "environments": [{"name": "Dev"}, {"name": "Dev", "space": "Other"}]}`
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	_, hs := newTestServer(t, must(LoadSeed(path)))
	c := newClient(t, hs, testAdminKey, "")
	sp := must(c.Spaces.GetByName("Other"))
	other := newClient(t, hs, testAdminKey, sp.ID)
	envs := must(environments.GetAll(other, sp.ID))
	if len(envs) != 1 || envs[0].SpaceID != sp.ID {
		t.Errorf("environments of Other = %+v", envs)
	}
	main := must(c.Spaces.GetByName("Main"))
	if !main.IsDefault || c.GetSpaceID() != main.ID {
		t.Errorf("default space = %s, client picked %s", main.ID, c.GetSpaceID())
	}
}
