package octosim

import (
	"net/http"
	"strings"
)

var kUsers = &kind[*User]{}

func init() {
	*kUsers = kind[*User]{
		Name: "Users", Segment: "users", ItemType: "User", IDPrefix: "Users", System: true,
		Template: "{/id}{?skip,take,ids,filter}",
		View:     UserView, Create: UserEdit, Delete: UserEdit,
		New:    func() *User { return &User{} },
		NameOf: func(u *User) string { return u.Username },
		Filters: map[string]func(o *op, u *User, v string) bool{
			"filter": func(o *op, u *User, v string) bool {
				v = strings.ToLower(v)
				return strings.Contains(strings.ToLower(u.Username), v) || strings.Contains(strings.ToLower(u.DisplayName), v) ||
					strings.Contains(strings.ToLower(u.EmailAddress), v)
			},
		},
		Links: func(u *User) map[string]string {
			base := "/api/users/" + u.ID
			return map[string]string{
				"Self":                     base,
				"Permissions":              base + "/permissions",
				"PermissionsConfiguration": base + "/permissions/configuration",
				"ApiKeys":                  base + "/apikeys{/id}{?skip,take}",
				"Avatar":                   "https://www.gravatar.com/avatar/?d=blank",
				"Teams":                    base + "/teams{?spaces,includeSystem}",
				"Spaces":                   base + "/spaces",
			}
		},
		Prepare:  prepareUser,
		Deleting: deletingUser,
	}
	defineKind(kUsers)
}

func init() {
	for _, r := range kUsers.routes() {
		switch {
		case r.Method == http.MethodGet && r.Pattern == "/api/users/{id}":
			r.Handler = getUser
		case r.Method == http.MethodPut:
			r.Handler = putUser
		}
		addRoutes(r)
	}
	addRoutes(
		routeSpec{Method: http.MethodGet, Pattern: "/api/users/me", Handler: getMe},
		routeSpec{Method: http.MethodGet, Pattern: "/api/users/{id}/permissions", Handler: getPermissions},
		routeSpec{Method: http.MethodGet, Pattern: "/api/users/{id}/permissions/configuration", Handler: getPermissions},
		routeSpec{Method: http.MethodGet, Pattern: "/api/{spaceId}/users/{id}/permissions", Handler: getPermissions},
		routeSpec{Method: http.MethodGet, Pattern: "/api/users/{id}/teams", Handler: getUserTeams},
		routeSpec{Method: http.MethodGet, Pattern: "/api/users/{id}/spaces", Handler: getUserSpaces},
	)
}

func prepareUser(o *op, u, old *User) error {
	if strings.TrimSpace(u.Username) == "" {
		return badRequest("Username is required.")
	}
	if !uniqueIn(kUsers.tab(o.st).inSpace(""), func(v *User) string { return v.Username }, u.Username, selfID(old)) {
		return badRequest("A user with the username '%s' already exists.", u.Username)
	}
	if u.DisplayName == "" {
		u.DisplayName = u.Username
	}
	u.Password = "" // accepted, never kept
	u.CanPasswordBeEdited = !u.IsService
	u.Identities = nonNil(u.Identities)
	if old != nil && !u.IsActive && o.who != nil && o.who.user != nil && sameSpace(o.who.user.ID, old.ID) {
		return badRequest("You cannot deactivate your own account.")
	}
	return nil
}

func deletingUser(o *op, u *User) error {
	if o.who != nil && o.who.user != nil && sameSpace(o.who.user.ID, u.ID) {
		return badRequest("You cannot delete your own account.")
	}
	for _, t := range kTeams.tab(o.st).inSpace("") {
		if containsFold(t.MemberUserIDs, u.ID) {
			c := *t
			c.MemberUserIDs = without(t.MemberUserIDs, u.ID)
			kTeams.save(o, &c)
		}
	}
	for _, s := range kSpaces.tab(o.st).inSpace("") {
		if containsFold(s.SpaceManagersTeamMembers, u.ID) {
			c := *s
			c.SpaceManagersTeamMembers = without(s.SpaceManagersTeamMembers, u.ID)
			kSpaces.save(o, &c)
		}
	}
	for _, k := range kAPIKeys.tab(o.st).inSpace("") {
		if sameSpace(k.UserID, u.ID) {
			deleteAPIKeyDoc(o, k)
		}
	}
	return nil
}

func without(ids []string, drop string) []string {
	out := []string{}
	for _, id := range ids {
		if !sameSpace(id, drop) {
			out = append(out, id)
		}
	}
	return out
}

// isSelf reports whether the caller is the user with this ID.
func isSelf(o *op, id string) bool {
	return o.who != nil && o.who.user != nil && (sameSpace(o.who.user.ID, id) || strings.EqualFold(id, "me"))
}

// findUser is GET-by-ID for users: anyone may read their own account.
func findUser(o *op, id string) (*User, error) {
	if isSelf(o, id) {
		return o.who.user, nil
	}
	u, ok := kUsers.get(o, id)
	if !ok {
		return nil, notFound(id)
	}
	if err := o.require(UserView, Scope{}); err != nil {
		return nil, err
	}
	return u, nil
}

func getUser(c *call) (int, any, error) {
	return c.read(func(o *op) (int, any, error) {
		u, err := findUser(o, c.param("id"))
		if err == nil {
			u, _ = kUsers.get(o, u.ID) // the stored, current version
		}
		return http.StatusOK, u, err
	})
}

func getMe(c *call) (int, any, error) {
	return c.read(func(o *op) (int, any, error) {
		u, ok := kUsers.get(o, c.who.user.ID)
		if !ok {
			return 0, nil, notFound(c.who.user.ID)
		}
		return http.StatusOK, u, nil
	})
}

// putUser lets users edit themselves; editing others needs UserEdit.
func putUser(c *call) (int, any, error) {
	in := &User{}
	if err := c.decode(in); err != nil {
		return 0, nil, err
	}
	return c.write(func(o *op) (int, any, error) {
		if !isSelf(o, c.param("id")) {
			if err := o.require(UserEdit, Scope{}); err != nil {
				return 0, nil, err
			}
		}
		id := c.param("id")
		if strings.EqualFold(id, "me") {
			id = o.who.user.ID
		}
		u, ok := kUsers.get(o, id)
		if !ok {
			return 0, nil, notFound(id)
		}
		in.ID = u.ID
		if err := prepareUser(o, in, u); err != nil {
			return 0, nil, err
		}
		kUsers.save(o, in)
		return http.StatusOK, in, nil
	})
}

// UserPermissionSet is /api/users/{id}/permissions.
type UserPermissionSet struct {
	ID                    string                                 `json:"Id"`
	SpacePermissions      map[string][]UserPermissionRestriction `json:"SpacePermissions"`
	SystemPermissions     []string                               `json:"SystemPermissions"`
	Teams                 []ProjectedTeam                        `json:"Teams"`
	IsTeamsComplete       bool                                   `json:"IsTeamsComplete"`
	IsPermissionsComplete bool                                   `json:"IsPermissionsComplete"`
	Links                 map[string]string                      `json:"Links"`
}

// UserPermissionRestriction is one grant of a space permission.
type UserPermissionRestriction struct {
	SpaceID                     string   `json:"SpaceId"`
	RestrictedToProjectIDs      []string `json:"RestrictedToProjectIds"`
	RestrictedToEnvironmentIDs  []string `json:"RestrictedToEnvironmentIds"`
	RestrictedToTenantIDs       []string `json:"RestrictedToTenantIds"`
	RestrictedToProjectGroupIDs []string `json:"RestrictedToProjectGroupIds"`
}

// ProjectedTeam is a team as the permissions endpoint lists it.
type ProjectedTeam struct {
	ID                     string    `json:"Id"`
	Name                   string    `json:"Name"`
	SpaceID                *string   `json:"SpaceId"`
	IsDirectlyAssigned     bool      `json:"IsDirectlyAssigned"`
	ExternalSecurityGroups []jsonRaw `json:"ExternalSecurityGroups"`
}

func getPermissions(c *call) (int, any, error) {
	q := c.r.URL.Query()
	spaces := splitCSV(q.Get("spaces"))
	if c.spaceID != "" {
		spaces = []string{c.spaceID}
	}
	return c.read(func(o *op) (int, any, error) {
		u, err := findUser(o, c.param("id"))
		if err != nil {
			return 0, nil, err
		}
		g := computeGrants(o.st, u)
		set := &UserPermissionSet{ID: u.ID, SpacePermissions: map[string][]UserPermissionRestriction{},
			SystemPermissions: []string{}, Teams: []ProjectedTeam{}, IsTeamsComplete: true, IsPermissionsComplete: true,
			Links: map[string]string{"Self": "/api/users/" + u.ID + "/permissions"}}
		for p, rs := range g.space {
			for _, r := range rs {
				if len(spaces) > 0 && !containsFold(spaces, r.SpaceID) {
					continue
				}
				set.SpacePermissions[string(p)] = append(set.SpacePermissions[string(p)], UserPermissionRestriction{
					SpaceID: r.SpaceID, RestrictedToProjectIDs: nonNil(r.Projects), RestrictedToEnvironmentIDs: nonNil(r.Environments),
					RestrictedToTenantIDs: nonNil(r.Tenants), RestrictedToProjectGroupIDs: nonNil(r.ProjectGroups)})
			}
		}
		if c.spaceID == "" || q.Get("includeSystem") != "false" {
			for p := range g.system {
				set.SystemPermissions = append(set.SystemPermissions, string(p))
			}
		}
		sortStrings(set.SystemPermissions)
		for _, t := range g.teams {
			set.Teams = append(set.Teams, ProjectedTeam{ID: t.ID, Name: t.Name, SpaceID: strPtr(t.SpaceID),
				IsDirectlyAssigned: containsFold(t.MemberUserIDs, u.ID), ExternalSecurityGroups: []jsonRaw{}})
		}
		return http.StatusOK, set, nil
	})
}

func getUserTeams(c *call) (int, any, error) {
	return c.read(func(o *op) (int, any, error) {
		u, err := findUser(o, c.param("id"))
		if err != nil {
			return 0, nil, err
		}
		out := []ProjectedTeam{}
		for _, t := range computeGrants(o.st, u).teams {
			out = append(out, ProjectedTeam{ID: t.ID, Name: t.Name, SpaceID: strPtr(t.SpaceID),
				IsDirectlyAssigned: containsFold(t.MemberUserIDs, u.ID), ExternalSecurityGroups: []jsonRaw{}})
		}
		return http.StatusOK, out, nil
	})
}

func getUserSpaces(c *call) (int, any, error) {
	return c.read(func(o *op) (int, any, error) {
		u, err := findUser(o, c.param("id"))
		if err != nil {
			return 0, nil, err
		}
		g := computeGrants(o.st, u)
		out := []*Space{}
		for _, s := range kSpaces.all(o) {
			if g.inSpace(s.ID) {
				out = append(out, s)
			}
		}
		return http.StatusOK, out, nil
	})
}
