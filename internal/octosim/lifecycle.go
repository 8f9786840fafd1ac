package octosim

import (
	"strings"
)

// Lifecycle progression: which environments a release may be deployed to,
// for one tenant or untenanted. The rules (reference 3b):
//
//   - the first phase is always deployable;
//   - a phase opens when every earlier phase that is not optional met its
//     requirement: a successful deployment to all of its environments, or
//     to MinimumEnvironmentsBeforePromotion of them;
//   - what counts is the release's latest deployment to each environment
//     (per tenant): a later failed, queued or running redeploy blocks the
//     later phases again;
//   - an unresolved defect stops the release entering phases where it has
//     no successful deployment yet (the first phase stays deployable);
//   - for a tenant, a phase where the tenant is connected to some of the
//     environments counts the tenant's own deployments there; a phase where
//     it is connected to none counts anybody's (issues #4707).

// progressCtx says whose deployments count.
type progressCtx struct {
	tenantID  string          // "" for untenanted
	any       bool            // any tenant's or untenanted deployments count
	connected map[string]bool // the tenant's environments for the project
}

func untenantedCtx() progressCtx { return progressCtx{} }
func anyCtx() progressCtx        { return progressCtx{any: true} }

// tenantCtx is the context of a tenant deploying a project.
func tenantCtx(t *Tenant, projectID string) progressCtx {
	c := progressCtx{tenantID: t.ID, connected: map[string]bool{}}
	for _, e := range t.ProjectEnvironments[projectID] {
		c.connected[e] = true
	}
	return c
}

// phaseInfo is one phase of a release's progression.
type phaseInfo struct {
	phase      *Phase
	envs       []string
	reachable  bool
	deployable bool
	met        bool
	blocked    bool
	progress   string
}

// deploymentState is what the latest deployments of a release are.
type deploymentState struct {
	latest    map[string]*Deployment // env + "\x00" + tenant
	anySucc   map[string]bool        // env: some latest deployment there succeeded
	anyExists map[string]bool
}

func envTenantKey(env, tenant string) string { return env + "\x00" + tenant }

func releaseDeploymentState(x *execState, releaseID string) *deploymentState {
	ds := &deploymentState{latest: map[string]*Deployment{}, anySucc: map[string]bool{}, anyExists: map[string]bool{}}
	for _, d := range x.deploymentsByRelease[releaseID] {
		ds.latest[envTenantKey(d.EnvironmentID, d.tenant())] = d
	}
	for _, d := range ds.latest {
		ds.anyExists[d.EnvironmentID] = true
		if x.taskState(d.TaskID) == StateSuccess {
			ds.anySucc[d.EnvironmentID] = true
		}
	}
	return ds
}

// succeeded reports whether the latest deployment to env counts as a
// success in the context.
func (ds *deploymentState) succeeded(x *execState, ctx progressCtx, env string, useAny bool) bool {
	if useAny {
		return ds.anySucc[env]
	}
	d := ds.latest[envTenantKey(env, ctx.tenantID)]
	return d != nil && x.taskState(d.TaskID) == StateSuccess
}

// releaseLifecycle is the lifecycle a release follows: its channel's, or
// its project's.
func releaseLifecycle(o *op, r *Release) *Lifecycle {
	if ch, ok := kChannels.tab(o.st).get(r.SpaceID, r.ChannelID); ok && ch.LifecycleID != nil {
		if l, ok := kLifecycles.tab(o.st).get(r.SpaceID, *ch.LifecycleID); ok {
			return l
		}
	}
	if p, ok := kProjects.tab(o.st).get(r.SpaceID, r.ProjectID); ok {
		if l, ok := kLifecycles.tab(o.st).get(r.SpaceID, p.LifecycleID); ok {
			return l
		}
	}
	return nil
}

// phaseEnvs lists a phase's environments, automatic first.
func phaseEnvs(p *Phase) []string {
	return append(append([]string{}, p.AutomaticDeploymentTargets...), p.OptionalDeploymentTargets...)
}

// progression computes every phase of a release for a context.
func progression(o *op, r *Release, ctx progressCtx) []*phaseInfo {
	l := releaseLifecycle(o, r)
	if l == nil {
		return nil
	}
	x := o.st.x
	ds := releaseDeploymentState(x, r.ID)
	defect := x.hasUnresolvedDefect(r.ID)
	phases := effectivePhases(o.st, l)
	out := make([]*phaseInfo, 0, len(phases))
	prevOpen := true
	for i, p := range phases {
		pi := &phaseInfo{phase: p, envs: phaseEnvs(p)}
		envs, useAny := pi.envs, ctx.any
		if ctx.connected != nil {
			var mine []string
			for _, e := range pi.envs {
				if ctx.connected[e] {
					mine = append(mine, e)
				}
			}
			if len(mine) > 0 {
				envs = mine
			} else {
				useAny = true
			}
		}
		succ := 0
		for _, e := range envs {
			if ds.succeeded(x, ctx, e, useAny) {
				succ++
			}
		}
		need := p.MinimumEnvironmentsBeforePromotion
		if need <= 0 || need > len(envs) {
			need = len(envs)
		}
		pi.met = succ >= need
		pi.reachable = i == 0 || prevOpen
		pi.deployable = pi.reachable
		if defect && i > 0 && pi.reachable && succ == 0 {
			pi.deployable, pi.blocked = false, true
		}
		switch {
		case pi.met && pi.reachable:
			pi.progress = "Complete"
		case pi.deployable:
			pi.progress = "Current"
		default:
			pi.progress = "Pending"
		}
		prevOpen = pi.deployable && (p.IsOptionalPhase || pi.met)
		out = append(out, pi)
	}
	return out
}

// deployableEnvs are the environments a release may go to in a context,
// in lifecycle order.
func deployableEnvs(o *op, r *Release, ctx progressCtx) []string {
	var out []string
	for _, pi := range progression(o, r, ctx) {
		if !pi.deployable {
			continue
		}
		for _, e := range pi.envs {
			if ctx.connected != nil && !ctx.connected[e] {
				continue
			}
			out = append(out, e)
		}
	}
	return out
}

// nextDeployments are the deployable environments without a successful
// deployment of the release yet (what the DEPLOY button offers).
func nextDeployments(o *op, r *Release, ctx progressCtx, phases []*phaseInfo) []string {
	x := o.st.x
	ds := releaseDeploymentState(x, r.ID)
	out := []string{}
	for _, pi := range phases {
		if !pi.deployable {
			continue
		}
		for _, e := range pi.envs {
			if ctx.connected != nil && !ctx.connected[e] {
				continue
			}
			if !ds.succeeded(x, ctx, e, ctx.any) {
				out = append(out, e)
			}
		}
	}
	return out
}

// inLifecycle reports whether env is in any phase of the release's
// lifecycle.
func inLifecycle(o *op, r *Release, env string) bool {
	l := releaseLifecycle(o, r)
	if l == nil {
		return false
	}
	for _, p := range effectivePhases(o.st, l) {
		if containsFold(phaseEnvs(p), env) {
			return true
		}
	}
	return false
}

// checkLifecycle is the refusal a deployment gets when the lifecycle does
// not allow it yet (the exact server text is undocumented; see doc.go).
func checkLifecycle(o *op, p *Project, r *Release, env *Environment, t *Tenant) error {
	if !inLifecycle(o, r, env.ID) {
		return badRequest("Release '%s' of project '%s' cannot be deployed to environment '%s' because the environment is not in the list of environments defined by the lifecycle.", r.Version, p.Name, env.Name)
	}
	ctx := untenantedCtx()
	if t != nil {
		ctx = tenantCtx(t, p.ID)
	}
	for _, e := range deployableEnvs(o, r, ctx) {
		if e == env.ID {
			return nil
		}
	}
	who := ""
	if t != nil {
		who = " for tenant '" + t.Name + "'"
	}
	reason := "The lifecycle has not reached this phase, possibly due to previous deployment failure."
	for _, pi := range progression(o, r, ctx) {
		if pi.blocked && containsFold(pi.envs, env.ID) {
			reason = "The release has an unresolved defect, so it cannot progress to this phase."
		}
	}
	return badRequest("Release '%s' of project '%s' cannot be deployed to environment '%s'%s because the environment is not in the list of environments that this release can be deployed to. %s",
		r.Version, p.Name, env.Name, who, reason)
}

// tenantMatchesTags reports whether a tenant has the tags a filter asks
// for: within a tag set any tag may match, across tag sets all must.
func tenantMatchesTags(t *Tenant, tags []string) bool {
	if len(tags) == 0 {
		return true
	}
	bySet := map[string][]string{}
	for _, tag := range tags {
		set, _, _ := strings.Cut(tag, "/")
		bySet[strings.ToLower(set)] = append(bySet[strings.ToLower(set)], tag)
	}
	for _, want := range bySet {
		ok := false
		for _, tag := range want {
			if containsFold(t.TenantTags, tag) {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// canonicalTagList turns tag references into canonical names, keeping
// unknown ones as given (they then match nothing).
func canonicalTagList(o *op, tags []string) []string {
	out := make([]string, 0, len(tags))
	for _, ref := range tags {
		if t, ok := findTag(o, ref); ok {
			out = append(out, t.CanonicalTagName)
		} else {
			out = append(out, ref)
		}
	}
	return out
}

// connectedTenants are the tenants connected to a project in an
// environment ("" = any environment), in name order.
func connectedTenants(o *op, projectID, envID string) []*Tenant {
	var out []*Tenant
	for _, t := range kTenants.all(o) {
		envs, ok := t.ProjectEnvironments[projectID]
		if !ok || t.IsDisabled {
			continue
		}
		if envID == "" || containsFold(envs, envID) {
			out = append(out, t)
		}
	}
	return out
}

// autoDeploy starts the automatic deployments of every phase the release
// has entered and not yet deployed to (rule 3 of reference 3b): when a
// release is created, and after each successful deployment of it.
// Tenanted projects deploy once per connected tenant that passes the
// channel's tenant tags; TenantedOrUntenanted projects deploy untenanted
// only to environments no tenant is connected to.
func autoDeploy(o *op, r *Release) {
	p, ok := kProjects.tab(o.st).get(r.SpaceID, r.ProjectID)
	if !ok || p.IsDisabled {
		return
	}
	ch, _ := kChannels.tab(o.st).get(r.SpaceID, r.ChannelID)
	so := o.in(r.SpaceID)
	x := o.st.x
	exists := func(env, tenant string) bool {
		for _, d := range x.deploymentsByRelease[r.ID] {
			if d.EnvironmentID == env && d.tenant() == tenant {
				return true
			}
		}
		return false
	}
	var targets []execTarget
	consider := func(ctx progressCtx, t *Tenant) {
		for _, pi := range progression(so, r, ctx) {
			if !pi.deployable || pi.phase.IsOptionalPhase {
				continue
			}
			for _, envID := range pi.phase.AutomaticDeploymentTargets {
				if ctx.connected != nil && !ctx.connected[envID] {
					continue
				}
				tid := ""
				if t != nil {
					tid = t.ID
				}
				if exists(envID, tid) {
					continue
				}
				if t == nil && p.TenantedDeploymentMode == "TenantedOrUntenanted" && len(connectedTenants(so, p.ID, envID)) > 0 {
					continue
				}
				if e, ok := kEnvironments.tab(o.st).get(r.SpaceID, envID); ok {
					targets = append(targets, execTarget{e, t})
				}
			}
		}
	}
	if p.TenantedDeploymentMode != "Tenanted" {
		consider(untenantedCtx(), nil)
	}
	if p.TenantedDeploymentMode != "Untenanted" {
		for _, t := range connectedTenants(so, p.ID, "") {
			if ch != nil && !tenantMatchesTags(t, ch.TenantTags) {
				continue
			}
			consider(tenantCtx(t, p.ID), t)
		}
	}
	for _, tg := range targets {
		req := &deployRequest{project: p, release: r, execRequest: execRequest{env: tg.env, tenant: tg.tenant}, system: true}
		_, _ = startDeployment(so, req)
	}
}
