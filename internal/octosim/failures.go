package octosim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// FailureRule arranges for steps to fail, so that tests and demos can
// rehearse failures deterministically. Names match case-insensitively and
// IDs work too. Empty fields match anything, except that manual
// interventions never fail.
type FailureRule struct {
	// Project and Runbook narrow the rule ("" = any project; a rule with a
	// Runbook applies to that runbook's runs only).
	Project string `json:"project,omitempty"`
	Runbook string `json:"runbook,omitempty"`
	// Step is a step or action name ("" = every step that runs).
	Step string `json:"step,omitempty"`
	// Environments and Tenants are names or IDs.
	Environments []string `json:"environments,omitempty"`
	Tenants      []string `json:"tenants,omitempty"`
	// Times makes the step fail that many times, then succeed (a Retry
	// after the last failure succeeds); 0 = every time.
	Times int `json:"times,omitempty"`
	// Rate makes a matching step fail with this probability, drawn from
	// the server's seeded generator; 0 = always.
	Rate float64 `json:"rate,omitempty"`
	// Message is the error written to the task log.
	Message string `json:"message,omitempty"`
}

func (f FailureRule) validate() error {
	switch {
	case f.Times < 0:
		return errors.New("times must not be negative")
	case f.Rate < 0 || f.Rate > 1:
		return errors.New("rate must be between 0 and 1")
	}
	return nil
}

// failureState is a rule and how often it has fired.
type failureState struct {
	FailureRule
	Fired int `json:"fired"`
}

// WithFailure arranges a failure from the start (and after every Reset).
func WithFailure(rule FailureRule) Option {
	return func(c *config) { c.failures = append(c.failures, rule) }
}

// WithStepFailureRate makes every step that runs fail with probability p
// (reproducible: the generator is seeded by WithRandSeed).
func WithStepFailureRate(p float64) Option {
	return func(c *config) { c.knobs.StepFailureRate = p }
}

// WithInstantTasks makes every simulated duration zero: tasks finish
// (or stop at an interruption) inside the request that queued them.
func WithInstantTasks() Option { return func(c *config) { c.knobs.InstantTasks = true } }

// AddFailure arranges a failure in the current world (until Reset).
func (s *Server) AddFailure(rule FailureRule) error {
	if err := rule.validate(); err != nil {
		return fmt.Errorf("octosim: %w", err)
	}
	st := s.store()
	st.mu.Lock()
	defer st.mu.Unlock()
	st.x.failures = append(st.x.failures, &failureState{FailureRule: rule})
	return nil
}

// ClearFailures removes every failure arrangement of the current world.
func (s *Server) ClearFailures() {
	st := s.store()
	st.mu.Lock()
	defer st.mu.Unlock()
	st.x.failures = nil
}

// Failures lists the current failure arrangements.
func (s *Server) Failures() []FailureRule {
	st := s.store()
	st.mu.RLock()
	defer st.mu.RUnlock()
	out := []FailureRule{}
	for _, f := range st.x.failures {
		out = append(out, f.FailureRule)
	}
	return out
}

// matchesName compares a rule value with a document's ID and name.
func matchesName(want, id, name string) bool {
	return strings.EqualFold(want, id) || strings.EqualFold(strings.TrimSpace(want), strings.TrimSpace(name))
}

func (f *failureState) matches(o *op, r *taskRun, s *Step) bool {
	sp := r.spaceID
	if f.Project != "" {
		p, ok := kProjects.tab(o.st).get(sp, r.projectID)
		if !ok || !(matchesName(f.Project, p.ID, p.Name) || strings.EqualFold(f.Project, p.Slug)) {
			return false
		}
	}
	if f.Runbook != "" {
		rb, ok := kRunbooks.tab(o.st).get(sp, r.runbookID)
		if r.kind != runRunbook || !ok || !matchesName(f.Runbook, rb.ID, rb.Name) {
			return false
		}
	}
	if f.Step != "" {
		ok := strings.EqualFold(f.Step, s.Name)
		for _, a := range s.Actions {
			ok = ok || strings.EqualFold(f.Step, a.Name)
		}
		if !ok {
			return false
		}
	}
	if len(f.Environments) > 0 {
		e, _ := kEnvironments.tab(o.st).get(sp, r.envID)
		ok := false
		for _, want := range f.Environments {
			ok = ok || (e != nil && matchesName(want, e.ID, e.Name))
		}
		if !ok {
			return false
		}
	}
	if len(f.Tenants) > 0 {
		t, _ := kTenants.tab(o.st).get(sp, r.tenantID)
		ok := false
		for _, want := range f.Tenants {
			ok = ok || (t != nil && matchesName(want, t.ID, t.Name))
		}
		if !ok {
			return false
		}
	}
	return true
}

// shouldFail decides whether the step that just ran failed, and why.
func (x *execState) shouldFail(o *op, r *taskRun, s *Step) (bool, string) {
	if isManualStep(s) {
		return false, ""
	}
	if x.seeding || r.outcome != "" {
		if r.outcome == StateFailed && strings.EqualFold(r.failStep, s.Name) {
			return true, "The remote script failed with exit code 1"
		}
		return false, ""
	}
	for _, f := range x.failures {
		if !f.matches(o, r, s) {
			continue
		}
		if f.Times > 0 && f.Fired >= f.Times {
			continue
		}
		if f.Rate > 0 && x.failRng.Float64() >= f.Rate {
			continue
		}
		f.Fired++
		msg := f.Message
		if msg == "" {
			msg = "The remote script failed with exit code 1"
		}
		return true, msg
	}
	if rate := o.s.Knobs().StepFailureRate; rate > 0 && x.failRng.Float64() < rate {
		return true, "The remote script failed with exit code 1"
	}
	return false, ""
}

// serveFailures is /_octosim/failures: GET lists the arrangements (with
// how often each fired), POST adds one, DELETE removes them all.
func (s *Server) serveFailures(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost, http.MethodPut:
		var rule FailureRule
		data, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err == nil {
			err = json.Unmarshal(data, &rule)
		}
		if err == nil {
			err = s.AddFailure(rule)
		}
		if err != nil {
			ae := badRequest("%s", strings.TrimPrefix(err.Error(), "octosim: "))
			writeJSON(w, ae.Status, ae.body())
			return
		}
	case http.MethodDelete:
		s.ClearFailures()
	default:
		ae := methodNotAllowed(r.Method)
		writeJSON(w, ae.Status, ae.body())
		return
	}
	st := s.store()
	st.mu.RLock()
	out := []failureState{}
	for _, f := range st.x.failures {
		out = append(out, *f)
	}
	st.mu.RUnlock()
	writeJSON(w, http.StatusOK, out)
}
