package builtins

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"go.starlark.net/starlark"
)

// tableColumns are the main fields of each record kind, in the order an
// aligned table shows them. The full value is still one attribute
// access away (releases("Web")[0].packages).
var tableColumns = map[string][]string{
	"release":       {"project", "version", "channel", "id"},
	"deployment":    {"project", "version", "environment", "tenant", "state", "duration", "task_id"},
	"runbook_run":   {"project", "runbook", "environment", "tenant", "state", "duration", "task_id"},
	"dashboard_row": {"project", "environment", "tenant", "release", "state"},
	"project":       {"name", "group", "id"},
	"environment":   {"name", "id"},
	"tenant":        {"name", "tags", "id"},
	"intervention":  {"title", "kind", "project", "environment", "tenant", "answered", "id"},
}

// maxCell keeps one long value (an error, a tag list) from pushing every
// other column off the screen.
const maxCell = 48

// Display is how the REPL shows a statement's value: a list of records
// of one kind (releases, deployments, dashboard rows, projects, ...) as
// an aligned table of that kind's main columns, anything else as its
// repr. Scripts never see it: print() and str() are unchanged.
func Display(v starlark.Value) string {
	if t, ok := Table(v); ok {
		return t
	}
	return v.String()
}

// Table renders a non-empty list or tuple of records of one known kind
// as an aligned text table. Columns empty in every row are left out (no
// tenant column for untenanted projects). ok is false for any other
// value.
func Table(v starlark.Value) (table string, ok bool) {
	seq, isSeq := v.(starlark.Indexable)
	if !isSeq || seq.Len() == 0 {
		return "", false
	}
	switch v.(type) {
	case *starlark.List, starlark.Tuple:
	default:
		return "", false // a string is Indexable too
	}
	first, isRec := seq.Index(0).(*Record)
	if !isRec {
		return "", false
	}
	cols, known := tableColumns[first.kind]
	if !known {
		return "", false
	}
	rows := make([][]string, seq.Len())
	for i := range rows {
		rec, ok := seq.Index(i).(*Record)
		if !ok || rec.kind != first.kind {
			return "", false
		}
		rows[i] = make([]string, len(cols))
		for j, c := range cols {
			fv, _, _ := rec.field(c) // a failed lazy read shows what is known
			rows[i][j] = tableCell(fv)
		}
	}
	var keep []int
	for j := range cols {
		for _, row := range rows {
			if row[j] != "" {
				keep = append(keep, j)
				break
			}
		}
	}
	widths := make([]int, len(cols))
	for _, j := range keep {
		widths[j] = utf8.RuneCountInString(cols[j])
		for _, row := range rows {
			widths[j] = max(widths[j], utf8.RuneCountInString(row[j]))
		}
	}
	var b strings.Builder
	line := func(cells func(j int) string) {
		var l strings.Builder
		for k, j := range keep {
			if k > 0 {
				l.WriteString("  ")
			}
			s := cells(j)
			l.WriteString(s)
			l.WriteString(strings.Repeat(" ", widths[j]-utf8.RuneCountInString(s)))
		}
		b.WriteString(strings.TrimRight(l.String(), " "))
		b.WriteByte('\n')
	}
	line(func(j int) string { return cols[j] })
	line(func(j int) string { return strings.Repeat("-", widths[j]) })
	for _, row := range rows {
		line(func(j int) string { return row[j] })
	}
	noun := strings.ReplaceAll(first.kind, "_", " ")
	if len(rows) != 1 {
		noun += "s"
	}
	fmt.Fprintf(&b, "(%d %s)", len(rows), noun)
	return b.String(), true
}

// tableCell is a field as a table shows it: strings unquoted, None blank,
// lists comma-separated, long values cut.
func tableCell(v starlark.Value) string {
	var s string
	switch v := v.(type) {
	case nil, starlark.NoneType:
		return ""
	case starlark.String:
		s = string(v)
	case *starlark.List:
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = tableCell(v.Index(i))
		}
		s = strings.Join(parts, ", ")
	default:
		s = v.String()
	}
	s = strings.Join(strings.Fields(s), " ") // one line per row
	if utf8.RuneCountInString(s) > maxCell {
		s = string([]rune(s)[:maxCell-1]) + "…"
	}
	return s
}
