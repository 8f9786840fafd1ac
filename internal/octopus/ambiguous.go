package octopus

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"
)

// A write that failed after its request was sent (IsAmbiguous) may have
// happened. Sending it again blindly could make a second release or a
// second deployment, so the live client first looks on the server with
// its Finder searches, from the time the write began minus a margin, on
// the server's clock. Found: the write's result is rebuilt from what is
// there. Not found: the write is sent again, at most writeAttempts times
// in all; the last ambiguous failure is returned as is, saying that the
// write may have happened.

// skewMargin allows for the Date header's one-second resolution and for
// the time between the server stamping an object and answering.
const skewMargin = 2 * time.Second

// clockTransport keeps the server's clock offset from the Date header of
// every answer.
type clockTransport struct {
	base http.RoundTripper
	skew *atomic.Int64
}

func (t clockTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err == nil {
		if d, perr := http.ParseTime(resp.Header.Get("Date")); perr == nil {
			t.skew.Store(int64(d.Sub(time.Now())))
		}
	}
	return resp, err
}

// since is the earliest server time a write begun at start can carry.
func (c *Client) since(start time.Time) time.Time {
	return c.ServerTime(start).Add(-skewMargin)
}

// writeAttempts bounds how many times one write is sent in all: each
// resend follows a search that found nothing.
const writeAttempts = 3

// sendOnce runs send; after an ambiguous failure it asks find whether
// the write happened since it began, and sends again only if it did not,
// at most writeAttempts times in all, backing off between attempts.
func sendOnce[T any](ctx context.Context, c *Client, send func() (T, error), find func(since time.Time) (T, bool, error)) (T, error) {
	start := time.Now()
	backoff := 250 * time.Millisecond
	for attempt := 1; ; attempt++ {
		v, err := send()
		if err == nil || !IsAmbiguous(err) || ctx.Err() != nil || attempt == writeAttempts {
			return v, err
		}
		found, ok, ferr := find(c.since(start))
		switch {
		case ferr != nil:
			return v, fmt.Errorf("%w; looking on the server for whether it happened failed too: %v", err, ferr)
		case ok:
			return found, nil
		}
		select {
		case <-ctx.Done():
			return v, err
		case <-time.After(fullJitter(backoff)):
		}
		backoff *= 2
	}
}
