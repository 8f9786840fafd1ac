package octosim

import (
	"context"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Server is the simulated Octopus Server: an http.Handler over an in-memory
// world built from a seed.
type Server struct {
	cfg  config
	seed *Seed
	rt   *router
	rec  *recorder

	world atomic.Pointer[Store]
	// resetMu serialises Reset with itself.
	resetMu sync.Mutex

	knobMu sync.RWMutex
	knobs  Knobs

	randMu sync.Mutex
	rand   *mrand.Rand

	adminKey string
	eng      *engine

	httpMu      sync.Mutex
	httpServers []*http.Server
}

// New builds a server whose world is the seed (nil for an empty world with
// a "Default" space) applied through the API's own code paths.
func New(seed *Seed, opts ...Option) (*Server, error) {
	cfg := config{version: "2025.3.0", randSeed: 1, clock: time.Now, taskCap: 5, logSize: 1000,
		defaultName: "Default"}
	cfg.knobs.TimeScale = 1
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.knobs.TimeScale == 0 {
		cfg.knobs.TimeScale = 1
	}
	if err := cfg.knobs.validate(); err != nil {
		return nil, fmt.Errorf("octosim: %w", err)
	}
	if cfg.apiKey == "" && seed != nil && seed.AdminAPIKey != "" {
		if !apiKeyPattern.MatchString(seed.AdminAPIKey) {
			// The key is not quoted back: a typo may be one letter off a real key.
			return nil, errors.New("seed: adminApiKey: must be \"API-\" followed by uppercase letters or digits")
		}
		cfg.apiKey = seed.AdminAPIKey
	}
	if cfg.apiKey == "" {
		cfg.apiKey = NewAPIKey()
	}
	if !apiKeyPattern.MatchString(cfg.apiKey) {
		return nil, errors.New("octosim: the administrator API key must be \"API-\" followed by uppercase letters or digits")
	}
	if cfg.installID == "" {
		r := mrand.New(mrand.NewPCG(cfg.randSeed, 7))
		cfg.installID = guid(r)
	}
	s := &Server{
		cfg:      cfg,
		seed:     seed,
		rt:       compileRoutes(routeRegistry),
		rec:      newRecorder(cfg.logSize),
		knobs:    cfg.knobs,
		rand:     mrand.New(mrand.NewPCG(cfg.randSeed, cfg.randSeed+1)),
		adminKey: cfg.apiKey,
	}
	s.eng = newEngine(s)
	st, err := s.buildWorld()
	if err != nil {
		return nil, err
	}
	s.world.Store(st)
	return s, nil
}

func (s *Server) store() *Store  { return s.world.Load() }
func (s *Server) now() time.Time { return s.cfg.clock().UTC() }

// AdminAPIKey is the administrator's key (given with WithAPIKey or in the
// seed, or generated).
func (s *Server) AdminAPIKey() string { return s.adminKey }

// TaskCap is the number of tasks that may run at once.
func (s *Server) TaskCap() int { return s.cfg.taskCap }

// DefaultSpaceID is the ID of the space marked IsDefault ("" if none).
func (s *Server) DefaultSpaceID() string {
	st := s.store()
	st.mu.RLock()
	defer st.mu.RUnlock()
	if sp := defaultSpace(st); sp != nil {
		return sp.ID
	}
	return ""
}

// Reset rebuilds the world from the seed, as at start. Counters and the
// request log are cleared too; knobs go back to their starting values.
func (s *Server) Reset() error {
	s.resetMu.Lock()
	defer s.resetMu.Unlock()
	st, err := s.buildWorld()
	if err != nil {
		return err
	}
	s.world.Store(st)
	s.rec.reset()
	s.knobMu.Lock()
	s.knobs = s.cfg.knobs
	s.knobMu.Unlock()
	return nil
}

// Serve answers HTTP on ln until Close. It returns http.ErrServerClosed
// after Close, like http.Server.Serve.
func (s *Server) Serve(ln net.Listener) error {
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 30 * time.Second}
	s.httpMu.Lock()
	s.httpServers = append(s.httpServers, hs)
	s.httpMu.Unlock()
	return hs.Serve(ln)
}

// Close stops every Serve loop, letting in-flight requests finish for up
// to five seconds, and stops the task engine (running tasks stay as they
// are).
func (s *Server) Close() error {
	defer s.eng.close()
	s.httpMu.Lock()
	servers := s.httpServers
	s.httpServers = nil
	s.httpMu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var first error
	for _, hs := range servers {
		if err := hs.Shutdown(ctx); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// ServeHTTP routes a request: /_octosim/ to the control endpoints, the rest
// through knobs, authentication, space resolution and the endpoint.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if strings.HasPrefix(r.URL.Path, "/_octosim") {
		s.serveControl(w, r)
		return
	}
	entry := LoggedRequest{Time: ts(s.now()), Method: r.Method, Path: loggablePath(r.URL), Route: unmatchedRoute}
	defer func() {
		entry.DurationMs = since(start)
		s.rec.record(entry)
		if s.cfg.logger != nil {
			s.cfg.logger.Info("octosim", "method", entry.Method, "path", entry.Path, "route", entry.Route,
				"status", entry.Status, "ms", entry.DurationMs, "injected", entry.Injected)
		}
	}()

	rt, params, otherMethod := s.rt.match(r.Method, r.URL.EscapedPath())
	if rt != nil {
		entry.Route = rt.pattern
	}

	k := s.Knobs()
	if k.DropRate > 0 && s.roll() < k.DropRate {
		entry.inject("drop")
		dropConnection(w)
		return
	}
	delay := time.Duration(k.Latency)
	if k.SpikeRate > 0 && k.SpikeLatency > 0 && s.roll() < k.SpikeRate {
		entry.inject("spike")
		delay += time.Duration(k.SpikeLatency)
	}
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
		}
	}
	if k.UnavailableRate > 0 && s.roll() < k.UnavailableRate {
		entry.inject("unavailable")
		w.Header().Set("Retry-After", strconv.Itoa(int(time.Duration(k.UnavailableRetryAfter).Seconds())))
		ae := &apiError{Status: http.StatusServiceUnavailable, Message: "The server is temporarily unable to service your request. Please try again later."}
		writeJSON(w, ae.Status, ae.body())
		entry.Status = ae.Status
		return
	}
	if k.FaultRate > 0 && s.roll() < k.FaultRate {
		entry.inject("fault")
		ae := serverFault()
		writeJSON(w, ae.Status, ae.body())
		entry.Status = ae.Status
		return
	}

	if k.ResetRate > 0 && s.roll() < k.ResetRate {
		// The request is processed in full; only its answer is lost.
		entry.inject("reset")
		orig := w
		w = &discardWriter{header: http.Header{}}
		defer resetConnection(orig)
	}

	c := &call{s: s, w: w, r: r, route: rt, params: params, now: s.now()}
	switch {
	case rt == nil && otherMethod:
		entry.Status = c.respond(0, nil, methodNotAllowed(r.Method))
		return
	case rt == nil:
		entry.Status = c.respond(0, nil, noRoute())
		return
	}
	if !rt.anon {
		who, err := s.authenticate(r)
		if err != nil {
			entry.Status = c.respond(0, nil, err)
			return
		}
		c.who = who
	}
	if err := s.resolveSpace(c); err != nil {
		entry.Status = c.respond(0, nil, err)
		return
	}
	status, body, err := s.invoke(c)
	entry.Status = c.respond(status, body, err)
}

// invoke runs the endpoint, turning a panic into the 500 a real server
// gives for an unhandled fault.
func (s *Server) invoke(c *call) (status int, body any, err error) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			if s.cfg.logger != nil {
				s.cfg.logger.Error("octosim: endpoint panic", "route", c.route.pattern, "panic", fmt.Sprint(p))
			}
			status, body, err = 0, nil, serverFault()
		}
	}()
	return c.route.h(c)
}

// resolveSpace finds the space a space route addresses.
func (s *Server) resolveSpace(c *call) error {
	if c.route.space == spaceNone {
		return nil
	}
	st := s.store()
	st.mu.RLock()
	defer st.mu.RUnlock()
	var sp *Space
	switch c.route.space {
	case spaceFromID:
		sp, _ = kSpaces.tab(st).get("", c.param("spaceId"))
	case spaceFromAlias:
		sp = findSpace(st, c.param("spaceId"))
	case spaceFromDefault:
		sp = defaultSpace(st)
		if sp == nil {
			return noRoute()
		}
	}
	if sp == nil {
		return notFound(c.param("spaceId"))
	}
	c.spaceID = sp.ID
	return nil
}

// discardWriter takes the answer of a request whose connection is to be
// reset.
type discardWriter struct{ header http.Header }

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}

// resetConnection aborts the connection with a TCP reset (no linger), so
// that the client reads "connection reset by peer" instead of an orderly
// end of stream, as when a server process dies or a proxy gives up
// mid-response.
func resetConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// inject records a knob that changed the request's outcome; several are
// joined with "+" ("spike+fault").
func (e *LoggedRequest) inject(name string) {
	if e.Injected != "" {
		name = e.Injected + "+" + name
	}
	e.Injected = name
}

// dropConnection closes the connection without answering, as a crashed
// server or a broken proxy would.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}
