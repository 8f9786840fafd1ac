package octosim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
)

// Seed declares a world in JSON that a person can write. Everything refers
// to other things by name; "space" may be left out for the default space.
// A seed is applied through the same operations as the API (as the
// administrator), so it is validated exactly as API requests are; errors
// name the JSON path, e.g. `seed: projects[3].lifecycle: no lifecycle
// named "Foo"`. See testdata/seeds/ for examples.
type Seed struct {
	// AdminAPIKey fixes the administrator's key (WithAPIKey overrides it).
	AdminAPIKey   string             `json:"adminApiKey,omitempty"`
	Spaces        []SeedSpace        `json:"spaces,omitempty"`
	Users         []SeedUser         `json:"users,omitempty"`
	Teams         []SeedTeam         `json:"teams,omitempty"`
	Environments  []SeedEnvironment  `json:"environments,omitempty"`
	Lifecycles    []SeedLifecycle    `json:"lifecycles,omitempty"`
	ProjectGroups []SeedProjectGroup `json:"projectGroups,omitempty"`
	TagSets       []SeedTagSet       `json:"tagSets,omitempty"`
	Packages      []SeedPackage      `json:"packages,omitempty"`
	Projects      []SeedProject      `json:"projects,omitempty"`
	Channels      []SeedChannel      `json:"channels,omitempty"`
	Runbooks      []SeedRunbook      `json:"runbooks,omitempty"`
	Tenants       []SeedTenant       `json:"tenants,omitempty"`

	// Releases are created as create/v1 creates them, in order (with their
	// automatic deployments); Deployments are past deployments, made in
	// order after every release, that finish at once with the given state;
	// Failures are failure arrangements for the tasks that run later.
	Releases    []SeedRelease    `json:"releases,omitempty"`
	Deployments []SeedDeployment `json:"deployments,omitempty"`
	Failures    []FailureRule    `json:"failures,omitempty"`
}

// SeedSpace declares a space. The first space, or the one marked default,
// is the default space.
type SeedSpace struct {
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Default     bool     `json:"default,omitempty"`
	Managers    []string `json:"managers,omitempty"` // usernames
}

// SeedUser declares a user and its API keys. Key values may be fixed so
// that scripts and tests know them in advance; they must look like real
// keys ("API-" and uppercase letters or digits).
type SeedUser struct {
	Username    string       `json:"username"`
	DisplayName string       `json:"displayName,omitempty"`
	Email       string       `json:"email,omitempty"`
	Service     bool         `json:"service,omitempty"`
	Inactive    bool         `json:"inactive,omitempty"`
	APIKeys     []SeedAPIKey `json:"apiKeys,omitempty"`
}

// SeedAPIKey is one key; Key empty means generated (and unknown).
type SeedAPIKey struct {
	Purpose string `json:"purpose"`
	Key     string `json:"key,omitempty"`
}

// SeedTeam declares a team: in a space, or a system team when Space is
// "" and System is true.
type SeedTeam struct {
	Space       string     `json:"space,omitempty"`
	System      bool       `json:"system,omitempty"`
	Name        string     `json:"name"`
	Description string     `json:"description,omitempty"`
	Members     []string   `json:"members,omitempty"` // usernames
	Roles       []SeedRole `json:"roles,omitempty"`
}

// SeedRole grants a user role (by name, e.g. "Project deployer", or ID) to
// a team, optionally restricted; restrictions are names.
type SeedRole struct {
	Role          string   `json:"role"`
	Space         string   `json:"space,omitempty"` // system teams only
	Projects      []string `json:"projects,omitempty"`
	ProjectGroups []string `json:"projectGroups,omitempty"`
	Environments  []string `json:"environments,omitempty"`
	Tenants       []string `json:"tenants,omitempty"`
}

// SeedEnvironment declares an environment; they are ordered as listed.
type SeedEnvironment struct {
	Space                      string `json:"space,omitempty"`
	Name                       string `json:"name"`
	Description                string `json:"description,omitempty"`
	UseGuidedFailure           bool   `json:"useGuidedFailure,omitempty"`
	AllowDynamicInfrastructure bool   `json:"allowDynamicInfrastructure,omitempty"`
}

// SeedLifecycle declares a lifecycle; no phases means one per environment.
type SeedLifecycle struct {
	Space       string      `json:"space,omitempty"`
	Name        string      `json:"name"`
	Description string      `json:"description,omitempty"`
	Phases      []SeedPhase `json:"phases,omitempty"`
}

// SeedPhase declares a phase; environments are names.
type SeedPhase struct {
	Name                 string   `json:"name"`
	Automatic            []string `json:"automatic,omitempty"`
	Optional             []string `json:"optional,omitempty"`
	MinimumEnvironments  int      `json:"minimumEnvironments,omitempty"`
	IsOptional           bool     `json:"isOptional,omitempty"`
	IsPriority           bool     `json:"isPriority,omitempty"`
	ReleaseRetentionDays int      `json:"releaseRetentionDays,omitempty"`
}

// SeedProjectGroup declares a project group.
type SeedProjectGroup struct {
	Space       string `json:"space,omitempty"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// SeedTagSet declares a tag set and its tags.
type SeedTagSet struct {
	Space       string   `json:"space,omitempty"`
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Tags        []string `json:"tags"`
}

// SeedPackage puts versions of a package in the built-in feed.
type SeedPackage struct {
	Space    string   `json:"space,omitempty"`
	ID       string   `json:"id"`
	Versions []string `json:"versions"`
}

// SeedProject declares a project and its deployment process.
type SeedProject struct {
	Space           string     `json:"space,omitempty"`
	Name            string     `json:"name"`
	Description     string     `json:"description,omitempty"`
	Group           string     `json:"group,omitempty"`     // default "Default Project Group"
	Lifecycle       string     `json:"lifecycle,omitempty"` // default "Default Lifecycle"
	Tenanted        string     `json:"tenanted,omitempty"`  // Untenanted, Tenanted, TenantedOrUntenanted
	GuidedFailure   string     `json:"guidedFailure,omitempty"`
	VersionTemplate string     `json:"versionTemplate,omitempty"`
	DonorPackage    string     `json:"donorPackage,omitempty"` // "Step" or "Step:reference"
	Disabled        bool       `json:"disabled,omitempty"`
	Steps           []SeedStep `json:"steps,omitempty"`
	// Variables go in the project's variable set; names are unique.
	Variables []SeedVariable `json:"variables,omitempty"`
}

// SeedVariable is a project variable; with a prompt, deployments ask for
// its value (and must give one when it is required).
type SeedVariable struct {
	Name   string      `json:"name"`
	Value  string      `json:"value,omitempty"`
	Prompt *SeedPrompt `json:"prompt,omitempty"`
}

// SeedPrompt makes a variable prompted; a sensitive one is a Sensitive
// variable shown as a Sensitive control.
type SeedPrompt struct {
	Label       string `json:"label,omitempty"`
	Description string `json:"description,omitempty"`
	Required    bool   `json:"required,omitempty"`
	Sensitive   bool   `json:"sensitive,omitempty"`
}

// SeedStep declares a one-action step. Type is "manual", "script",
// "package", or a full action type.
type SeedStep struct {
	Name                 string            `json:"name"`
	Type                 string            `json:"type"`
	Instructions         string            `json:"instructions,omitempty"`     // manual
	ResponsibleTeams     []string          `json:"responsibleTeams,omitempty"` // manual, team names
	BlockConcurrent      bool              `json:"blockConcurrent,omitempty"`  // manual
	Script               string            `json:"script,omitempty"`           // script
	Syntax               string            `json:"syntax,omitempty"`           // script, default PowerShell
	Package              string            `json:"package,omitempty"`          // primary package ID
	Packages             []SeedPackageRef  `json:"packages,omitempty"`         // more package references
	Roles                []string          `json:"roles,omitempty"`            // target tags
	Environments         []string          `json:"environments,omitempty"`
	ExcludedEnvironments []string          `json:"excludedEnvironments,omitempty"`
	Channels             []string          `json:"channels,omitempty"`
	TenantTags           []string          `json:"tenantTags,omitempty"`
	Required             bool              `json:"required,omitempty"`
	Disabled             bool              `json:"disabled,omitempty"`
	Condition            string            `json:"condition,omitempty"`
	StartTrigger         string            `json:"startTrigger,omitempty"`
	Properties           map[string]string `json:"properties,omitempty"`
}

// SeedPackageRef is a named package reference of a step.
type SeedPackageRef struct {
	Name string `json:"name"`
	ID   string `json:"id"`
	Feed string `json:"feed,omitempty"` // feed name or ID, default built-in
}

// SeedChannel declares a channel of a project (the "Default" channel exists
// already; declaring it again updates it).
type SeedChannel struct {
	Space       string            `json:"space,omitempty"`
	Project     string            `json:"project"`
	Name        string            `json:"name"`
	Description string            `json:"description,omitempty"`
	Lifecycle   string            `json:"lifecycle,omitempty"`
	Default     bool              `json:"default,omitempty"`
	TenantTags  []string          `json:"tenantTags,omitempty"`
	Rules       []SeedChannelRule `json:"rules,omitempty"`
}

// SeedChannelRule is a version rule; Steps are "Step" or "Step:reference".
type SeedChannelRule struct {
	VersionRange string   `json:"versionRange,omitempty"`
	Tag          string   `json:"tag,omitempty"`
	Steps        []string `json:"steps"`
}

// SeedRunbook declares a runbook, its process, and optionally a published
// snapshot.
type SeedRunbook struct {
	Space        string     `json:"space,omitempty"`
	Project      string     `json:"project"`
	Name         string     `json:"name"`
	Description  string     `json:"description,omitempty"`
	Environments []string   `json:"environments,omitempty"` // restricts it to these
	Tenanted     string     `json:"tenanted,omitempty"`
	Steps        []SeedStep `json:"steps,omitempty"`
	Publish      bool       `json:"publish,omitempty"`
	Snapshot     string     `json:"snapshot,omitempty"` // snapshot name
}

// SeedTenant declares a tenant, its tags and its project connections
// (project name to environment names).
type SeedTenant struct {
	Space       string              `json:"space,omitempty"`
	Name        string              `json:"name"`
	Description string              `json:"description,omitempty"`
	Tags        []string            `json:"tags,omitempty"`
	Projects    map[string][]string `json:"projects,omitempty"`
}

// LoadSeed reads and parses a seed file.
func LoadSeed(path string) (*Seed, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	return ParseSeed(data)
}

// ParseSeed parses a seed strictly: unknown fields are errors, reported
// with their path, so that typos do not silently drop part of a world.
func ParseSeed(data []byte) (*Seed, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("seed: %s", describeJSONError(err, ""))
	}
	st := reflect.TypeOf(Seed{})
	known := map[string]int{}
	for i := 0; i < st.NumField(); i++ {
		known[strings.Split(st.Field(i).Tag.Get("json"), ",")[0]] = i
	}
	seed := &Seed{}
	sv := reflect.ValueOf(seed).Elem()
	for key, raw := range top {
		idx, ok := known[key]
		if !ok {
			return nil, fmt.Errorf("seed: unknown field %q", key)
		}
		field := sv.Field(idx)
		if field.Kind() != reflect.Slice {
			if err := strictDecode(raw, field.Addr().Interface()); err != nil {
				return nil, fmt.Errorf("seed: %s", describeJSONError(err, key))
			}
			continue
		}
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, fmt.Errorf("seed: %s: must be a list", key)
		}
		list := reflect.MakeSlice(field.Type(), len(items), len(items))
		for i, item := range items {
			if err := strictDecode(item, list.Index(i).Addr().Interface()); err != nil {
				return nil, fmt.Errorf("seed: %s", describeJSONError(err, fmt.Sprintf("%s[%d]", key, i)))
			}
		}
		field.Set(list)
	}
	return seed, nil
}

func strictDecode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// describeJSONError turns a decoding error into "path: problem".
func describeJSONError(err error, path string) string {
	join := func(p, f string) string {
		switch {
		case p == "":
			return f
		case f == "":
			return p
		}
		return p + "." + f
	}
	at := func(p string) string {
		if p == "" {
			return ""
		}
		return p + ": "
	}
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		return fmt.Sprintf("%sexpected %s, got %s", at(join(path, te.Field)), jsonKindName(te.Type.Kind().String()), te.Value)
	case errors.As(err, &se):
		return fmt.Sprintf("%sinvalid JSON at offset %d", at(path), se.Offset)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Sprintf("%sunknown field %s", at(path), strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return at(path) + strings.TrimPrefix(err.Error(), "json: ")
}
