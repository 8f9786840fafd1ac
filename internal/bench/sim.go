package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/octostar/octostar/internal/octosim"
)

// simulator is an `octostar sandbox` running as a separate process, so
// that its CPU and memory never count against the client being measured,
// and its control endpoints.
type simulator struct {
	URL    string
	apiKey string
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	exited chan struct{}
	http   *http.Client
}

// simOptions are the sandbox's flags.
type simOptions struct {
	Seed    string // seed file
	APIKey  string
	Latency time.Duration
	TaskCap int
	Speed   float64
}

func (o simOptions) args() []string {
	return []string{"sandbox", "--addr", "127.0.0.1:0", "--seed", o.Seed,
		"--latency", o.Latency.String(), "--task-cap", fmt.Sprint(o.TaskCap),
		"--speed", fmt.Sprint(o.Speed), "--api-key", o.APIKey}
}

// describe is the sandbox's command line without the API key.
func (o simOptions) describe(octostar string) string {
	args := o.args()
	return octostar + " " + strings.Join(args[:len(args)-2], " ") + " --api-key (hidden)"
}

// orNone stands in for an empty stderr.
func orNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "nothing on stderr"
	}
	return s
}

// startSimulator starts the sandbox on a free loopback port and waits for
// the banner that names it. Only stderr is kept for error messages: the
// banner on stdout prints the API key.
func startSimulator(ctx context.Context, octostar string, opts simOptions) (*simulator, error) {
	cmd := exec.Command(octostar, opts.args()...)
	cmd.Env = childEnv(nil)
	banner := &bannerWriter{found: make(chan string, 1)}
	s := &simulator{apiKey: opts.APIKey, cmd: cmd, stderr: &bytes.Buffer{}, exited: make(chan struct{}),
		http: &http.Client{Timeout: 5 * time.Minute}}
	cmd.Stdout, cmd.Stderr = banner, s.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the simulator (%s sandbox): %w", octostar, err)
	}
	go func() {
		_ = cmd.Wait()
		close(s.exited)
	}()
	timer := time.NewTimer(time.Minute)
	defer timer.Stop()
	select {
	case url := <-banner.found:
		s.URL = url
		return s, nil
	case <-s.exited:
		return nil, fmt.Errorf("the simulator (%s) exited before serving (%s): %s", opts.describe(octostar), cmd.ProcessState, orNone(tail(s.stderr.String(), 20)))
	case <-timer.C:
		s.Stop()
		return nil, fmt.Errorf("the simulator (%s) did not print its address within a minute", opts.describe(octostar))
	case <-ctx.Done():
		s.Stop()
		return nil, ctx.Err()
	}
}

// bannerWriter takes the sandbox's stdout and sends the URL from its
// "serving at URL" line; it keeps nothing else, since the banner also
// prints the API key.
type bannerWriter struct {
	mu    sync.Mutex
	line  []byte
	sent  bool
	found chan string
}

func (w *bannerWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range p {
		if c != '\n' {
			if len(w.line) < 4096 {
				w.line = append(w.line, c)
			}
			continue
		}
		if _, url, ok := strings.Cut(string(w.line), "serving at "); ok && !w.sent {
			w.found <- strings.TrimSpace(url)
			w.sent = true
		}
		w.line = w.line[:0]
	}
	return len(p), nil
}

// Stop interrupts the sandbox, as Ctrl-C would, and kills it if it has
// not gone within five seconds.
func (s *simulator) Stop() {
	select {
	case <-s.exited:
		return
	default:
	}
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

// control calls a /_octosim endpoint and decodes its answer into out.
func (s *simulator) control(ctx context.Context, method, path string, out any) error {
	return s.do(ctx, method, path, false, out)
}

// api GETs an Octopus API path as the administrator.
func (s *simulator) api(ctx context.Context, path string, out any) error {
	return s.do(ctx, http.MethodGet, path, true, out)
}

func (s *simulator) do(ctx context.Context, method, path string, auth bool, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, s.URL+path, nil)
	if err != nil {
		return err
	}
	if auth {
		req.Header.Set("X-Octopus-ApiKey", s.apiKey)
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: reading the answer: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: the simulator answered %s: %s", method, path, resp.Status, tail(string(body), 5))
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%s %s: decoding the answer: %w", method, path, err)
	}
	return nil
}

// ResetWorld rebuilds the world from the seed and clears the counters,
// so that each arm starts from the same state.
func (s *simulator) ResetWorld(ctx context.Context) error {
	if err := s.control(ctx, http.MethodPost, "/_octosim/reset", nil); err != nil {
		return fmt.Errorf("resetting the simulator's world: %w", err)
	}
	return s.ResetStats(ctx)
}

// ResetStats clears the request counters.
func (s *simulator) ResetStats(ctx context.Context) error {
	if err := s.control(ctx, http.MethodDelete, "/_octosim/stats", nil); err != nil {
		return fmt.Errorf("clearing the simulator's counters: %w", err)
	}
	return nil
}

// Requests reads the request counters: the total and the count per route
// template, sorted by route.
func (s *simulator) Requests(ctx context.Context) (int, []RouteCount, error) {
	var st octosim.Stats
	if err := s.control(ctx, http.MethodGet, "/_octosim/stats", &st); err != nil {
		return 0, nil, fmt.Errorf("reading the simulator's counters: %w", err)
	}
	return st.Requests, sortedRoutes(st.Routes), nil
}

// RouteCount is how many requests one route template served.
type RouteCount struct {
	Route string `json:"route"`
	Count int    `json:"count"`
}

func sortedRoutes(routes map[string]*octosim.RouteStats) []RouteCount {
	out := make([]RouteCount, 0, len(routes))
	for r, st := range routes {
		out = append(out, RouteCount{Route: r, Count: st.Count})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Route < out[j].Route })
	return out
}

// serverTask is the part of a task resource the benchmark checks.
type serverTask struct {
	ID            string             `json:"Id"`
	Name          string             `json:"Name"`
	Description   string             `json:"Description"`
	State         string             `json:"State"`
	ErrorMessage  string             `json:"ErrorMessage"`
	QueueTime     *octosim.Timestamp `json:"QueueTime"`
	StartTime     *octosim.Timestamp `json:"StartTime"`
	CompletedTime *octosim.Timestamp `json:"CompletedTime"`
}

// DeployTasks lists every deployment task of the world.
func (s *simulator) DeployTasks(ctx context.Context) ([]serverTask, error) {
	var page struct {
		Items []serverTask `json:"Items"`
	}
	if err := s.api(ctx, "/api/tasks?name=Deploy&take=2147483647", &page); err != nil {
		return nil, fmt.Errorf("listing the simulator's tasks: %w", err)
	}
	return page.Items, nil
}

// tail is the last n lines of s, for error messages.
func tail(s string, n int) string {
	s = strings.TrimRight(s, "\n")
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = append([]string{"..."}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

// childEnv is this process's environment without anything that would
// aim a child at another Octopus, change its configuration or write a
// GitHub step summary, plus extra.
func childEnv(extra []string) []string {
	var out []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "OCTOPUS_") || strings.HasPrefix(name, "OCTOSTAR_") || name == "GITHUB_STEP_SUMMARY" {
			continue
		}
		out = append(out, kv)
	}
	return append(out, extra...)
}
