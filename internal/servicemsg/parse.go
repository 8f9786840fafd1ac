package servicemsg

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// Parse reads one message line as Message.String writes it (double
// quotes are accepted too, as Octopus does), strictly: any other shape is
// an error. Tests and tools that read octostar's output use it.
func Parse(line string) (Message, error) {
	body, ok := strings.CutPrefix(line, Prefix)
	if !ok || !strings.HasSuffix(body, "]") {
		return Message{}, fmt.Errorf("%q is not ##octopus[...]", line)
	}
	return parseBody(strings.TrimSuffix(body, "]"))
}

// parseBody reads `name a='b64' b="b64"`, the XML element Octopus makes
// of a message.
func parseBody(body string) (Message, error) {
	name, rest, _ := strings.Cut(body, " ")
	if name == "" || strings.ContainsAny(name, "'\"=<>&/") {
		return Message{}, fmt.Errorf("bad message name %q", name)
	}
	m := Message{Name: name}
	for rest = strings.TrimLeft(rest, " "); rest != ""; rest = strings.TrimLeft(rest, " ") {
		attr, after, ok := strings.Cut(rest, "=")
		if !ok || attr == "" || strings.ContainsAny(attr, " '\"") || after == "" {
			return Message{}, fmt.Errorf("bad attribute in %q", rest)
		}
		q := after[0]
		if q != '\'' && q != '"' {
			return Message{}, fmt.Errorf("unquoted value of %s", attr)
		}
		raw, tail, ok := strings.Cut(after[1:], string(q))
		if !ok {
			return Message{}, fmt.Errorf("unterminated value of %s", attr)
		}
		v, err := base64.StdEncoding.Strict().DecodeString(raw)
		if err != nil {
			return Message{}, fmt.Errorf("value of %s is not base64: %v", attr, err)
		}
		m.Attrs = append(m.Attrs, Attr{attr, string(v)})
		if tail != "" && tail[0] != ' ' {
			return Message{}, fmt.Errorf("no space after %s", attr)
		}
		rest = tail
	}
	return m, nil
}
