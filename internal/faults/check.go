package faults

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/client"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/deployments"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/environments"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/projects"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/tasks"
)

// Result is one scenario's run and what the checks found.
type Result struct {
	Scenario Scenario
	Projects int
	RandSeed uint64
	Exit     int
	Wall     time.Duration
	Dir      string
	Stdout   string
	Stderr   string
	Summary  *Summary

	Requests int            // requests the simulator answered (or reset)
	Injected map[string]int // faults the simulator injected, by knob
	OnWrites map[string]int // of those, the ones that struck a POST
	Retries  int            // requests sent again after a failed attempt
	Downtime time.Duration  // time the simulator was stopped

	Releases             int // the run's releases on the simulator
	Deployments          int // the run's deployments on the simulator
	FailedTasks          int // deployments whose task failed on the simulator
	DuplicateReleases    int
	DuplicateDeployments int

	// Problems break a promise: a duplicate, or a report that does not
	// match the server. A passing scenario has none.
	Problems []string
	// Notes describe the run without breaking a promise.
	Notes []string
}

// Completed reports whether the run finished its train.
func (r *Result) Completed() bool {
	return r.Exit == 0 && r.Summary != nil && r.Summary.Outcome == "succeeded"
}

// ErrorGist is the run's error in one line, "" when it completed: its
// first line, and for an error that lists runs ("wait: 7 runs did not
// succeed:"), the first of them and how many more.
func (r *Result) ErrorGist() string {
	if r.Summary == nil {
		return ""
	}
	lines := strings.Split(r.Summary.Error, "\n")
	gist := lines[0]
	var items []string
	for _, l := range lines[1:] {
		if strings.HasPrefix(l, "- ") {
			items = append(items, strings.TrimPrefix(l, "- "))
		}
	}
	switch len(items) {
	case 0:
	case 1:
		gist += " " + items[0]
	default:
		gist += fmt.Sprintf(" %s; and %d more", items[0], len(items)-1)
	}
	return gist
}

func (r *Result) problem(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// Summary is the part of octostar's --summary-json that the checks read:
// the file is the user's record of a run, so it is read as a user would,
// by its JSON names.
type Summary struct {
	Outcome string   `json:"outcome"`
	Error   string   `json:"error"`
	Actions []Action `json:"actions"`
}

// Action is one change the run reports.
type Action struct {
	Action      string `json:"action"`
	Project     string `json:"project"`
	Release     string `json:"release"`
	Environment string `json:"environment"`
	TaskID      string `json:"taskId"`
	State       string `json:"state"`
	Error       string `json:"error"`
	Finished    bool   `json:"finished"`
}

// world is what the simulator holds after the run, read through the
// official Go client.
type world struct {
	projects    []string                       // the train's projects
	releases    map[string][]string            // project -> versions
	deployments map[[2]string][]deploymentSeen // (project, environment) -> deployments
}

type deploymentSeen struct{ release, taskID, state string }

// observe reads every release and deployment of the train's projects.
func observe(serverURL, apiKey, spaceID string) (*world, error) {
	u, err := url.Parse(serverURL)
	if err != nil {
		return nil, err
	}
	c, err := client.NewClient(&http.Client{Timeout: 30 * time.Second}, u, apiKey, spaceID)
	if err != nil {
		return nil, err
	}
	envs, err := environments.GetAll(c, spaceID)
	if err != nil {
		return nil, fmt.Errorf("listing environments: %w", err)
	}
	envName := map[string]string{}
	for _, e := range envs {
		envName[e.ID] = e.Name
	}
	ps, err := projects.GetAll(c, spaceID)
	if err != nil {
		return nil, fmt.Errorf("listing projects: %w", err)
	}
	w := &world{releases: map[string][]string{}, deployments: map[[2]string][]deploymentSeen{}}
	var taskIDs []string
	for _, p := range ps {
		w.projects = append(w.projects, p.Name)
		rels, err := c.Projects.GetReleases(p)
		if err != nil {
			return nil, fmt.Errorf("listing the releases of %s: %w", p.Name, err)
		}
		for _, rel := range rels {
			w.releases[p.Name] = append(w.releases[p.Name], rel.Version)
			page, err := c.Deployments.GetDeployments(rel, &deployments.DeploymentQuery{Take: 1000})
			if err != nil {
				return nil, fmt.Errorf("listing the deployments of %s %s: %w", p.Name, rel.Version, err)
			}
			if int(page.TotalResults) != len(page.Items) {
				return nil, fmt.Errorf("%s %s: %d deployments, %d read", p.Name, rel.Version, page.TotalResults, len(page.Items))
			}
			for _, d := range page.Items {
				k := [2]string{p.Name, envName[d.EnvironmentID]}
				w.deployments[k] = append(w.deployments[k], deploymentSeen{release: rel.Version, taskID: d.TaskID})
				taskIDs = append(taskIDs, d.TaskID)
			}
		}
	}
	states := map[string]string{}
	for chunk := range slices.Chunk(taskIDs, 100) {
		page, err := c.Tasks.Get(tasks.TasksQuery{IDs: chunk, Take: len(chunk)})
		if err != nil {
			return nil, fmt.Errorf("reading tasks: %w", err)
		}
		for _, t := range page.Items {
			states[t.ID] = t.State
		}
	}
	for _, ds := range w.deployments {
		for i := range ds {
			ds[i].state = states[ds[i].taskID]
		}
	}
	return w, nil
}

// finalStates are the states a task ends in.
var finalStates = []string{"Success", "Failed", "Canceled", "TimedOut"}

// check reads the summary and holds the run's report against the world:
// every release and deployment on the server is the run's, reported by
// it, or named by its error as a write whose fate it could not know;
// nothing was made twice; every reported task is finished with the
// server's state or named on stderr as still running.
func (r *Result) check(summaryPath string, w *world) {
	switch r.Exit {
	case 0, 1:
	default:
		r.problem("octostar exited %d: want 0 (completed) or 1 (failed with a report); stderr ends:\n%s", r.Exit, tail(r.Stderr, 20))
	}
	if strings.Contains(r.Stderr, "WARNING: DATA RACE") {
		r.problem("the race detector found a data race in octostar:\n%s", excerpt(r.Stderr, "WARNING: DATA RACE", 40))
	}
	if strings.Contains(r.Stderr, "panic: ") || strings.Contains(r.Stderr, "goroutine ") && strings.Contains(r.Stderr, "[running]") {
		r.problem("octostar panicked:\n%s", excerpt(r.Stderr, "panic: ", 30))
	}
	data, err := os.ReadFile(summaryPath)
	if err != nil {
		r.problem("no summary: %v", err)
		return
	}
	var sum Summary
	if err := json.Unmarshal(data, &sum); err != nil {
		r.problem("the summary %s is not valid JSON: %v", summaryPath, err)
		return
	}
	r.Summary = &sum
	switch {
	case r.Exit == 0 && sum.Outcome != "succeeded":
		r.problem("exit 0 but the summary's outcome is %q", sum.Outcome)
	case r.Exit == 1 && (sum.Outcome != "failed" || sum.Error == ""):
		r.problem("exit 1 but the summary's outcome is %q with error %q", sum.Outcome, sum.Error)
	case r.Exit == 1 && !strings.Contains(r.Stderr, firstLine(sum.Error)):
		r.problem("the error in the summary is not on stderr: %q", firstLine(sum.Error))
	}

	created := map[string][]Action{}
	deployed := map[[2]string][]Action{}
	for _, a := range sum.Actions {
		switch a.Action {
		case "create_release":
			created[a.Project] = append(created[a.Project], a)
		case "deploy":
			deployed[[2]string{a.Project, a.Environment}] = append(deployed[[2]string{a.Project, a.Environment}], a)
		default:
			r.problem("the summary lists an action the train never takes: %+v", a)
		}
	}

	for _, p := range w.projects {
		onServer := w.releases[p]
		r.Releases += len(onServer)
		if len(onServer) > 1 {
			r.DuplicateReleases += len(onServer) - 1
			r.problem("%s has %d releases (%s): the run created a duplicate", p, len(onServer), strings.Join(onServer, ", "))
		}
		reported := created[p]
		switch {
		case len(reported) > 1:
			r.problem("the summary lists %d releases of %s; the script creates one", len(reported), p)
		case len(reported) == 1 && !slices.Contains(onServer, reported[0].Release):
			r.problem("the summary says release %s of %s was created; the server has %v", reported[0].Release, p, onServer)
		case len(reported) == 0 && len(onServer) > 0 && !r.namesAmbiguous(sum.Error, "creating a release of "+p):
			r.problem("release %s of %s is on the server but the run's report neither lists it nor says its creation may have happened", strings.Join(onServer, ", "), p)
		case len(reported) == 0 && r.Exit == 0:
			r.problem("the run succeeded but its summary lists no release of %s", p)
		}
	}

	for _, p := range w.projects {
		for _, env := range []string{"Development", "Test"} {
			k := [2]string{p, env}
			onServer := w.deployments[k]
			r.Deployments += len(onServer)
			for _, d := range onServer {
				if d.state == "Failed" {
					r.FailedTasks++
				}
			}
			if len(onServer) > 1 {
				r.DuplicateDeployments += len(onServer) - 1
				r.problem("%s has %d deployments to %s (tasks %s): a duplicate", p, len(onServer), env, taskList(onServer))
			}
			reported := deployed[k]
			switch {
			case len(reported) > 1:
				r.problem("the summary lists %d deployments of %s to %s; the script deploys once", len(reported), p, env)
			case len(reported) == 1:
				r.checkDeployment(reported[0], onServer)
			case len(onServer) > 0 && !r.namesAmbiguous(sum.Error, "deploying "+p+" "):
				r.problem("a deployment of %s to %s (task %s) is on the server but the run's report neither lists it nor says it may have started", p, env, taskList(onServer))
			case r.Exit == 0:
				r.problem("the run succeeded but its summary lists no deployment of %s to %s", p, env)
			}
		}
	}
}

// checkDeployment holds one reported deployment against the server.
func (r *Result) checkDeployment(a Action, onServer []deploymentSeen) {
	i := slices.IndexFunc(onServer, func(d deploymentSeen) bool { return d.taskID == a.TaskID })
	if i < 0 {
		r.problem("the summary says %s %s went to %s as task %q; the server has %s", a.Project, a.Release, a.Environment, a.TaskID, taskList(onServer))
		return
	}
	d := onServer[i]
	if d.release != a.Release {
		r.problem("the summary says task %s deployed %s %s; the server says %s", a.TaskID, a.Project, a.Release, d.release)
	}
	switch {
	case a.Finished && !slices.Contains(finalStates, a.State):
		r.problem("the summary says task %s finished in state %q", a.TaskID, a.State)
	case a.Finished && a.State != d.state:
		r.problem("the summary says task %s ended %s; the server says %s", a.TaskID, a.State, d.state)
	case !a.Finished && !strings.Contains(r.Stderr, fmt.Sprintf("still running on the server: deploy %s %s to %s (%s)", a.Project, a.Release, a.Environment, a.TaskID)):
		r.problem("task %s (%s to %s) is unfinished in the summary but stderr does not name it as still running", a.TaskID, a.Project, a.Environment)
	case r.Exit == 0 && a.State != "Success":
		r.problem("the run succeeded but task %s (%s to %s) is %s", a.TaskID, a.Project, a.Environment, a.State)
	}
}

// namesAmbiguous reports whether the run's error says that the write
// described by op was sent and may have been carried out: the honest
// answer when the reply was lost, until octostar looks on the server.
func (r *Result) namesAmbiguous(runErr, op string) bool {
	return strings.Contains(runErr, op) && strings.Contains(runErr, "may have carried it out")
}

func taskList(ds []deploymentSeen) string {
	var ids []string
	for _, d := range ds {
		ids = append(ids, d.taskID+" "+d.state)
	}
	return strings.Join(ids, ", ")
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// excerpt is n lines of s from the first line holding mark.
func excerpt(s, mark string, n int) string {
	i := strings.Index(s, mark)
	if i < 0 {
		return ""
	}
	lines := strings.Split(s[i:], "\n")
	return strings.Join(lines[:min(n, len(lines))], "\n")
}
