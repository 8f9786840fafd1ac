package servicemsg

import (
	"bytes"
	"io"
	"strings"
	"sync"
)

// Writer writes service messages and plain text to one stream (the
// step's stdout), from several goroutines. Each call writes whole lines
// in one Write, so a level switch, its lines and the switch back are
// never split by another goroutine's output.
type Writer struct {
	mu sync.Mutex
	w  io.Writer
}

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Send writes the messages, each alone on its line, as Octopus needs.
func (w *Writer) Send(ms ...Message) error {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString(m.String())
		b.WriteByte('\n')
	}
	return w.write(b.String())
}

// Print writes text as lines of the given level, escaped (see Escape).
// A level other than Default is selected before the lines and
// stdout-default is sent after them: Calamari only switches back when
// its own level changes, so a level left on would colour its later lines.
// A final line break is added when text lacks one.
func (w *Writer) Print(level Level, text string) error {
	var b strings.Builder
	if level != Default {
		b.WriteString(level.Message().String())
		b.WriteByte('\n')
	}
	for _, line := range splitLines(text) {
		b.WriteString(Escape(line))
		b.WriteByte('\n')
	}
	if level != Default {
		b.WriteString(Default.Message().String())
		b.WriteByte('\n')
	}
	return w.write(b.String())
}

func (w *Writer) write(s string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	_, err := io.WriteString(w.w, s)
	return err
}

// splitLines cuts text at line breaks. A lone CR counts as one, since
// .NET's line reader splits there and Octopus must see the same lines
// that Escape made safe. A final break ends the last line rather than
// starting an empty one.
func splitLines(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	text = strings.TrimSuffix(text, "\n")
	return strings.Split(text, "\n")
}

// Lines returns an io.Writer that prints each complete line written to
// it at the given level, for code that writes text a piece at a time
// (print(), a logger). Call Flush at the end for a last unterminated line.
func (w *Writer) Lines(level Level) *LineWriter { return &LineWriter{w: w, level: level} }

// LineWriter is a line-buffered view of a Writer at one level.
type LineWriter struct {
	w     *Writer
	level Level

	mu      sync.Mutex
	partial []byte
}

// Write prints the complete lines in p, and keeps the rest until the
// line ends. It reports the whole of p written unless the stream fails.
func (lw *LineWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	lw.partial = append(lw.partial, p...)
	i := bytes.LastIndexByte(lw.partial, '\n')
	if i < 0 {
		return len(p), nil
	}
	text := string(lw.partial[:i+1])
	lw.partial = append(lw.partial[:0], lw.partial[i+1:]...)
	if err := lw.w.Print(lw.level, text); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush prints a last line that has no line break yet.
func (lw *LineWriter) Flush() error {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	if len(lw.partial) == 0 {
		return nil
	}
	text := string(lw.partial)
	lw.partial = lw.partial[:0]
	return lw.w.Print(lw.level, text)
}

// marker is what Octopus looks for in every output line.
const marker = "##octopus"

// Escape makes one line of text (without its line break) safe to print
// among service messages, changing it as little as possible:
//
//   - Calamari finds "##octopus" anywhere in a line, not only at its
//     start, so a line quoting a task log or release notes could set a
//     variable. Each occurrence, in any case, gets a space after "##".
//   - Calamari's parser keeps a half-seen "##octo" from the end of one
//     line and continues it on the next, so a line ending in "#" would
//     swallow the "##" of a message that follows. Such a line gets a
//     trailing space, which ends the half-seen marker.
//
// Lines that need neither come back unchanged.
func Escape(line string) string {
	if !strings.Contains(line, "#") {
		return line
	}
	if i := indexFold(line, marker); i >= 0 {
		var b strings.Builder
		for i >= 0 {
			b.WriteString(line[:i+2])
			b.WriteByte(' ')
			line = line[i+2:]
			i = indexFold(line, marker)
		}
		b.WriteString(line)
		line = b.String()
	}
	if mayContinue(line[strings.LastIndexByte(line, '#')+1:]) {
		line += " "
	}
	return line
}

// indexFold is strings.Index ignoring ASCII case (the marker is ASCII).
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// mayContinue reports whether the text after a line's last '#' could
// still be part of "##octopus" for Calamari, whose prefix test compares
// with the current culture: case and characters it may ignore (controls,
// hyphens, apostrophes, anything outside ASCII) are given the benefit of
// the doubt.
// Any other character ends the marker for sure.
func mayContinue(tail string) bool {
	for _, r := range tail {
		switch {
		case r >= 0x80, r < 0x20, r == 0x7f, r == '-', r == '\'':
		case strings.ContainsRune("octpusOCTPUS", r):
		default:
			return false
		}
	}
	return true
}
