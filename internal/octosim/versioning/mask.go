package versioning

import (
	"fmt"
	"strconv"
	"strings"
)

// A mask is a version in which numeric parts may be "i" (increment) or
// "c" (current), and whose pre-release and metadata identifiers may be "i"
// or "c" too: "1.2.i", "2.1.c.i", "1.i-beta.i", "1.2.c-alpha.i+build.i".
//
// Applying a mask to a current version (Octopus's rules, from its
// OctopusVersionMask):
//   - a numeric part "i" is the current part + 1, "c" the current part, a
//     number is itself; absent current parts count as 0;
//   - an "i" or "c" part directly after a part written "i" becomes 0
//     (1.i.c on 1.1.5 gives 1.2.0), but only the part directly after:
//     i.c.c on 1.2.3 gives 2.0.3;
//   - where the mask stops, the part right after its last part is 0 if the
//     current version has that part (1.i on 1.1.5 gives 1.2.0), and parts
//     beyond it are dropped (1.i on 1.1.5.7 gives 1.2.0);
//   - a mask pre-release replaces the current one; its identifiers "i" and
//     "c" take the current pre-release's identifier at the same position as
//     a number (non-numeric or missing: 0), plus 1 for "i"; an "i" or "c"
//     identifier right after an "i" identifier becomes 0 when the
//     pre-release ends in ".i" or ".c". 2.19.i-channel on 2.19.30-baz gives
//     2.19.31-channel; 1.2.c-alpha.i on 1.2.3-alpha.4 gives 1.2.3-alpha.5;
//   - build metadata follows the pre-release rules, against the current
//     metadata; a mask without a pre-release (or metadata) drops the
//     current one;
//   - with no current version every "i" and "c" is 0 (1.2.i gives 1.2.0).
type mask struct {
	parts []string // 1..4 items: digits, "i" or "c"
	pre   []string // nil if none
	meta  []string // nil if none
}

const (
	maskIncrement = "i"
	maskCurrent   = "c"
)

func isSubstitute(s string) bool { return s == maskIncrement || s == maskCurrent }

// parseMask parses s as a mask; ok is false if it is not of mask form.
// It accepts plain versions too (a mask with no substitutes).
func parseMask(s string) (m mask, ok bool) {
	t := strings.TrimSpace(s)
	if t == "" || strings.IndexFunc(t, isSpace) >= 0 {
		return mask{}, false
	}
	if i := strings.IndexByte(t, '+'); i >= 0 {
		if checkIdentifiers(t[i+1:], "") != "" {
			return mask{}, false
		}
		m.meta = strings.Split(t[i+1:], ".")
		t = t[:i]
	}
	if i := strings.IndexByte(t, '-'); i >= 0 {
		if checkIdentifiers(t[i+1:], "") != "" {
			return mask{}, false
		}
		m.pre = strings.Split(t[i+1:], ".")
		t = t[:i]
	}
	m.parts = strings.Split(t, ".")
	if len(m.parts) > 4 {
		return mask{}, false
	}
	for _, p := range m.parts {
		if !isSubstitute(p) && !allDigits(p) {
			return mask{}, false
		}
		if allDigits(p) {
			if x, err := strconv.ParseUint(p, 10, 32); err != nil || x > maxPart {
				return mask{}, false
			}
		}
	}
	return m, true
}

func endsWithSubstitute(ids []string) bool {
	return len(ids) > 1 && isSubstitute(ids[len(ids)-1])
}

// isMask: some numeric part is i/c, or the pre-release or metadata ends in .i/.c.
func (m mask) isMask() bool {
	for _, p := range m.parts {
		if isSubstitute(p) {
			return true
		}
	}
	return endsWithSubstitute(m.pre) || endsWithSubstitute(m.meta)
}

// IsMask reports whether s is a version mask: of version form, with a
// numeric part "i" or "c", or a pre-release or metadata ending in ".i" or
// ".c". "1.2.3-i" is not a mask (it is the version with pre-release "i").
func IsMask(s string) bool {
	m, ok := parseMask(s)
	return ok && m.isMask()
}

// ApplyMask applies mask to the current version (see the rules above
// type mask) and returns the resulting version text. current "" means
// there is no current version. A maskText that is not a mask is returned
// as is if it is a valid version. Errors: maskText is neither a mask nor a
// version; current is not a version; the result is not a valid version
// (a part beyond 2147483647).
func ApplyMask(maskText, current string) (string, error) {
	m, ok := parseMask(maskText)
	if !ok || !m.isMask() {
		v, err := Parse(maskText)
		if err != nil {
			return "", fmt.Errorf("%q is neither a version mask nor a version: %w", maskText, err)
		}
		return v.String(), nil
	}
	var out string
	if strings.TrimSpace(current) == "" {
		out = m.fromNothing()
	} else {
		cur, err := Parse(current)
		if err != nil {
			return "", fmt.Errorf("applying mask %q: current version: %w", maskText, err)
		}
		out = m.fromCurrent(cur)
	}
	if _, err := Parse(out); err != nil {
		return "", fmt.Errorf("applying mask %q to %q: %w", maskText, current, err)
	}
	return out, nil
}

func (m mask) fromNothing() string {
	var b strings.Builder
	for i, p := range m.parts {
		if i > 0 {
			b.WriteByte('.')
		}
		if isSubstitute(p) {
			p = "0"
		}
		b.WriteString(p)
	}
	writeIDs := func(sep byte, ids []string) {
		if ids == nil {
			return
		}
		b.WriteByte(sep)
		for i, id := range ids {
			if i > 0 {
				b.WriteByte('.')
			}
			if isSubstitute(id) {
				id = "0"
			}
			b.WriteString(id)
		}
	}
	writeIDs('-', m.pre)
	writeIDs('+', m.meta)
	return b.String()
}

func (m mask) fromCurrent(cur Version) string {
	var b strings.Builder
	b.WriteString(substitutePart(m.parts[0], uint64(cur.parts[0])))
	for k := 1; k < 4; k++ {
		switch {
		case k < len(m.parts):
			b.WriteByte('.')
			if m.parts[k-1] == maskIncrement && isSubstitute(m.parts[k]) {
				b.WriteByte('0')
			} else {
				b.WriteString(substitutePart(m.parts[k], uint64(cur.parts[k])))
			}
		case k == len(m.parts) && k < cur.nparts:
			b.WriteString(".0")
		}
	}
	if m.pre != nil {
		b.WriteByte('-')
		b.WriteString(substituteIDs(m.pre, cur.labels))
	}
	if m.meta != nil {
		var curMeta []string
		if cur.meta != "" {
			curMeta = strings.Split(cur.meta, ".")
		}
		b.WriteByte('+')
		b.WriteString(substituteIDs(m.meta, curMeta))
	}
	return b.String()
}

func substitutePart(p string, cur uint64) string {
	switch p {
	case maskIncrement:
		return strconv.FormatUint(cur+1, 10)
	case maskCurrent:
		return strconv.FormatUint(cur, 10)
	}
	return p
}

func substituteIDs(ids, cur []string) string {
	reset := endsWithSubstitute(ids)
	out := make([]string, len(ids))
	for i, id := range ids {
		if reset && i > 0 && ids[i-1] == maskIncrement {
			out[i] = "0"
			continue
		}
		var n uint64
		if i < len(cur) {
			// Like .NET int.TryParse: a non-numeric or too-large identifier counts as 0.
			if x, err := strconv.ParseUint(cur[i], 10, 31); err == nil {
				n = x
			}
		}
		out[i] = substitutePart(id, n)
	}
	return strings.Join(out, ".")
}

// LatestMatchingMask returns the newest of versions that agrees with the
// mask's fixed numeric parts, read left to right up to the first "i" or
// "c" (a fixed part the mask lacks counts as 0): over 1.1.1, 2.2.1, 2.2.3
// and 2.3, mask 1.i.i picks 1.1.1 and 2.2.i picks 2.2.3. Strings that are
// not versions are skipped; ok is false when none agrees or maskText is
// not a mask.
func LatestMatchingMask(maskText string, versions []string) (latest string, ok bool) {
	m, parsed := parseMask(maskText)
	if !parsed || !m.isMask() {
		return "", false
	}
	return Latest(versions, m.agrees)
}

func (m mask) agrees(v Version) bool {
	for k := range 4 {
		want := "0"
		if k < len(m.parts) {
			want = m.parts[k]
		}
		if isSubstitute(want) {
			return true
		}
		x, _ := strconv.ParseUint(want, 10, 32)
		if uint64(v.parts[k]) != x {
			return false
		}
	}
	return true
}

// ResolveReleaseVersion turns a requested release version into the one
// to store. A mask is applied to the newest existing version that agrees
// with it (LatestMatchingMask), or to nothing if none does; a plain
// version must parse and is returned trimmed. existing holds the
// project's release versions.
func ResolveReleaseVersion(requested string, existing []string) (string, error) {
	if !IsMask(requested) {
		v, err := Parse(requested)
		if err != nil {
			return "", err
		}
		return v.String(), nil
	}
	base, _ := LatestMatchingMask(requested, existing)
	return ApplyMask(requested, base)
}
