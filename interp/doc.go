// Package interp is octostar's sandboxed Starlark runtime.
//
// It owns everything about running a user's script safely and nothing
// about Octopus: the one dialect scripts are written in, the thread
// factory (step limit, cancellation, print), the confined load() of
// sibling .star files, the registry of builtins that other packages
// fill, error rendering, the static checker and the REPL loop.
//
// A script sees only Starlark's universe plus what the registry
// declares. No files, environment, clock, randomness or network reach it
// except through a registered builtin.
package interp
