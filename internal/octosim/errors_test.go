package octosim

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/client"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/core"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/environments"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/newclient"
)

// asAPIErr extracts go-client's *core.APIError.
func asAPIErr(t *testing.T, err error) *core.APIError {
	t.Helper()
	var ae *core.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not an *core.APIError", err, err)
	}
	return ae
}

// noCredential makes go-client send no API key at all.
type noCredential struct{}

func (noCredential) GetHeaderValue() (string, string) { return "X-Octosim-Test", "none" }

// rawBody sends a request through the client's session and returns the
// status and decoded JSON body.
func rawRequest(t *testing.T, c *client.Client, method, path string, body []byte) (int, map[string]any) {
	t.Helper()
	u, _ := url.Parse(path)
	req := &http.Request{Method: method, URL: u, Header: http.Header{"Content-Type": {"application/json"}}}
	if body != nil {
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	resp, err := c.HttpSession().DoRawRequest(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var m map[string]any
	data, _ := io.ReadAll(resp.Body)
	if len(data) > 0 {
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s %s: body %q is not JSON", method, path, data)
		}
	}
	return resp.StatusCode, m
}

func TestUnauthorized(t *testing.T) {
	_, hs := newTestServer(t, nil)
	u, _ := url.Parse(hs.URL)

	t.Run("unknown key", func(t *testing.T) {
		_, err := tryClient(hs, "API-NOTAREALKEY0000000000000", "")
		ae := asAPIErr(t, err)
		if ae.StatusCode != 401 || ae.ErrorMessage != msgBadAPIKey {
			t.Errorf("got %d %q", ae.StatusCode, ae.ErrorMessage)
		}
		// Sling-based calls report a bare "unauthorized".
		if _, err := tryClient(hs, "API-NOTAREALKEY0000000000000", "Spaces-1"); err == nil || err.Error() != "unauthorized" {
			t.Errorf("space client error = %v", err)
		}
	})
	t.Run("no credentials", func(t *testing.T) {
		_, err := client.NewClientWithCredentials(hs.Client(), u, noCredential{}, "", "")
		ae := asAPIErr(t, err)
		if ae.StatusCode != 401 || ae.ErrorMessage != msgNoCredentials {
			t.Errorf("got %d %q", ae.StatusCode, ae.ErrorMessage)
		}
	})
	t.Run("bearer token", func(t *testing.T) {
		c, err := client.NewClientWithAccessToken(hs.Client(), u, testAdminKey, "Spaces-1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Users.GetMe(); err != nil {
			t.Errorf("bearer: %v", err)
		}
		if _, err := client.NewClientWithAccessToken(hs.Client(), u, "not-a-token", "Spaces-1"); err == nil {
			t.Errorf("a bad bearer token was accepted")
		}
	})
	t.Run("apikey query parameter", func(t *testing.T) {
		// A bare session: no key header, only the query parameter.
		session := &newclient.HttpSession{HttpClient: hs.Client(), BaseURL: u, DefaultHeaders: map[string]string{}}
		me, err := newclient.Get[map[string]any](session, "/api/users/me?apikey="+testAdminKey)
		if err != nil || (*me)["Username"] != "admin" {
			t.Errorf("apikey parameter: %v %v", me, err)
		}
		_, err = newclient.Get[map[string]any](session, "/api/users/me")
		if ae := asAPIErr(t, err); ae.StatusCode != 401 || ae.ErrorMessage != msgNoCredentials {
			t.Errorf("no key: %+v", ae)
		}
	})
}

func TestErrorBodies(t *testing.T) {
	defer failOnPanic(t)
	_, hs := newTestServer(t, nil)
	c := newClient(t, hs, testAdminKey, "Spaces-1")

	tests := []struct {
		name, method, path string
		body               []byte
		status             int
		message            string
		errorsContain      string
	}{
		{"missing document", "GET", "/api/Spaces-1/environments/Environments-999", nil, 404, "The resource 'Environments-999' was not found.", ""},
		{"missing space", "GET", "/api/Spaces-99/environments", nil, 404, "The resource 'Spaces-99' was not found.", ""},
		{"unknown route", "GET", "/api/Spaces-1/no-such-thing", nil, 404, "The resource you requested was not found.", ""},
		{"wrong method", "DELETE", "/api/Spaces-1/environments", nil, 405, "The requested resource does not support http method 'DELETE'.", ""},
		{"bad JSON", "POST", "/api/Spaces-1/environments", []byte(`{"Name": "x",`), 400, msgBadRequest, "could not be parsed as JSON"},
		{"wrong type", "POST", "/api/Spaces-1/environments", []byte(`{"Name": 5}`), 400, msgBadRequest, "Name must be a string"},
		{"empty body", "POST", "/api/Spaces-1/environments", nil, 400, msgBadRequest, "No request body was supplied."},
		{"validation", "POST", "/api/Spaces-1/environments", []byte(`{"Name": ""}`), 400, msgBadRequest, "Name is required."},
		{"not an API path", "GET", "/nothing", nil, 404, "The resource you requested was not found.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := rawRequest(t, c, tt.method, tt.path, tt.body)
			if status != tt.status || body["ErrorMessage"] != tt.message {
				t.Fatalf("got %d %v", status, body)
			}
			errs, ok := body["Errors"].([]any)
			if !ok {
				t.Fatalf("Errors missing or not a list: %v", body)
			}
			if tt.errorsContain != "" && (len(errs) == 0 || !strings.Contains(errs[0].(string), tt.errorsContain)) {
				t.Errorf("Errors = %v, want %q", errs, tt.errorsContain)
			}
			for _, k := range []string{"FullException", "HelpText", "HelpLink", "ParsedHelpLinks", "Details"} {
				if _, ok := body[k]; !ok {
					t.Errorf("body lacks %s", k)
				}
			}
		})
	}

	t.Run("client sees 404 as APIError", func(t *testing.T) {
		_, err := environments.GetByID(c, "Spaces-1", "Environments-999")
		ae := asAPIErr(t, err)
		if ae.StatusCode != 404 || ae.ErrorMessage != "The resource 'Environments-999' was not found." {
			t.Errorf("got %+v", ae)
		}
	})
	t.Run("duplicate name", func(t *testing.T) {
		defer failOnPanic(t)
		must(environments.Add(c, environments.NewEnvironment("Dup")))
		_, err := environments.Add(c, environments.NewEnvironment("dup"))
		ae := asAPIErr(t, err)
		if ae.StatusCode != 400 || ae.ErrorMessage != msgBadRequest || len(ae.Errors) != 1 || !strings.Contains(ae.Errors[0], "already exists") {
			t.Errorf("got %+v", ae)
		}
	})
}

// TestCamelCaseAndChunkedBodies: request keys match case-insensitively, and
// go-client's chunked POSTs are read.
func TestCamelCaseAndChunkedBodies(t *testing.T) {
	defer failOnPanic(t)
	s, err := New(nil, WithAPIKey(testAdminKey))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var encodings []string
	hs := newHTTPTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			mu.Lock()
			encodings = append(encodings, strings.Join(r.TransferEncoding, ","))
			mu.Unlock()
		}
		s.ServeHTTP(w, r)
	}))
	c := newClient(t, hs, testAdminKey, "Spaces-1")

	in := map[string]any{"name": "Camel", "useGuidedFailure": true, "sortOrder": 7, "description": "from camelCase"}
	created := must(newclient.Post[environments.Environment](c.HttpSession(), "/api/Spaces-1/environments", in))
	got := must(environments.GetByID(c, "Spaces-1", created.ID))
	if got.Name != "Camel" || !got.UseGuidedFailure || got.SortOrder != 7 || got.Description != "from camelCase" {
		t.Errorf("stored = %+v", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(encodings) == 0 || encodings[0] != "chunked" {
		t.Errorf("POST transfer encodings = %v, want chunked", encodings)
	}
}
