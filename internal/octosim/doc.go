// Package octosim is a simulated Octopus Deploy server. Nobody can run a
// real Octopus Server in our tests or CI, so octostar's end-to-end tests,
// its README demo and `octostar sandbox` run against this instead. It is
// worth exactly its fidelity: it answers like a real server for what the
// official clients (go-octopusdeploy v2.114.1, the octopus CLI) do, as set
// down in shared/reference/octopus-api.md.
//
// # Use
//
//	seed, err := octosim.LoadSeed("testdata/seeds/foundation.json") // or nil, or octosim.DemoSeed()
//	srv, err := octosim.New(seed, octosim.WithAPIKey("API-..."), octosim.WithInstantTasks())
//	ts := httptest.NewServer(srv) // or srv.Serve(listener)
//	// point any Octopus client at ts.URL with srv.AdminAPIKey()
//
// Knobs for tests and benchmarks (injected latency, latency spikes on a
// fraction of requests, a 500 rate, a 503 rate with Retry-After,
// connections dropped before a request is processed, connections reset
// after it was processed (the write happened, its answer is lost), the
// time scale for task durations, instant tasks, a step failure rate) are
// options, methods (SetLatency, SetSpikes, SetFaultRate, SetDropRate,
// SetResetRate, SetTimeScale, SetInstantTasks, SetStepFailureRate, Reset,
// Stats) and HTTP endpoints under /_octosim (see control.go). Rates draw
// from the seeded generator (WithRandSeed), so a run is reproducible.
// Stats count requests per route template ("GET
// /api/{spaceId}/projects/{id}") and keep a request log that never
// records credentials; its Injected field names the knobs that struck a
// request ("fault", "unavailable", "drop", "reset", "spike", joined with
// "+"). A restart with the world kept needs no knob: the world lives in
// the Server value, so serving it again on the same address after closing
// the listener and its connections is one (internal/faults does that).
//
// # Tasks and time
//
// Deployments and runbook runs are server tasks. They queue behind the task
// cap (WithTaskCap, default 5), then run their frozen process step by step;
// each step takes a simulated duration (script 4 s, package 6 s, other
// 5 s, pickup 1 s, cancelling 2 s; the step or action property
// Octosim.Duration overrides it) divided by the time scale (WithTimeScale,
// `--speed`; PUT /_octosim/knobs {"TimeScale": 50}; a change also rescales
// steps already running). Timing uses the monotonic clock; WithClock only
// changes timestamps. For tests, WithInstantTasks (or PUT /_octosim/knobs
// {"InstantTasks": true}) makes every duration zero: a task finishes, or
// stops at an interruption, inside the request that queued it, so tests
// need no sleeps. A goroutine wakes the engine only while something is due
// later; Close stops it.
//
// Failures are arranged with WithFailure / AddFailure / the seed's
// "failures" / POST /_octosim/failures (a step fails in named environments,
// for named tenants, N times then succeeds, or at a rate), and at random
// with WithStepFailureRate or the StepFailureRate knob; the generator is
// seeded (WithRandSeed), so runs are reproducible.
//
// The demo world (DemoSeed, seeds/demo.json, linked from
// testdata/seeds/demo.json) is described in demo.go.
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
//     version templates (pure functions).
//
// Round B (releases, deployments, runbook runs, tasks, interruptions):
//
//   - model_exec.go: Release, Deployment, RunbookRun, ServerTask (stored
//     small; TaskResource is what clients see), Interruption, Defect.
//     Deployments, runs, tasks and interruptions render their Links when
//     encoded instead of storing them (they number in the tens of
//     thousands).
//   - exec.go: execState, the world's execution state: indexes (releases
//     by project, deployments by release and by project, runs by runbook,
//     tasks by ID), runs, activity logs, failure arrangements; the save*
//     helpers that keep the indexes current; delete cascades.
//   - releases.go: release creation (create/v1, classic POST, seeds: one
//     createRelease), package choice by channel rules, the best channel,
//     versions from templates, masks and donor packages; release lists,
//     PUT, defects; the process template's release fields.
//   - lifecycle.go: lifecycle progression (per tenant), the refusal a
//     deployment gets, automatic deployments of entered phases.
//   - deployments.go: deploy v1 (tenanted and untenanted), classic POST,
//     lists; startDeployment (what every deployment goes through).
//   - runbookruns.go: runbook-runs/create/v1, classic POST, lists, the
//     runbook progression.
//   - runs_common.go: what deployments and runbook runs share: the v1
//     commands' common body and options, targets and their checks
//     (permission scope, tenants, classic POST lookups), request defaults,
//     list filters and answers.
//   - engine.go: the task engine (queue, cap, deployment mutex, steps,
//     pauses, guided failure, cancel, timeouts) and its goroutine.
//   - interruptions.go: raising, listing, responsibility and submission.
//   - tasks.go: task endpoints (unscoped and per space), details, raw log.
//   - dashboard.go: dashboard, dynamic dashboard, project and release
//     progression, deployment template and preview.
//   - variables.go: variable sets, the preview's prompt form and the
//     check that required prompted variables have values.
//   - failures.go: failure arrangements (options, methods, /_octosim).
//   - seed_exec.go: the seed's releases, past deployments and failures.
//   - demo.go, seeds/demo.json: the embedded demo world.
//
// # Extending
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
//     never changed in place: save a modified copy with kX.save(o, &copy)
//     (releases, deployments, runs and tasks with saveRelease,
//     saveDeployment, saveRunbookRun, saveTask, which keep the indexes).
//   - A write that queues or changes tasks ends with afterChange(o), which
//     runs the engine as far as it can go and wakes its goroutine.
//   - A permission check: o.require(DeploymentCreate,
//     o.projectScope(projectID, environmentID, tenantID)); lists filter
//     with o.can. requirePermission(st, principal, perm, Scope) does the
//     same outside an op.
//   - Hooks: projectDeleteHooks, runbookDeleteHooks, seedHooks,
//     releaseTemplateHook, freezeDeploymentProcess, effectivePhases.
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
//
// Round B's choices:
//
//	| Topic | Choice |
//	|---|---|
//	| create/v1 status | 201 for a new release; 200 when IgnoreIfAlreadyExists returns an existing one |
//	| create/v1 lookups | project by ID, slug or name; unknown: 404 "Project named 'X' was not found." (text real, cli #229; status ours); channel by name or ID (a 2023.3 server took names only); unknown: 404 "Channel named 'X' within project 'P' was not found." (text real, cli #250); environments, tenants, runbooks and snapshots likewise ("Environment named 'X' was not found.", ours) |
//	| Package choice | per package step: the most specific Packages entry (Step:Ref:Version, then Step:Version, PackageId:Version, *:Ref:Version, Step:*:Version, *:Version), then PackageVersion, then the newest version in the built-in feed that the channel rule allows, pre-releases included (as the CLI's take=1 feed search); PackagePrerelease is a tag pattern; given versions must parse but need not exist in the feed; other feeds have no versions |
//	| Channel rules | a rule governs a package when an ActionPackages entry names its action or step and reference; IgnoreChannelRules skips them; the violation text's first sentence is real, the second ours |
//	| Best channel | octo's rule: the only viable channel; among several, the default; several without the default: 400 "A release could be created in more than one channel (...). Please specify the channel." (ours); none viable: the default channel, whose errors are then reported |
//	| Unresolvable package | 500 null-reference (real, cli #426), also for PackagePrerelease matching nothing; in a seed the message says a package version could not be found |
//	| Release version | an explicit version is trimmed and must parse (400 "...does not appear to be a valid semantic version number." + our second sentence); duplicates are checked before packages; masks take the newest agreeing version as base; template errors 400 (ours); donor package: the donor's selected version |
//	| Release documents | one frozen process per release; variable snapshots are IDs only (prompted variables are read from the project's live variable set); GitRef/GitCommit on a database project: 400 (ours); CustomFields at most 10, 150 characters (docs) |
//	| Release PUT | changes ReleaseNotes, Version (unique) and package versions; needs ReleaseEdit |
//	| Lifecycle refusal | 400 headline + "Release 'v' of project 'p' cannot be deployed to environment 'e'[ for tenant 't'] because the environment is not in the list of environments that this release can be deployed to. The lifecycle has not reached this phase, possibly due to previous deployment failure." (octo's client-side wording); a defect says "The release has an unresolved defect, so it cannot progress to this phase."; an environment outside the lifecycle: "...because the environment is not in the list of environments defined by the lifecycle." |
//	| Progression | the latest deployment per environment and tenant counts, successful only; a minimum of 0 (or more than the phase has) means all; for a tenant, phases with environments it is connected to count its own deployments there, phases without count anyone's (issues #4707); a release progression outside tenants is untenanted, or "anyone's" for Tenanted projects |
//	| Phase Progress | Complete = requirement met (and reachable); Current = deployable, not met; Pending otherwise; Blocked = closed by a defect; NextDeployments = deployable environments without a successful latest deployment (the DEPLOY buttons; a dashboard cell offers the newest release whose NextDeployments holds it); NextDeploymentsMinimumRequired = the first Current phase's minimum |
//	| Defects | an unresolved defect closes phases without a successful deployment (first phase always open); POST defects and resolve answer 200 with the defect (resolve: every unresolved one, answering the last; none: 400, ours); resolving starts automatic deployments the defect held back |
//	| Automatic deployments | when a release is created and after each successful deployment of it: every deployable, non-optional phase's automatic environments not yet deployed (per tenant); DeployedBy "System", no permission check; Tenanted: per connected tenant passing the channel's tenant tags; TenantedOrUntenanted: untenanted only where no tenant is connected |
//	| Tenanted deploys | Tenants by name or ID, "*" = every tenant connected in the environment that fits the channel's tenant tags; TenantTags: any tag within a tag set, every tag set; a named tenant not connected, or not fitting the channel: 400 (ours); untenanted deploy of a Tenanted project: 400 "P can only be deployed to tenants. Either deploy this release to a tenant, or configure this project to allow un-tenanted deployments." (real, issues #2672); tenanted deploy of an Untenanted project: 400 (ours) |
//	| Deploy fields | every target is checked (permission, lifecycle) before any starts; UseGuidedFailure null = project mode On/Off, else the environment's, stored resolved; SpecificMachineNames: 400 (no targets are modelled); ExcludedMachineNames and unknown SkipStepNames warn in the task log; Variables become FormValues; UpdateVariableSnapshot gives the release a new variable snapshot ID; target tags, freezes, DebugMode accepted and ignored; RunAt/NoRunAfter are DateTimeOffset text (no offset = UTC), NoRunAfter not after RunAt: 400; a disabled project: 400 (ours) |
//	| Names | deployment "Deploy to Env[ for Tenant]"; task "Deploy Project release v to Env[ for Tenant]", runbook task "Run runbook R in Env[ for Tenant]"; RunbookRun.Name = runbook name; ManifestVariableSetId "variableset-Deployments-N" |
//	| Engine | one task runs its steps one after another (StartWithPrevious does not run in parallel); one running deployment per project, environment and tenant (Octopus's deployment mutex); the cap is server-wide, held while Executing or Cancelling (also at a guided failure), freed at a manual intervention; queued tasks start in creation order |
//	| Task fields | Completed "Queued..."/"Executing..."/"Cancelling..."/"Timed out" or "Monday, January 2, 2006 3:04 PM"; Duration prose; ServerNode "octosim" once picked up; CanRerun false and rerun 400 (ours); cancelling a finished task answers 200 with it unchanged; queue time expiry passing before the start: TimedOut with our message; /api/tasks lists every space, /api/{space}/tasks one |
//	| Step failure | error lines in the step's log; task ErrorMessage "The step failed: Activity A on the Octopus Server failed with error 'msg'." (shape of real messages; default msg "The remote script failed with exit code 1"); later steps with condition Success are skipped |
//	| Manual intervention | Title = the action's name; Values Instructions null; Proceed resumes (waiting for a slot); Abort fails the step and the task ("The manual intervention 'S' was aborted by user.", ours) |
//	| Guided failure | Title "Failed: Step"; Form: Notes (TextArea), Guidance (SubmitButtonGroup Fail, Retry, Ignore, Exclude; required steps Fail and Retry); ResponsibleTeamIds []; Retry reruns the step; Ignore and Exclude (no targets, so alike) leave the step Failed and the task Success with HasWarningsOrErrors; Fail fails the task |
//	| Responsibility | a responsible team set: outside it 403 "Only users in one of the responsible teams on this interruption can take responsibility for it." (api-docs text; status inferred), inside it needs InterruptionSubmit or InterruptionViewSubmitResponsible; no team: InterruptionSubmit; taking responsibility replaces the holder; submitting needs it first; bad values: 400 "There were errors with the form." + detail (ours) |
//	| Interruptions | RelatedDocumentIds = deployment or run, task, project, environment (+ runbook, tenant); CorrelationId "ServerTasks-N_XXXXXXXXXX/hex"; listed newest first; visible with InterruptionView, or InterruptionViewSubmitResponsible to team members |
//	| Activity log | root = the task; one child per step "Step N: Name" with Pending/Running/Success/Failed/Skipped/Canceled; routine lines generated from the step (package versions, script syntax), unusual ones stored; skip reasons worded by us; task-level warnings on the root; raw log laid out like a real one |
//	| Dashboard | Items = each project's current deployment per environment and tenant (IsCurrent); IsPrevious = the last successful deployment of another release before it, only with dynamic includePrevious (in Items, no PreviousItems); projects and environments by ID; showAll and highestLatestVersionPerProjectAndEnvironment ignored; project EnvironmentIds = its lifecycles' environments |
//	| Project progression | the newest releaseHistoryCount releases (default 3; outside 1-100: 400, ours) plus any older release still current somewhere; per environment the release's latest deployment per tenant |
//	| Deployment template | PromoteTo = deployable environments the caller may deploy to (untenanted; Tenanted projects: the union of the tenants'); TenantPromotions per connected tenant; IsDeploymentProcessModified compares process versions; variable sets never count as modified |
//	| Deployment preview | steps whose actions apply to the environment and channel; no machines; HasNoApplicableMachines when a step has target tags; Form: one element per prompted variable of the project, in declared order (Name = the variable's GUID ID, Control {Type SingleLineText or Sensitive, Name = variable name, Label = the prompt's label or else the name, Description "", Required, DisplaySettings {Octopus.ControlType}}, IsValueRequired = Required), Values = each element's Name to "" |
//	| Prompted variables | only seeds declare variables (a project's "variables"; names unique per project, case-insensitively); variable sets (variableset-Projects-N, one per project) are not served over the API; deployments/create/(un)tenanted/v1 and runbook-runs/create/v1 take Variables by name or ID (case-insensitive), classic POSTs take FormValues the same way; a required prompted variable without a non-empty value: 400 "Please provide a value for the following required prompted variables: A, B." (wording ours), checked after permissions and lifecycle and only when something would be deployed; values for unknown names are ignored (inferred); automatic and seeded deployments are not checked; values are kept in FormValues as sent and never appear in the request log or stats |
//	| Runbook runs | one per environment x tenant; "*" = connected tenants; the environment must be one the runbook allows; Untenanted runbooks refuse tenants and Tenanted ones need them (400, ours); no published snapshot: 400 (ours); snapshot by name or ID |
//	| Failure arrangements | Times counts a rule's firings across runs, retries included; Rate and StepFailureRate draw from the world's seeded generator (Reset reseeds); manual interventions never fail; seeding injects none |
//	| Seeded history | releases then deployments, timestamps spread back from start-up 47 minutes apart with simulated step times; automatic deployments succeed; manual interventions approved by admin; a Failed deployment fails at failedStep or its last step |
package octosim
