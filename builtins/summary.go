package builtins

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/octostar/octostar/internal/octopus"
)

// actionRecord is one change the script made, for the summary.
type actionRecord struct {
	kind   string
	at     string
	when   time.Time
	fields map[string]string
	run    *trackedRun // the deployment or runbook run it started
}

// Summary is the record of a run: every change it made, with outcome,
// duration and link. It holds no credential.
type Summary struct {
	Script   string          `json:"script"`
	Outcome  string          `json:"outcome"` // succeeded, failed or interrupted
	Error    string          `json:"error,omitempty"`
	Started  time.Time       `json:"started"`
	Finished time.Time       `json:"finished"`
	Actions  []SummaryAction `json:"actions"`
	Outputs  map[string]any  `json:"outputs,omitempty"`
}

// SummaryAction is one change.
type SummaryAction struct {
	Action      string `json:"action"`
	At          string `json:"at"`
	Target      string `json:"target,omitempty"`
	Project     string `json:"project,omitempty"`
	Release     string `json:"release,omitempty"`
	Runbook     string `json:"runbook,omitempty"`
	Environment string `json:"environment,omitempty"`
	Tenant      string `json:"tenant,omitempty"`
	Detail      string `json:"detail,omitempty"`
	TaskID      string `json:"taskId,omitempty"`
	// State is the task's last known state; "" for changes without a task.
	State    string  `json:"state,omitempty"`
	Seconds  float64 `json:"seconds,omitempty"`
	Error    string  `json:"error,omitempty"`
	URL      string  `json:"url,omitempty"`
	Finished bool    `json:"finished"`
}

// Summary builds the run's summary. Runs not yet finished are reported
// with their last known state and finished=false.
func (e *Env) Summary(script string, started time.Time, runErr error, interrupted bool) Summary {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := Summary{Script: script, Outcome: "succeeded", Started: started, Finished: time.Now(), Actions: []SummaryAction{}}
	switch {
	case interrupted:
		s.Outcome = "interrupted"
	case runErr != nil:
		s.Outcome = "failed"
	}
	if runErr != nil {
		s.Error = runErr.Error()
	}
	for _, a := range e.actions {
		sa := SummaryAction{Action: a.kind, At: a.at, Target: a.fields["target"], Project: a.fields["project"],
			Release: a.fields["release"], Runbook: a.fields["runbook"], Environment: a.fields["environment"],
			Tenant: a.fields["tenant"], TaskID: a.fields["task"], URL: a.fields["url"], Finished: true}
		switch a.kind {
		case "intervene":
			sa.Detail = fmt.Sprintf("%s: %s", a.fields["title"], a.fields["answer"])
		case "skip":
			sa.Detail = a.fields["reason"]
		}
		if tr := a.run; tr != nil {
			sa.State = string(tr.task.State)
			if sa.State == "" {
				sa.State = string(octopus.StateQueued)
			}
			sa.Finished = tr.finished()
			sa.Seconds = tr.task.Duration.Round(time.Second).Seconds()
			sa.Error = firstLine(tr.err)
			if tr.waitErr != "" && !tr.finished() {
				sa.Error = tr.waitErr
			}
			sa.URL = tr.run.URL
		}
		s.Actions = append(s.Actions, sa)
	}
	if len(e.order) > 0 {
		s.Outputs = map[string]any{}
		for _, k := range e.order {
			var v any
			if str, ok := e.outputs[k].(interface{ GoString() string }); ok {
				v = str.GoString()
			} else {
				v = e.outputs[k].String()
			}
			if e.sensitive[k] {
				v = SensitiveShown
			}
			s.Outputs[k] = v
		}
	}
	return s
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// JSON is the summary as indented JSON.
func (s Summary) JSON() []byte {
	b, _ := json.MarshalIndent(s, "", "  ")
	return append(b, '\n')
}

// Markdown is the summary as a Markdown section, as GitHub's step
// summaries show it.
func (s Summary) Markdown() string {
	var b strings.Builder
	icon := map[string]string{"succeeded": "✅", "failed": "❌", "interrupted": "⏹️"}[s.Outcome]
	fmt.Fprintf(&b, "## octostar: %s %s %s\n\n", s.Script, icon, s.Outcome)
	fmt.Fprintf(&b, "%d action%s in %s.", len(s.Actions), plural(len(s.Actions)), s.Finished.Sub(s.Started).Round(time.Second))
	if s.Error != "" {
		fmt.Fprintf(&b, " Error: `%s`", strings.ReplaceAll(firstLine(s.Error), "`", "'"))
	}
	b.WriteString("\n\n")
	if len(s.Actions) > 0 {
		b.WriteString("| action | project | what | where | state | time | link |\n|---|---|---|---|---|---|---|\n")
		for _, a := range s.Actions {
			what := a.Release
			if a.Runbook != "" {
				what = a.Runbook
			}
			if a.Detail != "" {
				what = a.Detail
			}
			where := a.Environment
			if a.Tenant != "" {
				where += " (" + a.Tenant + ")"
			}
			state := a.State
			if state != "" && !a.Finished {
				state += ", still running"
			}
			if a.Error != "" {
				state += ": " + a.Error
			}
			link := ""
			if a.URL != "" {
				link = "[" + orDash(a.TaskID, "open") + "](" + a.URL + ")"
			}
			secs := ""
			if a.Seconds > 0 {
				secs = (time.Duration(a.Seconds) * time.Second).String()
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", a.Action, cell(a.Project), cell(what), cell(where), cell(state), secs, link)
		}
		b.WriteString("\n")
	}
	if len(s.Outputs) > 0 {
		b.WriteString("Outputs: ")
		first := true
		for _, k := range sortedAnyKeys(s.Outputs) {
			if !first {
				b.WriteString(", ")
			}
			first = false
			fmt.Fprintf(&b, "`%s` = `%v`", k, s.Outputs[k])
		}
		b.WriteString("\n")
	}
	return b.String()
}

func cell(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ") }

func orDash(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func sortedAnyKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sortStrings(keys)
	return keys
}
