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

// TestRetryReadsAndWrites checks what is retried for reads and for
// writes, and that a write that may have happened is marked ambiguous
// rather than sent again.
func TestRetryReadsAndWrites(t *testing.T) {
	tests := []struct {
		name          string
		method        string
		failures      int    // attempts that fail before one succeeds
		fail          string // "reset" closes the connection unanswered, else a status code
		wantCalls     int32
		wantErr       bool
		wantAmbiguous bool
		wantStatus    int
	}{
		{"a read survives resets", "GET", 2, "reset", 3, false, false, 200},
		{"a read survives a 500 and a 502", "GET", 2, "502", 3, false, false, 200},
		{"a write is not resent after a reset", "POST", 1, "reset", 1, true, true, 0},
		{"a write's 500 is Octopus's answer", "POST", 1, "500", 1, false, false, 500},
		{"a write's 502 is returned, not resent", "POST", 1, "502", 1, false, false, 502},
		{"a write refused with 503 is resent", "POST", 2, "503", 3, false, false, 200},
		{"a read gives up after the attempts", "GET", 9, "reset", 4, true, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := calls.Add(1)
				if int(n) > tt.failures {
					w.WriteHeader(200)
					return
				}
				if tt.fail == "reset" {
					conn, _, err := w.(http.Hijacker).Hijack()
					if err == nil {
						conn.Close()
					}
					return
				}
				code := map[string]int{"500": 500, "502": 502, "503": 503}[tt.fail]
				w.WriteHeader(code)
			}))
			defer srv.Close()
			base := http.DefaultTransport.(*http.Transport).Clone()
			base.DisableKeepAlives = true
			rt := &retryTransport{base: base, attempts: 4, first: time.Millisecond, maxWait: 10 * time.Millisecond, budget: time.Minute}
			req, _ := http.NewRequest(tt.method, srv.URL, nil)
			if tt.method == "POST" {
				req, _ = http.NewRequest(tt.method, srv.URL, io.NopCloser(strings.NewReader(`{}`)))
			}
			resp, err := rt.RoundTrip(req)
			if resp != nil {
				resp.Body.Close()
			}
			if calls.Load() != tt.wantCalls {
				t.Errorf("%d calls, want %d", calls.Load(), tt.wantCalls)
			}
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if IsAmbiguous(err) != tt.wantAmbiguous {
				t.Errorf("IsAmbiguous(%v) = %v, want %v", err, IsAmbiguous(err), tt.wantAmbiguous)
			}
			if err == nil && resp.StatusCode != tt.wantStatus {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
		})
	}
}

// TestRetryNeverSentWrite checks that a write to a server that refuses
// the connection is tried again: it cannot have happened.
func TestRetryNeverSentWrite(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	url := srv.URL
	srv.Close() // nothing listens there now
	rt := &retryTransport{base: http.DefaultTransport, attempts: 3, first: time.Millisecond, maxWait: time.Millisecond, budget: time.Minute}
	req, _ := http.NewRequest("POST", url, io.NopCloser(strings.NewReader(`{}`)))
	start := time.Now()
	_, err := rt.RoundTrip(req)
	if err == nil || IsAmbiguous(err) {
		t.Fatalf("err = %v: want a plain error, the write was never sent", err)
	}
	if !neverSent(err) {
		t.Errorf("neverSent(%v) = false", err)
	}
	if time.Since(start) < 2*time.Millisecond {
		t.Errorf("no back-off between the attempts")
	}
}

func TestJitterAndBudget(t *testing.T) {
	for range 1000 {
		if d := fullJitter(time.Second); d < 500*time.Millisecond || d > time.Second {
			t.Fatalf("fullJitter(1s) = %s, want between 0.5s and 1s", d)
		}
	}
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(503)
	}))
	defer srv.Close()
	rt := &retryTransport{base: http.DefaultTransport, attempts: 100, first: 20 * time.Millisecond, maxWait: 20 * time.Millisecond, budget: 100 * time.Millisecond}
	req, _ := http.NewRequest("GET", srv.URL, nil)
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if n := calls.Load(); n < 3 || n > 7 {
		t.Errorf("%d attempts within a 100ms budget at 20ms apart, want about 5", n)
	}
}
