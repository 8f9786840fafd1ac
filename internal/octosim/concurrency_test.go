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
