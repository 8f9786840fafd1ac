package journal

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/octostar/octostar/internal/octopus"
	"github.com/octostar/octostar/internal/octosim"
	"github.com/octostar/octostar/internal/octosim/simtest"
)

const adminKey = "API-JOURNALTEST00000000000001"

// testSeed is a small world: two environments, a project with a manual
// intervention in Test (which it reaches after Development), one that
// may go to both at once, and one with a runbook.
// Versions are left to the server.
const testSeed = `{
  "adminApiKey": "` + adminKey + `",
  "environments": [{"name": "Development"}, {"name": "Test"}],
  "lifecycles": [
    {"name": "Train", "phases": [
      {"name": "Development", "optional": ["Development"]},
      {"name": "Test", "optional": ["Test"]}]},
    {"name": "Open", "phases": [{"name": "Anywhere", "optional": ["Development", "Test"]}]}],
  "projects": [
    {"name": "Web", "lifecycle": "Train", "steps": [
      {"name": "Approve", "type": "manual", "environments": ["Test"]},
      {"name": "Run", "type": "script", "script": "echo web"}]},
    {"name": "Api", "lifecycle": "Open", "steps": [{"name": "Run", "type": "script", "script": "echo api"}]},
    {"name": "Ops", "lifecycle": "Train", "steps": [{"name": "Run", "type": "script", "script": "echo ops"}]}
  ],
  "runbooks": [{"project": "Ops", "name": "Restart", "environments": ["Development", "Test"],
    "steps": [{"name": "Restart", "type": "script", "script": "echo restart"}], "publish": true}]
}`

// world is an in-process simulator that tests reach through the live
// client, as a run reaches a real server.
type world struct {
	srv *octosim.Server
	url string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	srv, url := simtest.ServeJSON(t, testSeed, octosim.WithInstantTasks())
	return &world{srv: srv, url: url}
}

// client is a fresh live client, as a new process would make.
func (w *world) client(t *testing.T, name string) *octopus.Client {
	t.Helper()
	c, err := octopus.New(octopus.Config{Name: name, URL: w.url, APIKey: adminKey, UserAgent: "octostar-journal-test"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// writes counts the requests that changed the server.
func (w *world) writes() int {
	n := 0
	for route, c := range w.srv.Stats().Routes {
		if !strings.HasPrefix(route, "GET ") {
			n += c.Count
		}
	}
	return n
}

func (w *world) releases(t *testing.T, project string) []octopus.Release {
	t.Helper()
	rs, err := w.client(t, "check").FindReleases(context.Background(), octopus.ReleaseSearch{Project: project})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func (w *world) runs(t *testing.T, q octopus.RunSearch) []octopus.Run {
	t.Helper()
	rs, err := w.client(t, "check").FindRuns(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// logBuffer collects what the journal logs.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// open opens a journal at path with a quick settle time.
func open(t *testing.T, path string, o Options) (*Journal, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	o.Log = zerolog.New(logs)
	if o.Settle == 0 {
		o.Settle = time.Millisecond
	}
	if o.Header.Script == "" {
		o.Header = Header{Script: "train.star", ScriptSHA256: "aaa", VarsSHA256: "bbb", Octostar: "test"}
	}
	j, err := Open(path, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j, logs
}

func journalPath(t *testing.T) string { return filepath.Join(t.TempDir(), "run.journal") }

// at is a context carrying a script position, as builtins pass it.
func at(line string) context.Context {
	return octopus.WithCaller(context.Background(), "train.star:"+line)
}

// lines reads the journal's records as generic JSON objects.
func lines(t *testing.T, path string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		t.Fatalf("the journal does not end with a newline:\n%s", data)
	}
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<24)
	for n := 1; sc.Scan(); n++ {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %d is not JSON: %v\n%s", n, err, sc.Text())
		}
		out = append(out, m)
	}
	return out
}

// killer stands for a run killed around a write. With after, the
// request reaches the server and the answer is lost; without, the run
// dies between writing the begin record and sending.
type killer struct {
	*octopus.Client
	cancel context.CancelFunc
	after  bool
}

func lose[R any](ctx context.Context, k *killer, send func(context.Context) (R, error)) (R, error) {
	var zero R
	if k.after {
		if _, err := send(ctx); err != nil {
			return zero, err
		}
	}
	k.cancel()
	return zero, ctx.Err()
}

func (k *killer) CreateRelease(ctx context.Context, r octopus.CreateReleaseRequest) (octopus.Release, error) {
	return lose(ctx, k, func(ctx context.Context) (octopus.Release, error) { return k.Client.CreateRelease(ctx, r) })
}

func (k *killer) Deploy(ctx context.Context, r octopus.DeployRequest) ([]octopus.Run, error) {
	return lose(ctx, k, func(ctx context.Context) ([]octopus.Run, error) { return k.Client.Deploy(ctx, r) })
}

func (k *killer) RunRunbook(ctx context.Context, r octopus.RunbookRequest) ([]octopus.Run, error) {
	return lose(ctx, k, func(ctx context.Context) ([]octopus.Run, error) { return k.Client.RunRunbook(ctx, r) })
}

func (k *killer) Intervene(ctx context.Context, a octopus.InterventionAnswer) (octopus.Intervention, error) {
	return lose(ctx, k, func(ctx context.Context) (octopus.Intervention, error) { return k.Client.Intervene(ctx, a) })
}
