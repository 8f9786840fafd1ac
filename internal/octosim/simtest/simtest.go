// Package simtest serves the Octopus Server simulator to tests, as
// net/http/httptest serves a handler: one call gives a running simulator
// on a loopback port, closed when the test ends. Tests still talk to it
// through the official client, over HTTP.
package simtest

import (
	"net/http/httptest"
	"testing"

	"github.com/octostar/octostar/internal/octosim"
)

// Serve runs a simulator of seed for the rest of the test and returns
// it with its base URL. At the end the HTTP server closes first, so no
// request is still in flight when the simulator stops.
func Serve(tb testing.TB, seed *octosim.Seed, opts ...octosim.Option) (*octosim.Server, string) {
	tb.Helper()
	srv, err := octosim.New(seed, opts...)
	if err != nil {
		tb.Fatalf("starting the simulator: %v", err)
	}
	ts := httptest.NewServer(srv)
	tb.Cleanup(func() { ts.Close(); srv.Close() })
	return srv, ts.URL
}

// ServeFile is Serve with the seed read from a seed file.
func ServeFile(tb testing.TB, path string, opts ...octosim.Option) (*octosim.Server, string) {
	tb.Helper()
	seed, err := octosim.LoadSeed(path)
	if err != nil {
		tb.Fatalf("seed %s: %v", path, err)
	}
	return Serve(tb, seed, opts...)
}

// ServeJSON is Serve with the seed given as JSON text.
func ServeJSON(tb testing.TB, seedJSON string, opts ...octosim.Option) (*octosim.Server, string) {
	tb.Helper()
	seed, err := octosim.ParseSeed([]byte(seedJSON))
	if err != nil {
		tb.Fatalf("seed: %v", err)
	}
	return Serve(tb, seed, opts...)
}
