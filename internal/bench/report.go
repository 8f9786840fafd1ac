package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// The targets octostar is held to. They are printed, met or not; missing
// one never fails the benchmark, since a slow machine is no bug.
const (
	TargetWallRatio    = 1.15  // octostar wall time / server-bound time
	TargetRequestRatio = 1.25  // octostar requests / minimal requests
	TargetTrainRSS     = 60e6  // bytes, peak RSS of the 200-project train
	TargetWaitRSS      = 150e6 // bytes, peak RSS while waiting on 2,000 tasks
)

// Report holds every figure the benchmark prints; --json writes it as is.
type Report struct {
	Date     string       `json:"date"`
	Platform string       `json:"platform"`
	CPUs     int          `json:"cpus"`
	Setup    Setup        `json:"setup"`
	Bound    Bound        `json:"bound"`
	Octostar *Arm         `json:"octostar,omitempty"`
	CLI      *Arm         `json:"cli,omitempty"`
	Wait     *Arm         `json:"wait,omitempty"`
	Targets  []TargetLine `json:"targets"`
}

// Setup is the scenario as run.
type Setup struct {
	Projects            int      `json:"projects"`
	Environments        []string `json:"environments"` // one wave each
	TaskCap             int      `json:"taskCap"`
	TaskDurationSeconds float64  `json:"taskDurationSeconds"`
	PickupSeconds       float64  `json:"pickupSeconds"`
	LatencyMs           float64  `json:"latencyMs"`
	Speed               float64  `json:"speed"`
	MaxParallel         int      `json:"maxParallel"`
	CLIWorkers          int      `json:"cliWorkers"`
	CLIPollSeconds      float64  `json:"cliPollSeconds"`
	// The 2,000-task wait.
	WaitProjects            int     `json:"waitProjects"`
	WaitEnvironments        int     `json:"waitEnvironments"`
	WaitTaskDurationSeconds float64 `json:"waitTaskDurationSeconds"`
	WaitSpeed               float64 `json:"waitSpeed"`
}

// Bound is what no client can beat. Time: each wave needs ceil(N/cap)
// batches of tasks, each holding the cap's slots for one task duration.
// Requests: one create per project, one deploy per project and wave, and
// one poll for all tasks per task duration of the server-bound time.
type Bound struct {
	Waves       int     `json:"waves"`
	Batches     int     `json:"batches"` // per wave: ceil(N / task cap)
	Seconds     float64 `json:"seconds"` // waves x batches x task duration
	Creates     int     `json:"creates"`
	Deploys     int     `json:"deploys"`
	Polls       int     `json:"polls"` // waves x batches
	MinRequests int     `json:"minRequests"`
}

// NewBound computes the bound of a train of n projects over waves
// environments.
func NewBound(n, waves, taskCap int, task time.Duration) Bound {
	batches := (n + taskCap - 1) / taskCap
	b := Bound{Waves: waves, Batches: batches, Seconds: float64(waves*batches) * task.Seconds(),
		Creates: n, Deploys: waves * n, Polls: waves * batches}
	b.MinRequests = b.Creates + b.Deploys + b.Polls
	return b
}

// Arm is one client's run.
type Arm struct {
	Name         string       `json:"name"`
	Detail       string       `json:"detail"`
	WallSeconds  float64      `json:"wallSeconds"`
	Requests     int          `json:"requests"`
	Routes       []RouteCount `json:"routes"`
	PeakRSSBytes int64        `json:"peakRssBytes"` // 0: not measured
	// Tasks and their durations as the server recorded them.
	Tasks        int       `json:"tasks"`
	TaskSeconds  Durations `json:"taskSeconds"`
	PeakInFlight int       `json:"peakInFlight"` // tasks queued or running at once
	PeakRunning  int       `json:"peakRunning"`
	// Ratios to the bound (train arms only).
	WallRatio    float64 `json:"wallRatio,omitempty"`
	RequestRatio float64 `json:"requestRatio,omitempty"`
	// CLI is the CLI-pattern child's own count.
	CLI *CLIResult `json:"cliCounts,omitempty"`
}

// Durations summarise task durations in seconds.
type Durations struct {
	Mean float64 `json:"mean"`
	Min  float64 `json:"min"`
	Max  float64 `json:"max"`
}

// TargetLine is one target and whether it was met; Status is "met",
// "NOT met" or "not measured".
type TargetLine struct {
	Target string `json:"target"`
	Got    string `json:"got"`
	Status string `json:"status"`
}

func (a *Arm) ratios(b Bound) {
	if a == nil {
		return
	}
	if b.Seconds > 0 {
		a.WallRatio = a.WallSeconds / b.Seconds
	}
	if b.MinRequests > 0 {
		a.RequestRatio = float64(a.Requests) / float64(b.MinRequests)
	}
}

// evaluate fills the ratios and the targets.
func (r *Report) evaluate() {
	r.Octostar.ratios(r.Bound)
	r.CLI.ratios(r.Bound)
	var t []TargetLine
	line := func(target string, measured bool, met bool, got string) {
		status := "not measured"
		switch {
		case measured && met:
			status = "met"
		case measured:
			status = "NOT met"
		}
		t = append(t, TargetLine{Target: target, Got: got, Status: status})
	}
	o, c, w := r.Octostar, r.CLI, r.Wait
	if o != nil {
		line(fmt.Sprintf("octostar wall <= %.2fx bound", TargetWallRatio), true, o.WallRatio <= TargetWallRatio,
			fmt.Sprintf("%s = %.2fx %s", secs(o.WallSeconds), o.WallRatio, secs(r.Bound.Seconds)))
		line(fmt.Sprintf("octostar requests <= %.2fx minimum", TargetRequestRatio), true, o.RequestRatio <= TargetRequestRatio,
			fmt.Sprintf("%d = %.2fx %d", o.Requests, o.RequestRatio, r.Bound.MinRequests))
		line(fmt.Sprintf("octostar peak RSS, %d-project train <= %s", r.Setup.Projects, mb(TargetTrainRSS)),
			o.PeakRSSBytes > 0, float64(o.PeakRSSBytes) <= TargetTrainRSS, mb(float64(o.PeakRSSBytes)))
	}
	if w != nil {
		line(fmt.Sprintf("octostar peak RSS, waiting on %s tasks <= %s", thousands(w.Tasks), mb(TargetWaitRSS)),
			w.PeakRSSBytes > 0, float64(w.PeakRSSBytes) <= TargetWaitRSS, mb(float64(w.PeakRSSBytes)))
	} else {
		line(fmt.Sprintf("octostar peak RSS, waiting on 2,000 tasks <= %s", mb(TargetWaitRSS)), false, false, "skipped")
	}
	if o != nil && c != nil {
		line("octostar ahead of the CLI pattern on wall time", true, o.WallSeconds < c.WallSeconds,
			fmt.Sprintf("%s vs %s: the CLI pattern takes %.2fx as long", secs(o.WallSeconds), secs(c.WallSeconds), c.WallSeconds/o.WallSeconds))
		line("octostar ahead of the CLI pattern on requests", true, o.Requests < c.Requests,
			fmt.Sprintf("%d vs %d: the CLI pattern makes %.2fx as many", o.Requests, c.Requests, float64(c.Requests)/float64(o.Requests)))
	} else {
		line("octostar ahead of the CLI pattern on wall time", false, false, "skipped")
		line("octostar ahead of the CLI pattern on requests", false, false, "skipped")
	}
	r.Targets = t
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes the report for people: the same lines in the same
// order every time, so that two runs diff cleanly.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	s := r.Setup
	fmt.Fprintf(&b, "octostar release-train benchmark (%s, %s, %d CPUs)\n\n", r.Date, r.Platform, r.CPUs)
	fmt.Fprintf(&b, "Scenario: %d projects, one release each, deployed to %s in %d waves, every wave waited for.\n",
		s.Projects, strings.Join(s.Environments, " then "), len(s.Environments))
	fmt.Fprintf(&b, "Simulator: separate process, task cap %d, API latency %s, speed %g: a task holds its slot for %s\n",
		s.TaskCap, ms(s.LatencyMs), s.Speed, secs(s.TaskDurationSeconds))
	fmt.Fprintf(&b, "  (after a %s pickup delay while queued).", secs(s.PickupSeconds))
	if o := r.firstTrainArm(); o != nil {
		fmt.Fprintf(&b, " Measured on the server (StartTime to CompletedTime): mean %s, min %s, max %s.",
			secs(o.TaskSeconds.Mean), secs(o.TaskSeconds.Min), secs(o.TaskSeconds.Max))
	}
	b.WriteString("\n\n")

	bd := r.Bound
	b.WriteString("Lower bound\n")
	fmt.Fprintf(&b, "  server-bound time  %d waves x ceil(%d / %d) = %d batches x %s = %s\n",
		bd.Waves, s.Projects, s.TaskCap, bd.Waves*bd.Batches, secs(s.TaskDurationSeconds), secs(bd.Seconds))
	fmt.Fprintf(&b, "  minimal requests   %d creates + %d deploys + %d polls (one per task duration) = %d\n\n",
		bd.Creates, bd.Deploys, bd.Polls, bd.MinRequests)

	const row = "  %-26s %9s %8s %9s %10s %13s\n"
	fmt.Fprintf(&b, row, "", "wall", "x bound", "requests", "x minimum", "peak RSS")
	for _, a := range []*Arm{r.Octostar, r.CLI} {
		if a != nil {
			fmt.Fprintf(&b, row, a.Name, secs(a.WallSeconds), fmt.Sprintf("%.2f", a.WallRatio), fmt.Sprint(a.Requests),
				fmt.Sprintf("%.2f", a.RequestRatio), rss(a.PeakRSSBytes))
		}
	}
	fmt.Fprintf(&b, row, "lower bound", secs(bd.Seconds), "1.00", fmt.Sprint(bd.MinRequests), "1.00", "")
	if a := r.Wait; a != nil {
		fmt.Fprintf(&b, row, a.Name, secs(a.WallSeconds), "", fmt.Sprint(a.Requests), "", rss(a.PeakRSSBytes))
	}

	for _, a := range []*Arm{r.Octostar, r.CLI, r.Wait} {
		if a == nil {
			continue
		}
		fmt.Fprintf(&b, "\n%s: %s\n", a.Name, a.Detail)
		fmt.Fprintf(&b, "  wall %s, %d requests, peak RSS %s\n", secs(a.WallSeconds), a.Requests, rss(a.PeakRSSBytes))
		fmt.Fprintf(&b, "  %s deployment tasks, all Success; on the server: mean %s, min %s, max %s; at most %d in flight, %d running\n",
			thousands(a.Tasks), secs(a.TaskSeconds.Mean), secs(a.TaskSeconds.Min), secs(a.TaskSeconds.Max), a.PeakInFlight, a.PeakRunning)
		if c := a.CLI; c != nil {
			fmt.Fprintf(&b, "  commands: %d release create (%d requests), %d release deploy (%d), %d task wait (%d, of which %d polls)\n",
				c.Commands["release create"], c.Requests["release create"], c.Commands["release deploy"], c.Requests["release deploy"],
				c.Commands["task wait"], c.Requests["task wait"], c.Polls)
		}
		b.WriteString("  requests by route:\n")
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, rc := range a.Routes {
			fmt.Fprintf(tw, "    %s\t%7d\n", rc.Route, rc.Count)
		}
		tw.Flush()
	}

	b.WriteString("\nTargets\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, t := range r.Targets {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", t.Status, t.Target, t.Got)
	}
	tw.Flush()
	_, err := io.WriteString(w, b.String())
	return err
}

func (r *Report) firstTrainArm() *Arm {
	if r.Octostar != nil {
		return r.Octostar
	}
	return r.CLI
}

func secs(s float64) string {
	switch {
	case s >= 10:
		return fmt.Sprintf("%.1fs", s)
	case s >= 1:
		return fmt.Sprintf("%.2fs", s)
	}
	return fmt.Sprintf("%.3fs", s)
}

func ms(v float64) string { return fmt.Sprintf("%gms", v) }

// mb formats bytes in MB of 10^6 bytes, the unit the targets use.
func mb(bytes float64) string { return fmt.Sprintf("%.1f MB", bytes/1e6) }

func rss(bytes int64) string {
	if bytes <= 0 {
		return "not measured"
	}
	return mb(float64(bytes))
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// summarise turns the server's tasks into durations and concurrency.
func summarise(ts []serverTask) (d Durations, peakInFlight, peakRunning int) {
	type event struct {
		at    time.Time
		delta int
	}
	var inFlight, running []event
	d.Min = math.Inf(1)
	n := 0
	for _, t := range ts {
		if t.StartTime == nil || t.CompletedTime == nil {
			continue
		}
		start, end := t.StartTime.Time, t.CompletedTime.Time
		sec := end.Sub(start).Seconds()
		d.Mean += sec
		d.Min = math.Min(d.Min, sec)
		d.Max = math.Max(d.Max, sec)
		n++
		running = append(running, event{start, 1}, event{end, -1})
		if t.QueueTime != nil {
			inFlight = append(inFlight, event{t.QueueTime.Time, 1}, event{end, -1})
		}
	}
	if n == 0 {
		return Durations{}, 0, 0
	}
	d.Mean /= float64(n)
	peak := func(ev []event) int {
		// Ends before starts at the same instant: a slot freed and
		// taken in the same millisecond is not two tasks at once.
		sort.Slice(ev, func(i, j int) bool {
			if !ev[i].at.Equal(ev[j].at) {
				return ev[i].at.Before(ev[j].at)
			}
			return ev[i].delta < ev[j].delta
		})
		cur, top := 0, 0
		for _, e := range ev {
			cur += e.delta
			top = max(top, cur)
		}
		return top
	}
	return d, peak(inFlight), peak(running)
}
