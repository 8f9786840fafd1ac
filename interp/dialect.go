package interp

import "go.starlark.net/syntax"

// FileOptions is the one Starlark dialect octostar accepts, used for
// every parse, resolve and execution (scripts, loaded modules, the REPL,
// the checker).
//
// Sets and top-level for/if are on because release scripts iterate over
// projects at top level. While loops, recursion and global reassignment
// stay off so that every script terminates and reads top to bottom.
var FileOptions = &syntax.FileOptions{
	Set:             true,
	TopLevelControl: true,
}
