package servicemsg

import "strings"

// This file holds the tests' reading side: how Octopus reads a step's
// stdout, written from the behaviour of Calamari's ServiceMessageParser
// (Calamari.Common/Plumbing/ServiceMessages), not from its code.
//
//   - It scans each line for "##octopus" anywhere, and its state carries
//     over from one line to the next (a half-seen marker, or a message
//     whose ']' has not come yet).
//   - What follows the marker up to the first ']' is the message: CR and
//     LF removed, a leading '[' dropped, read as an XML element whose
//     attribute values are base64.
//   - An unreadable message is dropped.
//
// The prefix test here is ordinal; Calamari's is culture-aware, which
// Escape allows for by being more careful than this reader needs.

// calamari is the reader's state between lines.
type calamari struct {
	inMessage bool
	buf       strings.Builder // the half-seen marker, or the message so far
	msgs      []Message
	bad       []string // messages that did not parse
}

// line feeds one line of output, without its line break.
func (c *calamari) line(s string) {
	for _, r := range s {
		switch {
		case c.inMessage && r == ']':
			c.finish(c.buf.String())
			c.buf.Reset()
			c.inMessage = false
		case c.inMessage:
			c.buf.WriteRune(r)
		case c.buf.Len() > 0 || r == '#':
			c.buf.WriteRune(r)
			seen := c.buf.String()
			switch {
			case seen == marker:
				c.inMessage = true
				c.buf.Reset()
			case !strings.HasPrefix(marker, seen):
				c.buf.Reset()
			}
		}
	}
}

func (c *calamari) finish(body string) {
	body = strings.NewReplacer("\r", "", "\n", "").Replace(strings.TrimLeft(strings.TrimSpace(body), "["))
	m, err := parseBody(body)
	if err != nil {
		c.bad = append(c.bad, body)
		return
	}
	c.msgs = append(c.msgs, m)
}

// readStdout splits output into lines as .NET does (CR, LF or CRLF) and
// returns the messages Octopus would act on, the ones it would drop, and
// the other lines: those not starting with a message.
func readStdout(out string) (msgs []Message, bad, text []string) {
	var c calamari
	for _, l := range splitLines(out) {
		c.line(l)
		if !strings.HasPrefix(l, marker) {
			text = append(text, l)
		}
	}
	return c.msgs, c.bad, text
}
