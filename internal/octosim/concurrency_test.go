package octosim

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/environments"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/projects"
)

// TestConcurrentRequests serves 1,000 simultaneous requests, reads and
// writes mixed, without an error (run it under -race).
func TestConcurrentRequests(t *testing.T) {
	defer failOnPanic(t)
	_, hs := newTestServer(t, nil)
	hs.Client().Transport.(*http.Transport).MaxIdleConnsPerHost = 200
	c := newClient(t, hs, testAdminKey, "Spaces-1")
	p := must(projects.Add(c, projects.NewProject("Busy", "Lifecycles-1", "ProjectGroups-1")))

	const n = 1000
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			var err error
			switch i % 4 {
			case 0:
				_, err = environments.Add(c, environments.NewEnvironment(fmt.Sprintf("Env %d", i)))
			case 1:
				_, err = projects.GetByID(c, "Spaces-1", p.ID)
			case 2:
				_, err = environments.Get(c, "Spaces-1", environments.EnvironmentsQuery{PartialName: "Env", Take: 5})
			default:
				_, err = c.Users.GetMe()
			}
			if err != nil {
				errs <- fmt.Errorf("request %d: %w", i, err)
			}
		}(i)
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if all := must(environments.GetAll(c, "Spaces-1")); len(all) != n/4 {
		t.Errorf("%d environments, want %d", len(all), n/4)
	}
}

// TestConcurrentDeployments runs many deployments at once through the
// timed engine (its goroutine and request pumps side by side, under
// -race): every task finishes, and never more than the cap run at once.
func TestConcurrentDeployments(t *testing.T) {
	defer failOnPanic(t)
	s, _, c := execServer(t, instant(), WithTaskCap(3))
	newRelease(t, c, "Worker", nil)
	s.SetTimeScale(200)
	s.SetInstantTasks(false)
	const n = 24
	ids := make(chan string, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := deployTo(c, "Worker", "0.0.1", "Development")
			if err != nil {
				t.Errorf("deploy: %v", err)
				return
			}
			ids <- res.DeploymentServerTasks[0].ServerTaskID
		}()
	}
	wg.Wait()
	close(ids)
	for i := 0; i < 20; i++ {
		if running := must(c.Tasks.Get(tasksQueryRunning())); running.TotalResults > 3 {
			t.Fatalf("%d tasks running with a cap of 3", running.TotalResults)
		}
	}
	for id := range ids {
		waitTask(t, c, id, "Success")
	}
	if running := must(c.Tasks.Get(tasksQueryRunning())); running.TotalResults != 0 {
		t.Errorf("%d tasks still running", running.TotalResults)
	}
}

// TestCloseStopsEngine: the engine's goroutine runs only while something
// is due, and Close stops it for good.
func TestCloseStopsEngine(t *testing.T) {
	defer failOnPanic(t)
	s, _, c := execServer(t, instant())
	newRelease(t, c, "Worker", nil)
	running := func() bool {
		s.eng.mu.Lock()
		defer s.eng.mu.Unlock()
		return s.eng.running
	}
	if running() {
		t.Errorf("engine goroutine running with nothing to do")
	}
	s.SetInstantTasks(false)
	id := mustDeploy(t, c, "Worker", "0.0.1", "Development")[0]
	if !running() {
		t.Errorf("engine goroutine not running while a task waits")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if running() {
		t.Errorf("engine goroutine still running after Close")
	}
	s.eng.kick()
	if running() {
		t.Errorf("kick after Close started the engine")
	}
	if tk := readTask(t, c, id); tk.State != "Queued" && tk.State != "Executing" {
		t.Errorf("task after Close = %s", tk.State)
	}
}
