package octosim

import (
	"net/http"
	"strings"
)

var kTeams = &kind[*Team]{}

func init() {
	*kTeams = kind[*Team]{
		Name: "Teams", Segment: "teams", ItemType: "Team", IDPrefix: "Teams", System: true, SpaceAttr: true,
		Template: "{/id}{?skip,take,ids,partialName,spaces,includeSystem}",
		View:     TeamView, Create: TeamCreate, Edit: TeamEdit, Delete: TeamDelete,
		New:    func() *Team { return &Team{} },
		NameOf: func(t *Team) string { return t.Name },
		Scope: func(o *op, t *Team) Scope {
			if t.SpaceID == "" && o.spaceID != "" && t.ID == "" {
				return Scope{SpaceID: o.spaceID}
			}
			return Scope{SpaceID: t.SpaceID}
		},
		// Under a space URL: that space's teams, and system teams unless
		// includeSystem=false. Under /api/teams: every team, narrowed by spaces.
		Select: func(o *op, t *Team, q listQuery) bool {
			includeSystem := q.get("includeSystem") == "" || q.flag("includeSystem")
			if spaces := q.list("spaces"); len(spaces) > 0 {
				return containsFold(spaces, t.SpaceID) || (t.SpaceID == "" && includeSystem)
			}
			if o.spaceID != "" {
				return sameSpace(t.SpaceID, o.spaceID) || (t.SpaceID == "" && includeSystem)
			}
			return true
		},
		Links: func(t *Team) map[string]string {
			return map[string]string{"Self": "/api/teams/" + t.ID,
				"ScopedUserRoles": "/api/teams/" + t.ID + "/scopeduserroles{?skip,take}"}
		},
		Prepare:  prepareTeam,
		Deleting: deletingTeam,
	}
	defineKind(kTeams)
}

func init() {
	addRoutes(kTeams.routes()...)
	for _, r := range kTeams.routes() {
		r.Pattern = strings.Replace(r.Pattern, "/api/teams", "/api/{spaceId}/teams", 1)
		r.NoAliases = true
		addRoutes(r)
	}
	addRoutes(routeSpec{Method: http.MethodGet, Pattern: "/api/teams/{id}/scopeduserroles", Handler: teamScopedRoles})
}

func prepareTeam(o *op, t, old *Team) error {
	if err := requireName(t.Name); err != nil {
		return err
	}
	if old == nil {
		if t.SpaceID == "" {
			t.SpaceID = o.spaceID
		}
		if t.SpaceID != "" {
			sp, ok := kSpaces.tab(o.st).get("", t.SpaceID)
			if !ok {
				return badRequest("The space '%s' does not exist.", t.SpaceID)
			}
			t.SpaceID = sp.ID
		}
		t.CanBeDeleted, t.CanBeRenamed, t.CanChangeRoles, t.CanChangeMembers = true, true, true, true
	} else {
		t.SpaceID = old.SpaceID
		t.CanBeDeleted, t.CanBeRenamed, t.CanChangeRoles, t.CanChangeMembers = old.CanBeDeleted, old.CanBeRenamed, old.CanChangeRoles, old.CanChangeMembers
		if !old.CanBeRenamed && t.Name != old.Name {
			return badRequest("The team '%s' is built in and cannot be renamed.", old.Name)
		}
		if !old.CanChangeMembers && !sameMembers(old.MemberUserIDs, t.MemberUserIDs) {
			return badRequest("The members of the team '%s' cannot be changed.", old.Name)
		}
	}
	var peers []*Team
	for _, v := range kTeams.tab(o.st).inSpace("") {
		if sameSpace(v.SpaceID, t.SpaceID) {
			peers = append(peers, v)
		}
	}
	if !uniqueIn(peers, func(v *Team) string { return v.Name }, t.Name, selfID(old)) {
		return duplicateName("team")
	}
	t.MemberUserIDs = dedupe(t.MemberUserIDs)
	for _, uid := range t.MemberUserIDs {
		if _, ok := kUsers.tab(o.st).get("", uid); !ok {
			return badRequest("The user '%s' does not exist.", uid)
		}
	}
	t.ExternalSecurityGroups = nonNil(t.ExternalSecurityGroups)
	return nil
}

func sameMembers(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, id := range a {
		if !containsFold(b, id) {
			return false
		}
	}
	return true
}

func deletingTeam(o *op, t *Team) error {
	if !t.CanBeDeleted {
		return badRequest("The team '%s' is built in and cannot be deleted.", t.Name)
	}
	for _, r := range kScopedUserRoles.tab(o.st).inSpace("") {
		if sameSpace(r.TeamID, t.ID) {
			kScopedUserRoles.tab(o.st).del("", r.ID)
		}
	}
	for _, s := range kSpaces.tab(o.st).inSpace("") {
		if containsFold(s.SpaceManagersTeams, t.ID) {
			c := *s
			c.SpaceManagersTeams = without(s.SpaceManagersTeams, t.ID)
			kSpaces.save(o, &c)
		}
	}
	return nil
}

func teamScopedRoles(c *call) (int, any, error) {
	q, err := c.listQuery()
	if err != nil {
		return 0, nil, err
	}
	return c.read(func(o *op) (int, any, error) {
		t, err := kTeams.find(o, c.param("id"))
		if err != nil {
			return 0, nil, err
		}
		var out []*ScopedUserRole
		for _, r := range kScopedUserRoles.all(o) {
			if sameSpace(r.TeamID, t.ID) && q.matchID(r.ID) {
				out = append(out, r)
			}
		}
		return http.StatusOK, paginate(out, q, "ScopedUserRole", c.r.URL.Path, "/api/teams/"+t.ID+"/scopeduserroles{?skip,take}"), nil
	})
}
