package progress

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// screen is a tiny virtual terminal: it applies what the table writes
// (text, "\r", "\n", cursor up, clear line, clear to end of screen,
// colours) to a grid of lines, so that tests check what a user would
// see rather than raw escapes. It fails the test when a line would wrap
// or the cursor would leave the top of the screen, the two things that
// break the redraw's arithmetic.
type screen struct {
	t             testing.TB
	width, height int
	rows          [][]rune
	row, col      int // col counts runes
}

func newScreen(t testing.TB, width, height int) *screen {
	return &screen{t: t, width: width, height: height, rows: [][]rune{nil}}
}

func (s *screen) Write(p []byte) (int, error) {
	s.apply(string(p))
	return len(p), nil
}

func (s *screen) apply(out string) {
	s.t.Helper()
	for i := 0; i < len(out); {
		if e := escapeLen(out[i:]); e > 0 {
			s.escape(out[i+2:i+e-1], out[i+e-1])
			i += e
			continue
		}
		r, size := utf8.DecodeRuneInString(out[i:])
		i += size
		switch r {
		case '\x1b':
			s.t.Fatalf("unexpected escape at %q", out[i-1:min(len(out), i+8)])
		case '\r':
			s.col = 0
		case '\n':
			s.row++
			s.col = 0
			for len(s.rows) <= s.row {
				s.rows = append(s.rows, nil)
			}
		default:
			line := s.rows[s.row]
			for len(line) < s.col {
				line = append(line, ' ')
			}
			if s.col < len(line) {
				line[s.col] = r
			} else {
				line = append(line, r)
			}
			s.rows[s.row] = line
			s.col++
			if w := width(string(line[:s.col])); w > s.width {
				s.t.Errorf("line %d wraps: %d cells on a %d-cell screen: %q", s.row, w, s.width, string(line))
			}
		}
	}
}

func (s *screen) escape(param string, final byte) {
	s.t.Helper()
	n := 0
	if param != "" {
		var err error
		if n, err = strconv.Atoi(param); err != nil && final != 'm' {
			s.t.Fatalf("bad escape parameter %q%c", param, final)
		}
	}
	switch final {
	case 'A':
		n = max(n, 1)
		if n > s.height-1 {
			s.t.Errorf("cursor up %d on a %d-line screen: the frame scrolled out of reach", n, s.height)
		}
		s.row = max(s.row-n, 0)
	case 'K':
		switch n {
		case 0:
			if s.col < len(s.rows[s.row]) {
				s.rows[s.row] = s.rows[s.row][:s.col]
			}
		case 2:
			s.rows[s.row] = nil
		default:
			s.t.Fatalf("unexpected clear line %d", n)
		}
	case 'J':
		if n != 0 {
			s.t.Fatalf("unexpected clear screen %d", n)
		}
		if s.col < len(s.rows[s.row]) {
			s.rows[s.row] = s.rows[s.row][:s.col]
		}
		s.rows = s.rows[:s.row+1]
	case 'm': // colours do not change the text
	default:
		s.t.Fatalf("unexpected escape %q%c", param, final)
	}
}

// text is what the screen shows, one line per row, without trailing
// spaces or the empty line the cursor sits on.
func (s *screen) text() string {
	var b strings.Builder
	for _, r := range s.rows {
		b.WriteString(strings.TrimRight(string(r), " "))
		b.WriteByte('\n')
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}

// below reports whether the cursor is at the start of the line after
// the last one with text, where the next output goes.
func (s *screen) below() bool {
	last := len(s.rows) - 1
	for last >= 0 && len(s.rows[last]) == 0 {
		last--
	}
	return s.row == last+1 && s.col == 0
}

func TestScreen(t *testing.T) {
	s := newScreen(t, 20, 10)
	s.apply("one\ntwo\nthree\n\r\x1b[2Atwo!\x1b[K\n\x1b[1;33mx\x1b[0m\x1b[J")
	if got, want := s.text(), "one\ntwo!\nx\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	s.apply("\n")
	if !s.below() {
		t.Errorf("cursor at %d,%d", s.row, s.col)
	}
}
