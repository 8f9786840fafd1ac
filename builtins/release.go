package builtins

import (
	"fmt"

	"go.starlark.net/starlark"

	"github.com/octostar/octostar/internal/octopus"
	"github.com/octostar/octostar/interp"
)

var createReleaseSpec = &interp.Spec{
	Name:    "create_release",
	Group:   GroupActions,
	Mutates: true,
	Doc: "Creates a release, as the CREATE RELEASE button does. Without version, the project's versioning strategy decides; " +
		"without packages, each package step gets the latest version the channel's rules allow. With if_exists=\"reuse\", " +
		"a release that already has the version is returned instead of failing.",
	Params: []interp.Param{
		{Name: "project", Type: "str | project", Doc: "the project, by name, slug or ID"},
		{Name: "version", Type: "str | None", Default: "None", Doc: "the release version, or a mask such as \"1.2.i\""},
		{Name: "channel", Type: "str | None", Default: "None", Doc: "the channel; None lets the server choose the best one"},
		{Name: "packages", Type: "dict[str, str] | None", Default: "None", Doc: "versions by step or package name (\"Deploy web\": \"1.4.2\"; \"*\" for all)"},
		{Name: "package_version", Type: "str | None", Default: "None", Doc: "one version for every package step"},
		{Name: "notes", Type: "str | None", Default: "None", Doc: "release notes (Markdown)"},
		{Name: "git_ref", Type: "str | None", Default: "None", Doc: "the Git reference, for version-controlled projects"},
		{Name: "if_exists", Type: "str", Default: `"fail"`, Doc: "\"fail\" or \"reuse\" when the version already exists"},
	},
	Returns: "release",
	Example: `r = create_release("Payments API", if_exists = "reuse")
print(r.project)  # Payments API`,
}

func init() { createReleaseSpec.Impl = createRelease }

func createRelease(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var (
		project                                              nameRef
		version, channel, pkgVersion, notes, gitRef, ifExist string
		packages                                             stringMap
	)
	ifExist = "fail"
	if err := createReleaseSpec.UnpackArgs(args, kwargs, &project, &version, &channel, &packages, &pkgVersion, &notes, &gitRef, &ifExist); err != nil {
		return nil, err
	}
	if err := oneOf("if_exists", ifExist, "fail", "reuse"); err != nil {
		return nil, fmt.Errorf("%s: %v", b.Name(), err)
	}
	env, oct, err := octo(th, b)
	if err != nil {
		return nil, err
	}
	ctx := callCtx(th)
	r, err := oct.CreateRelease(ctx, octopus.CreateReleaseRequest{
		Project: string(project), Version: version, Channel: channel, Packages: packages,
		PackageVersion: pkgVersion, Notes: notes, GitRef: gitRef, IfExists: ifExist,
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	env.logAction(th, "create_release", map[string]string{"project": r.Project, "release": r.Version, "channel": r.Channel, "target": oct.Target().Name, "url": r.URL}, nil)
	return briefReleaseValue(ctx, env.Context, oct, r), nil
}

var releasesSpec = &interp.Spec{
	Name:  "releases",
	Group: GroupQueries,
	Doc:   "Lists a project's releases, newest first.",
	Params: []interp.Param{
		{Name: "project", Type: "str | project", Doc: "the project"},
		{Name: "channel", Type: "str | None", Default: "None", Doc: "only this channel's releases"},
		{Name: "limit", Type: "int", Default: "10", Doc: "how many, at most"},
	},
	Returns: "list[release]",
	Example: `for r in releases("Payments API", limit = 3):
    print(r.version)`,
}

func init() { releasesSpec.Impl = releasesImpl }

func releasesImpl(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var (
		project nameRef
		channel string
		limit   = 10
	)
	if err := releasesSpec.UnpackArgs(args, kwargs, &project, &channel, &limit); err != nil {
		return nil, err
	}
	if limit < 1 || limit > 1000 {
		return nil, fmt.Errorf("%s: for parameter limit: got %d, want 1 to 1000", b.Name(), limit)
	}
	_, oct, err := octo(th, b)
	if err != nil {
		return nil, err
	}
	rs, err := oct.Releases(callCtx(th), octopus.ReleaseQuery{Project: string(project), Channel: channel, Limit: limit})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return recordList(rs, releaseValue), nil
}

var currentSpec = &interp.Spec{
	Name:  "current",
	Group: GroupQueries,
	Doc: "Returns the release running in an environment now (the newest successful deployment there), " +
		"or None when nothing was ever deployed successfully.",
	Params: []interp.Param{
		{Name: "project", Type: "str | project", Doc: "the project"},
		{Name: "environment", Type: "str | environment", Doc: "the environment"},
		{Name: "tenant", Type: "str | tenant | None", Default: "None", Doc: "the tenant, for tenanted projects"},
	},
	Returns: "release | None",
	Example: `live = current("Payments API", "Production")`,
}

func init() { currentSpec.Impl = currentImpl }

func currentImpl(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var project, environment, tenant nameRef
	if err := currentSpec.UnpackArgs(args, kwargs, &project, &environment, &tenant); err != nil {
		return nil, err
	}
	_, oct, err := octo(th, b)
	if err != nil {
		return nil, err
	}
	r, ok, err := oct.Current(callCtx(th), string(project), string(environment), string(tenant))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	if !ok {
		return starlark.None, nil
	}
	return releaseValue(r), nil
}

var progressionSpec = &interp.Spec{
	Name:  "progression",
	Group: GroupQueries,
	Doc:   "Lists the environments a release may be deployed to now, as its lifecycle's progression allows.",
	Params: []interp.Param{
		{Name: "release", Type: "release", Doc: "a release value (from create_release, releases or current)"},
	},
	Returns: "list[environment]",
	Example: `for r in releases("Payments API", limit = 1):
    print([e.name for e in progression(r)])`,
}

func init() { progressionSpec.Impl = progressionImpl }

func progressionImpl(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var rel *Record
	if err := progressionSpec.UnpackArgs(args, kwargs, &rel); err != nil {
		return nil, err
	}
	if rel.kind != "release" {
		return nil, fmt.Errorf("%s: for parameter release: got %s, want release", b.Name(), rel.kind)
	}
	_, oct, err := octo(th, b)
	if err != nil {
		return nil, err
	}
	envs, err := oct.Progression(callCtx(th), rel.id)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return recordList(envs, environmentValue), nil
}
