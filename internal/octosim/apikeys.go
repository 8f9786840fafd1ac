package octosim

import (
	"net/http"
)

var kAPIKeys = &kind[*APIKey]{}

func init() {
	*kAPIKeys = kind[*APIKey]{
		Name: "ApiKeys", Segment: "apikeys", ItemType: "ApiKey", IDPrefix: "apikeys", System: true,
		New: func() *APIKey { return &APIKey{} },
		// Newest first, as go-client's GetByUserID documents.
		Less: func(a, b *APIKey) bool {
			if !a.Created.Equal(b.Created.Time) {
				return a.Created.After(b.Created.Time)
			}
			return a.ID > b.ID
		},
		Links: func(k *APIKey) map[string]string {
			return map[string]string{"Self": "/api/users/" + k.UserID + "/apikeys/" + k.ID,
				"User": "/api/users/" + k.UserID}
		},
	}
	defineKind(kAPIKeys)
}

func init() {
	base := "/api/users/{userId}/apikeys"
	addRoutes(
		routeSpec{Method: http.MethodGet, Pattern: base, Handler: listAPIKeys},
		routeSpec{Method: http.MethodPost, Pattern: base, Handler: postAPIKey},
		routeSpec{Method: http.MethodGet, Pattern: base + "/{id}", Handler: getAPIKey},
		routeSpec{Method: http.MethodDelete, Pattern: base + "/{id}", Handler: deleteAPIKey},
	)
}

// createAPIKey issues a key for a user and returns the document with the
// key's value in ApiKey (the only time it is shown). value is "" from the
// API; the seed may fix it so that scripts know their keys in advance.
func createAPIKey(o *op, userID, purpose, value string, expires *Timestamp) (*APIKey, error) {
	u, ok := kUsers.tab(o.st).get("", userID)
	if !ok {
		return nil, notFound(userID)
	}
	if !isSelf(o, u.ID) {
		if err := o.require(UserEdit, Scope{}); err != nil {
			return nil, err
		}
	}
	if purpose == "" {
		return nil, badRequest("Please provide a purpose for the API key.")
	}
	if value == "" {
		value = NewAPIKey()
	}
	if !apiKeyPattern.MatchString(value) {
		return nil, badRequest("An API key must be \"API-\" followed by uppercase letters and digits.")
	}
	h := hashKey(value)
	if _, taken := o.st.keys[h]; taken {
		return nil, badRequest("That API key is already in use.")
	}
	if expires != nil && !expires.After(o.now) {
		return nil, badRequest("The expiry date of an API key must be in the future.")
	}
	k := &APIKey{Meta: Meta{ID: "apikeys-" + guid(o.st.rng)}, Purpose: purpose, UserID: u.ID, Created: ts(o.now),
		Expires: expires, APIKey: maskedKey{HasValue: true}, hash: h}
	kAPIKeys.save(o, k)
	o.st.keys[h] = k.ID
	shown := *k
	shown.APIKey = value
	return &shown, nil
}

func deleteAPIKeyDoc(o *op, k *APIKey) {
	delete(o.st.keys, k.hash)
	kAPIKeys.tab(o.st).del("", k.ID)
}

// keyOwner checks the caller may manage the user's keys: its own, or any
// with UserEdit.
func keyOwner(o *op, userID string) (*User, error) {
	u, ok := kUsers.tab(o.st).get("", userID)
	if isSelf(o, userID) {
		u, ok = kUsers.tab(o.st).get("", o.who.user.ID)
	}
	if !ok {
		return nil, notFound(userID)
	}
	if !isSelf(o, u.ID) {
		if err := o.require(UserEdit, Scope{}); err != nil {
			return nil, err
		}
	}
	return u, nil
}

func listAPIKeys(c *call) (int, any, error) {
	q, err := c.listQuery()
	if err != nil {
		return 0, nil, err
	}
	return c.read(func(o *op) (int, any, error) {
		u, err := keyOwner(o, c.param("userId"))
		if err != nil {
			return 0, nil, err
		}
		var mine []*APIKey
		for _, k := range kAPIKeys.all(o) {
			if sameSpace(k.UserID, u.ID) && q.matchID(k.ID) {
				mine = append(mine, k)
			}
		}
		tmpl := "/api/users/" + u.ID + "/apikeys{/id}{?skip,take}"
		return http.StatusOK, paginate(mine, q, "ApiKey", c.r.URL.Path, tmpl), nil
	})
}

// apiKeyInput is the create body.
type apiKeyInput struct {
	Purpose string     `json:"Purpose"`
	Expires *Timestamp `json:"Expires"`
}

func postAPIKey(c *call) (int, any, error) {
	in := &apiKeyInput{}
	if err := c.decode(in); err != nil {
		return 0, nil, err
	}
	return c.write(func(o *op) (int, any, error) {
		u, err := keyOwner(o, c.param("userId"))
		if err != nil {
			return 0, nil, err
		}
		k, err := createAPIKey(o, u.ID, in.Purpose, "", in.Expires)
		return http.StatusCreated, k, err
	})
}

func getAPIKey(c *call) (int, any, error) {
	return c.read(func(o *op) (int, any, error) {
		u, err := keyOwner(o, c.param("userId"))
		if err != nil {
			return 0, nil, err
		}
		k, ok := kAPIKeys.get(o, c.param("id"))
		if !ok || !sameSpace(k.UserID, u.ID) {
			return 0, nil, notFound(c.param("id"))
		}
		return http.StatusOK, k, nil
	})
}

func deleteAPIKey(c *call) (int, any, error) {
	return c.write(func(o *op) (int, any, error) {
		u, err := keyOwner(o, c.param("userId"))
		if err != nil {
			return 0, nil, err
		}
		k, ok := kAPIKeys.get(o, c.param("id"))
		if !ok || !sameSpace(k.UserID, u.ID) {
			return 0, nil, notFound(c.param("id"))
		}
		deleteAPIKeyDoc(o, k)
		return http.StatusOK, noBody{}, nil
	})
}
