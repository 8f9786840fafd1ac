package octopus

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"time"
)

// retryTransport retries requests the server refused outright with 429
// (too many requests) or 503 (unavailable), waiting as its Retry-After
// header says, else backing off exponentially. Such an answer means the
// request was not processed, so even a write is safe to send again;
// ambiguous failures (a timeout, a reset connection) are not retried here.
type retryTransport struct {
	base     http.RoundTripper
	attempts int           // tries in all
	first    time.Duration // first back-off
	maxWait  time.Duration // longest single wait
}

func newRetryTransport(base http.RoundTripper) *retryTransport {
	return &retryTransport{base: base, attempts: 6, first: 250 * time.Millisecond, maxWait: 30 * time.Second}
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil && req.GetBody == nil {
		// The official client streams its bodies; keep a copy to resend.
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	backoff := t.first
	for attempt := 1; ; attempt++ {
		r := req
		if body != nil {
			r = req.Clone(req.Context())
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
		} else if attempt > 1 && req.GetBody != nil {
			r = req.Clone(req.Context())
			b, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r.Body = b
		}
		resp, err := t.base.RoundTrip(r)
		if err != nil || (resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable) || attempt == t.attempts {
			return resp, err
		}
		wait := retryAfter(resp.Header.Get("Retry-After"), backoff)
		wait = min(wait, t.maxWait)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		select {
		case <-req.Context().Done():
			return nil, req.Context().Err()
		case <-time.After(wait):
		}
		backoff *= 2
	}
}

// retryAfter reads a Retry-After header (seconds or an HTTP date), or
// returns the fallback.
func retryAfter(h string, fallback time.Duration) time.Duration {
	if h == "" {
		return fallback
	}
	if secs, err := strconv.Atoi(h); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second
	}
	if at, err := http.ParseTime(h); err == nil {
		return max(time.Until(at), 0)
	}
	return fallback
}
