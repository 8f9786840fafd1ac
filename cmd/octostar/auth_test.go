package main

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/octostar/octostar/internal/octosim"
)

// TestCredentialsFromTheEnvironment runs a script against the simulator
// with each way of giving a credential the official CLI knows, and checks
// that a refused credential is reported without being shown.
func TestCredentialsFromTheEnvironment(t *testing.T) {
	srv, err := octosim.New(octosim.DemoSeed(), octosim.WithInstantTasks())
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer func() { ts.Close(); srv.Close() }()
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
			t.Setenv("OCTOPUS_URL", ts.URL)
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
