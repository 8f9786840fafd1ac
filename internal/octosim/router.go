package octosim

import (
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// handler answers one request. It returns the status and the body to encode
// (a *Page, a document, noBody{} or rawBody), or an error (an *apiError, or
// anything else, which becomes a 500).
type handler func(c *call) (int, any, error)

// routeSpec is how files declare endpoints (see addRoutes). A pattern that
// starts with "/api/{spaceId}/" also gets the two aliases real servers have:
// "/api/spaces/{spaceId}/..." and the unscoped "/api/...", which targets the
// default space.
type routeSpec struct {
	Method  string
	Pattern string
	Handler handler
	// Anonymous routes need no API key (the API root).
	Anonymous bool
	// NoAliases keeps a space pattern from gaining its aliases.
	NoAliases bool
}

var routeRegistry []routeSpec

// addRoutes registers endpoints; call it from an init func in the file that
// implements them. Matching prefers the pattern with the most literal
// segments, so registration order does not matter.
func addRoutes(rs ...routeSpec) { routeRegistry = append(routeRegistry, rs...) }

// spaceSource says where a route finds its space.
type spaceSource int

const (
	spaceNone        spaceSource = iota // system route
	spaceFromID                         // /api/{spaceId}/...
	spaceFromAlias                      // /api/spaces/{spaceId}/..., ID or name
	spaceFromDefault                    // /api/... alias of a space route
)

type segment struct {
	lit   string // lower case literal, or "" for a parameter
	param string
}

type route struct {
	method   string
	pattern  string // the template, e.g. /api/{spaceId}/projects/{id}; stats key
	segs     []segment
	literals int
	h        handler
	anon     bool
	space    spaceSource
	order    int
}

type router struct {
	bySegs map[int][]*route
}

var spaceIDPattern = regexp.MustCompile(`(?i)^spaces-\d+$`)

func compileRoutes(specs []routeSpec) *router {
	seen := map[string]bool{}
	var all []*route
	add := func(method, pattern string, h handler, anon bool, src spaceSource) {
		key := method + " " + strings.ToLower(pattern)
		if seen[key] {
			return
		}
		seen[key] = true
		r := &route{method: method, pattern: pattern, h: h, anon: anon, space: src, order: len(all)}
		for _, p := range splitPath(pattern) {
			if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
				r.segs = append(r.segs, segment{param: p[1 : len(p)-1]})
			} else {
				r.segs = append(r.segs, segment{lit: strings.ToLower(p)})
				r.literals++
			}
		}
		all = append(all, r)
	}
	// Declared patterns first, so that an explicit route wins over an alias
	// generated from a space route with the same shape.
	for _, s := range specs {
		src := spaceNone
		if strings.HasPrefix(s.Pattern, "/api/{spaceId}") {
			src = spaceFromID
		}
		add(s.Method, s.Pattern, s.Handler, s.Anonymous, src)
	}
	for _, s := range specs {
		if s.NoAliases || !strings.HasPrefix(s.Pattern, "/api/{spaceId}/") {
			continue
		}
		rest := strings.TrimPrefix(s.Pattern, "/api/{spaceId}/")
		add(s.Method, "/api/spaces/{spaceId}/"+rest, s.Handler, s.Anonymous, spaceFromAlias)
		add(s.Method, "/api/"+rest, s.Handler, s.Anonymous, spaceFromDefault)
	}
	rt := &router{bySegs: map[int][]*route{}}
	for _, r := range all {
		rt.bySegs[len(r.segs)] = append(rt.bySegs[len(r.segs)], r)
	}
	for _, rs := range rt.bySegs {
		sort.SliceStable(rs, func(i, j int) bool {
			if rs[i].literals != rs[j].literals {
				return rs[i].literals > rs[j].literals
			}
			return rs[i].order < rs[j].order
		})
	}
	return rt
}

// splitPath splits a path into unescaped segments, ignoring empty ones, so
// "/api/" and "/api" are the same route.
func splitPath(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s == "" {
			continue
		}
		if u, err := url.PathUnescape(s); err == nil {
			s = u
		}
		out = append(out, s)
	}
	return out
}

// match finds the route for a method and escaped path. When the path exists
// under other methods only, it reports that (for a 405).
func (rt *router) match(method, escapedPath string) (r *route, params map[string]string, otherMethod bool) {
	segs := splitPath(escapedPath)
	for _, cand := range rt.bySegs[len(segs)] {
		p, ok := cand.matchSegs(segs)
		if !ok {
			continue
		}
		if cand.method != method {
			otherMethod = true
			continue
		}
		return cand, p, false
	}
	return nil, nil, otherMethod
}

func (r *route) matchSegs(segs []string) (map[string]string, bool) {
	var params map[string]string
	for i, s := range r.segs {
		if s.param == "" {
			if !strings.EqualFold(s.lit, segs[i]) {
				return nil, false
			}
			continue
		}
		if s.param == "spaceId" && r.space == spaceFromID && !spaceIDPattern.MatchString(segs[i]) {
			return nil, false
		}
		if params == nil {
			params = map[string]string{}
		}
		params[s.param] = segs[i]
	}
	return params, true
}
