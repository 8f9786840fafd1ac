package builtins

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"go.starlark.net/lib/json"
	sltime "go.starlark.net/lib/time"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"github.com/octostar/octostar/interp"
)

// coreSpecs are the language-level helpers every script has: they touch
// nothing outside the interpreter.
func coreSpecs() []*interp.Spec {
	return []*interp.Spec{
		varsSpec,
		{
			Name:  "struct",
			Group: GroupLanguage,
			Doc: "Creates an immutable record whose fields are the keyword arguments. " +
				"Fields are read as attributes; two structs are equal when their fields are.",
			Params:  []interp.Param{{Name: "fields", Type: "any", Kwargs: true, Doc: "the fields, by keyword"}},
			Returns: "struct",
			Impl:    starlarkstruct.Make,
			Example: `point = struct(x = 1, y = 2)
print(point.x + point.y)  # 3`,
		},
		durationSpec,
		{
			Name:  "json",
			Group: GroupLanguage,
			Doc:   "Encodes Starlark values as JSON and decodes JSON text (the go.starlark.net json module).",
			Value: json.Module,
			Members: []*interp.Spec{
				{Name: "encode", Doc: "Returns the compact JSON text of x. Dicts need string keys; structs encode as objects.",
					Params: []interp.Param{{Name: "x", Type: "any"}}, Returns: "str"},
				{Name: "decode", Doc: "Parses JSON text into dicts, lists, strings, numbers, booleans and None. A second argument, if given, is returned instead of failing on bad input.",
					Params: []interp.Param{{Name: "x", Type: "str"}}, Returns: "any"},
				{Name: "encode_indent", Doc: "Like encode, but indented for people to read.",
					Params: []interp.Param{{Name: "x", Type: "any"}, {Name: "prefix", Type: "str", Default: `""`, KeywordOnly: true}, {Name: "indent", Type: "str", Default: `"\t"`, KeywordOnly: true}}, Returns: "str"},
				{Name: "indent", Doc: "Re-indents JSON text.",
					Params: []interp.Param{{Name: "str", Type: "str"}, {Name: "prefix", Type: "str", Default: `""`, KeywordOnly: true}, {Name: "indent", Type: "str", Default: `"\t"`, KeywordOnly: true}}, Returns: "str"},
			},
			Example: `cfg = json.decode('{"projects": ["Web", "Api"]}')
print(json.encode({"count": len(cfg["projects"])}))  # {"count":2}`,
		},
	}
}

// varsSpec documents the per-run vars dict; the command fills it.
var varsSpec = &interp.Spec{
	Name:  "vars",
	Group: GroupLanguage,
	Doc: "A frozen dict of the --var NAME=VALUE pairs given on the command line, name to string value. " +
		"Use vars.get(name, default) for optional ones.",
	Returns: "dict[str, str]",
	Example: `env = vars.get("env", "Development")`,
}

// Vars builds the frozen vars dict from --var pairs.
func Vars(pairs map[string]string) *starlark.Dict {
	d := starlark.NewDict(len(pairs))
	for _, k := range slices.Sorted(maps.Keys(pairs)) {
		_ = d.SetKey(starlark.String(k), starlark.String(pairs[k]))
	}
	d.Freeze()
	return d
}

// Globals returns the per-run predeclared values for the given vars.
func Globals(vars map[string]string) starlark.StringDict {
	return starlark.StringDict{varsSpec.Name: Vars(vars)}
}

var durationSpec = &interp.Spec{
	Name:  "duration",
	Group: GroupLanguage,
	Doc: "Returns a duration from text such as \"90s\", \"30m\" or \"1h30m\" (units ns, us, ms, s, m, h), or from a number of seconds. " +
		"Durations compare, add, subtract, multiply by numbers and divide; .seconds, .minutes and .hours read them back. " +
		"Every builtin parameter that takes a duration also accepts the text form directly.",
	Params:  []interp.Param{{Name: "value", Type: "str | int | float | duration", Doc: "the text, a number of seconds, or a duration"}},
	Returns: "duration",
	Example: `timeout = duration("1h") + duration(90)
print(timeout)  # 1h1m30s`,
}

func init() { durationSpec.Impl = durationImpl }

func durationImpl(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var d Duration
	if err := durationSpec.UnpackArgs(args, kwargs, &d); err != nil {
		return nil, err
	}
	return sltime.Duration(d), nil
}

// Duration unpacks a duration parameter given as text ("30m"), a number
// of seconds, or a duration value.
type Duration time.Duration

// Unpack implements starlark.Unpacker.
func (d *Duration) Unpack(v starlark.Value) error {
	switch x := v.(type) {
	case sltime.Duration:
		*d = Duration(x)
	case starlark.String:
		parsed, err := time.ParseDuration(string(x))
		if err != nil {
			return fmt.Errorf("%q is not a duration; write it like \"90s\", \"30m\" or \"1h30m\"", string(x))
		}
		*d = Duration(parsed)
	case starlark.Int:
		secs, ok := x.Int64()
		if !ok || secs > int64(time.Duration(1<<63-1)/time.Second) || secs < -int64(time.Duration(1<<63-1)/time.Second) {
			return fmt.Errorf("%s seconds is out of range for a duration", x)
		}
		*d = Duration(time.Duration(secs) * time.Second)
	case starlark.Float:
		secs := float64(x)
		if secs != secs || secs > float64(1<<63-1)/float64(time.Second) || secs < -float64(1<<63-1)/float64(time.Second) {
			return fmt.Errorf("%v seconds is out of range for a duration", secs)
		}
		*d = Duration(time.Duration(secs * float64(time.Second)))
	default:
		return fmt.Errorf("got %s, want a duration such as \"30m\" or a number of seconds", v.Type())
	}
	return nil
}
