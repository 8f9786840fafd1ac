// Package servicemsg writes Octopus Deploy service messages: the
// ##octopus[...] lines a program run by an Octopus script step prints on
// stdout to set output variables, attach artifacts, report progress and
// choose the log level of the lines that follow.
//
// The format is the one Calamari's Bash and PowerShell bootstraps emit
// (set_octopusvariable / Set-OctopusVariable and their siblings): the
// message name, then name='VALUE' attributes in single quotes, where
// every value is the standard base64 (with padding, unwrapped) of its
// UTF-8 bytes. Base64 is what keeps a value from breaking out of the
// message: it has no quote, bracket, space or line break. Booleans are
// the base64 of "True", as the bootstraps send it; the server parses
// them with .NET's bool.TryParse.
//
// Octopus looks for "##octopus" anywhere in an output line, and its
// parser carries a half-seen "##octo" over to the next line, so plain
// text is made safe too before it is written (see Escape).
package servicemsg

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// Prefix starts every service message.
const Prefix = "##octopus["

// Attr is one attribute of a message; Value is the plain text, encoded
// when the message is written.
type Attr struct {
	Name  string
	Value string
}

// Message is one service message. Attribute order is kept, so the output
// matches what the bootstraps print byte for byte.
type Message struct {
	Name  string
	Attrs []Attr
}

// String is the message as one line, without the line break.
func (m Message) String() string {
	var b strings.Builder
	b.WriteString(Prefix)
	b.WriteString(m.Name)
	for _, a := range m.Attrs {
		b.WriteByte(' ')
		b.WriteString(a.Name)
		b.WriteString("='")
		b.WriteString(base64.StdEncoding.EncodeToString([]byte(a.Value)))
		b.WriteByte('\'')
	}
	b.WriteByte(']')
	return b.String()
}

// Attr returns the plain value of the named attribute (names are
// matched ignoring case, as Octopus does) and whether it is present.
func (m Message) Attr(name string) (string, bool) {
	for _, a := range m.Attrs {
		if strings.EqualFold(a.Name, name) {
			return a.Value, true
		}
	}
	return "", false
}

// Message names and attribute values Octopus knows (Calamari's
// ScriptServiceMessageNames).
const (
	NameSetVariable    = "setVariable"
	NameCreateArtifact = "createArtifact"
	NameProgress       = "progress"
	NameResultMessage  = "resultMessage"
	NameStderrProgress = "stderr-progress"

	// True is how the bootstraps spell a true boolean attribute.
	True = "True"
)

// SetVariable makes an output variable of the step, readable by later
// steps as Octopus.Action[Step].Output.name. The value is always sent,
// even when empty: the Bash helper leaves an empty value out, and
// Octopus then drops the whole message. A sensitive variable is masked
// in task logs and reaches later steps as a sensitive variable; the
// attribute is left out otherwise, as the bootstraps do.
func SetVariable(name, value string, sensitive bool) Message {
	m := Message{Name: NameSetVariable, Attrs: []Attr{{"name", name}, {"value", value}}}
	if sensitive {
		m.Attrs = append(m.Attrs, Attr{"sensitive", True})
	}
	return m
}

// CreateArtifact asks Octopus to collect the file after the script ends,
// even when it fails. path should be absolute: Tentacle resolves a
// relative one against its home folder, not the script's. length is the
// file's size in bytes.
func CreateArtifact(path, name string, length int64) Message {
	return Message{Name: NameCreateArtifact, Attrs: []Attr{
		{"path", path}, {"name", name}, {"length", strconv.FormatInt(length, 10)}}}
}

// Progress moves the step's progress bar. Octopus ignores a percentage
// that is not an integer, so it is clamped to 0..100 here.
func Progress(percentage int, message string) Message {
	percentage = min(max(percentage, 0), 100)
	return Message{Name: NameProgress, Attrs: []Attr{
		{"percentage", strconv.Itoa(percentage)}, {"message", message}}}
}

// ResultMessage replaces Octopus's default failure text ("The remote
// script failed with exit code 1"); the exit code still decides whether
// the step fails.
func ResultMessage(message string) Message {
	return Message{Name: NameResultMessage, Attrs: []Attr{{"message", message}}}
}

// StderrProgress makes Octopus log the following stderr lines as Verbose
// instead of Error.
func StderrProgress() Message { return Message{Name: NameStderrProgress} }

// Level is the task-log category of stdout lines.
type Level int

// The stdout levels, with the stdout-* message that selects each.
const (
	Default   Level = iota // stdout-default: Info
	Verbose                // stdout-verbose: hidden unless the reader asks for verbose
	Highlight              // stdout-highlight: bold, and shown on the task summary
	Warning                // stdout-warning
	Error                  // stdout-error: logged as an error; does not fail the step by itself
	Wait                   // stdout-wait
)

var levelNames = [...]string{"default", "verbose", "highlight", "warning", "error", "wait"}

// String is the level's name in the stdout-* message.
func (l Level) String() string {
	if l < 0 || int(l) >= len(levelNames) {
		return "level(" + strconv.Itoa(int(l)) + ")"
	}
	return levelNames[l]
}

// Message is the stdout-* message that makes the following lines this level.
func (l Level) Message() Message { return Message{Name: "stdout-" + l.String()} }
