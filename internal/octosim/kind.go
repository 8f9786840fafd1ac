package octosim

import (
	"net/http"
	"sort"
	"strings"
)

// kind describes one resource collection: its table, URL, permissions and
// the hooks that give it server behaviour. Standard CRUD endpoints come from
// routes(); anything special is registered by hand next to the kind.
//
// To add a kind (round B: releases, deployments, tasks, ...): declare the
// struct embedding Meta, declare `var kX = defineKind(&kind[*X]{...})`, and
// in an init func call addRoutes(kX.routes()...) plus any custom routes.
type kind[T entity] struct {
	Name     string // link and table name, e.g. "Environments"
	Segment  string // URL segment, e.g. "environments"
	ItemType string // paged ItemType, e.g. "Environment"
	IDPrefix string // e.g. "Environments" for Environments-1
	System   bool   // lives outside spaces (users, spaces, teams, ...)
	// SpaceAttr marks a system kind whose documents still name a space
	// (teams, scoped user roles); other system kinds never carry SpaceId.
	SpaceAttr bool
	// Template is the query part of the collection template, after the path.
	Template string

	View, Create, Edit, Delete Permission // "" means no check

	New    func() T
	NameOf func(T) string
	Less   func(a, b T) bool
	// Scope gives the permission scope of an item; default: its space.
	Scope func(o *op, v T) Scope
	// Filters are extra list parameters, by name (matched ignoring case).
	Filters map[string]func(o *op, v T, val string) bool
	// Select, when set, is applied to every list (e.g. a system kind served
	// under a space URL keeps that space's documents).
	Select func(o *op, v T, q listQuery) bool
	// Prepare validates and normalises v before it is stored; old is the
	// stored value on update and the zero value on create.
	Prepare func(o *op, v, old T) error
	// Created runs after a create is stored (side documents).
	Created func(o *op, v T) error
	// Deleting runs before a delete: refuse it, or cascade.
	Deleting func(o *op, v T) error
	Links    func(v T) map[string]string
	// Lookup resolves an {id} path segment; default: by ID.
	Lookup func(o *op, idOrSlug string) (T, bool)

	ReadOnly bool // no POST, PUT or DELETE
	NoCreate bool // no POST (documents created as side effects)
	NoDelete bool
	NoUpdate bool // no PUT
}

// defineKind registers the kind's table with every store.
func defineKind[T entity](k *kind[T]) *kind[T] {
	tableRegistry = append(tableRegistry, k)
	return k
}

func (k *kind[T]) install(st *Store) { st.tables[k.Name] = newTable[T]() }

// dropSpace forgets a deleted space's documents of this kind.
func (k *kind[T]) dropSpace(st *Store, spaceID string) {
	if !k.System {
		k.tab(st).dropSpace(spaceID)
	}
}
func (k *kind[T]) kindName() string { return k.Name }

func (k *kind[T]) tab(st *Store) *table[T] { return st.tables[k.Name].(*table[T]) }

// spaceOf is the partition for a kind in an op's space.
func (k *kind[T]) spaceOf(o *op) string {
	if k.System {
		return ""
	}
	return o.spaceID
}

// get returns a document of the op's space by ID.
func (k *kind[T]) get(o *op, id string) (T, bool) { return k.tab(o.st).get(k.spaceOf(o), id) }

// all returns the op's space's documents, sorted.
func (k *kind[T]) all(o *op) []T {
	items := k.tab(o.st).inSpace(k.spaceOf(o))
	k.sort(items)
	return items
}

func (k *kind[T]) sort(items []T) {
	less := k.Less
	if less == nil && k.NameOf != nil {
		less = func(a, b T) bool { return lessName(k.NameOf(a), a.meta().ID, k.NameOf(b), b.meta().ID) }
	}
	if less == nil {
		less = func(a, b T) bool { return lessID(a.meta().ID, b.meta().ID) }
	}
	sort.Slice(items, func(i, j int) bool { return less(items[i], items[j]) })
}

// byName finds a document of the op's space by exact name, ignoring case.
func (k *kind[T]) byName(o *op, name string) (T, bool) {
	var zero T
	for _, v := range k.tab(o.st).inSpace(k.spaceOf(o)) {
		if strings.EqualFold(strings.TrimSpace(k.NameOf(v)), strings.TrimSpace(name)) {
			return v, true
		}
	}
	return zero, false
}

// byIDOrName resolves an ID first, then a name.
func (k *kind[T]) byIDOrName(o *op, s string) (T, bool) {
	if v, ok := k.get(o, s); ok {
		return v, true
	}
	if k.NameOf != nil {
		return k.byName(o, s)
	}
	var zero T
	return zero, false
}

func (k *kind[T]) scope(o *op, v T) Scope {
	if k.Scope != nil {
		return k.Scope(o, v)
	}
	if k.System {
		return Scope{}
	}
	return Scope{SpaceID: v.meta().SpaceID}
}

func (k *kind[T]) lookup(o *op, id string) (T, bool) {
	if k.Lookup != nil {
		return k.Lookup(o, id)
	}
	return k.get(o, id)
}

// find is GET-by-ID semantics: 404 when missing, 403 when outside the
// caller's scope (real servers answer 403, not 404, for hidden documents).
func (k *kind[T]) find(o *op, id string) (T, error) {
	var zero T
	v, ok := k.lookup(o, id)
	if !ok {
		return zero, notFound(id)
	}
	if k.View != "" {
		if err := o.require(k.View, k.scope(o, v)); err != nil {
			return zero, err
		}
	}
	return v, nil
}

// visible reports whether a list should include v for the caller.
func (k *kind[T]) visible(o *op, v T) bool {
	return k.View == "" || o.can(k.View, k.scope(o, v))
}

// query returns the documents a list request selects, in order.
func (k *kind[T]) query(o *op, q listQuery) ([]T, error) {
	if k.View != "" {
		if err := o.requireAny(k.View); err != nil {
			return nil, err
		}
	}
	var out []T
	for _, v := range k.all(o) {
		if !q.matchID(v.meta().ID) || (k.NameOf != nil && !q.matchName(k.NameOf(v))) {
			continue
		}
		if !k.matchFilters(o, v, q) || !k.visible(o, v) || (k.Select != nil && !k.Select(o, v, q)) {
			continue
		}
		out = append(out, v)
	}
	return out, nil
}

func (k *kind[T]) matchFilters(o *op, v T, q listQuery) bool {
	for name, f := range k.Filters {
		val := q.get(name)
		if val == "" {
			continue
		}
		if !f(o, v, val) {
			return false
		}
	}
	return true
}

// save stamps, links and stores v. Side documents (a project's process and
// channel) are saved with it, after their own checks.
func (k *kind[T]) save(o *op, v T) {
	m := v.meta()
	if !k.System && m.SpaceID == "" {
		m.SpaceID = o.spaceID
	}
	o.stamp(m)
	if k.Links != nil {
		m.Links = k.Links(v)
	}
	if m.Links == nil {
		m.Links = map[string]string{}
	}
	k.tab(o.st).put(partition(k, m), v)
	o.st.version++
}

func partition[T entity](k *kind[T], m *Meta) string {
	if k.System {
		return ""
	}
	return m.SpaceID
}

// create is POST semantics: check, validate, assign an ID, store.
func (k *kind[T]) create(o *op, v T) (T, error) {
	var zero T
	m := v.meta()
	m.ID = ""
	switch {
	case !k.System:
		m.SpaceID = o.spaceID
	case !k.SpaceAttr:
		m.SpaceID = ""
	}
	if k.Create != "" {
		if err := o.require(k.Create, k.scope(o, v)); err != nil {
			return zero, err
		}
	}
	if k.Prepare != nil {
		if err := k.Prepare(o, v, zero); err != nil {
			return zero, err
		}
	}
	if m.ID == "" {
		m.ID = o.st.nextID(k.IDPrefix)
	}
	k.save(o, v)
	if k.Created != nil {
		if err := k.Created(o, v); err != nil {
			k.tab(o.st).del(partition(k, m), m.ID)
			return zero, err
		}
		// The hook may have stored a newer version of the document.
		if cur, ok := k.tab(o.st).get(partition(k, m), m.ID); ok {
			v = cur
		}
	}
	return v, nil
}

// update is PUT semantics: the body replaces the document, keeping its ID,
// space and whatever Prepare carries over from old.
func (k *kind[T]) update(o *op, id string, v T) (T, error) {
	var zero T
	old, ok := k.lookup(o, id)
	if !ok {
		return zero, notFound(id)
	}
	if k.View != "" {
		if err := o.require(k.View, k.scope(o, old)); err != nil {
			return zero, err
		}
	}
	if k.Edit != "" {
		if err := o.require(k.Edit, k.scope(o, old)); err != nil {
			return zero, err
		}
	}
	m := v.meta()
	m.ID = old.meta().ID
	m.SpaceID = old.meta().SpaceID
	if k.Prepare != nil {
		if err := k.Prepare(o, v, old); err != nil {
			return zero, err
		}
	}
	k.save(o, v)
	return v, nil
}

// remove is DELETE semantics.
func (k *kind[T]) remove(o *op, id string) error {
	v, ok := k.lookup(o, id)
	if !ok {
		return notFound(id)
	}
	if k.Delete != "" {
		if err := o.require(k.Delete, k.scope(o, v)); err != nil {
			return err
		}
	}
	if k.Deleting != nil {
		if err := k.Deleting(o, v); err != nil {
			return err
		}
	}
	k.tab(o.st).del(partition(k, v.meta()), v.meta().ID)
	o.st.version++
	return nil
}

// collectionPath is the list path in a space, e.g. /api/Spaces-1/projects.
func (k *kind[T]) collectionPath(spaceID string) string {
	if k.System || spaceID == "" {
		return "/api/" + k.Segment
	}
	return "/api/" + spaceID + "/" + k.Segment
}

// template is the collection's link template, e.g.
// /api/Spaces-1/environments{/id}{?name,skip,ids,take,partialName}.
func (k *kind[T]) template(spaceID string) string {
	return k.collectionPath(spaceID) + k.Template
}

// selfLink is the document's own URL.
func (k *kind[T]) selfLink(v T) string {
	return k.collectionPath(v.meta().SpaceID) + "/" + v.meta().ID
}

// routes are the standard endpoints: list, /all, get, create, update, delete.
func (k *kind[T]) routes() []routeSpec {
	base := "/api/{spaceId}/" + k.Segment
	if k.System {
		base = "/api/" + k.Segment
	}
	rs := []routeSpec{
		{Method: http.MethodGet, Pattern: base, Handler: k.handleList},
		{Method: http.MethodGet, Pattern: base + "/all", Handler: k.handleAll},
		{Method: http.MethodGet, Pattern: base + "/{id}", Handler: k.handleGet},
	}
	if !k.ReadOnly {
		if !k.NoCreate {
			rs = append(rs, routeSpec{Method: http.MethodPost, Pattern: base, Handler: k.handleCreate})
		}
		if !k.NoUpdate {
			rs = append(rs, routeSpec{Method: http.MethodPut, Pattern: base + "/{id}", Handler: k.handleUpdate})
		}
		if !k.NoDelete {
			rs = append(rs, routeSpec{Method: http.MethodDelete, Pattern: base + "/{id}", Handler: k.handleDelete})
		}
	}
	return rs
}

func (k *kind[T]) handleList(c *call) (int, any, error) {
	q, err := c.listQuery()
	if err != nil {
		return 0, nil, err
	}
	return c.read(func(o *op) (int, any, error) {
		items, err := k.query(o, q)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, paginate(items, q, k.ItemType, c.r.URL.Path, k.template(k.spaceOf(o))), nil
	})
}

// handleAll is /all: a bare JSON array of everything visible.
func (k *kind[T]) handleAll(c *call) (int, any, error) {
	q, err := c.listQuery()
	if err != nil {
		return 0, nil, err
	}
	return c.read(func(o *op) (int, any, error) {
		items, err := k.query(o, q)
		if err != nil {
			return 0, nil, err
		}
		if items == nil {
			items = []T{}
		}
		return http.StatusOK, items, nil
	})
}

func (k *kind[T]) handleGet(c *call) (int, any, error) {
	return c.read(func(o *op) (int, any, error) {
		v, err := k.find(o, c.param("id"))
		return http.StatusOK, v, err
	})
}

func (k *kind[T]) handleCreate(c *call) (int, any, error) {
	v := k.New()
	if err := c.decode(v); err != nil {
		return 0, nil, err
	}
	return c.write(func(o *op) (int, any, error) {
		out, err := k.create(o, v)
		return http.StatusCreated, out, err
	})
}

func (k *kind[T]) handleUpdate(c *call) (int, any, error) {
	v := k.New()
	if err := c.decode(v); err != nil {
		return 0, nil, err
	}
	return c.write(func(o *op) (int, any, error) {
		out, err := k.update(o, c.param("id"), v)
		return http.StatusOK, out, err
	})
}

func (k *kind[T]) handleDelete(c *call) (int, any, error) {
	return c.write(func(o *op) (int, any, error) {
		return http.StatusOK, noBody{}, k.remove(o, c.param("id"))
	})
}

// projectChildList serves /projects/{projectId}/<collection>: the kind's
// documents that belong to the project in the route, paged like any list.
func projectChildList[T entity](k *kind[T], projectOf func(T) string, itemType, tmplSuffix string) func(*call) (int, any, error) {
	return func(c *call) (int, any, error) {
		q, err := c.listQuery()
		if err != nil {
			return 0, nil, err
		}
		return c.read(func(o *op) (int, any, error) {
			p, err := projectChild(o, c)
			if err != nil {
				return 0, nil, err
			}
			items, err := k.query(o, q)
			if err != nil {
				return 0, nil, err
			}
			var mine []T
			for _, it := range items {
				if sameSpace(projectOf(it), p.ID) {
					mine = append(mine, it)
				}
			}
			tmpl := "/api/" + o.spaceID + "/projects/" + p.ID + "/" + tmplSuffix
			return http.StatusOK, paginate(mine, q, itemType, c.r.URL.Path, tmpl), nil
		})
	}
}
