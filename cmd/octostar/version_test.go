package main

import (
	"strings"
	"testing"
)

func TestPseudoVersionCommit(t *testing.T) {
	tests := map[string]string{
		"v0.0.0-20261126073000-abcdef123456":        "abcdef123456",
		"v1.2.4-0.20261126073000-abcdef123456":      "abcdef123456",
		"v1.2.4-rc.1.0.20261126073000-abcdef123456": "abcdef123456",
		"v0.0.0-20261126073000-abcdef123456+dirty":  "abcdef123456",
		"v1.2.3":                             "",
		"v1.2.3-beta":                        "",
		"v0.0.0-2026112607300-abcdef123456":  "",
		"v0.0.0-20261126073000-ABCDEF123456": "",
		"":                                   "",
	}
	for v, want := range tests {
		if got := pseudoVersionCommit(v); got != want {
			t.Errorf("pseudoVersionCommit(%q) = %q, want %q", v, got, want)
		}
	}
}

func TestVersionCommand(t *testing.T) {
	version, commit = "v1.0.0", "0123abcd"
	defer func() { version, commit = "", "" }()
	code, out, _ := call(t, "", "version")
	if code != exitOK || !strings.HasPrefix(out, "octostar v1.0.0 (commit 0123abcd, go") {
		t.Errorf("code %d: %q", code, out)
	}
}
