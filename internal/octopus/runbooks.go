package octopus

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/runbooks"
)

// runbookRunDoc is the part of a RunbookRun resource octostar reads; the
// official client has no type for it.
type runbookRunDoc struct {
	ID                string `json:"Id"`
	EnvironmentID     string `json:"EnvironmentId"`
	TenantID          string `json:"TenantId"`
	TaskID            string `json:"TaskId"`
	RunbookSnapshotID string `json:"RunbookSnapshotId"`
}

// RunRunbook presses RUN through runbook-runs/create/v1: one run per
// environment and tenant, on the published snapshot unless one is named.
func (c *Client) RunRunbook(ctx context.Context, r RunbookRequest) ([]Run, error) {
	p, err := c.project(ctx, r.Project)
	if err != nil {
		return nil, err
	}
	rb, err := c.runbook(ctx, p, r.Runbook)
	if err != nil {
		return nil, err
	}
	if r.Snapshot == "" && rb.PublishedSnapshot == "" {
		return nil, fmt.Errorf("runbook %s of %s has no published snapshot; publish one or name a snapshot", rb.Name, p.Name)
	}
	envNames, unknown, err := c.environmentNames(ctx, r.Environments)
	if err != nil {
		return nil, err
	}
	tenants, err := c.tenantNames(ctx, r.Tenants)
	if err != nil {
		return nil, err
	}
	cmd := runbooks.NewRunbookRunCommandV1(c.info.SpaceID, p.Name)
	cmd.RunbookName = rb.Name
	cmd.EnvironmentNames = envNames
	cmd.Tenants = tenants
	cmd.TenantTags = r.TenantTags
	cmd.Snapshot = r.Snapshot
	cmd.Variables = r.Variables
	cmd.UseGuidedFailure = r.GuidedFailure
	op := fmt.Sprintf("running runbook %s of %s in %s", rb.Name, p.Name, strings.Join(envNames, ", "))
	res, err := sendOnce(ctx, c, func() (*runbooks.RunbookRunResponseV1, error) {
		res, err := runbooks.RunbookRunV1(c.with(ctx), cmd)
		if err != nil {
			return nil, c.wrap(ctx, op, err)
		}
		return res, nil
	}, func(since time.Time) (*runbooks.RunbookRunResponseV1, bool, error) {
		runs, err := c.FindRuns(ctx, RunSearch{Kind: KindRunbookRun, Project: p.Name, Runbook: rb.Name,
			Environments: envNames, Tenants: tenants, TenantTags: r.TenantTags, Since: since})
		if err != nil || len(runs) == 0 {
			return nil, false, err
		}
		res := &runbooks.RunbookRunResponseV1{}
		for _, run := range runs {
			res.RunbookRunServerTasks = append(res.RunbookRunServerTasks, &runbooks.RunbookRunServerTask{RunbookRunID: run.ID, ServerTaskID: run.TaskID})
		}
		return res, true, nil
	})
	if err != nil {
		return nil, preferLocal(err, unknown)
	}
	if len(res.RunbookRunServerTasks) == 0 {
		return nil, nil
	}
	var ids []string
	for _, t := range res.RunbookRunServerTasks {
		ids = append(ids, t.RunbookRunID)
	}
	type page struct {
		Items []runbookRunDoc `json:"Items"`
	}
	docs, err := get[page](ctx, c, "reading the new runbook runs", "/api/"+c.info.SpaceID+"/runbookRuns?take="+fmt.Sprint(len(ids))+"&ids="+url.QueryEscape(strings.Join(ids, ",")))
	byID := map[string]runbookRunDoc{}
	if err == nil {
		for _, d := range docs.Items {
			byID[d.ID] = d
		}
	}
	runs := make([]Run, 0, len(res.RunbookRunServerTasks))
	for _, t := range res.RunbookRunServerTasks {
		run := Run{Kind: KindRunbookRun, ID: t.RunbookRunID, TaskID: t.ServerTaskID, Project: p.Name, ProjectID: p.ID,
			Runbook: rb.Name, URL: c.TaskURL(t.ServerTaskID)}
		if d, ok := byID[t.RunbookRunID]; ok {
			run.Environment = c.environmentName(ctx, d.EnvironmentID)
			run.Snapshot = d.RunbookSnapshotID
			if d.TenantID != "" {
				run.Tenant = c.tenantName(ctx, d.TenantID)
			}
		}
		runs = append(runs, run)
	}
	if err != nil {
		// The runs go on anyway: hand them back to be waited on.
		return runs, &PartialError{Err: err, Started: runs}
	}
	return runs, nil
}
