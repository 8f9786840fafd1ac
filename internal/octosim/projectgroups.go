package octosim

import "net/http"

var kProjectGroups = &kind[*ProjectGroup]{}

func init() {
	*kProjectGroups = kind[*ProjectGroup]{
		Name: "ProjectGroups", Segment: "projectgroups", ItemType: "ProjectGroup", IDPrefix: "ProjectGroups",
		Template: "{/id}{?skip,take,ids,partialName}",
		View:     ProjectGroupView, Create: ProjectGroupCreate, Edit: ProjectGroupEdit, Delete: ProjectGroupDelete,
		New:    func() *ProjectGroup { return &ProjectGroup{} },
		NameOf: func(g *ProjectGroup) string { return g.Name },
		Scope: func(o *op, g *ProjectGroup) Scope {
			return Scope{SpaceID: g.SpaceID, ProjectGroupID: g.ID}
		},
		Links: func(g *ProjectGroup) map[string]string {
			base := "/api/" + g.SpaceID + "/projectgroups/" + g.ID
			return map[string]string{"Self": base, "Projects": base + "/projects{?skip,take}",
				"Web": "/app#/" + g.SpaceID + "/projectGroups/" + g.ID}
		},
		Prepare: func(o *op, g, old *ProjectGroup) error {
			if err := requireName(g.Name); err != nil {
				return err
			}
			all := kProjectGroups.tab(o.st).inSpace(o.spaceID)
			if !uniqueIn(all, func(v *ProjectGroup) string { return v.Name }, g.Name, selfID(old)) {
				return duplicateName("project group")
			}
			if g.Slug == "" {
				g.Slug = slugify(g.Name)
			}
			g.Slug = uniqueSlug(all, func(v *ProjectGroup) string { return v.Slug }, g.Slug, selfID(old))
			g.EnvironmentIDs = dedupe(g.EnvironmentIDs)
			for _, id := range g.EnvironmentIDs {
				if _, ok := kEnvironments.tab(o.st).get(o.spaceID, id); !ok {
					return badRequest("The environment '%s' does not exist.", id)
				}
			}
			return nil
		},
		Deleting: func(o *op, g *ProjectGroup) error {
			for _, p := range kProjects.tab(o.st).inSpace(g.SpaceID) {
				if sameSpace(p.ProjectGroupID, g.ID) {
					return badRequest("This project group contains the project '%s' and cannot be deleted.", p.Name)
				}
			}
			return nil
		},
	}
	defineKind(kProjectGroups)
}

func init() {
	addRoutes(kProjectGroups.routes()...)
	addRoutes(routeSpec{Method: http.MethodGet, Pattern: "/api/{spaceId}/projectgroups/{id}/projects", Handler: projectGroupProjects})
}

func projectGroupProjects(c *call) (int, any, error) {
	q, err := c.listQuery()
	if err != nil {
		return 0, nil, err
	}
	return c.read(func(o *op) (int, any, error) {
		g, err := kProjectGroups.find(o, c.param("id"))
		if err != nil {
			return 0, nil, err
		}
		items, err := kProjects.query(o, q)
		if err != nil {
			return 0, nil, err
		}
		var in []*Project
		for _, p := range items {
			if sameSpace(p.ProjectGroupID, g.ID) {
				in = append(in, p)
			}
		}
		return http.StatusOK, paginate(in, q, "Project", c.r.URL.Path, c.r.URL.Path+"{?skip,take}"), nil
	})
}
