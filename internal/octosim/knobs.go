package octosim

import (
	"encoding/json"
	"fmt"
	"time"
)

// Duration is a time.Duration that reads and writes JSON as "250ms" (a
// plain number is taken as milliseconds).
type Duration time.Duration

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		*d = Duration(v)
		return nil
	}
	var ms float64
	if err := json.Unmarshal(b, &ms); err != nil {
		return fmt.Errorf("duration must be a string such as \"250ms\" or a number of milliseconds")
	}
	*d = Duration(time.Duration(ms * float64(time.Millisecond)))
	return nil
}

// Knobs are the test and benchmark controls. They apply to /api requests
// only, never to /_octosim.
type Knobs struct {
	// Latency is added before every response.
	Latency Duration `json:"Latency"`
	// FaultRate is the fraction of requests answered with a 500.
	FaultRate float64 `json:"FaultRate"`
	// UnavailableRate is the fraction of requests answered 503 with a
	// Retry-After of UnavailableRetryAfter (whole seconds), as an
	// overloaded server or its proxy does.
	UnavailableRate       float64  `json:"UnavailableRate"`
	UnavailableRetryAfter Duration `json:"UnavailableRetryAfter"`
	// DropRate is the fraction of requests whose connection is closed
	// without a response, before they are processed.
	DropRate float64 `json:"DropRate"`
	// ResetRate is the fraction of requests that are processed (a write
	// happens) and whose connection is then reset without a response: the
	// client cannot know whether its write was carried out. Logged as
	// Injected "reset" with the status the server would have answered.
	ResetRate float64 `json:"ResetRate"`
	// SpikeRate is the fraction of requests delayed by SpikeLatency on top
	// of Latency, as a server pausing for garbage collection or a busy
	// database does. Logged as Injected "spike".
	SpikeRate    float64  `json:"SpikeRate"`
	SpikeLatency Duration `json:"SpikeLatency"`
	// TimeScale speeds simulated time (task durations); 1 is real time.
	TimeScale float64 `json:"TimeScale"`
	// InstantTasks makes every simulated duration zero: tasks finish, or
	// stop at an interruption, inside the request that queued them.
	InstantTasks bool `json:"InstantTasks"`
	// StepFailureRate is the chance (0..1) that any step that runs fails,
	// drawn from the world's seeded generator.
	StepFailureRate float64 `json:"StepFailureRate"`
}

func (k Knobs) validate() error {
	switch {
	case k.Latency < 0:
		return fmt.Errorf("Latency must not be negative")
	case k.FaultRate < 0 || k.FaultRate > 1:
		return fmt.Errorf("FaultRate must be between 0 and 1")
	case k.UnavailableRetryAfter < 0:
		return fmt.Errorf("UnavailableRetryAfter must not be negative")
	case k.UnavailableRate < 0 || k.UnavailableRate > 1:
		return fmt.Errorf("UnavailableRate must be between 0 and 1")
	case k.DropRate < 0 || k.DropRate > 1:
		return fmt.Errorf("DropRate must be between 0 and 1")
	case k.ResetRate < 0 || k.ResetRate > 1:
		return fmt.Errorf("ResetRate must be between 0 and 1")
	case k.SpikeRate < 0 || k.SpikeRate > 1:
		return fmt.Errorf("SpikeRate must be between 0 and 1")
	case k.SpikeLatency < 0:
		return fmt.Errorf("SpikeLatency must not be negative")
	case k.TimeScale < 0:
		return fmt.Errorf("TimeScale must not be negative")
	case k.StepFailureRate < 0 || k.StepFailureRate > 1:
		return fmt.Errorf("StepFailureRate must be between 0 and 1")
	}
	return nil
}

// Knobs returns the current knob settings.
func (s *Server) Knobs() Knobs {
	s.knobMu.RLock()
	defer s.knobMu.RUnlock()
	return s.knobs
}

// SetKnobs replaces all knob settings.
func (s *Server) SetKnobs(k Knobs) error {
	if k.TimeScale == 0 {
		k.TimeScale = 1
	}
	if err := k.validate(); err != nil {
		return err
	}
	s.knobMu.Lock()
	old := s.knobs.TimeScale
	s.knobs = k
	s.knobMu.Unlock()
	s.wakeEngine(old)
	return nil
}

// SetLatency, SetFaultRate, SetDropRate and SetTimeScale change one knob.
func (s *Server) SetLatency(d time.Duration) { s.editKnobs(func(k *Knobs) { k.Latency = Duration(d) }) }
func (s *Server) SetFaultRate(p float64)     { s.editKnobs(func(k *Knobs) { k.FaultRate = clamp01(p) }) }
func (s *Server) SetUnavailableRate(p float64) {
	s.editKnobs(func(k *Knobs) { k.UnavailableRate = clamp01(p) })
}
func (s *Server) SetDropRate(p float64) { s.editKnobs(func(k *Knobs) { k.DropRate = clamp01(p) }) }

// SetResetRate sets the fraction of requests processed and then answered
// with a reset connection (see Knobs.ResetRate).
func (s *Server) SetResetRate(p float64) { s.editKnobs(func(k *Knobs) { k.ResetRate = clamp01(p) }) }

// SetSpikes delays the fraction p of requests by d on top of the latency
// (see Knobs.SpikeRate); a negative d counts as 0.
func (s *Server) SetSpikes(p float64, d time.Duration) {
	s.editKnobs(func(k *Knobs) { k.SpikeRate, k.SpikeLatency = clamp01(p), Duration(max(d, 0)) })
}

// WithResetRate and WithSpikes set those knobs from the start; they live
// here, beside the knobs they set.
func WithResetRate(p float64) Option { return func(c *config) { c.knobs.ResetRate = p } }
func WithSpikes(p float64, d time.Duration) Option {
	return func(c *config) { c.knobs.SpikeRate, c.knobs.SpikeLatency = p, Duration(d) }
}
func (s *Server) SetTimeScale(x float64) {
	old := s.Knobs().TimeScale
	s.editKnobs(func(k *Knobs) {
		if x > 0 {
			k.TimeScale = x
		}
	})
	s.wakeEngine(old)
}

// SetInstantTasks turns instant mode on or off (see Knobs.InstantTasks).
func (s *Server) SetInstantTasks(on bool) {
	s.editKnobs(func(k *Knobs) { k.InstantTasks = on })
	s.wakeEngine(s.Knobs().TimeScale)
}

// SetStepFailureRate sets the chance that any step that runs fails.
func (s *Server) SetStepFailureRate(p float64) {
	s.editKnobs(func(k *Knobs) { k.StepFailureRate = clamp01(p) })
}

// wakeEngine pumps the world after a knob change: instant mode finishes
// what is running at once, and a new time scale stretches or shrinks what
// is left of the steps running now (oldScale is the scale they started
// under).
func (s *Server) wakeEngine(oldScale float64) {
	if s.eng == nil {
		return
	}
	st := s.store()
	if st == nil {
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	k := s.Knobs()
	mono := time.Now()
	rescale := func(t time.Time) time.Time {
		switch {
		case t.IsZero() || !t.After(mono):
			return t
		case k.InstantTasks:
			return time.Time{}
		case oldScale > 0 && k.TimeScale > 0 && oldScale != k.TimeScale:
			return mono.Add(time.Duration(float64(t.Sub(mono)) * oldScale / k.TimeScale))
		}
		return t
	}
	for _, r := range st.x.active {
		r.due = rescale(r.due)
		r.readyAt = rescale(r.readyAt)
	}
	afterChange(&op{s: s, st: st, now: s.now()})
}

// TimeScale is the simulated-time speed for the task engine.
func (s *Server) TimeScale() float64 { return s.Knobs().TimeScale }

func (s *Server) editKnobs(f func(*Knobs)) {
	s.knobMu.Lock()
	f(&s.knobs)
	s.knobMu.Unlock()
}

func clamp01(p float64) float64 { return max(0, min(1, p)) }

// roll draws a uniform number in [0,1) from the server's seeded source.
func (s *Server) roll() float64 {
	s.randMu.Lock()
	defer s.randMu.Unlock()
	return s.rand.Float64()
}
