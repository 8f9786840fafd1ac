package bench

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/octostar/octostar/internal/octosim"
)

func TestNewBound(t *testing.T) {
	for _, tc := range []struct {
		n, waves, cap int
		task          time.Duration
		seconds       float64
		minRequests   int
	}{
		{200, 2, 5, time.Second, 80, 200 + 400 + 80},
		{20, 2, 5, time.Second, 8, 20 + 40 + 8},
		{5, 2, 5, 100 * time.Millisecond, 0.2, 5 + 10 + 2},
		{7, 2, 5, time.Second, 4, 7 + 14 + 4}, // ceil(7/5) = 2 batches a wave
		{3, 1, 10, 2 * time.Second, 2, 3 + 3 + 1},
	} {
		b := NewBound(tc.n, tc.waves, tc.cap, tc.task)
		if b.Seconds != tc.seconds || b.MinRequests != tc.minRequests {
			t.Errorf("NewBound(%d, %d, %d, %s) = %gs, %d requests; want %gs, %d", tc.n, tc.waves, tc.cap, tc.task,
				b.Seconds, b.MinRequests, tc.seconds, tc.minRequests)
		}
	}
}

// status returns the status of the first target whose name contains s.
func status(r *Report, s string) string {
	for _, t := range r.Targets {
		if strings.Contains(t.Target, s) {
			return t.Status
		}
	}
	return "missing"
}

func TestTargets(t *testing.T) {
	bound := NewBound(200, 2, 5, time.Second) // 80 s, 680 requests
	arm := func(wall float64, requests int, rss int64) *Arm {
		return &Arm{WallSeconds: wall, Requests: requests, PeakRSSBytes: rss}
	}
	for _, tc := range []struct {
		name                 string
		octostar, cli, wait  *Arm
		wall, reqs, trainRSS string
		waitRSS, aheadWall   string
		aheadReqs            string
	}{
		{"all met", arm(90, 800, 40e6), arm(200, 20000, 30e6), arm(20, 3000, 100e6),
			"met", "met", "met", "met", "met", "met"},
		{"just at the limits", arm(92, 850, 60e6), arm(92.5, 851, 1), arm(1, 1, 150e6),
			"met", "met", "met", "met", "met", "met"},
		{"all missed", arm(93, 851, 61e6), arm(50, 800, 1), arm(1, 1, 151e6),
			"NOT met", "NOT met", "NOT met", "NOT met", "NOT met", "NOT met"},
		{"skipped arms", arm(80, 680, 0), nil, nil,
			"met", "met", "not measured", "not measured", "not measured", "not measured"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &Report{Setup: Setup{Projects: 200}, Bound: bound, Octostar: tc.octostar, CLI: tc.cli, Wait: tc.wait}
			if tc.wait != nil {
				tc.wait.Tasks = 2000
			}
			r.evaluate()
			for _, c := range []struct{ target, want string }{
				{"wall <=", tc.wall}, {"requests <=", tc.reqs}, {"train", tc.trainRSS},
				{"waiting", tc.waitRSS}, {"on wall time", tc.aheadWall}, {"on requests", tc.aheadReqs},
			} {
				if got := status(r, c.target); got != c.want {
					t.Errorf("target %q: %s, want %s", c.target, got, c.want)
				}
			}
		})
	}
}

func TestSummarise(t *testing.T) {
	at := func(ms int) *octosim.Timestamp {
		return &octosim.Timestamp{Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(ms) * time.Millisecond)}
	}
	task := func(queue, start, end int) serverTask {
		return serverTask{QueueTime: at(queue), StartTime: at(start), CompletedTime: at(end), State: "Success"}
	}
	ts := []serverTask{
		task(0, 100, 1100),
		task(0, 100, 1100),
		task(0, 1100, 2100), // starts as the first two end
		task(1000, 1100, 2300),
		{State: "Queued"}, // not finished: ignored
	}
	d, inFlight, running := summarise(ts)
	if d.Min != 1 || d.Max != 1.2 || d.Mean != 1.05 {
		t.Errorf("durations = %+v, want min 1, max 1.2, mean 1.05", d)
	}
	if inFlight != 4 || running != 2 {
		t.Errorf("in flight %d, running %d; want 4 and 2", inFlight, running)
	}
}

// The text and the JSON carry the same figures, and the text is stable.
func TestReportText(t *testing.T) {
	r := &Report{Date: "2026-01-01 00:00 UTC", Platform: "linux/amd64", CPUs: 2,
		Setup: Setup{Projects: 200, Environments: trainEnvironments, TaskCap: 5, TaskDurationSeconds: 1, PickupSeconds: 0.1,
			LatencyMs: 20, Speed: 10, MaxParallel: 10, CLIWorkers: 5, CLIPollSeconds: 1},
		Bound: NewBound(200, 2, 5, time.Second),
		Octostar: &Arm{Name: "octostar", Detail: "d", WallSeconds: 84.2, Requests: 731, PeakRSSBytes: 31_500_000, Tasks: 400,
			Routes: []RouteCount{{"GET /api/tasks", 90}, {"POST /api/{spaceId}/releases/create/v1", 200}}},
	}
	r.evaluate()
	var a, b bytes.Buffer
	if err := r.WriteText(&a); err != nil {
		t.Fatal(err)
	}
	_ = r.WriteText(&b)
	if a.String() != b.String() {
		t.Fatal("two renderings of one report differ")
	}
	for _, want := range []string{
		"2 waves x ceil(200 / 5) = 80 batches x 1.00s = 80.0s",
		"200 creates + 400 deploys + 80 polls (one per task duration) = 680",
		"84.2s", "1.05", "731", "31.5 MB",
		"POST /api/{spaceId}/releases/create/v1",
		"met           octostar wall <= 1.15x bound",
		"not measured  octostar ahead of the CLI pattern on requests",
	} {
		if !strings.Contains(a.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, a.String())
		}
	}
	var js bytes.Buffer
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Octostar.Requests != 731 || back.Bound.MinRequests != 680 || len(back.Targets) != len(r.Targets) {
		t.Errorf("JSON round trip lost figures: %+v", back)
	}
}
