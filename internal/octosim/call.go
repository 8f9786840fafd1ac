package octosim

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// noBody answers with a status and Content-Length: 0 (deletes).
type noBody struct{}

// rawBody answers with a non-JSON body, such as a task's raw log.
type rawBody struct {
	ContentType string
	Data        []byte
}

// maxBody caps request bodies; package uploads are the largest thing sent.
const maxBody = 64 << 20

// call is one request on its way through the simulator.
type call struct {
	s       *Server
	w       http.ResponseWriter
	r       *http.Request
	route   *route
	params  map[string]string
	spaceID string
	who     *principal
	now     time.Time
}

// param returns a path parameter ("id", "projectId", ...).
func (c *call) param(name string) string { return c.params[name] }

// listQuery parses the paging and filter parameters.
func (c *call) listQuery() (listQuery, error) { return parseListQuery(c.r.URL.Query()) }

// decode reads a JSON body into v. encoding/json matches field names
// case-insensitively, as .NET does, so camelCase bodies (go-client's v1
// commands) land in PascalCase fields; chunked bodies are decoded by
// net/http before we see them.
func (c *call) decode(v any) error {
	data, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, maxBody))
	if err != nil {
		return badRequest("The request body could not be read.")
	}
	if len(strings.TrimSpace(string(data))) == 0 || string(data) == "null" {
		return badRequest("No request body was supplied.")
	}
	if err := json.Unmarshal(data, v); err != nil {
		return badRequest("The request body could not be parsed as JSON: %s", jsonProblem(err))
	}
	return nil
}

// jsonProblem describes a JSON error without echoing the body back.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return "syntax error at offset " + strconv.FormatInt(se.Offset, 10)
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "(root)"
		}
		return "the value for " + field + " must be " + jsonKindName(te.Type.Kind().String())
	default:
		return "malformed JSON"
	}
}

func jsonKindName(k string) string {
	switch k {
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	default:
		return "a number"
	}
}

// read runs fn under the store's read lock.
func (c *call) read(fn func(o *op) (int, any, error)) (int, any, error) {
	st := c.s.store()
	st.mu.RLock()
	defer st.mu.RUnlock()
	return fn(c.op(st))
}

// write runs fn under the store's write lock.
func (c *call) write(fn func(o *op) (int, any, error)) (int, any, error) {
	st := c.s.store()
	st.mu.Lock()
	defer st.mu.Unlock()
	st.version++
	return fn(c.op(st))
}

func (c *call) op(st *Store) *op {
	return &op{s: c.s, st: st, who: c.who, spaceID: c.spaceID, now: c.now}
}

// respond encodes a handler's result.
func (c *call) respond(status int, body any, err error) int {
	if err != nil {
		ae := asAPIError(err)
		writeJSON(c.w, ae.Status, ae.body())
		return ae.Status
	}
	switch b := body.(type) {
	case noBody:
		c.w.Header().Set("Content-Length", "0")
		c.w.WriteHeader(status)
	case rawBody:
		c.w.Header().Set("Content-Type", b.ContentType)
		c.w.Header().Set("Content-Length", strconv.Itoa(len(b.Data)))
		c.w.WriteHeader(status)
		_, _ = c.w.Write(b.Data)
	default:
		writeJSON(c.w, status, body)
	}
	return status
}

// writeJSON sends a JSON body with a Content-Length (go-client's newclient
// treats a response without one as "no content").
func writeJSON(w http.ResponseWriter, status int, body any) {
	data, err := json.Marshal(body)
	if err != nil {
		status = http.StatusInternalServerError
		data, _ = json.Marshal(serverFault().body())
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	_, _ = w.Write(data)
}
