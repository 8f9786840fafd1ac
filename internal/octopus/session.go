package octopus

import (
	"context"
	"net/http"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/newclient"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/uritemplates"
)

// callClient is the official client's newclient.Client bound to one
// call's context. go-octopusdeploy builds its requests without a
// context, so the transport puts the caller's on every request: a
// cancelled run stops its requests at once.
type callClient struct {
	session   *newclient.HttpSession
	templates *uritemplates.URITemplateCache
	spaceID   string
}

func (c *callClient) HttpSession() *newclient.HttpSession              { return c.session }
func (c *callClient) URITemplateCache() *uritemplates.URITemplateCache { return c.templates }
func (c *callClient) GetSpaceID() string                               { return c.spaceID }

// contextTransport sends every request with ctx.
type contextTransport struct {
	ctx  context.Context
	base http.RoundTripper
}

func (t contextTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return t.base.RoundTrip(req.WithContext(t.ctx))
}

// with returns the official client bound to ctx.
func (c *Client) with(ctx context.Context) *callClient {
	session := *c.session
	session.HttpClient = &http.Client{Transport: contextTransport{ctx: ctx, base: c.transport}}
	return &callClient{session: &session, templates: c.templates, spaceID: c.info.SpaceID}
}

// putEmpty sends a PUT with no body, as go-client does to take
// responsibility for an interruption.
func putEmpty(s *newclient.HttpSession, path string) (*map[string]any, error) {
	return newclient.Put[map[string]any](s, path, nil)
}

func post[T any](s *newclient.HttpSession, path string, body any) (*T, error) {
	return newclient.Post[T](s, path, body)
}
