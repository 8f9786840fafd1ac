package octosim

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/client"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/core"
)

// testAdminKey is a fixed administrator key for tests.
const testAdminKey = "API-TESTADMINKEY0000000000000"

// newTestServer starts a simulator on an httptest server.
func newTestServer(t testing.TB, seed *Seed, opts ...Option) (*Server, *httptest.Server) {
	t.Helper()
	opts = append([]Option{WithAPIKey(testAdminKey)}, opts...)
	s, err := New(seed, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return s, hs
}

// newClient connects the official client to the simulator.
func newClient(t testing.TB, hs *httptest.Server, key, spaceID string) *client.Client {
	t.Helper()
	c, err := tryClient(hs, key, spaceID)
	if err != nil {
		t.Fatalf("client.NewClient: %v", err)
	}
	return c
}

func tryClient(hs *httptest.Server, key, spaceID string) (*client.Client, error) {
	u, _ := url.Parse(hs.URL)
	return client.NewClient(&http.Client{Transport: hs.Client().Transport}, u, key, spaceID)
}

// mustFailure carries an unexpected error out of must.
type mustFailure struct{ err error }

// must returns v, or stops the test when err is set. Go cannot pass a
// multi-value call plus t to one function, so must panics and the test's
// deferred failOnPanic turns the panic into t.Fatal.
func must[T any](v T, err error) T {
	if err != nil {
		panic(mustFailure{err})
	}
	return v
}

// failOnPanic must be deferred by every test (and subtest) using must.
func failOnPanic(t testing.TB) {
	if r := recover(); r != nil {
		if f, ok := r.(mustFailure); ok {
			t.Fatalf("unexpected error: %v", f.err)
		}
		panic(r)
	}
}

func newHTTPTestServer(t testing.TB, h http.Handler) *httptest.Server {
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	return hs
}

func coreSkipTake() core.SkipTakeQuery { return core.SkipTakeQuery{Take: 30} }
