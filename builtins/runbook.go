package builtins

import (
	"errors"
	"fmt"
	"time"

	"go.starlark.net/starlark"

	"github.com/octostar/octostar/internal/octopus"
	"github.com/octostar/octostar/interp"
)

var runRunbookSpec = &interp.Spec{
	Name:    "run_runbook",
	Group:   GroupActions,
	Mutates: true,
	Doc: "Runs a runbook, as the RUN button does: one run per environment and tenant, on the runbook's published " +
		"snapshot unless snapshot names another. Returns one run, or a list when environments or tenants name several.",
	Params: append([]interp.Param{
		{Name: "project", Type: "str | project", Doc: "the project that owns the runbook"},
		{Name: "runbook", Type: "str", Doc: "the runbook, by name or ID"},
		{Name: "environments", Type: "str | list[str]", Doc: "where to run it"},
		{Name: "tenants", Type: "str | list[str] | None", Default: "None", KeywordOnly: true, Doc: "tenants by name or ID, or \"*\" for all connected"},
		{Name: "tenant_tags", Type: "str | list[str] | None", Default: "None", KeywordOnly: true, Doc: "run for the tenants with these tags"},
		{Name: "snapshot", Type: "str | None", Default: "None", KeywordOnly: true, Doc: "a snapshot by name or ID instead of the published one"},
		{Name: "variables", Type: "dict[str, str] | None", Default: "None", KeywordOnly: true, Doc: "values for prompted variables"},
		{Name: "guided_failure", Type: "bool | None", Default: "None", KeywordOnly: true, Doc: "use guided failure; None keeps the runbook's setting"},
	}, runOptionParams...),
	Returns: "runbook_run | list[runbook_run]",
	Example: `run = run_runbook("Platform Ops", "Restart services", "Development")
print(run.state)  # Success`,
}

func init() { runRunbookSpec.Impl = runRunbookImpl }

func runRunbookImpl(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var (
		project             nameRef
		runbook             nameRef
		envs, tenants, tags stringList
		snapshot            string
		variables           stringMap
		guided              optBool
		wait, check         = true, true
		timeout             = Duration(30 * time.Minute)
		cancelOnTimeout     bool
	)
	if err := runRunbookSpec.UnpackArgs(args, kwargs, &project, &runbook, &envs, &tenants, &tags, &snapshot, &variables, &guided,
		&wait, &timeout, &cancelOnTimeout, &check); err != nil {
		return nil, err
	}
	if err := positive(b.Name(), timeout); err != nil {
		return nil, err
	}
	if tenants.set && len(tenants.items) == 0 && !tags.set {
		return recordList([]*trackedRun{}, runValue), nil // an empty tenant list: nothing to run
	}
	env, oct, err := octo(th, b)
	if err != nil {
		return nil, err
	}
	if err := env.admit(th, b.Name(), oct, expectedRuns(len(envs.items), tenants.items)); err != nil {
		return nil, err
	}
	runs, err := oct.RunRunbook(callCtx(th), octopus.RunbookRequest{
		Project: string(project), Runbook: string(runbook), Environments: envs.items, Tenants: tenants.items,
		TenantTags: tags.items, Snapshot: snapshot, Variables: variables, GuidedFailure: guided.v,
	})
	var started []*trackedRun
	for _, r := range runs {
		tr := &trackedRun{oct: oct, run: r, check: check, timeout: time.Duration(timeout), cancelOnTimeout: cancelOnTimeout,
			task: octopus.Task{State: octopus.StateQueued}}
		env.track(tr)
		started = append(started, tr)
		env.logAction(th, "run_runbook", map[string]string{"project": r.Project, "runbook": r.Runbook, "environment": r.Environment,
			"tenant": r.Tenant, "task": r.TaskID, "target": oct.Target().Name}, tr)
	}
	if err != nil {
		if _, listed := errors.AsType[*octopus.PartialError](err); listed {
			return nil, fmt.Errorf("%s: %w", b.Name(), err)
		}
		return nil, fmt.Errorf("%s: %w%s", b.Name(), err, alreadyStarted(started))
	}
	if wait && len(started) > 0 {
		if err := env.wait(th, b.Name(), started, 0, false); err != nil {
			return nil, err
		}
	}
	single := !envs.many && (!tenants.set || (!tenants.many && tenants.items[0] != "*")) && !tags.set
	if single && len(started) == 1 {
		return runValue(started[0]), nil
	}
	return recordList(started, runValue), nil
}
