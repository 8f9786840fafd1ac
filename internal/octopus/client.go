package octopus

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/client"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/newclient"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/spaces"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/uritemplates"
)

// Config says how to reach one Octopus instance. The credential is used
// for the request headers and nothing else: it never appears in a value,
// a message or a log.
type Config struct {
	Name  string // the target's name in scripts ("default" when unnamed)
	URL   string
	Space string // name, slug or ID; "" means the server's default space
	// Exactly one of APIKey and AccessToken.
	APIKey      string
	AccessToken string
	// Transport carries the requests; nil means a default transport that
	// verifies TLS certificates.
	Transport http.RoundTripper
	// InsecureSkipTLSVerify turns certificate checks off for the default
	// transport. The command logs a warning when it is set.
	InsecureSkipTLSVerify bool
	// UserAgent names octostar and its version in every request.
	UserAgent string
}

// Client is the live Octopus implementation for one target and space.
// It is safe for concurrent use.
type Client struct {
	cfg       Config
	info      TargetInfo
	base      http.RoundTripper // what the retries and the clock wrap
	transport http.RoundTripper
	// skew is the server's clock minus ours, from the Date of its last
	// answer, for comparing its timestamps with times taken here.
	skew      atomic.Int64
	session   *newclient.HttpSession
	templates *uritemplates.URITemplateCache

	connectMu sync.Mutex
	connected bool

	cache catalog
}

// New checks the configuration and prepares a client. It sends nothing:
// the first operation connects.
func New(cfg Config) (*Client, error) {
	if cfg.Name == "" {
		cfg.Name = "default"
	}
	u, err := url.Parse(strings.TrimSpace(cfg.URL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// The text is not quoted back: a mistyped URL may carry a key.
		return nil, fmt.Errorf("target %s: the server URL is not an http:// or https:// URL with a host", cfg.Name)
	}
	u.RawQuery, u.Fragment, u.User = "", "", nil
	headers := map[string]string{"User-Agent": cfg.UserAgent}
	switch {
	case cfg.APIKey != "" && cfg.AccessToken != "":
		return nil, fmt.Errorf("target %s: give an API key or an access token, not both", cfg.Name)
	case cfg.APIKey != "":
		if !client.IsAPIKey(cfg.APIKey) {
			return nil, fmt.Errorf("target %s: the API key is malformed: Octopus keys look like API- followed by capital letters and digits", cfg.Name)
		}
		headers["X-Octopus-ApiKey"] = cfg.APIKey
	case cfg.AccessToken != "":
		headers["Authorization"] = "Bearer " + cfg.AccessToken
	default:
		return nil, fmt.Errorf("target %s: no API key or access token", cfg.Name)
	}
	transport := cfg.Transport
	if transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		// A server that accepts the connection but never answers must
		// not hold a run forever.
		t.ResponseHeaderTimeout = 2 * time.Minute
		if cfg.InsecureSkipTLSVerify {
			t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
		}
		transport = t
	}
	if u.Path != "" && !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	c := &Client{
		cfg:       cfg,
		info:      TargetInfo{Name: cfg.Name, URL: strings.TrimSuffix(u.String(), "/")},
		base:      transport,
		session:   &newclient.HttpSession{BaseURL: u, DefaultHeaders: headers},
		templates: uritemplates.NewUriTemplateCache(),
	}
	c.transport = clockTransport{base: newRetryTransport(transport), skew: &c.skew}
	c.cache.init()
	return c, nil
}

// Target describes the instance. The space is known once connected.
func (c *Client) Target() TargetInfo {
	c.connectMu.Lock()
	defer c.connectMu.Unlock()
	return c.info
}

// connect resolves the space once: by ID, name or slug from
// /api/spaces/all, or the server's default space.
func (c *Client) connect(ctx context.Context) error {
	c.connectMu.Lock()
	defer c.connectMu.Unlock()
	if c.connected {
		return nil
	}
	all, err := newclient.Get[[]*spaces.Space](c.with(ctx).HttpSession(), "/api/spaces/all")
	if err != nil {
		return c.wrap(ctx, "connecting to "+c.info.URL, err)
	}
	want := strings.TrimSpace(c.cfg.Space)
	var names []string
	for _, s := range *all {
		names = append(names, s.Name)
		if (want == "" && s.IsDefault) || (want != "" && (strings.EqualFold(s.ID, want) || strings.EqualFold(s.Name, want) || strings.EqualFold(s.Slug, want))) {
			c.info.Space, c.info.SpaceID = s.Name, s.ID
		}
	}
	if c.info.SpaceID == "" {
		if want == "" {
			return fmt.Errorf("target %s: the server has no default space; name one with --space", c.cfg.Name)
		}
		return fmt.Errorf("target %s: no space named %q%s", c.cfg.Name, want, suggest(want, names))
	}
	c.connected = true
	return nil
}

// WithSpace returns a client for another space of the same instance,
// sharing the transport and credential.
func (c *Client) WithSpace(space string) (*Client, error) {
	cfg := c.cfg
	cfg.Space = space
	cfg.Transport = c.base
	return New(cfg)
}

// get decodes a GET through the official client's session.
func get[T any](ctx context.Context, c *Client, op, path string) (*T, error) {
	v, err := newclient.Get[T](c.with(ctx).HttpSession(), path)
	if err != nil {
		return nil, c.wrap(ctx, op, err)
	}
	return v, nil
}

// webURL links a resource in the Octopus web UI.
func (c *Client) webURL(parts ...string) string {
	return c.info.URL + "/app#/" + c.info.SpaceID + "/" + strings.Join(parts, "/")
}

// TaskURL is the web page of a server task.
func (c *Client) TaskURL(taskID string) string {
	return c.info.URL + "/app#/" + c.info.SpaceID + "/tasks/" + taskID
}

// suggest formats " (did you mean A, B or C?)".
func suggest(name string, candidates []string) string {
	close := closest(name, candidates)
	switch len(close) {
	case 0:
		return ""
	case 1:
		return " (did you mean " + close[0] + "?)"
	}
	return " (did you mean " + strings.Join(close[:len(close)-1], ", ") + " or " + close[len(close)-1] + "?)"
}

// parseTime reads Octopus's timestamps; a missing one is the zero time.
func parseTime(s *time.Time) time.Time {
	if s == nil {
		return time.Time{}
	}
	return *s
}
