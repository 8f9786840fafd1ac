package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/channels"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/client"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/core"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/deployments"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/newclient"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/projects"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/releases"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/resources"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/spaces"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/tasks"
)

// The CLI-pattern arm: what a release manager does today with the
// official `octopus` CLI, one command per project and step:
//
//	octopus release create --project P --version V
//	octopus release deploy --project P --version V --environment E
//	octopus task wait ServerTasks-N
//
// It is emulated with the official Go client the CLI is built on
// (go-octopusdeploy v2.114.1), request for request as the API reference
// records the CLI (shared/reference/octopus-api.md, section 6). Each
// command gets a fresh HTTP transport, as a fresh CLI process would. It
// runs in a child process (the benchmark binary re-executed with
// CLIArmFlag) so that its peak RSS is measured as octostar's is.

// CLIArmFlag, as the first argument, makes the benchmark binary run the
// CLI-pattern arm: the job comes as JSON on stdin, the API key in
// OCTOPUS_API_KEY, and the result goes as JSON to stdout.
const CLIArmFlag = "--cli-arm"

// Requests each CLI command makes (section 6 of the API reference), when
// a lookup of the project by name in the URL misses, as it does for a
// name with a space.
const (
	cliBootstrapRequests = 5                        // GET /api/, /api/spaces, /api/spaces/all, /api/, /api/Spaces-1
	cliCreateRequests    = cliBootstrapRequests + 5 // lookup (404, partialName), create/v1, release, channel
	cliDeployRequests    = cliBootstrapRequests + 6 // lookup, deploy/v1, lookup again, release by version
	cliWaitRequests      = cliBootstrapRequests + 1 // the first GET /api/tasks?ids=...; then one per poll
)

// cliJob is what the parent asks the CLI-pattern child to do.
type cliJob struct {
	URL          string        `json:"url"`
	Space        string        `json:"space"`
	Projects     []string      `json:"projects"`
	Version      string        `json:"version"`
	Environments []string      `json:"environments"` // one wave each, in order
	Workers      int           `json:"workers"`
	PollInterval time.Duration `json:"pollInterval"`
	WaitTimeout  time.Duration `json:"waitTimeout"`
}

// CLIResult is what the CLI-pattern child did, counted on its side.
type CLIResult struct {
	// Commands counts CLI commands by name ("release create", ...).
	Commands map[string]int `json:"commands"`
	// Requests counts HTTP requests by the command that made them.
	Requests map[string]int `json:"requests"`
	// Polls counts task-wait polls after each wait's first request.
	Polls int `json:"polls"`
	// Succeeded lists the deployment tasks that finished successfully.
	Succeeded []string `json:"succeeded"`
}

// TotalRequests is the sum of Requests.
func (r *CLIResult) TotalRequests() int {
	n := 0
	for _, c := range r.Requests {
		n += c
	}
	return n
}

// CLIArmMain runs the CLI-pattern child; it returns the exit code.
func CLIArmMain(stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	var job cliJob
	if err := json.NewDecoder(stdin).Decode(&job); err != nil {
		fmt.Fprintf(stderr, "cli arm: reading the job: %v\n", err)
		return 2
	}
	key := getenv("OCTOPUS_API_KEY")
	if key == "" {
		fmt.Fprintln(stderr, "cli arm: OCTOPUS_API_KEY is not set")
		return 2
	}
	res, err := runCLIJob(context.Background(), job, key)
	if err != nil {
		fmt.Fprintf(stderr, "cli arm: %v\n", err)
		return 1
	}
	if err := json.NewEncoder(stdout).Encode(res); err != nil {
		fmt.Fprintf(stderr, "cli arm: writing the result: %v\n", err)
		return 1
	}
	return 0
}

// runCLIJob runs each wave over every project with job.Workers workers,
// each running its project's commands one after another.
func runCLIJob(ctx context.Context, job cliJob, key string) (*CLIResult, error) {
	if job.Workers < 1 {
		return nil, fmt.Errorf("workers %d: want at least 1", job.Workers)
	}
	if job.PollInterval <= 0 {
		return nil, fmt.Errorf("poll interval %s: want more than 0", job.PollInterval)
	}
	rec := &cliRecorder{res: CLIResult{Commands: map[string]int{}, Requests: map[string]int{}}}
	for wave, env := range job.Environments {
		err := forEach(ctx, job.Workers, job.Projects, func(ctx context.Context, project string) error {
			if wave == 0 {
				if err := job.releaseCreate(rec, key, project); err != nil {
					return fmt.Errorf("octopus release create --project %q: %w", project, err)
				}
			}
			ids, err := job.releaseDeploy(rec, key, project, env)
			if err != nil {
				return fmt.Errorf("octopus release deploy --project %q --environment %q: %w", project, env, err)
			}
			if err := job.taskWait(ctx, rec, key, ids); err != nil {
				return fmt.Errorf("octopus task wait %s (%s to %s): %w", strings.Join(ids, " "), project, env, err)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return &rec.res, nil
}

// forEach calls f for every item with n workers and returns the first
// error, after which no new item starts.
func forEach(ctx context.Context, n int, items []string, f func(context.Context, string) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan string)
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for range min(n, len(items)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range work {
				if err := f(ctx, it); err != nil {
					once.Do(func() { first = err; cancel() })
				}
			}
		}()
	}
feed:
	for _, it := range items {
		select {
		case work <- it:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if first == nil && ctx.Err() != nil && !errors.Is(ctx.Err(), context.Canceled) {
		first = ctx.Err()
	}
	return first
}

// cliRecorder collects the counts of all workers.
type cliRecorder struct {
	mu  sync.Mutex
	res CLIResult
}

func (r *cliRecorder) add(f func(*CLIResult)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f(&r.res)
}

// countingTransport counts a command's requests.
type countingTransport struct {
	base http.RoundTripper
	mu   sync.Mutex
	n    int
}

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.mu.Lock()
	t.n++
	t.mu.Unlock()
	return t.base.RoundTrip(req)
}

// CloseIdleConnections closes the connections of a finished command, as
// the end of a CLI process would.
func (t *countingTransport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// cliCommand is one CLI invocation: its own connections, its clients
// after the bootstrap, and its request count.
type cliCommand struct {
	name    string
	tr      *countingTransport
	hc      *http.Client
	spaceID string
	c       *client.Client
}

// start makes the bootstrap every CLI command makes (5 requests): a
// system client (GET /api/, then GET /api/spaces for the default space),
// the space named by OCTOPUS_SPACE from GET /api/spaces/all, then a space
// client (GET /api/, GET /api/Spaces-N).
func (j cliJob) start(rec *cliRecorder, name, key string) (*cliCommand, error) {
	tr := &countingTransport{base: &http.Transport{MaxIdleConnsPerHost: 4, IdleConnTimeout: 30 * time.Second}}
	cmd := &cliCommand{name: name, tr: tr, hc: &http.Client{Transport: tr, Timeout: 2 * time.Minute}}
	rec.add(func(r *CLIResult) { r.Commands[name]++ })
	base := func() (*url.URL, error) { return url.Parse(j.URL) } // the client changes the URL it is given
	u, err := base()
	if err != nil {
		return cmd, err
	}
	sys, err := client.NewClient(cmd.hc, u, key, "")
	if err != nil {
		return cmd, fmt.Errorf("connecting: %w", err)
	}
	all, err := newclient.Get[[]*spaces.Space](sys.HttpSession(), "/api/spaces/all")
	if err != nil {
		return cmd, fmt.Errorf("listing spaces: %w", err)
	}
	for _, s := range *all {
		if strings.EqualFold(s.Name, j.Space) || strings.EqualFold(s.ID, j.Space) {
			cmd.spaceID = s.ID
		}
	}
	if cmd.spaceID == "" {
		return cmd, fmt.Errorf("cannot find space %q", j.Space)
	}
	if u, err = base(); err != nil {
		return cmd, err
	}
	if cmd.c, err = client.NewClient(cmd.hc, u, key, cmd.spaceID); err != nil {
		return cmd, fmt.Errorf("connecting to space %s: %w", cmd.spaceID, err)
	}
	return cmd, nil
}

// done records the command's requests and closes its connections.
func (c *cliCommand) done(rec *cliRecorder) {
	c.tr.mu.Lock()
	n := c.tr.n
	c.tr.mu.Unlock()
	rec.add(func(r *CLIResult) { r.Requests[c.name] += n })
	c.hc.CloseIdleConnections()
}

func (c *cliCommand) session() *newclient.HttpSession { return c.c.HttpSession() }

// findProject looks a project up as the CLI does: by ID or name in the
// URL, and on a 404 by a partial-name search (2 requests for a name with
// a space, 1 for an ID or slug).
func (c *cliCommand) findProject(name string) (*projects.Project, error) {
	p, err := newclient.Get[projects.Project](c.session(), "/api/"+c.spaceID+"/projects/"+url.PathEscape(name))
	if err == nil {
		return p, nil
	}
	var apiErr *core.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound {
		return nil, fmt.Errorf("looking up the project: %w", err)
	}
	found, err := newclient.Get[resources.Resources[*projects.Project]](c.session(),
		"/api/"+c.spaceID+"/projects?partialName="+url.QueryEscape(name))
	if err != nil {
		return nil, fmt.Errorf("searching for the project: %w", err)
	}
	for _, p := range found.Items {
		if strings.EqualFold(p.Name, name) {
			return p, nil
		}
	}
	return nil, fmt.Errorf("cannot find project %q", name)
}

// releaseCreate is `octopus release create --project P --version V`
// (10 requests): the bootstrap, the project lookup, create/v1, then the
// release and its channel, read back for the output.
func (j cliJob) releaseCreate(rec *cliRecorder, key, project string) error {
	c, err := j.start(rec, "release create", key)
	defer c.done(rec)
	if err != nil {
		return err
	}
	p, err := c.findProject(project)
	if err != nil {
		return err
	}
	cmd := releases.NewCreateReleaseCommandV1(c.spaceID, p.Name)
	cmd.ReleaseVersion = j.Version
	created, err := releases.CreateReleaseV1(c.c, cmd)
	if err != nil {
		return fmt.Errorf("creating the release: %w", err)
	}
	rel, err := newclient.Get[releases.Release](c.session(), "/api/"+c.spaceID+"/releases/"+created.ReleaseID)
	if err != nil {
		return fmt.Errorf("reading release %s back: %w", created.ReleaseID, err)
	}
	if _, err := newclient.Get[channels.Channel](c.session(), "/api/"+c.spaceID+"/channels/"+rel.ChannelID); err != nil {
		return fmt.Errorf("reading channel %s: %w", rel.ChannelID, err)
	}
	return nil
}

// releaseDeploy is `octopus release deploy --project P --version V
// --environment E` with table output (11 requests): the bootstrap, the
// lookup, deployments/create/untenanted/v1, then the lookup again and the
// release by version for the web link; errors in those last three are
// ignored, as the CLI ignores them.
func (j cliJob) releaseDeploy(rec *cliRecorder, key, project, env string) ([]string, error) {
	c, err := j.start(rec, "release deploy", key)
	defer c.done(rec)
	if err != nil {
		return nil, err
	}
	p, err := c.findProject(project)
	if err != nil {
		return nil, err
	}
	cmd := deployments.NewCreateDeploymentUntenantedCommandV1(c.spaceID, p.Name)
	cmd.ReleaseVersion = j.Version
	cmd.EnvironmentNames = []string{env}
	resp, err := deployments.CreateDeploymentUntenantedV1(c.c, cmd)
	if err != nil {
		return nil, fmt.Errorf("deploying: %w", err)
	}
	var ids []string
	for _, t := range resp.DeploymentServerTasks {
		ids = append(ids, t.ServerTaskID)
	}
	if len(ids) == 0 {
		return nil, errors.New("the server started no task")
	}
	if again, err := c.findProject(project); err == nil {
		_, _ = newclient.Get[releases.Release](c.session(),
			"/api/"+c.spaceID+"/projects/"+again.ID+"/releases/"+url.PathEscape(j.Version))
	}
	return ids, nil
}

// taskWait is `octopus task wait IDS --poll-interval I` (6 requests, then
// one per poll): the bootstrap, GET /api/tasks?ids=..., then every
// interval one GET for the tasks still pending.
func (j cliJob) taskWait(ctx context.Context, rec *cliRecorder, key string, ids []string) error {
	c, err := j.start(rec, "task wait", key)
	defer c.done(rec)
	if err != nil {
		return err
	}
	timeout := j.WaitTimeout
	if timeout <= 0 {
		timeout = 600 * time.Second // the CLI's default --timeout
	}
	deadline := time.Now().Add(timeout)
	pending := ids
	var failed []string
	for first := true; ; first = false {
		if !first {
			select {
			case <-time.After(j.PollInterval):
			case <-ctx.Done():
				return ctx.Err()
			}
			rec.add(func(r *CLIResult) { r.Polls++ })
		}
		found, err := c.tasks(pending)
		if err != nil {
			return err
		}
		if first && len(found) == 0 {
			return errors.New("no server tasks found")
		}
		var still []string
		for _, t := range found {
			switch {
			case t.IsCompleted == nil || !*t.IsCompleted:
				still = append(still, t.ID)
			case t.FinishedSuccessfully == nil || !*t.FinishedSuccessfully:
				failed = append(failed, fmt.Sprintf("%s (%s: %s)", t.ID, t.State, t.ErrorMessage))
			default:
				rec.add(func(r *CLIResult) { r.Succeeded = append(r.Succeeded, t.ID) })
			}
		}
		pending = still
		switch {
		case len(pending) == 0 && len(failed) > 0:
			return fmt.Errorf("one or more deployment tasks failed: %s", strings.Join(failed, ", "))
		case len(pending) == 0:
			return nil
		case time.Now().After(deadline):
			return errors.New("timeout while waiting for pending tasks")
		}
	}
}

// tasks GETs the tasks with the given IDs from the unscoped task list,
// following Page.Next as the CLI does.
func (c *cliCommand) tasks(ids []string) ([]*tasks.Task, error) {
	path := "/api/tasks?ids=" + strings.Join(ids, "%2C")
	var out []*tasks.Task
	for path != "" {
		page, err := newclient.Get[resources.Resources[*tasks.Task]](c.session(), path)
		if err != nil {
			return nil, fmt.Errorf("reading tasks: %w", err)
		}
		out = append(out, page.Items...)
		path = page.Links.PageNext
	}
	return out, nil
}
