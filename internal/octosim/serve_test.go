package octosim

import (
	"errors"
	"net"
	"net/http"
	"net/url"
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/client"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/environments"
)

// TestServeAndClose runs the server on its own listener, as the sandbox
// command will, with a generated administrator key.
func TestServeAndClose(t *testing.T) {
	defer failOnPanic(t)
	s := must(New(nil))
	if !apiKeyPattern.MatchString(s.AdminAPIKey()) || len(s.AdminAPIKey()) != 30 {
		t.Fatalf("generated key %q is not in the real format", s.AdminAPIKey())
	}
	ln := must(net.Listen("tcp", "127.0.0.1:0"))
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	u := must(url.Parse("http://" + ln.Addr().String()))
	c := must(client.NewClient(&http.Client{}, u, s.AdminAPIKey(), ""))
	if c.GetSpaceID() != "Spaces-1" {
		t.Errorf("default space = %q", c.GetSpaceID())
	}
	must(environments.Add(c, environments.NewEnvironment("Served")))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		t.Errorf("Serve returned %v", err)
	}
	if _, err := New(nil, WithAPIKey("not-a-key")); err == nil {
		t.Errorf("a malformed administrator key was accepted")
	}
}
