// Package octosim is a simulated Octopus Deploy server. Nobody can run a
// real Octopus Server in our tests or CI, so octostar's end-to-end tests,
// its README demo and `octostar sandbox` run against this instead. It is
// worth exactly its fidelity: it answers like a real server for what the
// official clients (go-octopusdeploy v2.114.1, the octopus CLI) do, as set
// down in shared/reference/octopus-api.md.
//
// # Use
//
//	seed, err := octosim.LoadSeed("testdata/seeds/foundation.json") // or nil
//	srv, err := octosim.New(seed, octosim.WithAPIKey("API-..."))
//	ts := httptest.NewServer(srv) // or srv.Serve(listener)
//	// point any Octopus client at ts.URL with srv.AdminAPIKey()
//
// Knobs for tests and benchmarks (injected latency, a 500 rate, dropped
// connections, the time scale for task durations) are options, methods
// (SetLatency, SetFaultRate, SetDropRate, SetTimeScale, Reset, Stats) and
// HTTP endpoints under /_octosim (see control.go). Stats count requests per
// route template ("GET /api/{spaceId}/projects/{id}") and keep a request
// log that never records credentials.
//
// # Layout
//
//   - server.go, options.go, control.go, knobs.go, stats.go: the handler,
//     its options and the /_octosim endpoints.
//   - router.go, call.go, errors.go, paging.go, auth.go: routing (with the
//     /api/spaces/{id}/... and unscoped aliases generated from each space
//     route), request decoding, the error body, paging and API keys.
//   - store.go, kind.go, op.go: the in-memory store (one table per kind,
//     partitioned by space, behind one RWMutex), the generic CRUD that most
//     collections share, and op, the unit of work every endpoint and the
//     seed go through.
//   - permissions.go: permission names, built-in roles, grants, and
//     requirePermission / op.require, the check every endpoint makes.
//   - model_*.go: the documents, PascalCase as Octopus sends them.
//   - one file per collection: spaces, environments, lifecycles,
//     projectgroups, projects (with deployment settings), channels,
//     processes and steps, feeds and packages, tagsets, tenants, runbooks
//     (with runbook processes), snapshots, users, apikeys, teams,
//     userroles, scopeduserroles; root.go for /api and /api/{spaceId}.
//   - seed.go, seed_apply.go, world.go: the seed format and how a world is
//     built (built-ins, then the seed, through the API's own operations).
//   - versioning/: version ordering, ranges, channel rules and release
//     version templates (pure functions, shared with round B).
//
// # Extending (round B: releases, deployments, runbook runs, tasks, ...)
//
//   - A resource kind: a struct embedding Meta in a model file, then
//     `var kX = &kind[*X]{}` and an init func that fills it and calls
//     defineKind(kX) (its table then exists in every store) and
//     addRoutes(kX.routes()...) for standard CRUD, plus hand-written
//     routeSpecs for anything else. Kinds refer to each other only at run
//     time, which is why they are filled in init funcs.
//   - A route: addRoutes(routeSpec{Method, Pattern: "/api/{spaceId}/...",
//     Handler}) from an init func. Space patterns get their aliases
//     automatically; matching prefers more literal segments.
//   - A handler reads with c.read(func(o *op) ...) and writes with
//     c.write(...), returning (status, body, error); errors should be
//     *apiError (badRequest, notFound, forbidden...). Stored documents are
//     never changed in place: save a modified copy with kX.save(o, &copy).
//   - A permission check: o.require(DeploymentCreate,
//     o.projectScope(projectID, environmentID, tenantID)); lists filter
//     with o.can. requirePermission(st, principal, perm, Scope) does the
//     same outside an op.
//   - Hooks already waiting: projectDeleteHooks, runbookDeleteHooks,
//     seedHooks (after the built-in seed sections; the Seed struct has
//     Releases, Deployments and Failures fields, refused until filled),
//     releaseTemplateHook (LastReleaseVersion and friends of the process
//     template), freezeDeploymentProcess (a release's process snapshot),
//     effectivePhases (a lifecycle's real phases), selectPackages and
//     latestVersion (package choice), Server.TimeScale and Server.TaskCap.
//
// # Choices where the reference is silent or says (inferred)
//
// Each row can be checked against a real server later.
//
//	| Topic | Choice |
//	|---|---|
//	| 404 for a missing document | "The resource 'Projects-9' was not found." (same shape as the "The resource '' was not found." quoted in OctopusDeploy/Issues #6162) |
//	| 404 for an unknown path | "The resource you requested was not found." |
//	| 405 | for a path served under other methods: "The requested resource does not support http method 'X'." |
//	| 400 details | headline "There was a problem with your request." (real); the texts in Errors for names, duplicates, references, bad JSON ("could not be parsed as JSON: ...") and enum values are ours |
//	| Error body | always ErrorMessage, Errors ([] when empty), FullException, HelpText, HelpLink (null), ParsedHelpLinks ([]), Details (null); never empty; non-API paths get it too |
//	| 403 second line | in Errors: "This action requires permission to <purpose>. None of your teams have this permission." (form real for RunbookView); purposes for other permissions worded by us; when a team holds the permission for another scope: "Your teams have this permission, but not for this scope." |
//	| Lists without any grant | 403 naming the view permission; with a grant, items outside its scope are left out |
//	| Spaces | GET /api/spaces lists spaces where the caller holds any permission; GET /api/{spaceId} and /api/spaces/{id} need only a valid key |
//	| Tag sets | readable by anyone with a permission in the space |
//	| DELETE | 200 with an empty body (Content-Length: 0) |
//	| PUT | replaces the document: fields not sent take defaults; server-owned fields (IDs, process and variable set IDs, versions) are kept |
//	| Concurrency tokens | a process PUT with a stale Version is accepted (last write wins); Version goes up by one per PUT |
//	| Query parameters | names matched case-insensitively, unknown ones ignored; ids repeated, comma-joined or %2C-joined |
//	| Paths | literals and IDs case-insensitive, trailing slash ignored; /api/spaces/{x}/... takes a space ID, name or slug |
//	| Aliases | every /api/{spaceId}/... route also answers at /api/spaces/{spaceId}/... and unscoped /api/... (default space); /api/{spaceId}/teams and /scopeduserroles show that space's documents plus system ones unless includeSystem=false |
//	| Paging | NumberOfPages = ceil(total/take) (0 for an empty list or take=0); LastPageNumber = max(0, pages-1); Page.Next and every link keep the other query parameters; no Page.Previous; Self = Page.Current |
//	| Order of lists | environments and tag sets by SortOrder then name; packages by ID then newest version; runbook snapshots and API keys newest first; scoped user roles by ID; everything else by name (case-insensitive) |
//	| Bearer tokens | any API key's value is accepted as an access token |
//	| API keys | "API-" + 26 uppercase letters/digits; IDs "apikeys-{guid}"; listed with ApiKey {HasValue: true, NewValue: null, Hint: null}; inactive users' and expired keys get the unknown-key 401; users manage their own keys, others' need UserEdit |
//	| Built-ins | user "admin" (Users-1) in teams-administrators; teams teams-administrators (System administrator role), teams-managers (System manager), teams-everyone; role IDs userroles-<name> (userroles-projectdeployer, ...); built-in roles cannot be changed or deleted, built-in teams not renamed or deleted |
//	| Built-in role contents | Project viewer, contributor, deployer (contributor + DeploymentCreate, InterruptionSubmit, InterruptionViewSubmitResponsible, RunbookRunCreate, TaskCancel, TaskCreate, DefectReport), lead, Release creator (viewer + ReleaseCreate), Runbook consumer, Environment viewer, Tenant manager, Space manager (all space permissions): from Octopus docs' descriptions, exact lists ours |
//	| Space managers | teams in SpaceManagersTeams and users in SpaceManagersTeamMembers hold every space permission in the space; new spaces list teams-administrators, teams-managers and their own teams-spacemanagers-Spaces-N |
//	| Restrictions | a check leaves unnamed dimensions unchecked (a role restricted to projects still grants EnvironmentView); projects and project groups are one dimension (either matches); tenant-restricted roles do not cover operations marked Untenanted; system-level holders of a permission that exists at system level (TeamView, TaskView...) pass space checks |
//	| New space | gets "Default Lifecycle" (no phases, keep forever), "Default Project Group" and feeds-builtin; the first space is the default; making another default demotes it; the default cannot be un-defaulted or deleted; delete needs TaskQueueStopped |
//	| Environments | a new one with SortOrder 0 goes to the end |
//	| Lifecycles | no retention given: keep forever (Unit Items, Strategy Forever); phases get GUID IDs; an environment may appear in one phase only; a lifecycle used by a project or channel cannot be deleted; a phase with no environments covers those not named in earlier phases |
//	| Projects | "All" and "New" are refused as names; slugs from names, made unique with -1, -2; GET by ID or slug only; VersioningStrategy on the project mirrors the deployment settings (default template when none), a PUT without it keeps it; settings ID deploymentsettings-Projects-N; always Database persistence (no Git projects) |
//	| Channels | a project's first channel is the default; a new default demotes the old; the default cannot be deleted or demoted; every rule must name a package step; rules are validated with versioning.ParseChannelRule; LifecycleId "" means null |
//	| Steps | step and action names unique per process; GUID IDs; defaults Condition Success, StartTrigger StartAfterPrevious, PackageRequirement LetOctopusDecide; Octopus.Manual gets RunOnServer "true" and BlockConcurrentDeployments "False"; Octopus.Script gets ScriptSource Inline; ResponsibleTeamIds, environments, channels, tenant tags and feeds must exist; package FeedId defaults to feeds-builtin, AcquisitionLocation to Server; sensitive values are masked |
//	| Snapshot IDs | deploymentprocess-Projects-1-s-{version}-{5 letters} (shape real); RunbookProcess-Runbooks-1-s-{version}-{5 letters}; variableset-Projects-1-s-0-{5 letters} |
//	| Feeds | the built-in feed is "Octopus Server (built-in)"; other feeds are stored but never queried (their version search is empty); SearchPackagesTemplate .../packages/search{?term,skip,take} |
//	| Packages | ID packages-{PackageId}.{Version}; the upload's file name gives ID and version (go-client's own pattern); existing version: FailIfExists (default) 400, IgnoreIfExists 200 with the existing one, OverwriteExisting or replace=true 201; Hash is SHA-1; ReleaseNotes null (go-client's Package decodes ReleaseNotes as a time) |
//	| Version search | newest first; packageId required; versionRange and preReleaseTag as a channel rule (versioning package; NuGet ordering puts 2.0.0-rc.1 inside [1.0,2.0)); filter is a version prefix |
//	| Tenants | tags stored as canonical "Set/Tag" (tag IDs accepted); connected projects must not be Untenanted; the tags filter needs every tag; renaming a tag renames it on tenants and channels, removing drops it |
//	| Tag sets | tag IDs TagSets-N/Tags-M with one global Tags counter; default colour #333333, Type MultiSelect, Scopes [Tenant]; names cannot contain "/" |
//	| Runbooks | defaults EnvironmentScope All, MultiTenancyMode Untenanted, RunRetentionPolicy {100, Items, Default}; process RunbookProcess-Runbooks-N; publishing by PUT must name a snapshot of the same runbook; FromProjectLifecycles = environments of the project's and its channels' lifecycles |
//	| Snapshots | default name "Snapshot" + 7 letters; unique per runbook; unselected packages take the latest stable version (else the latest pre-release); none: 400 "A version must be specified for every included package."; only Name and Notes change on PUT; the published snapshot cannot be deleted |
//	| Users | usernames unique; DisplayName defaults to the username; passwords never kept; you cannot delete or deactivate yourself; your own account and permissions are always readable |
//	| Scoped user roles | SpaceId defaults to the team's, then the URL's space; a space team's roles apply only in its space; system-level ones cannot be restricted |
//	| Documents | every document carries LastModifiedOn and LastModifiedBy (the caller's username) |
//	| Root | Version 2025.3.0 unless WithVersion; InstallationId derived from the random seed; HasLongTermSupport true; the server root's space links point at the default space; space roots carry no Tasks, CurrentUser, Users or Spaces |
//	| Knobs | an injected fault is the 500 null-reference body; a drop closes the connection unanswered; knobs never touch /_octosim, which needs no key |
//	| Seed | JSON only (no YAML: no new dependencies); strict (unknown fields are errors); may fix API key values, which the API never can; a seed without spaces gets a "Default" space |
package octosim
