package octosim

import (
	"net/http"
	"strings"
	"time"
)

// Deployments and runbook runs are both executions: a frozen process run
// by a server task in one environment, for at most one tenant. Real
// Octopus asks for, stores, lists and permission-checks them the same way,
// so what the two share lives here once; deployments.go and
// runbookruns.go keep only what is particular to each (releases and
// lifecycles, runbooks and snapshots).

// The v1 commands (deployments/create/..., runbook-runs/create/v1).

// executionCommand is the part of the v1 deploy and runbook-run bodies
// they share (go-client's CreateExecutionAbstractCommandV1). JSON names
// match case-insensitively, so go-client's camelCase fills them.
type executionCommand struct {
	SpaceID                        string            `json:"SpaceId"`
	SpaceIDOrName                  string            `json:"SpaceIdOrName"`
	ProjectName                    string            `json:"ProjectName"`
	ForcePackageDownload           bool              `json:"ForcePackageDownload"`
	SpecificMachineNames           []string          `json:"SpecificMachineNames"`
	ExcludedMachineNames           []string          `json:"ExcludedMachineNames"`
	SpecificTargetTagNames         []string          `json:"SpecificTargetTagNames"`
	ExcludedTargetTagNames         []string          `json:"ExcludedTargetTagNames"`
	SkipStepNames                  []string          `json:"SkipStepNames"`
	UseGuidedFailure               *bool             `json:"UseGuidedFailure"`
	RunAt                          string            `json:"RunAt"`
	NoRunAfter                     string            `json:"NoRunAfter"`
	Variables                      map[string]string `json:"Variables"`
	Priority                       string            `json:"Priority"`
	DebugMode                      string            `json:"DebugMode"`
	DeploymentFreezeNames          []string          `json:"DeploymentFreezeNames"`
	DeploymentFreezeOverrideReason string            `json:"DeploymentFreezeOverrideReason"`
}

// projectCommand is a v1 command body that names its project
// (deployments/create/..., runbook-runs/create/v1, releases/create/v1).
type projectCommand interface {
	projectName() string
}

func (c *executionCommand) projectName() string     { return c.ProjectName }
func (c *createReleaseCommand) projectName() string { return c.ProjectName }

// runProjectCommand decodes a v1 command into cmd and, in one write, finds
// the project it names and checks the caller may view it before fn acts:
// the same start, and the same 404s and 403s, for every v1 command.
func runProjectCommand(c *call, cmd projectCommand, fn func(o *op, p *Project) (int, any, error)) (int, any, error) {
	if err := c.decode(cmd); err != nil {
		return 0, nil, err
	}
	return c.write(func(o *op) (int, any, error) {
		p, err := resolveProject(o, cmd.projectName())
		if err != nil {
			return 0, nil, err
		}
		if err := o.require(ProjectView, kProjects.scope(o, p)); err != nil {
			return 0, nil, err
		}
		return fn(o, p)
	})
}

// resolveProject finds the project an execution command names (ID, slug
// or name).
func resolveProject(o *op, ident string) (*Project, error) {
	if strings.TrimSpace(ident) == "" {
		return nil, badRequest("The project must be specified.")
	}
	if p, ok := kProjects.Lookup(o, ident); ok {
		return p, nil
	}
	if p, ok := kProjects.byName(o, ident); ok {
		return p, nil
	}
	return nil, &apiError{Status: http.StatusNotFound, Message: "Project named '" + ident + "' was not found."}
}

// resolveEnvironment finds an environment by name or ID.
func resolveEnvironment(o *op, ident string) (*Environment, error) {
	if e, ok := kEnvironments.byIDOrName(o, ident); ok {
		return e, nil
	}
	return nil, &apiError{Status: http.StatusNotFound, Message: "Environment named '" + ident + "' was not found."}
}

// parseWhen reads a RunAt/NoRunAfter value (DateTimeOffset text; without
// an offset it is taken as UTC).
func parseWhen(field, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, timeLayout, "2006-01-02T15:04:05.000Z07:00", "2006-01-02T15:04:05",
		"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02", "2006-01-02 15:04:05Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, badRequest("The value '%s' for %s is not a valid date and time.", s, field)
}

// execOptions turns the shared fields of a v1 command into the request
// each of its targets starts from (env and tenant are the target's; see
// execRequest.at). Unknown step names and excluded machines only warn (in
// the task log).
func execOptions(o *op, cmd *executionCommand, steps []*Step) (execRequest, error) {
	req := execRequest{useGuidedFailure: cmd.UseGuidedFailure, forceDownload: cmd.ForcePackageDownload,
		formValues: cmd.Variables, priority: cmd.Priority}
	if len(cmd.SpecificMachineNames) > 0 {
		return req, badRequest("The machine '%s' could not be found. The simulated server has no deployment targets.", cmd.SpecificMachineNames[0])
	}
	for _, name := range cmd.SkipStepNames {
		found := false
		for _, s := range steps {
			for _, a := range s.Actions {
				if strings.EqualFold(s.Name, name) || strings.EqualFold(a.Name, name) {
					req.skipActions = append(req.skipActions, a.ID)
					found = true
				}
			}
		}
		if !found {
			req.notes = append(req.notes, logLine{o.now, catWarning, "The step '" + name + "' was asked to be skipped, but the process has no step of that name."})
		}
	}
	for _, name := range cmd.ExcludedMachineNames {
		req.notes = append(req.notes, logLine{o.now, catWarning, "The machine '" + name + "' could not be found, so it could not be excluded."})
	}
	var err error
	if req.queueTime, err = parseWhen("RunAt", cmd.RunAt); err != nil {
		return req, err
	}
	if req.expiry, err = parseWhen("NoRunAfter", cmd.NoRunAfter); err != nil {
		return req, err
	}
	if !req.expiry.IsZero() && !req.queueTime.IsZero() && !req.expiry.After(req.queueTime) {
		return req, badRequest("NoRunAfter must be later than RunAt.")
	}
	return req, nil
}

// Targets: where a command or POST asks to deploy or run, and the checks
// every target passes before anything starts.

// execTarget is one environment (and tenant) a command or POST asks to
// deploy or run in.
type execTarget struct {
	env    *Environment
	tenant *Tenant
}

// scope is the permission scope a deployment or run of the project at the
// target would have.
func (tg execTarget) scope(o *op, projectID string) Scope {
	var tid *string
	if tg.tenant != nil {
		tid = &tg.tenant.ID
	}
	return execScope(o, projectID, tg.env.ID, tid)
}

// execScope is the permission scope of a deployment or run. Untenanted is
// set without a tenant, so that a role restricted to tenants does not
// cover it.
func execScope(o *op, projectID, envID string, tenantID *string) Scope {
	sc := o.projectScope(projectID, envID, deref(tenantID))
	sc.Untenanted = tenantID == nil
	return sc
}

// pickTenants resolves a command's Tenants (by name or ID; "*" is every
// tenant connected to the project in the environment) and TenantTags (the
// connected tenants carrying them), each tenant once, in that order. With
// a channel, only tenants fitting its tenant tags count; strict refuses a
// named tenant that is not connected or does not fit (deployments), where
// runbook runs leave the connection to their per-target check.
func pickTenants(o *op, p *Project, e *Environment, names, tags []string, ch *Channel, strict bool) ([]*Tenant, error) {
	var out []*Tenant
	seen := map[string]bool{}
	add := func(t *Tenant) {
		if !seen[t.ID] {
			seen[t.ID] = true
			out = append(out, t)
		}
	}
	fits := func(t *Tenant) bool { return ch == nil || tenantMatchesTags(t, ch.TenantTags) }
	for _, n := range names {
		if strings.TrimSpace(n) == "*" {
			for _, t := range connectedTenants(o, p.ID, e.ID) {
				if fits(t) {
					add(t)
				}
			}
			continue
		}
		t, ok := kTenants.byIDOrName(o, n)
		if !ok {
			return nil, &apiError{Status: http.StatusNotFound, Message: "Tenant named '" + n + "' was not found."}
		}
		if strict && !containsFold(t.ProjectEnvironments[p.ID], e.ID) {
			return nil, badRequest("The tenant '%s' is not connected to the project '%s' in the environment '%s'.", t.Name, p.Name, e.Name)
		}
		if strict && !fits(t) {
			return nil, badRequest("The tenant '%s' does not match the tenant tags of the channel '%s'.", t.Name, ch.Name)
		}
		add(t)
	}
	if len(tags) > 0 {
		want := canonicalTagList(o, tags)
		for _, t := range connectedTenants(o, p.ID, e.ID) {
			if fits(t) && tenantMatchesTags(t, want) {
				add(t)
			}
		}
	}
	return out, nil
}

// checkTargets checks every target before any is started, so that one
// refusal leaves nothing started, then, when anything would start, the
// required prompted variables (after permissions, as Octopus does).
func checkTargets(o *op, p *Project, targets []execTarget, variables map[string]string, check func(execTarget) error) error {
	for _, tg := range targets {
		if err := check(tg); err != nil {
			return err
		}
	}
	if len(targets) == 0 {
		return nil
	}
	return checkPrompts(o, p, variables)
}

// classicTarget looks up the EnvironmentId and TenantId ("": untenanted)
// of a classic POST body; unknown ones are the client's mistake (400).
func classicTarget(o *op, envID, tenantID string) (execTarget, error) {
	e, ok := kEnvironments.get(o, envID)
	if !ok {
		return execTarget{}, badRequest("The environment '%s' does not exist.", envID)
	}
	tg := execTarget{env: e}
	if tenantID != "" {
		if tg.tenant, ok = kTenants.get(o, tenantID); !ok {
			return execTarget{}, badRequest("The tenant '%s' does not exist.", tenantID)
		}
	}
	return tg, nil
}

// Starting: what a deployment and a run derive alike from their request.

// execRequest is what a deployment or runbook run is started with, however
// it was asked for (v1 command, classic POST, seed, automatic deployment).
// deployRequest and runRequest embed it.
type execRequest struct {
	env              *Environment
	tenant           *Tenant
	useGuidedFailure *bool
	forceDownload    bool
	skipActions      []string
	excludedMachines []string
	queueTime        time.Time
	expiry           time.Time
	formValues       map[string]string
	comments         string
	priority         string
	notes            []logLine
}

// at is the request for one target of a command: the same options, in the
// target's environment and for its tenant.
func (req *execRequest) at(tg execTarget) execRequest {
	r := *req
	r.env, r.tenant = tg.env, tg.tenant
	return r
}

// setQueueWindow takes a classic POST body's QueueTime and QueueTimeExpiry
// (nil: none) as the request's times, in UTC like every stored time.
func (req *execRequest) setQueueWindow(queueTime, expiry *Timestamp) {
	if queueTime != nil {
		req.queueTime = queueTime.UTC()
	}
	if expiry != nil {
		req.expiry = expiry.UTC()
	}
}

// execDefaults are the values a new deployment or run derives from its
// request in the same way, so that both documents and their tasks agree
// on them.
type execDefaults struct {
	tenantID   string  // the task's TenantId: "" when untenanted
	tenantPtr  *string // the document's TenantId: null when untenanted
	by         string  // DeployedBy
	byID       *string // DeployedById
	priority   string
	comments   *string
	formValues map[string]string
	skip       map[string]bool // skipActions as a set, for the engine
	queued     time.Time       // the task's QueueTime
}

// defaults fills in what the request left open. system marks an automatic
// deployment, which is "System"'s even inside a user's request.
func (req *execRequest) defaults(o *op, system bool) execDefaults {
	d := execDefaults{by: "System", priority: req.priority, formValues: req.formValues,
		skip: map[string]bool{}, queued: o.now}
	if req.tenant != nil {
		d.tenantID = req.tenant.ID
		d.tenantPtr = strp(d.tenantID)
	}
	if !system && o.who != nil && o.who.user != nil {
		d.by, d.byID = o.who.user.Username, strp(o.who.user.ID)
	}
	if d.priority == "" {
		d.priority = "LifecycleDefault"
	}
	if req.comments != "" {
		d.comments = strp(req.comments)
	}
	if d.formValues == nil {
		d.formValues = map[string]string{}
	}
	for _, a := range req.skipActions {
		d.skip[a] = true
	}
	if !req.queueTime.IsZero() {
		d.queued = req.queueTime
	}
	return d
}

// forTenant is the " for Tenant" that deployment and task names end with
// when they are tenanted.
func forTenant(t *Tenant) string {
	if t == nil {
		return ""
	}
	return " for " + t.Name
}

// guidedFailureFor resolves "use the default" for guided failure mode.
func guidedFailureFor(mode string, env *Environment, asked *bool) bool {
	if asked != nil {
		return *asked
	}
	switch mode {
	case "On":
		return true
	case "Off":
		return false
	}
	return env != nil && env.UseGuidedFailure
}

// Answers.

// answerCreated is a classic POST's answer: 201 with the document as it
// reads after afterChange, which may already have moved its task on (with
// instant tasks it has finished).
func answerCreated[T entity](o *op, k *kind[T], id string) (int, any, error) {
	afterChange(o)
	cur, _ := k.get(o, id)
	return http.StatusCreated, cur, nil
}

// execMatches applies the list filters deployments and runbook runs share:
// ids, the ID-valued parameters in byParam (projects, environments, ...;
// parameter to the document's value), taskState and partialName.
// Visibility is the caller's check.
func execMatches(o *op, q listQuery, id, name, taskID string, byParam map[string]string) bool {
	if !q.matchID(id) {
		return false
	}
	for param, val := range byParam {
		if want := q.list(param); len(want) > 0 && !containsFold(want, val) {
			return false
		}
	}
	if states := q.list("taskState"); len(states) > 0 && !containsFold(states, o.st.x.taskState(taskID)) {
		return false
	}
	if pn := q.PartialName; pn != "" && !strings.Contains(strings.ToLower(name), strings.ToLower(pn)) {
		return false
	}
	return true
}

// listExecs answers GET /deployments and /runbookRuns: the documents of
// pool that match, newest first (the kind's order), paged under the
// kind's template.
func listExecs[T entity](c *call, k *kind[T], pool func(o *op, q listQuery) []T, match func(o *op, v T, q listQuery) bool) (int, any, error) {
	q, err := c.listQuery()
	if err != nil {
		return 0, nil, err
	}
	return c.read(func(o *op) (int, any, error) {
		if err := o.requireAny(k.View); err != nil {
			return 0, nil, err
		}
		items := []T{}
		for _, v := range pool(o, q) {
			if match(o, v, q) {
				items = append(items, v)
			}
		}
		k.sort(items)
		return http.StatusOK, paginate(items, q, k.ItemType, c.r.URL.Path, k.template(o.spaceID)), nil
	})
}
