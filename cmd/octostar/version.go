package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
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
	if v == "" {
		v = "dev"
	}
	if c == "" {
		c = "unknown"
	}
	return v, c
}

// versionString is the version alone, for the User-Agent.
func versionString() string {
	v, _ := buildVersion()
	return v
}
