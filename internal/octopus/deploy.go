package octopus

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/deployments"
)

// Deploy presses DEPLOY: one untenanted deployment per environment
// through deployments/create/untenanted/v1, or, when tenants or tenant
// tags are given, one tenanted deployment per tenant and environment
// through deployments/create/tenanted/v1. One more request reads the
// created deployments back, to tell which is which.
func (c *Client) Deploy(ctx context.Context, r DeployRequest) ([]Run, error) {
	p, err := c.project(ctx, r.Project)
	if err != nil {
		return nil, err
	}
	if r.Release.Version == "" {
		return nil, fmt.Errorf("deploying %s: no release version", p.Name)
	}
	var envNames []string
	for _, e := range r.Environments {
		env, err := c.environment(ctx, e)
		if err != nil {
			return nil, err
		}
		envNames = append(envNames, env.Name)
	}
	tenants, err := c.tenantNames(ctx, r.Tenants)
	if err != nil {
		return nil, err
	}
	base := deployments.CreateExecutionAbstractCommandV1{
		SpaceID: c.info.SpaceID, ProjectIDOrName: p.Name,
		SpecificMachineNames: r.Machines, ExcludedMachineNames: r.ExcludeMachines,
		SkipStepNames: r.SkipSteps, UseGuidedFailure: r.GuidedFailure,
		RunAt: timeText(r.At), NoRunAfter: timeText(r.Expires), Variables: r.Variables,
	}
	op := fmt.Sprintf("deploying %s %s to %s", p.Name, r.Release.Version, strings.Join(envNames, ", "))
	var started []*deployments.DeploymentServerTask
	if len(tenants) > 0 || len(r.TenantTags) > 0 {
		for _, env := range envNames {
			cmd := &deployments.CreateDeploymentTenantedCommandV1{
				ReleaseVersion: r.Release.Version, EnvironmentName: env,
				Tenants: tenants, TenantTags: r.TenantTags, ForcePackageRedeployment: r.ForceRedeploy,
				CreateExecutionAbstractCommandV1: base,
			}
			res, err := deployments.CreateDeploymentTenantedV1(c.with(ctx), cmd)
			if err != nil {
				return c.partial(ctx, p, r.Release, started, c.wrap(ctx, op, err))
			}
			started = append(started, res.DeploymentServerTasks...)
		}
	} else {
		cmd := &deployments.CreateDeploymentUntenantedCommandV1{
			ReleaseVersion: r.Release.Version, EnvironmentNames: envNames,
			ForcePackageRedeployment: r.ForceRedeploy, CreateExecutionAbstractCommandV1: base,
		}
		res, err := deployments.CreateDeploymentUntenantedV1(c.with(ctx), cmd)
		if err != nil {
			return nil, c.wrap(ctx, op, err)
		}
		started = res.DeploymentServerTasks
	}
	return c.describeDeployments(ctx, p, r.Release, started)
}

// partial reports what a multi-request deploy had started before it
// failed, so that nothing is lost.
func (c *Client) partial(ctx context.Context, p Project, rel Release, started []*deployments.DeploymentServerTask, err error) ([]Run, error) {
	if len(started) == 0 {
		return nil, err
	}
	runs, derr := c.describeDeployments(ctx, p, rel, started)
	if derr != nil {
		return nil, fmt.Errorf("%w (deployments already started: %s)", err, taskList(started))
	}
	return runs, &PartialError{Err: err, Started: runs}
}

// PartialError is a failure after some runs had started; they are in
// Started and still running.
type PartialError struct {
	Err     error
	Started []Run
}

func (e *PartialError) Error() string {
	var ids []string
	for _, r := range e.Started {
		ids = append(ids, r.ID+" ("+r.TaskID+")")
	}
	return fmt.Sprintf("%v (already started and still running: %s)", e.Err, strings.Join(ids, ", "))
}

func (e *PartialError) Unwrap() error { return e.Err }

func taskList(ts []*deployments.DeploymentServerTask) string {
	var ids []string
	for _, t := range ts {
		ids = append(ids, t.DeploymentID+" ("+t.ServerTaskID+")")
	}
	return strings.Join(ids, ", ")
}

// describeDeployments reads the created deployments in one request to
// learn each one's environment and tenant.
func (c *Client) describeDeployments(ctx context.Context, p Project, rel Release, started []*deployments.DeploymentServerTask) ([]Run, error) {
	if len(started) == 0 {
		return nil, nil
	}
	var ids []string
	for _, s := range started {
		ids = append(ids, s.DeploymentID)
	}
	type page struct {
		Items []*deployments.Deployment `json:"Items"`
	}
	res, err := get[page](ctx, c, "reading the new deployments", "/api/"+c.info.SpaceID+"/deployments?take="+fmt.Sprint(len(ids))+"&ids="+url.QueryEscape(strings.Join(ids, ",")))
	if err != nil {
		return nil, fmt.Errorf("%w (the deployments were started: %s)", err, taskList(started))
	}
	byID := map[string]*deployments.Deployment{}
	for _, d := range res.Items {
		byID[d.ID] = d
	}
	runs := make([]Run, 0, len(started))
	for _, s := range started {
		run := Run{Kind: KindDeployment, ID: s.DeploymentID, TaskID: s.ServerTaskID, Project: p.Name, ProjectID: p.ID,
			Release: rel, URL: c.TaskURL(s.ServerTaskID)}
		if d, ok := byID[s.DeploymentID]; ok {
			run.Environment = c.environmentName(ctx, d.EnvironmentID)
			if d.TenantID != "" {
				run.Tenant = c.tenantName(ctx, d.TenantID)
			}
		}
		runs = append(runs, run)
	}
	return runs, nil
}

// tenantNames resolves tenant references; "*" passes through.
func (c *Client) tenantNames(ctx context.Context, refs []string) ([]string, error) {
	var out []string
	for _, ref := range refs {
		if ref == "*" {
			out = append(out, ref)
			continue
		}
		t, err := c.tenant(ctx, ref)
		if err != nil {
			return nil, err
		}
		out = append(out, t.Name)
	}
	return out, nil
}

func (c *Client) tenantName(ctx context.Context, id string) string {
	if t, err := c.tenant(ctx, id); err == nil {
		return t.Name
	}
	return id
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}
