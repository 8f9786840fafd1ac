package progress

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults for a table on a terminal (see ForTerminal).
const (
	// DefaultTick moves the elapsed column about twice a second.
	DefaultTick = 500 * time.Millisecond
	// DefaultThrottle caps redraws at ten a second: fast enough to look
	// live, slow enough that a burst of updates costs one redraw.
	DefaultThrottle = 100 * time.Millisecond
)

// TableOptions configure NewTable. The zero value suits tests: a fixed
// 80×24 screen, no ticker and a redraw on every update.
type TableOptions struct {
	// Size returns the terminal's width and height in cells. It is asked
	// at every redraw, so the table follows a resized terminal; nil, or
	// a non-positive answer, means 80×24.
	Size func() (width, height int)
	// Now is the clock of the elapsed times; nil means time.Now.
	Now func() time.Time
	// Tick is how often the table is redrawn, while runs are going, to
	// move the elapsed column; 0 disables the ticker.
	Tick time.Duration
	// Throttle is the least time between two redraws caused by updates;
	// what changes meanwhile is drawn at its end, at once. 0 redraws on
	// every update.
	Throttle time.Duration
	// NoColor leaves the state column uncoloured.
	NoColor bool
}

// ANSI sequences the table uses; the tests' virtual screen knows them.
const (
	clearToEOL    = "\x1b[K"
	clearToEOS    = "\x1b[J"
	reset         = "\x1b[0m"
	colorExec     = "\x1b[36m"   // cyan
	colorAwaiting = "\x1b[1;33m" // bold yellow: someone has to act
)

// The table's layout.
const (
	gap    = 2 // spaces between columns
	minCol = 8 // the narrowest a text column gets on a narrow terminal
)

var headers = [5]string{"PROJECT", "ENVIRONMENT/TENANT", "RELEASE", "STATE", "ELAPSED"}

// entry is what the table knows of one run.
type entry struct {
	r       Run       // the latest snapshot, State never empty
	started time.Time // r.Started, or when the table first heard of it
	listed  bool      // in table.active
	printed string    // the final state last printed above the table
}

// table is the terminal form. The frame (header, rows, total) sits just
// above the cursor, shown lines tall; a redraw moves the cursor up over
// it and overwrites it. Permanent lines (ended runs, notes, Writer text)
// are queued in pending and written where the frame was, the frame then
// being redrawn below them.
type table struct {
	mu  sync.Mutex
	w   io.Writer
	opt TableOptions

	runs    map[string]*entry
	active  []*entry // unfinished runs in start order; ended ones linger until the next frame drops them
	nActive int
	counts  map[string]int // runs by state, ended ones included
	first   time.Time      // the earliest start
	lastEnd time.Time      // when the last run ended

	pending []byte // permanent lines not yet written
	partial []byte // Writer text after its last newline

	shown    int       // lines of the frame on screen above the cursor
	lastDraw time.Time // on the real clock, for the throttle
	dirty    bool      // a change is waiting for the throttle
	timer    *time.Timer
	closed   bool

	stop     chan struct{}
	done     chan struct{} // closed when the ticker has stopped
	stopOnce sync.Once

	out     bytes.Buffer
	buckets [4][]*entry // rows by rank, reused between frames
	hidden  map[string]int
}

// NewTable returns the terminal form: a live table of the unfinished
// runs, redrawn in place on w with ANSI sequences, under permanent lines
// for the runs that ended, the notes and whatever is written to Writer().
func NewTable(w io.Writer, opt TableOptions) Display {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	t := &table{
		w: w, opt: opt,
		runs: map[string]*entry{}, counts: map[string]int{}, hidden: map[string]int{},
		stop: make(chan struct{}), done: make(chan struct{}),
	}
	if opt.Tick > 0 {
		go t.tick()
	} else {
		close(t.done)
	}
	return t
}

func (t *table) Update(r Run) {
	r.State = r.state()
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.runs[r.Key]
	active, ended := false, false // before this update
	if e == nil {
		e = &entry{}
		t.runs[r.Key] = e
	} else {
		t.counts[e.r.State]--
		active, ended = !e.r.Done, e.r.Done
	}
	t.counts[r.State]++
	if !r.Started.IsZero() {
		e.started = r.Started
	} else if e.started.IsZero() {
		e.started = t.opt.Now()
	}
	if t.first.IsZero() || e.started.Before(t.first) {
		t.first = e.started
	}
	switch {
	case r.Done && !ended:
		if active {
			t.nActive--
		}
		t.lastEnd = t.opt.Now()
	case !r.Done && !active:
		t.nActive++
	}
	e.r = r
	if r.Done {
		if r.State != e.printed {
			t.pending = append(t.pending, clean(r.line())+"\n"...)
			e.printed = r.State
		}
	} else if !e.listed {
		t.active = append(t.active, e)
		e.listed = true
	}
	t.request(false)
}

func (t *table) Note(msg string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pending = append(t.pending, strings.TrimSuffix(msg, "\n")+"\n"...)
	t.request(true)
}

// Writer returns a writer whose complete lines go above the table;
// text after the last newline waits for the rest of its line.
func (t *table) Writer() io.Writer { return tableWriter{t} }

type tableWriter struct{ t *table }

func (tw tableWriter) Write(p []byte) (int, error) {
	t := tw.t
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return t.w.Write(p)
	}
	t.partial = append(t.partial, p...)
	if i := bytes.LastIndexByte(t.partial, '\n'); i >= 0 {
		t.pending = append(t.pending, t.partial[:i+1]...)
		t.partial = t.partial[:copy(t.partial, t.partial[i+1:])]
		t.request(true)
	}
	return len(p), nil
}

func (t *table) Close() {
	// Stop the ticker first, outside the lock it takes.
	t.stopOnce.Do(func() {
		close(t.stop)
		<-t.done
	})
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	if t.timer != nil {
		t.timer.Stop()
		t.timer = nil
	}
	if len(t.partial) > 0 {
		t.pending = append(append(t.pending, t.partial...), '\n')
		t.partial = nil
	}
	t.draw()
	t.closed = true
}

// request shows what changed: now, unless the last redraw was less than
// a throttle ago, in which case a timer draws it then. Permanent lines
// that are urgent (notes, logs) are written at once even so, over the
// frame, which the timer brings back. Once closed, the frame stays as
// it was and permanent lines are simply written below it.
// The caller holds t.mu.
func (t *table) request(urgent bool) {
	if t.closed {
		t.w.Write(t.pending)
		t.pending = t.pending[:0]
		return
	}
	since := time.Since(t.lastDraw)
	if t.opt.Throttle <= 0 || since >= t.opt.Throttle {
		t.draw()
		return
	}
	if urgent && len(t.pending) > 0 {
		t.out.Reset()
		t.up()
		t.out.WriteString(clearToEOS)
		t.out.Write(t.pending)
		t.w.Write(t.out.Bytes())
		t.pending, t.shown = t.pending[:0], 0
	}
	t.dirty = true
	if t.timer == nil {
		t.timer = time.AfterFunc(t.opt.Throttle-since, t.fire)
	}
}

func (t *table) fire() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.timer = nil
	if !t.closed && t.dirty {
		t.draw()
	}
}

func (t *table) tick() {
	defer close(t.done)
	tk := time.NewTicker(t.opt.Tick)
	defer tk.Stop()
	for {
		select {
		case <-t.stop:
			return
		case <-tk.C:
			t.mu.Lock()
			if !t.closed && (t.nActive > 0 || t.dirty) {
				t.draw()
			}
			t.mu.Unlock()
		}
	}
}

// up moves the cursor to the start of the frame's first line.
func (t *table) up() {
	if t.shown > 0 {
		t.out.WriteString("\r\x1b[" + strconv.Itoa(t.shown) + "A")
	}
}

// draw writes the pending permanent lines and the frame, in one write,
// over the previous frame. The caller holds t.mu.
func (t *table) draw() {
	frame := t.frame()
	t.dirty = false
	if t.shown == 0 && len(t.pending) == 0 && len(frame) == 0 {
		return
	}
	t.out.Reset()
	t.up()
	if len(t.pending) > 0 {
		// Cleared first: a log line's tabs would skip over the old
		// frame's text rather than overwrite it.
		t.out.WriteString(clearToEOS)
		t.out.Write(t.pending)
		t.pending = t.pending[:0]
	}
	for _, l := range frame {
		t.out.WriteString(l)
		t.out.WriteString(clearToEOL + "\n")
	}
	t.out.WriteString(clearToEOS)
	t.w.Write(t.out.Bytes())
	t.shown = len(frame)
	t.lastDraw = time.Now()
}

func (t *table) size() (w, h int) {
	if t.opt.Size != nil {
		w, h = t.opt.Size()
	}
	if w <= 0 || h <= 0 {
		return 80, 24
	}
	return w, h
}

// rank orders the rows: runs waiting for a person first, then those
// executing, then the queue, so the height cap hides the least urgent.
func rank(state string) int {
	switch state {
	case AwaitingIntervention:
		return 0
	case Executing:
		return 1
	case Queued:
		return 2
	}
	return 3
}

// frame is the table's lines: header, rows, "… and N more", total. It
// is at most the terminal's height less 2 lines tall (so it never
// scrolls out of reach of the cursor) and each line is narrower than the
// terminal (some terminals wrap on writing the last column).
func (t *table) frame() []string {
	if len(t.runs) == 0 {
		return nil
	}
	w, h := t.size()
	maxW := w - 1
	now := t.opt.Now()

	for i := range t.buckets {
		t.buckets[i] = t.buckets[i][:0]
	}
	kept := t.active[:0]
	for _, e := range t.active {
		if e.r.Done {
			e.listed = false
			continue
		}
		kept = append(kept, e)
		k := rank(e.r.State)
		t.buckets[k] = append(t.buckets[k], e)
	}
	clear(t.active[len(kept):])
	t.active = kept

	var lines []string
	room := max(h-2, 1) - 1 // lines above the total
	if n := len(kept); n > 0 && room >= 3 {
		visible := room - 1 // under the header
		if n > visible {
			visible-- // for "… and N more"
		}
		rows := make([][5]string, 0, min(visible, n))
		clear(t.hidden)
		for k, b := range t.buckets {
			shown := min(len(b), visible-len(rows))
			for _, e := range b[:shown] {
				rows = append(rows, t.cells(e, now))
			}
			if k < len(t.buckets)-1 {
				if rest := len(b) - shown; rest > 0 {
					t.hidden[b[0].r.State] += rest // one state per rank but the last
				}
				continue
			}
			for _, e := range b[shown:] {
				t.hidden[e.r.State]++
			}
		}
		lines = t.layout(rows, maxW)
		if n > len(rows) {
			lines = append(lines, fmt.Sprintf("… and %d more (%s)", n-len(rows), countText(t.hidden)))
		}
	}
	lines = append(lines, t.total(now))
	for i, l := range lines {
		lines[i] = truncate(l, maxW)
	}
	return lines
}

func (t *table) cells(e *entry, now time.Time) [5]string {
	project := e.r.Project
	if project == "" {
		project = e.r.Label
	}
	return [5]string{clean(project), clean(e.r.Where), clean(e.r.What), e.r.State, elapsed(now.Sub(e.started))}
}

// layout aligns the rows under the header. When they do not fit, the
// widest of the project, environment and release columns gives way
// first, so the state and elapsed columns stay in sight.
func (t *table) layout(rows [][5]string, maxW int) []string {
	var ws [5]int
	for i, h := range headers {
		ws[i] = width(h)
	}
	for _, r := range rows {
		for i, c := range r {
			ws[i] = max(ws[i], width(c))
		}
	}
	over := gap * (len(ws) - 1)
	for _, w := range ws {
		over += w
	}
	for over -= maxW; over > 0; over-- {
		i := 0
		for j := 1; j < 3; j++ {
			if ws[j] > ws[i] {
				i = j
			}
		}
		if ws[i] <= minCol {
			break
		}
		ws[i]--
	}
	sep := strings.Repeat(" ", gap)
	line := func(c [5]string, color string) string {
		state := pad(c[3], ws[3], false)
		if color != "" {
			state = color + state + reset
		}
		return pad(c[0], ws[0], false) + sep + pad(c[1], ws[1], false) + sep + pad(c[2], ws[2], false) + sep +
			state + sep + pad(c[4], ws[4], true)
	}
	out := make([]string, 0, len(rows)+1)
	out = append(out, line(headers, ""))
	for _, r := range rows {
		out = append(out, line(r, t.color(r[3])))
	}
	return out
}

func (t *table) color(state string) string {
	if t.opt.NoColor {
		return ""
	}
	switch state {
	case Executing:
		return colorExec
	case AwaitingIntervention:
		return colorAwaiting
	}
	return ""
}

// total is "12 runs: 3 executing, … · 1m42s", the time counting from the
// first start to now, or to the last end when nothing is going.
func (t *table) total(now time.Time) string {
	end := now
	if t.nActive == 0 && !t.lastEnd.IsZero() {
		end = t.lastEnd
	}
	n := len(t.runs)
	noun := "runs"
	if n == 1 {
		noun = "run"
	}
	return fmt.Sprintf("%d %s: %s · %s", n, noun, countText(t.counts), elapsed(end.Sub(t.first)))
}

// countText is "3 executing, 4 queued": the non-zero counts in
// stateOrder, then any state octostar does not know, by name.
func countText(counts map[string]int) string {
	var parts []string
	for _, s := range stateOrder {
		if n := counts[s]; n > 0 {
			parts = append(parts, strconv.Itoa(n)+" "+stateWord(s))
		}
	}
	var other []string
	for s, n := range counts {
		if n > 0 && !slices.Contains(stateOrder, s) {
			other = append(other, s)
		}
	}
	if len(other) > 0 {
		slices.Sort(other)
		for _, s := range other {
			parts = append(parts, strconv.Itoa(counts[s])+" "+stateWord(clean(s)))
		}
	}
	return strings.Join(parts, ", ")
}

// elapsed is a whole number of seconds, "1m42s", never negative.
func elapsed(d time.Duration) string {
	return max(d, 0).Truncate(time.Second).String()
}
