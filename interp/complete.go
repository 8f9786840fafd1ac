package interp

import (
	"maps"
	"slices"
	"strings"
	"unicode"
)

// Complete proposes completions for what ends at pos in line: global,
// builtin and universal names; keyword arguments (with "=") inside a
// call to a registered builtin; and, inside a string argument, the
// values ArgNames offers for that parameter (project and environment
// names), closed with the quote. It returns the completions and the
// length of the prefix they replace.
func (s *REPL) Complete(line string, pos int) ([]string, int) {
	if pos > len(line) {
		pos = len(line)
	}
	cur := scanCursor(line[:pos])
	switch {
	case cur.comment:
		return nil, 0
	case cur.str != nil:
		return s.completeString(cur)
	}
	start := pos
	for start > 0 && isIdentRune(rune(line[start-1])) {
		start--
	}
	prefix := line[start:pos]
	if start > 0 && line[start-1] == '.' {
		return nil, 0 // attribute completion needs a value; leave it
	}
	if start > 0 && (line[start-1] == '"' || line[start-1] == '\'') {
		return nil, 0 // right after a string no name can follow
	}
	var out []string
	if call := cur.innermost(); call != nil && call.open == '(' {
		if spec, ok := s.rt.opts.Registry.Lookup(call.fn); ok {
			for _, p := range spec.ParamNames() {
				if strings.HasPrefix(p, prefix) {
					out = append(out, p+"=")
				}
			}
		}
	}
	s.mu.Lock()
	names := slices.Concat(s.rt.names, slices.Collect(maps.Keys(s.globals)), slices.Collect(maps.Keys(s.extras)))
	s.mu.Unlock()
	slices.Sort(names)
	for _, n := range slices.Compact(names) {
		if strings.HasPrefix(n, prefix) && (prefix != "" || !strings.HasPrefix(n, "_")) {
			out = append(out, n)
		}
	}
	return out, len(prefix)
}

// completeString offers names for a string typed as an argument of a
// builtin called by its bare name (a target's method may be another
// instance, whose names the session has not read), directly or inside
// a list: deploy("Pay, deploy("Web", to=["Test", "Pro.
func (s *REPL) completeString(cur cursor) ([]string, int) {
	if s.ArgNames == nil {
		return nil, 0
	}
	call := cur.call()
	if call == nil || call.fn == "" || call.method {
		return nil, 0
	}
	spec, ok := s.rt.opts.Registry.Lookup(call.fn)
	if !ok {
		return nil, 0
	}
	param := call.keyword
	if param == "" {
		param = argParam(spec, call.arg)
	}
	if param == "" {
		return nil, 0
	}
	var out []string
	for _, name := range s.ArgNames(call.fn, param) {
		quoted := escapeIn(name, cur.str.quote)
		if strings.HasPrefix(quoted, cur.str.text) {
			out = append(out, quoted+cur.str.quote)
		}
	}
	if len(out) == 0 {
		return nil, 0
	}
	slices.Sort(out)
	return slices.Compact(out), len(cur.str.text)
}

// argParam is the parameter that the i-th positional argument
// fills, or "" when none does (past the positional ones, or after a
// keyword argument).
func argParam(spec *Spec, i int) string {
	if i < 0 {
		return ""
	}
	for j, p := range spec.Params {
		if p.Variadic || p.Kwargs || p.KeywordOnly {
			return ""
		}
		if j == i {
			return p.Name
		}
	}
	return ""
}

// escapeIn writes name as it must appear inside a string literal with
// the given quote.
func escapeIn(name, quote string) string {
	name = strings.ReplaceAll(name, `\`, `\\`)
	if len(quote) == 1 {
		name = strings.ReplaceAll(name, quote, `\`+quote)
	}
	return name
}

func isIdentRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// cursor is what the text before the cursor says about where it is.
type cursor struct {
	frames  []frame // open brackets, outermost first
	str     *openString
	comment bool
}

// frame is an open bracket; for "(" after a name, a call.
type frame struct {
	open    byte
	fn      string // the called name, for "("
	method  bool   // called as x.fn(...)
	arg     int    // positional index of the argument being typed; -1 after a keyword argument
	keyword string // the keyword of the argument being typed, if any
	sawKw   bool
}

// openString is a string literal the cursor is inside.
type openString struct {
	quote string // ', ", ''' or """
	text  string // what is typed after the quote
}

func (c cursor) innermost() *frame {
	if len(c.frames) == 0 {
		return nil
	}
	return &c.frames[len(c.frames)-1]
}

// call is the innermost open call, when only list brackets lie between
// it and the cursor: a string there is (an item of) one argument.
func (c cursor) call() *frame {
	for i := len(c.frames) - 1; i >= 0; i-- {
		switch c.frames[i].open {
		case '(':
			return &c.frames[i]
		case '[':
		default:
			return nil
		}
	}
	return nil
}

// scanCursor reads Starlark text up to the cursor, tracking strings,
// comments, brackets and, for each open call, which argument is being
// typed. It is forgiving: the line is usually incomplete, and may not
// be valid.
func scanCursor(text string) cursor {
	var c cursor
	var (
		lastIdent    string // the previous token, when it was a name
		lastIdentDot bool   // and it followed a "."
	)
	for i := 0; i < len(text); {
		ch := text[i]
		switch {
		case ch == '#':
			c.comment = true
			return c
		case ch == '\'' || ch == '"':
			quote := string(ch)
			if strings.HasPrefix(text[i:], strings.Repeat(quote, 3)) {
				quote = strings.Repeat(quote, 3)
			}
			end := closingQuote(text, i+len(quote), quote)
			if end < 0 {
				c.str = &openString{quote: quote, text: text[i+len(quote):]}
				return c
			}
			i = end + len(quote)
			lastIdent = ""
			continue
		case ch == '_' || ch >= 0x80 || unicode.IsLetter(rune(ch)):
			j := i
			for j < len(text) && (text[j] >= 0x80 || isIdentRune(rune(text[j]))) {
				j++
			}
			lastIdent, lastIdentDot = text[i:j], precededByDot(text, i)
			i = j
			continue
		case ch == '(':
			c.frames = append(c.frames, frame{open: '(', fn: lastIdent, method: lastIdent != "" && lastIdentDot})
		case ch == '[' || ch == '{':
			c.frames = append(c.frames, frame{open: ch})
		case ch == ')' || ch == ']' || ch == '}':
			if len(c.frames) > 0 {
				c.frames = c.frames[:len(c.frames)-1]
			}
		case ch == ',':
			if f := c.innermost(); f != nil && f.open == '(' {
				if f.keyword != "" {
					f.sawKw = true
				}
				f.keyword = ""
				f.arg++
				if f.sawKw {
					f.arg = -1
				}
			}
		case ch == '=':
			if i+1 < len(text) && text[i+1] == '=' {
				i += 2
				lastIdent = ""
				continue
			}
			if f := c.innermost(); f != nil && f.open == '(' && lastIdent != "" && !lastIdentDot {
				f.keyword = lastIdent
				f.arg = -1
			}
		case ch == ' ' || ch == '\t':
			i++
			continue // a name stays the last token across spaces
		}
		lastIdent = ""
		i++
	}
	return c
}

// closingQuote finds the quote that ends a string whose text starts at
// from, skipping escapes; -1 when the string is still open.
func closingQuote(text string, from int, quote string) int {
	for i := from; i < len(text); i++ {
		switch {
		case text[i] == '\\':
			i++
		case strings.HasPrefix(text[i:], quote):
			return i
		}
	}
	return -1
}

func precededByDot(text string, i int) bool {
	for i > 0 && (text[i-1] == ' ' || text[i-1] == '\t') {
		i--
	}
	return i > 0 && text[i-1] == '.'
}
