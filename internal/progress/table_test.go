package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// clock is a fake clock that tests move by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) set(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t0.Add(d)
}

// fixture is a table on a virtual screen of a fixed size, with a fake
// clock at t0, no colour, no ticker and no throttle unless opt says.
type fixture struct {
	*screen
	d     Display
	clock *clock
}

func newFixture(t *testing.T, w, h int, opt TableOptions) *fixture {
	f := &fixture{screen: newScreen(t, w, h), clock: &clock{now: t0}}
	opt.Size = func() (int, int) { return w, h }
	opt.Now = f.clock.Now
	opt.NoColor = true
	f.d = NewTable(f.screen, opt)
	t.Cleanup(f.d.Close)
	return f
}

func (f *fixture) want(want string) {
	f.t.Helper()
	if got := f.text(); got != want {
		f.t.Errorf("screen shows\n%s--- want\n%s", got, want)
	}
}

// run is a deployment of Web 1.0.0 to ENV started at t0+start.
func run(env, state string, start time.Duration) Run {
	return Run{
		Key: "T-" + env, Label: "Web 1.0.0 to " + env, Project: "Web", Where: env, What: "1.0.0",
		State: state, Done: done(state), Started: t0.Add(start),
	}
}

func TestTableFrame(t *testing.T) {
	f := newFixture(t, 100, 24, TableOptions{})
	f.d.Update(run("Development", Executing, 0))
	f.d.Update(run("Test", Queued, 5*time.Second))
	f.d.Update(Run{Key: "T-9", Label: "runbook Restart of Payments API in Production for Acme", Project: "Payments API",
		Where: "Production / Acme", What: "runbook Restart", State: AwaitingIntervention, Started: t0.Add(time.Second)})
	f.clock.set(102 * time.Second)
	f.d.Update(run("Staging", "", 100*time.Second)) // not yet reported: queued
	f.want(`PROJECT       ENVIRONMENT/TENANT  RELEASE          STATE                 ELAPSED
Payments API  Production / Acme   runbook Restart  AwaitingIntervention    1m41s
Web           Development         1.0.0            Executing               1m42s
Web           Test                1.0.0            Queued                  1m37s
Web           Staging             1.0.0            Queued                     2s
4 runs: 1 executing, 2 queued, 1 awaiting intervention · 1m42s
`)
	if !f.below() {
		t.Errorf("cursor at %d,%d, not below the table", f.row, f.col)
	}
}

func TestTableFinishedRunsGoAbove(t *testing.T) {
	f := newFixture(t, 80, 24, TableOptions{})
	f.d.Update(run("Development", Executing, 0))
	f.d.Update(run("Test", Executing, 0))
	f.clock.set(90 * time.Second)
	r := run("Development", Success, 0)
	r.Duration = 83*time.Second + 400*time.Millisecond
	f.d.Update(r)
	f.d.Update(r) // again: no second line
	f.d.Update(run("Test", Executing, 0))
	f.want(`Web 1.0.0 to Development: Success after 1m23s
PROJECT  ENVIRONMENT/TENANT  RELEASE  STATE      ELAPSED
Web      Test                1.0.0    Executing    1m30s
2 runs: 1 executing, 1 success · 1m30s
`)
	f.clock.set(100 * time.Second)
	f.d.Update(run("Test", Failed, 0))
	f.clock.set(200 * time.Second) // nothing going: the total stops at the last end
	f.d.Close()
	f.want(`Web 1.0.0 to Development: Success after 1m23s
Web 1.0.0 to Test: Failed
2 runs: 1 success, 1 failed · 1m40s
`)
	if !f.below() {
		t.Errorf("cursor at %d,%d, not below the table", f.row, f.col)
	}
}

func TestTableHeightCap(t *testing.T) {
	tests := []struct {
		height int
		want   string
	}{
		{24, `PROJECT  ENVIRONMENT/TENANT  RELEASE  STATE      ELAPSED
Web      Env 10              1.0.0    Executing       0s
Web      Env 11              1.0.0    Executing       0s
Web      Env 0               1.0.0    Queued          0s
Web      Env 1               1.0.0    Queued          0s
Web      Env 2               1.0.0    Queued          0s
Web      Env 3               1.0.0    Queued          0s
Web      Env 4               1.0.0    Queued          0s
Web      Env 5               1.0.0    Queued          0s
Web      Env 6               1.0.0    Queued          0s
Web      Env 7               1.0.0    Queued          0s
Web      Env 8               1.0.0    Queued          0s
Web      Env 9               1.0.0    Queued          0s
12 runs: 2 executing, 10 queued · 0s
`},
		{10, `PROJECT  ENVIRONMENT/TENANT  RELEASE  STATE      ELAPSED
Web      Env 10              1.0.0    Executing       0s
Web      Env 11              1.0.0    Executing       0s
Web      Env 0               1.0.0    Queued          0s
Web      Env 1               1.0.0    Queued          0s
Web      Env 2               1.0.0    Queued          0s
… and 7 more (7 queued)
12 runs: 2 executing, 10 queued · 0s
`},
		{7, `PROJECT  ENVIRONMENT/TENANT  RELEASE  STATE      ELAPSED
Web      Env 10              1.0.0    Executing       0s
Web      Env 11              1.0.0    Executing       0s
… and 10 more (10 queued)
12 runs: 2 executing, 10 queued · 0s
`},
		{6, `PROJECT  ENVIRONMENT/TENANT  RELEASE  STATE      ELAPSED
Web      Env 10              1.0.0    Executing       0s
… and 11 more (1 executing, 10 queued)
12 runs: 2 executing, 10 queued · 0s
`},
		{5, "12 runs: 2 executing, 10 queued · 0s\n"}, // no room for a table: the total alone
		{1, "12 runs: 2 executing, 10 queued · 0s\n"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.height), func(t *testing.T) {
			f := newFixture(t, 80, max(tt.height, 2), TableOptions{})
			for i := range 12 {
				state := Queued
				if i >= 10 {
					state = Executing
				}
				f.d.Update(run(fmt.Sprint("Env ", i), state, 0))
			}
			f.want(tt.want)
			if n := strings.Count(f.text(), "\n"); n > max(tt.height-2, 1) {
				t.Errorf("%d lines on a %d-line screen", n, tt.height)
			}
		})
	}
}

func TestTableTruncates(t *testing.T) {
	long := strings.Repeat("Very Long Project Name ", 5)
	tests := []struct {
		name  string
		width int
		run   Run
		want  string
	}{
		{"long cells give way", 60, Run{Key: "1", Project: long, Where: "Production / " + long, What: "1.0.0", State: Executing, Started: t0},
			`PROJECT         ENVIRONMENT/T…  RELEASE  STATE      ELAPSED
Very Long Pro…  Production / …  1.0.0    Executing       0s
1 run: 1 executing · 0s
`},
		{"a narrow terminal cuts the line", 30, Run{Key: "1", Project: long, Where: "Test", What: "1.0.0", State: Executing, Started: t0},
			`PROJECT   ENVIRON…  RELEASE …
Very Lo…  Test      1.0.0   …
1 run: 1 executing · 0s
`},
		{"wide characters take two cells", 40, Run{Key: "1", Project: "支付服务支付服务支付服务", Where: "生产环境", What: "1.0.0", State: Queued, Started: t0},
			`PROJECT   ENVIRON…  RELEASE  STATE   E…
支付服…   生产环境  1.0.0    Queued   …
1 run: 1 queued · 0s
`},
		{"control characters are spaces", 80, Run{Key: "1", Project: "We\x1b[2Jb", Where: "Test\ttab", What: "1.0.0", State: Queued, Started: t0},
			`PROJECT  ENVIRONMENT/TENANT  RELEASE  STATE   ELAPSED
We [2Jb  Test tab            1.0.0    Queued       0s
1 run: 1 queued · 0s
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.width, 24, TableOptions{})
			f.d.Update(tt.run) // the screen fails the test if a line wraps
			f.want(tt.want)
		})
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		s    string
		max  int
		want string
	}{
		{"hello", 5, "hello"},
		{"hello", 4, "hel…"},
		{"hello", 1, "…"},
		{"hello", 0, ""},
		{"日本語", 6, "日本語"},
		{"日本語", 5, "日本…"},
		{"日本語", 4, "日…"},
		{"e\u0301te\u0301", 4, "e\u0301te\u0301"}, // combining accents take no room
		{"\x1b[36mExecuting\x1b[0m", 9, "\x1b[36mExecuting\x1b[0m"},
		{"\x1b[36mExecuting\x1b[0m", 5, "\x1b[36mExec…\x1b[0m"},
	}
	for _, tt := range tests {
		if got := truncate(tt.s, tt.max); got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.s, tt.max, got, tt.want)
		}
	}
}

func TestTableWriterAndNotes(t *testing.T) {
	f := newFixture(t, 80, 24, TableOptions{})
	f.d.Update(run("Test", Executing, 0))
	w := f.d.Writer()
	fmt.Fprint(w, "INF deploy project=Web")
	f.want(`PROJECT  ENVIRONMENT/TENANT  RELEASE  STATE      ELAPSED
Web      Test                1.0.0    Executing       0s
1 run: 1 executing · 0s
`) // half a line waits for the rest
	fmt.Fprint(w, " environment=Test\nprint output\nand a ")
	f.d.Note("waiting for a free slot on prod: 10 of 10 tasks in flight")
	f.want(`INF deploy project=Web environment=Test
print output
waiting for a free slot on prod: 10 of 10 tasks in flight
PROJECT  ENVIRONMENT/TENANT  RELEASE  STATE      ELAPSED
Web      Test                1.0.0    Executing       0s
1 run: 1 executing · 0s
`)
	f.d.Close() // the rest of the line is not lost
	f.want(`INF deploy project=Web environment=Test
print output
waiting for a free slot on prod: 10 of 10 tasks in flight
and a
PROJECT  ENVIRONMENT/TENANT  RELEASE  STATE      ELAPSED
Web      Test                1.0.0    Executing       0s
1 run: 1 executing · 0s
`)
	// After Close the table stays as it was and output goes below it.
	fmt.Fprintln(w, "after")
	f.d.Note("a note")
	f.d.Update(run("Test", Success, 0))
	f.want(`INF deploy project=Web environment=Test
print output
waiting for a free slot on prod: 10 of 10 tasks in flight
and a
PROJECT  ENVIRONMENT/TENANT  RELEASE  STATE      ELAPSED
Web      Test                1.0.0    Executing       0s
1 run: 1 executing · 0s
after
a note
Web 1.0.0 to Test: Success
`)
}

// counter counts the writes to it.
type counter struct {
	io.Writer
	mu sync.Mutex
	n  int
}

func (c *counter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return c.Writer.Write(p)
}

func (c *counter) writes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

func TestTableThrottle(t *testing.T) {
	s := newScreen(t, 80, 24)
	c := &counter{Writer: s}
	d := NewTable(c, TableOptions{Size: func() (int, int) { return 80, 24 }, Now: func() time.Time { return t0 }, NoColor: true, Throttle: time.Hour})
	for i := range 500 {
		d.Update(run(fmt.Sprint("Env ", i), Executing, 0))
		d.Update(run(fmt.Sprint("Env ", i), Success, 0))
	}
	if n := c.writes(); n != 1 {
		t.Errorf("%d writes for a burst of 1,000 updates, want 1 (the first, then the throttle)", n)
	}
	d.Note("a note goes out at once")
	if n := c.writes(); n != 2 {
		t.Errorf("%d writes after a note, want 2", n)
	}
	d.Close()
	if n := c.writes(); n != 3 {
		t.Errorf("%d writes after Close, want 3", n)
	}
	text := s.text()
	if !strings.HasSuffix(text, "a note goes out at once\n500 runs: 500 success · 0s\n") {
		t.Errorf("screen ends\n%s", text[max(0, len(text)-200):])
	}
	for i := range 500 {
		if line := fmt.Sprintf("Web 1.0.0 to Env %d: Success\n", i); strings.Count(text, line) != 1 {
			t.Errorf("%q shown %d times", line, strings.Count(text, line))
		}
	}
}

// TestTableThrottledNote checks a note is written at once even when the
// throttle holds the redraw, and the table comes back when it ends.
func TestTableThrottledNote(t *testing.T) {
	s := newScreen(t, 80, 24)
	c := &counter{Writer: s}
	d := NewTable(c, TableOptions{Now: func() time.Time { return t0 }, NoColor: true, Throttle: 20 * time.Millisecond})
	defer d.Close()
	d.Update(run("Test", Executing, 0))
	d.Note("a note")
	if got, want := c.text(), "a note\n"; got != want {
		t.Errorf("screen shows\n%s--- want\n%s", got, want)
	}
	want := `a note
PROJECT  ENVIRONMENT/TENANT  RELEASE  STATE      ELAPSED
Web      Test                1.0.0    Executing       0s
1 run: 1 executing · 0s
`
	deadline := time.Now().Add(5 * time.Second)
	for c.text() != want && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := c.text(); got != want {
		t.Errorf("screen shows\n%s--- want\n%s", got, want)
	}
}

func TestTableClose(t *testing.T) {
	t.Run("without updates", func(t *testing.T) {
		var b strings.Builder
		d := NewTable(&b, TableOptions{Tick: time.Millisecond})
		d.Close()
		d.Close()
		if b.Len() != 0 {
			t.Errorf("wrote %q", b.String())
		}
	})
	t.Run("stops the ticker and the throttle, once", func(t *testing.T) {
		f := newFixture(t, 80, 24, TableOptions{Tick: time.Millisecond, Throttle: time.Hour})
		f.d.Update(run("Test", Executing, 0))
		f.d.Update(run("Dev", Executing, 0)) // throttled: a timer is pending
		f.d.Close()
		tb := f.d.(*table)
		select {
		case <-tb.done:
		case <-time.After(5 * time.Second):
			t.Fatal("the ticker goroutine is still running after Close")
		}
		tb.mu.Lock()
		if tb.timer != nil {
			t.Error("the throttle's timer is still set after Close")
		}
		tb.mu.Unlock()
		before := f.text()
		f.d.Close()
		time.Sleep(5 * time.Millisecond) // a ticker left running would redraw now
		if after := f.text(); after != before {
			t.Errorf("the screen changed after Close:\n%s--- was\n%s", after, before)
		}
		f.want(`PROJECT  ENVIRONMENT/TENANT  RELEASE  STATE      ELAPSED
Web      Test                1.0.0    Executing       0s
Web      Dev                 1.0.0    Executing       0s
2 runs: 2 executing · 0s
`)
	})
	t.Run("concurrent", func(t *testing.T) {
		d := NewTable(io.Discard, TableOptions{Tick: time.Millisecond})
		d.Update(run("Test", Executing, 0))
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(d.Close)
		}
		wg.Wait()
	})
}

func TestTableTicker(t *testing.T) {
	var clk clock
	clk.set(0)
	s := newScreen(t, 80, 24)
	c := &counter{Writer: s}
	d := NewTable(c, TableOptions{Now: clk.Now, NoColor: true, Tick: time.Millisecond})
	d.Update(run("Test", Executing, 0))
	clk.set(3 * time.Second)
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(c.text(), "Executing       3s") && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	d.Close()
	if !strings.Contains(s.text(), "Executing       3s") {
		t.Errorf("the ticker did not move the elapsed column:\n%s", s.text())
	}
}

func (c *counter) text() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.Writer.(*screen).text()
}

func TestTableConcurrent(t *testing.T) {
	s := newScreen(t, 100, 30)
	var mu sync.Mutex // the screen is read below while the ticker may write
	lw := writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return s.Write(p)
	})
	d := NewTable(lw, TableOptions{Size: func() (int, int) { return 100, 30 }, NoColor: false, Tick: time.Millisecond, Throttle: time.Millisecond})
	const workers, runs = 8, 50
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range runs {
				r := run(fmt.Sprintf("Env %d-%d", w, i), Queued, 0)
				r.Started = time.Now()
				for _, st := range []string{Queued, Executing, AwaitingIntervention, Executing, Success} {
					r.State, r.Done = st, done(st)
					d.Update(r)
				}
				if i%10 == 0 {
					d.Note(fmt.Sprintf("note %d-%d", w, i))
					fmt.Fprintf(d.Writer(), "log %d-%d\n", w, i)
				}
			}
		})
	}
	wg.Wait()
	d.Close()
	mu.Lock()
	defer mu.Unlock()
	text := s.text()
	if !strings.Contains(text, fmt.Sprintf("%d runs: %d success ·", workers*runs, workers*runs)) {
		t.Errorf("final total missing:\n%s", text[max(0, len(text)-300):])
	}
	for w := range workers {
		for i := range runs {
			if line := fmt.Sprintf("Web 1.0.0 to Env %d-%d: Success\n", w, i); strings.Count(text, line) != 1 {
				t.Errorf("%q shown %d times", line, strings.Count(text, line))
			}
		}
	}
	if !s.below() {
		t.Errorf("cursor at %d,%d, not below the table", s.row, s.col)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// BenchmarkTableUpdate is the cost of one Update with 2,000 runs going:
// throttled as on a terminal, and redrawing on every update (the worst
// case, bounded by the terminal's size rather than the number of runs).
func BenchmarkTableUpdate(b *testing.B) {
	for _, bc := range []struct {
		name     string
		throttle time.Duration
	}{{"throttled", DefaultThrottle}, {"redraw-every-update", 0}} {
		b.Run(bc.name, func(b *testing.B) {
			const n = 2000
			d := NewTable(io.Discard, TableOptions{Size: func() (int, int) { return 160, 50 }, Throttle: bc.throttle})
			defer d.Close()
			runs := make([]Run, n)
			for i := range runs {
				runs[i] = run(fmt.Sprint("Env ", i), Queued, 0)
				runs[i].Key = fmt.Sprint("ServerTasks-", i)
				d.Update(runs[i])
			}
			states := []string{Executing, AwaitingIntervention, Queued}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				r := runs[i%n]
				r.State = states[(i/n)%len(states)]
				d.Update(r)
			}
		})
	}
}

func TestForTerminalNotATerminal(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if d, ok := ForTerminal(f); ok || d != nil {
		t.Errorf("ForTerminal(a file) = %v, %v; want nil, false", d, ok)
	}
}
