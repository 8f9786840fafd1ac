package octosim

import (
	"strings"
)

var kTenants = &kind[*Tenant]{}

func init() {
	*kTenants = kind[*Tenant]{
		Name: "Tenants", Segment: "tenants", ItemType: "Tenant", IDPrefix: "Tenants",
		Template: "{/id}{?skip,projectId,name,tags,take,ids,clone,partialName,clonedFromTenantId}",
		View:     TenantView, Create: TenantCreate, Edit: TenantEdit, Delete: TenantDelete,
		New:    func() *Tenant { return &Tenant{} },
		NameOf: func(t *Tenant) string { return t.Name },
		Scope:  func(o *op, t *Tenant) Scope { return Scope{SpaceID: t.SpaceID, TenantID: t.ID} },
		Filters: map[string]func(o *op, t *Tenant, v string) bool{
			"projectId": func(o *op, t *Tenant, v string) bool {
				for p := range t.ProjectEnvironments {
					if strings.EqualFold(p, v) {
						return true
					}
				}
				return false
			},
			// tags: a tenant matches when it has every listed tag.
			"tags": func(o *op, t *Tenant, v string) bool {
				for _, want := range strings.Split(v, ",") {
					if w := strings.TrimSpace(want); w != "" && !containsFold(t.TenantTags, w) {
						return false
					}
				}
				return true
			},
			"isDisabled": func(o *op, t *Tenant, v string) bool { return strings.EqualFold(v, "true") == t.IsDisabled },
			"clonedFromTenantId": func(o *op, t *Tenant, v string) bool {
				return strings.EqualFold(deref(t.ClonedFromTenantID), v)
			},
		},
		Links: func(t *Tenant) map[string]string {
			base := "/api/" + t.SpaceID + "/tenants/" + t.ID
			return map[string]string{"Self": base, "Variables": base + "/variables", "Logo": base + "/logo",
				"Web": "/app#/" + t.SpaceID + "/tenants/" + t.ID}
		},
		Prepare: prepareTenant,
	}
	defineKind(kTenants)
}

func init() { addRoutes(kTenants.routes()...) }

func prepareTenant(o *op, t, old *Tenant) error {
	if err := requireName(t.Name); err != nil {
		return err
	}
	all := kTenants.tab(o.st).inSpace(o.spaceID)
	if !uniqueIn(all, func(v *Tenant) string { return v.Name }, t.Name, selfID(old)) {
		return duplicateName("tenant")
	}
	if t.Slug == "" {
		t.Slug = slugify(t.Name)
	}
	t.Slug = uniqueSlug(all, func(v *Tenant) string { return v.Slug }, t.Slug, selfID(old))
	tags, err := canonicalTags(o, t.TenantTags)
	if err != nil {
		return err
	}
	t.TenantTags = tags
	if t.ClonedFromTenantID != nil && *t.ClonedFromTenantID == "" {
		t.ClonedFromTenantID = nil
	}
	conns := map[string][]string{}
	for pid, envs := range t.ProjectEnvironments {
		p, ok := kProjects.tab(o.st).get(o.spaceID, pid)
		if !ok {
			return badRequest("The project '%s' does not exist.", pid)
		}
		if p.TenantedDeploymentMode == "Untenanted" {
			return badRequest("The project '%s' is not enabled for tenanted deployments, so tenants cannot be connected to it.", p.Name)
		}
		envs = dedupe(envs)
		for _, eid := range envs {
			if _, ok := kEnvironments.tab(o.st).get(o.spaceID, eid); !ok {
				return badRequest("The environment '%s' does not exist.", eid)
			}
		}
		conns[p.ID] = envs
	}
	t.ProjectEnvironments = conns
	return nil
}
