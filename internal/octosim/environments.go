package octosim

import "slices"

var kEnvironments = &kind[*Environment]{}

func init() {
	*kEnvironments = kind[*Environment]{
		Name: "Environments", Segment: "environments", ItemType: "Environment", IDPrefix: "Environments",
		Template: "{/id}{?name,skip,ids,take,partialName}",
		View:     EnvironmentView, Create: EnvironmentCreate, Edit: EnvironmentEdit, Delete: EnvironmentDelete,
		New:    func() *Environment { return &Environment{} },
		NameOf: func(e *Environment) string { return e.Name },
		// Environments list in their sort (dashboard) order.
		Less: func(a, b *Environment) bool {
			if a.SortOrder != b.SortOrder {
				return a.SortOrder < b.SortOrder
			}
			return lessName(a.Name, a.ID, b.Name, b.ID)
		},
		Scope: func(o *op, e *Environment) Scope { return Scope{SpaceID: e.SpaceID, EnvironmentID: e.ID} },
		Links: func(e *Environment) map[string]string {
			base := "/api/" + e.SpaceID + "/environments/" + e.ID
			return map[string]string{
				"Self":                        base,
				"Machines":                    base + "/machines{?skip,take,partialName,roles,isDisabled,healthStatuses,commStyles,tenantIds,tenantTags,shellNames}",
				"SinglyScopedVariableDetails": base + "/singlyScopedVariableDetails",
				"Metadata":                    base + "/metadata",
				"Web":                         "/app#/" + e.SpaceID + "/infrastructure/environments/" + e.ID,
			}
		},
		Prepare:  prepareEnvironment,
		Deleting: deletingEnvironment,
	}
	defineKind(kEnvironments)
}

func init() { addRoutes(kEnvironments.routes()...) }

func prepareEnvironment(o *op, e, old *Environment) error {
	if err := requireName(e.Name); err != nil {
		return err
	}
	all := kEnvironments.tab(o.st).inSpace(o.spaceID)
	if !uniqueIn(all, func(v *Environment) string { return v.Name }, e.Name, selfID(old)) {
		return duplicateName("environment")
	}
	if e.Slug == "" {
		e.Slug = slugify(e.Name)
	}
	e.Slug = uniqueSlug(all, func(v *Environment) string { return v.Slug }, e.Slug, selfID(old))
	// New environments go to the end of the order unless one is given.
	if old == nil && e.SortOrder == 0 {
		for _, v := range all {
			e.SortOrder = max(e.SortOrder, v.SortOrder+1)
		}
	}
	e.EnvironmentTags = nonNil(e.EnvironmentTags)
	e.ExtensionSettings = nonNil(e.ExtensionSettings)
	return nil
}

// deletingEnvironment removes the environment from everything that names it.
func deletingEnvironment(o *op, e *Environment) error {
	drop := func(ids []string) []string {
		return slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return sameSpace(id, e.ID) })
	}
	for _, l := range kLifecycles.tab(o.st).inSpace(e.SpaceID) {
		c := *l
		c.Phases = nil
		for _, p := range l.Phases {
			pc := *p
			pc.AutomaticDeploymentTargets = drop(p.AutomaticDeploymentTargets)
			pc.OptionalDeploymentTargets = drop(p.OptionalDeploymentTargets)
			c.Phases = append(c.Phases, &pc)
		}
		c.Phases = nonNil(c.Phases)
		kLifecycles.save(o, &c)
	}
	for _, t := range kTenants.tab(o.st).inSpace(e.SpaceID) {
		c := *t
		c.ProjectEnvironments = map[string][]string{}
		for p, envs := range t.ProjectEnvironments {
			c.ProjectEnvironments[p] = drop(envs)
		}
		kTenants.save(o, &c)
	}
	for _, r := range kScopedUserRoles.tab(o.st).inSpace("") {
		if sameSpace(r.SpaceID, e.SpaceID) && containsFold(r.EnvironmentIDs, e.ID) {
			c := *r
			c.EnvironmentIDs = drop(r.EnvironmentIDs)
			kScopedUserRoles.save(o, &c)
		}
	}
	return nil
}
