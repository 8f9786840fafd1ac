// Package plan makes dry runs. A Recorder stands in front of a target's
// live Octopus implementation: reads go to the server, writes are
// recorded as actions instead of sent, and the script goes on with
// plausible results on the path where everything succeeds. A Book
// collects what every Recorder of one run recorded; Assemble turns it,
// with the skips the builtins logged, into the Plan that `octostar plan`
// prints and writes as JSON (docs/plans.md).
//
// Plan and run share every builtin: only the Octopus implementation
// differs, so a plan cannot drift from the run it previews.
package plan

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/octostar/octostar/internal/octopus"
)

// idPrefix marks the IDs of planned objects. Octopus IDs never hold a
// colon ("Releases-12", "ServerTasks-3"), so a planned ID cannot clash
// with one the server handed out.
const idPrefix = "planned:"

// IsPlanned reports whether an ID names a planned object.
func IsPlanned(id string) bool { return strings.HasPrefix(id, idPrefix) }

// Book is one plan in the making, shared by the Recorders of every
// target a run uses, so that their actions stay in script order.
type Book struct {
	mu        sync.Mutex
	counters  map[string]int
	actions   []*Action
	unknowns  []Unknown
	recorders []*Recorder
	// slept is how far the plan's clock has run ahead of the wall clock
	// (see Recorder.Sleep).
	slept   time.Duration
	sleptAt map[string]time.Duration // by script line
}

// NewBook starts an empty plan.
func NewBook() *Book { return &Book{counters: map[string]int{}, sleptAt: map[string]time.Duration{}} }

// Wrap returns a Recorder in front of inner that records into the book:
// the wrapper to give every target's live client.
func (b *Book) Wrap(inner octopus.Octopus) octopus.Octopus { return b.Recorder(inner) }

// Recorder returns a Recorder in front of inner that records into b.
func (b *Book) Recorder(inner octopus.Octopus) *Recorder {
	r := newRecorder(b, inner)
	b.mu.Lock()
	b.recorders = append(b.recorders, r)
	b.mu.Unlock()
	return r
}

// nextID makes a planned ID such as "planned:Releases-1".
func (b *Book) nextID(kind string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.counters[kind]++
	return fmt.Sprintf("%s%s-%d", idPrefix, kind, b.counters[kind])
}

func (b *Book) record(a *Action) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.actions = append(b.actions, a)
}

// unknown notes something the plan could not know, once.
func (b *Book) unknown(at, what string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	u := Unknown{At: at, What: what}
	if !slices.Contains(b.unknowns, u) {
		b.unknowns = append(b.unknowns, u)
	}
}

// Action is one change the script would make, or one it would skip.
// The JSON field names are part of octostar's interface (docs/plans.md).
type Action struct {
	N      int    `json:"n"`
	Kind   string `json:"kind"` // create_release, deploy, run_runbook, intervene, cancel or skip
	At     string `json:"at"`   // the script line, "file.star:12"
	Target string `json:"target"`

	Project     string `json:"project,omitempty"`
	Release     string `json:"release,omitempty"`   // version
	ReleaseID   string `json:"releaseId,omitempty"` // the server's, or planned:Releases-N
	Channel     string `json:"channel,omitempty"`
	Environment string `json:"environment,omitempty"`
	Tenant      string `json:"tenant,omitempty"`
	Runbook     string `json:"runbook,omitempty"`
	Snapshot    string `json:"snapshot,omitempty"`
	// Intervention is the title of the intervention answered.
	Intervention   string `json:"intervention,omitempty"`
	InterventionID string `json:"interventionId,omitempty"`
	Answer         string `json:"answer,omitempty"`
	TaskID         string `json:"taskId,omitempty"`
	// Automatic lists the environments the server deploys a new
	// release to by itself: its lifecycle's first phase.
	Automatic []string `json:"automatic,omitempty"`
	// Reuses is set when create_release would return a release that
	// exists already (if_exists="reuse"): nothing is created.
	Reuses bool `json:"reuses,omitempty"`

	// Why says how the release, version or answer was chosen, or why
	// the action is skipped.
	Why      string    `json:"why"`
	Packages []Package `json:"packages,omitempty"`
	Steps    []Step    `json:"steps,omitempty"`
	// StepsFrom says where Steps come from: "server" (its deployment
	// preview) or "process" (the process a new release or a runbook
	// snapshot would run, filtered by octostar).
	StepsFrom string   `json:"stepsFrom,omitempty"`
	Notes     []string `json:"notes,omitempty"`
}

// Package is a package version a planned release would select.
type Package struct {
	Step    string `json:"step"`
	Package string `json:"package"`
	Version string `json:"version"` // "" when unknown
	Source  string `json:"source"`
}

// Step is one step a planned deployment or runbook run would execute.
type Step struct {
	Number     string `json:"number"`
	Name       string `json:"name"`
	Manual     bool   `json:"manual,omitempty"`
	NoMachines bool   `json:"noMachines,omitempty"`
}

// Unknown is something the plan could not know. At is the script line
// it concerns, "" for the plan as a whole.
type Unknown struct {
	At   string `json:"at,omitempty"`
	What string `json:"what"`
}

// Target is an Octopus instance and space the plan read from.
type Target struct {
	Name  string `json:"name"`
	URL   string `json:"url"`
	Space string `json:"space"`
}

// Plan is what a script would do, in order.
type Plan struct {
	Script string `json:"script"`
	// Outcome is "complete" when the script ran to its end, "failed"
	// when it stopped at an error (Error says which; the actions are
	// those before it), or "interrupted".
	Outcome  string    `json:"outcome"`
	Error    string    `json:"error,omitempty"`
	Targets  []Target  `json:"targets"`
	Actions  []Action  `json:"actions"`
	Unknowns []Unknown `json:"unknowns"`
}

// Logged is a change as the builtins logged it for the run's summary
// (builtins.SummaryAction): the command passes them in so that skips,
// which never reach the Octopus implementation, take their place.
type Logged struct {
	Kind, At, Target                   string
	Project, Environment, Tenant, What string // What: the release version or runbook
	Detail                             string // a skip's reason
}

// Assemble builds the plan. logged is every change the builtins logged,
// in order; each one that is not a skip matches the next recorded
// write, so skips land where the script made them.
func (b *Book) Assemble(script string, logged []Logged, runErr error, interrupted bool) Plan {
	b.mu.Lock()
	recorded := slices.Clone(b.actions)
	unknowns := slices.Clone(b.unknowns)
	recorders := slices.Clone(b.recorders)
	b.mu.Unlock()

	p := Plan{Script: script, Outcome: "complete", Targets: []Target{}, Actions: []Action{}}
	switch {
	case interrupted:
		p.Outcome = "interrupted"
	case runErr != nil:
		p.Outcome = "failed"
	}
	if runErr != nil {
		p.Error = runErr.Error()
	}
	seen := map[Target]bool{}
	for _, r := range recorders {
		info := r.Target()
		t := Target{Name: info.Name, URL: info.URL, Space: info.Space}
		if !seen[t] {
			seen[t] = true
			p.Targets = append(p.Targets, t)
		}
	}
	next := 0
	take := func(kind string) {
		// Cancels are not logged by the builtins: emit them as they come.
		for next < len(recorded) && recorded[next].Kind == "cancel" && kind != "cancel" {
			p.Actions = append(p.Actions, *recorded[next])
			next++
		}
		if next < len(recorded) && recorded[next].Kind == kind {
			p.Actions = append(p.Actions, *recorded[next])
			next++
		}
	}
	for _, l := range logged {
		if l.Kind == "skip" {
			p.Actions = append(p.Actions, Action{Kind: "skip", At: l.At, Target: l.Target, Project: l.Project,
				Environment: l.Environment, Tenant: l.Tenant, Release: l.What, Why: l.Detail})
			continue
		}
		take(l.Kind)
	}
	for ; next < len(recorded); next++ {
		p.Actions = append(p.Actions, *recorded[next])
	}
	deployments, runbookRuns := 0, 0
	for i := range p.Actions {
		p.Actions[i].N = i + 1
		switch p.Actions[i].Kind {
		case "deploy":
			deployments++
		case "run_runbook":
			runbookRuns++
		}
	}
	var counts []string
	if deployments > 0 {
		counts = append(counts, fmt.Sprintf("%d %s", deployments, plural(deployments, "deployment", "deployments")))
	}
	if runbookRuns > 0 {
		counts = append(counts, fmt.Sprintf("%d %s", runbookRuns, plural(runbookRuns, "runbook run", "runbook runs")))
	}
	if len(counts) > 0 {
		unknowns = append(unknowns, Unknown{What: "the outcome of " + strings.Join(counts, " and ") + ": the plan assumes each task " +
			"succeeds at once, so nothing that depends on a failure, a timeout or how long a task takes is in it"})
	}
	p.Unknowns = unknowns
	if p.Unknowns == nil {
		p.Unknowns = []Unknown{}
	}
	return p
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// JSON is the plan as indented JSON.
func (p Plan) JSON() []byte {
	b, _ := json.MarshalIndent(p, "", "  ")
	return append(b, '\n')
}

// Text is the plan for people: a numbered list of actions, each with its
// script line and the details that explain it, then what the plan could
// not know.
func (p Plan) Text() string {
	var b strings.Builder
	var where []string
	for _, t := range p.Targets {
		where = append(where, fmt.Sprintf("%s (%s, space %s)", t.Name, t.URL, orText(t.Space, "default")))
	}
	changes := 0
	for _, a := range p.Actions {
		if a.Kind != "skip" && !a.Reuses {
			changes++
		}
	}
	fmt.Fprintf(&b, "Plan of %s: %d %s, none of them sent", p.Script, changes, plural(changes, "change", "changes"))
	if len(where) > 0 {
		fmt.Fprintf(&b, "; read from %s", strings.Join(where, ", "))
	}
	b.WriteString(".\n")
	switch p.Outcome {
	case "failed":
		fmt.Fprintf(&b, "The script stopped at an error, so the plan ends there:\n  %s\n", indentLines(p.Error, "  "))
	case "interrupted":
		b.WriteString("The plan was interrupted: the actions below are those recorded before.\n")
	}
	if len(p.Actions) == 0 {
		b.WriteString("\nThe script would change nothing.\n")
	} else {
		b.WriteString("\n")
	}
	width := len(fmt.Sprint(len(p.Actions)))
	for _, a := range p.Actions {
		fmt.Fprintf(&b, "%*d. %s  %s\n", width, a.N, a.At, headline(a))
		pad := strings.Repeat(" ", width+2)
		detail := func(label, text string) {
			if text != "" {
				fmt.Fprintf(&b, "%s  %s: %s\n", pad, label, text)
			}
		}
		detail("why", a.Why)
		if len(a.Packages) > 0 {
			var ps []string
			for _, pk := range a.Packages {
				v := orText(pk.Version, "unknown")
				ps = append(ps, fmt.Sprintf("%s %s (%s)", pk.Step, v, pk.Source))
			}
			detail("packages", strings.Join(ps, "; "))
		}
		if len(a.Steps) > 0 {
			var ss []string
			for _, s := range a.Steps {
				t := s.Number + " " + s.Name
				switch {
				case s.Manual:
					t += " (manual intervention)"
				case s.NoMachines:
					t += " (no deployment target has its tags)"
				}
				ss = append(ss, t)
			}
			from := "steps"
			if a.StepsFrom == "process" {
				from = "steps (from the process)"
			} else if a.StepsFrom == "server" {
				from = "steps (server preview)"
			}
			detail(from, strings.Join(ss, ", "))
		}
		for _, n := range a.Notes {
			detail("note", n)
		}
	}
	b.WriteString("\nWhat this plan could not know:\n")
	if len(p.Unknowns) == 0 {
		b.WriteString("- nothing: the script made no change whose result the server decides\n")
	}
	for _, u := range p.Unknowns {
		if u.At != "" {
			fmt.Fprintf(&b, "- %s: %s\n", u.At, u.What)
		} else {
			fmt.Fprintf(&b, "- %s\n", u.What)
		}
	}
	return b.String()
}

// headline is an action in one line.
func headline(a Action) string {
	where := a.Environment
	if a.Tenant != "" {
		where += " for " + a.Tenant
	}
	switch a.Kind {
	case "create_release":
		if a.Reuses {
			return fmt.Sprintf("reuse release %s of %s (it exists; nothing is created)", a.Release, a.Project)
		}
		s := fmt.Sprintf("create release %s of %s", a.Release, a.Project)
		if a.Channel != "" {
			s += " in channel " + a.Channel
		}
		return s
	case "deploy":
		return fmt.Sprintf("deploy %s %s to %s", a.Project, a.Release, where)
	case "run_runbook":
		return fmt.Sprintf("run runbook %s of %s in %s", a.Runbook, a.Project, where)
	case "intervene":
		return fmt.Sprintf("answer %q with %s: %s in %s", a.Intervention, a.Answer, a.Project, where)
	case "cancel":
		return "cancel task " + a.TaskID
	case "skip":
		s := "skip " + a.Project
		if a.Release != "" {
			s += " " + a.Release
		}
		if where != "" {
			s += " to " + where
		}
		return s
	}
	return a.Kind
}

func orText(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

func indentLines(s, pad string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+pad)
}
