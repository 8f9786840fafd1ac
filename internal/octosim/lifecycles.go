package octosim

import (
	"net/http"
	"strings"
)

var kLifecycles = &kind[*Lifecycle]{}

func init() {
	*kLifecycles = kind[*Lifecycle]{
		Name: "Lifecycles", Segment: "lifecycles", ItemType: "Lifecycle", IDPrefix: "Lifecycles",
		Template: "{/id}{?skip,take,ids,partialName}",
		View:     LifecycleView, Create: LifecycleCreate, Edit: LifecycleEdit, Delete: LifecycleDelete,
		New:    func() *Lifecycle { return &Lifecycle{} },
		NameOf: func(l *Lifecycle) string { return l.Name },
		Links: func(l *Lifecycle) map[string]string {
			base := "/api/" + l.SpaceID + "/lifecycles/" + l.ID
			return map[string]string{"Self": base, "Preview": base + "/preview", "Projects": base + "/projects"}
		},
		Prepare:  prepareLifecycle,
		Deleting: deletingLifecycle,
	}
	defineKind(kLifecycles)
}

func init() {
	addRoutes(kLifecycles.routes()...)
	addRoutes(routeSpec{Method: http.MethodGet, Pattern: "/api/{spaceId}/lifecycles/{id}/preview", Handler: lifecyclePreview})
}

// keepForever is the retention of a new lifecycle with none given.
func keepForever() *RetentionPeriod {
	return &RetentionPeriod{QuantityToKeep: 0, ShouldKeepForever: true, Unit: "Items", Strategy: "Forever"}
}

func normalizeRetention(r *RetentionPeriod) *RetentionPeriod {
	if r == nil {
		return nil
	}
	c := *r
	if c.Unit == "" {
		c.Unit = "Days"
	}
	if c.Strategy == "" {
		if c.ShouldKeepForever {
			c.Strategy = "Forever"
		} else {
			c.Strategy = "Count"
		}
	}
	return &c
}

func prepareLifecycle(o *op, l, old *Lifecycle) error {
	if err := requireName(l.Name); err != nil {
		return err
	}
	all := kLifecycles.tab(o.st).inSpace(o.spaceID)
	if !uniqueIn(all, func(v *Lifecycle) string { return v.Name }, l.Name, selfID(old)) {
		return duplicateName("lifecycle")
	}
	if l.Slug == "" {
		l.Slug = slugify(l.Name)
	}
	l.Slug = uniqueSlug(all, func(v *Lifecycle) string { return v.Slug }, l.Slug, selfID(old))
	if l.ReleaseRetentionPolicy == nil {
		l.ReleaseRetentionPolicy = keepForever()
	}
	if l.TentacleRetentionPolicy == nil {
		l.TentacleRetentionPolicy = keepForever()
	}
	l.ReleaseRetentionPolicy = normalizeRetention(l.ReleaseRetentionPolicy)
	l.TentacleRetentionPolicy = normalizeRetention(l.TentacleRetentionPolicy)
	seen := map[string]string{}
	phases := make([]*Phase, 0, len(l.Phases))
	for i, p := range l.Phases {
		if p == nil {
			continue
		}
		c := *p
		if strings.TrimSpace(c.Name) == "" {
			return badRequest("Phase %d must have a name.", i+1)
		}
		if c.ID == "" {
			c.ID = guid(o.st.rng)
		}
		if c.MinimumEnvironmentsBeforePromotion < 0 {
			return badRequest("The minimum environments before promotion of phase '%s' must not be negative.", c.Name)
		}
		c.AutomaticDeploymentTargets = dedupe(c.AutomaticDeploymentTargets)
		c.OptionalDeploymentTargets = dedupe(c.OptionalDeploymentTargets)
		for _, env := range append(append([]string{}, c.AutomaticDeploymentTargets...), c.OptionalDeploymentTargets...) {
			e, ok := kEnvironments.tab(o.st).get(o.spaceID, env)
			if !ok {
				return badRequest("The environment '%s' used in phase '%s' does not exist.", env, c.Name)
			}
			if other, dup := seen[strings.ToLower(e.ID)]; dup {
				return badRequest("The environment '%s' is used in more than one phase ('%s' and '%s'). An environment can only be in one phase of a lifecycle.", e.Name, other, c.Name)
			}
			seen[strings.ToLower(e.ID)] = c.Name
		}
		c.ReleaseRetentionPolicy = normalizeRetention(c.ReleaseRetentionPolicy)
		c.TentacleRetentionPolicy = normalizeRetention(c.TentacleRetentionPolicy)
		phases = append(phases, &c)
	}
	l.Phases = phases
	return nil
}

func deletingLifecycle(o *op, l *Lifecycle) error {
	for _, p := range kProjects.tab(o.st).inSpace(l.SpaceID) {
		if sameSpace(p.LifecycleID, l.ID) {
			return badRequest("This lifecycle is used by the project '%s' and cannot be deleted.", p.Name)
		}
	}
	for _, c := range kChannels.tab(o.st).inSpace(l.SpaceID) {
		if c.LifecycleID != nil && sameSpace(*c.LifecycleID, l.ID) {
			return badRequest("This lifecycle is used by the channel '%s' and cannot be deleted.", c.Name)
		}
	}
	return nil
}

// effectivePhases are the phases deployments actually go through. A
// lifecycle without phases has one per environment, in environment order;
// a phase without environments covers every environment not named in an
// earlier phase. Round B's progression works from these.
func effectivePhases(st *Store, l *Lifecycle) []*Phase {
	envs := kEnvironments.tab(st).inSpace(l.SpaceID)
	kEnvironments.sort(envs)
	if len(l.Phases) == 0 {
		out := make([]*Phase, 0, len(envs))
		for _, e := range envs {
			out = append(out, &Phase{Name: e.Name, AutomaticDeploymentTargets: []string{},
				OptionalDeploymentTargets: []string{e.ID}})
		}
		return out
	}
	named := map[string]bool{}
	out := make([]*Phase, 0, len(l.Phases))
	for _, p := range l.Phases {
		c := *p
		if len(p.AutomaticDeploymentTargets)+len(p.OptionalDeploymentTargets) == 0 {
			c.OptionalDeploymentTargets = []string{}
			for _, e := range envs {
				if !named[strings.ToLower(e.ID)] {
					c.OptionalDeploymentTargets = append(c.OptionalDeploymentTargets, e.ID)
				}
			}
		}
		for _, id := range append(append([]string{}, c.AutomaticDeploymentTargets...), c.OptionalDeploymentTargets...) {
			named[strings.ToLower(id)] = true
		}
		out = append(out, &c)
	}
	return out
}

// lifecyclePreview is the lifecycle with its effective phases.
func lifecyclePreview(c *call) (int, any, error) {
	return c.read(func(o *op) (int, any, error) {
		l, err := kLifecycles.find(o, c.param("id"))
		if err != nil {
			return 0, nil, err
		}
		p := *l
		p.Phases = effectivePhases(o.st, l)
		return http.StatusOK, &p, nil
	})
}
