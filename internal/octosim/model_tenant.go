package octosim

// Tenant is /api/{space}/tenants. ProjectEnvironments is its connections:
// project ID to the environments it is deployed to for that project.
type Tenant struct {
	Meta
	Name                string              `json:"Name"`
	Slug                string              `json:"Slug"`
	Description         string              `json:"Description"`
	TenantTags          []string            `json:"TenantTags"`
	ProjectEnvironments map[string][]string `json:"ProjectEnvironments"`
	IsDisabled          bool                `json:"IsDisabled"`
	ClonedFromTenantID  *string             `json:"ClonedFromTenantId"`
}

// Tag is one tag of a tag set; CanonicalTagName is "Set/Tag".
type Tag struct {
	ID               string `json:"Id"`
	Name             string `json:"Name"`
	CanonicalTagName string `json:"CanonicalTagName"`
	Color            string `json:"Color"`
	Description      string `json:"Description"`
	SortOrder        int    `json:"SortOrder"`
}

// TagSet is /api/{space}/tagsets.
type TagSet struct {
	Meta
	Name        string   `json:"Name"`
	Description string   `json:"Description"`
	SortOrder   int      `json:"SortOrder"`
	Type        string   `json:"Type"`
	Scopes      []string `json:"Scopes"`
	Tags        []*Tag   `json:"Tags"`
}
