package octosim

import (
	"strings"
	"time"
)

// op is one operation on the store on behalf of a principal. The caller
// holds the store's lock (read or write) for the op's whole life. Handlers
// and the seed loader both work through ops, so a seed goes through the
// same validation and permission checks as the API.
type op struct {
	s       *Server
	st      *Store
	who     *principal
	spaceID string
	now     time.Time
	g       *grants
	gAt     uint64 // store version g was computed at
}

// grants computes what the caller may do, again only when the store has
// changed since (a seed grants itself space permissions as it goes).
func (o *op) grants() *grants {
	if o.g == nil || o.gAt != o.st.version {
		o.gAt = o.st.version
		if o.who == nil {
			o.g = &grants{system: map[Permission]bool{}, space: map[Permission][]restriction{}}
		} else {
			o.g = computeGrants(o.st, o.who.user)
		}
	}
	return o.g
}

// requirePermission is the check every endpoint makes: nil when the caller
// holds perm for the scope, else the 403 a real server sends, naming the
// missing permission. Round B's endpoints call it the same way, e.g.
//
//	o.require(DeploymentCreate, o.projectScope(p, envID, tenantID))
func (o *op) require(perm Permission, sc Scope) error {
	if o.grants().can(perm, sc) {
		return nil
	}
	return forbidden(perm, o.grants())
}

// requirePermission is require for code that has a store and a principal
// but no op (the lock must be held).
func requirePermission(st *Store, who *principal, perm Permission, sc Scope) error {
	o := &op{st: st, who: who}
	return o.require(perm, sc)
}

func (o *op) can(perm Permission, sc Scope) bool { return o.grants().can(perm, sc) }

// requireAny is the check for lists: the caller must hold the permission
// somewhere in the space; items outside its scope are then left out.
func (o *op) requireAny(perm Permission) error {
	if o.grants().hasAny(perm, o.spaceID) {
		return nil
	}
	return forbidden(perm, o.grants())
}

// spaceScope is the scope of a space-wide resource.
func (o *op) spaceScope() Scope { return Scope{SpaceID: o.spaceID} }

// projectScope is the scope of something belonging to a project; it fills
// in the project group so that roles restricted to groups apply.
func (o *op) projectScope(projectID, environmentID, tenantID string) Scope {
	sc := Scope{SpaceID: o.spaceID, ProjectID: projectID, EnvironmentID: environmentID, TenantID: tenantID}
	if p, ok := kProjects.tab(o.st).get(o.spaceID, projectID); ok {
		sc.ProjectGroupID = p.ProjectGroupID
	}
	return sc
}

// actor is the name written to LastModifiedBy.
func (o *op) actor() string {
	if o.who == nil || o.who.user == nil {
		return "system"
	}
	return o.who.user.Username
}

// stamp records who changed a document and when.
func (o *op) stamp(m *Meta) {
	m.LastModifiedOn = ts(o.now)
	m.LastModifiedBy = o.actor()
}

// in returns a copy of the op working in another space.
func (o *op) in(spaceID string) *op {
	c := *o
	c.spaceID = spaceID
	return &c
}

// sameSpace compares space IDs as the server does (case-insensitively).
func sameSpace(a, b string) bool { return strings.EqualFold(a, b) }
