package builtins

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"go.starlark.net/starlark"

	"github.com/octostar/octostar/internal/octopus"
)

// fansOutToTenants is true when promote names several tenants: "*",
// tenant tags, or a list of more than one. Each tenant may run a
// different release in the source environment, so each is promoted on
// its own.
func fansOutToTenants(a *deployArgs) bool {
	switch {
	case a.tenantTags.set:
		return true
	case !a.tenants.set:
		return false
	}
	return len(a.tenants.items) > 1 || (len(a.tenants.items) == 1 && a.tenants.items[0] == "*")
}

// promoteTenants promotes, tenant by tenant, the release each one runs in
// source: tenants connected to the project (with the tags, when given)
// or the tenants named. A tenant with nothing in source, one that already
// runs that release in the environment, and one not connected to the
// environment are skipped, each with its reason. The deployments start
// together and are waited for together when wait=True.
func promoteTenants(th *starlark.Thread, b *starlark.Builtin, env *Env, oct octopus.Octopus, a *deployArgs, source string) (starlark.Value, error) {
	ctx := callCtx(th)
	project := string(a.project)
	ts, err := oct.Tenants(ctx, octopus.TenantQuery{Project: project, Tags: a.tenantTags.items})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	if named := a.tenants.items; a.tenants.set && !slices.Contains(named, "*") {
		ts = slices.DeleteFunc(ts, func(t octopus.Tenant) bool {
			return !slices.ContainsFunc(named, func(n string) bool { return strings.EqualFold(n, t.Name) || strings.EqualFold(n, t.ID) })
		})
		var missing []string
		for _, n := range named {
			if !slices.ContainsFunc(ts, func(t octopus.Tenant) bool { return strings.EqualFold(n, t.Name) || strings.EqualFold(n, t.ID) }) {
				missing = append(missing, n)
			}
		}
		if len(missing) > 0 {
			return nil, fmt.Errorf("%s: no tenant connected to %s is named %s", b.Name(), project, strings.Join(missing, " or "))
		}
	}
	connected, err := tenantEnvironments(ctx, oct, project)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	var runs []*trackedRun
	for _, t := range ts {
		rel, ok, err := oct.Current(ctx, project, source, t.Name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", b.Name(), err)
		}
		one := *a
		one.tenants = stringList{items: []string{t.Name}, set: true}
		one.tenantTags = stringList{}
		one.wait = false
		skip := func(e string) (octopus.Release, string, bool, error) {
			switch {
			case !ok:
				return octopus.Release{Project: project}, fmt.Sprintf("%s has nothing deployed successfully to %s for %s", project, source, t.Name), true, nil
			case !connected(t, e):
				return rel, fmt.Sprintf("%s is not connected to %s for %s", t.Name, e, project), true, nil
			}
			there, found, err := oct.Current(ctx, project, e, t.Name)
			if err != nil {
				return rel, "", false, err
			}
			if found && there.ID == rel.ID {
				return rel, fmt.Sprintf("%s %s is already in %s for %s", rel.Project, rel.Version, e, t.Name), true, nil
			}
			return rel, fmt.Sprintf("release %s, promoted from %s where it is current for %s", rel.Version, source, t.Name), false, nil
		}
		got, err := runDeploy(th, b, env, oct, &one, skip)
		if err != nil {
			if earlier := started(runs); len(earlier) > 0 {
				err = fmt.Errorf("%w; started earlier for other tenants and still running: %s", err, runIDs(earlier))
			}
			return nil, err
		}
		runs = append(runs, got...)
	}
	if a.wait {
		if err := env.wait(th, b.Name(), started(runs), 0, false); err != nil {
			return nil, err
		}
	}
	return recordList(runs, runValue), nil
}

// runIDs lists runs for a message: "Deployments-1 (ServerTasks-1), ...".
func runIDs(runs []*trackedRun) string {
	ids := make([]string, len(runs))
	for i, tr := range runs {
		ids[i] = tr.run.ID + " (" + tr.run.TaskID + ")"
	}
	return strings.Join(ids, ", ")
}

// started leaves out the skipped runs.
func started(runs []*trackedRun) []*trackedRun {
	var out []*trackedRun
	for _, tr := range runs {
		if !tr.skipped {
			out = append(out, tr)
		}
	}
	return out
}

// tenantEnvironments reports whether a tenant is connected to an
// environment for the project, from what the catalog already holds.
func tenantEnvironments(ctx context.Context, oct octopus.Octopus, project string) (func(octopus.Tenant, string) bool, error) {
	ps, err := oct.Projects(ctx, octopus.ProjectQuery{})
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(ps, func(p octopus.Project) bool {
		return strings.EqualFold(p.Name, project) || strings.EqualFold(p.ID, project) || strings.EqualFold(p.Slug, project)
	})
	envs, err := oct.Environments(ctx)
	if err != nil {
		return nil, err
	}
	return func(t octopus.Tenant, environment string) bool {
		if i < 0 {
			return true // let the server decide
		}
		j := slices.IndexFunc(envs, func(e octopus.Environment) bool {
			return strings.EqualFold(e.Name, environment) || strings.EqualFold(e.ID, environment)
		})
		return j < 0 || slices.Contains(t.Projects[ps[i].ID], envs[j].ID)
	}, nil
}
