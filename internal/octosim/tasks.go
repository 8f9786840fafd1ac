package octosim

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

var kTasks = &kind[*ServerTask]{}

func init() {
	*kTasks = kind[*ServerTask]{
		Name: "Tasks", Segment: "tasks", ItemType: "Task", IDPrefix: "ServerTasks",
		Template: "{/id}{?skip,active,environment,tenant,runbook,project,name,node,running,states,hasPendingInterruptions,hasWarningsOrErrors,take,ids,partialName,spaces,includeSystem}",
		ReadOnly: true,
		New:      func() *ServerTask { return &ServerTask{} },
		Links:    func(*ServerTask) map[string]string { return noLinks },
	}
	defineKind(kTasks)
}

// Tasks are space documents that clients usually address without a space
// (go-client and the CLI use /api/tasks/...; go-client cancels through
// /api/spaces/{id}/tasks/{id}/cancel). The unscoped routes search every
// space; the space routes and their /api/spaces/{id}/ aliases one space.
func init() {
	for _, base := range []string{"/api/tasks", "/api/{spaceId}/tasks"} {
		addRoutes(
			routeSpec{Method: http.MethodGet, Pattern: base, Handler: listTasks},
			routeSpec{Method: http.MethodGet, Pattern: base + "/{id}", Handler: getTask},
			routeSpec{Method: http.MethodGet, Pattern: base + "/{id}/details", Handler: taskDetails},
			routeSpec{Method: http.MethodGet, Pattern: base + "/{id}/raw", Handler: taskRaw},
			routeSpec{Method: http.MethodPost, Pattern: base + "/{id}/cancel", Handler: cancelTask},
			routeSpec{Method: http.MethodPost, Pattern: base + "/rerun/{id}", Handler: rerunTask},
			routeSpec{Method: http.MethodGet, Pattern: base + "/{id}/queued-behind", Handler: queuedBehind},
		)
	}
}

// taskScope is the permission scope of a task.
func taskScope(o *op, t *ServerTask) Scope {
	sc := o.in(t.SpaceID).projectScope(t.ProjectID, t.EnvironmentID, t.TenantID)
	sc.Untenanted = t.TenantID == ""
	return sc
}

// completedText is the task's Completed field.
func completedText(t *ServerTask) string {
	switch t.State {
	case StateQueued:
		return "Queued..."
	case StateExecuting:
		return "Executing..."
	case StateCancelling:
		return "Cancelling..."
	case StateTimedOut:
		return "Timed out"
	}
	return t.CompletedTime.UTC().Format("Monday, January 2, 2006 3:04 PM")
}

func tsOrNil(t time.Time) *Timestamp {
	if t.IsZero() {
		return nil
	}
	return ts(t)
}

// taskLinks are a task's links (real shapes from the reference, 4.2).
func taskLinks(t *ServerTask) map[string]string {
	base := "/api/tasks/" + t.ID
	return map[string]string{
		"Self":          base,
		"Web":           "/app#/" + t.SpaceID + "/tasks/" + t.ID,
		"Raw":           base + "/raw",
		"Rerun":         "/api/tasks/rerun/" + t.ID,
		"Cancel":        base + "/cancel",
		"State":         base + "/state",
		"Prioritize":    base + "/prioritize",
		"QueuedBehind":  base + "/queued-behind{?skip}",
		"Details":       base + "/details{?verbose,tail}",
		"Artifacts":     "/api/artifacts?regarding=" + t.ID,
		"Interruptions": "/api/interruptions?regarding=" + t.ID,
	}
}

// taskView renders a task as clients see it at a moment.
func taskView(t *ServerTask, now time.Time) *TaskResource {
	args := map[string]any{}
	switch {
	case t.DeploymentID != "":
		args["DeploymentId"] = t.DeploymentID
	case t.RunbookRunID != "":
		args["RunbookRunId"] = t.RunbookRunID
	}
	var dur time.Duration
	switch {
	case !t.CompletedTime.IsZero() && !t.StartTime.IsZero():
		dur = t.CompletedTime.Sub(t.StartTime)
	case !t.CompletedTime.IsZero():
		dur = t.CompletedTime.Sub(t.QueueTime)
	case !t.StartTime.IsZero():
		dur = now.Sub(t.StartTime)
	default:
		dur = now.Sub(t.QueueTime)
	}
	node := "octosim"
	v := &TaskResource{ID: t.ID, SpaceID: t.SpaceID, Name: t.Name, Description: t.Description, Arguments: args,
		State: t.State, Completed: completedText(t), QueueTime: tsOrNil(t.QueueTime), QueueTimeExpiry: tsOrNil(t.QueueTimeExpiry),
		StartTime: tsOrNil(t.StartTime), LastUpdatedTime: tsOrNil(t.LastUpdatedTime), CompletedTime: tsOrNil(t.CompletedTime),
		Duration: proseDuration(dur), ErrorMessage: t.ErrorMessage, HasBeenPickedUpByProcessor: t.PickedUp,
		IsCompleted: isTerminal(t.State), FinishedSuccessfully: t.State == StateSuccess,
		HasPendingInterruptions: t.HasPendingInterruptions, HasWarningsOrErrors: t.HasWarningsOrErrors,
		ProjectID: strPtr(t.ProjectID), PendingInterruptionTypes: nonNil(t.PendingInterruptionTypes),
		PendingPreconditionTypes: []string{}, LastModifiedOn: t.LastModifiedOn, LastModifiedBy: t.LastModifiedBy,
		Links: taskLinks(t)}
	if t.PickedUp {
		v.ServerNode = &node
	}
	return v
}

// findTask resolves a task for a task route: in the route's space, or in
// any space for the unscoped routes; 403 when the caller may not see it.
func findTask(o *op, c *call) (*ServerTask, *op, error) {
	id := c.param("id")
	t := o.st.x.task(o.st, id)
	if t == nil || (c.spaceID != "" && !sameSpace(t.SpaceID, c.spaceID)) {
		return nil, nil, notFound(id)
	}
	to := o.in(t.SpaceID)
	if err := to.require(TaskView, taskScope(to, t)); err != nil {
		return nil, nil, err
	}
	return t, to, nil
}

func getTask(c *call) (int, any, error) {
	return c.read(func(o *op) (int, any, error) {
		t, _, err := findTask(o, c)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, taskView(t, o.now), nil
	})
}

// taskFilters are the list parameters of /tasks.
func taskMatches(o *op, t *ServerTask, q listQuery) bool {
	if !q.matchID(t.ID) {
		return false
	}
	if states := q.list("states"); len(states) > 0 && !containsFold(states, t.State) {
		return false
	}
	if n := q.get("name"); n != "" && !strings.EqualFold(n, t.Name) {
		return false
	}
	for param, val := range map[string]string{"project": t.ProjectID, "environment": t.EnvironmentID,
		"tenant": t.TenantID, "runbook": t.RunbookID} {
		if want := q.list(param); len(want) > 0 && !containsFold(want, val) {
			return false
		}
	}
	if spaces := q.list("spaces"); len(spaces) > 0 && !containsFold(spaces, t.SpaceID) {
		return false
	}
	if q.flag("active") && isTerminal(t.State) {
		return false
	}
	if q.flag("running") && t.State != StateExecuting && t.State != StateCancelling {
		return false
	}
	if q.flag("hasPendingInterruptions") && !t.HasPendingInterruptions {
		return false
	}
	if q.flag("hasWarningsOrErrors") && !t.HasWarningsOrErrors {
		return false
	}
	if pn := q.PartialName; pn != "" && !strings.Contains(strings.ToLower(t.Description), strings.ToLower(pn)) {
		return false
	}
	if d := q.get("description"); d != "" && !strings.Contains(strings.ToLower(t.Description), strings.ToLower(d)) {
		return false
	}
	return true
}

// listTasks is GET /tasks: newest first. With ids, only those are looked
// at (the common case: `octopus task wait` polling a few tasks).
func listTasks(c *call) (int, any, error) {
	q, err := c.listQuery()
	if err != nil {
		return 0, nil, err
	}
	q.Name = "" // "name" is the task type here, not a name filter
	return c.read(func(o *op) (int, any, error) {
		x := o.st.x
		g := o.grants()
		if !g.system[TaskView] && len(g.space[TaskView]) == 0 {
			return 0, nil, forbidden(TaskView, g)
		}
		var candidates []*ServerTask
		if len(q.IDs) > 0 {
			seen := map[string]bool{}
			for _, id := range q.IDs {
				if t := x.task(o.st, id); t != nil && !seen[t.ID] {
					seen[t.ID] = true
					candidates = append(candidates, t)
				}
			}
			sort.Slice(candidates, func(i, j int) bool { return lessID(candidates[j].ID, candidates[i].ID) })
		} else {
			for i := len(x.taskIDs) - 1; i >= 0; i-- {
				candidates = append(candidates, x.tasks[x.taskIDs[i]])
			}
		}
		matched := []*ServerTask{}
		for _, t := range candidates {
			if c.spaceID != "" && !sameSpace(t.SpaceID, c.spaceID) {
				continue
			}
			if !taskMatches(o, t, q) || !o.in(t.SpaceID).can(TaskView, taskScope(o, t)) {
				continue
			}
			matched = append(matched, t)
		}
		tmpl := "/api/tasks" + kTasks.Template
		if c.spaceID != "" && strings.Contains(c.route.pattern, "{spaceId}") {
			tmpl = "/api/" + c.spaceID + "/tasks" + kTasks.Template
		}
		page := paginate(matched, q, "Task", c.r.URL.Path, tmpl)
		views := []*TaskResource{}
		for _, t := range page.Items.([]*ServerTask) {
			views = append(views, taskView(t, o.now))
		}
		page.Items = views
		return http.StatusOK, page, nil
	})
}

func cancelTask(c *call) (int, any, error) {
	return c.write(func(o *op) (int, any, error) {
		t, to, err := findTask(o, c)
		if err != nil {
			return 0, nil, err
		}
		if err := to.require(TaskCancel, taskScope(to, t)); err != nil {
			return 0, nil, err
		}
		x := o.st.x
		if r := x.run(t.ID); r != nil {
			x.cancel(to, r)
			afterChange(to)
		}
		return http.StatusOK, taskView(x.tasks[t.ID], o.now), nil
	})
}

func rerunTask(c *call) (int, any, error) {
	return c.read(func(o *op) (int, any, error) {
		t, _, err := findTask(o, c)
		if err != nil {
			return 0, nil, err
		}
		what := "Deployment"
		if t.Name == "RunbookRun" {
			what = "Runbook run"
		}
		return 0, nil, badRequest("%s tasks cannot be re-run. Please create a new %s instead.", what, strings.ToLower(what))
	})
}

func queuedBehind(c *call) (int, any, error) {
	q, err := c.listQuery()
	if err != nil {
		return 0, nil, err
	}
	return c.read(func(o *op) (int, any, error) {
		t, _, err := findTask(o, c)
		if err != nil {
			return 0, nil, err
		}
		items := []*TaskResource{}
		if t.State == StateQueued {
			for _, r := range o.st.x.active {
				if r.taskID == t.ID {
					break
				}
				if other := o.st.x.tasks[r.taskID]; other != nil && !isTerminal(other.State) && o.can(TaskView, taskScope(o, other)) {
					items = append(items, taskView(other, o.now))
				}
			}
		}
		return http.StatusOK, paginate(items, q, "Task", c.r.URL.Path, "/api/tasks/"+t.ID+"/queued-behind{?skip}"), nil
	})
}

// ActivityElement is one node of a task's activity log.
type ActivityElement struct {
	ID                 string             `json:"Id"`
	Name               string             `json:"Name"`
	Status             string             `json:"Status"`
	Started            *Timestamp         `json:"Started"`
	Ended              *Timestamp         `json:"Ended"`
	ShowAtSummaryLevel bool               `json:"ShowAtSummaryLevel"`
	ProgressPercentage int                `json:"ProgressPercentage"`
	ProgressMessage    *string            `json:"ProgressMessage"`
	LogElements        []*LogElement      `json:"LogElements"`
	Children           []*ActivityElement `json:"Children"`
}

// LogElement is one line of the activity log.
type LogElement struct {
	OccurredAt  *Timestamp `json:"OccurredAt"`
	Category    string     `json:"Category"`
	MessageText string     `json:"MessageText"`
	Detail      *string    `json:"Detail"`
	Number      int        `json:"Number"`
}

// TaskDetails is GET /tasks/{id}/details.
type TaskDetails struct {
	Task            *TaskResource      `json:"Task"`
	ActivityLogs    []*ActivityElement `json:"ActivityLogs"`
	Progress        TaskProgress       `json:"Progress"`
	PhysicalLogSize int                `json:"PhysicalLogSize"`
	Links           map[string]string  `json:"Links"`
}

// TaskProgress is how far a task has got.
type TaskProgress struct {
	ProgressPercentage     int    `json:"ProgressPercentage"`
	EstimatedTimeRemaining string `json:"EstimatedTimeRemaining"`
}

// renderedStep is a step's log, rendered.
type renderedStep struct {
	name   string
	status string
	start  time.Time
	end    time.Time
	lines  []logLine
}

// taskContext is what a task's log talks about.
type taskContext struct {
	envName, tenantName, channelID string
	packages                       []*SelectedPackage
}

func taskContextOf(o *op, t *ServerTask) taskContext {
	var tc taskContext
	sp := t.SpaceID
	if e, ok := kEnvironments.tab(o.st).get(sp, t.EnvironmentID); ok {
		tc.envName = e.Name
	}
	if tn, ok := kTenants.tab(o.st).get(sp, t.TenantID); ok {
		tc.tenantName = tn.Name
	}
	if d, ok := kDeployments.tab(o.st).get(sp, t.DeploymentID); ok {
		tc.channelID = d.ChannelID
		if r, ok := kReleases.tab(o.st).get(sp, d.ReleaseID); ok {
			tc.packages = r.SelectedPackages
		}
	}
	if rr, ok := kRunbookRuns.tab(o.st).get(sp, t.RunbookRunID); ok {
		if s, ok := kRunbookSnapshots.tab(o.st).get(sp, rr.RunbookSnapshotID); ok {
			tc.packages = s.SelectedPackages
		}
	}
	return tc
}

var skipTexts = [...]string{"", "the step is disabled", "it was chosen to be skipped",
	"it does not apply to this environment", "it does not apply to this channel",
	"it does not apply to this tenant", "its run condition was not met"}

// renderSteps turns a task's step records into log lines: the routine
// lines of what each step does, plus the stored unusual ones.
func renderSteps(o *op, t *ServerTask) []renderedStep {
	lg := o.st.x.logs[t.ID]
	if lg == nil {
		return nil
	}
	tc := taskContextOf(o, t)
	out := make([]renderedStep, 0, len(lg.steps))
	for i, s := range lg.steps {
		rec := lg.recs[i]
		rs := renderedStep{name: "Step " + itoa(i+1) + ": " + s.Name, status: statusNames[rec.status], start: rec.start, end: rec.end}
		if rec.status == stSkipped {
			rs.lines = []logLine{{rec.start, catInfo, "Skipping this step as " + skipTexts[rec.reason] + "."}}
			out = append(out, rs)
			continue
		}
		if rec.status != stPending {
			rs.lines = append(rs.lines, routineLines(s, rec, tc)...)
		}
		rs.lines = append(rs.lines, rec.lines...)
		sort.SliceStable(rs.lines, func(a, b int) bool { return rs.lines[a].at.Before(rs.lines[b].at) })
		out = append(out, rs)
	}
	return out
}

// routineLines are what a step logs when it runs.
func routineLines(s *Step, rec stepRecord, tc taskContext) []logLine {
	var out []logLine
	for _, a := range s.Actions {
		if a.IsDisabled {
			continue
		}
		switch {
		case a.ActionType == ActionManual:
		case a.ActionType == ActionScript:
			syntax := a.Properties.Get(PropScriptSyntax)
			if syntax == "" {
				syntax = "PowerShell"
			}
			out = append(out, logLine{rec.start, catInfo, "Executing " + syntax + " script on the Octopus Server"})
			if rec.status == stSuccess {
				out = append(out, logLine{rec.end, catInfo, "Script exited with code 0"})
			}
		default:
			for _, p := range a.Packages {
				version := ""
				for _, sp := range tc.packages {
					if strings.EqualFold(sp.ActionName, a.Name) && strings.EqualFold(sp.PackageReferenceName, p.Name) {
						version = sp.Version
					}
				}
				out = append(out, logLine{rec.start, catInfo, "Acquiring package " + p.PackageID + " version " + version})
				if rec.status == stSuccess {
					out = append(out, logLine{rec.end, catInfo, "Successfully deployed package " + p.PackageID + " " + version})
				}
			}
			if len(a.Packages) == 0 {
				out = append(out, logLine{rec.start, catInfo, "Running " + a.ActionType})
			}
		}
	}
	if tc.envName != "" && rec.status == stSuccess && len(out) == 0 && !isManualStep(s) {
		out = append(out, logLine{rec.end, catInfo, "Completed in " + tc.envName})
	}
	return out
}

// taskProgress estimates how far a task has got.
func taskProgress(o *op, t *ServerTask) TaskProgress {
	lg := o.st.x.logs[t.ID]
	if isTerminal(t.State) || lg == nil || len(lg.steps) == 0 {
		return TaskProgress{ProgressPercentage: 100}
	}
	done := 0
	var remaining time.Duration
	for i, rec := range lg.recs {
		switch rec.status {
		case stSuccess, stFailed, stSkipped, stCanceled:
			done++
		default:
			remaining += stepDuration(lg.steps[i])
		}
	}
	scale := 1.0
	if o.s != nil {
		scale = o.s.Knobs().TimeScale
	}
	remaining = time.Duration(float64(remaining) / max(scale, 1e-9))
	return TaskProgress{ProgressPercentage: done * 100 / len(lg.steps), EstimatedTimeRemaining: proseDuration(remaining)}
}

func activityStatus(t *ServerTask) string {
	switch t.State {
	case StateQueued:
		if t.PickedUp {
			return "Running"
		}
		return "Pending"
	case StateExecuting, StateCancelling:
		return "Running"
	case StateTimedOut:
		return "Failed"
	}
	return t.State
}

func taskDetails(c *call) (int, any, error) {
	q, err := c.listQuery()
	if err != nil {
		return 0, nil, err
	}
	tail := -1
	if s := q.get("tail"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n >= 0 {
			tail = n
		}
	}
	return c.read(func(o *op) (int, any, error) {
		t, to, err := findTask(o, c)
		if err != nil {
			return 0, nil, err
		}
		root := &ActivityElement{ID: t.ID, Name: t.Description, Status: activityStatus(t), Started: tsOrNil(t.StartTime),
			Ended: tsOrNil(t.CompletedTime), ShowAtSummaryLevel: true, LogElements: []*LogElement{}, Children: []*ActivityElement{}}
		if isTerminal(t.State) {
			root.ProgressPercentage = 100
		}
		n := 0
		size := 0
		if lg := to.st.x.logs[t.ID]; lg != nil {
			for _, l := range lg.notes {
				n++
				size += len(l.msg) + 40
				root.LogElements = append(root.LogElements, &LogElement{OccurredAt: ts(l.at), Category: categoryNames[l.cat], MessageText: l.msg, Number: n})
			}
		}
		for i, rs := range renderSteps(to, t) {
			lines := rs.lines
			if tail >= 0 && len(lines) > tail {
				lines = lines[len(lines)-tail:]
			}
			elems := make([]*LogElement, 0, len(lines))
			for _, l := range lines {
				n++
				size += len(l.msg) + 40
				elems = append(elems, &LogElement{OccurredAt: ts(l.at), Category: categoryNames[l.cat], MessageText: l.msg, Number: n})
			}
			child := &ActivityElement{ID: fmt.Sprintf("%s_%d", t.ID, i+1), Name: rs.name, Status: rs.status,
				Started: tsOrNil(rs.start), Ended: tsOrNil(rs.end), ShowAtSummaryLevel: true,
				LogElements: elems, Children: []*ActivityElement{}}
			if rs.status != "Pending" && rs.status != "Running" {
				child.ProgressPercentage = 100
			}
			root.Children = append(root.Children, child)
		}
		return http.StatusOK, &TaskDetails{Task: taskView(t, o.now), ActivityLogs: []*ActivityElement{root},
			Progress: taskProgress(to, t), PhysicalLogSize: size, Links: map[string]string{"Self": "/api/tasks/" + t.ID + "/details"}}, nil
	})
}

// taskRaw is the whole log as plain text, laid out like a real raw log.
func taskRaw(c *call) (int, any, error) {
	return c.read(func(o *op) (int, any, error) {
		t, to, err := findTask(o, c)
		if err != nil {
			return 0, nil, err
		}
		v := taskView(t, o.now)
		var b strings.Builder
		related := []string{}
		for _, id := range []string{t.DeploymentID, t.RunbookRunID, t.ProjectID, t.SpaceID, t.EnvironmentID, t.TenantID} {
			if id != "" {
				related = append(related, id)
			}
		}
		fmt.Fprintf(&b, "Task ID:        %s\n", t.ID)
		fmt.Fprintf(&b, "Related IDs:    %s\n", strings.Join(related, ", "))
		fmt.Fprintf(&b, "Task status:    %s\n", t.State)
		fmt.Fprintf(&b, "Task queued:    %s\n", t.QueueTime.UTC().Format(time.RFC1123))
		if !t.StartTime.IsZero() {
			fmt.Fprintf(&b, "Task started:   %s\n", t.StartTime.UTC().Format(time.RFC1123))
		}
		if !t.CompletedTime.IsZero() {
			fmt.Fprintf(&b, "Task completed: %s\n", t.CompletedTime.UTC().Format(time.RFC1123))
		}
		fmt.Fprintf(&b, "Task duration:  %s\n", v.Duration)
		fmt.Fprintf(&b, "Server version: %s\n", c.s.cfg.version)
		fmt.Fprintf(&b, "Server node:    octosim\n\n")
		fmt.Fprintf(&b, "                    | %s: %s\n", activityStatus(t), t.Description)
		if lg := to.st.x.logs[t.ID]; lg != nil {
			for _, l := range lg.notes {
				fmt.Fprintf(&b, "%s  %-8s |   %s\n", l.at.UTC().Format("15:04:05"), categoryNames[l.cat], l.msg)
			}
		}
		for _, rs := range renderSteps(to, t) {
			fmt.Fprintf(&b, "                    |\n                    |   %s: %s\n", rs.status, rs.name)
			for _, l := range rs.lines {
				fmt.Fprintf(&b, "%s  %-8s |     %s\n", l.at.UTC().Format("15:04:05"), categoryNames[l.cat], l.msg)
			}
		}
		if t.ErrorMessage != "" {
			fmt.Fprintf(&b, "\n%s\n", t.ErrorMessage)
		}
		return http.StatusOK, rawBody{ContentType: "text/plain; charset=utf-8", Data: []byte(b.String())}, nil
	})
}
