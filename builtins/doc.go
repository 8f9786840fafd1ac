// Package builtins is octostar's Starlark vocabulary: what each builtin
// is called, which arguments it takes and how it checks them, what it
// returns, and its documentation. Everything is declared once in the
// registry that Registry returns; the runtime, the checker, `octostar
// doc` and docs/builtins.md all read it.
//
// Builtins never perform side effects themselves and never test a
// dry-run flag: work that reaches Octopus goes through the interface in
// internal/octopus, so a dry run or a journal can stand in for it.
package builtins
