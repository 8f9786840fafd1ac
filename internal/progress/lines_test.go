package progress

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// event is one call on a Display: an Update, or a Note when note is set.
type event struct {
	run  Run
	note string
}

func up(key, label, state string) event {
	return event{run: Run{Key: key, Label: label, State: state, Done: done(state)}}
}

func ended(key, label, state string, d time.Duration) event {
	e := up(key, label, state)
	e.run.Duration = d
	return e
}

func note(msg string) event { return event{note: msg} }

func done(state string) bool {
	switch state {
	case Success, Failed, Canceled, TimedOut:
		return true
	}
	return false
}

func play(d Display, events []event) {
	for _, e := range events {
		if e.note != "" {
			d.Note(e.note)
		} else {
			d.Update(e.run)
		}
	}
}

func TestLines(t *testing.T) {
	const web = "Web 1.0.0 to Production"
	tests := []struct {
		name   string
		events []event
		want   string
	}{
		{"nothing", nil, ""},
		{"a start, queued, writes nothing", []event{up("T1", web, Queued)}, ""},
		{"a start with no state yet is queued", []event{up("T1", web, ""), up("T1", web, Queued)}, ""},
		{"each change once", []event{
			up("T1", web, Queued), up("T1", web, Queued), up("T1", web, Executing), up("T1", web, Executing),
			up("T1", web, AwaitingIntervention), up("T1", web, Executing), up("T1", web, Success), up("T1", web, Success),
		}, web + ": Executing\n" + web + ": AwaitingIntervention\n" + web + ": Executing\n" + web + ": Success\n"},
		{"first seen executing", []event{up("T1", web, Executing)}, web + ": Executing\n"},
		{"back to queued is a change", []event{up("T1", web, Executing), up("T1", web, Queued)}, web + ": Executing\n" + web + ": Queued\n"},
		{"duration, rounded", []event{
			up("T1", "A", Executing), ended("T1", "A", Success, 83*time.Second+400*time.Millisecond),
			up("T2", "B", Executing), ended("T2", "B", Failed, 4260*time.Millisecond),
			up("T3", "C", Executing), ended("T3", "C", Canceled, 1234567*time.Microsecond/1000),
			up("T4", "D", Executing), ended("T4", "D", TimedOut, 0),
		}, "A: Executing\nA: Success after 1m23s\nB: Executing\nB: Failed after 4.3s\nC: Executing\nC: Canceled after 1ms\nD: Executing\nD: TimedOut\n"},
		{"no duration before the end", []event{
			{run: Run{Key: "T1", Label: "A", State: Executing, Duration: time.Minute}},
		}, "A: Executing\n"},
		{"runs are apart", []event{
			up("T1", "A", Queued), up("T2", "B", Queued), up("T2", "B", Executing), up("T1", "A", Executing),
		}, "B: Executing\nA: Executing\n"},
		{"notes", []event{
			note("waiting for a free slot on prod: 10 of 10 tasks in flight"), note("ends with a newline\n"),
		}, "waiting for a free slot on prod: 10 of 10 tasks in flight\nends with a newline\n"},
		{"no label: the key", []event{up("ServerTasks-1", "", Executing)}, "ServerTasks-1: Executing\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			d := NewLines(&b)
			play(d, tt.events)
			d.Close()
			d.Close()
			if b.String() != tt.want {
				t.Errorf("got\n%s--- want\n%s", b.String(), tt.want)
			}
		})
	}
}

// TestLinesGolden plays what builtins report for
// testdata/builtins/progress.star and checks the Lines form writes that
// test's golden file byte for byte.
func TestLinesGolden(t *testing.T) {
	want, err := os.ReadFile(filepath.Join("..", "..", "testdata", "builtins", "progress.golden"))
	if err != nil {
		t.Skip(err)
	}
	const dev, test, prod = "Web 1.0.0 to Development", "Web 1.0.0 to Test", "Web 1.0.0 to Production"
	var b strings.Builder
	d := NewLines(&b)
	play(d, []event{
		up("T1", dev, Queued), up("T2", test, Queued),
		note("waiting for a free slot on default: 2 of 2 tasks in flight"),
		up("T1", dev, Executing), up("T2", test, Executing),
		up("T1", dev, Success), up("T2", test, Success),
		up("T3", prod, Queued), up("T3", prod, Executing), up("T3", prod, Failed),
	})
	d.Close()
	if b.String() != string(want) {
		t.Errorf("got\n%s--- want\n%s", b.String(), want)
	}
}

func TestLinesWriter(t *testing.T) {
	var b strings.Builder
	if d := NewLines(&b); d.Writer() != &b {
		t.Errorf("Writer() is not the underlying writer")
	}
}
