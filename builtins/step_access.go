package builtins

import (
	"go.starlark.net/lib/json"
	"go.starlark.net/starlark"
)

// This file holds what the command needs from a run to report it to an
// Octopus script step (cmd/octostar/octopusstep.go): how outputs read as
// variables, which outputs are secret, and how many tasks are done.

// SensitiveShown stands for a sensitive output's value wherever octostar
// shows it (logs, summaries): an artifact is not masked by Octopus.
const SensitiveShown = "(sensitive)"

// Text is the value as an Octopus variable holds it: a string as is,
// anything else as JSON, so a later step can parse a list or a dict.
func (o Output) Text() string {
	if s, ok := o.Value.(starlark.String); ok {
		return string(s)
	}
	v, err := starlark.Call(&starlark.Thread{Name: "output"}, json.Module.Members["encode"], starlark.Tuple{o.Value}, nil)
	if s, ok := v.(starlark.String); ok && err == nil {
		return string(s)
	}
	return o.Value.String() // not JSON-able (a function): its Starlark form
}

// Shown is what logs and summaries may print of the value.
func (o Output) Shown() string {
	if o.Sensitive {
		return SensitiveShown
	}
	return o.Value.String()
}

// markSensitive records that the output holds a secret. It stays so for
// the rest of the run, even if a later output() leaves sensitive out: a
// name that once held a secret likely holds another.
func (e *Env) markSensitive(name string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sensitive == nil {
		e.sensitive = map[string]bool{}
	}
	e.sensitive[name] = true
}

// reportTasks tells OnTasks how many of the runs this script started
// have ended. It is called after each poll that saw a state change, on
// the script's goroutine, which is the one that updates task states.
func (e *Env) reportTasks() {
	if e.OnTasks == nil {
		return
	}
	runs := e.tracked()
	done := 0
	for _, tr := range runs {
		if tr.finished() {
			done++
		}
	}
	e.OnTasks(done, len(runs))
}
