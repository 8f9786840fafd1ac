package builtins

import (
	"fmt"

	"go.starlark.net/starlark"

	"github.com/octostar/octostar/internal/octopus"
	"github.com/octostar/octostar/interp"
)

var projectsSpec = &interp.Spec{
	Name:  "projects",
	Group: GroupQueries,
	Doc:   "Lists the space's projects, optionally of one project group or whose name contains a text (ignoring case).",
	Params: []interp.Param{
		{Name: "group", Type: "str | None", Default: "None", Doc: "the project group's name"},
		{Name: "name", Type: "str | None", Default: "None", Doc: "a part of the project name"},
	},
	Returns: "list[project]",
	Example: `for p in projects(group = "Payments"):
    print(p.name)`,
}

func init() { projectsSpec.Impl = projectsImpl }

func projectsImpl(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var group, name string
	if err := projectsSpec.UnpackArgs(args, kwargs, &group, &name); err != nil {
		return nil, err
	}
	_, oct, err := octo(th, b)
	if err != nil {
		return nil, err
	}
	ps, err := oct.Projects(callCtx(th), octopus.ProjectQuery{Group: group, Name: name})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return recordList(ps, projectValue), nil
}

var environmentsSpec = &interp.Spec{
	Name:    "environments",
	Group:   GroupQueries,
	Doc:     "Lists the space's environments in their dashboard order.",
	Returns: "list[environment]",
	Example: `print([e.name for e in environments()][0])  # Development`,
}

func init() { environmentsSpec.Impl = environmentsImpl }

func environmentsImpl(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := environmentsSpec.UnpackArgs(args, kwargs); err != nil {
		return nil, err
	}
	_, oct, err := octo(th, b)
	if err != nil {
		return nil, err
	}
	es, err := oct.Environments(callCtx(th))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return recordList(es, environmentValue), nil
}

var tenantsSpec = &interp.Spec{
	Name:  "tenants",
	Group: GroupQueries,
	Doc:   "Lists tenants, optionally those connected to a project and carrying all the given tags (\"Set/Tag\").",
	Params: []interp.Param{
		{Name: "project", Type: "str | project | None", Default: "None", Doc: "only tenants connected to this project"},
		{Name: "tags", Type: "str | list[str] | None", Default: "None", Doc: "only tenants with all these tags"},
	},
	Returns: "list[tenant]",
	Example: `names = [t.name for t in tenants()]`,
}

func init() { tenantsSpec.Impl = tenantsImpl }

func tenantsImpl(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var (
		project nameRef
		tags    stringList
	)
	if err := tenantsSpec.UnpackArgs(args, kwargs, &project, &tags); err != nil {
		return nil, err
	}
	_, oct, err := octo(th, b)
	if err != nil {
		return nil, err
	}
	ts, err := oct.Tenants(callCtx(th), octopus.TenantQuery{Project: string(project), Tags: tags.items})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return recordList(ts, tenantValue), nil
}

var dashboardSpec = &interp.Spec{
	Name:  "dashboard",
	Group: GroupQueries,
	Doc: "Returns the dashboard: for each project, environment (and tenant), the newest deployment there, with its release " +
		"and state. projects and environments narrow it.",
	Params: []interp.Param{
		{Name: "projects", Type: "str | list[str] | None", Default: "None", Doc: "only these projects"},
		{Name: "environments", Type: "str | list[str] | None", Default: "None", Doc: "only these environments"},
	},
	Returns: "list[dashboard_row]",
	Example: `for row in dashboard(environments = "Production"):
    print(row.project, row.release, row.state)`,
}

func init() { dashboardSpec.Impl = dashboardImpl }

func dashboardImpl(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var projects, envs stringList
	if err := dashboardSpec.UnpackArgs(args, kwargs, &projects, &envs); err != nil {
		return nil, err
	}
	_, oct, err := octo(th, b)
	if err != nil {
		return nil, err
	}
	rows, err := oct.Dashboard(callCtx(th), octopus.DashboardQuery{Projects: projects.items, Environments: envs.items})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return recordList(rows, dashboardRowValue), nil
}

var outputSpec = &interp.Spec{
	Name:  "output",
	Group: GroupActions,
	Doc: "Records a named result of the run (a version, a count, a list). The run's summary lists outputs; inside an " +
		"Octopus step they become output variables. Setting a name again replaces its value.",
	Params: []interp.Param{
		{Name: "name", Type: "str", Doc: "the output's name"},
		{Name: "value", Type: "any", Doc: "a string, number, bool, list or dict (stored as JSON when not a string)"},
		{Name: "sensitive", Type: "bool", Default: "False", KeywordOnly: true, Doc: "a secret: a sensitive output variable in an Octopus step, masked in task logs, and shown as (sensitive) in logs and summaries"},
	},
	Returns: "None",
	Example: `output("released", "1.4.2")`,
}

func init() { outputSpec.Impl = outputImpl }

func outputImpl(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var (
		name      string
		value     starlark.Value
		sensitive bool
	)
	if err := outputSpec.UnpackArgs(args, kwargs, &name, &value, &sensitive); err != nil {
		return nil, err
	}
	if name == "" {
		return nil, fmt.Errorf("%s: for parameter name: got an empty string, want a name", b.Name())
	}
	env, err := envOf(th, b.Name())
	if err != nil {
		return nil, err
	}
	value.Freeze()
	if sensitive {
		env.markSensitive(name)
	}
	env.setOutput(name, value)
	return starlark.None, nil
}
