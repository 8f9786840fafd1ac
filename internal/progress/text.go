package progress

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The table's redraw moves the cursor up by the number of lines it drew,
// which holds only if no line wraps. So every line is measured in
// terminal cells, not bytes or runes, and cut to fit.

// runeWidth is how many terminal cells r takes: 0 for combining marks
// and format characters, 2 for East Asian wide characters and emoji.
func runeWidth(r rune) int {
	switch {
	case r >= 0x20 && r < 0x7F: // ASCII, nearly every rune shown
		return 1
	case r == 0x200B || unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return 0
	case r < 0x1100:
		return 1
	case r <= 0x115F, // Hangul Jamo
		r >= 0x2E80 && r <= 0xA4CF && r != 0x303F, // CJK ... Yi
		r >= 0xAC00 && r <= 0xD7A3,                // Hangul syllables
		r >= 0xF900 && r <= 0xFAFF,                // CJK compatibility ideographs
		r >= 0xFE30 && r <= 0xFE4F,                // CJK compatibility forms
		r >= 0xFF00 && r <= 0xFF60,                // fullwidth forms
		r >= 0xFFE0 && r <= 0xFFE6,
		r >= 0x1F300 && r <= 0x1F64F, // pictographs, emoticons
		r >= 0x1F900 && r <= 0x1F9FF, // supplemental symbols and pictographs
		r >= 0x20000 && r <= 0x3FFFD: // CJK extensions
		return 2
	}
	return 1
}

// clean replaces control characters, which would move the cursor or
// change the terminal's state, with spaces. Names come from the server.
func clean(s string) string {
	if strings.IndexFunc(s, unicode.IsControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// escapeLen is the length of the ANSI CSI sequence at the start of s
// (ESC [ parameters final-byte), or 0 when s does not start with one.
func escapeLen(s string) int {
	if len(s) < 2 || s[0] != '\x1b' || s[1] != '[' {
		return 0
	}
	for i := 2; i < len(s); i++ {
		if s[i] >= 0x40 && s[i] <= 0x7E {
			return i + 1
		}
	}
	return 0
}

// width is how many cells s takes, not counting ANSI sequences.
func width(s string) int {
	if printableASCII(s) {
		return len(s)
	}
	n := 0
	for i := 0; i < len(s); {
		if e := escapeLen(s[i:]); e > 0 {
			i += e
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		n += runeWidth(r)
		i += size
	}
	return n
}

// printableASCII reports whether every byte of s takes one cell: the
// common case, measured without decoding.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7F {
			return false
		}
	}
	return true
}

// truncate cuts s to at most max cells, ending it with "…" when it cut
// anything. ANSI sequences are kept and take no room; a cut line that
// had any gets a reset so that a colour does not leak past it.
func truncate(s string, max int) string {
	if width(s) <= max {
		return s
	}
	if max <= 0 {
		return ""
	}
	var b strings.Builder
	n, escapes := 0, false
	for i := 0; i < len(s); {
		if e := escapeLen(s[i:]); e > 0 {
			b.WriteString(s[i : i+e])
			escapes = true
			i += e
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if n+runeWidth(r) > max-1 {
			break
		}
		b.WriteString(s[i : i+size])
		n += runeWidth(r)
		i += size
	}
	b.WriteString("…")
	if escapes {
		b.WriteString(reset)
	}
	return b.String()
}

// pad cuts or pads s to exactly w cells, on the right, or on the left
// when right is set.
func pad(s string, w int, right bool) string {
	s = truncate(s, w)
	gap := w - width(s)
	if gap <= 0 {
		return s
	}
	if right {
		return strings.Repeat(" ", gap) + s
	}
	return s + strings.Repeat(" ", gap)
}
