package main

import (
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/octostar/octostar/internal/octosim"
	"github.com/octostar/octostar/internal/octosim/simtest"
)

// TestCredentialsFromTheEnvironment runs a script against the simulator
// with each way of giving a credential the official CLI knows, and checks
// that a refused credential is reported without being shown.
func TestCredentialsFromTheEnvironment(t *testing.T) {
	_, url := simtest.Serve(t, octosim.DemoSeed(), octosim.WithInstantTasks())
	p := script(t, "print(len(projects(group = 'Payments')), current('Payments API', 'Test').version)\n")
	const wrong = "API-WRONGKEY0000000000000000"
	tests := []struct {
		name, key, token string
		wantCode         int
		want             string
	}{
		{"API key", octosim.DemoAdminAPIKey, "", exitOK, "4 1.2.0\n"},
		{"access token", "", octosim.DemoDeployerAPIKey, exitOK, "4 1.2.0\n"},
		{"refused key", wrong, "", exitFailed, "refused the credentials (401)"},
		{"refused token", "", "tok-wrong-123", exitFailed, "refused the credentials (401)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("OCTOPUS_URL", url)
			t.Setenv("OCTOPUS_API_KEY", tt.key)
			t.Setenv("OCTOPUS_ACCESS_TOKEN", tt.token)
			code, out, errOut := call(t, "", "run", "--log-level", "warn", p)
			if code != tt.wantCode || !strings.Contains(out+errOut, tt.want) {
				t.Fatalf("exit %d, want %d with %q\nstdout: %s\nstderr: %s", code, tt.wantCode, tt.want, out, errOut)
			}
			for _, secret := range []string{octosim.DemoAdminAPIKey, octosim.DemoDeployerAPIKey, wrong, "tok-wrong-123"} {
				if strings.Contains(out+errOut, secret) {
					t.Errorf("the output shows the credential %s:\n%s%s", secret, out, errOut)
				}
			}
		})
	}
}

// TestTLSIsVerified checks that a server whose certificate does not
// verify is refused, that --insecure-skip-tls-verify is the only way
// past it, and that it is logged as a warning; and that --api-key warns
// that the key shows in the process list.
func TestTLSIsVerified(t *testing.T) {
	srv, err := octosim.New(octosim.DemoSeed(), octosim.WithInstantTasks())
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(srv)
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
	ts.StartTLS()                                   // a certificate no system trusts
	defer func() { ts.Close(); srv.Close() }()
	p := script(t, "print(len(environments()))\n")
	t.Setenv("OCTOPUS_URL", ts.URL)
	t.Setenv("OCTOPUS_API_KEY", octosim.DemoAdminAPIKey)
	t.Setenv("OCTOPUS_ACCESS_TOKEN", "")

	start := time.Now()
	code, out, errOut := call(t, "", "run", p)
	if code != exitFailed || !strings.Contains(errOut, "certificate") {
		t.Errorf("an unverifiable certificate: exit %d, stderr %s", code, errOut)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("a bad certificate was retried for %s: it cannot change", time.Since(start))
	}
	code, out, errOut = call(t, "", "run", "--insecure-skip-tls-verify", p)
	if code != exitOK || out != "4\n" || !strings.Contains(errOut, "--insecure-skip-tls-verify: the server's TLS certificate is not verified") {
		t.Errorf("--insecure-skip-tls-verify: exit %d, stdout %q, stderr %s", code, out, errOut)
	}

	t.Setenv("OCTOPUS_API_KEY", "")
	code, _, errOut = call(t, "", "run", "--insecure-skip-tls-verify", "--api-key", octosim.DemoAdminAPIKey, p)
	if code != exitOK || !strings.Contains(errOut, "--api-key is visible to other users in the process list; set OCTOPUS_API_KEY instead") ||
		strings.Contains(errOut, octosim.DemoAdminAPIKey) {
		t.Errorf("--api-key: exit %d, stderr %s", code, errOut)
	}
}
