package builtins

import (
	"context"
	"slices"
	"time"

	"github.com/octostar/octostar/internal/octopus"
)

// poller is one target's view of the tasks this run started. It polls
// every unfinished one with a single batched request (paged by the
// client when long), whoever needs fresh states: wait(), or a start
// held back by --max-parallel. So a run makes one poll request per
// interval per target, however many waits and starts want states.
//
// The interval adapts to how long this run's tasks take, as seen from
// here (from the start request to the poll that saw the end): a quarter
// of the median of the last finished ones, or, before any finished, a
// quarter of the age of the oldest unfinished one; never below
// Env.PollMin nor above Env.PollMax. A quarter keeps the delay between
// a task ending and octostar noticing it near an eighth of a task's
// length on average, while a train of ten-minute deployments costs one
// request every PollMax, not every second.
type poller struct {
	oct  octopus.Octopus
	next time.Time // when the next poll is due; zero means now
	// seen holds how long the last finished tasks took, newest last.
	seen []time.Duration
}

// seenWindow is how many finished tasks the interval is computed from.
const seenWindow = 32

// pollerFor returns the target's poller, creating it on first use.
func (e *Env) pollerFor(oct octopus.Octopus) *poller {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.pollers == nil {
		e.pollers = map[octopus.Octopus]*poller{}
	}
	p := e.pollers[oct]
	if p == nil {
		p = &poller{oct: oct}
		e.pollers[oct] = p
	}
	return p
}

// unfinished lists the runs of this target whose task has not ended.
func (e *Env) unfinished(oct octopus.Octopus) []*trackedRun {
	var out []*trackedRun
	for _, tr := range e.tracked() {
		if tr.oct == oct && !tr.finished() {
			out = append(out, tr)
		}
	}
	return out
}

// poll reads every unfinished task of the target in one batched request
// and records the states, then schedules the next poll. It reports
// whether any state changed.
func (e *Env) poll(ctx context.Context, p *poller) (bool, error) {
	trs := e.unfinished(p.oct)
	if len(trs) == 0 {
		p.next = time.Time{}
		return false, nil
	}
	ids := make([]string, len(trs))
	for i, tr := range trs {
		ids[i] = tr.run.TaskID
	}
	tasks, err := p.oct.Tasks(ctx, ids)
	now := time.Now()
	if err != nil {
		p.next = now.Add(e.pollMin())
		return false, err
	}
	changed := e.apply(ctx, trs, tasks)
	for _, tr := range trs {
		if tr.finished() && !tr.startedAt.IsZero() {
			p.seen = append(p.seen, now.Sub(tr.startedAt))
		}
	}
	if len(p.seen) > seenWindow {
		p.seen = slices.Clone(p.seen[len(p.seen)-seenWindow:])
	}
	p.next = now.Add(e.interval(p, trs, now))
	return changed, nil
}

// interval is the time to the next poll; see poller.
func (e *Env) interval(p *poller, polled []*trackedRun, now time.Time) time.Duration {
	var typical time.Duration
	if len(p.seen) > 0 {
		s := slices.Clone(p.seen)
		slices.Sort(s)
		typical = s[len(s)/2]
	} else {
		for _, tr := range polled {
			if !tr.finished() && !tr.startedAt.IsZero() {
				typical = max(typical, now.Sub(tr.startedAt))
			}
		}
	}
	return min(max(typical/4, e.pollMin()), e.pollMax())
}

func (e *Env) pollMin() time.Duration { return max(e.PollMin, time.Millisecond) }
func (e *Env) pollMax() time.Duration { return max(e.PollMax, e.pollMin()) }

// due is how long until the poller's next poll, zero when it is due.
func (p *poller) due(now time.Time) time.Duration {
	if p.next.IsZero() || !now.Before(p.next) {
		return 0
	}
	return p.next.Sub(now)
}
