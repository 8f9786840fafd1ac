package octopus

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/channels"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/environments"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/projectgroups"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/projects"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/runbooks"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/tenants"

	"github.com/octostar/octostar/internal/spell"
)

// catalog caches the names a run resolves: each list is fetched once per
// client, with one /all request, the first time something needs it.
type catalog struct {
	mu           sync.Mutex
	projects     []Project
	environments []Environment
	tenants      []Tenant
	channels     map[string][]channel // by project ID
	runbooks     map[string][]runbook // by project ID
}

type channel struct {
	ID, Name  string
	IsDefault bool
}

type runbook struct {
	ID, Name          string
	PublishedSnapshot string
	EnvironmentScope  string
	EnvironmentIDs    []string
}

func (c *catalog) init() {
	c.channels = map[string][]channel{}
	c.runbooks = map[string][]runbook{}
}

// named is anything resolvable by ID, slug or name.
type named interface {
	keys() (id, slug, name string)
}

func (p Project) keys() (string, string, string)     { return p.ID, p.Slug, p.Name }
func (e Environment) keys() (string, string, string) { return e.ID, "", e.Name }
func (t Tenant) keys() (string, string, string)      { return t.ID, "", t.Name }
func (c channel) keys() (string, string, string)     { return c.ID, "", c.Name }
func (r runbook) keys() (string, string, string)     { return r.ID, "", r.Name }

// find resolves ref among items by exact ID, then slug, then name
// ignoring case. An unknown ref is an error listing the closest names.
func find[T named](kind, ref, where string, items []T) (T, error) {
	ref = strings.TrimSpace(ref)
	var zero T
	if ref == "" {
		return zero, fmt.Errorf("the %s name is empty", kind)
	}
	for _, it := range items {
		if id, _, _ := it.keys(); strings.EqualFold(id, ref) {
			return it, nil
		}
	}
	for _, it := range items {
		if _, slug, _ := it.keys(); slug != "" && slug == ref {
			return it, nil
		}
	}
	var names []string
	for _, it := range items {
		_, _, name := it.keys()
		if strings.EqualFold(name, ref) {
			return it, nil
		}
		names = append(names, name)
	}
	return zero, &missError{fmt.Sprintf("no %s named %q%s%s", kind, ref, where, suggest(ref, names))}
}

func closest(name string, candidates []string) []string { return spell.Closest(name, candidates, 3) }

func (c *Client) projectList(ctx context.Context) ([]Project, error) {
	if err := c.connect(ctx); err != nil {
		return nil, err
	}
	c.cache.mu.Lock()
	defer c.cache.mu.Unlock()
	if c.cache.projects != nil {
		return c.cache.projects, nil
	}
	ps, err := get[[]*projects.Project](ctx, c, "listing projects", "/api/"+c.info.SpaceID+"/projects/all")
	if err != nil {
		return nil, err
	}
	groups, err := get[[]*projectgroups.ProjectGroup](ctx, c, "listing project groups", "/api/"+c.info.SpaceID+"/projectgroups/all")
	if err != nil {
		return nil, err
	}
	groupName := map[string]string{}
	for _, g := range *groups {
		groupName[g.ID] = g.Name
	}
	out := make([]Project, 0, len(*ps))
	for _, p := range *ps {
		out = append(out, Project{ID: p.ID, Name: p.Name, Slug: p.Slug, Group: groupName[p.ProjectGroupID],
			LifecycleID: p.LifecycleID, TenantedMode: string(p.TenantedDeploymentMode), Disabled: p.IsDisabled})
	}
	c.cache.projects = out
	return out, nil
}

func (c *Client) project(ctx context.Context, ref string) (Project, error) {
	ps, err := c.projectList(ctx)
	if err != nil {
		return Project{}, err
	}
	return find("project", ref, c.inSpace(), ps)
}

func (c *Client) environmentList(ctx context.Context) ([]Environment, error) {
	if err := c.connect(ctx); err != nil {
		return nil, err
	}
	c.cache.mu.Lock()
	defer c.cache.mu.Unlock()
	if c.cache.environments != nil {
		return c.cache.environments, nil
	}
	es, err := get[[]*environments.Environment](ctx, c, "listing environments", "/api/"+c.info.SpaceID+"/environments/all")
	if err != nil {
		return nil, err
	}
	out := make([]Environment, 0, len(*es))
	for _, e := range *es {
		out = append(out, Environment{ID: e.ID, Name: e.Name, SortOrder: e.SortOrder})
	}
	c.cache.environments = out
	return out, nil
}

func (c *Client) environment(ctx context.Context, ref string) (Environment, error) {
	es, err := c.environmentList(ctx)
	if err != nil {
		return Environment{}, err
	}
	return find("environment", ref, c.inSpace(), es)
}

func (c *Client) environmentName(ctx context.Context, id string) string {
	if e, err := c.environment(ctx, id); err == nil {
		return e.Name
	}
	return id
}

func (c *Client) tenantList(ctx context.Context) ([]Tenant, error) {
	if err := c.connect(ctx); err != nil {
		return nil, err
	}
	c.cache.mu.Lock()
	defer c.cache.mu.Unlock()
	if c.cache.tenants != nil {
		return c.cache.tenants, nil
	}
	ts, err := get[[]*tenants.Tenant](ctx, c, "listing tenants", "/api/"+c.info.SpaceID+"/tenants/all")
	if err != nil {
		return nil, err
	}
	out := make([]Tenant, 0, len(*ts))
	for _, t := range *ts {
		out = append(out, Tenant{ID: t.ID, Name: t.Name, Tags: t.TenantTags, Projects: t.ProjectEnvironments})
	}
	c.cache.tenants = out
	return out, nil
}

func (c *Client) tenant(ctx context.Context, ref string) (Tenant, error) {
	ts, err := c.tenantList(ctx)
	if err != nil {
		return Tenant{}, err
	}
	return find("tenant", ref, c.inSpace(), ts)
}

func (c *Client) channelList(ctx context.Context, p Project) ([]channel, error) {
	c.cache.mu.Lock()
	cached, ok := c.cache.channels[p.ID]
	c.cache.mu.Unlock()
	if ok {
		return cached, nil
	}
	type page struct {
		Items []*channels.Channel `json:"Items"`
	}
	res, err := get[page](ctx, c, "listing the channels of "+p.Name, "/api/"+c.info.SpaceID+"/projects/"+p.ID+"/channels?take=1000")
	if err != nil {
		return nil, err
	}
	out := make([]channel, 0, len(res.Items))
	for _, ch := range res.Items {
		out = append(out, channel{ID: ch.ID, Name: ch.Name, IsDefault: ch.IsDefault})
	}
	c.cache.mu.Lock()
	c.cache.channels[p.ID] = out
	c.cache.mu.Unlock()
	return out, nil
}

func (c *Client) channel(ctx context.Context, p Project, ref string) (channel, error) {
	chs, err := c.channelList(ctx, p)
	if err != nil {
		return channel{}, err
	}
	return find("channel", ref, " in project "+p.Name, chs)
}

func (c *Client) channelName(ctx context.Context, p Project, id string) string {
	if ch, err := c.channel(ctx, p, id); err == nil {
		return ch.Name
	}
	return id
}

func (c *Client) runbookList(ctx context.Context, p Project) ([]runbook, error) {
	c.cache.mu.Lock()
	cached, ok := c.cache.runbooks[p.ID]
	c.cache.mu.Unlock()
	if ok {
		return cached, nil
	}
	type page struct {
		Items []*runbooks.Runbook `json:"Items"`
	}
	res, err := get[page](ctx, c, "listing the runbooks of "+p.Name, "/api/"+c.info.SpaceID+"/projects/"+p.ID+"/runbooks?take=1000")
	if err != nil {
		return nil, err
	}
	out := make([]runbook, 0, len(res.Items))
	for _, rb := range res.Items {
		out = append(out, runbook{ID: rb.ID, Name: rb.Name, PublishedSnapshot: rb.PublishedRunbookSnapshotID,
			EnvironmentScope: rb.EnvironmentScope, EnvironmentIDs: rb.Environments})
	}
	c.cache.mu.Lock()
	c.cache.runbooks[p.ID] = out
	c.cache.mu.Unlock()
	return out, nil
}

func (c *Client) runbook(ctx context.Context, p Project, ref string) (runbook, error) {
	rbs, err := c.runbookList(ctx, p)
	if err != nil {
		return runbook{}, err
	}
	return find("runbook", ref, " in project "+p.Name, rbs)
}

func (c *Client) inSpace() string { return " in space " + c.info.Space }
