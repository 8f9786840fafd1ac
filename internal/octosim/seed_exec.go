package octosim

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// SeedRelease declares a release, created through the same path as
// create/v1 (channel rules, duplicate checks, automatic deployments of the
// first phase, which finish at once).
type SeedRelease struct {
	Space              string   `json:"space,omitempty"`
	Project            string   `json:"project"`
	Version            string   `json:"version"`
	Channel            string   `json:"channel,omitempty"`
	Packages           []string `json:"packages,omitempty"` // "Step:Version", as create/v1
	PackageVersion     string   `json:"packageVersion,omitempty"`
	Notes              string   `json:"notes,omitempty"`
	IgnoreChannelRules bool     `json:"ignoreChannelRules,omitempty"`
}

// SeedDeployment declares past deployments of a release: one per
// environment (and tenant), in order, each finishing at once in State
// (Success, the default, or Failed; a failed one fails at FailedStep, or
// its last step). The lifecycle is enforced as for any deployment.
type SeedDeployment struct {
	Space        string   `json:"space,omitempty"`
	Project      string   `json:"project"`
	Release      string   `json:"release"` // the version
	Environments []string `json:"environments"`
	Tenants      []string `json:"tenants,omitempty"` // names, or "*" for every connected tenant
	State        string   `json:"state,omitempty"`
	FailedStep   string   `json:"failedStep,omitempty"`
}

// seedStep is the simulated time between two seeded events, so that past
// deployments look spread over the days before the world started.
const seedStep = 47 * time.Minute

func init() { seedHooks = append(seedHooks, applyExecSeed) }

func applyExecSeed(o *op, seed *Seed) error {
	if seed == nil {
		return nil
	}
	sd := &seeder{o: o}
	x := o.st.x
	x.seeding = true
	defer func() { x.seeding = false }()
	total := len(seed.Releases) + len(seed.Deployments)
	k := 0
	at := func() time.Time {
		k++
		return o.now.Add(-time.Duration(total-k+1) * seedStep)
	}
	for i, r := range seed.Releases {
		path := fmt.Sprintf("releases[%d]", i)
		so, err := sd.space(path, r.Space)
		if err != nil {
			return err
		}
		so.now = at()
		p, err := resolveOne(so, kProjects, path+".project", "project", r.Project)
		if err != nil {
			return err
		}
		if strings.TrimSpace(r.Version) == "" {
			return seedErr(path+".version", "a release version is required")
		}
		req := &releaseRequest{project: p, channelName: r.Channel, version: r.Version, packages: r.Packages,
			packageVersion: r.PackageVersion, ignoreChannelRules: r.IgnoreChannelRules}
		if r.Notes != "" {
			req.notes = strp(r.Notes)
		}
		if _, _, err := createRelease(so, req); err != nil {
			return wrapSeed(path, seedMessage(err, "a package version could not be found"))
		}
		afterChange(so)
	}
	for i, d := range seed.Deployments {
		path := fmt.Sprintf("deployments[%d]", i)
		so, err := sd.space(path, d.Space)
		if err != nil {
			return err
		}
		so.now = at()
		p, err := resolveOne(so, kProjects, path+".project", "project", d.Project)
		if err != nil {
			return err
		}
		rel := x.releaseByVersion(p.ID, d.Release)
		if rel == nil {
			return seedErr(path+".release", "project %q has no release %q", p.Name, d.Release)
		}
		state := StateSuccess
		switch strings.ToLower(d.State) {
		case "", "success":
		case "failed":
			state = StateFailed
		default:
			return seedErr(path+".state", "a past deployment's state must be Success or Failed, not %q", d.State)
		}
		if len(d.Environments) == 0 {
			return seedErr(path+".environments", "at least one environment is required")
		}
		for j, name := range d.Environments {
			ep := fmt.Sprintf("%s.environments[%d]", path, j)
			e, err := resolveOne(so, kEnvironments, ep, "environment", name)
			if err != nil {
				return err
			}
			var tenants []*Tenant
			if len(d.Tenants) > 0 {
				if tenants, err = resolveTenants(so, p, e, rel, d.Tenants, nil); err != nil {
					return wrapSeed(path+".tenants", err)
				}
			} else if p.TenantedDeploymentMode == "Tenanted" {
				return seedErr(path+".tenants", "%s can only be deployed to tenants", p.Name)
			}
			if len(tenants) == 0 {
				tenants = []*Tenant{nil}
			}
			for _, t := range tenants {
				if err := checkLifecycle(so, p, rel, e, t); err != nil {
					return wrapSeed(ep, err)
				}
				req := &deployRequest{project: p, release: rel, execRequest: execRequest{env: e, tenant: t},
					outcome: state, failStep: d.FailedStep}
				if _, err := startDeployment(so, req); err != nil {
					return wrapSeed(ep, err)
				}
				afterChange(so)
			}
		}
	}
	for i, f := range seed.Failures {
		if err := f.validate(); err != nil {
			return seedErr(fmt.Sprintf("failures[%d]", i), "%s", err.Error())
		}
		x.failures = append(x.failures, &failureState{FailureRule: f})
	}
	return nil
}

// seedMessage replaces the bare null-reference text with what a seed
// author needs to know.
func seedMessage(err error, instead string) error {
	if ae, ok := err.(*apiError); ok && ae.Message == msgNullReference {
		return errors.New(instead)
	}
	return err
}
