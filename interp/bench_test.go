package interp

import (
	"testing"

	"go.starlark.net/starlark"
)

// BenchmarkBuiltinCall is the overhead of one call from a script into a
// registered builtin, including the panic guard and UnpackArgs with a
// positional and a keyword argument. Compare with BenchmarkLoopBaseline.
func BenchmarkBuiltinCall(b *testing.B) {
	noop := &Spec{Name: "noop", Doc: "Does nothing.", Params: []Param{{Name: "project", Doc: "p"}, {Name: "to", Default: "None", Doc: "t"}}}
	noop.Impl = func(th *starlark.Thread, bi *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var project, to string
		if err := noop.UnpackArgs(args, kwargs, &project, &to); err != nil {
			return nil, err
		}
		return starlark.None, nil
	}
	benchLoop(b, testRegistry(noop), "def run(n):\n    for i in range(n):\n        noop('Web', to = 'Test')\n")
}

// BenchmarkLoopBaseline is the same loop without the call.
func BenchmarkLoopBaseline(b *testing.B) {
	benchLoop(b, testRegistry(), "def run(n):\n    for i in range(n):\n        pass\n")
}

func benchLoop(b *testing.B, reg *Registry, src string) {
	rt := New(Options{Registry: reg})
	th, done := rt.NewThread(b.Context(), "bench", nil)
	defer done()
	globals, err := rt.Exec(th, "bench.star", []byte(src))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	if _, err := starlark.Call(th, globals["run"], starlark.Tuple{starlark.MakeInt(b.N)}, nil); err != nil {
		b.Fatal(err)
	}
}
