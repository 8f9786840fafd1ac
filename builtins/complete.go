package builtins

import (
	"context"
	"sync"
	"time"

	"github.com/octostar/octostar/internal/octopus"
)

// The kinds of names a string argument can take, for completion.
const (
	NamesProject     = "project"
	NamesEnvironment = "environment"
)

// nameParams says which parameters of which builtins take a project or
// an environment by name. A test checks every entry against the
// registry, so a renamed parameter cannot leave it stale.
var nameParams = map[string]map[string]string{
	"create_release": {"project": NamesProject},
	"deploy":         {"project": NamesProject, "to": NamesEnvironment},
	"promote":        {"project": NamesProject, "source": NamesEnvironment, "to": NamesEnvironment},
	"run_runbook":    {"project": NamesProject, "environments": NamesEnvironment},
	"intervene":      {"project": NamesProject, "environment": NamesEnvironment},
	"interventions":  {"project": NamesProject, "environment": NamesEnvironment},
	"tenants":        {"project": NamesProject},
	"releases":       {"project": NamesProject},
	"current":        {"project": NamesProject, "environment": NamesEnvironment},
	"dashboard":      {"projects": NamesProject, "environments": NamesEnvironment},
}

// NameKind reports what a builtin's parameter names: NamesProject,
// NamesEnvironment, or "" for anything else.
func NameKind(builtin, param string) string { return nameParams[builtin][param] }

// NameSource completes project and environment names from the default
// target. It reads each list once, on first use, with a short timeout:
// completion must never hang or break the session, so a failed read
// gives no names and is tried again only after retryAfter.
type NameSource struct {
	target  func() (octopus.Octopus, error)
	timeout time.Duration
	now     func() time.Time

	mu     sync.Mutex
	names  map[string][]string
	failed map[string]time.Time
}

// retryAfter spaces out reads of a target that did not answer, so that
// TAB does not wait out the timeout on every press.
const retryAfter = time.Minute

// NewNameSource reads names from env's default target, giving up on a
// read after timeout.
func NewNameSource(env *Env, timeout time.Duration) *NameSource {
	return &NameSource{
		target:  func() (octopus.Octopus, error) { return env.Targets.Get("") },
		timeout: timeout, now: time.Now,
		names: map[string][]string{}, failed: map[string]time.Time{},
	}
}

// ArgNames proposes the names a builtin's string argument may take, or
// nil when the parameter names neither a project nor an environment.
func (n *NameSource) ArgNames(builtin, param string) []string {
	kind := NameKind(builtin, param)
	if kind == "" {
		return nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if names, ok := n.names[kind]; ok {
		return names
	}
	if at, ok := n.failed[kind]; ok && n.now().Sub(at) < retryAfter {
		return nil
	}
	names, err := n.read(kind)
	if err != nil {
		n.failed[kind] = n.now()
		return nil
	}
	n.names[kind] = names
	return names
}

func (n *NameSource) read(kind string) ([]string, error) {
	oct, err := n.target()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), n.timeout)
	defer cancel()
	var names []string
	switch kind {
	case NamesProject:
		ps, err := oct.Projects(ctx, octopus.ProjectQuery{})
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			names = append(names, p.Name)
		}
	case NamesEnvironment:
		es, err := oct.Environments(ctx)
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			names = append(names, e.Name)
		}
	}
	return names, nil
}
