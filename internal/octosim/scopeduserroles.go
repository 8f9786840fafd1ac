package octosim

import "strings"

var kScopedUserRoles = &kind[*ScopedUserRole]{}

func init() {
	*kScopedUserRoles = kind[*ScopedUserRole]{
		Name: "ScopedUserRoles", Segment: "scopeduserroles", ItemType: "ScopedUserRole", IDPrefix: "ScopedUserRoles", System: true, SpaceAttr: true,
		Template: "{/id}{?skip,take,ids,partialName,spaces,includeSystem}",
		View:     TeamView, Create: TeamEdit, Edit: TeamEdit, Delete: TeamEdit,
		New: func() *ScopedUserRole { return &ScopedUserRole{} },
		Scope: func(o *op, r *ScopedUserRole) Scope {
			if r.SpaceID == "" && r.ID == "" {
				if t, ok := kTeams.tab(o.st).get("", r.TeamID); ok && t.SpaceID != "" {
					return Scope{SpaceID: t.SpaceID}
				}
				return Scope{SpaceID: o.spaceID}
			}
			return Scope{SpaceID: r.SpaceID}
		},
		Select: func(o *op, r *ScopedUserRole, q listQuery) bool {
			includeSystem := q.get("includeSystem") == "" || q.flag("includeSystem")
			if spaces := q.list("spaces"); len(spaces) > 0 {
				return containsFold(spaces, r.SpaceID) || (r.SpaceID == "" && includeSystem)
			}
			if o.spaceID != "" {
				return sameSpace(r.SpaceID, o.spaceID) || (r.SpaceID == "" && includeSystem)
			}
			return true
		},
		Links: func(r *ScopedUserRole) map[string]string {
			return map[string]string{"Self": "/api/scopeduserroles/" + r.ID}
		},
		Prepare: prepareScopedUserRole,
		Deleting: func(o *op, r *ScopedUserRole) error {
			if t, ok := kTeams.tab(o.st).get("", r.TeamID); ok && !t.CanChangeRoles {
				return badRequest("The roles of the team '%s' cannot be changed.", t.Name)
			}
			return nil
		},
	}
	defineKind(kScopedUserRoles)
}

func init() {
	addRoutes(kScopedUserRoles.routes()...)
	for _, r := range kScopedUserRoles.routes() {
		r.Pattern = strings.Replace(r.Pattern, "/api/scopeduserroles", "/api/{spaceId}/scopeduserroles", 1)
		r.NoAliases = true
		addRoutes(r)
	}
}

func prepareScopedUserRole(o *op, r, old *ScopedUserRole) error {
	t, ok := kTeams.tab(o.st).get("", r.TeamID)
	if !ok {
		return badRequest("The team '%s' does not exist.", r.TeamID)
	}
	role, ok := kUserRoles.tab(o.st).get("", r.UserRoleID)
	if !ok {
		return badRequest("The user role '%s' does not exist.", r.UserRoleID)
	}
	if old != nil && !t.CanChangeRoles && !sameSpace(old.UserRoleID, r.UserRoleID) {
		return badRequest("The roles of the team '%s' cannot be changed.", t.Name)
	}
	r.TeamID, r.UserRoleID = t.ID, role.ID
	if r.SpaceID == "" {
		r.SpaceID = t.SpaceID
	}
	if r.SpaceID == "" && old == nil {
		r.SpaceID = o.spaceID
	}
	if t.SpaceID != "" && !sameSpace(t.SpaceID, r.SpaceID) {
		return badRequest("The team '%s' belongs to another space; its roles can only apply in that space.", t.Name)
	}
	r.ProjectIDs, r.ProjectGroupIDs = dedupe(r.ProjectIDs), dedupe(r.ProjectGroupIDs)
	r.EnvironmentIDs, r.TenantIDs = dedupe(r.EnvironmentIDs), dedupe(r.TenantIDs)
	if r.SpaceID == "" {
		if len(r.ProjectIDs)+len(r.ProjectGroupIDs)+len(r.EnvironmentIDs)+len(r.TenantIDs) > 0 {
			return badRequest("A system-level role cannot be restricted to projects, environments or tenants.")
		}
		return nil
	}
	sp, ok := kSpaces.tab(o.st).get("", r.SpaceID)
	if !ok {
		return badRequest("The space '%s' does not exist.", r.SpaceID)
	}
	r.SpaceID = sp.ID
	check := func(ids []string, exists func(string) bool, what string) error {
		for _, id := range ids {
			if !exists(id) {
				return badRequest("The %s '%s' does not exist in the space '%s'.", what, id, sp.Name)
			}
		}
		return nil
	}
	if err := check(r.ProjectIDs, func(id string) bool { _, ok := kProjects.tab(o.st).get(sp.ID, id); return ok }, "project"); err != nil {
		return err
	}
	if err := check(r.ProjectGroupIDs, func(id string) bool { _, ok := kProjectGroups.tab(o.st).get(sp.ID, id); return ok }, "project group"); err != nil {
		return err
	}
	if err := check(r.EnvironmentIDs, func(id string) bool { _, ok := kEnvironments.tab(o.st).get(sp.ID, id); return ok }, "environment"); err != nil {
		return err
	}
	return check(r.TenantIDs, func(id string) bool { _, ok := kTenants.tab(o.st).get(sp.ID, id); return ok }, "tenant")
}
