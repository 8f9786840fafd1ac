package builtins

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.starlark.net/starlark"

	"github.com/octostar/octostar/interp"
)

// Pools the script generator draws arguments from: names that exist in
// the fake world, near misses, and values builtins must refuse.
var (
	fuzzProjects  = []string{`"Web"`, `"web"`, `"Api"`, `"Portal"`, `"Nope"`, `""`, `" "`, `"Projects-1"`, `"\x00"`, `"W" * 300`}
	fuzzEnvs      = []string{`"Development"`, `"Test"`, `"Production"`, `"Prod"`, `""`, `["Development", "Test"]`, `[]`, `["Test", "Test"]`}
	fuzzVersions  = []string{`None`, `"1.0.0"`, `"1.0"`, `"v1"`, `"1.0.0-beta.1"`, `""`, `"1.0.0+meta"`, `"9" * 400`}
	fuzzDurations = []string{`"10ms"`, `"1s"`, `"0s"`, `"-5s"`, `"soon"`, `"30 minutes"`, `5`, `0.01`, `-1`, `None`, `duration("20ms")`, `"9999999h"`, `1e300`}
	fuzzBools     = []string{`True`, `False`, `None`, `1`, `"yes"`}
	fuzzVars      = []string{`{"Region": "eu"}`, `{"": ""}`, `{1: 2}`, `{"A": None}`, `None`, `[]`, `{"A": ["x"]}`}
	fuzzPackages  = []string{`{"Deploy": "1.2.3"}`, `{"Step:Ref": "2.0.0"}`, `{"": "1"}`, `{"x": 1}`, `None`, `"1.0.0"`}
	fuzzTenants   = []string{`None`, `"*"`, `"Acme"`, `["Acme", "Nope"]`, `[]`, `"Tenants-1"`}
	fuzzActions   = []string{`"proceed"`, `"abort"`, `"retry"`, `"ignore"`, `"exclude"`, `"fail"`, `"go"`, `""`}
)

// fuzzScript turns fuzz bytes into a script of builtin calls: each byte
// pair picks a statement and its arguments from the pools.
func fuzzScript(data []byte) string {
	var b strings.Builder
	b.WriteString("r = None\nruns = []\n")
	pick := func(pool []string, i *int) string {
		if *i >= len(data) {
			return pool[0]
		}
		v := pool[int(data[*i])%len(pool)]
		*i++
		return v
	}
	for i := 0; i < len(data) && strings.Count(b.String(), "\n") < 40; {
		op := data[i] % 14
		i++
		p := pick(fuzzProjects, &i)
		switch op {
		case 0:
			fmt.Fprintf(&b, "r = create_release(%s, version = %s, packages = %s)\n", p, pick(fuzzVersions, &i), pick(fuzzPackages, &i))
		case 1:
			fmt.Fprintf(&b, "runs.append(deploy(%s, to = %s, release = %s, wait = False, timeout = %s))\n", p, pick(fuzzEnvs, &i), pick(fuzzVersions, &i), pick(fuzzDurations, &i))
		case 2:
			fmt.Fprintf(&b, "runs.append(deploy(%s, to = %s, release = r, variables = %s, tenants = %s, check = %s))\n", p, pick(fuzzEnvs, &i), pick(fuzzVars, &i), pick(fuzzTenants, &i), pick(fuzzBools, &i))
		case 3:
			fmt.Fprintf(&b, "runs.append(promote(%s, %s, to = %s, wait = %s))\n", p, pick(fuzzEnvs, &i), pick(fuzzEnvs, &i), pick(fuzzBools, &i))
		case 4:
			fmt.Fprintf(&b, "runs.append(run_runbook(%s, %s, %s, wait = False))\n", p, pick(fuzzProjects, &i), pick(fuzzEnvs, &i))
		case 5:
			fmt.Fprintf(&b, "wait(runs, timeout = %s, fail_fast = %s)\n", pick(fuzzDurations, &i), pick(fuzzBools, &i))
		case 6:
			fmt.Fprintf(&b, "intervene(None, %s, project = %s, notes = %s)\n", pick(fuzzActions, &i), p, pick(fuzzProjects, &i))
		case 7:
			fmt.Fprintf(&b, "print(projects(group = %s))\n", p)
		case 8:
			fmt.Fprintf(&b, "print(releases(%s, limit = %s))\n", p, pick([]string{"1", "0", "-1", "1000", "1001", `"5"`}, &i))
		case 9:
			fmt.Fprintf(&b, "print(current(%s, %s, tenant = %s))\n", p, pick(fuzzEnvs, &i), pick(fuzzTenants, &i))
		case 10:
			fmt.Fprintf(&b, "print(dashboard(projects = %s, environments = %s))\n", pick(fuzzTenants, &i), pick(fuzzEnvs, &i))
		case 11:
			fmt.Fprintf(&b, "print(duration(%s))\n", pick(fuzzDurations, &i))
		case 12:
			fmt.Fprintf(&b, "output(%s, %s)\n", p, pick(fuzzVars, &i))
		case 13:
			fmt.Fprintf(&b, "print(json.encode(%s), target(%s))\n", pick(fuzzVars, &i), pick([]string{"None", `"prod"`, `"nope"`, `"https://evil.example.com"`}, &i))
		}
	}
	return b.String()
}

// FuzzScript runs scripts of builtin calls, generated from fuzz bytes,
// against the fake Octopus. Whatever the arguments, a builtin must
// return a value or an error at a script position: never panic, never
// hang past its timeout.
func FuzzScript(f *testing.F) {
	for _, seed := range [][]byte{
		{0, 0, 1, 1, 0, 0, 5, 0, 0},
		{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13},
		{2, 1, 0, 5, 4, 3, 2, 1},
		{13, 3, 12, 6, 6, 1, 9, 9},
		{3, 0, 2, 1, 5, 1, 3},
	} {
		f.Add(seed)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		src := fuzzScript(data)
		def, prod := newFake("default"), newFake("prod")
		var log strings.Builder
		env := fakeEnv(t, def, prod, &log)
		rt := interp.New(interp.Options{Registry: Registry(), Globals: Globals(nil), Locals: env.Locals(),
			Stdout: &strings.Builder{}, MaxSteps: 100_000})
		path := filepath.Join(dir, "fuzz.star")
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err := rt.ExecFile(ctx, path)
		if err == nil {
			return
		}
		text := interp.FormatError(err)
		if strings.Contains(text, "internal error") {
			t.Fatalf("a builtin panicked:\n%s\nscript:\n%s", text, src)
		}
		if ctx.Err() != nil {
			t.Fatalf("the script hung:\n%s\nscript:\n%s", text, src)
		}
		if !strings.Contains(text, "fuzz.star:") {
			t.Fatalf("the error does not say where:\n%s\nscript:\n%s", text, src)
		}
	})
}

// FuzzDuration checks the duration parser every timeout goes through:
// it accepts or refuses, with a message that shows the value.
func FuzzDuration(f *testing.F) {
	for _, s := range []string{"30m", "1h30m", "90s", "", "soon", "-5m", "9999999999h", "1e3s", "0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var d Duration
		err := d.Unpack(starlark.String(s))
		if err != nil && !strings.Contains(err.Error(), "is not a duration") {
			t.Fatalf("Unpack(%q): %v", s, err)
		}
		if err == nil && checkDuration(starlark.String(s)) == nil && d <= 0 {
			t.Fatalf("checkDuration accepted %q = %v", s, time.Duration(d))
		}
	})
}
