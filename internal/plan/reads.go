package plan

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/octostar/octostar/internal/octopus"
	"github.com/octostar/octostar/internal/spell"
)

// The reads below answer for what the plan made: planned releases,
// deployments, tasks and interventions. Everything else goes to the
// server.

// Tasks reports planned tasks as succeeded (or canceled, when the
// script cancelled them) and reads the others from the server.
func (r *Recorder) Tasks(ctx context.Context, ids []string) ([]octopus.Task, error) {
	var real []string
	var out []octopus.Task
	r.mu.Lock()
	for _, id := range ids {
		if !IsPlanned(id) {
			real = append(real, id)
			continue
		}
		if pr, ok := r.runs[id]; ok {
			state := octopus.StateSuccess
			if pr.canceled {
				state = octopus.StateCanceled
			}
			out = append(out, octopus.Task{ID: id, State: state})
		}
	}
	r.mu.Unlock()
	if len(real) > 0 {
		ts, err := r.Octopus.Tasks(ctx, real)
		if err != nil {
			return nil, err
		}
		out = append(out, ts...)
	}
	return out, nil
}

// TaskState reports a planned task as succeeded (or canceled), and
// reads the others from the server.
func (r *Recorder) TaskState(ctx context.Context, taskID string) (octopus.TaskState, error) {
	if !IsPlanned(taskID) {
		return r.Octopus.TaskState(ctx, taskID)
	}
	ts, err := r.Tasks(ctx, []string{taskID})
	if err != nil || len(ts) == 0 {
		return "", fmt.Errorf("reading task %s: the plan made no such task", taskID)
	}
	return ts[0].State, nil
}

// TaskErrors has nothing to say about a planned task: it succeeds.
func (r *Recorder) TaskErrors(ctx context.Context, taskID string, max int) ([]string, error) {
	if IsPlanned(taskID) {
		return nil, nil
	}
	return r.Octopus.TaskErrors(ctx, taskID, max)
}

// Interventions lists the server's, less those the plan answered, and
// the ones the plan predicts its runs would stop at.
func (r *Recorder) Interventions(ctx context.Context, q octopus.InterventionQuery) ([]octopus.Intervention, error) {
	var out []octopus.Intervention
	if !IsPlanned(q.TaskID) {
		real, err := r.Octopus.Interventions(ctx, q)
		if err != nil {
			return nil, err
		}
		r.mu.Lock()
		for _, iv := range real {
			r.seen[iv.ID] = iv
			if r.answered[iv.ID] {
				if q.PendingOnly {
					continue
				}
				iv.Pending = false
			}
			out = append(out, iv)
		}
		r.mu.Unlock()
	}
	var project string
	if q.Project != "" {
		p, err := r.project(ctx, q.Project)
		if err != nil {
			return nil, err
		}
		project = p.Name
	}
	tenant, err := r.tenantName(ctx, q.Tenant)
	if err != nil {
		return nil, err
	}
	env := q.Environment
	if env != "" {
		names, err := r.environmentNames(ctx, []string{env})
		if err != nil {
			return nil, err
		}
		env = names[0]
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, iv := range r.interventions {
		switch {
		case q.PendingOnly && !iv.Pending,
			q.TaskID != "" && iv.TaskID != q.TaskID,
			project != "" && !strings.EqualFold(iv.Project, project),
			env != "" && !strings.EqualFold(iv.Environment, env),
			tenant != "" && !strings.EqualFold(iv.Tenant, tenant),
			q.Step != "" && !strings.Contains(strings.ToLower(iv.Title), strings.ToLower(q.Step)):
			continue
		}
		out = append(out, *iv)
	}
	return out, nil
}

// Release finds a planned release by version, else asks the server.
func (r *Recorder) Release(ctx context.Context, project, version string) (octopus.Release, error) {
	p, err := r.project(ctx, project)
	if err != nil {
		return octopus.Release{}, err
	}
	if pr := r.plannedRelease(p.ID, version); pr != nil {
		return pr.rel, nil
	}
	return r.Octopus.Release(ctx, project, version)
}

// Releases lists the planned releases first, as the newest.
func (r *Recorder) Releases(ctx context.Context, q octopus.ReleaseQuery) ([]octopus.Release, error) {
	p, err := r.project(ctx, q.Project)
	if err != nil {
		return nil, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 10
	}
	out := r.plannedOf(p.ID, q.Channel)
	if len(out) >= limit {
		return out[:limit], nil
	}
	server, err := r.Octopus.Releases(ctx, q)
	if err != nil {
		return nil, err
	}
	out = append(out, server...)
	return out[:min(limit, len(out))], nil
}

// Current is the release of the plan's latest deployment there, if it
// made one, else the server's answer.
func (r *Recorder) Current(ctx context.Context, project, environment, tenant string) (octopus.Release, bool, error) {
	p, err := r.project(ctx, project)
	if err != nil {
		return octopus.Release{}, false, err
	}
	envs, err := r.environmentNames(ctx, []string{environment})
	if err != nil {
		return octopus.Release{}, false, err
	}
	tname, err := r.tenantName(ctx, tenant)
	if err != nil {
		return octopus.Release{}, false, err
	}
	r.mu.Lock()
	for i := len(r.deployments) - 1; i >= 0; i-- {
		d := r.deployments[i]
		if d.projectID == p.ID && strings.EqualFold(d.environment, envs[0]) && strings.EqualFold(d.tenant, tname) && !r.canceledLocked(d) {
			r.mu.Unlock()
			return d.release, true, nil
		}
	}
	r.mu.Unlock()
	return r.Octopus.Current(ctx, project, environment, tenant)
}

// Progression answers from the plan's model of the lifecycle for a
// release the plan made or deployed, else from the server.
func (r *Recorder) Progression(ctx context.Context, releaseID string) ([]octopus.Environment, error) {
	rel, ok := r.releaseInPlan(releaseID)
	if !ok {
		return r.Octopus.Progression(ctx, releaseID)
	}
	p, err := r.project(ctx, rel.ProjectID)
	if err != nil {
		return nil, err
	}
	at := octopus.Caller(ctx)
	phases, known := r.lifecycle(ctx, at, p, rel.ChannelID)
	if !known {
		return nil, fmt.Errorf("the progression of %s %s: the plan cannot read its lifecycle", p.Name, rel.Version)
	}
	open := r.openEnvironments(ctx, at, p, rel, phases)
	all, err := r.Octopus.Environments(ctx)
	if err != nil {
		return nil, err
	}
	var out []octopus.Environment
	for _, e := range all {
		if open[strings.ToLower(e.Name)] {
			out = append(out, e)
		}
	}
	return out, nil
}

// EligibleRelease is what the DEPLOY button would offer once the plan's
// changes are made: the newest release, planned ones first, that the
// plan's reading of the lifecycle lets into the environment. For a
// project the plan has not touched it is the server's answer.
func (r *Recorder) EligibleRelease(ctx context.Context, project, environment, channel string) (octopus.Release, string, error) {
	p, err := r.project(ctx, project)
	if err != nil {
		return octopus.Release{}, "", err
	}
	if !r.touches(p.ID) {
		return r.Octopus.EligibleRelease(ctx, project, environment, channel)
	}
	envs, err := r.environmentNames(ctx, []string{environment})
	if err != nil {
		return octopus.Release{}, "", err
	}
	env := envs[0]
	at := octopus.Caller(ctx)
	planned := r.plannedOf(p.ID, channel)
	server, err := r.Octopus.Releases(ctx, octopus.ReleaseQuery{Project: p.ID, Channel: channel, Limit: 30})
	if err != nil {
		return octopus.Release{}, "", err
	}
	var passed []string
	for _, rel := range append(planned, server...) {
		phases, known := r.lifecycle(ctx, at, p, rel.ChannelID)
		if !known {
			// Without the lifecycle the plan cannot reason: the server's
			// answer, which knows nothing of the plan, is the best there is.
			r.book.unknown(at, fmt.Sprintf("the release deployed to %s: the server chose it without the plan's changes to %s", env, p.Name))
			return r.Octopus.EligibleRelease(ctx, project, environment, channel)
		}
		if r.openEnvironments(ctx, at, p, rel, phases)[strings.ToLower(env)] {
			reason := fmt.Sprintf("%s: latest release eligible for %s is %s", p.Name, env, rel.Version)
			if pr := r.plannedRelease(p.ID, rel.Version); pr != nil {
				reason += ", planned at " + pr.at
			}
			if len(passed) > 0 {
				reason += fmt.Sprintf(" (newer %s not yet allowed there by the lifecycle)", strings.Join(passed, ", "))
			}
			r.book.unknown(at, fmt.Sprintf("the release deployed to %s: the plan chose %s %s by its own reading of the lifecycle, which counts a deployment it plans as successful and ignores phase minimums", env, p.Name, rel.Version))
			return rel, reason, nil
		}
		passed = append(passed, rel.Version)
	}
	in := ""
	if channel != "" {
		in = " in channel " + channel
	}
	if len(passed) == 0 {
		return octopus.Release{}, "", fmt.Errorf("%s has no releases%s to deploy to %s", p.Name, in, env)
	}
	return octopus.Release{}, "", fmt.Errorf("no release of %s%s may be deployed to %s now, by the plan's reading of the lifecycle: it allows none of %s there",
		p.Name, in, env, strings.Join(passed, ", "))
}

// Dashboard lays the plan's deployments over the server's dashboard.
func (r *Recorder) Dashboard(ctx context.Context, q octopus.DashboardQuery) ([]octopus.DashboardRow, error) {
	rows, err := r.Octopus.Dashboard(ctx, q)
	if err != nil {
		return nil, err
	}
	var projects []string
	for _, ref := range q.Projects {
		p, err := r.project(ctx, ref)
		if err != nil {
			return nil, err
		}
		projects = append(projects, p.ID)
	}
	envs, err := r.environmentNames(ctx, q.Environments)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	deployments := slices.Clone(r.deployments)
	r.mu.Unlock()
	for _, d := range deployments {
		if (len(projects) > 0 && !slices.Contains(projects, d.projectID)) ||
			(len(envs) > 0 && !slices.ContainsFunc(envs, func(e string) bool { return strings.EqualFold(e, d.environment) })) {
			continue
		}
		r.mu.Lock()
		canceled := r.canceledLocked(d)
		r.mu.Unlock()
		if canceled {
			continue
		}
		row := octopus.DashboardRow{Project: d.release.Project, Environment: d.environment, Tenant: d.tenant, Release: d.release.Version,
			ReleaseID: d.release.ID, State: octopus.StateSuccess, TaskID: d.taskID}
		i := slices.IndexFunc(rows, func(x octopus.DashboardRow) bool {
			return strings.EqualFold(x.Project, row.Project) && strings.EqualFold(x.Environment, row.Environment) && strings.EqualFold(x.Tenant, row.Tenant)
		})
		if i >= 0 {
			rows[i] = row
		} else {
			rows = append(rows, row)
		}
	}
	return rows, nil
}

// plannedRelease finds a planned release of a project by version.
func (r *Recorder) plannedRelease(projectID, version string) *plannedRelease {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, pr := range r.releases {
		if pr.rel.ProjectID == projectID && pr.rel.Version == version {
			return pr
		}
	}
	return nil
}

// plannedOf lists a project's planned releases in a channel (any when
// ""), newest first.
func (r *Recorder) plannedOf(projectID, channel string) []octopus.Release {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []octopus.Release
	for i := len(r.releases) - 1; i >= 0; i-- {
		rel := r.releases[i].rel
		if rel.ProjectID == projectID && (channel == "" || strings.EqualFold(rel.Channel, channel) || strings.EqualFold(rel.ChannelID, channel)) {
			out = append(out, rel)
		}
	}
	return out
}

// touches reports whether the plan made a release of the project or
// deployed it, so that the server's view of it is out of date.
func (r *Recorder) touches(projectID string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.ContainsFunc(r.releases, func(pr *plannedRelease) bool { return pr.rel.ProjectID == projectID }) ||
		slices.ContainsFunc(r.deployments, func(d *plannedDeployment) bool { return d.projectID == projectID })
}

// releaseInPlan finds a release the plan made or deployed, by ID.
func (r *Recorder) releaseInPlan(id string) (octopus.Release, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, pr := range r.releases {
		if pr.rel.ID == id {
			return pr.rel, true
		}
	}
	for _, d := range r.deployments {
		if d.release.ID == id {
			return d.release, true
		}
	}
	return octopus.Release{}, false
}

func (r *Recorder) canceledLocked(d *plannedDeployment) bool {
	pr, ok := r.runs[d.taskID]
	return ok && pr.canceled
}

// project resolves a project by ID, slug or name, from one list read
// once per plan.
func (r *Recorder) project(ctx context.Context, ref string) (octopus.Project, error) {
	r.mu.Lock()
	ps := r.projects
	r.mu.Unlock()
	if ps == nil {
		var err error
		if ps, err = r.Octopus.Projects(ctx, octopus.ProjectQuery{}); err != nil {
			return octopus.Project{}, err
		}
		r.mu.Lock()
		r.projects = ps
		r.mu.Unlock()
	}
	ref = strings.TrimSpace(ref)
	var names []string
	for _, p := range ps {
		if strings.EqualFold(p.ID, ref) || p.Slug == ref || strings.EqualFold(p.Name, ref) {
			return p, nil
		}
		names = append(names, p.Name)
	}
	return octopus.Project{}, fmt.Errorf("no project named %q%s", ref, didYouMean(ref, names))
}

// environmentNames resolves environments by ID or name to their names.
func (r *Recorder) environmentNames(ctx context.Context, refs []string) ([]string, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	r.mu.Lock()
	es := r.environments
	r.mu.Unlock()
	if es == nil {
		var err error
		if es, err = r.Octopus.Environments(ctx); err != nil {
			return nil, err
		}
		r.mu.Lock()
		r.environments = es
		r.mu.Unlock()
	}
	out := make([]string, 0, len(refs))
	for _, ref := range refs {
		i := slices.IndexFunc(es, func(e octopus.Environment) bool {
			return strings.EqualFold(e.ID, strings.TrimSpace(ref)) || strings.EqualFold(e.Name, strings.TrimSpace(ref))
		})
		if i < 0 {
			var names []string
			for _, e := range es {
				names = append(names, e.Name)
			}
			return nil, fmt.Errorf("no environment named %q%s", ref, didYouMean(ref, names))
		}
		out = append(out, es[i].Name)
	}
	return out, nil
}

func (r *Recorder) environmentID(ctx context.Context, name string) string {
	if _, err := r.environmentNames(ctx, []string{name}); err != nil {
		return ""
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.environments {
		if strings.EqualFold(e.Name, name) {
			return e.ID
		}
	}
	return ""
}

// tenantName resolves a tenant by ID or name; "" stays "".
func (r *Recorder) tenantName(ctx context.Context, ref string) (string, error) {
	if ref == "" {
		return "", nil
	}
	ts, err := r.Octopus.Tenants(ctx, octopus.TenantQuery{})
	if err != nil {
		return "", err
	}
	for _, t := range ts {
		if strings.EqualFold(t.ID, ref) || strings.EqualFold(t.Name, ref) {
			return t.Name, nil
		}
	}
	var names []string
	for _, t := range ts {
		names = append(names, t.Name)
	}
	return "", fmt.Errorf("no tenant named %q%s", ref, didYouMean(ref, names))
}

// tenantsFor lists, per environment, whom a deployment or runbook run
// goes to, as the server would expand the request: "" alone for an
// untenanted one; "*" for every tenant connected to the project there;
// tags for the connected tenants that have, in every tag set named, one
// of the tags named.
func (r *Recorder) tenantsFor(ctx context.Context, p octopus.Project, envs, refs, tags []string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(refs) == 0 && len(tags) == 0 {
		if p.TenantedMode == "Tenanted" {
			return nil, fmt.Errorf("%s can only be deployed to tenants: name tenants or tenant tags", p.Name)
		}
		for _, e := range envs {
			out[e] = []string{""}
		}
		return out, nil
	}
	all, err := r.Octopus.Tenants(ctx, octopus.TenantQuery{})
	if err != nil {
		return nil, err
	}
	for _, env := range envs {
		envID := r.environmentID(ctx, env)
		connected := func(t octopus.Tenant) bool { return slices.Contains(t.Projects[p.ID], envID) }
		var names []string
		add := func(name string) {
			if !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
		for _, ref := range refs {
			if ref == "*" {
				for _, t := range all {
					if connected(t) {
						add(t.Name)
					}
				}
				continue
			}
			name, err := r.tenantName(ctx, ref)
			if err != nil {
				return nil, err
			}
			i := slices.IndexFunc(all, func(t octopus.Tenant) bool { return t.Name == name })
			if !connected(all[i]) {
				return nil, fmt.Errorf("tenant %s is not connected to %s in %s", name, p.Name, env)
			}
			add(name)
		}
		if len(tags) > 0 {
			for _, t := range all {
				if connected(t) && tagsMatch(t.Tags, tags) {
					add(t.Name)
				}
			}
		}
		out[env] = names
	}
	return out, nil
}

// tagsMatch applies Octopus's tenant tag rule: any tag within a tag set,
// every tag set named.
func tagsMatch(have, want []string) bool {
	bySet := map[string][]string{}
	for _, w := range want {
		set, _, _ := strings.Cut(w, "/")
		bySet[strings.ToLower(set)] = append(bySet[strings.ToLower(set)], w)
	}
	for _, tags := range bySet {
		if !slices.ContainsFunc(tags, func(w string) bool {
			return slices.ContainsFunc(have, func(h string) bool { return strings.EqualFold(h, w) })
		}) {
			return false
		}
	}
	return true
}

func didYouMean(name string, candidates []string) string {
	close := spell.Closest(name, candidates, 3)
	if len(close) == 0 {
		return ""
	}
	return " (did you mean " + strings.Join(close, " or ") + "?)"
}

// lifecycle reads the phases of a release of the project in the
// channel, once per plan. It reports false, after noting it, when the
// plan cannot read them.
func (r *Recorder) lifecycle(ctx context.Context, at string, p octopus.Project, channelID string) ([]octopus.Phase, bool) {
	key := p.ID + "\x00" + channelID
	r.mu.Lock()
	phases, ok := r.lifecycles[key]
	r.mu.Unlock()
	if ok {
		return phases, phases != nil
	}
	if r.pre == nil {
		r.book.unknown(at, "the target cannot read lifecycles, so the plan does not check where releases may go")
		return nil, false
	}
	phases, err := r.pre.Lifecycle(ctx, p.Name, channelID)
	if err != nil {
		r.book.unknown(at, fmt.Sprintf("the lifecycle of %s: %v; the plan does not check where its releases may go", p.Name, err))
		phases = nil
	}
	r.mu.Lock()
	r.lifecycles[key] = phases
	r.mu.Unlock()
	return phases, phases != nil
}

// openEnvironments is the plan's reading of a lifecycle: the
// environments a release may enter once the plan's deployments are
// made (lower case). The first phase is open; a phase opens when the
// one before it is open and is optional or holds a deployment of the
// release that the plan makes; a phase the server says is open already
// is open. Phase minimums are not modelled, and a planned deployment
// counts as a successful one.
func (r *Recorder) openEnvironments(ctx context.Context, at string, p octopus.Project, rel octopus.Release, phases []octopus.Phase) map[string]bool {
	server := map[string]bool{}
	if !IsPlanned(rel.ID) {
		envs, err := r.Octopus.Progression(ctx, rel.ID)
		if err != nil {
			r.book.unknown(at, fmt.Sprintf("where %s %s may go now: reading its progression failed: %v", p.Name, rel.Version, err))
		}
		for _, e := range envs {
			server[strings.ToLower(e.Name)] = true
		}
	}
	deployed := map[string]bool{}
	r.mu.Lock()
	for _, d := range r.deployments {
		if d.release.ID == rel.ID && !r.canceledLocked(d) {
			deployed[strings.ToLower(d.environment)] = true
		}
	}
	r.mu.Unlock()
	any := func(envs []string, in map[string]bool) bool {
		return slices.ContainsFunc(envs, func(e string) bool { return in[strings.ToLower(e)] })
	}
	open := map[string]bool{}
	prevOpen, prevDone := false, false
	for k, ph := range phases {
		envs := ph.Environments()
		isOpen := k == 0 || (prevOpen && prevDone) || any(envs, server)
		if isOpen {
			for _, e := range envs {
				open[strings.ToLower(e)] = true
			}
		}
		prevOpen, prevDone = isOpen, ph.IsOptional || any(envs, deployed)
	}
	return open
}

// allowed reports whether the plan's reading of the lifecycle lets the
// release into the environment, and if not, says so.
func (r *Recorder) allowed(ctx context.Context, at string, p octopus.Project, rel octopus.Release, env string) (bool, string) {
	phases, known := r.lifecycle(ctx, at, p, rel.ChannelID)
	if !known {
		return true, ""
	}
	if r.openEnvironments(ctx, at, p, rel, phases)[strings.ToLower(env)] {
		return true, ""
	}
	return false, fmt.Sprintf("by the plan's reading of the lifecycle, %s %s may not enter %s yet, so the server may refuse this deployment", p.Name, rel.Version, env)
}

// resolveMask reads a version mask as the server does (API reference
// 3a): the current version is the highest of the project's versions, on
// the server and in the plan, whose fixed parts match the mask; "i" is
// its part plus one, "c" its part, and every part after an incremented
// one is 0; without a current version "i" and "c" are 0. A mask in the
// pre-release tag is not read: it returns "".
func (r *Recorder) resolveMask(ctx context.Context, p octopus.Project, mask string) (string, error) {
	core, tag, _ := strings.Cut(mask, "-")
	for s := range strings.SplitSeq(strings.ToLower(tag), ".") {
		if s == "i" || s == "c" {
			return "", nil
		}
	}
	parts := strings.Split(strings.ToLower(core), ".")
	rels, err := r.Octopus.Releases(ctx, octopus.ReleaseQuery{Project: p.ID, Limit: 1000})
	if err != nil {
		return "", err
	}
	versions := []string{}
	for _, rel := range append(r.plannedOf(p.ID, ""), rels...) {
		versions = append(versions, rel.Version)
	}
	var current []int
	for _, v := range versions {
		vc, _, _ := strings.Cut(v, "-")
		nums, ok := numbers(vc)
		if !ok || !fits(parts, nums) {
			continue
		}
		if current == nil || slices.Compare(nums, current) > 0 {
			current = nums
		}
	}
	part := func(k int) int {
		if k < len(current) {
			return current[k]
		}
		return 0
	}
	var out []string
	incremented := false
	for k := range max(len(parts), len(current)) {
		switch {
		case k >= len(parts):
			if incremented {
				out = append(out, "0")
			} else {
				out = append(out, strconv.Itoa(part(k)))
			}
		case parts[k] == "i":
			if incremented || current == nil {
				out = append(out, "0")
			} else {
				out = append(out, strconv.Itoa(part(k)+1))
			}
			incremented = true
		case parts[k] == "c":
			if incremented || current == nil {
				out = append(out, "0")
			} else {
				out = append(out, strconv.Itoa(part(k)))
			}
		default:
			out = append(out, parts[k])
		}
	}
	v := strings.Join(out, ".")
	if tag != "" {
		v += "-" + tag
	}
	return v, nil
}

func numbers(core string) ([]int, bool) {
	var out []int
	for s := range strings.SplitSeq(core, ".") {
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, false
		}
		out = append(out, n)
	}
	return out, true
}

// fits reports whether a version's parts match the mask's fixed parts.
func fits(mask []string, nums []int) bool {
	for k, m := range mask {
		if m == "i" || m == "c" {
			continue
		}
		n, err := strconv.Atoi(m)
		if err != nil || k >= len(nums) || nums[k] != n {
			return false
		}
	}
	return true
}
