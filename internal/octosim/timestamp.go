package octosim

import (
	"bytes"
	"fmt"
	"time"
)

// timeLayout is how Octopus writes timestamps: millisecond precision and an
// explicit offset ("2024-08-21T16:17:46.750+00:00"), never "Z".
const timeLayout = "2006-01-02T15:04:05.000-07:00"

// Timestamp is a time that marshals in Octopus's layout. Clients send the
// same layout back, or RFC 3339, so unmarshalling accepts both.
type Timestamp struct{ time.Time }

// ts wraps t in UTC as a *Timestamp, for the nullable fields Octopus uses.
func ts(t time.Time) *Timestamp { return &Timestamp{t.UTC()} }

// MarshalJSON writes the Octopus layout.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return []byte(`"` + t.UTC().Format(timeLayout) + `"`), nil
}

// UnmarshalJSON accepts the Octopus layout, RFC 3339 and null.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	if len(b) < 2 || b[0] != '"' {
		return fmt.Errorf("timestamp must be a string")
	}
	s := string(b[1 : len(b)-1])
	if s == "" {
		return nil
	}
	for _, layout := range []string{timeLayout, time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if v, err := time.Parse(layout, s); err == nil {
			t.Time = v
			return nil
		}
	}
	return fmt.Errorf("cannot parse %q as a timestamp", s)
}
