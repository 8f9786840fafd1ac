package octosim

import "fmt"

// Built-in accounts every world has.
const (
	adminUsername    = "admin"
	adminKeyPurpose  = "octosim administrator"
	defaultSpaceName = "Default"
)

// buildWorld makes a fresh store: the built-in roles, teams and the
// administrator (what an Octopus installation starts with), then the seed,
// applied as the administrator through the API's own operations.
func (s *Server) buildWorld() (*Store, error) {
	now := s.now()
	st := newStore(s.cfg.randSeed, now)
	st.mu.Lock()
	defer st.mu.Unlock()
	o := &op{s: s, st: st, now: now}

	for _, r := range builtInRoles() {
		fillRoleDescriptions(r)
		r.CanBeDeleted = false
		kUserRoles.save(o, r)
	}
	admin := &User{Meta: Meta{ID: st.nextID("Users")}, Username: adminUsername, DisplayName: "Administrator",
		EmailAddress: "admin@octosim.invalid", IsActive: true, CanPasswordBeEdited: true, Identities: []jsonRaw{}}
	kUsers.save(o, admin)
	builtIn := func(id, name, desc string, members []string, changeMembers bool) {
		kTeams.save(o, &Team{Meta: Meta{ID: id}, Name: name, Description: desc, MemberUserIDs: members,
			ExternalSecurityGroups: []jsonRaw{}, CanChangeMembers: changeMembers})
	}
	builtIn(teamAdministrators, "Octopus Administrators", "Members of this team can perform all functions in Octopus.", []string{admin.ID}, true)
	builtIn(teamManagers, "Octopus Managers", "Members of this team can manage spaces, users and teams.", []string{}, true)
	builtIn(teamEveryone, "Everyone", "Every user is a member of this team.", []string{}, false)
	for _, tr := range [][2]string{{teamAdministrators, RoleSystemAdministrator}, {teamManagers, RoleSystemManager}} {
		kScopedUserRoles.save(o, &ScopedUserRole{Meta: Meta{ID: st.nextID("ScopedUserRoles")}, TeamID: tr[0], UserRoleID: tr[1],
			ProjectIDs: []string{}, ProjectGroupIDs: []string{}, EnvironmentIDs: []string{}, TenantIDs: []string{}})
	}
	o.who = &principal{user: admin}
	if _, err := createAPIKey(o, admin.ID, adminKeyPurpose, s.adminKey, nil); err != nil {
		return nil, fmt.Errorf("octosim: administrator key: %w", err)
	}
	if err := applySeed(o, s.seed); err != nil {
		return nil, err
	}
	for _, f := range s.cfg.failures {
		if err := f.validate(); err != nil {
			return nil, fmt.Errorf("octosim: failure rule: %w", err)
		}
		st.x.failures = append(st.x.failures, &failureState{FailureRule: f})
	}
	return st, nil
}
