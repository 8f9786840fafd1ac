package builtins

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/octostar/octostar/internal/octopus"
	"github.com/octostar/octostar/interp"
)

// TestNameParamsMatchTheRegistry keeps the completion table honest: every
// entry names a registered builtin and one of its parameters.
func TestNameParamsMatchTheRegistry(t *testing.T) {
	reg := Registry()
	for builtin, params := range nameParams {
		spec, ok := reg.Lookup(builtin)
		if !ok {
			t.Errorf("nameParams: no builtin %s", builtin)
			continue
		}
		for param := range params {
			if !slices.ContainsFunc(spec.Params, func(p interp.Param) bool { return p.Name == param }) {
				t.Errorf("nameParams: %s has no parameter %s", builtin, param)
			}
		}
	}
}

// namesTarget answers the two reads completion makes, counting them.
type namesTarget struct {
	octopus.Octopus
	reads int
	fail  bool
	slow  bool
}

func (n *namesTarget) Projects(ctx context.Context, _ octopus.ProjectQuery) ([]octopus.Project, error) {
	n.reads++
	if n.slow {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if n.fail {
		return nil, errors.New("403 Forbidden")
	}
	return []octopus.Project{{Name: "Payments API"}, {Name: "Checkout Web"}}, nil
}

func (n *namesTarget) Environments(context.Context) ([]octopus.Environment, error) {
	n.reads++
	return []octopus.Environment{{Name: "Test"}, {Name: "Production"}}, nil
}

func TestNameSource(t *testing.T) {
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	newSource := func(target *namesTarget, err error) *NameSource {
		return &NameSource{
			target:  func() (octopus.Octopus, error) { return target, err },
			timeout: 20 * time.Millisecond, now: func() time.Time { return now },
			names: map[string][]string{}, failed: map[string]time.Time{},
		}
	}
	t.Run("reads once per kind", func(t *testing.T) {
		target := &namesTarget{}
		src := newSource(target, nil)
		for range 3 {
			if got := src.ArgNames("deploy", "project"); !slices.Equal(got, []string{"Payments API", "Checkout Web"}) {
				t.Fatalf("projects: %q", got)
			}
			if got := src.ArgNames("dashboard", "environments"); !slices.Equal(got, []string{"Test", "Production"}) {
				t.Fatalf("environments: %q", got)
			}
		}
		if target.reads != 2 {
			t.Errorf("%d reads, want 2", target.reads)
		}
	})
	t.Run("other parameters read nothing", func(t *testing.T) {
		target := &namesTarget{}
		src := newSource(target, nil)
		if got := src.ArgNames("deploy", "release"); got != nil || target.reads != 0 {
			t.Errorf("got %q after %d reads", got, target.reads)
		}
	})
	for _, tc := range []struct {
		name   string
		target *namesTarget
		err    error
	}{
		{"a failed read", &namesTarget{fail: true}, nil},
		{"a read that times out", &namesTarget{slow: true}, nil},
		{"no target", &namesTarget{}, errors.New("no Octopus target is configured")},
	} {
		t.Run(tc.name+" gives no names and waits before trying again", func(t *testing.T) {
			src := newSource(tc.target, tc.err)
			if got := src.ArgNames("releases", "project"); got != nil {
				t.Fatalf("got %q", got)
			}
			reads := tc.target.reads
			src.ArgNames("releases", "project")
			if tc.target.reads != reads {
				t.Errorf("read again at once")
			}
			now = now.Add(retryAfter)
			tc.target.fail, tc.target.slow = false, false
			if got := src.ArgNames("releases", "project"); tc.err == nil && len(got) != 2 {
				t.Errorf("after %s: %q", retryAfter, got)
			}
		})
	}
}
