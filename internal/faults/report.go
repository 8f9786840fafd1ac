package faults

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Outcome says how the run ended, in a few words for the table.
func (r *Result) Outcome() string {
	if r.Completed() {
		return "completed"
	}
	if r.Summary == nil {
		return fmt.Sprintf("exit %d, no summary", r.Exit)
	}
	done, running := 0, 0
	for _, a := range r.Summary.Actions {
		if a.Action == "deploy" && !a.Finished {
			running++
		} else if a.Action == "deploy" {
			done++
		}
	}
	out := fmt.Sprintf("failed (exit %d) after %d releases, %d deployments finished", r.Exit, r.countActions("create_release"), done)
	if running > 0 {
		out += fmt.Sprintf(", %d named as still running", running)
	}
	return out
}

func (r *Result) countActions(kind string) int {
	n := 0
	for _, a := range r.Summary.Actions {
		if a.Action == kind {
			n++
		}
	}
	return n
}

// InjectedText lists the faults the simulator injected ("reset 21, spike 3").
func (r *Result) InjectedText() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(r.Injected)) {
		part := fmt.Sprintf("%s %d", k, r.Injected[k])
		if w := r.OnWrites[k]; w > 0 {
			part += fmt.Sprintf(" (%d on writes)", w)
		}
		parts = append(parts, part)
	}
	if r.FailedTasks > 0 {
		parts = append(parts, fmt.Sprintf("failed tasks %d", r.FailedTasks))
	}
	if r.Downtime > 0 {
		parts = append(parts, fmt.Sprintf("down %s", r.Downtime.Round(100*time.Millisecond)))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// Table renders results as the Markdown table of docs/reliability.md.
func Table(results []*Result) string {
	var b strings.Builder
	b.WriteString("| fault | setting | outcome | wall time | requests | injected | retries seen | duplicate releases | duplicate deployments | what the error said |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range results {
		said := r.ErrorGist()
		if said == "" {
			said = "-"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %d | %s | %d | %d | %d | %s |\n",
			cell(r.Scenario.Fault), cell(r.Scenario.Setting), cell(r.Outcome()), r.Wall.Round(100*time.Millisecond),
			r.Requests, cell(r.InjectedText()), r.Retries, r.DuplicateReleases, r.DuplicateDeployments, cell(said))
	}
	return b.String()
}

func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
}
