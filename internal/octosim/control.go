package octosim

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// The control endpoints live under /_octosim, outside Octopus's API, so
// that no Octopus client can hit them by accident. They need no API key
// (the sandbox listens on loopback) and are not affected by the knobs.
//
//	GET    /_octosim             index
//	GET    /_octosim/stats       counters per route template, request log, document counts
//	DELETE /_octosim/stats       clear counters and log
//	GET    /_octosim/knobs       current knobs
//	PUT    /_octosim/knobs       change knobs (fields not sent are kept)
//	POST   /_octosim/reset       rebuild the world from the seed
//	GET    /_octosim/failures    failure arrangements (and how often each fired)
//	POST   /_octosim/failures    add one (a FailureRule)
//	DELETE /_octosim/failures    remove them all
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimSuffix(r.URL.Path, "/")
	switch {
	case path == "/_octosim" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]any{"Links": map[string]string{
			"Stats": "/_octosim/stats", "Knobs": "/_octosim/knobs", "Reset": "/_octosim/reset",
			"Failures": "/_octosim/failures"}})
	case path == "/_octosim/failures":
		s.serveFailures(w, r)
	case path == "/_octosim/stats" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.Stats())
	case path == "/_octosim/stats" && r.Method == http.MethodDelete,
		path == "/_octosim/stats/reset" && r.Method == http.MethodPost:
		s.ResetStats()
		writeJSON(w, http.StatusOK, s.Stats())
	case path == "/_octosim/knobs" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.Knobs())
	case path == "/_octosim/knobs" && (r.Method == http.MethodPut || r.Method == http.MethodPost || r.Method == http.MethodPatch):
		k := s.Knobs()
		data, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err == nil {
			err = json.Unmarshal(data, &k)
		}
		if err == nil {
			err = s.SetKnobs(k)
		}
		if err != nil {
			ae := badRequest("%s", err.Error())
			writeJSON(w, ae.Status, ae.body())
			return
		}
		writeJSON(w, http.StatusOK, s.Knobs())
	case path == "/_octosim/reset" && r.Method == http.MethodPost:
		if err := s.Reset(); err != nil {
			ae := &apiError{Status: http.StatusInternalServerError, Message: err.Error()}
			writeJSON(w, ae.Status, ae.body())
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"Reset": true, "AdminApiKeyUnchanged": true})
	default:
		ae := noRoute()
		writeJSON(w, ae.Status, ae.body())
	}
}
