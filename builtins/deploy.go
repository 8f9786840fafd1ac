package builtins

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.starlark.net/starlark"

	"github.com/octostar/octostar/internal/octopus"
	"github.com/octostar/octostar/interp"
)

// runOptions are the waiting options deploy and run_runbook share.
var runOptionParams = []interp.Param{
	{Name: "wait", Type: "bool", Default: "True", KeywordOnly: true, Doc: "wait for the task to finish; False returns at once with a pending result for wait()"},
	{Name: "timeout", Type: "str | duration", Default: `"30m"`, KeywordOnly: true, Doc: "how long to wait"},
	{Name: "cancel_on_timeout", Type: "bool", Default: "False", KeywordOnly: true, Doc: "cancel the task when the wait times out"},
	{Name: "check", Type: "bool", Default: "True", KeywordOnly: true, Doc: "fail the script when the task ends Failed, Canceled or TimedOut; False returns the result to inspect"},
}

var deploySpec = &interp.Spec{
	Name:    "deploy",
	Group:   GroupActions,
	Mutates: true,
	Doc: "Deploys a release, as the DEPLOY button does. Without release, it deploys the newest release of the project " +
		"(within channel, if given) that the lifecycle lets into the environment now, and logs that choice. With tenants or " +
		"tenant_tags it makes one tenanted deployment per tenant; tenants=\"*\" means every tenant connected to the project " +
		"and environment. Returns one deployment, or a list when to or tenants name several.",
	Params: append([]interp.Param{
		{Name: "project", Type: "str | project", Doc: "the project"},
		{Name: "to", Type: "str | list[str]", Doc: "the environment, or several"},
		{Name: "release", Type: "release | str | None", Default: "None", KeywordOnly: true, Doc: "a release value or version; None means the latest eligible for the environment"},
		{Name: "channel", Type: "str | None", Default: "None", KeywordOnly: true, Doc: "with release=None, choose among this channel's releases"},
		{Name: "tenants", Type: "str | list[str] | None", Default: "None", KeywordOnly: true, Doc: "tenants by name or ID, or \"*\" for all connected"},
		{Name: "tenant_tags", Type: "str | list[str] | None", Default: "None", KeywordOnly: true, Doc: "deploy to the tenants with these tags (\"Set/Tag\")"},
		{Name: "variables", Type: "dict[str, str] | None", Default: "None", KeywordOnly: true, Doc: "values for prompted variables"},
		{Name: "guided_failure", Type: "bool | None", Default: "None", KeywordOnly: true, Doc: "use guided failure; None keeps the project's setting"},
		{Name: "skip_steps", Type: "list[str] | None", Default: "None", KeywordOnly: true, Doc: "names of steps to skip"},
		{Name: "machines", Type: "list[str] | None", Default: "None", KeywordOnly: true, Doc: "deploy only to these deployment targets"},
		{Name: "exclude_machines", Type: "list[str] | None", Default: "None", KeywordOnly: true, Doc: "deploy to every target but these"},
		{Name: "force", Type: "bool", Default: "False", KeywordOnly: true, Doc: "redeploy packages already installed"},
		{Name: "at", Type: "str | None", Default: "None", KeywordOnly: true, Doc: "start at this time (\"2026-11-26T22:00:00Z\")"},
		{Name: "expires", Type: "str | None", Default: "None", KeywordOnly: true, Doc: "do not start after this time"},
	}, runOptionParams...),
	Returns: "deployment | list[deployment]",
	Example: `d = deploy("Payments API", to = "Development")
print(d.state)  # Success`,
}

func init() { deploySpec.Impl = deployImpl }

// deployArgs is deploy's parsed arguments; promote fills the same.
type deployArgs struct {
	project                              nameRef
	to                                   stringList
	release                              starlark.Value
	channel                              string
	tenants, tenantTags                  stringList
	variables                            stringMap
	guidedFailure                        optBool
	skipSteps, machines, excludeMachines stringList
	force                                bool
	at, expires                          timeArg
	wait                                 bool
	timeout                              Duration
	cancelOnTimeout, check               bool
}

func parseDeploy(args starlark.Tuple, kwargs []starlark.Tuple) (*deployArgs, error) {
	a := &deployArgs{wait: true, check: true, timeout: Duration(30 * time.Minute)}
	err := deploySpec.UnpackArgs(args, kwargs, &a.project, &a.to, &a.release, &a.channel, &a.tenants, &a.tenantTags,
		&a.variables, &a.guidedFailure, &a.skipSteps, &a.machines, &a.excludeMachines, &a.force, &a.at, &a.expires,
		&a.wait, &a.timeout, &a.cancelOnTimeout, &a.check)
	if err == nil {
		err = positive("deploy", a.timeout)
	}
	return a, err
}

func deployImpl(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	a, err := parseDeploy(args, kwargs)
	if err != nil {
		return nil, err
	}
	env, oct, err := octo(th, b)
	if err != nil {
		return nil, err
	}
	runs, err := runDeploy(th, b, env, oct, a, nil)
	if err != nil {
		return nil, err
	}
	return deployResult(a, runs), nil
}

// deployResult is one value, or a list when the call named several
// environments or tenants.
func deployResult(a *deployArgs, runs []*trackedRun) starlark.Value {
	single := !a.to.many && (!a.tenants.set || (!a.tenants.many && a.tenants.items[0] != "*")) && !a.tenantTags.set
	if single && len(runs) == 1 {
		return runValue(runs[0])
	}
	return recordList(runs, runValue)
}

// runDeploy chooses the release per environment when none is given,
// starts the deployments, and waits for them when asked. skip, if set,
// decides per environment whether nothing needs deploying (promote).
func runDeploy(th *starlark.Thread, b *starlark.Builtin, env *Env, oct octopus.Octopus, a *deployArgs, skip func(environment string) (octopus.Release, string, bool, error)) ([]*trackedRun, error) {
	ctx := callCtx(th)
	project := string(a.project)
	if a.tenants.set && len(a.tenants.items) == 0 && !a.tenantTags.set {
		// A tenant list built from a query that matched nothing: deploy
		// to no tenant, rather than untenanted.
		env.Log.Warn().Str("project", project).Str("at", position(th)).Msg("tenants is an empty list: nothing was deployed")
		return nil, nil
	}
	var runs []*trackedRun
	// Deployments of one release go out in one request; group the
	// environments by the release each gets.
	type batch struct {
		release octopus.Release
		reason  string
		envs    []string
	}
	var batches []*batch
	for _, e := range a.to.items {
		var (
			rel octopus.Release
			why string
		)
		if skip != nil {
			r, reason, skipped, err := skip(e)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", b.Name(), err)
			}
			if skipped {
				tenant := singleTenant(a)
				tr := &trackedRun{oct: oct, run: octopus.Run{Kind: octopus.KindDeployment, Project: r.Project, Environment: e, Tenant: tenant, Release: r},
					skipped: true, reason: reason, task: octopus.Task{State: octopus.StateSuccess}}
				env.logAction(th, "skip", map[string]string{"project": r.Project, "environment": e, "tenant": tenant, "release": r.Version,
					"reason": reason, "target": oct.Target().Name}, nil)
				runs = append(runs, tr)
				continue
			}
			rel, why = r, reason
		} else {
			switch r := a.release.(type) {
			case nil, starlark.NoneType:
				chosen, reason, err := oct.EligibleRelease(ctx, project, e, a.channel)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", b.Name(), err)
				}
				env.Log.Info().Str("project", chosen.Project).Str("environment", e).Str("release", chosen.Version).Str("at", position(th)).Msg(reason)
				rel, why = chosen, reason
			case *Record:
				given, ok := r.payload.(octopus.Release)
				if r.kind != "release" || !ok {
					return nil, fmt.Errorf("%s: for parameter release: got %s, want a release or a version", b.Name(), r.kind)
				}
				slug := strings.ReplaceAll(strings.ToLower(given.Project), " ", "-")
				if !strings.EqualFold(given.Project, project) && !strings.EqualFold(given.ProjectID, project) && slug != strings.ToLower(project) {
					return nil, fmt.Errorf("%s: release %s belongs to %s, not %s", b.Name(), given.Version, given.Project, project)
				}
				rel, why = given, fmt.Sprintf("release %s, given by the script", given.Version)
			case starlark.String:
				found, err := oct.Release(ctx, project, string(r))
				if err != nil {
					return nil, fmt.Errorf("%s: %w", b.Name(), err)
				}
				rel, why = found, fmt.Sprintf("release %s, named by the script", found.Version)
			default:
				return nil, fmt.Errorf("%s: for parameter release: got %s, want a release or a version", b.Name(), a.release.Type())
			}
		}
		i := slices.IndexFunc(batches, func(x *batch) bool { return x.release.Version == rel.Version })
		if i < 0 {
			batches = append(batches, &batch{release: rel, reason: why})
			i = len(batches) - 1
		}
		batches[i].envs = append(batches[i].envs, e)
	}
	var started []*trackedRun
	for _, bt := range batches {
		req := octopus.DeployRequest{
			Project: project, Release: bt.release, Reason: bt.reason, Environments: bt.envs,
			Tenants: a.tenants.items, TenantTags: a.tenantTags.items, Variables: a.variables,
			GuidedFailure: a.guidedFailure.v, SkipSteps: a.skipSteps.items, Machines: a.machines.items,
			ExcludeMachines: a.excludeMachines.items, ForceRedeploy: a.force, At: a.at.t, Expires: a.expires.t,
		}
		if err := env.admit(th, b.Name(), oct, expectedRuns(len(bt.envs), a.tenants.items)); err != nil {
			return nil, fmt.Errorf("%w%s", err, alreadyStarted(started))
		}
		rs, err := oct.Deploy(ctx, req)
		for _, r := range rs {
			tr := &trackedRun{oct: oct, run: r, check: a.check, timeout: time.Duration(a.timeout), cancelOnTimeout: a.cancelOnTimeout,
				task: octopus.Task{State: octopus.StateQueued}}
			env.track(tr)
			started = append(started, tr)
			env.logAction(th, "deploy", map[string]string{"project": r.Project, "environment": r.Environment, "tenant": r.Tenant,
				"release": r.Release.Version, "task": r.TaskID, "target": oct.Target().Name}, tr)
		}
		if err != nil {
			if _, listed := errors.AsType[*octopus.PartialError](err); listed {
				return nil, fmt.Errorf("%s: %w", b.Name(), err)
			}
			return nil, fmt.Errorf("%s: %w%s", b.Name(), err, alreadyStarted(started))
		}
		if len(rs) == 0 {
			env.Log.Warn().Str("project", project).Str("environment", strings.Join(bt.envs, ", ")).Str("at", position(th)).
				Msg("nothing was deployed: no tenant matched")
		}
	}
	if a.wait && len(started) > 0 {
		if err := env.wait(th, b.Name(), started, 0, false); err != nil {
			return nil, err
		}
	}
	return inOrder(append(runs, started...), a.to.items), nil
}

// inOrder sorts runs by the position of their environment in to, so
// results line up with the environments as the script named them even
// when several releases went out in separate requests.
func inOrder(runs []*trackedRun, to []string) []*trackedRun {
	pos := func(tr *trackedRun) int {
		for i, e := range to {
			if strings.EqualFold(e, tr.run.Environment) {
				return i
			}
		}
		return len(to)
	}
	slices.SortStableFunc(runs, func(x, y *trackedRun) int { return pos(x) - pos(y) })
	return runs
}

func alreadyStarted(started []*trackedRun) string {
	if len(started) == 0 {
		return ""
	}
	return "; already started and still running: " + runIDs(started)
}

var promoteSpec = &interp.Spec{
	Name:    "promote",
	Group:   GroupActions,
	Mutates: true,
	Doc: "Deploys the release that is currently, successfully, in source to the environment to. When to already has that " +
		"release it deploys nothing and returns a result with skipped=True and the reason. With tenants=\"*\", tenant_tags or " +
		"several tenants, each tenant's own release in source is promoted, and a tenant with nothing there, already up to " +
		"date or not connected to the environment is skipped with its reason. Takes deploy's options.",
	Params: []interp.Param{
		{Name: "project", Type: "str | project", Doc: "the project"},
		{Name: "source", Type: "str", Doc: "the environment whose current release to promote"},
		{Name: "to", Type: "str | list[str]", Doc: "the environment to deploy to, or several"},
		{Name: "options", Type: "any", Kwargs: true, Doc: "deploy's keyword options (tenants, wait, timeout, check, ...)"},
	},
	Returns: "deployment | list[deployment]",
	Example: `d = promote("Payments API", "Development", to = "Test")
print(d.ok)  # True`,
}

func init() { promoteSpec.Impl = promoteImpl }

func promoteImpl(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var (
		project nameRef
		source  nameRef
		to      starlark.Value
		options []starlark.Tuple
	)
	if err := promoteSpec.UnpackArgs(args, kwargs, &project, &source, &to, &options); err != nil {
		return nil, err
	}
	for _, kv := range options {
		name := string(kv[0].(starlark.String))
		if name == "release" || name == "channel" {
			return nil, fmt.Errorf("%s: %s cannot be given: promote deploys the release now in %s", b.Name(), name, source)
		}
	}
	a, err := parseDeploy(starlark.Tuple{starlark.String(project), to}, options)
	if err != nil {
		return nil, fmt.Errorf("%s", strings.Replace(err.Error(), "deploy:", "promote:", 1))
	}
	env, oct, err := octo(th, b)
	if err != nil {
		return nil, err
	}
	if fansOutToTenants(a) {
		return promoteTenants(th, b, env, oct, a, string(source))
	}
	ctx := callCtx(th)
	rel, ok, err := oct.Current(ctx, string(project), string(source), singleTenant(a))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	if !ok {
		return nil, fmt.Errorf("%s: nothing has been deployed successfully to %s for %s, so there is nothing to promote", b.Name(), source, project)
	}
	skip := func(e string) (octopus.Release, string, bool, error) {
		there, ok, err := oct.Current(ctx, string(project), e, singleTenant(a))
		if err != nil {
			return rel, "", false, err
		}
		if ok && there.ID == rel.ID {
			return rel, fmt.Sprintf("%s %s is already in %s", rel.Project, rel.Version, e), true, nil
		}
		return rel, fmt.Sprintf("release %s, promoted from %s where it is current", rel.Version, source), false, nil
	}
	runs, err := runDeploy(th, b, env, oct, a, skip)
	if err != nil {
		return nil, err
	}
	return deployResult(a, runs), nil
}

// singleTenant is the tenant to compare currents for, when exactly one
// is named.
func singleTenant(a *deployArgs) string {
	if len(a.tenants.items) == 1 && a.tenants.items[0] != "*" {
		return a.tenants.items[0]
	}
	return ""
}
