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
	// DropRate is the fraction of requests whose connection is closed
	// without a response.
	DropRate float64 `json:"DropRate"`
	// TimeScale speeds simulated time (task durations); 1 is real time.
	TimeScale float64 `json:"TimeScale"`
}

func (k Knobs) validate() error {
	switch {
	case k.Latency < 0:
		return fmt.Errorf("Latency must not be negative")
	case k.FaultRate < 0 || k.FaultRate > 1:
		return fmt.Errorf("FaultRate must be between 0 and 1")
	case k.DropRate < 0 || k.DropRate > 1:
		return fmt.Errorf("DropRate must be between 0 and 1")
	case k.TimeScale < 0:
		return fmt.Errorf("TimeScale must not be negative")
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
	s.knobs = k
	s.knobMu.Unlock()
	return nil
}

// SetLatency, SetFaultRate, SetDropRate and SetTimeScale change one knob.
func (s *Server) SetLatency(d time.Duration) { s.editKnobs(func(k *Knobs) { k.Latency = Duration(d) }) }
func (s *Server) SetFaultRate(p float64)     { s.editKnobs(func(k *Knobs) { k.FaultRate = clamp01(p) }) }
func (s *Server) SetDropRate(p float64)      { s.editKnobs(func(k *Knobs) { k.DropRate = clamp01(p) }) }
func (s *Server) SetTimeScale(x float64) {
	s.editKnobs(func(k *Knobs) {
		if x > 0 {
			k.TimeScale = x
		}
	})
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
