package octosim

import (
	"bytes"
	"encoding/json"
)

// This file and the other model_*.go files hold the documents as Octopus
// sends them: PascalCase JSON, lists as [] rather than null, optional
// references as null. Requests decode into the same structs; encoding/json
// matches names case-insensitively, so camelCase bodies work too.

// Space is a space (/api/spaces).
type Space struct {
	Meta
	Name                     string   `json:"Name"`
	Slug                     string   `json:"Slug"`
	Description              string   `json:"Description"`
	IsDefault                bool     `json:"IsDefault"`
	IsPrivate                bool     `json:"IsPrivate"`
	TaskQueueStopped         bool     `json:"TaskQueueStopped"`
	SpaceManagersTeams       []string `json:"SpaceManagersTeams"`
	SpaceManagersTeamMembers []string `json:"SpaceManagersTeamMembers"`
}

// PropertyValue is a step or action property: a string, or a sensitive
// value object. It keeps the JSON as sent.
type PropertyValue struct{ raw json.RawMessage }

// NewProperty makes a plain string property.
func NewProperty(s string) PropertyValue {
	b, _ := json.Marshal(s)
	return PropertyValue{raw: b}
}

// String is the value of a plain property ("" for sensitive ones).
func (p PropertyValue) String() string {
	var s string
	if json.Unmarshal(p.raw, &s) == nil {
		return s
	}
	return ""
}

func (p PropertyValue) MarshalJSON() ([]byte, error) {
	if len(p.raw) == 0 {
		return []byte(`""`), nil
	}
	// Sensitive values are never echoed, as on a real server.
	if bytes.HasPrefix(bytes.TrimSpace(p.raw), []byte("{")) {
		return []byte(`{"HasValue":true,"NewValue":null,"Hint":null}`), nil
	}
	return p.raw, nil
}

func (p *PropertyValue) UnmarshalJSON(b []byte) error {
	switch {
	case bytes.Equal(bytes.TrimSpace(b), []byte("null")):
		p.raw = []byte(`""`)
	case bytes.HasPrefix(bytes.TrimSpace(b), []byte("{")), bytes.HasPrefix(bytes.TrimSpace(b), []byte(`"`)):
		p.raw = append(json.RawMessage(nil), b...)
	default:
		// Numbers and booleans become their text, as .NET binds them.
		p.raw, _ = json.Marshal(string(bytes.TrimSpace(b)))
	}
	return nil
}

// Properties is a property bag.
type Properties map[string]PropertyValue

// Get returns a plain property's value.
func (p Properties) Get(name string) string { return p[name].String() }

// ConnectivityPolicy says how a deployment treats its targets.
type ConnectivityPolicy struct {
	AllowDeploymentsToNoTargets bool     `json:"AllowDeploymentsToNoTargets"`
	ExcludeUnhealthyTargets     bool     `json:"ExcludeUnhealthyTargets"`
	SkipMachineBehavior         string   `json:"SkipMachineBehavior"`
	TargetRoles                 []string `json:"TargetRoles"`
}

func defaultConnectivity() *ConnectivityPolicy {
	return &ConnectivityPolicy{SkipMachineBehavior: "None", TargetRoles: []string{}}
}

// normalizeConnectivity fills a connectivity policy's defaults (go-client
// sends SkipMachineBehavior as "").
func normalizeConnectivity(c *ConnectivityPolicy) (*ConnectivityPolicy, error) {
	if c == nil {
		return defaultConnectivity(), nil
	}
	n := *c
	var err error
	if n.SkipMachineBehavior, err = oneOf("SkipMachineBehavior", n.SkipMachineBehavior, "None", "None", "SkipUnavailableMachines"); err != nil {
		return nil, err
	}
	n.TargetRoles = nonNil(n.TargetRoles)
	return &n, nil
}

// nonNil turns a nil slice into an empty one, so JSON shows [] not null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// strPtr is nil for "" (JSON null), else a pointer to s.
func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

// jsonRaw shortens []json.RawMessage fields' element type in code.
type jsonRaw = json.RawMessage
