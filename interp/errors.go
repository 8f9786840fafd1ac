package interp

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// Render writes err the way a script author needs it: the Starlark
// backtrace with file:line:col for every frame when the script was
// running, every resolver error (not only the first) when it did not
// resolve, and the position of a syntax error.
func Render(w io.Writer, err error) {
	fmt.Fprint(w, FormatError(err))
}

// FormatError is Render into a string, ending in a newline.
func FormatError(err error) string {
	if err == nil {
		return ""
	}
	var b strings.Builder
	if ee := innermostEvalError(err); ee != nil {
		b.WriteString(ee.Backtrace())
		b.WriteByte('\n')
		// A module that failed to resolve reports only its first error
		// through the load; list the rest too.
		if list, ok := errors.AsType[resolve.ErrorList](err); ok && len(list) > 1 {
			for _, e := range list[1:] {
				fmt.Fprintf(&b, "%s\n", e)
			}
		}
		return b.String()
	}
	if list, ok := errors.AsType[resolve.ErrorList](err); ok {
		for _, e := range list {
			fmt.Fprintf(&b, "%s\n", e)
		}
		return b.String()
	}
	if se, ok := errors.AsType[syntax.Error](err); ok {
		fmt.Fprintf(&b, "%s: syntax error: %s\n", se.Pos, se.Msg)
		return b.String()
	}
	b.WriteString(err.Error())
	b.WriteByte('\n')
	return b.String()
}

// innermostEvalError finds the deepest EvalError in the chain. A failing
// load wraps the loaded module's error in the loader's, and only the
// innermost one's call stack reaches the line that failed.
func innermostEvalError(err error) *starlark.EvalError {
	var last *starlark.EvalError
	for e := err; e != nil; e = errors.Unwrap(e) {
		if ee, ok := e.(*starlark.EvalError); ok {
			last = ee
		}
	}
	return last
}
