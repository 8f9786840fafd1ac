package main

import (
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

// TestREPLConfirmsFromPipe: with input from a pipe the answers are the
// lines after the statement, so a transcript can be replayed.
func TestREPLConfirmsFromPipe(t *testing.T) {
	const deploy = "deploy('Payments API', to = 'Staging')\n"
	const staging = "current('Payments API', 'Staging').version\n"
	tests := []struct {
		name     string
		stdin    string
		flags    []string
		wantCode int
		wants    []string
		lacks    []string
	}{
		{"no sends nothing", deploy + "n\n" + staging, nil, 1,
			[]string{"deploy Payments API 1.2.0 to Staging? [y/N] n\n", "Error in deploy: deploy: declined at the prompt: nothing was sent", `"1.1.0"`},
			[]string{"Deployment("}},
		{"an empty answer is no", deploy + "\n" + staging, nil, 1,
			[]string{"declined at the prompt", `"1.1.0"`}, nil},
		{"the end of the input is no", deploy, nil, 1,
			[]string{"[y/N] \n", "declined at the prompt"}, nil},
		{"yes deploys", deploy + "y\n" + staging, nil, 0,
			[]string{"[y/N] y\n", `Deployment(project="Payments API", version="1.2.0", environment="Staging", state="Success")`, `"1.2.0"`}, nil},
		{"anything else is asked again", deploy + "sure\nyes\n", nil, 0,
			[]string{"[y/N] sure\nPlease answer y or n.\ndeploy Payments API 1.2.0 to Staging? [y/N] yes\n", "Deployment("}, nil},
		{"create_release names what the server will choose", "create_release('Payments API')\nn\n", nil, 1,
			[]string{"create release of Payments API (version chosen by the server)? [y/N] n\n", "declined"}, nil},
		{"--yes asks nothing", deploy + staging, []string{"--yes"}, 0,
			[]string{"Deployment(", `"1.2.0"`}, []string{"[y/N]"}},
		{"reads never ask", "releases('Payments API')\nenvironments()[0].name\n", nil, 0,
			[]string{"(3 releases)", `"Development"`}, []string{"[y/N]"}},
		{"help shows a result's attributes", "help(releases('Payments API')[0])\n", nil, 0,
			[]string{"a value of type release; its attributes: channel, id, notes, packages, project, url, version"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"repl", "--sandbox", "--sandbox-speed", "500", "--history", "", "--log-level", "warn"}, tt.flags...)
			code, out, errOut := call(t, tt.stdin, args...)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, out, errOut)
			}
			for _, want := range tt.wants {
				if !strings.Contains(out, want) {
					t.Errorf("stdout lacks %q:\n%s", want, out)
				}
			}
			for _, lack := range tt.lacks {
				if strings.Contains(out, lack) {
					t.Errorf("stdout has %q:\n%s", lack, out)
				}
			}
		})
	}
}

func TestREPLTargetFlag(t *testing.T) {
	cfg, stop, err := startSandbox(sandboxDemo, "", 500, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	t.Setenv("SIM_KEY", cfg.APIKey)
	for _, v := range []string{"OCTOPUS_URL", "OCTOPUS_API_KEY", "OCTOPUS_ACCESS_TOKEN", "OCTOSTAR_TARGETS"} {
		t.Setenv(v, "")
	}
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // no targets file by default
	file := filepath.Join(t.TempDir(), "targets.json")
	if err := os.WriteFile(file, []byte(`{"targets": {"sim": {"url": "`+cfg.URL+`", "apiKeyEnv": "SIM_KEY"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
		wantErr  string
	}{
		{"the named target is the default", []string{"--targets", file, "--target", "sim"}, 0, "\"sim\"\nname          group     id\n", ""},
		{"a misspelt target", []string{"--targets", file, "--target", "sin"}, 2, "", "--target sin: no such target in the targets file (did you mean sim?); it has: sim"},
		{"no targets file", []string{"--target", "sim"}, 2, "", "--target sim: no targets file (looked for "},
		{"with --sandbox", []string{"--targets", file, "--target", "sim", "--sandbox"}, 2, "", "--target sim names the target: do not give --sandbox, --server or --api-key with it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"repl", "--history", ""}, tt.args...)
			code, out, errOut := call(t, "target().name\nprojects(name = 'Payments')\n", args...)
			if code != tt.wantCode || !strings.Contains(out, tt.wantOut) || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("exit code %d (want %d)\nstdout:\n%s\nstderr:\n%s\nwant stdout with %q, stderr with %q", code, tt.wantCode, out, errOut, tt.wantOut, tt.wantErr)
			}
		})
	}
}

func TestDefaultHistoryFile(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "config"))
	noState := filepath.Join(home, ".local", "state", "octostar", "repl_history")
	if goruntime.GOOS == "darwin" || goruntime.GOOS == "windows" {
		dir, _ := os.UserConfigDir()
		noState = filepath.Join(dir, "octostar", "repl_history")
	}
	tests := []struct {
		name, stateHome, want string
	}{
		{"XDG_STATE_HOME", "/var/state", filepath.Join("/var/state", "octostar", "repl_history")},
		{"a relative XDG_STATE_HOME is ignored, as the spec says", "state", noState},
		{"unset", "", noState},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := defaultHistoryFile(func(k string) string {
				if k == "XDG_STATE_HOME" {
					return tt.stateHome
				}
				return ""
			})
			if got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}
