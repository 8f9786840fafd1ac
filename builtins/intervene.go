package builtins

import (
	"fmt"
	"strings"
	"time"

	"go.starlark.net/starlark"

	"github.com/octostar/octostar/internal/octopus"
	"github.com/octostar/octostar/interp"
)

var interveneSpec = &interp.Spec{
	Name:    "intervene",
	Group:   GroupActions,
	Mutates: true,
	Doc: "Answers pending interventions, as PROCEED or ABORT in the web UI: it takes responsibility, then submits. " +
		"proceed and abort answer manual interventions; retry, ignore, exclude and fail answer guided failures. of selects " +
		"the run (a deployment, a runbook run or a task ID); with of=None the filters select pending interventions anywhere " +
		"in the space, across projects. With wait, it waits that long for a matching intervention to appear, and fails " +
		"early when of is a run that ends first. A skipped run has nothing to answer. Returns the interventions it answered.",
	Params: []interp.Param{
		{Name: "of", Type: "deployment | runbook_run | str | None", Doc: "the run or task whose interventions to answer, or None"},
		{Name: "action", Type: "str", Doc: "proceed, abort, retry, ignore, exclude or fail"},
		{Name: "notes", Type: "str | None", Default: "None", KeywordOnly: true, Doc: "notes recorded with the answer (a change number, say)"},
		{Name: "project", Type: "str | None", Default: "None", KeywordOnly: true, Doc: "only interventions of this project"},
		{Name: "environment", Type: "str | None", Default: "None", KeywordOnly: true, Doc: "only interventions in this environment"},
		{Name: "tenant", Type: "str | None", Default: "None", KeywordOnly: true, Doc: "only interventions for this tenant"},
		{Name: "step", Type: "str | None", Default: "None", KeywordOnly: true, Doc: "only interventions whose step title matches"},
		{Name: "wait", Type: "str | duration | None", Default: "None", KeywordOnly: true, Doc: "wait up to this long for one to appear"},
	},
	Returns: "list[intervention]",
	Example: `answered = intervene(None, "proceed", project = "Payments API", notes = "CAB-123")`,
}

var actions = []string{"proceed", "abort", "retry", "ignore", "exclude", "fail"}

func init() { interveneSpec.Impl = interveneImpl }

func interveneImpl(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var (
		of                           starlark.Value
		action, notes, step          string
		project, environment, tenant nameRef
		wait                         Duration
		run                          *trackedRun // of, when it is a run this script started
	)
	if err := interveneSpec.UnpackArgs(args, kwargs, &of, &action, &notes, &project, &environment, &tenant, &step, &wait); err != nil {
		return nil, err
	}
	action = strings.ToLower(action)
	if err := oneOf("action", action, actions...); err != nil {
		return nil, fmt.Errorf("%s: %v", b.Name(), err)
	}
	env, oct, err := octo(th, b)
	if err != nil {
		return nil, err
	}
	q := octopus.InterventionQuery{Project: string(project), Environment: string(environment), Tenant: string(tenant), Step: step, PendingOnly: true}
	switch x := of.(type) {
	case nil, starlark.NoneType:
		if q.Project == "" && q.Environment == "" && q.Tenant == "" && q.Step == "" {
			env.Log.Warn().Str("at", position(th)).Msg("intervene(None, ...) with no filter answers every pending intervention in the space")
		}
	case starlark.String:
		if strings.TrimSpace(string(x)) == "" {
			return nil, fmt.Errorf("%s: for parameter of: got an empty task ID; pass None to answer interventions anywhere in the space", b.Name())
		}
		q.TaskID = string(x)
	case *Record:
		tr, ok := x.payload.(*trackedRun)
		if !ok {
			return nil, fmt.Errorf("%s: for parameter of: got %s, want a deployment, a runbook_run, a task ID or None", b.Name(), x.kind)
		}
		if tr.skipped {
			// It started no task, so it has nothing to answer; with no
			// task ID the query would reach every run in the space.
			return recordList([]octopus.Intervention(nil), interventionValue), nil
		}
		q.TaskID = tr.run.TaskID
		oct = tr.oct
		run = tr
	default:
		return nil, fmt.Errorf("%s: for parameter of: got %s, want a deployment, a runbook_run, a task ID or None", b.Name(), of.Type())
	}
	ctx := callCtx(th)
	clock := octopus.ClockOf(oct)
	deadline := clock.Now().Add(time.Duration(wait))
	interval := max(env.PollMin, 10*time.Millisecond)
	var pending []octopus.Intervention
	for {
		pending, err = oct.Interventions(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", b.Name(), err)
		}
		if len(pending) > 0 || wait <= 0 || clock.Now().After(deadline) {
			break
		}
		// A run that has ended can stop at nothing more: say so now
		// rather than at the end of the wait. TaskState, not the shared
		// poller: a journal records it, so a resumed run decides alike.
		if run != nil {
			state, err := oct.TaskState(ctx, run.run.TaskID)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", b.Name(), err)
			}
			if state.Done() {
				return nil, fmt.Errorf("%s: %s ended %s without a matching intervention", b.Name(), run.describe(), state)
			}
		}
		if err := clock.Sleep(ctx, min(interval, deadline.Sub(clock.Now()))); err != nil {
			return nil, fmt.Errorf("%s: %s while waiting for an intervention", b.Name(), interp.CauseText(ctx))
		}
		interval = min(interval*3/2, max(env.PollMax, env.PollMin))
	}
	if len(pending) == 0 && wait > 0 {
		return nil, fmt.Errorf("%s: no matching intervention appeared within %s", b.Name(), time.Duration(wait))
	}
	// Answer only the kind the action is for: proceed never meets a
	// guided failure halfway through a list.
	kind := octopus.ManualIntervention
	if action != "proceed" && action != "abort" {
		kind = octopus.GuidedFailure
	}
	matching := pending[:0:0]
	for _, iv := range pending {
		if iv.Kind == kind {
			matching = append(matching, iv)
		}
	}
	if len(matching) < len(pending) {
		env.Log.Warn().Str("at", position(th)).Int("skipped", len(pending)-len(matching)).
			Msgf("%s answers only %s interventions; left the others pending", action, strings.ReplaceAll(string(kind), "_", " "))
	}
	var answered []octopus.Intervention
	for _, iv := range matching {
		done, err := oct.Intervene(ctx, octopus.InterventionAnswer{ID: iv.ID, Action: action, Notes: notes})
		if err != nil {
			msg := fmt.Sprintf("%s: %v", b.Name(), err)
			if len(answered) > 0 {
				var ids []string
				for _, a := range answered {
					ids = append(ids, a.ID)
				}
				msg += "; already answered: " + strings.Join(ids, ", ")
			}
			return nil, fmt.Errorf("%s", msg)
		}
		env.logAction(th, "intervene", map[string]string{"intervention": done.ID, "title": done.Title, "answer": action,
			"project": done.Project, "environment": done.Environment, "tenant": done.Tenant, "task": done.TaskID, "target": oct.Target().Name}, nil)
		answered = append(answered, done)
	}
	return recordList(answered, interventionValue), nil
}

var interventionsSpec = &interp.Spec{
	Name:  "interventions",
	Group: GroupQueries,
	Doc:   "Lists the pending interventions (manual interventions and guided failures), optionally of a project or environment.",
	Params: []interp.Param{
		{Name: "project", Type: "str | None", Default: "None", Doc: "only this project's"},
		{Name: "environment", Type: "str | None", Default: "None", Doc: "only this environment's"},
	},
	Returns: "list[intervention]",
	Example: `for i in interventions(environment = "Production"):
    print(i.project, i.title)`,
}

func init() { interventionsSpec.Impl = interventionsImpl }

func interventionsImpl(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var project, environment nameRef
	if err := interventionsSpec.UnpackArgs(args, kwargs, &project, &environment); err != nil {
		return nil, err
	}
	_, oct, err := octo(th, b)
	if err != nil {
		return nil, err
	}
	ivs, err := oct.Interventions(callCtx(th), octopus.InterventionQuery{Project: string(project), Environment: string(environment), PendingOnly: true})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return recordList(ivs, interventionValue), nil
}
