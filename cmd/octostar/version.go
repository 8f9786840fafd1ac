package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Set by the Makefile through -ldflags; `go install` leaves them empty
// and the module version from the build info is used instead.
var (
	version = ""
	commit  = ""
)

func versionCmd(io stdio, args []string) int {
	fs := newFlags(io, "version", "", "Prints the version, the commit it was built from, and the Go version.")
	if code, done := parseFlags(io, fs, args); done {
		return code
	}
	v, c := buildVersion()
	fmt.Fprintf(io.out, "octostar %s (commit %s, %s)\n", v, c, runtime.Version())
	return exitOK
}

func buildVersion() (v, c string) {
	v, c = version, commit
	if info, ok := debug.ReadBuildInfo(); ok {
		if v == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && c == "" {
				c = s.Value
			}
		}
	}
	if c == "" {
		c = pseudoVersionCommit(v)
	}
	if v == "" {
		v = "dev"
	}
	if c == "" {
		c = "unknown"
	}
	return v, c
}

// pseudoVersionCommit is the commit a Go pseudo-version names
// (v0.0.0-20261126073000-abcdef123456): what `go install ...@latest`
// records when the build carries no VCS stamp.
func pseudoVersionCommit(v string) string {
	v, _, _ = strings.Cut(v, "+")
	i := strings.LastIndexByte(v, '-')
	if i < 0 || len(v)-i-1 != 12 {
		return ""
	}
	rev := v[i+1:]
	for _, r := range rev {
		if !strings.ContainsRune("0123456789abcdef", r) {
			return ""
		}
	}
	// The part before must end in a 14-digit timestamp.
	ts := v[:i]
	if j := strings.LastIndexAny(ts, "-."); j >= 0 && len(ts)-j-1 == 14 {
		return rev
	}
	return ""
}

// versionString is the version alone, for the User-Agent.
func versionString() string {
	v, _ := buildVersion()
	return v
}
