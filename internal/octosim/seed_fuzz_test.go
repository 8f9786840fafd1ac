package octosim

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// FuzzSeed feeds seed files to the parser and the world builder: a seed
// is user input (--sandbox=FILE, octostar sandbox --seed), so any bytes
// must give a world or an error that starts with "seed:" and names
// where, never a panic.
func FuzzSeed(f *testing.F) {
	f.Add(DemoSeedJSON())
	f.Add([]byte(`{"environments": [{"name": "Dev"}], "lifecycles": [{"name": "L", "phases": [{"name": "Dev", "optional": ["Dev"]}]}],
		"projectGroups": [{"name": "G"}], "projects": [{"name": "P", "group": "G", "lifecycle": "L", "steps": [{"name": "S", "type": "script", "script": "x"}]}]}`))
	f.Add([]byte(`{"projects": [{"name": "P", "lifecycle": "Nope"}]}`))
	f.Add([]byte(`{"environments": "Dev"}`))
	f.Add([]byte(`{"adminApiKey": "API-lower"}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"releases": [{"project": "P", "version": "1.i.c"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		done := make(chan error, 1)
		go func() { done <- buildSeed(data) }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("building the world hangs on this seed:\n%s", data)
		}
	})
}

// buildSeed parses and builds a world, and checks the error's form.
func buildSeed(data []byte) error {
	seed, err := ParseSeed(data)
	if err != nil {
		if !strings.HasPrefix(err.Error(), "seed:") {
			return fmt.Errorf("ParseSeed error without the seed: prefix: %v", err)
		}
		return nil
	}
	srv, err := New(seed, WithInstantTasks())
	if err != nil {
		if !strings.HasPrefix(err.Error(), "seed:") {
			return fmt.Errorf("New error without the seed: prefix: %v", err)
		}
		return nil
	}
	srv.Close()
	return nil
}
