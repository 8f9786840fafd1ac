package octosim

import (
	"net/http"
	"strings"

	"github.com/octostar/octostar/internal/octosim/versioning"
)

var kChannels = &kind[*Channel]{}

func init() {
	*kChannels = kind[*Channel]{
		Name: "Channels", Segment: "channels", ItemType: "Channel", IDPrefix: "Channels",
		Template: "{/id}{?skip,take,ids,partialName}",
		View:     ProjectView, Create: ProjectEdit, Edit: ProjectEdit, Delete: ProjectEdit,
		New:    func() *Channel { return &Channel{} },
		NameOf: func(c *Channel) string { return c.Name },
		Scope:  func(o *op, c *Channel) Scope { return o.in(c.SpaceID).projectScope(c.ProjectID, "", "") },
		Filters: map[string]func(o *op, c *Channel, v string) bool{
			"projectId": func(o *op, c *Channel, v string) bool { return sameSpace(c.ProjectID, v) },
		},
		Links: func(c *Channel) map[string]string {
			return map[string]string{
				"Self":     "/api/" + c.SpaceID + "/channels/" + c.ID,
				"Projects": "/api/" + c.SpaceID + "/projects/" + c.ProjectID,
				"Releases": "/api/" + c.SpaceID + "/channels/" + c.ID + "/releases{?skip,take,searchByVersion}",
			}
		},
		Prepare: prepareChannel,
		Deleting: func(o *op, c *Channel) error {
			if c.IsDefault {
				return badRequest("The default channel cannot be deleted. Make another channel the default first.")
			}
			return nil
		},
	}
	defineKind(kChannels)
}

func init() {
	addRoutes(kChannels.routes()...)
	base := "/api/{spaceId}/projects/{projectId}/channels"
	addRoutes(
		routeSpec{Method: http.MethodGet, Pattern: base, Handler: projectChildList(kChannels, func(ch *Channel) string { return ch.ProjectID }, "Channel", "channels{/id}{?skip,take,partialName}")},
		routeSpec{Method: http.MethodPost, Pattern: base, Handler: projectChannelCreate},
		routeSpec{Method: http.MethodGet, Pattern: base + "/{id}", Handler: projectChannelGet},
		routeSpec{Method: http.MethodPut, Pattern: base + "/{id}", Handler: projectChannelUpdate},
		routeSpec{Method: http.MethodDelete, Pattern: base + "/{id}", Handler: projectChannelDelete},
	)
}

func prepareChannel(o *op, c, old *Channel) error {
	if err := requireName(c.Name); err != nil {
		return err
	}
	if c.ProjectID == "" {
		return badRequest("The channel must belong to a project.")
	}
	p, ok := kProjects.Lookup(o, c.ProjectID)
	if !ok {
		return badRequest("The project '%s' does not exist.", c.ProjectID)
	}
	if old != nil && !sameSpace(old.ProjectID, p.ID) {
		return badRequest("A channel cannot be moved to another project.")
	}
	c.ProjectID = p.ID
	var siblings []*Channel
	for _, v := range kChannels.tab(o.st).inSpace(o.spaceID) {
		if sameSpace(v.ProjectID, p.ID) {
			siblings = append(siblings, v)
		}
	}
	if !uniqueIn(siblings, func(v *Channel) string { return v.Name }, c.Name, selfID(old)) {
		return duplicateName("channel")
	}
	if c.Slug == "" {
		c.Slug = slugify(c.Name)
	}
	c.Slug = uniqueSlug(siblings, func(v *Channel) string { return v.Slug }, c.Slug, selfID(old))
	if c.LifecycleID != nil && *c.LifecycleID == "" {
		c.LifecycleID = nil
	}
	if c.LifecycleID != nil {
		if _, ok := kLifecycles.tab(o.st).get(o.spaceID, *c.LifecycleID); !ok {
			return badRequest("The lifecycle '%s' does not exist.", *c.LifecycleID)
		}
	}
	var err error
	if c.Type, err = oneOf("Type", c.Type, "Lifecycle", "Lifecycle", "EphemeralEnvironment"); err != nil {
		return err
	}
	rules := make([]*ChannelRule, 0, len(c.Rules))
	for _, r := range c.Rules {
		if r == nil {
			continue
		}
		rc := *r
		if rc.ID == "" {
			rc.ID = guid(o.st.rng)
		}
		if _, err := versioning.ParseChannelRule(rc.VersionRange, rc.Tag); err != nil {
			return badRequest("The version rule is not valid: %s.", err.Error())
		}
		rc.ActionPackages = nonNil(rc.ActionPackages)
		if len(rc.ActionPackages) == 0 {
			return badRequest("Each version rule must apply to at least one package step.")
		}
		rules = append(rules, &rc)
	}
	c.Rules = rules
	c.TenantTags = dedupe(c.TenantTags)
	if err := checkTenantTags(o, c.TenantTags); err != nil {
		return err
	}
	c.GitReferenceRules = nonNil(c.GitReferenceRules)
	c.GitResourceRules = nonNil(c.GitResourceRules)
	c.CustomFieldDefinitions = nonNil(c.CustomFieldDefinitions)

	// One default channel per project: a new default demotes the old one;
	// the only channel is the default; the default cannot be demoted.
	hasDefault := false
	for _, s := range siblings {
		if s.IsDefault && (old == nil || s.ID != old.ID) {
			hasDefault = true
		}
	}
	if !hasDefault {
		c.IsDefault = true
	}
	if old != nil && old.IsDefault && !c.IsDefault {
		return badRequest("A project must have a default channel. Make another channel the default instead.")
	}
	if c.IsDefault {
		for _, s := range siblings {
			if s.IsDefault && (old == nil || s.ID != old.ID) {
				sc := *s
				sc.IsDefault = false
				kChannels.save(o, &sc)
			}
		}
	}
	return nil
}

// projectChannel finds a channel of the route's project.
func projectChannel(o *op, c *call) (*Channel, error) {
	p, err := projectChild(o, c)
	if err != nil {
		return nil, err
	}
	ch, err := kChannels.find(o, c.param("id"))
	if err != nil {
		return nil, err
	}
	if !sameSpace(ch.ProjectID, p.ID) {
		return nil, notFound(c.param("id"))
	}
	return ch, nil
}

func projectChannelCreate(c *call) (int, any, error) {
	in := &Channel{}
	if err := c.decode(in); err != nil {
		return 0, nil, err
	}
	return c.write(func(o *op) (int, any, error) {
		p, err := projectChild(o, c)
		if err != nil {
			return 0, nil, err
		}
		if in.ProjectID != "" && !strings.EqualFold(in.ProjectID, p.ID) {
			return 0, nil, badRequest("The channel's ProjectId does not match the project in the URL.")
		}
		in.ProjectID = p.ID
		out, err := kChannels.create(o, in)
		return http.StatusCreated, out, err
	})
}

func projectChannelGet(c *call) (int, any, error) {
	return c.read(func(o *op) (int, any, error) {
		ch, err := projectChannel(o, c)
		return http.StatusOK, ch, err
	})
}

func projectChannelUpdate(c *call) (int, any, error) {
	in := &Channel{}
	if err := c.decode(in); err != nil {
		return 0, nil, err
	}
	return c.write(func(o *op) (int, any, error) {
		ch, err := projectChannel(o, c)
		if err != nil {
			return 0, nil, err
		}
		out, err := kChannels.update(o, ch.ID, in)
		return http.StatusOK, out, err
	})
}

func projectChannelDelete(c *call) (int, any, error) {
	return c.write(func(o *op) (int, any, error) {
		ch, err := projectChannel(o, c)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, noBody{}, kChannels.remove(o, ch.ID)
	})
}
