package octosim

import (
	"slices"
	"strings"
	"sync"
	"time"
)

// The task engine runs deployments and runbook runs: a task waits in the
// queue until a slot under the server's task cap is free (and its queue
// time has come), then runs its frozen process step by step. Each step
// takes a simulated duration divided by the time scale (--speed); with
// InstantTasks every duration is zero and tasks finish inside the request
// that made them.
//
// All run state lives in the Store (execState) and changes only under the
// store's write lock, through pump. Requests pump after each change; a
// goroutine (started when something is due later, stopped when nothing
// is, and by Close) pumps when the next step ends. Timing uses the
// monotonic clock, so an injected server clock only changes timestamps.

// Simulated durations.
const (
	pickupDelay     = 1 * time.Second
	cancelDelay     = 2 * time.Second
	scriptDuration  = 4 * time.Second
	packageDuration = 6 * time.Second
	otherDuration   = 5 * time.Second
	// PropSimDuration overrides a step's simulated duration ("8s").
	PropSimDuration = "Octosim.Duration"
)

type runKind uint8

const (
	runDeploy runKind = iota
	runRunbook
)

type runPhase uint8

const (
	phQueued     runPhase = iota // waiting for a slot (State Queued)
	phStep                       // running a step until due (State Executing)
	phPaused                     // at a manual intervention (State Queued, no slot)
	phGuided                     // at a guided failure (State Executing, holds its slot)
	phCancelling                 // State Cancelling until due
	phDone
)

// Activity statuses of steps.
const (
	stPending uint8 = iota
	stRunning
	stSuccess
	stFailed
	stSkipped
	stCanceled
)

var statusNames = [...]string{"Pending", "Running", "Success", "Failed", "Skipped", "Canceled"}

// Why a step was skipped.
const (
	skipNone uint8 = iota
	skipDisabled
	skipRequested
	skipEnvironment
	skipChannel
	skipTenant
	skipCondition
)

// Log categories.
const (
	catInfo uint8 = iota
	catWarning
	catError
)

var categoryNames = [...]string{"Info", "Warning", "Error"}

type logLine struct {
	at  time.Time
	cat uint8
	msg string
}

// stepRecord is what happened to one step. Routine lines (what a step
// does when it succeeds) are rendered from the step itself; only the
// unusual ones (errors, answers to interruptions) are stored.
type stepRecord struct {
	status     uint8
	reason     uint8
	start, end time.Time
	lines      []logLine
}

// runLog is a task's activity log: the steps it ran and their records,
// and notes about the task as a whole (warnings about its request).
type runLog struct {
	steps []*Step
	recs  []stepRecord
	notes []logLine
}

// taskRun is a task that has not finished.
type taskRun struct {
	taskID, spaceID string
	kind            runKind
	docID           string
	log             *runLog
	cur             int
	phase           runPhase
	due             time.Time // monotonic; zero means now
	readyAt         time.Time // monotonic; pickup delay
	notBefore       time.Time // server clock: the queue time
	expiry          time.Time // server clock: the queue time expiry
	failed          bool
	failMsg         string
	warned          bool
	guided          bool
	interruption    string
	projectID       string
	envID           string
	tenantID        string
	channelID       string
	releaseID       string
	runbookID       string
	skip            map[string]bool
	outcome         string // seeded runs: the final state to reach
	failStep        string
	canceledBy      string
	notes           []logLine // task-level lines to start the log with
}

func (r *taskRun) holdsSlot() bool {
	return r.phase == phStep || r.phase == phGuided || r.phase == phCancelling
}

// engine owns the goroutine that wakes the pump when something is due.
type engine struct {
	s       *Server
	mu      sync.Mutex
	running bool
	closed  bool
	wake    chan struct{}
	stop    chan struct{}
	wg      sync.WaitGroup
}

func newEngine(s *Server) *engine {
	return &engine{s: s, wake: make(chan struct{}, 1), stop: make(chan struct{})}
}

// kick makes sure the loop runs and looks at the world again.
//
// The wake-up is left under e.mu, the lock the loop holds while it
// decides to stop: so either the loop sees it before stopping, or it has
// stopped (running is false) and a new loop starts here. Left after the
// unlock, it could land just after a loop that had found nothing due
// stopped, and a task created by this request stayed Queued until some
// later write kicked again: a run waiting on it waited out its timeout.
func (e *engine) kick() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return
	}
	if !e.running {
		e.running = true
		e.wg.Add(1)
		go e.loop()
	}
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// close stops the loop and waits for it.
func (e *engine) close() {
	e.mu.Lock()
	if !e.closed {
		e.closed = true
		close(e.stop)
	}
	e.mu.Unlock()
	e.wg.Wait()
}

func (e *engine) loop() {
	defer e.wg.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		wait := e.tick()
		if wait < 0 {
			e.mu.Lock()
			select {
			case <-e.wake:
				e.mu.Unlock()
				continue
			default:
			}
			// Stopping with the lock held: a kick from now on starts a
			// new loop, so no wake-up is lost.
			e.running = false
			e.mu.Unlock()
			return
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(wait)
		select {
		case <-e.stop:
			e.mu.Lock()
			e.running = false // closed: nothing starts another loop
			e.mu.Unlock()
			return
		case <-e.wake:
		case <-timer.C:
		}
	}
}

// tick pumps the current world and says how long until the next thing is
// due (negative when nothing is).
func (e *engine) tick() time.Duration {
	st := e.s.store()
	st.mu.Lock()
	defer st.mu.Unlock()
	o := &op{s: e.s, st: st, now: e.s.now()}
	st.x.pump(o)
	return st.x.nextWake(o)
}

// afterChange pumps after a request changed runs, and wakes the loop if
// something is due later. The store's write lock must be held.
func afterChange(o *op) {
	o.st.x.pump(o)
	if o.s != nil && o.s.eng != nil && o.st.x.nextWake(o) >= 0 {
		o.s.eng.kick()
	}
}

// speed reads the time scale and instant mode.
func (x *execState) instant(o *op) bool {
	return x.seeding || o.s == nil || o.s.Knobs().InstantTasks
}

// dueAfter is the monotonic time a simulated duration from now ends.
func (x *execState) dueAfter(o *op, d time.Duration) time.Time {
	if d <= 0 || x.instant(o) {
		return time.Time{}
	}
	scale := o.s.Knobs().TimeScale
	if scale <= 0 {
		scale = 1
	}
	return time.Now().Add(time.Duration(float64(d) / scale))
}

// taskCap is the number of tasks that may hold a slot at once.
func taskCap(o *op) int {
	if o.s == nil || o.s.cfg.taskCap <= 0 {
		return 1 << 30
	}
	return o.s.cfg.taskCap
}

// pump moves every run as far as it can go now.
func (x *execState) pump(o *op) {
	if x.pumping {
		return
	}
	x.pumping = true
	defer func() { x.pumping = false }()
	for guard := 0; guard < 10_000_000; guard++ {
		progressed := false
		mono := time.Now()
		for _, r := range slices.Clone(x.active) {
			switch r.phase {
			case phStep, phCancelling:
				if !r.due.After(mono) {
					x.endPhase(o, r)
					progressed = true
				}
			case phQueued:
				if !r.expiry.IsZero() && o.now.After(r.expiry) {
					x.timeOut(o, r)
					progressed = true
				}
			}
		}
		busy := 0
		for _, r := range x.active {
			if r.holdsSlot() {
				busy++
			}
		}
		for _, r := range slices.Clone(x.active) {
			if busy >= taskCap(o) && !x.seeding {
				break
			}
			if r.phase == phQueued && x.canStart(o, r, mono) {
				x.pickUp(o, r)
				progressed = true
				if r.holdsSlot() {
					busy++
				}
			}
		}
		x.active = slices.DeleteFunc(x.active, func(r *taskRun) bool { return r.phase == phDone })
		if !progressed {
			return
		}
	}
}

// canStart reports whether a queued run may be picked up: its pickup
// delay and queue time have passed, and no other deployment of the same
// project to the same environment and tenant is running (Octopus's
// deployment mutex).
func (x *execState) canStart(o *op, r *taskRun, mono time.Time) bool {
	if r.readyAt.After(mono) || (!r.notBefore.IsZero() && r.notBefore.After(o.now)) {
		return false
	}
	if r.kind != runDeploy {
		return true
	}
	for _, other := range x.active {
		if other != r && other.kind == runDeploy && other.holdsSlot() && other.projectID == r.projectID &&
			other.envID == r.envID && other.tenantID == r.tenantID {
			return false
		}
	}
	return true
}

// nextWake is how long until something is due (negative when nothing is
// waiting on time). A queue time far ahead is rechecked at least every
// second, so an injected clock that moves is noticed.
func (x *execState) nextWake(o *op) time.Duration {
	mono := time.Now()
	best := time.Duration(-1)
	consider := func(d time.Duration) {
		if d < 0 {
			d = 0
		}
		if best < 0 || d < best {
			best = d
		}
	}
	for _, r := range x.active {
		switch r.phase {
		case phStep, phCancelling:
			consider(r.due.Sub(mono))
		case phQueued:
			if r.readyAt.After(mono) {
				consider(r.readyAt.Sub(mono))
			}
			if !r.notBefore.IsZero() && r.notBefore.After(o.now) {
				consider(min(r.notBefore.Sub(o.now), time.Second))
			}
			if !r.expiry.IsZero() {
				consider(min(r.expiry.Sub(o.now)+time.Millisecond, time.Second))
			}
		}
	}
	return best
}

// newRun queues a task's run.
func (x *execState) newRun(o *op, r *taskRun, steps []*Step) {
	r.log = &runLog{steps: steps, recs: make([]stepRecord, len(steps)), notes: r.notes}
	r.notes = nil
	r.cur = -1
	r.phase = phQueued
	r.readyAt = x.dueAfter(o, pickupDelay)
	x.logs[r.taskID] = r.log
	x.active = append(x.active, r)
	if r.outcome == StateFailed && r.failStep == "" {
		// A past failed deployment failed at its last step that ran.
		for i := len(steps) - 1; i >= 0; i-- {
			if x.skipReason(o, r, steps[i]) == skipNone && !isManualStep(steps[i]) {
				r.failStep = steps[i].Name
				break
			}
		}
	}
}

// updateTask saves a changed copy of a run's task.
func (x *execState) updateTask(o *op, r *taskRun, change func(t *ServerTask)) *ServerTask {
	cur := x.tasks[r.taskID]
	if cur == nil {
		return nil
	}
	c := *cur
	change(&c)
	c.LastUpdatedTime = o.now
	saveTask(o.in(r.spaceID), &c)
	return &c
}

// pickUp gives a queued run a slot and starts (or resumes) its steps.
func (x *execState) pickUp(o *op, r *taskRun) {
	x.updateTask(o, r, func(t *ServerTask) {
		t.State = StateExecuting
		t.PickedUp = true
		if t.StartTime.IsZero() {
			t.StartTime = o.now
		}
	})
	x.beginNext(o, r)
}

func isManualStep(s *Step) bool {
	for _, a := range s.Actions {
		if a.ActionType == ActionManual && !a.IsDisabled {
			return true
		}
	}
	return false
}

// skipReason says why a step will not run for this run (skipNone if it
// will).
func (x *execState) skipReason(o *op, r *taskRun, s *Step) uint8 {
	switch s.Condition {
	case "Failure":
		if !r.failed {
			return skipCondition
		}
	case "Always":
	default:
		if r.failed {
			return skipCondition
		}
	}
	reason := skipDisabled
	for _, a := range s.Actions {
		why := x.actionSkip(o, r, a)
		if why == skipNone {
			return skipNone
		}
		if reason == skipDisabled {
			reason = why
		}
	}
	return reason
}

func (x *execState) actionSkip(o *op, r *taskRun, a *Action) uint8 {
	switch {
	case a.IsDisabled:
		return skipDisabled
	case r.skip[a.ID]:
		return skipRequested
	case len(a.Environments) > 0 && !containsFold(a.Environments, r.envID):
		return skipEnvironment
	case containsFold(a.ExcludedEnvironments, r.envID):
		return skipEnvironment
	case r.kind == runDeploy && len(a.Channels) > 0 && !containsFold(a.Channels, r.channelID):
		return skipChannel
	case len(a.TenantTags) > 0:
		if r.tenantID == "" {
			return skipTenant
		}
		t, ok := kTenants.tab(o.st).get(r.spaceID, r.tenantID)
		if !ok || !tenantMatchesTags(t, a.TenantTags) {
			return skipTenant
		}
	}
	return skipNone
}

// beginNext starts the next step that applies, or finishes the run.
func (x *execState) beginNext(o *op, r *taskRun) {
	steps := r.log.steps
	for i := r.cur + 1; i < len(steps); i++ {
		s := steps[i]
		rec := &r.log.recs[i]
		if why := x.skipReason(o, r, s); why != skipNone {
			rec.status, rec.reason, rec.start, rec.end = stSkipped, why, o.now, o.now
			continue
		}
		r.cur = i
		rec.status, rec.start = stRunning, o.now
		if isManualStep(s) {
			if x.seeding || r.outcome != "" {
				rec.status, rec.end = stSuccess, o.now
				rec.lines = append(rec.lines, logLine{o.now, catInfo, "Manual intervention approved by " + o.actor() + "."})
				continue
			}
			x.raiseManual(o, r, s)
			return
		}
		r.phase = phStep
		r.due = x.dueAfter(o, stepDuration(s))
		return
	}
	x.finish(o, r)
}

// stepDuration is how long a step takes in simulated time.
func stepDuration(s *Step) time.Duration {
	for _, props := range []Properties{s.Properties} {
		if d, err := time.ParseDuration(props.Get(PropSimDuration)); err == nil {
			return d
		}
	}
	d := time.Duration(0)
	for _, a := range s.Actions {
		if v, err := time.ParseDuration(a.Properties.Get(PropSimDuration)); err == nil {
			d = max(d, v)
			continue
		}
		switch {
		case a.ActionType == ActionManual:
		case a.ActionType == ActionScript:
			d = max(d, scriptDuration)
		case len(a.Packages) > 0 || a.ActionType == ActionPackage:
			d = max(d, packageDuration)
		default:
			d = max(d, otherDuration)
		}
	}
	return d
}

// endPhase handles a run whose timed phase is over.
func (x *execState) endPhase(o *op, r *taskRun) {
	if r.phase == phCancelling {
		x.finishCanceled(o, r)
		return
	}
	x.endStep(o, r)
}

// endStep finishes the current step, successfully or not.
func (x *execState) endStep(o *op, r *taskRun) {
	s := r.log.steps[r.cur]
	rec := &r.log.recs[r.cur]
	if x.seeding {
		// Past deployments take their simulated time.
		o.now = o.now.Add(stepDuration(s))
	}
	failed, why := x.shouldFail(o, r, s)
	if !failed {
		rec.status, rec.end = stSuccess, o.now
		x.beginNext(o, r)
		return
	}
	action := s.Name
	if len(s.Actions) > 0 {
		action = s.Actions[0].Name
	}
	rec.lines = append(rec.lines,
		logLine{o.now, catError, why},
		logLine{o.now, catError, "The action " + action + " on the Octopus Server failed"})
	msg := "The step failed: Activity " + action + " on the Octopus Server failed with error '" + why + "'."
	if r.guided && !x.seeding && r.outcome == "" {
		rec.status = stFailed
		r.failMsg = msg
		x.raiseGuided(o, r, s)
		return
	}
	rec.status, rec.end = stFailed, o.now
	r.failed, r.failMsg = true, msg
	x.beginNext(o, r)
}

// finish completes a run.
func (x *execState) finish(o *op, r *taskRun) {
	state := StateSuccess
	if r.failed {
		state = StateFailed
	}
	if r.outcome != "" && r.outcome != StateSuccess && !r.failed {
		state = r.outcome
	}
	r.phase = phDone
	x.updateTask(o, r, func(t *ServerTask) {
		t.State = state
		t.CompletedTime = o.now
		t.HasPendingInterruptions = false
		t.PendingInterruptionTypes = nil
		t.HasWarningsOrErrors = r.failed || r.warned
		if r.failed {
			t.ErrorMessage = r.failMsg
		}
	})
	if r.kind == runDeploy {
		if r.failed {
			x.markFailure(o, r)
		}
		if state == StateSuccess {
			if rel, ok := kReleases.tab(o.st).get(r.spaceID, r.releaseID); ok {
				autoDeploy(o, rel)
			}
		}
	} else if r.failed {
		x.markFailure(o, r)
	}
}

// markFailure sets FailureEncountered on the run's deployment or run.
func (x *execState) markFailure(o *op, r *taskRun) {
	so := o.in(r.spaceID)
	if r.kind == runDeploy {
		if d, ok := kDeployments.tab(o.st).get(r.spaceID, r.docID); ok && !d.FailureEncountered {
			c := *d
			c.FailureEncountered = true
			saveDeployment(so, &c)
		}
		return
	}
	if rr, ok := kRunbookRuns.tab(o.st).get(r.spaceID, r.docID); ok && !rr.FailureEncountered {
		c := *rr
		c.FailureEncountered = true
		saveRunbookRun(so, &c)
	}
}

// timeOut ends a run that waited past its queue time expiry.
func (x *execState) timeOut(o *op, r *taskRun) {
	r.phase = phDone
	x.updateTask(o, r, func(t *ServerTask) {
		t.State = StateTimedOut
		t.CompletedTime = o.now
		t.ErrorMessage = "The task was not started before its expiry time (" + t.QueueTimeExpiry.UTC().Format(timeLayout) + ")."
		t.HasWarningsOrErrors = true
	})
}

// cancel cancels a run: at once if it holds no slot, else through
// Cancelling.
func (x *execState) cancel(o *op, r *taskRun) {
	r.canceledBy = o.actor()
	x.closeInterruption(o, r, "")
	switch r.phase {
	case phQueued, phPaused:
		x.finishCanceled(o, r)
	case phStep, phGuided:
		r.phase = phCancelling
		r.due = x.dueAfter(o, cancelDelay)
		x.updateTask(o, r, func(t *ServerTask) {
			t.State = StateCancelling
			t.HasPendingInterruptions = false
			t.PendingInterruptionTypes = nil
		})
	}
}

func (x *execState) finishCanceled(o *op, r *taskRun) {
	for i := range r.log.recs {
		rec := &r.log.recs[i]
		if rec.status == stRunning || (rec.status == stFailed && rec.end.IsZero()) {
			rec.status, rec.end = stCanceled, o.now
			rec.lines = append(rec.lines, logLine{o.now, catWarning, "The task was canceled by " + r.canceledBy + "."})
		}
	}
	r.phase = phDone
	x.updateTask(o, r, func(t *ServerTask) {
		t.State = StateCanceled
		t.CompletedTime = o.now
		t.HasPendingInterruptions = false
		t.PendingInterruptionTypes = nil
	})
}

// run finds the active run of a task.
func (x *execState) run(taskID string) *taskRun {
	for _, r := range x.active {
		if r.taskID == taskID {
			return r
		}
	}
	return nil
}

// answer applies a submitted interruption to its run. result is Proceed
// or Abort for manual interventions, a guidance (Retry, Ignore, Exclude,
// Fail) for guided failures.
func (x *execState) answer(o *op, in *Interruption, result, notes string) {
	r := x.run(in.TaskID)
	if r == nil || r.interruption != in.ID {
		return
	}
	r.interruption = ""
	who := o.actor()
	suffix := ""
	if strings.TrimSpace(notes) != "" {
		suffix = ": " + strings.TrimSpace(notes)
	}
	rec := &r.log.recs[r.cur]
	clear := func(t *ServerTask) { t.HasPendingInterruptions = false; t.PendingInterruptionTypes = nil }
	switch result {
	case "Proceed":
		rec.status, rec.end = stSuccess, o.now
		rec.lines = append(rec.lines, logLine{o.now, catInfo, "Manual intervention approved by " + who + suffix})
		r.phase, r.readyAt = phQueued, time.Time{}
		x.updateTask(o, r, clear)
	case "Abort":
		rec.status, rec.end = stFailed, o.now
		rec.lines = append(rec.lines, logLine{o.now, catError, "Manual intervention rejected by " + who + suffix})
		r.failed = true
		r.failMsg = "The manual intervention '" + r.log.steps[r.cur].Name + "' was aborted by " + who + "."
		r.phase, r.readyAt = phQueued, time.Time{}
		x.updateTask(o, r, clear)
	case "Retry":
		rec.status = stRunning
		rec.lines = append(rec.lines, logLine{o.now, catInfo, "Retrying the step, as requested by " + who + suffix})
		r.phase = phStep
		r.due = x.dueAfter(o, stepDuration(r.log.steps[r.cur]))
		x.updateTask(o, r, clear)
	case "Ignore", "Exclude":
		msg := "Ignoring the failure and continuing, as requested by " + who + suffix
		if result == "Exclude" {
			msg = "Excluding the failed target from the rest of the deployment, as requested by " + who + suffix
		}
		rec.end = o.now
		rec.lines = append(rec.lines, logLine{o.now, catWarning, msg})
		r.warned = true
		r.failMsg = ""
		x.updateTask(o, r, clear)
		r.phase = phStep
		x.beginNext(o, r)
	case "Fail":
		rec.end = o.now
		rec.lines = append(rec.lines, logLine{o.now, catError, "Failing the deployment, as requested by " + who + suffix})
		r.failed = true
		x.updateTask(o, r, clear)
		r.phase = phStep
		x.beginNext(o, r)
	}
}
