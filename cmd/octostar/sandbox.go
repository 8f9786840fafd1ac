package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/octostar/octostar/internal/octosim"
)

func sandboxCmd(io stdio, args []string) int {
	fs := newFlags(io, "sandbox", "",
		"Serves the Octopus Server simulator until interrupted, and prints the URL, the space and the\n"+
			"API keys to use. Any Octopus client (octostar, the octopus CLI, go-octopusdeploy) can drive it.")
	var (
		addr, seedPath, apiKey string
		speed, faultRate       float64
		taskCap                int
		latency                time.Duration
	)
	fs.StringVar(&addr, "addr", "127.0.0.1:8065", "address to listen on (loopback unless you say otherwise)")
	fs.StringVar(&seedPath, "seed", "", "seed file declaring the world (default: the embedded demo world)")
	fs.StringVar(&apiKey, "api-key", "", "fix the administrator's API key (API- and capital letters or digits); default: a new one")
	fs.Float64Var(&speed, "speed", 1, "simulated task speed: 10 runs tasks ten times faster")
	fs.IntVar(&taskCap, "task-cap", 5, "how many tasks run at once (Octopus's default is 5)")
	fs.DurationVar(&latency, "latency", 0, "delay added to every API response")
	fs.Float64Var(&faultRate, "fault-rate", 0, "fraction (0 to 1) of API requests answered with a 500")
	if code, done := parseFlags(io, fs, args); done {
		return code
	}
	if fs.NArg() != 0 {
		return usageError(io, fs, "takes no arguments, got %d", fs.NArg())
	}
	switch {
	case speed <= 0:
		return usageError(io, fs, "--speed %v: want a number above 0", speed)
	case taskCap < 1:
		return usageError(io, fs, "--task-cap %d: want at least 1", taskCap)
	case faultRate < 0 || faultRate > 1:
		return usageError(io, fs, "--fault-rate %v: want a fraction from 0 to 1", faultRate)
	case latency < 0:
		return usageError(io, fs, "--latency %s: want a positive duration", latency)
	}
	var (
		seed *octosim.Seed
		err  error
	)
	if seedPath == "" {
		seed = octosim.DemoSeed()
	} else {
		seed, err = octosim.LoadSeed(seedPath)
	}
	if err != nil {
		return usageError(io, fs, "--seed %s: %v", seedPath, err)
	}
	if apiKey == "" && seed != nil {
		apiKey = seed.AdminAPIKey
	}
	if apiKey == "" {
		apiKey = newAPIKey()
	}
	srv, err := octosim.New(seed, octosim.WithAPIKey(apiKey), octosim.WithTimeScale(speed), octosim.WithTaskCap(taskCap),
		octosim.WithLatency(latency), octosim.WithFaultRate(faultRate))
	if err != nil && seedPath != "" {
		return usageError(io, fs, "--seed %s: %v", seedPath, err)
	}
	if err != nil {
		return usageError(io, fs, "%v", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(io.err, "octostar sandbox: %v\n", err)
		return exitFailed
	}
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(io.out, "Octopus simulator serving at %s\n", url)
	fmt.Fprintf(io.out, "  space:       %s\n", srv.DefaultSpaceID())
	fmt.Fprintf(io.out, "  admin key:   %s\n", apiKey)
	for _, k := range seedKeys(seed) {
		fmt.Fprintf(io.out, "  %-12s %s (user %s)\n", k.purpose+":", k.key, k.user)
	}
	fmt.Fprintf(io.out, "Try: OCTOPUS_URL=%s OCTOPUS_API_KEY=%s octostar repl\n", url, apiKey)
	fmt.Fprintf(io.out, "Control: %s/_octosim/stats, /_octosim/knobs, /_octosim/reset. Ctrl-C stops it.\n", url)

	ctx, stop := withSignals(context.Background())
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		srv.Close()
		return exitOK
	case err := <-errc:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(io.err, "octostar sandbox: %v\n", err)
			return exitFailed
		}
		return exitOK
	}
}

type seedKey struct{ user, purpose, key string }

// seedKeys lists the API keys a seed fixes, for the banner.
func seedKeys(seed *octosim.Seed) []seedKey {
	var out []seedKey
	if seed == nil {
		return nil
	}
	for _, u := range seed.Users {
		for _, k := range u.APIKeys {
			if k.Key != "" {
				out = append(out, seedKey{user: u.Username, purpose: k.Purpose, key: k.Key})
			}
		}
	}
	return out
}
