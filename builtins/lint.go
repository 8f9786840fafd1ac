package builtins

import (
	"fmt"
	"time"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"github.com/octostar/octostar/interp"
)

// IDIgnoredRun is the lint for a run started with wait=False whose result
// is dropped in a script that never waits for everything.
const IDIgnoredRun = "OS101"

// Lints are attached here, in one place, so `octostar check` and the docs
// list the same rules.
func init() {
	for _, spec := range []*interp.Spec{deploySpec, runRunbookSpec, promoteSpec} {
		spec.Lint = lintIgnoredRun
	}
	for _, spec := range []*interp.Spec{deploySpec, runRunbookSpec, waitSpec, interveneSpec} {
		for i := range spec.Params {
			if p := &spec.Params[i]; p.Name == "timeout" || (spec == interveneSpec && p.Name == "wait") {
				p.Check = checkDuration
			}
		}
	}
}

// checkDuration vets a duration written in the script: what the run
// would refuse at the call.
func checkDuration(v starlark.Value) error {
	if v == starlark.None {
		return nil
	}
	var d Duration
	if err := d.Unpack(v); err != nil {
		return err
	}
	if d <= 0 {
		return fmt.Errorf("got %s, want a positive duration such as \"30m\"", time.Duration(d))
	}
	return nil
}

// lintIgnoredRun warns about `deploy(..., wait = False)` as a statement of
// its own when the script has no argument-less wait(): nothing waits for
// the run, so the script may end while it is still going and never
// learn that it failed.
func lintIgnoredRun(c interp.LintCall) []interp.Finding {
	w, ok := c.Keywords["wait"]
	if !ok || !c.Discarded || interp.Literal(w) != starlark.False {
		return nil
	}
	for _, call := range interp.Calls(c.File, "wait") {
		if len(call.Args) == 0 || onlyKeywords(call.Args) {
			return nil // wait() waits for every run the script started
		}
	}
	name := c.Call.Fn.(*syntax.Ident).Name
	return []interp.Finding{{
		Pos: c.Call.Lparen, ID: IDIgnoredRun, Name: "ignored-run", Warning: true,
		Msg: fmt.Sprintf("the result of %s(..., wait = False) is dropped and the script never calls wait(): nothing waits for this run or notices if it fails", name),
		Fix: fmt.Sprintf("keep it (r = %s(...)) and pass it to wait(r), or end the script with wait()", name),
	}}
}

func onlyKeywords(args []syntax.Expr) bool {
	for _, a := range args {
		if b, ok := a.(*syntax.BinaryExpr); !ok || b.Op != syntax.EQ {
			return false
		}
	}
	return true
}
