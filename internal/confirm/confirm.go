// Package confirm stands in front of a target's Octopus implementation
// in the REPL and asks before every call that would change the server.
//
// Reads go straight through (the wrapper embeds the inner interface), so
// exploring never prompts. Each write is described in a release
// manager's words ("deploy Payments API 1.2.0 to Production?") and sent
// only on a yes; a no fails the builtin with ErrDeclined before any
// request leaves, and the session goes on.
package confirm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/octostar/octostar/internal/octopus"
)

// ErrDeclined is the error of a call the user said no to.
var ErrDeclined = errors.New("declined at the prompt: nothing was sent")

// Asker puts one yes/no question to the user. Anything but a clear yes
// (an error, an interrupt, the end of input) must come back as false.
type Asker func(ctx context.Context, question string) bool

// Octopus asks before each write and delegates everything else.
type Octopus struct {
	octopus.Octopus
	ask Asker

	// mu serializes questions: a wait that cancels several tasks may
	// call CancelTask from more than one goroutine, and one terminal can
	// hold only one question at a time.
	mu sync.Mutex
	// What the reads and writes that went through said, to describe
	// later writes by name instead of by ID.
	seenMu        sync.Mutex
	interventions map[string]octopus.Intervention
	tasks         map[string]octopus.Run
}

// Wrap returns inner behind a confirmation prompt.
func Wrap(inner octopus.Octopus, ask Asker) *Octopus {
	return &Octopus{Octopus: inner, ask: ask, interventions: map[string]octopus.Intervention{}, tasks: map[string]octopus.Run{}}
}

func (o *Octopus) confirm(ctx context.Context, question string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	if !o.ask(ctx, question) {
		return ErrDeclined
	}
	return nil
}

// Interventions remembers what it returns, so that answering one can be
// described by its title, project and environment.
func (o *Octopus) Interventions(ctx context.Context, q octopus.InterventionQuery) ([]octopus.Intervention, error) {
	ivs, err := o.Octopus.Interventions(ctx, q)
	o.seenMu.Lock()
	for _, iv := range ivs {
		o.interventions[iv.ID] = iv
	}
	o.seenMu.Unlock()
	return ivs, err
}

// CreateRelease asks, then creates.
func (o *Octopus) CreateRelease(ctx context.Context, r octopus.CreateReleaseRequest) (octopus.Release, error) {
	if err := o.confirm(ctx, CreateReleaseQuestion(r)); err != nil {
		return octopus.Release{}, err
	}
	return o.Octopus.CreateRelease(ctx, r)
}

// Deploy asks, then deploys.
func (o *Octopus) Deploy(ctx context.Context, r octopus.DeployRequest) ([]octopus.Run, error) {
	if err := o.confirm(ctx, DeployQuestion(r)); err != nil {
		return nil, err
	}
	runs, err := o.Octopus.Deploy(ctx, r)
	o.remember(runs)
	return runs, err
}

// RunRunbook asks, then runs.
func (o *Octopus) RunRunbook(ctx context.Context, r octopus.RunbookRequest) ([]octopus.Run, error) {
	if err := o.confirm(ctx, RunbookQuestion(r)); err != nil {
		return nil, err
	}
	runs, err := o.Octopus.RunRunbook(ctx, r)
	o.remember(runs)
	return runs, err
}

// Intervene asks, then answers.
func (o *Octopus) Intervene(ctx context.Context, a octopus.InterventionAnswer) (octopus.Intervention, error) {
	o.seenMu.Lock()
	iv, known := o.interventions[a.ID]
	o.seenMu.Unlock()
	if !known {
		iv = octopus.Intervention{ID: a.ID}
	}
	if err := o.confirm(ctx, InterventionQuestion(a, iv)); err != nil {
		return octopus.Intervention{}, err
	}
	return o.Octopus.Intervene(ctx, a)
}

// CancelTask asks, then cancels.
func (o *Octopus) CancelTask(ctx context.Context, taskID string) error {
	o.seenMu.Lock()
	run, known := o.tasks[taskID]
	o.seenMu.Unlock()
	if !known {
		run = octopus.Run{TaskID: taskID}
	}
	if err := o.confirm(ctx, CancelQuestion(run)); err != nil {
		return err
	}
	return o.Octopus.CancelTask(ctx, taskID)
}

func (o *Octopus) remember(runs []octopus.Run) {
	o.seenMu.Lock()
	defer o.seenMu.Unlock()
	for _, r := range runs {
		if r.TaskID != "" {
			o.tasks[r.TaskID] = r
		}
	}
}

// CreateReleaseQuestion describes a release creation.
func CreateReleaseQuestion(r octopus.CreateReleaseRequest) string {
	var b strings.Builder
	if r.Version != "" {
		fmt.Fprintf(&b, "create release %s of %s", r.Version, r.Project)
	} else {
		fmt.Fprintf(&b, "create release of %s (version chosen by the server)", r.Project)
	}
	if r.Channel != "" {
		fmt.Fprintf(&b, " in channel %s", r.Channel)
	}
	if r.PackageVersion != "" {
		fmt.Fprintf(&b, " with packages at %s", r.PackageVersion)
	}
	if r.IfExists == "reuse" {
		b.WriteString(", or reuse it if it exists")
	}
	return b.String() + "?"
}

// DeployQuestion describes a deployment request.
func DeployQuestion(r octopus.DeployRequest) string {
	var b strings.Builder
	project := firstNonEmpty(r.Release.Project, r.Project)
	fmt.Fprintf(&b, "deploy %s %s to %s", project, r.Release.Version, andList(r.Environments))
	b.WriteString(tenantsPhrase(r.Tenants, r.TenantTags))
	if r.ForceRedeploy {
		b.WriteString(", forcing a redeployment")
	}
	if !r.At.IsZero() {
		fmt.Fprintf(&b, ", starting at %s", r.At.UTC().Format(time.RFC3339))
	}
	return b.String() + "?"
}

// RunbookQuestion describes a runbook run.
func RunbookQuestion(r octopus.RunbookRequest) string {
	var b strings.Builder
	fmt.Fprintf(&b, "run runbook %s of %s in %s", r.Runbook, r.Project, andList(r.Environments))
	b.WriteString(tenantsPhrase(r.Tenants, r.TenantTags))
	if r.Snapshot != "" {
		fmt.Fprintf(&b, " (snapshot %s)", r.Snapshot)
	}
	return b.String() + "?"
}

// InterventionQuestion describes an answer to an intervention; iv is
// what is known of it (at least its ID).
func InterventionQuestion(a octopus.InterventionAnswer, iv octopus.Intervention) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s ", a.Action)
	if iv.Title != "" {
		fmt.Fprintf(&b, "%q", iv.Title)
	} else {
		b.WriteString("the intervention")
	}
	if iv.Project != "" {
		fmt.Fprintf(&b, " of %s", iv.Project)
	}
	if iv.Environment != "" {
		fmt.Fprintf(&b, " in %s", iv.Environment)
	}
	if iv.Tenant != "" {
		fmt.Fprintf(&b, " for %s", iv.Tenant)
	}
	fmt.Fprintf(&b, " (%s)?", a.ID)
	return b.String()
}

// CancelQuestion describes cancelling a task; run is what is known of
// the run it belongs to (at least the task ID).
func CancelQuestion(run octopus.Run) string {
	var what string
	switch {
	case run.Kind == octopus.KindDeployment:
		what = fmt.Sprintf("the deployment of %s %s to %s", run.Project, run.Release.Version, run.Environment)
	case run.Kind == octopus.KindRunbookRun:
		what = fmt.Sprintf("runbook %s of %s in %s", run.Runbook, run.Project, run.Environment)
	default:
		return fmt.Sprintf("cancel task %s?", run.TaskID)
	}
	if run.Tenant != "" {
		what += " for " + run.Tenant
	}
	return fmt.Sprintf("cancel %s (%s)?", what, run.TaskID)
}

func tenantsPhrase(tenants, tags []string) string {
	switch {
	case len(tenants) == 1 && tenants[0] == "*":
		return " for every connected tenant"
	case len(tenants) > 0:
		return " for " + andList(tenants)
	case len(tags) > 0:
		return " for the tenants tagged " + andList(tags)
	}
	return ""
}

// andList joins names as a sentence does: "A", "A and B", "A, B and C".
func andList(items []string) string {
	switch len(items) {
	case 0:
		return "(none)"
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
