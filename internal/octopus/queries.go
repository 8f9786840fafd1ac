package octopus

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/releases"
)

// Projects lists projects, optionally by group and name substring.
func (c *Client) Projects(ctx context.Context, q ProjectQuery) ([]Project, error) {
	ps, err := c.projectList(ctx)
	if err != nil {
		return nil, err
	}
	if q.Group != "" {
		var groups []string
		found := false
		for _, p := range ps {
			groups = append(groups, p.Group)
			found = found || strings.EqualFold(p.Group, q.Group)
		}
		if !found {
			slices.Sort(groups)
			return nil, fmt.Errorf("no project group named %q%s%s", q.Group, c.inSpace(), suggest(q.Group, slices.Compact(groups)))
		}
	}
	var out []Project
	for _, p := range ps {
		if q.Group != "" && !strings.EqualFold(p.Group, q.Group) {
			continue
		}
		if q.Name != "" && !strings.Contains(strings.ToLower(p.Name), strings.ToLower(q.Name)) {
			continue
		}
		out = append(out, p)
	}
	return out, nil
}

// Environments lists the space's environments in their sort order.
func (c *Client) Environments(ctx context.Context) ([]Environment, error) {
	es, err := c.environmentList(ctx)
	if err != nil {
		return nil, err
	}
	out := slices.Clone(es)
	slices.SortStableFunc(out, func(a, b Environment) int { return a.SortOrder - b.SortOrder })
	return out, nil
}

// Tenants lists tenants, optionally those connected to a project and
// carrying every one of the given tags ("Set/Tag").
func (c *Client) Tenants(ctx context.Context, q TenantQuery) ([]Tenant, error) {
	ts, err := c.tenantList(ctx)
	if err != nil {
		return nil, err
	}
	var projectID string
	if q.Project != "" {
		p, err := c.project(ctx, q.Project)
		if err != nil {
			return nil, err
		}
		projectID = p.ID
	}
	var out []Tenant
	for _, t := range ts {
		if projectID != "" {
			if _, ok := t.Projects[projectID]; !ok {
				continue
			}
		}
		if !hasAllTags(t.Tags, q.Tags) {
			continue
		}
		out = append(out, t)
	}
	return out, nil
}

func hasAllTags(have, want []string) bool {
	for _, w := range want {
		if !slices.ContainsFunc(have, func(h string) bool { return strings.EqualFold(h, w) }) {
			return false
		}
	}
	return true
}

// Releases lists a project's releases, newest first.
func (c *Client) Releases(ctx context.Context, q ReleaseQuery) ([]Release, error) {
	p, err := c.project(ctx, q.Project)
	if err != nil {
		return nil, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 10
	}
	path := "/api/" + c.info.SpaceID + "/projects/" + p.ID + "/releases"
	if q.Channel != "" {
		ch, err := c.channel(ctx, p, q.Channel)
		if err != nil {
			return nil, err
		}
		path = "/api/" + c.info.SpaceID + "/projects/" + p.ID + "/channels/" + ch.ID + "/releases"
	}
	type page struct {
		Items []*releases.Release `json:"Items"`
	}
	res, err := get[page](ctx, c, "listing the releases of "+p.Name, path+"?take="+strconv.Itoa(limit))
	if err != nil {
		return nil, err
	}
	out := make([]Release, 0, len(res.Items))
	for _, r := range res.Items {
		out = append(out, c.release(ctx, p, r))
	}
	return out, nil
}

// Release finds a project's release by its exact version.
func (c *Client) Release(ctx context.Context, project, version string) (Release, error) {
	p, err := c.project(ctx, project)
	if err != nil {
		return Release{}, err
	}
	r, ok, err := c.releaseByVersion(ctx, p, version)
	if err != nil {
		return Release{}, err
	}
	if !ok {
		return Release{}, fmt.Errorf("%s has no release %s", p.Name, version)
	}
	return r, nil
}

// releaseByVersion finds a project's release by its exact version.
func (c *Client) releaseByVersion(ctx context.Context, p Project, version string) (Release, bool, error) {
	r, err := releases.GetReleaseInProject(c.with(ctx), c.info.SpaceID, p.ID, url.PathEscape(version))
	if err != nil {
		if werr := c.wrap(ctx, "finding release "+version+" of "+p.Name, err); isNotFound(werr) {
			return Release{}, false, nil
		} else {
			return Release{}, false, werr
		}
	}
	return c.release(ctx, p, r), true, nil
}

// releaseByID reads one release.
func (c *Client) releaseByID(ctx context.Context, p Project, id string) (Release, error) {
	r, err := get[releases.Release](ctx, c, "reading release "+id, "/api/"+c.info.SpaceID+"/releases/"+id)
	if err != nil {
		return Release{}, err
	}
	return c.release(ctx, p, r), nil
}

// release converts the client's release into ours.
func (c *Client) release(ctx context.Context, p Project, r *releases.Release) Release {
	pkgs := map[string]string{}
	for _, sp := range r.SelectedPackages {
		key := sp.ActionName
		if key == "" {
			key = sp.StepName
		}
		if sp.PackageReferenceName != "" {
			key += ":" + sp.PackageReferenceName
		}
		pkgs[key] = sp.Version
	}
	return Release{
		ID: r.ID, Version: r.Version, ProjectID: p.ID, Project: p.Name,
		ChannelID: r.ChannelID, Channel: c.channelName(ctx, p, r.ChannelID),
		Packages: pkgs, Notes: r.ReleaseNotes, Created: r.Assembled,
		URL: c.webURL("releases", r.ID),
	}
}

func isNotFound(err error) bool {
	api, ok := err.(*APIError)
	return ok && api.Status == 404
}
