package octosim

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

const keyAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// apiKeyPattern is go-client's own check (IsAPIKey); keys that fail it are
// refused by the client before any request, so we never issue one.
var apiKeyPattern = regexp.MustCompile(`^(API-)([A-Z\d])+$`)

// NewAPIKey returns a fresh key in the real format: "API-" and 26 uppercase
// letters or digits, from crypto/rand because keys are credentials.
func NewAPIKey() string {
	b := make([]byte, 26)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = keyAlphabet[int(b[i])%len(keyAlphabet)]
	}
	return "API-" + string(b)
}

// hashKey is how keys are held: the store never keeps a key's value, so a
// dump of it cannot leak credentials.
func hashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// slugify makes an Octopus-style slug: lower case, runs of anything else
// collapsed to one dash.
func slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// guid makes a version-4 style UUID from the store's seeded generator, so a
// seeded world gets the same step and phase IDs every time.
func guid(r *mrand.Rand) string {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// suffix is the random tail of snapshot IDs ("...-s-1-QXLY2").
func suffix(r *mrand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = keyAlphabet[r.IntN(26)]
	}
	return string(b)
}

// idNumber extracts N from "Prefix-N" for ordering; 0 when absent.
func idNumber(id string) int {
	i := strings.LastIndexByte(id, '-')
	if i < 0 {
		return 0
	}
	n, _ := strconv.Atoi(id[i+1:])
	return n
}

// lessID orders IDs by prefix, then numerically, so Projects-10 follows Projects-9.
func lessID(a, b string) bool {
	na, nb := idNumber(a), idNumber(b)
	pa, pb := strings.TrimSuffix(a, strconv.Itoa(na)), strings.TrimSuffix(b, strconv.Itoa(nb))
	if pa != pb {
		return pa < pb
	}
	return na < nb
}

// lessName orders by name case-insensitively, ties by ID.
func lessName(an, aid, bn, bid string) bool {
	la, lb := strings.ToLower(an), strings.ToLower(bn)
	if la != lb {
		return la < lb
	}
	return lessID(aid, bid)
}
