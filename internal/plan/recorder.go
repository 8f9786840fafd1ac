package plan

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/octostar/octostar/internal/octopus"
)

// Recorder is an octopus.Octopus for plans. It embeds the live
// implementation, so every read (and any read added to the interface
// later) goes to the server; it overrides every write to record an
// action instead, and the reads that concern what it planned. Each
// write answers as if it had succeeded: a planned release, deployments
// and runbook runs whose tasks succeed at once.
//
// It is safe for concurrent use.
type Recorder struct {
	octopus.Octopus
	book *Book
	// pre is the inner implementation's previews, nil when it has none.
	pre octopus.Previewer

	mu            sync.Mutex
	releases      []*plannedRelease    // oldest first
	deployments   []*plannedDeployment // oldest first, automatic ones too
	runs          map[string]*plannedRun
	interventions []*octopus.Intervention // predicted ones
	seen          map[string]octopus.Intervention
	answered      map[string]bool // real interventions answered by the plan
	lifecycles    map[string][]octopus.Phase
	previews      map[string]octopus.RunPreview
	projects      []octopus.Project
	environments  []octopus.Environment
}

type plannedRelease struct {
	rel octopus.Release
	at  string
}

// plannedDeployment is a deployment the plan makes, for the reads that
// ask what is where (current, progression, dashboard, eligibility).
type plannedDeployment struct {
	release     octopus.Release
	projectID   string
	environment string
	tenant      string
	taskID      string // "" for automatic deployments
}

type plannedRun struct {
	run      octopus.Run
	canceled bool
}

var (
	_ octopus.Octopus = (*Recorder)(nil)
)

func newRecorder(b *Book, inner octopus.Octopus) *Recorder {
	r := &Recorder{Octopus: inner, book: b, runs: map[string]*plannedRun{}, seen: map[string]octopus.Intervention{},
		answered: map[string]bool{}, lifecycles: map[string][]octopus.Phase{}, previews: map[string]octopus.RunPreview{}}
	r.pre, _ = inner.(octopus.Previewer)
	return r
}

// CreateRelease records the release instead of creating it. The version
// is the script's, else the server's preview of the next one; packages
// come from the server's template and feeds. A version that exists
// already is reused or refused as the server would.
func (r *Recorder) CreateRelease(ctx context.Context, req octopus.CreateReleaseRequest) (octopus.Release, error) {
	at := octopus.Caller(ctx)
	switch req.IfExists {
	case "", "fail", "reuse":
	default:
		return octopus.Release{}, fmt.Errorf("if_exists must be \"fail\" or \"reuse\", not %q", req.IfExists)
	}
	p, err := r.project(ctx, req.Project)
	if err != nil {
		return octopus.Release{}, err
	}
	var prev octopus.ReleasePreview
	previewed := false
	if r.pre != nil {
		prev, err = r.pre.PreviewRelease(ctx, req)
		switch {
		case err == nil:
			previewed = true
		case refused(err):
			r.book.unknown(at, fmt.Sprintf("the channel, version and packages of the new release of %s: the server would not preview them: %v", p.Name, err))
		default:
			return octopus.Release{}, err
		}
	} else {
		r.book.unknown(at, "the target cannot preview releases, so channels and package versions are not in this plan")
	}
	if !previewed {
		prev = octopus.ReleasePreview{Project: p.Name, ProjectID: p.ID, Channel: req.Channel, Version: strings.TrimSpace(req.Version),
			VersionSource: octopus.VersionGiven}
		if prev.Version == "" {
			prev.VersionSource = octopus.VersionUnknown
		}
	}
	a := &Action{Kind: "create_release", At: at, Target: r.Target().Name, Project: p.Name, Channel: prev.Channel}
	if prev.ChannelAssumed {
		a.Notes = append(a.Notes, fmt.Sprintf("the request names no channel and %s has several: the server picks the best one; the plan assumes the default, %s", p.Name, prev.Channel))
		r.book.unknown(at, fmt.Sprintf("the channel of the new release of %s: the server picks the best one; the plan assumes %s", p.Name, prev.Channel))
	}
	version, why, err := r.plannedVersion(ctx, at, p, req, prev)
	if err != nil {
		return octopus.Release{}, err
	}
	a.Why = why
	// A version that exists, on the server or in this plan.
	existing := prev.Existing
	if existing == nil {
		if pr := r.plannedRelease(p.ID, version); pr != nil {
			existing = &pr.rel
		}
	}
	if existing != nil && version != "" {
		if req.IfExists != "reuse" {
			return octopus.Release{}, fmt.Errorf("creating release %s of %s: release %s already exists, so the server would refuse it (if_exists=\"reuse\" would reuse it)", version, p.Name, version)
		}
		a.Reuses, a.Release, a.ReleaseID, a.Channel = true, existing.Version, existing.ID, existing.Channel
		a.Why = fmt.Sprintf("release %s already exists and if_exists=\"reuse\": the server returns it", existing.Version)
		r.book.record(a)
		return *existing, nil
	}
	rel := octopus.Release{ID: r.book.nextID("Releases"), Version: version, ProjectID: p.ID, Project: p.Name,
		ChannelID: prev.ChannelID, Channel: prev.Channel, Packages: map[string]string{}, Notes: req.Notes}
	for _, pk := range prev.Packages {
		a.Packages = append(a.Packages, Package{Step: pk.Key, Package: pk.PackageID, Version: pk.Version, Source: pk.Source})
		if pk.Version == "" {
			r.book.unknown(at, fmt.Sprintf("the version of package %s in the new release of %s: %s", pk.PackageID, p.Name, pk.Source))
			continue
		}
		rel.Packages[pk.Key] = pk.Version
	}
	a.Release, a.ReleaseID = rel.Version, rel.ID
	r.mu.Lock()
	r.releases = append(r.releases, &plannedRelease{rel: rel, at: at})
	r.mu.Unlock()
	a.Automatic, a.Notes = r.automaticDeployments(ctx, at, p, rel, a.Notes)
	r.book.record(a)
	return rel, nil
}

// plannedVersion is the version a planned release gets, and why. A
// version nobody can tell gets a placeholder, "unknown-N", and an entry
// in the unknowns.
func (r *Recorder) plannedVersion(ctx context.Context, at string, p octopus.Project, req octopus.CreateReleaseRequest, prev octopus.ReleasePreview) (version, why string, err error) {
	version = prev.Version
	placeholder := func(reason string) (string, string, error) {
		v := "unknown-" + strings.TrimPrefix(r.book.nextID("Versions"), idPrefix+"Versions-")
		r.book.unknown(at, fmt.Sprintf("the version of the new release of %s: %s; the plan calls it %s", p.Name, reason, v))
		return v, reason + "; the plan calls it " + v, nil
	}
	mask := octopus.IsVersionMask(version)
	if mask {
		resolved, err := r.resolveMask(ctx, p, version)
		if err != nil {
			return "", "", err
		}
		if resolved == "" {
			return placeholder(fmt.Sprintf("the server resolves the mask %s against the project's versions", version))
		}
		reading := fmt.Sprintf("the server resolves the mask %s when it creates the release; the plan reads it as %s", version, resolved)
		r.book.unknown(at, fmt.Sprintf("the version of the new release of %s: %s", p.Name, reading))
		if prev.VersionSource == octopus.VersionGiven {
			return resolved, fmt.Sprintf("version mask %s, given by the script: %s", version, reading), nil
		}
		return resolved, fmt.Sprintf("the server computes the version; its preview now is %s, %s", version, strings.TrimPrefix(reading, "the server resolves the mask "+version+" when it creates the release; ")), nil
	}
	switch prev.VersionSource {
	case octopus.VersionGiven:
		return version, fmt.Sprintf("version %s, given by the script", version), nil
	case octopus.VersionServer, octopus.VersionDonor:
		if version == "" {
			return placeholder("the server takes it from the donor package, whose version the plan cannot tell")
		}
		if pr := r.plannedRelease(p.ID, version); pr != nil {
			return placeholder(fmt.Sprintf("the server computes it after this plan's release %s (%s), which it cannot preview", version, pr.at))
		}
		what := "the server computes the version; its preview now is " + version
		if prev.VersionSource == octopus.VersionDonor {
			what = "the server takes the version from the donor package; its preview now is " + version
		}
		r.book.unknown(at, fmt.Sprintf("the version of the new release of %s: the server computes it when it creates the release; its preview now is %s", p.Name, version))
		return version, what, nil
	}
	return placeholder("the server computes it and gave no preview")
}

// automaticDeployments notes, and plans, the deployments the server
// starts by itself when a release enters its lifecycle's first phase.
func (r *Recorder) automaticDeployments(ctx context.Context, at string, p octopus.Project, rel octopus.Release, notes []string) ([]string, []string) {
	phases, ok := r.lifecycle(ctx, at, p, rel.ChannelID)
	if !ok || len(phases) == 0 || len(phases[0].Automatic) == 0 {
		return nil, notes
	}
	envs := phases[0].Automatic
	var tenants map[string][]string // environment -> tenants
	if p.TenantedMode == "Tenanted" {
		ts, err := r.Octopus.Tenants(ctx, octopus.TenantQuery{Project: p.ID})
		if err != nil {
			r.book.unknown(at, "the tenants the server deploys the new release of "+p.Name+" to automatically: "+err.Error())
			return nil, notes
		}
		tenants = map[string][]string{}
		for _, e := range envs {
			envID := r.environmentID(ctx, e)
			for _, t := range ts {
				if slices.Contains(t.Projects[p.ID], envID) {
					tenants[e] = append(tenants[e], t.Name)
				}
			}
		}
	}
	r.mu.Lock()
	for _, e := range envs {
		if tenants == nil {
			r.deployments = append(r.deployments, &plannedDeployment{release: rel, projectID: p.ID, environment: e})
		}
		for _, t := range tenants[e] {
			r.deployments = append(r.deployments, &plannedDeployment{release: rel, projectID: p.ID, environment: e, tenant: t})
		}
	}
	r.mu.Unlock()
	what := "the server then deploys it automatically to " + strings.Join(envs, ", ") + ", the lifecycle's first phase"
	if tenants != nil {
		what += ", for each connected tenant"
	}
	return envs, append(notes, what)
}

// Deploy records one deployment per environment and tenant. Each lists
// the steps it would run (the server's preview for a release that
// exists) and predicts the manual interventions it would stop at.
func (r *Recorder) Deploy(ctx context.Context, req octopus.DeployRequest) ([]octopus.Run, error) {
	at := octopus.Caller(ctx)
	p, err := r.project(ctx, req.Project)
	if err != nil {
		return nil, err
	}
	if req.Release.Version == "" {
		return nil, fmt.Errorf("deploying %s: no release version", p.Name)
	}
	envs, err := r.environmentNames(ctx, req.Environments)
	if err != nil {
		return nil, err
	}
	targets, err := r.tenantsFor(ctx, p, envs, req.Tenants, req.TenantTags)
	if err != nil {
		return nil, err
	}
	rel := req.Release
	var runs []octopus.Run
	for _, env := range envs {
		var notes []string
		if ok, why := r.allowed(ctx, at, p, rel, env); !ok {
			notes = append(notes, why)
			r.book.unknown(at, fmt.Sprintf("whether the lifecycle lets %s %s into %s: %s", p.Name, rel.Version, env, why))
		}
		prev, from := r.deploymentPreview(ctx, at, p, rel, env)
		steps := prev.Steps
		if pr := r.plannedRelease(p.ID, rel.Version); pr != nil && pr.rel.ID == rel.ID {
			notes = append(notes, "the release does not exist yet: this plan creates it at "+pr.at)
		}
		notes = append(notes, requestNotes(req.SkipSteps, req.At, req.Expires)...)
		if prev.GuidedFailure && req.GuidedFailure == nil {
			notes = append(notes, "guided failure is on: a failing step would wait for an answer")
		}
		for _, name := range prev.Prompts {
			if _, given := req.Variables[name]; !given {
				notes = append(notes, fmt.Sprintf("the prompted variable %q needs a value, and the script gives none", name))
			}
		}
		for _, tenant := range targets[env] {
			run := octopus.Run{Kind: octopus.KindDeployment, ID: r.book.nextID("Deployments"), TaskID: r.book.nextID("ServerTasks"),
				Project: p.Name, ProjectID: p.ID, Environment: env, Tenant: tenant, Release: rel}
			a := &Action{Kind: "deploy", At: at, Target: r.Target().Name, Project: p.Name, Release: rel.Version, ReleaseID: rel.ID,
				Channel: rel.Channel, Environment: env, Tenant: tenant, TaskID: run.TaskID, Why: req.Reason, StepsFrom: from,
				Steps: stepsOf(steps, req.SkipSteps), Notes: slices.Clone(notes)}
			a.Notes = append(a.Notes, r.predictInterventions(at, run, steps, req.SkipSteps, fmt.Sprintf("%s %s to %s", p.Name, rel.Version, describe(env, tenant)))...)
			r.mu.Lock()
			r.runs[run.TaskID] = &plannedRun{run: run}
			r.deployments = append(r.deployments, &plannedDeployment{release: rel, projectID: p.ID, environment: env, tenant: tenant, taskID: run.TaskID})
			r.mu.Unlock()
			r.book.record(a)
			runs = append(runs, run)
		}
	}
	return runs, nil
}

// RunRunbook records one runbook run per environment and tenant, with
// the steps of the snapshot it would run.
func (r *Recorder) RunRunbook(ctx context.Context, req octopus.RunbookRequest) ([]octopus.Run, error) {
	at := octopus.Caller(ctx)
	p, err := r.project(ctx, req.Project)
	if err != nil {
		return nil, err
	}
	envs, err := r.environmentNames(ctx, req.Environments)
	if err != nil {
		return nil, err
	}
	targets, err := r.tenantsFor(ctx, p, envs, req.Tenants, req.TenantTags)
	if err != nil {
		return nil, err
	}
	var runs []octopus.Run
	for _, env := range envs {
		prev := octopus.RunPreview{Runbook: req.Runbook, Snapshot: req.Snapshot}
		if r.pre != nil {
			got, err := r.pre.PreviewRunbookRun(ctx, p.Name, req.Runbook, req.Snapshot, env)
			switch {
			case err == nil:
				prev = got
			case refused(err):
				r.book.unknown(at, fmt.Sprintf("the steps of runbook %s of %s in %s: the server would not preview them: %v", req.Runbook, p.Name, env, err))
			default:
				return nil, err
			}
		} else {
			r.book.unknown(at, "the target cannot preview runbook runs, so their steps are not in this plan")
		}
		why := "the published snapshot, " + prev.Snapshot
		if req.Snapshot != "" {
			why = "snapshot " + prev.Snapshot + ", named by the script"
		}
		for _, tenant := range targets[env] {
			run := octopus.Run{Kind: octopus.KindRunbookRun, ID: r.book.nextID("RunbookRuns"), TaskID: r.book.nextID("ServerTasks"),
				Project: p.Name, ProjectID: p.ID, Environment: env, Tenant: tenant, Runbook: prev.Runbook, Snapshot: prev.Snapshot}
			a := &Action{Kind: "run_runbook", At: at, Target: r.Target().Name, Project: p.Name, Runbook: prev.Runbook, Snapshot: prev.Snapshot,
				Environment: env, Tenant: tenant, TaskID: run.TaskID, Why: why, StepsFrom: "process", Steps: stepsOf(prev.Steps, nil)}
			a.Notes = r.predictInterventions(at, run, prev.Steps, nil, fmt.Sprintf("runbook %s of %s in %s", prev.Runbook, p.Name, describe(env, tenant)))
			r.mu.Lock()
			r.runs[run.TaskID] = &plannedRun{run: run}
			r.mu.Unlock()
			r.book.record(a)
			runs = append(runs, run)
		}
	}
	return runs, nil
}

// predictInterventions makes the manual interventions a planned run
// would stop at, pending, for intervene() and interventions() to find.
func (r *Recorder) predictInterventions(at string, run octopus.Run, steps []octopus.PreviewStep, skip []string, what string) []string {
	var notes []string
	for _, s := range steps {
		if !s.Manual || skipped(s.Name, skip) {
			continue
		}
		iv := &octopus.Intervention{ID: r.book.nextID("Interruptions"), Title: s.Name, Kind: octopus.ManualIntervention,
			Project: run.Project, Environment: run.Environment, Tenant: run.Tenant, TaskID: run.TaskID, Pending: true}
		r.mu.Lock()
		r.interventions = append(r.interventions, iv)
		r.mu.Unlock()
		notes = append(notes, fmt.Sprintf("stops at the manual intervention %q until someone answers it; the plan assumes it is approved", s.Name))
		r.book.unknown(at, fmt.Sprintf("the manual intervention %q of %s does not exist yet: the plan predicts it from the process and assumes it is approved", s.Name, what))
	}
	return notes
}

// Intervene records the answer. The intervention may be pending on the
// server now or predicted by this plan; either way it is answered only
// in the plan.
func (r *Recorder) Intervene(ctx context.Context, ans octopus.InterventionAnswer) (octopus.Intervention, error) {
	at := octopus.Caller(ctx)
	r.mu.Lock()
	var iv octopus.Intervention
	predicted := IsPlanned(ans.ID)
	if predicted {
		i := slices.IndexFunc(r.interventions, func(x *octopus.Intervention) bool { return x.ID == ans.ID })
		if i < 0 {
			r.mu.Unlock()
			return octopus.Intervention{}, fmt.Errorf("answering intervention %s: this plan predicted no such intervention", ans.ID)
		}
		if !r.interventions[i].Pending {
			r.mu.Unlock()
			return octopus.Intervention{}, fmt.Errorf("answering intervention %s: the plan already answered it (%s)", ans.ID, r.interventions[i].Answered)
		}
		r.interventions[i].Pending, r.interventions[i].Answered = false, ans.Action
		iv = *r.interventions[i]
	} else {
		if r.answered[ans.ID] {
			r.mu.Unlock()
			return octopus.Intervention{}, fmt.Errorf("answering intervention %s: the plan already answered it", ans.ID)
		}
		r.answered[ans.ID] = true
		iv = r.seen[ans.ID]
		iv.ID, iv.Pending, iv.Answered = ans.ID, false, ans.Action
	}
	r.mu.Unlock()
	a := &Action{Kind: "intervene", At: at, Target: r.Target().Name, Project: iv.Project, Environment: iv.Environment, Tenant: iv.Tenant,
		Intervention: iv.Title, InterventionID: iv.ID, Answer: ans.Action, TaskID: iv.TaskID}
	if predicted {
		a.Why = "predicted: a deployment or runbook run this plan starts stops at this step"
	} else {
		a.Why = "pending on the server now"
	}
	if ans.Notes != "" {
		a.Notes = append(a.Notes, "with the notes "+fmt.Sprintf("%q", ans.Notes))
	}
	r.book.record(a)
	return iv, nil
}

// CancelTask records the cancellation; a planned task then reports
// Canceled.
func (r *Recorder) CancelTask(ctx context.Context, taskID string) error {
	r.mu.Lock()
	if pr, ok := r.runs[taskID]; ok {
		pr.canceled = true
	}
	r.mu.Unlock()
	r.book.record(&Action{Kind: "cancel", At: octopus.Caller(ctx), Target: r.Target().Name, TaskID: taskID,
		Why: "the script cancels it (fail_fast or cancel_on_timeout)"})
	return nil
}

// deploymentPreview previews a deployment, once per release and
// environment, and says where the steps come from. A preview that fails
// is noted, not fatal: the plan goes on without the steps.
func (r *Recorder) deploymentPreview(ctx context.Context, at string, p octopus.Project, rel octopus.Release, env string) (octopus.RunPreview, string) {
	if r.pre == nil {
		r.book.unknown(at, "the target cannot preview deployments, so their steps and manual interventions are not in this plan")
		return octopus.RunPreview{}, ""
	}
	key := rel.ID + "\x00" + strings.ToLower(env)
	r.mu.Lock()
	prev, ok := r.previews[key]
	r.mu.Unlock()
	if !ok {
		target := rel
		if IsPlanned(rel.ID) {
			target.ID = "" // not on the server: preview from the process it would snapshot
		}
		var err error
		if prev, err = r.pre.PreviewDeployment(ctx, p.Name, target, env); err != nil {
			r.book.unknown(at, fmt.Sprintf("the steps of %s %s in %s: the preview failed: %v", p.Name, rel.Version, env, err))
			return octopus.RunPreview{}, ""
		}
		r.mu.Lock()
		r.previews[key] = prev
		r.mu.Unlock()
	}
	if prev.FromServer {
		return prev, "server"
	}
	return prev, "process"
}

func stepsOf(steps []octopus.PreviewStep, skip []string) []Step {
	var out []Step
	for _, s := range steps {
		if skipped(s.Name, skip) {
			continue
		}
		out = append(out, Step{Number: s.Number, Name: s.Name, Manual: s.Manual, NoMachines: s.NoMachines})
	}
	return out
}

func skipped(step string, skip []string) bool {
	return slices.ContainsFunc(skip, func(s string) bool { return strings.EqualFold(s, step) })
}

// requestNotes are what a deployment request asks that a plan cannot
// show as steps.
func requestNotes(skip []string, start, expires time.Time) []string {
	var notes []string
	if len(skip) > 0 {
		notes = append(notes, "skips the steps "+strings.Join(skip, ", "))
	}
	if !start.IsZero() {
		notes = append(notes, "scheduled to start at "+start.UTC().Format(time.RFC3339)+"; the plan assumes it runs at once")
	}
	if !expires.IsZero() {
		notes = append(notes, "must start before "+expires.UTC().Format(time.RFC3339))
	}
	return notes
}

// refused reports whether a preview failed because the server answered
// with an error (no permission to read the process, a version-controlled
// project, ...): the plan then goes on without it. Other failures (a
// name that does not resolve, an unreachable server) would fail the run
// too, so they fail the plan.
func refused(err error) bool {
	var api *octopus.APIError
	return errors.As(err, &api)
}

func describe(env, tenant string) string {
	if tenant != "" {
		return env + " for " + tenant
	}
	return env
}

// Now is the plan's time: the wall clock, plus every sleep the script
// took (see Sleep).
func (r *Recorder) Now() time.Time {
	r.book.mu.Lock()
	defer r.book.mu.Unlock()
	return time.Now().Add(r.book.slept)
}

// Sleep takes no time: it moves the plan's clock on. Nothing the plan
// made changes while a script waits, so a plan that really waited (for
// an intervention to appear, say) would only cost the user the wait.
// Each sleep at one script line lasts at least as long as all the
// earlier ones there together (a clock may sleep longer than asked), so
// a wait of any length ends after a few dozen looks at the server, not
// one look per poll interval. What others might do on the server in
// that time is noted as unknown.
func (r *Recorder) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	at := octopus.Caller(ctx)
	r.book.mu.Lock()
	step := max(d, r.book.sleptAt[at], 0)
	r.book.sleptAt[at] += step
	r.book.slept += step
	r.book.mu.Unlock()
	r.book.unknown(at, "whether something appears on the server while the script waits here: the plan does not wait, so only what is there now, or planned, counts")
	return nil
}
