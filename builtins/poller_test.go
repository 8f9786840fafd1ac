package builtins

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.starlark.net/starlark"

	"github.com/octostar/octostar/internal/octopus"
	"github.com/octostar/octostar/interp"
)

// TestSharedPoll checks that every poll asks for all of the target's
// unfinished tasks at once, whoever waits, so no run costs its own
// requests.
func TestSharedPoll(t *testing.T) {
	def := newFake("default")
	var log strings.Builder
	env := fakeEnv(t, def, newFake("prod"), &log)
	if err := runStar(t, env, "shared_poll.star"); err != nil {
		t.Fatal(interp.FormatError(err))
	}
	var polls []string
	for _, c := range def.calls {
		if ids, ok := strings.CutPrefix(c, "tasks "); ok {
			polls = append(polls, ids)
		}
	}
	// wait(a) polls a, b and c together until a ends; after the second
	// poll all three have ended (the fake ends a task on its second
	// poll), so wait(b, c) needs no request at all.
	want := []string{"ServerTasks-1,ServerTasks-2,ServerTasks-3", "ServerTasks-1,ServerTasks-2,ServerTasks-3"}
	if strings.Join(polls, " | ") != strings.Join(want, " | ") {
		t.Errorf("polls:\n got %v\nwant %v", polls, want)
	}
}

// TestPollInterval checks how the interval follows the tasks' length.
func TestPollInterval(t *testing.T) {
	now := time.Now()
	env := &Env{PollMin: time.Second, PollMax: 10 * time.Second}
	running := func(age time.Duration) []*trackedRun {
		return []*trackedRun{{startedAt: now.Add(-age), task: octopus.Task{State: octopus.StateExecuting}}}
	}
	tests := []struct {
		name string
		seen []time.Duration
		runs []*trackedRun
		want time.Duration
	}{
		{"nothing known yet: the minimum", nil, running(0), time.Second},
		{"young tasks: the minimum", nil, running(2 * time.Second), time.Second},
		{"a task running 20s: a quarter of its age", nil, running(20 * time.Second), 5 * time.Second},
		{"an hour-long task: the maximum", nil, running(time.Hour), 10 * time.Second},
		{"finished tasks: a quarter of the median", []time.Duration{8 * time.Second, 12 * time.Second, 100 * time.Second}, running(0), 3 * time.Second},
		{"short finished tasks: the minimum", []time.Duration{time.Second, 2 * time.Second}, running(time.Minute), time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &poller{seen: tt.seen}
			if got := env.interval(p, tt.runs, now); got != tt.want {
				t.Errorf("interval = %s, want %s", got, tt.want)
			}
		})
	}
}

// countingOctopus counts Release reads and can fail them.
type countingOctopus struct {
	*fakeOctopus
	reads int
	fail  error
}

func (c *countingOctopus) Release(ctx context.Context, project, version string) (octopus.Release, error) {
	c.reads++
	if c.fail != nil {
		return octopus.Release{}, c.fail
	}
	return octopus.Release{ID: "Releases-9", Project: project, Version: version, Channel: "Hotfix",
		Packages: map[string]string{"Deploy": "2.0.0"}, Notes: "fixes"}, nil
}

// TestBriefRelease checks that a release fresh from create_release reads
// its channel, packages and notes once, on first use, and says so
// clearly when that read fails.
func TestBriefRelease(t *testing.T) {
	oct := &countingOctopus{fakeOctopus: newFake("default")}
	brief := octopus.Release{ID: "Releases-9", Project: "Web", Version: "2.0.0", Brief: true}
	rec := briefReleaseValue(t.Context(), nil, oct, brief)
	if v, _ := rec.Attr("version"); v != starlark.String("2.0.0") || oct.reads != 0 {
		t.Fatalf("version = %v after %d reads; want 2.0.0 without a read", v, oct.reads)
	}
	for range 2 {
		if v, err := rec.Attr("channel"); err != nil || v != starlark.String("Hotfix") {
			t.Fatalf("channel = %v, %v", v, err)
		}
		if v, _ := rec.Attr("packages"); v.String() != `{"Deploy": "2.0.0"}` {
			t.Fatalf("packages = %v", v)
		}
	}
	if oct.reads != 1 {
		t.Errorf("%d reads, want 1", oct.reads)
	}
	if got := rec.String(); got != `Release(project="Web", version="2.0.0", channel="Hotfix")` {
		t.Errorf("String() after the read = %s", got)
	}
	unread := briefReleaseValue(t.Context(), nil, oct, brief)
	if got := unread.String(); got != `Release(project="Web", version="2.0.0")` || oct.reads != 1 {
		t.Errorf("String() before any read = %s after %d reads: printing must not read", got, oct.reads)
	}

	failing := &countingOctopus{fakeOctopus: newFake("default"), fail: errors.New("finding release 2.0.0 of Web: 503")}
	rec = briefReleaseValue(t.Context(), nil, failing, brief)
	if _, err := rec.Attr("notes"); err == nil || !strings.Contains(err.Error(), "reading the rest of release Releases-9: finding release 2.0.0 of Web: 503") {
		t.Errorf("err = %v", err)
	}
	if got := rec.String(); got != `Release(project="Web", version="2.0.0")` {
		t.Errorf("String() after a failed read = %s, want what is known", got)
	}
	// The outage ends: the next use reads again and succeeds.
	failing.fail = nil
	if v, err := rec.Attr("channel"); err != nil || v != starlark.String("Hotfix") || failing.reads != 2 {
		t.Errorf("after the outage: %v, %v after %d reads; want Hotfix from a second read", v, err, failing.reads)
	}

	// The read runs under the run's context: once the run is cancelled,
	// it is not made.
	run, cancel := context.WithCancel(t.Context())
	cancel()
	stopped := &countingOctopus{fakeOctopus: newFake("default")}
	rec = briefReleaseValue(t.Context(), run, ctxChecking{stopped}, brief)
	if _, err := rec.Attr("packages"); err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Errorf("a read after the run was cancelled: %v, want it refused", err)
	}
}

// ctxChecking refuses a Release read whose context has ended, as the
// live client's transport does.
type ctxChecking struct{ *countingOctopus }

func (c ctxChecking) Release(ctx context.Context, project, version string) (octopus.Release, error) {
	if err := ctx.Err(); err != nil {
		return octopus.Release{}, err
	}
	return c.countingOctopus.Release(ctx, project, version)
}
