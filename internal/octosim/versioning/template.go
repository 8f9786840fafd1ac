package versioning

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DefaultTemplate is the versioning template Octopus gives a new project.
const DefaultTemplate = "#{Octopus.Version.LastMajor}.#{Octopus.Version.LastMinor}.#{Octopus.Version.NextPatch}"

// Option supplies NextVersion and ExpandTemplate with more context than
// the last release and the project variables.
type Option func(*templateContext)

// WithChannel names the channel the release is created in and gives the
// version of the most recently created release in that channel ("" if it
// has none). It enables Octopus.Release.Channel.Name and the
// Octopus.Version.Channel.* variables.
func WithChannel(name, lastInChannel string) Option {
	return func(c *templateContext) {
		c.channel, c.channelLast, c.hasChannel = name, lastInChannel, true
	}
}

// WithOtherChannel gives the most recently created release of another
// channel of the project ("" if it has none), enabling
// Octopus.Version.Channel[name].*. Channel names match case-insensitively.
func WithOtherChannel(name, last string) Option {
	return func(c *templateContext) {
		if c.others == nil {
			c.others = map[string]string{}
		}
		c.others[name] = last
	}
}

// WithClock gives the time Octopus.Date.* and Octopus.Time.* read, in its
// own location. Without it those variables are an error.
func WithClock(now time.Time) Option {
	return func(c *templateContext) { c.now, c.hasClock = now, true }
}

// WithExistingVersions gives the project's existing release versions,
// which a template that evaluates to a mask ("1.2.i") is applied against
// (see ResolveReleaseVersion). The last release is always included.
func WithExistingVersions(versions ...string) Option {
	return func(c *templateContext) { c.existing = append(c.existing, versions...) }
}

// TemplateError reports a problem with one #{...} token of a template.
type TemplateError struct {
	Template string // the template being evaluated
	Offset   int    // byte offset of the token's "#{" in Template
	Token    string // the token, such as "#{Octopus.Version.NextPach}"
	Reason   string // what is wrong
}

func (e *TemplateError) Error() string {
	return fmt.Sprintf("version template %q, offset %d, %s: %s", e.Template, e.Offset, e.Token, e.Reason)
}

// NextVersion evaluates a project's release versioning template, as
// Octopus does when a release is created without a version, and returns
// the release version.
//
// last is the version of the project's most recently created release
// ("" for the first release). vars are project variables, looked up
// case-insensitively; Octopus's own variables take precedence. The
// supported syntax is the part of Octostache templates needs:
//
//	#{Name}                         a variable; values may hold #{...} too
//	#{if Name}..#{else}..#{/if}     Name is true unless "", "0", "no" or "false"
//	#{if Name == "text"}, #{if Name != Other}, #{unless Name}..#{/unless}
//	##{                             a literal "#{"
//
// Built-in variables (case-insensitive):
//
//	Octopus.Version.(Last|Next)(Major|Minor|Patch|Build|Revision|Suffix)
//	Octopus.Version.Channel.(Last|Next)(...)          needs WithChannel
//	Octopus.Version.Channel[Name].(Last|Next)(...)     needs WithOtherChannel or WithChannel
//	Octopus.Release.Channel.Name                       needs WithChannel
//	Octopus.Date.(Year|Month|Day|DayOfYear), Octopus.Time.(Hour|Minute|Second)   need WithClock
//
// Last* are the parts of the base version (0 when there is none), Next*
// are Last* + 1, Build is Patch, Suffix is "-" and the pre-release
// ("" when there is none; Next and Last alike). Dates and times are
// not zero-padded.
//
// If the expanded text is a mask ("1.2.i"), it is applied against the
// newest existing version that agrees with it (see ResolveReleaseVersion
// and WithExistingVersions). Otherwise it must be a valid version.
// Filters ("| ToUpper"), #{each} and unknown variables are errors
// (*TemplateError) naming the token and its offset.
func NextVersion(template, last string, vars map[string]string, opts ...Option) (string, error) {
	c := newContext(template, last, vars, opts)
	text, err := c.expand()
	if err != nil {
		return "", err
	}
	if IsMask(text) {
		existing := append(slices.Clip(c.existing), last)
		base, _ := LatestMatchingMask(text, existing)
		out, err := ApplyMask(text, base)
		if err != nil {
			return "", fmt.Errorf("version template %q gave mask %q: %w", template, text, err)
		}
		return out, nil
	}
	v, err := Parse(text)
	if err != nil {
		return "", fmt.Errorf("version template %q gave %q, which is not a valid version: %w", template, text, err)
	}
	return v.String(), nil
}

// ExpandTemplate evaluates the template like NextVersion but stops after
// substitution: the result is trimmed and neither validated nor
// mask-applied. This is what Octopus previews as the next version
// (a template ending in ".i" previews with the "i").
func ExpandTemplate(template, last string, vars map[string]string, opts ...Option) (string, error) {
	return newContext(template, last, vars, opts).expand()
}

type templateContext struct {
	template    string
	last        string
	vars        map[string]string
	channel     string
	channelLast string
	hasChannel  bool
	others      map[string]string
	now         time.Time
	hasClock    bool
	existing    []string
	depth       int
	resolving   []string // variable names being expanded, for cycle detection
}

const maxTemplateDepth = 16

func newContext(template, last string, vars map[string]string, opts []Option) *templateContext {
	c := &templateContext{template: template, last: strings.TrimSpace(last), vars: vars}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	return c
}

// --- parsing ---

type nodeKind int

const (
	textNode nodeKind = iota
	varNode
	condNode
)

type node struct {
	kind   nodeKind
	text   string // textNode: the text; varNode: the variable name
	offset int    // byte offset of "#{"
	token  string // the whole "#{...}"
	cond   condition
	then   []node
	els    []node
}

type condition struct {
	negate   bool   // #{unless}
	left     string // variable name
	op       string // "", "==" or "!="
	right    string // literal or variable name
	rightVar bool
}

type tplParser struct {
	src string
	err *TemplateError
}

func (p *tplParser) fail(off int, token, reason string) {
	if p.err == nil {
		p.err = &TemplateError{Template: p.src, Offset: off, Token: token, Reason: reason}
	}
}

type frame struct {
	n       node
	inElse  bool
	keyword string
}

func parseTemplate(src string) ([]node, *TemplateError) {
	p := &tplParser{src: src}
	var root []node
	var stack []*frame
	var text strings.Builder
	emit := func(n node) {
		if len(stack) == 0 {
			root = append(root, n)
			return
		}
		f := stack[len(stack)-1]
		if f.inElse {
			f.n.els = append(f.n.els, n)
		} else {
			f.n.then = append(f.n.then, n)
		}
	}
	flush := func() {
		if text.Len() > 0 {
			emit(node{kind: textNode, text: text.String()})
			text.Reset()
		}
	}
	for i := 0; i < len(src); {
		if strings.HasPrefix(src[i:], "##{") {
			text.WriteString("#{")
			i += 3
			continue
		}
		if !strings.HasPrefix(src[i:], "#{") {
			text.WriteByte(src[i])
			i++
			continue
		}
		end := strings.IndexByte(src[i+2:], '}')
		if end < 0 {
			tok := src[i:]
			p.fail(i, tok, "no closing '}'")
			return nil, p.err
		}
		tok := src[i : i+2+end+1]
		body := src[i+2 : i+2+end]
		if strings.Contains(body, "#{") {
			p.fail(i, tok, "nested #{...} is not supported")
			return nil, p.err
		}
		flush()
		content := strings.TrimSpace(body)
		word, rest := content, ""
		if j := strings.IndexFunc(content, isSpace); j >= 0 {
			word, rest = content[:j], content[j:]
		}
		switch strings.ToLower(word) {
		case "if", "unless":
			c, reason := parseCondition(strings.TrimSpace(rest))
			if reason != "" {
				p.fail(i, tok, reason)
				return nil, p.err
			}
			c.negate = strings.EqualFold(word, "unless")
			stack = append(stack, &frame{n: node{kind: condNode, offset: i, token: tok, cond: c}, keyword: strings.ToLower(word)})
		case "else":
			if len(stack) == 0 {
				p.fail(i, tok, "#{else} outside #{if} or #{unless}")
				return nil, p.err
			}
			f := stack[len(stack)-1]
			if f.inElse {
				p.fail(i, tok, "second #{else} in one #{"+f.keyword+"}")
				return nil, p.err
			}
			f.inElse = true
		case "/if", "/unless":
			want := strings.ToLower(word[1:])
			if len(stack) == 0 {
				p.fail(i, tok, "#{"+word+"} without a matching #{"+want+"}")
				return nil, p.err
			}
			f := stack[len(stack)-1]
			if f.keyword != want {
				p.fail(i, tok, fmt.Sprintf("#{%s} closes #{%s} opened at offset %d", word, f.keyword, f.n.offset))
				return nil, p.err
			}
			stack = stack[:len(stack)-1]
			emit(f.n)
		case "each", "/each":
			p.fail(i, tok, "#{each} is not supported in version templates")
			return nil, p.err
		default:
			switch {
			case content == "":
				p.fail(i, tok, "empty variable name")
				return nil, p.err
			case strings.Contains(content, "|"):
				p.fail(i, tok, "filters ('|') are not supported in version templates")
				return nil, p.err
			}
			emit(node{kind: varNode, text: content, offset: i, token: tok})
		}
		i += len(tok)
	}
	flush()
	if len(stack) > 0 {
		f := stack[len(stack)-1]
		p.fail(f.n.offset, f.n.token, "#{"+f.keyword+"} has no matching #{/"+f.keyword+"}")
		return nil, p.err
	}
	return root, nil
}

func parseCondition(s string) (condition, string) {
	if s == "" {
		return condition{}, "condition is missing; expected #{if Name}, #{if Name == \"text\"} or #{if Name != Other}"
	}
	for _, op := range []string{"==", "!="} {
		l, r, found := strings.Cut(s, op)
		if !found {
			continue
		}
		l, r = strings.TrimSpace(l), strings.TrimSpace(r)
		if l == "" || r == "" {
			return condition{}, fmt.Sprintf("both sides of %s are needed", op)
		}
		c := condition{left: l, op: op}
		if len(r) >= 2 && r[0] == '"' && r[len(r)-1] == '"' {
			c.right = r[1 : len(r)-1]
		} else {
			c.right, c.rightVar = r, true
		}
		return c, ""
	}
	if strings.ContainsAny(s, "\" ") {
		return condition{}, fmt.Sprintf("cannot read condition %q; expected Name, Name == \"text\" or Name != Other", s)
	}
	return condition{left: s}, ""
}

// --- evaluation ---

func (c *templateContext) expand() (string, error) {
	nodes, perr := parseTemplate(c.template)
	if perr != nil {
		return "", perr
	}
	var b strings.Builder
	if err := c.eval(nodes, &b); err != nil {
		return "", err
	}
	return strings.TrimSpace(b.String()), nil
}

func (c *templateContext) eval(nodes []node, b *strings.Builder) error {
	for _, n := range nodes {
		switch n.kind {
		case textNode:
			b.WriteString(n.text)
		case varNode:
			v, reason := c.lookup(n.text)
			if reason != "" {
				return c.tokenError(n, reason)
			}
			b.WriteString(v)
		case condNode:
			ok, reason := c.test(n.cond)
			if reason != "" {
				return c.tokenError(n, reason)
			}
			branch := n.then
			if !ok {
				branch = n.els
			}
			if err := c.eval(branch, b); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *templateContext) tokenError(n node, reason string) error {
	return &TemplateError{Template: c.template, Offset: n.offset, Token: n.token, Reason: reason}
}

func (c *templateContext) test(cond condition) (bool, string) {
	left, reason := c.lookupOptional(cond.left)
	if reason != "" {
		return false, reason
	}
	var result bool
	switch cond.op {
	case "":
		result = truthy(left)
	default:
		right := cond.right
		if cond.rightVar {
			if right, reason = c.lookupOptional(cond.right); reason != "" {
				return false, reason
			}
		}
		result = (left == right) == (cond.op == "==")
	}
	return result != cond.negate, ""
}

// truthy is Octostache's test for #{if Name}.
func truthy(s string) bool {
	t := strings.TrimSpace(s)
	return s != "" && s != "0" && !strings.EqualFold(t, "no") && !strings.EqualFold(t, "false")
}

// lookupOptional is lookup for conditions, where Octostache reads an
// unknown variable as "" (so in #{if A != 0} the 0 is an unknown
// variable, not a number).
func (c *templateContext) lookupOptional(name string) (string, string) {
	if _, handled, _ := c.builtin(name); !handled {
		if _, ok := c.varKey(name); !ok {
			return "", ""
		}
	}
	return c.lookup(name)
}

// lookup resolves a variable name; reason is non-empty on failure.
func (c *templateContext) lookup(name string) (string, string) {
	if v, handled, reason := c.builtin(name); handled {
		return v, reason
	}
	key, ok := c.varKey(name)
	if !ok {
		return "", fmt.Sprintf("unknown variable %q", name)
	}
	value := c.vars[key]
	if !strings.Contains(value, "#{") {
		return value, ""
	}
	for _, r := range c.resolving {
		if strings.EqualFold(r, key) {
			return "", fmt.Sprintf("variable %q refers to itself (via %s)", key, strings.Join(append(slices.Clone(c.resolving), key), " -> "))
		}
	}
	if c.depth >= maxTemplateDepth {
		return "", fmt.Sprintf("variable %q nests more than %d levels", key, maxTemplateDepth)
	}
	child := *c
	child.template = value
	child.depth++
	child.resolving = append(slices.Clone(c.resolving), key)
	nodes, perr := parseTemplate(value)
	if perr != nil {
		return "", fmt.Sprintf("in the value of variable %q: %s at offset %d: %s", key, perr.Token, perr.Offset, perr.Reason)
	}
	var b strings.Builder
	if err := child.eval(nodes, &b); err != nil {
		if te, ok := err.(*TemplateError); ok && te.Template == value {
			return "", fmt.Sprintf("in the value of variable %q: %s at offset %d: %s", key, te.Token, te.Offset, te.Reason)
		}
		return "", fmt.Sprintf("in the value of variable %q: %v", key, err)
	}
	return b.String(), ""
}

// varKey finds name among the variables: exactly, else case-insensitively
// (the smallest matching key when several differ only in case).
func (c *templateContext) varKey(name string) (string, bool) {
	if _, ok := c.vars[name]; ok {
		return name, true
	}
	var found string
	ok := false
	for k := range c.vars {
		if strings.EqualFold(k, name) && (!ok || k < found) {
			found, ok = k, true
		}
	}
	return found, ok
}

// hasPrefixFold reports whether s starts with the ASCII prefix, ignoring case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// builtin resolves Octopus's own variables. handled is false for names it
// does not own, which are then looked up among the project variables.
func (c *templateContext) builtin(name string) (value string, handled bool, reason string) {
	switch lower := strings.ToLower(name); lower {
	case "octopus.release.channel.name":
		if !c.hasChannel {
			return "", true, "Octopus.Release.Channel.Name needs the release's channel (WithChannel)"
		}
		return c.channel, true, ""
	case "octopus.date.year", "octopus.date.month", "octopus.date.day", "octopus.date.dayofyear",
		"octopus.time.hour", "octopus.time.minute", "octopus.time.second":
		if !c.hasClock {
			return "", true, name + " needs a clock (WithClock)"
		}
		return strconv.Itoa(clockField(c.now, lower)), true, ""
	}
	const prefix = "Octopus.Version."
	if !hasPrefixFold(name, prefix) {
		return "", false, ""
	}
	rest := name[len(prefix):]
	base, scope := c.last, "the last release"
	switch {
	case hasPrefixFold(rest, "Channel["):
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return "", true, "missing ']' after the channel name"
		}
		ch := rest[len("Channel["):end]
		last, ok := c.otherChannel(ch)
		if !ok {
			return "", true, fmt.Sprintf("no channel named %q is known (WithOtherChannel)", ch)
		}
		if !strings.HasPrefix(rest[end+1:], ".") {
			return "", true, "expected '.' and a part name after ']'"
		}
		base, scope = last, fmt.Sprintf("the last release of channel %q", ch)
		rest = rest[end+2:]
	case hasPrefixFold(rest, "Channel."):
		if !c.hasChannel {
			return "", true, name + " needs the release's channel (WithChannel)"
		}
		base, scope = c.channelLast, "the channel's last release"
		rest = rest[len("Channel."):]
	}
	var next bool
	switch {
	case hasPrefixFold(rest, "Last"):
		rest = rest[len("Last"):]
	case hasPrefixFold(rest, "Next"):
		next, rest = true, rest[len("Next"):]
	default:
		return "", true, unknownVersionVariable(name)
	}
	var v Version
	if strings.TrimSpace(base) != "" {
		var perr string
		if v, perr = parse(base); perr != "" {
			return "", true, fmt.Sprintf("%s, %q, is not a valid version: %s", scope, base, perr)
		}
	}
	var part uint32
	switch strings.ToLower(rest) {
	case "major":
		part = v.parts[0]
	case "minor":
		part = v.parts[1]
	case "patch", "build":
		part = v.parts[2]
	case "revision":
		part = v.parts[3]
	case "suffix":
		if v.pre == "" {
			return "", true, ""
		}
		return "-" + v.pre, true, ""
	default:
		return "", true, unknownVersionVariable(name)
	}
	n := uint64(part)
	if next {
		n++
	}
	return strconv.FormatUint(n, 10), true, ""
}

func unknownVersionVariable(name string) string {
	return fmt.Sprintf("unknown variable %q; expected Octopus.Version[.Channel|.Channel[Name]].(Last|Next)(Major|Minor|Patch|Build|Revision|Suffix)", name)
}

func (c *templateContext) otherChannel(name string) (string, bool) {
	if v, ok := c.others[name]; ok {
		return v, true
	}
	keys := make([]string, 0, len(c.others))
	for k := range c.others {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if strings.EqualFold(k, name) {
			return c.others[k], true
		}
	}
	if c.hasChannel && strings.EqualFold(c.channel, name) {
		return c.channelLast, true
	}
	return "", false
}

func clockField(t time.Time, lower string) int {
	switch lower {
	case "octopus.date.year":
		return t.Year()
	case "octopus.date.month":
		return int(t.Month())
	case "octopus.date.day":
		return t.Day()
	case "octopus.date.dayofyear":
		return t.YearDay()
	case "octopus.time.hour":
		return t.Hour()
	case "octopus.time.minute":
		return t.Minute()
	}
	return t.Second()
}
