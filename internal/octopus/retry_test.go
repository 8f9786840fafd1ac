package octopus

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRetryTransport(t *testing.T) {
	tests := []struct {
		name       string
		refusals   int
		status     int
		retryAfter string
		wantStatus int
		wantCalls  int32
	}{
		{"503 then success, body resent", 2, 503, "0", 200, 3},
		{"429 honours Retry-After", 1, 429, "1", 200, 2},
		{"gives up after the attempts", 10, 503, "0", 503, 3},
		{"500 is not retried", 1, 500, "", 500, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := calls.Add(1)
				body, _ := io.ReadAll(r.Body)
				if string(body) != `{"x":1}` {
					t.Errorf("attempt %d got body %q", n, body)
				}
				if int(n) <= tt.refusals {
					w.Header().Set("Retry-After", tt.retryAfter)
					w.WriteHeader(tt.status)
					return
				}
				w.WriteHeader(200)
			}))
			defer srv.Close()
			rt := &retryTransport{base: http.DefaultTransport, attempts: 3, first: time.Millisecond, maxWait: 2 * time.Second}
			req, _ := http.NewRequest("POST", srv.URL, io.NopCloser(strings.NewReader(`{"x":1}`)))
			start := time.Now()
			resp, err := rt.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus || calls.Load() != tt.wantCalls {
				t.Errorf("status %d after %d calls, want %d after %d", resp.StatusCode, calls.Load(), tt.wantStatus, tt.wantCalls)
			}
			if tt.retryAfter == "1" && time.Since(start) < time.Second {
				t.Errorf("Retry-After: 1 was not honoured (%s)", time.Since(start))
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	if d := retryAfter("", time.Second); d != time.Second {
		t.Errorf("fallback %s", d)
	}
	if d := retryAfter("7", time.Second); d != 7*time.Second {
		t.Errorf("seconds %s", d)
	}
	if d := retryAfter(time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat), time.Second); d != 0 {
		t.Errorf("past date %s", d)
	}
	if d := retryAfter("soon", time.Second); d != time.Second {
		t.Errorf("garbage %s", d)
	}
}
