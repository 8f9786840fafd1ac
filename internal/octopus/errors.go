package octopus

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/core"
)

// Error kinds a caller can test with errors.Is.
var (
	ErrUnauthorized = errors.New("unauthorized")
	ErrForbidden    = errors.New("forbidden")
	ErrNotFound     = errors.New("not found")
)

// APIError is an Octopus error answer, worded for a person.
type APIError struct {
	Status  int
	Message string   // Octopus's ErrorMessage
	Details []string // Octopus's Errors
	op      string   // what octostar was doing
	target  string
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: ", e.op)
	switch e.Status {
	case 401:
		fmt.Fprintf(&b, "the Octopus server at %s refused the credentials (401): %s", e.target, e.Message)
	case 403:
		fmt.Fprintf(&b, "permission denied (403): %s", e.Message)
	default:
		fmt.Fprintf(&b, "%s (%d)", e.Message, e.Status)
	}
	for _, d := range e.Details {
		if d != "" && !strings.Contains(e.Message, d) {
			fmt.Fprintf(&b, "; %s", d)
		}
	}
	return b.String()
}

// Unwrap lets errors.Is match the kind.
func (e *APIError) Unwrap() error {
	switch e.Status {
	case 401:
		return ErrUnauthorized
	case 403:
		return ErrForbidden
	case 404:
		return ErrNotFound
	}
	return nil
}

// wrap turns what the official client returned into an error that says
// what octostar was doing. Transport errors lose their URL's query, which
// could carry an apikey parameter.
func (c *Client) wrap(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", op, context.Cause(ctx))
	}
	var api *core.APIError
	if errors.As(err, &api) {
		return &APIError{Status: api.StatusCode, Message: api.ErrorMessage, Details: api.Errors, op: op, target: c.info.URL}
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		u, perr := url.Parse(uerr.URL)
		where := uerr.URL
		if perr == nil {
			u.RawQuery = ""
			where = u.String()
		}
		return fmt.Errorf("%s: %s %s: %w", op, uerr.Op, where, uerr.Err)
	}
	return fmt.Errorf("%s: %v", op, err)
}
