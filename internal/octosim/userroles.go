package octosim

import (
	"sort"
	"strings"
)

var kUserRoles = &kind[*UserRole]{}

func init() {
	*kUserRoles = kind[*UserRole]{
		Name: "UserRoles", Segment: "userroles", ItemType: "UserRole", IDPrefix: "UserRoles", System: true,
		Template: "{/id}{?skip,take,ids,partialName}",
		View:     UserRoleView, Create: UserRoleEdit, Edit: UserRoleEdit, Delete: UserRoleEdit,
		New:    func() *UserRole { return &UserRole{} },
		NameOf: func(r *UserRole) string { return r.Name },
		Lookup: func(o *op, s string) (*UserRole, bool) { return kUserRoles.byIDOrName(o, s) },
		Links: func(r *UserRole) map[string]string {
			return map[string]string{"Self": "/api/userroles/" + r.ID}
		},
		Prepare: prepareUserRole,
		Deleting: func(o *op, r *UserRole) error {
			if !r.CanBeDeleted {
				return badRequest("The user role '%s' is built in and cannot be deleted.", r.Name)
			}
			for _, s := range kScopedUserRoles.tab(o.st).inSpace("") {
				if sameSpace(s.UserRoleID, r.ID) {
					return badRequest("The user role '%s' is assigned to a team and cannot be deleted.", r.Name)
				}
			}
			return nil
		},
	}
	defineKind(kUserRoles)
}

func init() { addRoutes(kUserRoles.routes()...) }

func prepareUserRole(o *op, r, old *UserRole) error {
	if old != nil && !old.CanBeDeleted {
		return badRequest("The user role '%s' is built in and cannot be modified.", old.Name)
	}
	if err := requireName(r.Name); err != nil {
		return err
	}
	if !uniqueIn(kUserRoles.tab(o.st).inSpace(""), func(v *UserRole) string { return v.Name }, r.Name, selfID(old)) {
		return duplicateName("user role")
	}
	var err error
	if r.GrantedSpacePermissions, err = checkPermissionNames(r.GrantedSpacePermissions, spacePermissionNames); err != nil {
		return err
	}
	if r.GrantedSystemPermissions, err = checkPermissionNames(r.GrantedSystemPermissions, systemPermissionNames); err != nil {
		return err
	}
	r.CanBeDeleted = true
	fillRoleDescriptions(r)
	return nil
}

func checkPermissionNames(perms, allowed []string) ([]string, error) {
	out := []string{}
	for _, p := range dedupe(perms) {
		found := ""
		for _, a := range allowed {
			if strings.EqualFold(a, p) {
				found = a
			}
		}
		if found == "" {
			if isKnownPermission(p) {
				return nil, badRequest("The permission '%s' cannot be granted at this level.", p)
			}
			return nil, badRequest("'%s' is not a known permission.", p)
		}
		out = append(out, found)
	}
	sort.Strings(out)
	return out, nil
}

// fillRoleDescriptions sets the read-only description lists.
func fillRoleDescriptions(r *UserRole) {
	r.SpacePermissionDescriptions = []string{}
	for _, p := range r.GrantedSpacePermissions {
		r.SpacePermissionDescriptions = append(r.SpacePermissionDescriptions, describePermission(Permission(p)))
	}
	r.SystemPermissionDescriptions = []string{}
	for _, p := range r.GrantedSystemPermissions {
		r.SystemPermissionDescriptions = append(r.SystemPermissionDescriptions, describePermission(Permission(p)))
	}
	r.SupportedRestrictions = []string{"Projects", "ProjectGroups", "Environments", "Tenants"}
}

func describePermission(p Permission) string {
	if d, ok := permissionPurpose[p]; ok {
		return string(p) + ": " + strings.ToUpper(d[:1]) + d[1:]
	}
	return string(p)
}
