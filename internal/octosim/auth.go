package octosim

import (
	"net/http"
	"strings"
)

// principal is the caller: the user an API key (or token) belongs to.
type principal struct {
	user  *User
	keyID string
}

// credential extracts the presented secret: the X-Octopus-ApiKey header,
// the apikey query parameter, or a Bearer token. ok is false when the
// request carries none.
func credential(r *http.Request) (string, bool) {
	if k := strings.TrimSpace(r.Header.Get("X-Octopus-ApiKey")); k != "" {
		return k, true
	}
	for name, vs := range r.URL.Query() {
		if strings.EqualFold(name, "apikey") && len(vs) > 0 && vs[0] != "" {
			return vs[0], true
		}
	}
	if h := r.Header.Get("Authorization"); len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		return strings.TrimSpace(h[7:]), true
	}
	return "", false
}

// authenticate resolves the caller, or returns the 401 a real server sends.
// Bearer tokens are checked against the same key table: the simulator
// accepts any of a user's API keys as an access token.
func (s *Server) authenticate(r *http.Request) (*principal, error) {
	secret, ok := credential(r)
	if !ok {
		return nil, unauthorized(msgNoCredentials)
	}
	st := s.store()
	st.mu.RLock()
	defer st.mu.RUnlock()
	keyID, ok := st.keys[hashKey(secret)]
	if !ok {
		return nil, unauthorized(msgBadAPIKey)
	}
	key, ok := kAPIKeys.tab(st).get("", keyID)
	if !ok || (key.Expires != nil && !key.Expires.After(s.now())) {
		return nil, unauthorized(msgBadAPIKey)
	}
	u, ok := kUsers.tab(st).get("", key.UserID)
	if !ok || !u.IsActive {
		return nil, unauthorized(msgBadAPIKey)
	}
	return &principal{user: u, keyID: key.ID}, nil
}
