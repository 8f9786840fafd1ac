package faults

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/octostar/octostar/internal/octosim"
)

// Sim serves an octosim.Server on a fixed loopback address and can stop
// answering and come back on that address with the same world: the world
// lives in the octosim.Server value, which outlives the HTTP server. A
// real restart loses what was in flight and refuses connections while it
// is down; Stop and Start do the same.
type Sim struct {
	Server *octosim.Server
	URL    string
	addr   string
	log    *exchangeLog

	mu      sync.Mutex
	hs      *http.Server
	stops   []outage
	closing bool
	// onAnswer, when set, sees every exchange after its answer has been
	// flushed, in the handler's goroutine (see Run's restart trigger).
	onAnswer func(e exchange)
}

// outage is one Stop to Start.
type outage struct{ from, to time.Time }

// StartSim serves srv on a free loopback port.
func StartSim(srv *octosim.Server) (*Sim, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Sim{Server: srv, addr: ln.Addr().String(), log: &exchangeLog{}}
	s.URL = "http://" + s.addr
	s.serve(ln)
	return s, nil
}

func (s *Sim) serve(ln net.Listener) {
	hs := &http.Server{Handler: s.log.wrap(s.Server, s.answered), ReadHeaderTimeout: 30 * time.Second}
	s.mu.Lock()
	s.hs = hs
	s.mu.Unlock()
	go func() { _ = hs.Serve(ln) }()
}

// onEachAnswer sets f to see every exchange after its answer.
func (s *Sim) onEachAnswer(f func(e exchange)) {
	s.mu.Lock()
	s.onAnswer = f
	s.mu.Unlock()
}

func (s *Sim) answered(e exchange) {
	s.mu.Lock()
	f := s.onAnswer
	s.mu.Unlock()
	if f != nil {
		f(e)
	}
}

// Stop closes the listener and every open connection, idle or mid-request,
// as a server process that dies does. Requests being handled still run to
// the end inside the simulator (their writes happen), but their answers
// are lost. Connections are refused until Start.
func (s *Sim) Stop() {
	s.mu.Lock()
	hs := s.hs
	s.hs = nil
	if hs != nil {
		s.stops = append(s.stops, outage{from: time.Now()})
	}
	s.mu.Unlock()
	if hs != nil {
		_ = hs.Close()
	}
}

// Start serves again on the address the simulator had, retrying for a
// second while the old socket is released.
func (s *Sim) Start() error {
	s.mu.Lock()
	if s.hs != nil || s.closing {
		s.mu.Unlock()
		return nil
	}
	s.mu.Unlock()
	var ln net.Listener
	var err error
	for deadline := time.Now().Add(time.Second); ; time.Sleep(20 * time.Millisecond) {
		if ln, err = net.Listen("tcp", s.addr); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("restarting the simulator on %s: %w", s.addr, err)
	}
	s.mu.Lock()
	if n := len(s.stops); n > 0 {
		s.stops[n-1].to = time.Now()
	}
	s.mu.Unlock()
	s.serve(ln)
	return nil
}

// Restart stops the simulator, waits for down and starts it again.
func (s *Sim) Restart(down time.Duration) error {
	s.Stop()
	time.Sleep(down)
	return s.Start()
}

// Close stops serving for good and stops the simulator's task engine.
func (s *Sim) Close() {
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	s.Stop()
	_ = s.Server.Close()
}

// Outages lists the times the simulator was down.
func (s *Sim) outages() []outage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]outage(nil), s.stops...)
}

// exchange is one request as it reached the simulator: what was asked
// (with a digest of the body, so that two identical writes can be told
// from two different ones) and what became of the answer.
type exchange struct {
	start, end time.Time
	method     string
	path       string
	body       [sha256.Size]byte
	status     int
	// aborted: the simulator closed the connection instead of answering
	// (the ResetRate or DropRate knobs).
	aborted bool
}

func (e exchange) key() string { return fmt.Sprintf("%s %s %x", e.method, e.path, e.body[:8]) }

// exchangeLog is kept in front of the simulator. The simulator's own log
// (octosim.Stats) says which knob struck a request but not what the
// request carried; this one does, so that a write sent twice is seen.
type exchangeLog struct {
	mu  sync.Mutex
	all []exchange
}

func (l *exchangeLog) wrap(next http.Handler, answered func(exchange)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e := exchange{start: time.Now(), method: r.Method, path: r.URL.RequestURI()}
		if r.Body != nil {
			body, _ := io.ReadAll(r.Body)
			r.Body.Close()
			e.body = sha256.Sum256(body)
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		rw := &recordingWriter{ResponseWriter: w}
		next.ServeHTTP(rw, r)
		if !rw.hijacked {
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
		}
		e.end, e.status, e.aborted = time.Now(), rw.status, rw.hijacked
		if e.status == 0 && !e.aborted {
			e.status = http.StatusOK
		}
		l.mu.Lock()
		l.all = append(l.all, e)
		l.mu.Unlock()
		if answered != nil {
			answered(e)
		}
	})
}

func (l *exchangeLog) snapshot() []exchange {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]exchange(nil), l.all...)
}

// recordingWriter notes the status the simulator answered and whether it
// took the connection over to close it.
type recordingWriter struct {
	http.ResponseWriter
	status   int
	hijacked bool
}

func (w *recordingWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recordingWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *recordingWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack lets the simulator's reset and drop knobs close the connection.
func (w *recordingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("the connection cannot be taken over")
	}
	c, rw, err := hj.Hijack()
	if err == nil {
		w.hijacked = true
	}
	return c, rw, err
}

// retries counts the requests sent again after a failed attempt: a
// request identical (method, path and body) to an earlier one that got
// no usable answer, a 5xx, a closed connection, or an answer lost to a
// stop. Each failed attempt counts at most once. Attempts refused while
// the simulator was down never reach it and are not counted.
func retries(log []exchange, down []outage) int {
	// The log is written as answers end; retries follow arrivals.
	log = slices.Clone(log)
	slices.SortStableFunc(log, func(a, b exchange) int { return a.start.Compare(b.start) })
	failed := map[string]int{} // key -> failed attempts not yet followed by a retry
	n := 0
	for _, e := range log {
		k := e.key()
		if failed[k] > 0 {
			failed[k]--
			n++
		}
		if e.status >= 500 || e.aborted || lostToStop(e, down) {
			failed[k]++
		}
	}
	return n
}

// lostToStop reports whether a stop came while the request was handled,
// so its answer went nowhere.
func lostToStop(e exchange, down []outage) bool {
	for _, o := range down {
		if !e.start.After(o.from) && e.end.After(o.from) {
			return true
		}
	}
	return false
}
