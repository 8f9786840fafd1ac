package octosim

import "encoding/json"

// User is /api/users. Password is accepted on create and never stored or
// sent back.
type User struct {
	Meta
	Username            string            `json:"Username"`
	DisplayName         string            `json:"DisplayName"`
	EmailAddress        string            `json:"EmailAddress"`
	IsActive            bool              `json:"IsActive"`
	IsService           bool              `json:"IsService"`
	IsRequestor         bool              `json:"IsRequestor"`
	CanPasswordBeEdited bool              `json:"CanPasswordBeEdited"`
	Identities          []json.RawMessage `json:"Identities"`
	Password            string            `json:"Password,omitempty"`
}

// APIKey is a user's API key (/api/users/{id}/apikeys). ApiKey is the key
// itself only in the response to its creation; afterwards it is a masked
// sensitive value, and the store keeps only a hash.
type APIKey struct {
	Meta
	Purpose string     `json:"Purpose"`
	UserID  string     `json:"UserId"`
	Created *Timestamp `json:"Created"`
	Expires *Timestamp `json:"Expires"`
	APIKey  any        `json:"ApiKey"`
	hash    string
}

// maskedKey is how a stored key's value is shown.
type maskedKey struct {
	HasValue bool    `json:"HasValue"`
	NewValue *string `json:"NewValue"`
	Hint     *string `json:"Hint"`
}

// Team is /api/teams. SpaceId empty means a system team.
type Team struct {
	Meta
	Name                   string            `json:"Name"`
	Description            string            `json:"Description"`
	MemberUserIDs          []string          `json:"MemberUserIds"`
	ExternalSecurityGroups []json.RawMessage `json:"ExternalSecurityGroups"`
	CanBeDeleted           bool              `json:"CanBeDeleted"`
	CanBeRenamed           bool              `json:"CanBeRenamed"`
	CanChangeRoles         bool              `json:"CanChangeRoles"`
	CanChangeMembers       bool              `json:"CanChangeMembers"`
}

// UserRole is /api/userroles: a named set of permissions.
type UserRole struct {
	Meta
	Name                         string   `json:"Name"`
	Description                  string   `json:"Description"`
	SupportedRestrictions        []string `json:"SupportedRestrictions"`
	SpacePermissionDescriptions  []string `json:"SpacePermissionDescriptions"`
	SystemPermissionDescriptions []string `json:"SystemPermissionDescriptions"`
	GrantedSpacePermissions      []string `json:"GrantedSpacePermissions"`
	GrantedSystemPermissions     []string `json:"GrantedSystemPermissions"`
	CanBeDeleted                 bool     `json:"CanBeDeleted"`
}

// ScopedUserRole is /api/scopeduserroles: a team granted a role, in a space
// (or at system level), optionally restricted to projects, project groups,
// environments and tenants.
type ScopedUserRole struct {
	Meta
	TeamID          string   `json:"TeamId"`
	UserRoleID      string   `json:"UserRoleId"`
	ProjectIDs      []string `json:"ProjectIds"`
	ProjectGroupIDs []string `json:"ProjectGroupIds"`
	EnvironmentIDs  []string `json:"EnvironmentIds"`
	TenantIDs       []string `json:"TenantIds"`
}
