package interp

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.starlark.net/starlark"
)

// blockSpec is a builtin that waits for its context, as every builtin
// blocked on Octopus I/O must.
var blockSpec = &Spec{Name: "block", Doc: "Blocks until the run is cancelled.", Impl: func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	ctx := Context(th)
	select {
	case <-ctx.Done():
		return nil, errors.New(CauseText(ctx))
	case <-time.After(time.Minute):
		return nil, errors.New("block was never cancelled")
	}
}}

func TestCancelReachesBlockingBuiltin(t *testing.T) {
	tests := []struct {
		name    string
		ctx     func() (context.Context, context.CancelFunc)
		wantErr string
	}{
		{
			name: "interrupt",
			ctx: func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancelCause(context.Background())
				time.AfterFunc(50*time.Millisecond, func() { cancel(errors.New("interrupted (interrupt)")) })
				return ctx, func() { cancel(nil) }
			},
			wantErr: "Error in block: interrupted (interrupt)",
		},
		{
			name: "timeout",
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeoutCause(context.Background(), 50*time.Millisecond, errors.New("the run timed out after 50ms (raise it with --timeout)"))
			},
			wantErr: "Error in block: the run timed out after 50ms (raise it with --timeout)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := tt.ctx()
			defer cancel()
			start := time.Now()
			out, errText := runScript(t, ctx, testRegistry(blockSpec), map[string]string{
				"main.star": "print('before')\nblock()\nprint('after')\n",
			})
			if elapsed := time.Since(start); elapsed > 10*time.Second {
				t.Fatalf("the blocked builtin took %s to return", elapsed)
			}
			if out != "before\n" {
				t.Errorf("output %q: the script went on after the cancel", out)
			}
			want := "Traceback (most recent call last):\n  main.star:2:6: in <toplevel>\n" + tt.wantErr + "\n"
			if errText != want {
				t.Errorf("got:\n%s\nwant:\n%s", errText, want)
			}
		})
	}
}

func TestCancelStopsStarlarkLoop(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	time.AfterFunc(50*time.Millisecond, func() { cancel(errors.New("interrupted (interrupt)")) })
	dir := writeFiles(t, map[string]string{"main.star": "def spin():\n    for i in range(1 << 62):\n        pass\n\nspin()\n"})
	rt := New(Options{Stdout: &strings.Builder{}}) // no step limit: only the cancel can stop it
	_, err := rt.ExecFile(ctx, dir+"/main.star")
	if err == nil {
		t.Fatal("the loop was not stopped")
	}
	got := strings.ReplaceAll(FormatError(err), dir+"/", "")
	want := "Traceback (most recent call last):\n  main.star:5:5: in <toplevel>\n  main.star:2:5: in spin\nError: Starlark computation cancelled: interrupted (interrupt)\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestLoadRunsModuleOncePerRun(t *testing.T) {
	out, errText := runScript(t, t.Context(), nil, map[string]string{
		"main.star":       "load('lib/a.star', 'a')\nload('lib/b.star', 'b')\nload('./lib/a.star', a2='a')\nprint(a, b, a2)\n",
		"lib/a.star":      "load('lib/common.star', 'c')\nprint('a runs')\na = c + 1\n",
		"lib/b.star":      "load('lib/common.star', 'c')\nprint('b runs')\nb = c + 2\n",
		"lib/common.star": "print('common runs')\nc = 10\n",
	})
	if errText != "" {
		t.Fatal(errText)
	}
	if want := "common runs\na runs\nb runs\n11 12 11\n"; out != want {
		t.Errorf("got %q, want %q", out, want)
	}
}

func TestLoadSymlinkInsideRootIsAllowed(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"main.star":     "load('alias.star', 'x')\nprint(x)\n",
		"lib/real.star": "x = 'real'\n",
	})
	if err := symlink("lib/real.star", dir+"/alias.star"); err != nil {
		t.Skip(err)
	}
	var out strings.Builder
	if _, err := New(Options{Stdout: &out}).ExecFile(t.Context(), dir+"/main.star"); err != nil {
		t.Fatal(FormatError(err))
	}
	if out.String() != "real\n" {
		t.Errorf("got %q", out.String())
	}
}

func TestDialect(t *testing.T) {
	tests := []struct {
		name, src, wantOut, wantErr string
	}{
		{name: "sets", src: "print(sorted(set([2, 1, 2])))\n", wantOut: "[1, 2]\n"},
		{name: "top-level for and if", src: "for p in ['a', 'b']:\n    if p == 'b':\n        print(p)\n", wantOut: "b\n"},
		{name: "no while", src: "while False:\n    pass\n", wantErr: "main.star:1:1: this Starlark dialect does not support while loops\n"},
		{name: "no global reassignment", src: "x = 1\nx = 2\n", wantErr: "main.star:2:1: cannot reassign global x declared at main.star:1:1\n"},
		{name: "no recursion", src: "def f(n):\n    return f(n)\nf(1)\n", wantErr: "Traceback (most recent call last):\n  main.star:3:2: in <toplevel>\n  main.star:2:13: in f\n  main.star:2:12: in f\nError: function f called recursively\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errText := runScript(t, t.Context(), nil, map[string]string{"main.star": tt.src})
			if out != tt.wantOut || errText != tt.wantErr {
				t.Errorf("got out %q err %q\nwant out %q err %q", out, errText, tt.wantOut, tt.wantErr)
			}
		})
	}
}
