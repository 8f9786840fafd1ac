package octopus

import (
	"context"
	"net/url"
	"strings"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/dashboard"
)

type dashboardDoc struct {
	Items         []*dashboard.DashboardItem `json:"Items"`
	PreviousItems []*dashboard.DashboardItem `json:"PreviousItems"`
}

// dashboardItems reads the dynamic dashboard for project and
// environment IDs, with the previous successful deployments.
func (c *Client) dashboardItems(ctx context.Context, projectIDs, envIDs []string, previous bool) ([]*dashboard.DashboardItem, error) {
	params := url.Values{}
	if len(projectIDs) > 0 {
		params.Set("projects", strings.Join(projectIDs, ","))
	}
	if len(envIDs) > 0 {
		params.Set("environments", strings.Join(envIDs, ","))
	}
	if previous {
		params.Set("includePrevious", "true")
	}
	d, err := get[dashboardDoc](ctx, c, "reading the dashboard", "/api/"+c.info.SpaceID+"/dashboard/dynamic?"+params.Encode())
	if err != nil {
		return nil, err
	}
	return append(d.Items, d.PreviousItems...), nil
}

// Current is the release running in an environment now: the newest
// deployment there if it succeeded, else the previous successful one.
func (c *Client) Current(ctx context.Context, project, environment, tenant string) (Release, bool, error) {
	p, err := c.project(ctx, project)
	if err != nil {
		return Release{}, false, err
	}
	env, err := c.environment(ctx, environment)
	if err != nil {
		return Release{}, false, err
	}
	var tenantID string
	if tenant != "" {
		t, err := c.tenant(ctx, tenant)
		if err != nil {
			return Release{}, false, err
		}
		tenantID = t.ID
	}
	items, err := c.dashboardItems(ctx, []string{p.ID}, []string{env.ID}, true)
	if err != nil {
		return Release{}, false, err
	}
	var pick *dashboard.DashboardItem
	for _, it := range items {
		if it.ProjectID != p.ID || it.EnvironmentID != env.ID || it.TenantID != tenantID || it.State != "Success" {
			continue
		}
		if it.IsCurrent || (it.IsPrevious && pick == nil) {
			pick = it
		}
	}
	if pick == nil {
		return Release{}, false, nil
	}
	r, err := c.releaseByID(ctx, p, pick.ReleaseID)
	return r, err == nil, err
}

// Dashboard lists the current deployment of each project to each
// environment (and tenant), optionally for some projects and environments.
func (c *Client) Dashboard(ctx context.Context, q DashboardQuery) ([]DashboardRow, error) {
	var pids, eids []string
	for _, ref := range q.Projects {
		p, err := c.project(ctx, ref)
		if err != nil {
			return nil, err
		}
		pids = append(pids, p.ID)
	}
	for _, ref := range q.Environments {
		e, err := c.environment(ctx, ref)
		if err != nil {
			return nil, err
		}
		eids = append(eids, e.ID)
	}
	if err := c.connect(ctx); err != nil {
		return nil, err
	}
	items, err := c.dashboardItems(ctx, pids, eids, false)
	if err != nil {
		return nil, err
	}
	var rows []DashboardRow
	for _, it := range items {
		if !it.IsCurrent {
			continue
		}
		row := DashboardRow{Environment: c.environmentName(ctx, it.EnvironmentID), Release: it.ReleaseVersion,
			ReleaseID: it.ReleaseID, State: TaskState(it.State), TaskID: it.TaskID, Completed: parseTime(it.CompletedTime)}
		if p, err := c.project(ctx, it.ProjectID); err == nil {
			row.Project = p.Name
		}
		if it.TenantID != "" {
			row.Tenant = c.tenantName(ctx, it.TenantID)
		}
		if it.HasPendingInterruptions && !row.State.Done() {
			row.State = StateAwaitingIntervention
		}
		rows = append(rows, row)
	}
	return rows, nil
}

var _ Octopus = (*Client)(nil)
