package interp

import (
	"strings"
	"testing"

	"go.starlark.net/starlark"
)

func TestSpecUnpackArgs(t *testing.T) {
	spec := &Spec{Name: "deploy", Doc: "d", Params: []Param{
		{Name: "project"},
		{Name: "to"},
		{Name: "release", Default: "None", KeywordOnly: true},
		{Name: "wait", Default: "True", KeywordOnly: true},
		{Name: "cancel_on_timeout", Default: "False", KeywordOnly: true},
	}}
	kw := func(pairs ...any) []starlark.Tuple {
		var out []starlark.Tuple
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, starlark.Tuple{starlark.String(pairs[i].(string)), pairs[i+1].(starlark.Value)})
		}
		return out
	}
	tests := []struct {
		name    string
		args    starlark.Tuple
		kwargs  []starlark.Tuple
		wantErr string
		want    string
	}{
		{name: "positional and keywords", args: starlark.Tuple{starlark.String("Web"), starlark.String("Test")},
			kwargs: kw("wait", starlark.False), want: "Web Test  false false"},
		{name: "all by keyword", kwargs: kw("to", starlark.String("Prod"), "project", starlark.String("Api"), "release", starlark.String("1.2")),
			want: "Api Prod 1.2 true false"},
		{name: "None means absent", args: starlark.Tuple{starlark.String("Web"), starlark.String("Test")},
			kwargs: kw("release", starlark.None, "wait", starlark.None), want: "Web Test  true false"},
		// go.starlark.net only suggests names from the first half of the
		// parameter list; ours must suggest for the last parameter too.
		{name: "typo in a late keyword gets a hint", args: starlark.Tuple{starlark.String("Web"), starlark.String("Test")},
			kwargs: kw("cancel_on_timout", starlark.True), wantErr: `deploy: unexpected keyword argument "cancel_on_timout" (did you mean cancel_on_timeout?)`},
		{name: "typo in an early keyword gets a hint", kwargs: kw("projcet", starlark.String("Web")),
			wantErr: `deploy: unexpected keyword argument "projcet" (did you mean project?)`},
		{name: "keyword-only passed positionally",
			args:    starlark.Tuple{starlark.String("Web"), starlark.String("Test"), starlark.String("1.0")},
			wantErr: "deploy: got 3 positional arguments, want at most 2 (pass release, wait, cancel_on_timeout by keyword)"},
		{name: "missing required", args: starlark.Tuple{starlark.String("Web")}, wantErr: "deploy: missing argument for to"},
		{name: "wrong type", args: starlark.Tuple{starlark.String("Web"), starlark.MakeInt(3)},
			wantErr: `deploy: for parameter to: got int, want string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var project, to, release string
			wait, cancel := true, false
			err := spec.UnpackArgs(tt.args, tt.kwargs, &project, &to, &release, &wait, &cancel)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join([]string{project, to, release, starlark.Bool(wait).String(), starlark.Bool(cancel).String()}, " ")
			got = strings.ReplaceAll(strings.ReplaceAll(got, "True", "true"), "False", "false")
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSpecUnpackVariadicAndKwargs(t *testing.T) {
	wait := &Spec{Name: "wait", Doc: "w", Params: []Param{{Name: "runs", Variadic: true}, {Name: "timeout", Default: "None"}}}
	var runs starlark.Tuple
	var timeout string
	err := wait.UnpackArgs(starlark.Tuple{starlark.MakeInt(1), starlark.MakeInt(2)},
		[]starlark.Tuple{{starlark.String("timeout"), starlark.String("5m")}}, &runs, &timeout)
	if err != nil || len(runs) != 2 || timeout != "5m" {
		t.Fatalf("runs=%v timeout=%q err=%v", runs, timeout, err)
	}
	if got := wait.Signature(); got != "wait(*runs, timeout=None)" {
		t.Errorf("signature %q", got)
	}

	promote := &Spec{Name: "promote", Doc: "p", Params: []Param{{Name: "project"}, {Name: "options", Kwargs: true}}}
	var project string
	var extra []starlark.Tuple
	err = promote.UnpackArgs(starlark.Tuple{starlark.String("Web")},
		[]starlark.Tuple{{starlark.String("wait"), starlark.False}}, &project, &extra)
	if err != nil || project != "Web" || len(extra) != 1 || extra[0][0] != starlark.String("wait") {
		t.Fatalf("project=%q extra=%v err=%v", project, extra, err)
	}
}

func TestSignature(t *testing.T) {
	reg := testRegistry()
	spec, _ := reg.Lookup("deploy")
	if got, want := spec.Signature(), `deploy(project, to, *, release=None, wait=True, timeout="30m")`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestRegistryRejectsMalformedEntries(t *testing.T) {
	noop := func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
		return starlark.None, nil
	}
	tests := []struct {
		name  string
		specs []*Spec
		want  string
	}{
		{"duplicate", []*Spec{{Name: "a", Doc: "x", Impl: noop}, {Name: "a", Doc: "x", Impl: noop}}, `"a" registered twice`},
		{"no doc", []*Spec{{Name: "a", Impl: noop}}, "needs a name and a doc"},
		{"shadows universe", []*Spec{{Name: "len", Doc: "x", Impl: noop}}, "shadow a Starlark built-in"},
		{"required after optional", []*Spec{{Name: "a", Doc: "x", Impl: noop, Params: []Param{{Name: "x", Default: "1"}, {Name: "y"}}}}, "required parameter \"y\" follows an optional one"},
		{"variadic not first", []*Spec{{Name: "a", Doc: "x", Impl: noop, Params: []Param{{Name: "x"}, {Name: "y", Variadic: true}}}}, "must be the first"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				p := recover()
				if p == nil || !strings.Contains(p.(string), tt.want) {
					t.Fatalf("panic = %v, want it to contain %q", p, tt.want)
				}
			}()
			NewRegistry().Add(tt.specs...)
		})
	}
}

func TestSafeRecoversPanics(t *testing.T) {
	boom := &Spec{Name: "boom", Doc: "Panics.", Impl: func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
		var m map[string]int
		m["x"] = 1 // nil map write panics
		return starlark.None, nil
	}}
	_, errText := runScript(t, t.Context(), testRegistry(boom), map[string]string{"main.star": "x = 1\nboom()\n"})
	want := "Traceback (most recent call last):\n  main.star:2:5: in <toplevel>\nError in boom: boom: internal error in octostar (please report it): assignment to entry in nil map\n"
	if errText != want {
		t.Errorf("got:\n%s\nwant:\n%s", errText, want)
	}
}
