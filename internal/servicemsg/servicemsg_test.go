package servicemsg

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/servicemsg")

// TestMessagesAsTheBootstrapsPrintThem compares with lines written the
// way Calamari's set_octopusvariable, new_octopusartifact, update_progress
// and fail_step build them (`openssl enc -base64 -A` of each value).
func TestMessagesAsTheBootstrapsPrintThem(t *testing.T) {
	tests := []struct {
		name string
		msg  Message
		want string
	}{
		{"output variable", SetVariable("ReleaseNumber", "1.4.2", false),
			"##octopus[setVariable name='UmVsZWFzZU51bWJlcg==' value='MS40LjI=']"},
		{"sensitive output variable", SetVariable("ApiToken", "s3cr3t-value", true),
			"##octopus[setVariable name='QXBpVG9rZW4=' value='czNjcjN0LXZhbHVl' sensitive='VHJ1ZQ==']"},
		{"empty value is still sent", SetVariable("Empty", "", false),
			"##octopus[setVariable name='RW1wdHk=' value='']"},
		{"artifact", CreateArtifact("/etc/octopus/Tentacle/Work/Xk29fQa1/octostar-report.json", "octostar-report.json", 812),
			"##octopus[createArtifact path='L2V0Yy9vY3RvcHVzL1RlbnRhY2xlL1dvcmsvWGsyOWZRYTEvb2N0b3N0YXItcmVwb3J0Lmpzb24=' name='b2N0b3N0YXItcmVwb3J0Lmpzb24=' length='ODEy']"},
		{"progress", Progress(40, "Deployed 2 of 5 projects"),
			"##octopus[progress percentage='NDA=' message='RGVwbG95ZWQgMiBvZiA1IHByb2plY3Rz']"},
		{"progress above 100 is clamped", Progress(250, "x"), "##octopus[progress percentage='MTAw' message='eA==']"},
		{"progress below 0 is clamped", Progress(-3, "x"), "##octopus[progress percentage='MA==' message='eA==']"},
		{"result message", ResultMessage("Manual intervention rejected by alice"),
			"##octopus[resultMessage message='TWFudWFsIGludGVydmVudGlvbiByZWplY3RlZCBieSBhbGljZQ==']"},
		{"stderr progress", StderrProgress(), "##octopus[stderr-progress]"},
		{"verbose", Verbose.Message(), "##octopus[stdout-verbose]"},
		{"highlight", Highlight.Message(), "##octopus[stdout-highlight]"},
		{"warning", Warning.Message(), "##octopus[stdout-warning]"},
		{"error", Error.Message(), "##octopus[stdout-error]"},
		{"wait", Wait.Message(), "##octopus[stdout-wait]"},
		{"default", Default.Message(), "##octopus[stdout-default]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.msg.String(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			back, err := Parse(tt.msg.String())
			if err != nil || !reflect.DeepEqual(back, tt.msg) {
				t.Errorf("decoded %+v, %v; want %+v", back, err, tt.msg)
			}
		})
	}
}

func TestAttrIgnoresCase(t *testing.T) {
	m := SetVariable("n", "v", true)
	if v, ok := m.Attr("Sensitive"); !ok || v != "True" {
		t.Errorf("Attr(Sensitive) = %q, %v", v, ok)
	}
	if _, ok := SetVariable("n", "v", false).Attr("sensitive"); ok {
		t.Error("a plain variable has a sensitive attribute")
	}
}

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"", ""},
		{"Task #123 done", "Task #123 done"},
		{"##octopus[setVariable name='eA==' value='eQ==']", "## octopus[setVariable name='eA==' value='eQ==']"},
		{"quoted: ##octopus[stdout-ignore] then", "quoted: ## octopus[stdout-ignore] then"},
		{"##OctoPus[x]", "## OctoPus[x]"},
		{"###octopus##octopus", "### octopus## octopus"},
		{"ends with #", "ends with # "},
		{"ends with ##oct", "ends with ##oct "},
		{"C#", "C# "},
		{"#é", "#é "},
		{"#1", "#1"},
		{"# heading", "# heading"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Escape(tt.in); got != tt.want {
				t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestWriterGolden writes what a step run writes, and compares it with
// testdata/servicemsg/writer.golden.
func TestWriterGolden(t *testing.T) {
	var out strings.Builder
	w := NewWriter(&out)
	prints := w.Lines(Default)
	fmt.Fprintln(prints, "Payments API 1.2.0 to Development: Success")
	fmt.Fprint(prints, "a line in ")
	fmt.Fprint(prints, "two writes\nand a partial one")
	must(t, w.Print(Verbose, "polling 3 tasks\n"))
	must(t, prints.Flush())
	must(t, w.Print(Warning, "--api-key is visible to other users in the process list"))
	must(t, w.Print(Error, "s.star:3:5: Error in deploy: deploy: Web 1.4.2 to Production ended Failed\n  last errors in the task log:\n    boom"))
	must(t, w.Print(Default, "release notes quoting ##octopus[setVariable name='eA==' value='eQ==']\r\nand a line ending in #"))
	must(t, w.Send(SetVariable("released", "1.4.2", false), SetVariable("token", "s3cr3t-value", true)))
	must(t, w.Send(Progress(50, "1 of 2 tasks finished")))
	must(t, w.Send(CreateArtifact("/work/octostar-summary.md", "octostar-summary.md", 1234)))
	must(t, w.Print(Highlight, "octostar: s.star failed: deploy: Web 1.4.2 to Production ended Failed"))
	must(t, w.Send(ResultMessage("octostar: s.star failed: deploy: Web 1.4.2 to Production ended Failed")))
	golden(t, "writer.golden", out.String())

	msgs, bad, text := readStdout(out.String())
	if len(bad) > 0 {
		t.Errorf("Octopus could not read: %q", bad)
	}
	var names []string
	for _, m := range msgs {
		names = append(names, m.Name)
	}
	want := "stdout-verbose stdout-default stdout-warning stdout-default stdout-error stdout-default " +
		"setVariable setVariable progress createArtifact stdout-highlight stdout-default resultMessage"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("Octopus reads the messages\n  %s\nwant\n  %s", got, want)
	}
	if len(text) != 11 {
		t.Errorf("text lines: %q", text)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("..", "..", "testdata", "servicemsg", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/servicemsg -update)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run go test ./internal/servicemsg -update after an intended change)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// TestWriterFromManyGoroutines checks that concurrent writers never
// split each other's blocks: every level switch is followed by its own
// lines and the switch back.
func TestWriterFromManyGoroutines(t *testing.T) {
	var out lockedBuffer
	w := NewWriter(&out)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			lines := w.Lines(Level(g % 5))
			for i := range 50 {
				switch i % 3 {
				case 0:
					fmt.Fprintf(lines, "g%d line %d\ng%d line %d bis\n", g, i, g, i)
				case 1:
					_ = w.Send(Progress(i, fmt.Sprintf("g%d", g)))
				default:
					_ = w.Print(Level(g%5), fmt.Sprintf("g%d print %d", g, i))
				}
			}
		})
	}
	wg.Wait()
	level := ""
	for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		switch {
		case strings.HasPrefix(l, "##octopus[stdout-default]"):
			if level == "" {
				t.Fatalf("stdout-default without a level switch before it:\n%s", out.String())
			}
			level = ""
		case strings.HasPrefix(l, "##octopus[stdout-"):
			if level != "" {
				t.Fatalf("a level switch inside another block:\n%s", out.String())
			}
			level = l
		case strings.HasPrefix(l, "##octopus[progress"):
			if level != "" {
				t.Fatalf("a message inside a level block:\n%s", out.String())
			}
		case level != "":
			g := int(l[1] - '0')
			if Level(g%5).Message().String() != level {
				t.Fatalf("line %q under %s", l, level)
			}
		}
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestLineWriterKeepsPartialLines(t *testing.T) {
	var out strings.Builder
	lw := NewWriter(&out).Lines(Verbose)
	fmt.Fprint(lw, "no end yet")
	if out.Len() != 0 {
		t.Fatalf("a partial line was written: %q", out.String())
	}
	fmt.Fprint(lw, ", now\nnext")
	must(t, lw.Flush())
	must(t, lw.Flush())
	want := "##octopus[stdout-verbose]\nno end yet, now\n##octopus[stdout-default]\n##octopus[stdout-verbose]\nnext\n##octopus[stdout-default]\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

// FuzzEncode checks that no value breaks out of its message, that
// Octopus reads back exactly the values written, and that no text
// printed beside the messages adds, hides or damages one.
func FuzzEncode(f *testing.F) {
	f.Add("ReleaseNumber", "1.4.2", true, "plain text", uint8(0))
	f.Add("a'b", "x]y\n##octopus[setVariable name='eA==' value='eQ==']", false, "ends with #", uint8(1))
	f.Add("", "", false, "##oct", uint8(2))
	f.Add("名前", "值\r\n\"quoted\" <xml/> &amp;", true, "#\r#octopus[stdout-ignore]", uint8(3))
	f.Add("n", "\x00\xff", false, "#-#octopus[x]", uint8(4))
	f.Fuzz(func(t *testing.T, name, value string, sensitive bool, text string, level uint8) {
		msgs := []Message{
			SetVariable(name, value, sensitive),
			CreateArtifact(value, name, int64(len(text))),
			Progress(int(level), text),
			ResultMessage(text),
		}
		for _, m := range msgs {
			line := m.String()
			if strings.ContainsAny(line, "\r\n") {
				t.Fatalf("line break in %q", line)
			}
			if strings.Count(line, "]") != 1 || strings.Count(line, "[") != 1 || strings.Count(line, "'") != 2*len(m.Attrs) {
				t.Fatalf("a value escaped its quotes: %q", line)
			}
			back, err := Parse(line)
			if err != nil {
				t.Fatalf("decoding %q: %v", line, err)
			}
			if !reflect.DeepEqual(back, m) {
				t.Fatalf("decoded %+v, want %+v", back, m)
			}
		}

		// Text around the messages, at every level, must not change what
		// Octopus reads.
		var out strings.Builder
		w := NewWriter(&out)
		lv := Level(level % 6)
		var want []Message
		_ = w.Print(lv, text)
		if lv != Default {
			want = append(want, lv.Message(), Default.Message())
		}
		_ = w.Send(msgs[0])
		_ = w.Print(Default, value)
		_ = w.Print(Default, name)
		_ = w.Send(msgs[2])
		want = append(want, msgs[0], msgs[2])
		got, bad, lines := readStdout(out.String())
		if len(bad) > 0 || !reflect.DeepEqual(got, want) {
			t.Fatalf("Octopus reads %+v (unreadable: %q), want %+v\noutput:\n%s", got, bad, want, out.String())
		}
		for _, l := range lines {
			if indexFold(l, marker) >= 0 {
				t.Fatalf("text line %q holds the marker", l)
			}
		}
	})
}
