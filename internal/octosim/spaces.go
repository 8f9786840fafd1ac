package octosim

import (
	"strings"
)

// Built-in team IDs. Every space lists the first two as space managers, as
// the real capture in the reference shows.
const (
	teamAdministrators = "teams-administrators"
	teamManagers       = "teams-managers"
	teamEveryone       = "teams-everyone"
)

func spaceManagersTeamID(spaceID string) string { return "teams-spacemanagers-" + spaceID }

var kSpaces = &kind[*Space]{}

func init() {
	*kSpaces = kind[*Space]{
		Name: "Spaces", Segment: "spaces", ItemType: "Space", IDPrefix: "Spaces", System: true,
		Template: "{/id}{?skip,ids,take,partialName}",
		Create:   SpaceCreate, Edit: SpaceEdit, Delete: SpaceDelete,
		New:    func() *Space { return &Space{} },
		NameOf: func(s *Space) string { return s.Name },
		Scope:  func(o *op, s *Space) Scope { return Scope{SpaceID: s.ID} },
		// Users see the spaces they have any permission in.
		Select: func(o *op, s *Space, q listQuery) bool { return o.grants().inSpace(s.ID) },
		Lookup: func(o *op, id string) (*Space, bool) { return kSpaces.tab(o.st).get("", id) },
		Links: func(s *Space) map[string]string {
			return map[string]string{
				"Self":      "/api/spaces/" + s.ID,
				"SpaceHome": "/api/" + s.ID,
				"Web":       "/app#/spaces/" + s.ID,
				"Logo":      "/api/spaces/" + s.ID + "/logo",
				"Search":    "/api/spaces/" + s.ID + "/search",
			}
		},
		Prepare:  prepareSpace,
		Created:  spaceCreated,
		Deleting: deletingSpace,
	}
	defineKind(kSpaces)
}

func init() { addRoutes(kSpaces.routes()...) }

func prepareSpace(o *op, s, old *Space) error {
	if err := requireName(s.Name); err != nil {
		return err
	}
	all := kSpaces.tab(o.st).inSpace("")
	if !uniqueIn(all, func(v *Space) string { return v.Name }, s.Name, selfID(old)) {
		return duplicateName("space")
	}
	if s.Slug == "" {
		s.Slug = slugify(s.Name)
	}
	s.Slug = uniqueSlug(all, func(v *Space) string { return v.Slug }, s.Slug, selfID(old))
	s.SpaceManagersTeamMembers = dedupe(s.SpaceManagersTeamMembers)
	for _, uid := range s.SpaceManagersTeamMembers {
		if _, ok := kUsers.tab(o.st).get("", uid); !ok {
			return badRequest("The user '%s' does not exist.", uid)
		}
	}
	teams := []string{teamAdministrators, teamManagers}
	if old != nil {
		teams = append(teams, spaceManagersTeamID(old.ID))
	}
	s.SpaceManagersTeams = dedupe(append(teams, s.SpaceManagersTeams...))
	for _, tid := range s.SpaceManagersTeams {
		if strings.HasPrefix(strings.ToLower(tid), "teams-spacemanagers-") {
			continue // created with the space
		}
		if _, ok := kTeams.tab(o.st).get("", tid); !ok {
			return badRequest("The team '%s' does not exist.", tid)
		}
	}
	// The first space is the default; making another default demotes it.
	if defaultSpace(o.st) == nil {
		s.IsDefault = true
	}
	if old != nil && old.IsDefault && !s.IsDefault {
		return badRequest("There must always be a default space. Make another space the default instead.")
	}
	if s.IsDefault {
		for _, other := range all {
			if other.IsDefault && (old == nil || other.ID != old.ID) {
				c := *other
				c.IsDefault = false
				kSpaces.save(o, &c)
			}
		}
	}
	if old != nil {
		syncSpaceManagersTeam(o, s)
	}
	return nil
}

// spaceCreated gives a new space what a real server gives it: a Space
// Managers team, a default lifecycle and project group, and the built-in
// feed.
func spaceCreated(o *op, s *Space) error {
	c := *s
	c.SpaceManagersTeams = dedupe(append(c.SpaceManagersTeams, spaceManagersTeamID(s.ID)))
	kSpaces.save(o, &c)
	syncSpaceManagersTeam(o, &c)
	so := o.in(s.ID)
	kLifecycles.save(so, &Lifecycle{Meta: Meta{ID: so.st.nextID("Lifecycles")}, Name: "Default Lifecycle",
		Slug: "default-lifecycle", Description: "This is the default lifecycle.", Phases: []*Phase{},
		ReleaseRetentionPolicy: keepForever(), TentacleRetentionPolicy: keepForever()})
	kProjectGroups.save(so, &ProjectGroup{Meta: Meta{ID: so.st.nextID("ProjectGroups")}, Name: "Default Project Group",
		Slug: "default-project-group", EnvironmentIDs: []string{}})
	kFeeds.save(so, &Feed{Meta: Meta{ID: BuiltInFeedID}, Name: "Octopus Server (built-in)", Slug: "octopus-server-built-in",
		FeedType: "BuiltIn", PackageAcquisitionLocationOptions: []string{"Server", "ExecutionTarget"}})
	return nil
}

// syncSpaceManagersTeam keeps the space's Space Managers team's members in
// step with SpaceManagersTeamMembers.
func syncSpaceManagersTeam(o *op, s *Space) {
	kTeams.save(o, &Team{Meta: Meta{ID: spaceManagersTeamID(s.ID), SpaceID: s.ID}, Name: "Space Managers",
		Description:   "Members of this team can do everything within the " + s.Name + " space.",
		MemberUserIDs: nonNil(s.SpaceManagersTeamMembers), ExternalSecurityGroups: nonNil[jsonRaw](nil),
		CanChangeMembers: true})
}

func deletingSpace(o *op, s *Space) error {
	if s.IsDefault {
		return badRequest("The default space cannot be deleted. Make another space the default first.")
	}
	if !s.TaskQueueStopped {
		return badRequest("The task queue of the space must be stopped before the space can be deleted.")
	}
	for _, k := range tableRegistry {
		k.dropSpace(o.st, s.ID)
	}
	for _, t := range kTeams.tab(o.st).inSpace("") {
		if sameSpace(t.SpaceID, s.ID) {
			kTeams.tab(o.st).del("", t.ID)
		}
	}
	for _, r := range kScopedUserRoles.tab(o.st).inSpace("") {
		if sameSpace(r.SpaceID, s.ID) {
			kScopedUserRoles.tab(o.st).del("", r.ID)
		}
	}
	return nil
}

func defaultSpace(st *Store) *Space {
	for _, s := range kSpaces.tab(st).inSpace("") {
		if s.IsDefault {
			return s
		}
	}
	return nil
}

// findSpace resolves a space by ID, name or slug.
func findSpace(st *Store, ident string) *Space {
	if s, ok := kSpaces.tab(st).get("", ident); ok {
		return s
	}
	for _, s := range kSpaces.tab(st).inSpace("") {
		if strings.EqualFold(s.Name, ident) || strings.EqualFold(s.Slug, ident) {
			return s
		}
	}
	return nil
}
