//go:build race

package faults

// raceEnabled: the tests run under -race, so octostar is built with it
// too and a data race in the client under faults fails the scenario.
const raceEnabled = true
