package octosim

import (
	mrand "math/rand/v2"
	"slices"
	"strings"
	"time"
)

// execState is the part of a world that round B adds: indexes over
// releases and deployments (so progression and the dashboard never scan
// every document), the task engine's runs and activity logs, and the
// failure arrangements. It belongs to the Store, is guarded by the store's
// lock, and is rebuilt with the world on Reset.
//
// Index slices hold document pointers in creation order. Deployments,
// runbook runs and releases are replaced in the indexes whenever they are
// saved, so the pointers are always the current documents.
type execState struct {
	releasesByProject    map[string][]*Release
	deploymentsByRelease map[string][]*Deployment
	deploymentsByProject map[string][]*Deployment
	runsByRunbook        map[string][]*RunbookRun
	defectsByRelease     map[string][]*Defect

	// tasks holds every task by its exact ID; taskIDs in creation order.
	tasks   map[string]*ServerTask
	taskIDs []string
	// logs holds each task's step records (the activity log).
	logs map[string]*runLog
	// active are the runs not yet finished, in task order.
	active []*taskRun
	// interruptions by task, in creation order.
	interruptionsByTask map[string][]string

	failures []*failureState
	failRng  *mrand.Rand

	// seeding makes every task finish at once, approving manual steps and
	// injecting no failures (past deployments in a seed).
	seeding bool
	pumping bool
}

func newExecState(seed uint64) *execState {
	return &execState{
		releasesByProject:    map[string][]*Release{},
		deploymentsByRelease: map[string][]*Deployment{},
		deploymentsByProject: map[string][]*Deployment{},
		runsByRunbook:        map[string][]*RunbookRun{},
		defectsByRelease:     map[string][]*Defect{},
		tasks:                map[string]*ServerTask{},
		logs:                 map[string]*runLog{},
		interruptionsByTask:  map[string][]string{},
		failRng:              mrand.New(mrand.NewPCG(seed^0x5eed, seed+17)),
	}
}

// Indexes key documents by exact IDs, as the server generated them
// (callers resolve documents first, so IDs are canonical).

func replaceIn[T any](list []*T, old, cur *T) []*T {
	for i, v := range list {
		if v == old {
			list[i] = cur
			return list
		}
	}
	return append(list, cur)
}

func removeFrom[T any](list []*T, drop func(*T) bool) []*T {
	return slices.DeleteFunc(list, drop)
}

// saveRelease stores a release and keeps the index current.
func saveRelease(o *op, r *Release) {
	if r.SpaceID == "" {
		r.SpaceID = o.spaceID
	}
	old, _ := kReleases.tab(o.st).get(r.SpaceID, r.ID)
	kReleases.save(o, r)
	x := o.st.x
	if old != nil {
		x.releasesByProject[r.ProjectID] = replaceIn(x.releasesByProject[r.ProjectID], old, r)
	} else {
		x.releasesByProject[r.ProjectID] = append(x.releasesByProject[r.ProjectID], r)
	}
}

// saveDeployment stores a deployment and keeps the indexes current.
func saveDeployment(o *op, d *Deployment) {
	if d.SpaceID == "" {
		d.SpaceID = o.spaceID
	}
	old, _ := kDeployments.tab(o.st).get(d.SpaceID, d.ID)
	kDeployments.save(o, d)
	x := o.st.x
	if old != nil {
		x.deploymentsByRelease[d.ReleaseID] = replaceIn(x.deploymentsByRelease[d.ReleaseID], old, d)
		x.deploymentsByProject[d.ProjectID] = replaceIn(x.deploymentsByProject[d.ProjectID], old, d)
		return
	}
	x.deploymentsByRelease[d.ReleaseID] = append(x.deploymentsByRelease[d.ReleaseID], d)
	x.deploymentsByProject[d.ProjectID] = append(x.deploymentsByProject[d.ProjectID], d)
}

// saveRunbookRun stores a runbook run and keeps the index current.
func saveRunbookRun(o *op, r *RunbookRun) {
	if r.SpaceID == "" {
		r.SpaceID = o.spaceID
	}
	old, _ := kRunbookRuns.tab(o.st).get(r.SpaceID, r.ID)
	kRunbookRuns.save(o, r)
	x := o.st.x
	if old != nil {
		x.runsByRunbook[r.RunbookID] = replaceIn(x.runsByRunbook[r.RunbookID], old, r)
		return
	}
	x.runsByRunbook[r.RunbookID] = append(x.runsByRunbook[r.RunbookID], r)
}

// saveTask stores a task (a new copy on every change).
func saveTask(o *op, t *ServerTask) {
	if t.SpaceID == "" {
		t.SpaceID = o.spaceID
	}
	x := o.st.x
	if _, ok := x.tasks[t.ID]; !ok {
		x.taskIDs = append(x.taskIDs, t.ID)
	}
	kTasks.save(o, t)
	x.tasks[t.ID] = t
}

// task finds a task by ID, ignoring case.
func (x *execState) task(st *Store, id string) *ServerTask {
	if t, ok := x.tasks[id]; ok {
		return t
	}
	for _, sp := range kSpaces.tab(st).inSpace("") {
		if t, ok := kTasks.tab(st).get(sp.ID, id); ok {
			return t
		}
	}
	return nil
}

// taskState is the state of a deployment's (or run's) task.
func (x *execState) taskState(taskID string) string {
	if t, ok := x.tasks[taskID]; ok {
		return t.State
	}
	return ""
}

// dropTask forgets a task, its run, log and interruptions.
func (x *execState) dropTask(o *op, t *ServerTask) {
	delete(x.tasks, t.ID)
	delete(x.logs, t.ID)
	x.taskIDs = slices.DeleteFunc(x.taskIDs, func(id string) bool { return id == t.ID })
	x.active = slices.DeleteFunc(x.active, func(r *taskRun) bool { return r.taskID == t.ID })
	for _, iid := range x.interruptionsByTask[t.ID] {
		kInterruptions.tab(o.st).del(t.SpaceID, iid)
	}
	delete(x.interruptionsByTask, t.ID)
	kTasks.tab(o.st).del(t.SpaceID, t.ID)
}

// dropRelease deletes a release with its deployments, tasks and defects.
func (x *execState) dropRelease(o *op, r *Release) {
	for _, d := range x.deploymentsByRelease[r.ID] {
		if t := x.tasks[d.TaskID]; t != nil {
			x.dropTask(o, t)
		}
		kDeployments.tab(o.st).del(d.SpaceID, d.ID)
	}
	x.deploymentsByProject[r.ProjectID] = removeFrom(x.deploymentsByProject[r.ProjectID],
		func(d *Deployment) bool { return d.ReleaseID == r.ID })
	delete(x.deploymentsByRelease, r.ID)
	for _, d := range x.defectsByRelease[r.ID] {
		kDefects.tab(o.st).del(d.SpaceID, d.ID)
	}
	delete(x.defectsByRelease, r.ID)
	x.releasesByProject[r.ProjectID] = removeFrom(x.releasesByProject[r.ProjectID],
		func(v *Release) bool { return v.ID == r.ID })
	kReleases.tab(o.st).del(r.SpaceID, r.ID)
	o.st.version++
}

// dropRunbookRuns deletes a runbook's runs and their tasks.
func (x *execState) dropRunbookRuns(o *op, runbookID string) {
	for _, r := range x.runsByRunbook[runbookID] {
		if t := x.tasks[r.TaskID]; t != nil {
			x.dropTask(o, t)
		}
		kRunbookRuns.tab(o.st).del(r.SpaceID, r.ID)
	}
	delete(x.runsByRunbook, runbookID)
}

func init() {
	projectDeleteHooks = append(projectDeleteHooks, func(o *op, p *Project) {
		x := o.st.x
		for _, r := range slices.Clone(x.releasesByProject[p.ID]) {
			x.dropRelease(o, r)
		}
		delete(x.releasesByProject, p.ID)
		delete(x.deploymentsByProject, p.ID)
	})
	runbookDeleteHooks = append(runbookDeleteHooks, func(o *op, r *Runbook) {
		o.st.x.dropRunbookRuns(o, r.ID)
	})
}

// latestRelease is the project's most recently created release (nil if
// none); in a channel when channelID is set.
func (x *execState) latestRelease(projectID, channelID string) *Release {
	rs := x.releasesByProject[projectID]
	for i := len(rs) - 1; i >= 0; i-- {
		if channelID == "" || rs[i].ChannelID == channelID {
			return rs[i]
		}
	}
	return nil
}

// releaseByVersion finds a project's release by exact version, then
// ignoring case.
func (x *execState) releaseByVersion(projectID, version string) *Release {
	rs := x.releasesByProject[projectID]
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i].Version == version {
			return rs[i]
		}
	}
	for i := len(rs) - 1; i >= 0; i-- {
		if strings.EqualFold(rs[i].Version, strings.TrimSpace(version)) {
			return rs[i]
		}
	}
	return nil
}

// hasUnresolvedDefect reports whether a release is blocked.
func (x *execState) hasUnresolvedDefect(releaseID string) bool {
	for _, d := range x.defectsByRelease[releaseID] {
		if d.Status == "Unresolved" {
			return true
		}
	}
	return false
}

// proseDuration words a duration as Octopus does ("59 seconds",
// "1 minute", "8 minutes").
func proseDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int(d.Round(time.Second) / time.Second)
	unit := func(n int, one string) string {
		if n == 1 {
			return "1 " + one
		}
		return itoa(n) + " " + one + "s"
	}
	switch {
	case s < 60:
		return unit(s, "second")
	case s < 3600:
		return unit(s/60, "minute")
	case s < 86400:
		return unit(s/3600, "hour")
	}
	return unit(s/86400, "day")
}
