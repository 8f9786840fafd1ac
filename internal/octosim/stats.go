package octosim

import (
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// RouteStats counts the requests one route template served.
type RouteStats struct {
	Count    int            `json:"Count"`
	ByStatus map[string]int `json:"ByStatus"`
}

// LoggedRequest is one entry of the request log. It never holds headers or
// the apikey parameter, so no credential is ever recorded.
type LoggedRequest struct {
	Time       *Timestamp `json:"Time"`
	Method     string     `json:"Method"`
	Path       string     `json:"Path"`
	Route      string     `json:"Route"`
	Status     int        `json:"Status"`
	DurationMs float64    `json:"DurationMs"`
	// Injected names the knobs that changed the outcome, joined by "+":
	// "fault", "unavailable", "drop", "reset", "spike" ("spike+fault").
	Injected string `json:"Injected,omitempty"`
}

// Stats is what /_octosim/stats returns.
type Stats struct {
	Requests int                    `json:"Requests"`
	Routes   map[string]*RouteStats `json:"Routes"`
	Log      []LoggedRequest        `json:"Log"`
	// Documents counts the world's documents by kind.
	Documents map[string]int `json:"Documents,omitempty"`
}

// recorder keeps per-route counters, keyed by route template such as
// "GET /api/{spaceId}/projects/{id}", and a ring of recent requests.
type recorder struct {
	mu     sync.Mutex
	total  int
	routes map[string]*RouteStats
	ring   []LoggedRequest
	next   int
	full   bool
}

func newRecorder(size int) *recorder {
	if size <= 0 {
		size = 1000
	}
	return &recorder{routes: map[string]*RouteStats{}, ring: make([]LoggedRequest, size)}
}

// unmatchedRoute is the key for requests no route served.
const unmatchedRoute = "(unmatched)"

func (r *recorder) record(e LoggedRequest) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.total++
	key := e.Method + " " + e.Route
	rs := r.routes[key]
	if rs == nil {
		rs = &RouteStats{ByStatus: map[string]int{}}
		r.routes[key] = rs
	}
	rs.Count++
	rs.ByStatus[statusKey(e.Status)]++
	r.ring[r.next] = e
	r.next = (r.next + 1) % len(r.ring)
	if r.next == 0 {
		r.full = true
	}
}

func statusKey(status int) string {
	if status == 0 {
		return "dropped"
	}
	return itoa(status)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

func (r *recorder) snapshot() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := Stats{Requests: r.total, Routes: map[string]*RouteStats{}}
	for k, v := range r.routes {
		c := &RouteStats{Count: v.Count, ByStatus: map[string]int{}}
		for s, n := range v.ByStatus {
			c.ByStatus[s] = n
		}
		out.Routes[k] = c
	}
	if r.full {
		out.Log = append(out.Log, r.ring[r.next:]...)
	}
	out.Log = append(out.Log, r.ring[:r.next]...)
	if out.Log == nil {
		out.Log = []LoggedRequest{}
	}
	return out
}

func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.total = 0
	r.routes = map[string]*RouteStats{}
	r.ring = make([]LoggedRequest, len(r.ring))
	r.next, r.full = 0, false
}

// loggablePath is the request path and query without any apikey parameter.
func loggablePath(u *url.URL) string {
	q := u.Query()
	for k := range q {
		if strings.EqualFold(k, "apikey") {
			q.Del(k)
		}
	}
	if len(q) == 0 {
		return u.Path
	}
	return u.Path + "?" + encodeSorted(q)
}

// Stats returns the per-route counters, the request log and document counts.
func (s *Server) Stats() Stats {
	out := s.rec.snapshot()
	st := s.store()
	out.Documents = map[string]int{}
	names := make([]string, 0, len(tableRegistry))
	for _, k := range tableRegistry {
		names = append(names, k.kindName())
	}
	sort.Strings(names)
	for _, n := range names {
		if c := st.Count(n); c > 0 {
			out.Documents[n] = c
		}
	}
	return out
}

// ResetStats clears counters and the request log.
func (s *Server) ResetStats() { s.rec.reset() }

func since(start time.Time) float64 { return float64(time.Since(start).Microseconds()) / 1000 }
