package octopus

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/octostar/octostar/internal/octosim"
	"github.com/octostar/octostar/internal/octosim/simtest"
)

// lossyTransport loses the answer to the first POST whose path contains
// match: after the server acted (lose "answer") or before the request
// reached it (lose "request"), either way with an error that does not
// prove the request was never sent.
type lossyTransport struct {
	base  http.RoundTripper
	match string
	lose  string

	mu    sync.Mutex
	done  bool
	posts []string
}

func (t *lossyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.mu.Lock()
	first := req.Method == http.MethodPost && strings.Contains(req.URL.Path, t.match) && !t.done
	if first {
		t.done = true
	}
	if req.Method == http.MethodPost {
		t.posts = append(t.posts, req.URL.Path)
	}
	t.mu.Unlock()
	if !first {
		return t.base.RoundTrip(req)
	}
	if t.lose == "answer" {
		resp, err := t.base.RoundTrip(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	return nil, errors.New("read tcp 127.0.0.1:1->127.0.0.1:2: read: connection reset by peer")
}

// TestAmbiguousWritesAreNotDuplicated checks each write kind when its
// answer is lost: after the server acted, the result is found on the
// server and nothing is sent twice; before, the write is sent again.
func TestAmbiguousWritesAreNotDuplicated(t *testing.T) {
	tests := []struct {
		name, match, lose string
		wantPosts         int
	}{
		{"a release whose answer was lost", "/releases/create/v1", "answer", 1},
		{"a release whose request was lost", "/releases/create/v1", "request", 2},
		{"a deployment whose answer was lost", "/deployments/create/untenanted/v1", "answer", 1},
		{"a deployment whose request was lost", "/deployments/create/untenanted/v1", "request", 2},
		{"a tenanted deployment whose answer was lost", "/deployments/create/tenanted/v1", "answer", 1},
		{"a runbook run whose answer was lost", "/runbook-runs/create/v1", "answer", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, url := simtest.Serve(t, octosim.DemoSeed(), octosim.WithInstantTasks())
			lossy := &lossyTransport{base: http.DefaultTransport, match: tt.match, lose: tt.lose}
			c, err := New(Config{Name: "t", URL: url, APIKey: octosim.DemoAdminAPIKey, Transport: lossy})
			if err != nil {
				t.Fatal(err)
			}
			ctx := t.Context()
			var made int
			switch {
			case strings.Contains(tt.match, "releases"):
				before, _ := c.Releases(ctx, ReleaseQuery{Project: "Identity Service", Limit: 100})
				rel, err := c.CreateRelease(ctx, CreateReleaseRequest{Project: "Identity Service"})
				if err != nil {
					t.Fatalf("create: %v", err)
				}
				after, _ := c.Releases(ctx, ReleaseQuery{Project: "Identity Service", Limit: 100})
				made = len(after) - len(before)
				if after[0].ID != rel.ID {
					t.Errorf("got %s, but the newest release is %s", rel.ID, after[0].ID)
				}
			case strings.Contains(tt.match, "runbook"):
				runs, err := c.RunRunbook(ctx, RunbookRequest{Project: "Platform Ops", Runbook: "Restart services", Environments: []string{"Test"}})
				if err != nil || len(runs) != 1 || runs[0].TaskID == "" {
					t.Fatalf("run: %+v %v", runs, err)
				}
				found, _ := c.FindRuns(ctx, RunSearch{Kind: KindRunbookRun, Project: "Platform Ops", Runbook: "Restart services", Environments: []string{"Test"}})
				made = len(found)
			default:
				rel, err := c.CreateRelease(ctx, CreateReleaseRequest{Project: "Customer Portal", Version: "9.9.9"})
				req := DeployRequest{Project: "Customer Portal", Release: rel, Environments: []string{"Development"}}
				if strings.Contains(tt.match, "/tenanted/") {
					req.Tenants = []string{"Acme Corp"}
				} else {
					rel, err = c.CreateRelease(ctx, CreateReleaseRequest{Project: "Identity Service", Version: "9.9.9"})
					req = DeployRequest{Project: "Identity Service", Release: rel, Environments: []string{"Test"}}
				}
				if err != nil {
					t.Fatal(err)
				}
				runs, err := c.Deploy(ctx, req)
				if err != nil || len(runs) != 1 || runs[0].TaskID == "" {
					t.Fatalf("deploy: %+v %v", runs, err)
				}
				found, _ := c.FindRuns(ctx, RunSearch{Kind: KindDeployment, Project: req.Project, Release: rel, Environments: req.Environments, Tenants: req.Tenants})
				made = len(found)
				if len(found) == 1 && found[0].TaskID != runs[0].TaskID {
					t.Errorf("got task %s, the server's deployment has %s", runs[0].TaskID, found[0].TaskID)
				}
			}
			if made != 1 {
				t.Errorf("%d made on the server, want exactly 1", made)
			}
			n := 0
			for _, p := range lossy.posts {
				if strings.Contains(p, tt.match) {
					n++
				}
			}
			if n != tt.wantPosts {
				t.Errorf("sent %d times, want %d", n, tt.wantPosts)
			}
		})
	}
}
