package spell

import (
	"slices"
	"testing"
)

func TestNearest(t *testing.T) {
	cands := []string{"deploy", "create_release", "run_runbook", "duration", "environments"}
	tests := []struct{ in, want string }{
		{"depoy", "deploy"},
		{"dpeloy", "deploy"},
		{"create_relase", "create_release"},
		{"Deploy", "deploy"},
		{"xyz", ""},
		{"run", ""}, // a prefix is not a typo
	}
	for _, tt := range tests {
		got, ok := Nearest(tt.in, cands)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("Nearest(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestClosest(t *testing.T) {
	names := []string{"Web", "Web API", "Worker", "Payments Gateway", "Billing", "Webhooks"}
	tests := []struct {
		in   string
		want []string
	}{
		{"wbe", []string{"Web"}},
		{"payments", []string{"Payments Gateway"}},
		{"web", []string{"Web", "Web API", "Webhooks"}}, // case is ignored
		{"zzz", nil},
	}
	for _, tt := range tests {
		if got := Closest(tt.in, names, 3); !slices.Equal(got, tt.want) {
			t.Errorf("Closest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"a", "", 1}, {"ab", "ba", 1}, {"kitten", "sitting", 3}, {"déploy", "deploy", 1}} {
		if got := Distance(tt.a, tt.b); got != tt.d {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.d)
		}
	}
}
