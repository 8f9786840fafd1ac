package octosim

import (
	"log/slog"
	"time"
)

// config is everything options can set. Knob values are copied into the
// live knobs at start and on Reset.
type config struct {
	apiKey      string
	version     string
	randSeed    uint64
	clock       func() time.Time
	knobs       Knobs
	logSize     int
	taskCap     int
	logger      *slog.Logger
	installID   string
	defaultName string
	failures    []FailureRule
}

// Option configures a Server.
type Option func(*config)

// WithAPIKey fixes the administrator's API key (it must look like a real
// key, "API-" and uppercase letters or digits, or go-client refuses it).
// Without it a key is generated.
func WithAPIKey(key string) Option { return func(c *config) { c.apiKey = key } }

// WithVersion sets the server version the root document reports.
func WithVersion(v string) Option { return func(c *config) { c.version = v } }

// WithRandSeed makes generated IDs (step and phase GUIDs, snapshot
// suffixes) and injected faults repeatable.
func WithRandSeed(seed uint64) Option { return func(c *config) { c.randSeed = seed } }

// WithClock replaces time.Now, for tests that need fixed timestamps.
func WithClock(now func() time.Time) Option { return func(c *config) { c.clock = now } }

// WithLatency delays every API response by d.
func WithLatency(d time.Duration) Option { return func(c *config) { c.knobs.Latency = Duration(d) } }

// WithFaultRate makes that fraction (0..1) of API requests fail with a 500.
func WithFaultRate(p float64) Option { return func(c *config) { c.knobs.FaultRate = p } }

// WithUnavailableRate makes that fraction (0..1) of API requests fail
// with a 503 whose Retry-After header says retryAfter (whole seconds).
func WithUnavailableRate(p float64, retryAfter time.Duration) Option {
	return func(c *config) { c.knobs.UnavailableRate, c.knobs.UnavailableRetryAfter = p, Duration(retryAfter) }
}

// WithDropRate makes that fraction (0..1) of API requests end with the
// connection closed and no response.
func WithDropRate(p float64) Option { return func(c *config) { c.knobs.DropRate = p } }

// WithTimeScale sets the simulated-time speed (2 = twice as fast). The
// task engine reads it; the HTTP layer does not.
func WithTimeScale(x float64) Option { return func(c *config) { c.knobs.TimeScale = x } }

// WithTaskCap sets how many tasks run at once (Octopus's default is 5).
func WithTaskCap(n int) Option { return func(c *config) { c.taskCap = n } }

// WithRequestLogSize sets how many recent requests /_octosim/stats keeps.
func WithRequestLogSize(n int) Option { return func(c *config) { c.logSize = n } }

// WithLogger sends one line per request to l (no credentials are logged).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }
