package versioning

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

var testClock = time.Date(2020, time.October, 2, 7, 5, 9, 0, time.UTC)

func TestNextVersion(t *testing.T) {
	const (
		lastParts = "#{Octopus.Version.LastMajor}|#{Octopus.Version.LastMinor}|#{Octopus.Version.LastPatch}|#{Octopus.Version.LastBuild}|#{Octopus.Version.LastRevision}|#{Octopus.Version.LastSuffix}"
		nextParts = "#{Octopus.Version.NextMajor}|#{Octopus.Version.NextMinor}|#{Octopus.Version.NextPatch}|#{Octopus.Version.NextBuild}|#{Octopus.Version.NextRevision}|#{Octopus.Version.NextSuffix}"
	)
	vars := map[string]string{
		"Major":          "3",
		"Suffix":         "-rc",
		"Nested":         "#{Major}.#{Octopus.Version.NextMinor}",
		"Flag":           "True",
		"Off":            " False ",
		"Zero":           "0",
		"Empty":          "",
		"Env":            "prod",
		"Mixed.Case.Var": "7",
	}
	tests := []struct {
		name     string
		template string
		last     string
		opts     []Option
		want     string
		expand   bool // compare ExpandTemplate instead of NextVersion
	}{
		{name: "default, first release", template: DefaultTemplate, want: "0.0.1"},
		{name: "default", template: DefaultTemplate, last: "1.4.7", want: "1.4.8"},
		{name: "default after pre-release", template: DefaultTemplate, last: "1.4.7-beta.2", want: "1.4.8"},
		{name: "default after 2 parts", template: DefaultTemplate, last: "1.4", want: "1.4.1"},
		{name: "docs example", template: "1.2.#{Octopus.Version.NextPatch}-pre", last: "1.2.3", want: "1.2.4-pre"},
		{name: "last parts", template: lastParts, last: "1.2.3.4-beta.5+meta", want: "1|2|3|3|4|-beta.5", expand: true},
		{name: "next parts", template: nextParts, last: "1.2.3.4-beta.5+meta", want: "2|3|4|4|5|-beta.5", expand: true},
		{name: "last parts, no release", template: lastParts, want: "0|0|0|0|0|", expand: true},
		{name: "next parts, no release", template: nextParts, want: "1|1|1|1|1|", expand: true},
		{name: "suffix", template: "#{Octopus.Version.LastMajor}.#{Octopus.Version.LastMinor}.#{Octopus.Version.NextPatch}#{Octopus.Version.LastSuffix}", last: "2.0.0-beta", want: "2.0.1-beta"},
		{name: "suffix of stable", template: "#{Octopus.Version.LastMajor}.0.0#{Octopus.Version.LastSuffix}", last: "2.0.0+meta", want: "2.0.0"},
		{name: "revision", template: "#{Octopus.Version.LastMajor}.#{Octopus.Version.LastMinor}.#{Octopus.Version.LastPatch}.#{Octopus.Version.NextRevision}", last: "1.2.3", want: "1.2.3.1"},
		{name: "case-insensitive names", template: "#{octopus.version.LASTMAJOR}.#{OCTOPUS.VERSION.nextminor}.0", last: "4.5.6", want: "4.6.0"},
		{name: "spaces in token", template: "#{ Octopus.Version.LastMajor }.0", last: "4.5.6", want: "4.0"},
		{name: "surrounding space trimmed", template: "  1.0.#{Octopus.Version.NextPatch}\n", last: "1.0.0", want: "1.0.1"},
		{name: "big part", template: DefaultTemplate, last: "1.2.2147483646", want: "1.2.2147483647"},

		// Channels.
		{name: "channel scope", template: "#{Octopus.Version.Channel.LastMajor}.#{Octopus.Version.Channel.LastMinor}.#{Octopus.Version.Channel.NextPatch}",
			last: "9.9.9", opts: []Option{WithChannel("Hotfix", "1.2.3")}, want: "1.2.4"},
		{name: "channel scope, channel empty", template: "#{Octopus.Version.Channel.LastMajor}.#{Octopus.Version.Channel.LastMinor}.#{Octopus.Version.Channel.NextPatch}",
			last: "9.9.9", opts: []Option{WithChannel("Hotfix", "")}, want: "0.0.1"},
		{name: "channel name", template: "1.0.#{Octopus.Version.NextPatch}-#{Octopus.Release.Channel.Name}",
			last: "1.0.4", opts: []Option{WithChannel("beta", "")}, want: "1.0.5-beta"},
		{name: "other channel", template: "#{Octopus.Version.Channel[Release].LastMajor}.#{Octopus.Version.Channel[release].NextMinor}.0-#{Octopus.Version.Channel[My Channel].NextPatch}",
			opts: []Option{WithOtherChannel("Release", "5.6.7"), WithOtherChannel("My Channel", "")}, want: "5.7.0-1"},
		{name: "current channel by index", template: "#{Octopus.Version.Channel[Beta].NextMajor}.0",
			opts: []Option{WithChannel("Beta", "3.0")}, want: "4.0"},
		{name: "unicode channel name", template: "#{Octopus.Version.Channel[İstanbul].NextMajor}.0",
			opts: []Option{WithOtherChannel("İstanbul", "1.0")}, want: "2.0"},

		// Dates and times.
		{name: "date", template: "#{Octopus.Date.Year}.#{Octopus.Date.Month}.#{Octopus.Date.Day}", opts: []Option{WithClock(testClock)}, want: "2020.10.2"},
		{name: "time", template: "#{Octopus.Date.DayOfYear}.#{Octopus.Time.Hour}.#{Octopus.Time.Minute}.#{Octopus.Time.Second}", opts: []Option{WithClock(testClock)}, want: "276.7.5.9"},
		{name: "clock location is used", template: "#{Octopus.Date.Day}.#{Octopus.Time.Hour}",
			opts: []Option{WithClock(testClock.In(time.FixedZone("x", -8*3600)))}, want: "1.23"},

		// Masks.
		{name: "mask, first release", template: "1.2.i", want: "1.2.0"},
		{name: "mask on last", template: "1.2.i", last: "1.2.7", want: "1.2.8"},
		{name: "mask c.i", template: "1.c.i", last: "1.4", want: "1.4.1"},
		{name: "mask, last does not agree", template: "2.1.c.i", last: "1.0.0", want: "2.1.0.0"},
		{name: "mask on existing", template: "2.1.c.i", last: "1.0.0", opts: []Option{WithExistingVersions("2.1.0.3", "2.1.0.9", "2.2.0")}, want: "2.1.0.10"},
		{name: "mask from variables", template: "#{Major}.i", last: "3.4", want: "3.5"},
		{name: "date with i, same day", template: "#{Octopus.Date.Year}.#{Octopus.Date.Month}.#{Octopus.Date.Day}.i",
			last: "2020.10.2.3", opts: []Option{WithClock(testClock)}, want: "2020.10.2.4"},
		{name: "date with i, new day", template: "#{Octopus.Date.Year}.#{Octopus.Date.Month}.#{Octopus.Date.Day}.i",
			last: "2020.10.1.3", opts: []Option{WithClock(testClock)}, want: "2020.10.2.0"},
		{name: "expand keeps the mask", template: "#{Octopus.Date.Year}.#{Octopus.Date.Month}.#{Octopus.Date.Day}.i",
			last: "2020.10.2.3", opts: []Option{WithClock(testClock)}, want: "2020.10.2.i", expand: true},
		{name: "pre-release mask", template: "1.2.3-#{Octopus.Release.Channel.Name}.i", last: "1.2.3-beta.4", opts: []Option{WithChannel("beta", "")}, want: "1.2.3-beta.5"},

		// The docs' date-with-revision expression (on one line).
		{name: "docs conditional, same day", template: docsDateTemplate, last: "2020.10.2.1", opts: []Option{WithClock(testClock)}, want: "2020.10.2.2"},
		{name: "docs conditional, new day", template: docsDateTemplate, last: "2020.10.1.4", opts: []Option{WithClock(testClock)}, want: "2020.10.2.0"},
		// Octostache reads the unquoted 0 in "LastRevision!=0" as an unknown
		// variable, "", so the inner #{if} is always true.
		{name: "docs conditional, new day after .0", template: docsDateTemplate, last: "2020.10.1.0", opts: []Option{WithClock(testClock)}, want: "2020.10.2.0"},
		{name: "docs conditional, first release", template: docsDateTemplate, opts: []Option{WithClock(testClock)}, want: "2020.10.2.0"},
		{name: "unknown variable in a condition is empty", template: `1.#{if Missing}1#{else}2#{/if}.#{if Missing == ""}3#{/if}.#{if Env != 0}4#{/if}`, want: "1.2.3.4"},

		// Project variables and conditionals.
		{name: "variables", template: "#{Major}.0.#{Octopus.Version.NextPatch}#{Suffix}", last: "3.0.4", want: "3.0.5-rc"},
		{name: "variable case-insensitive", template: "1.#{mixed.case.VAR}", want: "1.7"},
		{name: "nested variable", template: "#{Nested}.0", last: "1.1", want: "3.2.0"},
		{name: "if true", template: "1.0#{if Flag}.1#{/if}", want: "1.0.1"},
		{name: "if false", template: "1.0#{if Off}.1#{else}.2#{/if}", want: "1.0.2"},
		{name: "if zero", template: "1.0#{if Zero}.1#{else}.2#{/if}", want: "1.0.2"},
		{name: "if empty", template: "1.0#{if Empty}.1#{else}.2#{/if}", want: "1.0.2"},
		{name: "tab after if", template: "1.0#{if\tFlag}.1#{/if}", want: "1.0.1"},
		{name: "unless", template: "1.0#{unless Flag}.1#{else}.3#{/unless}", want: "1.0.3"},
		{name: "equals literal", template: `1.#{if Env == "prod"}0#{else}9#{/if}`, want: "1.0"},
		{name: "not equals literal", template: `1.#{if Env != "prod"}0#{else}9#{/if}`, want: "1.9"},
		{name: "equals variable", template: `1.#{if Octopus.Version.LastMajor == Major}same#{else}other#{/if}`, last: "3.1", want: "1.same", expand: true},
		{name: "nested if", template: `1.#{if Flag}#{if Env == "dev"}1#{else}2#{/if}#{else}3#{/if}`, want: "1.2"},
		{name: "escape", template: "##{Octopus.Version.NextPatch}", want: "#{Octopus.Version.NextPatch}", expand: true},
		{name: "built-ins win", template: "#{Octopus.Version.NextMajor}", opts: nil, want: "1", expand: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			var err error
			if tt.expand {
				got, err = ExpandTemplate(tt.template, tt.last, vars, tt.opts...)
			} else {
				got, err = NextVersion(tt.template, tt.last, vars, tt.opts...)
			}
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

const docsDateTemplate = "#{Octopus.Date.Year}.#{Octopus.Date.Month}.#{Octopus.Date.Day}." +
	"#{if Octopus.Date.Day==Octopus.Version.LastPatch}#{Octopus.Version.NextRevision}" +
	"#{else}#{if Octopus.Version.LastRevision!=0}0#{else}#{Octopus.Version.NextRevision}#{/if}#{/if}"

func TestBuiltinsOverrideVariables(t *testing.T) {
	got, err := NextVersion("#{Octopus.Version.NextMajor}.0", "4.0", map[string]string{"Octopus.Version.NextMajor": "99"})
	if err != nil || got != "5.0" {
		t.Errorf("got %q, %v; want 5.0", got, err)
	}
}

func TestNextVersionErrors(t *testing.T) {
	vars := map[string]string{
		"Loop":  "#{Loop2}",
		"Loop2": "#{loop}",
		"Bad":   "#{Nope}",
		"Open":  "#{Nope",
	}
	tests := []struct {
		template, last string
		opts           []Option
		want           string
	}{
		{"1.#{Foo}", "", nil, `version template "1.#{Foo}", offset 2, #{Foo}: unknown variable "Foo"`},
		{"1.0.#{Octopus.Version.NextPach}", "", nil, `version template "1.0.#{Octopus.Version.NextPach}", offset 4, #{Octopus.Version.NextPach}: unknown variable "Octopus.Version.NextPach"; expected Octopus.Version[.Channel|.Channel[Name]].(Last|Next)(Major|Minor|Patch|Build|Revision|Suffix)`},
		{"#{Octopus.Version.Highest}", "", nil, `version template "#{Octopus.Version.Highest}", offset 0, #{Octopus.Version.Highest}: unknown variable "Octopus.Version.Highest"; expected Octopus.Version[.Channel|.Channel[Name]].(Last|Next)(Major|Minor|Patch|Build|Revision|Suffix)`},
		{"1.#{Octopus.Version.NextPatch", "", nil, `version template "1.#{Octopus.Version.NextPatch", offset 2, #{Octopus.Version.NextPatch: no closing '}'`},
		{"1.#{A#{B}}", "", nil, `version template "1.#{A#{B}}", offset 2, #{A#{B}: nested #{...} is not supported`},
		{"1.#{}", "", nil, `version template "1.#{}", offset 2, #{}: empty variable name`},
		{"1.#{Octopus.Version.NextPatch | ToUpper}", "", nil, `version template "1.#{Octopus.Version.NextPatch | ToUpper}", offset 2, #{Octopus.Version.NextPatch | ToUpper}: filters ('|') are not supported in version templates`},
		{"#{each x in Y}1#{/each}", "", nil, `version template "#{each x in Y}1#{/each}", offset 0, #{each x in Y}: #{each} is not supported in version templates`},
		{"1#{else}", "", nil, `version template "1#{else}", offset 1, #{else}: #{else} outside #{if} or #{unless}`},
		{"1#{/if}", "", nil, `version template "1#{/if}", offset 1, #{/if}: #{/if} without a matching #{if}`},
		{"#{if A}1", "", nil, `version template "#{if A}1", offset 0, #{if A}: #{if} has no matching #{/if}`},
		{"#{if A}1#{/unless}", "", nil, `version template "#{if A}1#{/unless}", offset 8, #{/unless}: #{/unless} closes #{if} opened at offset 0`},
		{"#{if A}1#{else}2#{else}3#{/if}", "", nil, `version template "#{if A}1#{else}2#{else}3#{/if}", offset 16, #{else}: second #{else} in one #{if}`},
		{"#{if}1#{/if}", "", nil, `version template "#{if}1#{/if}", offset 0, #{if}: condition is missing; expected #{if Name}, #{if Name == "text"} or #{if Name != Other}`},
		{"#{if A ==}1#{/if}", "", nil, `version template "#{if A ==}1#{/if}", offset 0, #{if A ==}: both sides of == are needed`},
		{"#{if A B}1#{/if}", "", nil, `version template "#{if A B}1#{/if}", offset 0, #{if A B}: cannot read condition "A B"; expected Name, Name == "text" or Name != Other`},
		{"1.#{if Bad}1#{/if}", "", nil, `version template "1.#{if Bad}1#{/if}", offset 2, #{if Bad}: in the value of variable "Bad": #{Nope} at offset 0: unknown variable "Nope"`},
		{"1.#{if Octopus.Time.Hour}1#{/if}", "", nil, `version template "1.#{if Octopus.Time.Hour}1#{/if}", offset 2, #{if Octopus.Time.Hour}: Octopus.Time.Hour needs a clock (WithClock)`},
		{"#{Octopus.Date.Year}.1", "", nil, `version template "#{Octopus.Date.Year}.1", offset 0, #{Octopus.Date.Year}: Octopus.Date.Year needs a clock (WithClock)`},
		{"1.0-#{Octopus.Release.Channel.Name}", "", nil, `version template "1.0-#{Octopus.Release.Channel.Name}", offset 4, #{Octopus.Release.Channel.Name}: Octopus.Release.Channel.Name needs the release's channel (WithChannel)`},
		{"#{Octopus.Version.Channel.NextMajor}", "", nil, `version template "#{Octopus.Version.Channel.NextMajor}", offset 0, #{Octopus.Version.Channel.NextMajor}: Octopus.Version.Channel.NextMajor needs the release's channel (WithChannel)`},
		{"#{Octopus.Version.Channel[Gone].NextMajor}", "", []Option{WithChannel("Here", "")}, `version template "#{Octopus.Version.Channel[Gone].NextMajor}", offset 0, #{Octopus.Version.Channel[Gone].NextMajor}: no channel named "Gone" is known (WithOtherChannel)`},
		{"#{Octopus.Version.Channel[Gone.NextMajor}", "", nil, `version template "#{Octopus.Version.Channel[Gone.NextMajor}", offset 0, #{Octopus.Version.Channel[Gone.NextMajor}: missing ']' after the channel name`},
		{"#{Octopus.Version.Channel[A]NextMajor}", "", []Option{WithOtherChannel("A", "")}, `version template "#{Octopus.Version.Channel[A]NextMajor}", offset 0, #{Octopus.Version.Channel[A]NextMajor}: expected '.' and a part name after ']'`},
		{DefaultTemplate, "one.two", nil, `version template "#{Octopus.Version.LastMajor}.#{Octopus.Version.LastMinor}.#{Octopus.Version.NextPatch}", offset 0, #{Octopus.Version.LastMajor}: the last release, "one.two", is not a valid version: numeric part 1 ("one") is not a non-negative integer`},
		{"#{Octopus.Version.Channel.NextMajor}", "", []Option{WithChannel("C", "x")}, `version template "#{Octopus.Version.Channel.NextMajor}", offset 0, #{Octopus.Version.Channel.NextMajor}: the channel's last release, "x", is not a valid version: numeric part 1 ("x") is not a non-negative integer`},
		{"#{Loop}", "", nil, `version template "#{Loop}", offset 0, #{Loop}: in the value of variable "Loop": #{Loop2} at offset 0: in the value of variable "Loop2": #{loop} at offset 0: variable "Loop" refers to itself (via Loop -> Loop2 -> Loop)`},
		{"1.#{Bad}", "", nil, `version template "1.#{Bad}", offset 2, #{Bad}: in the value of variable "Bad": #{Nope} at offset 0: unknown variable "Nope"`},
		{"1.#{Open}", "", nil, `version template "1.#{Open}", offset 2, #{Open}: in the value of variable "Open": #{Nope at offset 0: no closing '}'`},
		// The expanded text must be a version.
		{"1.0.#{Octopus.Version.NextPatch}-", "", nil, `version template "1.0.#{Octopus.Version.NextPatch}-" gave "1.0.1-", which is not a valid version: invalid version "1.0.1-": empty pre-release after its separator`},
		{"", "", nil, `version template "" gave "", which is not a valid version: invalid version "": empty; expected 1 to 4 dot-separated numbers such as 1.2.3`},
		{"1.2.i", "1.2.2147483647", nil, `version template "1.2.i" gave mask "1.2.i": applying mask "1.2.i" to "1.2.2147483647": invalid version "1.2.2147483648": numeric part 3 ("2147483648") exceeds 2147483647`},
		{DefaultTemplate, "1.2.2147483647", nil, `version template "#{Octopus.Version.LastMajor}.#{Octopus.Version.LastMinor}.#{Octopus.Version.NextPatch}" gave "1.2.2147483648", which is not a valid version: invalid version "1.2.2147483648": numeric part 3 ("2147483648") exceeds 2147483647`},
	}
	for _, tt := range tests {
		_, err := NextVersion(tt.template, tt.last, vars, tt.opts...)
		if err == nil {
			t.Errorf("NextVersion(%q) succeeded", tt.template)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("NextVersion(%q) error\n got %s\nwant %s", tt.template, err, tt.want)
		}
	}
}

func TestTemplateErrorType(t *testing.T) {
	_, err := NextVersion("1.2.#{Nope}", "", nil)
	var te *TemplateError
	if !errors.As(err, &te) {
		t.Fatalf("error is %T, want *TemplateError", err)
	}
	if te.Offset != 4 || te.Token != "#{Nope}" || !strings.Contains(te.Reason, `"Nope"`) {
		t.Errorf("TemplateError = %+v", te)
	}
	_, err = NextVersion("1.x", "", nil)
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Errorf("invalid result error is %T, want it to wrap *ParseError", err)
	}
}

func TestNilOptionIgnored(t *testing.T) {
	if got, err := NextVersion("1.0", "", nil, nil); err != nil || got != "1.0" {
		t.Errorf("got %q, %v", got, err)
	}
}

func ExampleNextVersion() {
	// The project's default template after release 1.4.7:
	fmt.Println(NextVersion(DefaultTemplate, "1.4.7", nil))
	// A channel-scoped template with the channel name as pre-release:
	fmt.Println(NextVersion(
		"#{Octopus.Version.Channel.LastMajor}.#{Octopus.Version.Channel.LastMinor}.#{Octopus.Version.Channel.NextPatch}-#{Octopus.Release.Channel.Name}",
		"3.0.0", nil, WithChannel("hotfix", "2.5.1-hotfix")))
	// A date-based mask:
	fmt.Println(NextVersion("#{Octopus.Date.Year}.#{Octopus.Date.Month}.#{Octopus.Date.Day}.i", "2020.10.2.3", nil,
		WithClock(time.Date(2020, 10, 2, 12, 0, 0, 0, time.UTC))))
	// Output:
	// 1.4.8 <nil>
	// 2.5.2-hotfix <nil>
	// 2020.10.2.4 <nil>
}
