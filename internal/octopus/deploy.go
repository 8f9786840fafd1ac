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
	envNames, unknown, err := c.environmentNames(ctx, r.Environments)
	if err != nil {
		return nil, err
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
			tasks, err := sendOnce(ctx, c, func() ([]*deployments.DeploymentServerTask, error) {
				res, err := deployments.CreateDeploymentTenantedV1(c.with(ctx), cmd)
				if err != nil {
					return nil, c.wrap(ctx, op, err)
				}
				return res.DeploymentServerTasks, nil
			}, c.findDeployments(ctx, RunSearch{Kind: KindDeployment, Project: p.Name, Release: r.Release,
				Environments: []string{env}, Tenants: tenants, TenantTags: r.TenantTags}))
			if err != nil {
				return c.partial(ctx, p, r.Release, started, preferLocal(err, unknown))
			}
			started = append(started, tasks...)
		}
	} else {
		cmd := &deployments.CreateDeploymentUntenantedCommandV1{
			ReleaseVersion: r.Release.Version, EnvironmentNames: envNames,
			ForcePackageRedeployment: r.ForceRedeploy, CreateExecutionAbstractCommandV1: base,
		}
		started, err = sendOnce(ctx, c, func() ([]*deployments.DeploymentServerTask, error) {
			res, err := deployments.CreateDeploymentUntenantedV1(c.with(ctx), cmd)
			if err != nil {
				return nil, c.wrap(ctx, op, err)
			}
			return res.DeploymentServerTasks, nil
		}, c.findDeployments(ctx, RunSearch{Kind: KindDeployment, Project: p.Name, Release: r.Release, Environments: envNames}))
		if err != nil {
			return nil, preferLocal(err, unknown)
		}
		if len(envNames) == 1 && unknown == nil {
			return c.describeDeploymentsIn(ctx, p, r.Release, started, envNames[0])
		}
	}
	return c.describeDeployments(ctx, p, r.Release, started)
}

// findDeployments looks for the deployments a lost request made.
func (c *Client) findDeployments(ctx context.Context, q RunSearch) func(since time.Time) ([]*deployments.DeploymentServerTask, bool, error) {
	return func(since time.Time) ([]*deployments.DeploymentServerTask, bool, error) {
		q.Since = since
		runs, err := c.FindRuns(ctx, q)
		if err != nil || len(runs) == 0 {
			return nil, false, err
		}
		out := make([]*deployments.DeploymentServerTask, len(runs))
		for i, run := range runs {
			out[i] = &deployments.DeploymentServerTask{DeploymentID: run.ID, ServerTaskID: run.TaskID}
		}
		return out, true, nil
	}
}

// partial reports what a multi-request deploy had started before it
// failed, so that nothing is lost.
func (c *Client) partial(ctx context.Context, p Project, rel Release, started []*deployments.DeploymentServerTask, err error) ([]Run, error) {
	if len(started) == 0 {
		return nil, err
	}
	runs, _ := c.describeDeployments(ctx, p, rel, started)
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

// describeDeployments learns each created deployment's environment and
// tenant. One untenanted deployment to one environment is known from the
// request alone; anything else is read back in one request, since the
// answer lists only deployment and task IDs.
func (c *Client) describeDeployments(ctx context.Context, p Project, rel Release, started []*deployments.DeploymentServerTask) ([]Run, error) {
	return c.describeDeploymentsIn(ctx, p, rel, started, "")
}

func (c *Client) describeDeploymentsIn(ctx context.Context, p Project, rel Release, started []*deployments.DeploymentServerTask, onlyEnv string) ([]Run, error) {
	if len(started) == 0 {
		return nil, nil
	}
	if len(started) == 1 && onlyEnv != "" {
		s := started[0]
		return []Run{{Kind: KindDeployment, ID: s.DeploymentID, TaskID: s.ServerTaskID, Project: p.Name, ProjectID: p.ID,
			Release: rel, Environment: onlyEnv, URL: c.TaskURL(s.ServerTaskID)}}, nil
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
		// The deployments run anyway: hand them back so they are waited
		// on and reported, without their environment names.
		var runs []Run
		for _, s := range started {
			runs = append(runs, Run{Kind: KindDeployment, ID: s.DeploymentID, TaskID: s.ServerTaskID, Project: p.Name,
				ProjectID: p.ID, Release: rel, URL: c.TaskURL(s.ServerTaskID)})
		}
		return runs, &PartialError{Err: err, Started: runs}
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

// environmentNames resolves environment references to their names. A
// name the caller's key cannot see is not in the list the server gave
// it, so it is passed on as written and the server decides (a 403 says
// more than "no such environment"); the local miss is returned as
// unknown, to report instead if the server does not know the name either.
func (c *Client) environmentNames(ctx context.Context, refs []string) (names []string, unknown error, err error) {
	for _, ref := range refs {
		env, ferr := c.environment(ctx, ref)
		switch {
		case ferr == nil:
			names = append(names, env.Name)
		case isMiss(ferr):
			names = append(names, ref)
			if unknown == nil {
				unknown = ferr
			}
		default:
			return nil, nil, ferr
		}
	}
	return names, unknown, nil
}

// missError is a name that is not in a list the server gave.
type missError struct{ msg string }

func (e *missError) Error() string { return e.msg }

func isMiss(err error) bool {
	_, ok := err.(*missError)
	return ok
}

// preferLocal reports the local did-you-mean error instead of the
// server's answer when the server did not know the name either (404 or
// 400), and the server's answer otherwise (a 403 names the permission).
func preferLocal(serverErr, local error) error {
	if local == nil {
		return serverErr
	}
	if api, ok := serverErr.(*APIError); ok && (api.Status == 404 || api.Status == 400) {
		return local
	}
	return serverErr
}
