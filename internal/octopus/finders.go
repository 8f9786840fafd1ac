package octopus

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/releases"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/users"
)

// Finder looks on the server for what a write may already have done when
// its answer never arrived: the run was killed while the request was in
// flight, or the connection failed after the request was sent. Sending
// such a write again blindly could make a second release or a second
// deployment, so the journal (and anything else that must retry a write)
// looks first. The live Client implements it; it is not part of Octopus
// because no builtin needs it.
//
// Every search is bounded by Since, compared with the server's own
// timestamps (a release's Assembled, a run's Created): pass the time the
// write was begun minus a margin for clock skew, and leave out what the
// caller already knows about.
type Finder interface {
	// FindReleases lists a project's releases created at or after Since,
	// newest first; with an exact Version (not a mask), only that one.
	FindReleases(ctx context.Context, q ReleaseSearch) ([]Release, error)
	// FindRuns lists the deployments of a release, or the runs of a
	// runbook, to the given environments (and tenants) created at or
	// after Since by the caller's own user (not by another user, nor
	// automatically by the lifecycle), newest first.
	FindRuns(ctx context.Context, q RunSearch) ([]Run, error)
	// InterventionByID reads one intervention, answered or not.
	InterventionByID(ctx context.Context, id string) (Intervention, error)
	// ServerTime is a time of our clock on the server's clock, as far as
	// the Date headers of its answers tell: Since bounds are compared
	// with the server's timestamps.
	ServerTime(local time.Time) time.Time
}

// ReleaseSearch selects releases a lost CreateRelease may have made.
type ReleaseSearch struct {
	Project string
	Version string // exact version; "" or a mask ("1.2.i") searches by time
	Channel string // name or ID; "" means any
	Since   time.Time
}

// RunSearch selects deployments (Kind KindDeployment: Release) or
// runbook runs (KindRunbookRun: Runbook) a lost start may have made.
type RunSearch struct {
	Kind    RunKind
	Project string
	Release Release // its ID, or its Version to look it up
	Runbook string
	// Environments are names or IDs; empty means any.
	Environments []string
	// Tenants are names or IDs, or "*" for any tenant. With TenantTags
	// any tenant matches too (tags are not evaluated); with neither,
	// only untenanted runs match.
	Tenants    []string
	TenantTags []string
	Since      time.Time
}

// ServerTime implements Finder.
func (c *Client) ServerTime(local time.Time) time.Time {
	return local.Add(time.Duration(c.skew.Load()))
}

// Connect resolves the target's space now instead of at the first
// operation, so that Target() names it: a journal checks that a resumed
// run talks to the same server and space as the run that wrote it,
// before it answers a call from the record.
func (c *Client) Connect(ctx context.Context) error { return c.connect(ctx) }

// findPages bounds how many pages of 100 a search reads: a lost write is
// seconds old, so its traces are on the first page.
const findPages = 10

// FindReleases implements Finder.
func (c *Client) FindReleases(ctx context.Context, q ReleaseSearch) ([]Release, error) {
	p, err := c.project(ctx, q.Project)
	if err != nil {
		return nil, err
	}
	if q.Version != "" && !IsVersionMask(q.Version) {
		r, ok, err := c.releaseByVersion(ctx, p, q.Version)
		if err != nil || !ok || r.Created.Before(q.Since) {
			return nil, err
		}
		return []Release{r}, nil
	}
	var ch channel
	if q.Channel != "" {
		if ch, err = c.channel(ctx, p, q.Channel); err != nil {
			return nil, err
		}
	}
	type page struct {
		Items []*releases.Release `json:"Items"`
	}
	var out []Release
	for n := range findPages {
		path := fmt.Sprintf("/api/%s/projects/%s/releases?skip=%d&take=100", c.info.SpaceID, p.ID, n*100)
		res, err := get[page](ctx, c, "looking for recent releases of "+p.Name, path)
		if err != nil {
			return nil, err
		}
		older := false
		for _, r := range res.Items {
			if r.Assembled.Before(q.Since) {
				older = true
				continue
			}
			if ch.ID != "" && r.ChannelID != ch.ID {
				continue
			}
			out = append(out, c.release(ctx, p, r))
		}
		if older || len(res.Items) < 100 {
			break
		}
	}
	return out, nil
}

// runDoc is what both a Deployment and a RunbookRun carry that a search
// needs; the official client has no RunbookRun type.
type runDoc struct {
	ID                string     `json:"Id"`
	EnvironmentID     string     `json:"EnvironmentId"`
	TenantID          string     `json:"TenantId"`
	TaskID            string     `json:"TaskId"`
	ReleaseID         string     `json:"ReleaseId"`
	RunbookID         string     `json:"RunbookId"`
	RunbookSnapshotID string     `json:"RunbookSnapshotId"`
	Created           *time.Time `json:"Created"`
	DeployedBy        string     `json:"DeployedBy"`
	DeployedByID      string     `json:"DeployedById"`
}

// automatic marks a deployment the lifecycle started, not a person.
func (d runDoc) automatic() bool { return d.DeployedByID == "" && d.DeployedBy == "System" }

// FindRuns implements Finder: GET /releases/{id}/deployments for
// deployments, GET /runbookRuns?projects=&runbooks=&environments= for
// runbook runs, newest first, read until older than Since.
func (c *Client) FindRuns(ctx context.Context, q RunSearch) ([]Run, error) {
	p, err := c.project(ctx, q.Project)
	if err != nil {
		return nil, err
	}
	envIDs := map[string]bool{}
	for _, ref := range q.Environments {
		e, err := c.environment(ctx, ref)
		if err != nil {
			return nil, err
		}
		envIDs[e.ID] = true
	}
	anyTenant := len(q.TenantTags) > 0 || slices.Contains(q.Tenants, "*")
	tenantIDs := map[string]bool{}
	if !anyTenant {
		for _, ref := range q.Tenants {
			t, err := c.tenant(ctx, ref)
			if err != nil {
				return nil, err
			}
			tenantIDs[t.ID] = true
		}
	}
	me, err := c.currentUserID(ctx)
	if err != nil {
		return nil, err
	}
	var (
		base string
		rel  = q.Release
		rb   runbook
	)
	switch q.Kind {
	case KindDeployment:
		if rel.ID == "" {
			r, ok, err := c.releaseByVersion(ctx, p, rel.Version)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, nil // no release, so no deployment of it
			}
			rel.ID = r.ID
		}
		base = "/api/" + c.info.SpaceID + "/releases/" + rel.ID + "/deployments?"
	case KindRunbookRun:
		if rb, err = c.runbook(ctx, p, q.Runbook); err != nil {
			return nil, err
		}
		params := url.Values{"projects": {p.ID}, "runbooks": {rb.ID}}
		if len(envIDs) > 0 {
			params.Set("environments", strings.Join(slices.Sorted(maps.Keys(envIDs)), ","))
		}
		base = "/api/" + c.info.SpaceID + "/runbookRuns?" + params.Encode() + "&"
	default:
		return nil, fmt.Errorf("FindRuns: unknown kind %q", q.Kind)
	}
	type page struct {
		Items []runDoc `json:"Items"`
	}
	var out []Run
	for n := range findPages {
		res, err := get[page](ctx, c, "looking for recent "+strings.ToLower(string(q.Kind))+"s of "+p.Name, base+"skip="+strconv.Itoa(n*100)+"&take=100")
		if err != nil {
			return nil, err
		}
		older := false
		for _, d := range res.Items {
			switch {
			case d.Created == nil || d.Created.Before(q.Since):
				older = true
				continue
			case len(envIDs) > 0 && !envIDs[d.EnvironmentID]:
				continue
			case d.automatic() || (me != "" && d.DeployedByID != "" && d.DeployedByID != me):
				continue // the lifecycle's, or someone else's
			case q.Kind == KindRunbookRun && d.RunbookID != "" && d.RunbookID != rb.ID:
				continue
			}
			if !tenantMatches(d.TenantID, q, anyTenant, tenantIDs) {
				continue
			}
			run := Run{Kind: q.Kind, ID: d.ID, TaskID: d.TaskID, Project: p.Name, ProjectID: p.ID,
				Environment: c.environmentName(ctx, d.EnvironmentID), URL: c.TaskURL(d.TaskID)}
			if d.TenantID != "" {
				run.Tenant = c.tenantName(ctx, d.TenantID)
			}
			if q.Kind == KindDeployment {
				run.Release = q.Release
			} else {
				run.Runbook, run.Snapshot = rb.Name, d.RunbookSnapshotID
			}
			out = append(out, run)
		}
		if older || len(res.Items) < 100 {
			break
		}
	}
	return out, nil
}

func tenantMatches(id string, q RunSearch, anyTenant bool, ids map[string]bool) bool {
	switch {
	case len(q.Tenants) == 0 && len(q.TenantTags) == 0:
		return id == ""
	case anyTenant:
		return id != ""
	}
	return ids[id]
}

// currentUserID is the user the credential belongs to, so that a search
// leaves out what other people and automatic deployments started. ""
// when the server will not say.
func (c *Client) currentUserID(ctx context.Context) (string, error) {
	if err := c.connect(ctx); err != nil {
		return "", err
	}
	u, err := get[users.User](ctx, c, "reading the current user", "/api/users/me")
	if err != nil {
		if errors.Is(err, ErrNotFound) || errors.Is(err, ErrForbidden) {
			return "", nil
		}
		return "", err
	}
	return u.ID, nil
}

// InterventionByID implements Finder.
func (c *Client) InterventionByID(ctx context.Context, id string) (Intervention, error) {
	if err := c.connect(ctx); err != nil {
		return Intervention{}, err
	}
	d, err := get[interruptionDoc](ctx, c, "reading intervention "+id, "/api/"+c.info.SpaceID+"/interruptions/"+id)
	if err != nil {
		return Intervention{}, err
	}
	return c.intervention(ctx, *d), nil
}

var _ Finder = (*Client)(nil)
