package octopus

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"
)

// retryTransport retries what is safe to send again, within a budget:
//
//   - Any request the server refused outright, 429 (too many requests)
//     or 503 (unavailable): it was not processed, so even a write may be
//     sent again. Retry-After is honoured.
//   - Any request that never reached the server (the connection was
//     refused or could not be made).
//   - Reads (GET, HEAD) after any network error or a 5xx: reading twice
//     changes nothing.
//
// A write that failed after it was sent (a timeout, a reset connection,
// a 500, 502 or 504) is NOT retried here: it may have happened. The
// error is marked ambiguous (see IsAmbiguous) so the caller can look on
// the server before it tries again.
//
// Back-off is exponential with full jitter, so many clients refused at
// once do not come back at once.
type retryTransport struct {
	base     http.RoundTripper
	attempts int           // tries in all
	first    time.Duration // first back-off
	maxWait  time.Duration // longest single wait
	budget   time.Duration // longest time spent retrying one request
	jitter   func(d time.Duration) time.Duration
}

func newRetryTransport(base http.RoundTripper) *retryTransport {
	return &retryTransport{base: base, attempts: 6, first: 250 * time.Millisecond, maxWait: 30 * time.Second,
		budget: 2 * time.Minute, jitter: fullJitter}
}

// fullJitter waits a random time between half of d and d.
func fullJitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	return d/2 + rand.N(d/2+1)
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
	read := req.Method == http.MethodGet || req.Method == http.MethodHead
	start := time.Now()
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
		retry, wait := t.verdict(read, resp, err, backoff)
		last := attempt == t.attempts || (t.budget > 0 && time.Since(start)+wait > t.budget) || req.Context().Err() != nil
		if !retry || last {
			if err != nil && !read && !neverSent(err) && req.Context().Err() == nil {
				err = &AmbiguousError{Err: err}
			}
			return resp, err
		}
		if resp != nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		select {
		case <-req.Context().Done():
			return nil, req.Context().Err()
		case <-time.After(wait):
		}
		backoff = min(backoff*2, t.maxWait)
	}
}

// verdict says whether an attempt may be retried, and after how long.
func (t *retryTransport) verdict(read bool, resp *http.Response, err error, backoff time.Duration) (bool, time.Duration) {
	switch {
	case err != nil:
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || badCertificate(err) {
			return false, 0
		}
		return read || neverSent(err), t.spread(backoff)
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		if h := resp.Header.Get("Retry-After"); h != "" {
			return true, min(retryAfter(h, backoff), t.maxWait)
		}
		return true, t.spread(backoff)
	case read && resp.StatusCode >= 500:
		return true, t.spread(backoff)
	}
	return false, 0
}

func (t *retryTransport) spread(d time.Duration) time.Duration {
	if t.jitter == nil {
		return d
	}
	return t.jitter(d)
}

// badCertificate reports a TLS certificate that did not verify: trying
// again cannot change it.
func badCertificate(err error) bool {
	var verify *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	return errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &host) || errors.As(err, &invalid)
}

// neverSent reports whether a transport error proves the request never
// reached the server: the connection could not be made.
func neverSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

// AmbiguousError is a write that failed after it was sent: the server
// may or may not have carried it out.
type AmbiguousError struct{ Err error }

func (e *AmbiguousError) Error() string {
	return e.Err.Error() + " (the request was sent; the server may have carried it out)"
}

func (e *AmbiguousError) Unwrap() error { return e.Err }

// IsAmbiguous reports whether err is a write that may have happened: a
// failure after the request was sent, or a 500, 502 or 504 answer. A
// 500 is usually Octopus's own refusal, but a server that fails while
// saving may have saved, and the caller only looks before it resends,
// so treating it as ambiguous costs a search, never a duplicate.
func IsAmbiguous(err error) bool {
	var a *AmbiguousError
	if errors.As(err, &a) {
		return true
	}
	var api *APIError
	return errors.As(err, &api) && (api.Status == http.StatusInternalServerError ||
		api.Status == http.StatusBadGateway || api.Status == http.StatusGatewayTimeout)
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
