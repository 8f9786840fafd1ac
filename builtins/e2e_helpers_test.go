package builtins

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarktest"

	"github.com/octostar/octostar/internal/octopus"
	"github.com/octostar/octostar/internal/octosim"
	"github.com/octostar/octostar/internal/octosim/simtest"
	"github.com/octostar/octostar/internal/targets"
	"github.com/octostar/octostar/interp"
)

// sim is a running simulator for end-to-end tests, driven through the
// official client like a real server.
type sim struct {
	srv *octosim.Server
	url string
}

func startSim(t testing.TB, seedPath string, opts ...octosim.Option) *sim {
	t.Helper()
	srv, url := simtest.ServeFile(t, seedPath, opts...)
	return &sim{srv: srv, url: url}
}

// startDemo runs the simulator on the embedded demo world.
func startDemo(t testing.TB, opts ...octosim.Option) *sim {
	t.Helper()
	srv, url := simtest.Serve(t, octosim.DemoSeed(), opts...)
	return &sim{srv: srv, url: url}
}

func (s *sim) requests() int { return s.srv.Stats().Requests }

// simEnv makes an Env whose default target is the simulator with the
// given key; named are more targets (name -> config).
func simEnv(t testing.TB, def octopus.Config, named map[string]octopus.Config, log *strings.Builder) *Env {
	t.Helper()
	var file *targets.File
	keys := map[string]string{}
	if len(named) > 0 {
		var b strings.Builder
		b.WriteString(`{"targets": {`)
		i := 0
		for name, cfg := range named {
			if i > 0 {
				b.WriteString(",")
			}
			i++
			b.WriteString(`"` + name + `": {"url": "` + cfg.URL + `", "space": "` + cfg.Space + `", "apiKeyEnv": "KEY_` + name + `"}`)
			keys["KEY_"+name] = cfg.APIKey
		}
		b.WriteString("}}")
		f, err := targets.ParseFile("targets.json", []byte(b.String()))
		if err != nil {
			t.Fatal(err)
		}
		file = f
	}
	if log == nil {
		log = &strings.Builder{}
	}
	transport := def.Transport
	set := targets.NewSet(&def, file, func(k string) string { return keys[k] },
		func(cfg octopus.Config) (octopus.Octopus, error) {
			if cfg.Transport == nil {
				cfg.Transport = transport
			}
			return octopus.New(cfg)
		})
	return &Env{Targets: set, Log: zerolog.New(log), PollMin: 5 * time.Millisecond, PollMax: 20 * time.Millisecond}
}

// runE2E runs a testdata/e2e script with the assert module and vars.
func runE2E(t *testing.T, env *Env, name string, vars map[string]string) error {
	t.Helper()
	return runTestScript(t, env, filepath.Join("..", "testdata", "e2e", name), vars)
}

// runTestScript runs a .star file with the full registry, the assert
// module, env's targets and vars; assert failures report to t.
func runTestScript(t *testing.T, env *Env, path string, vars map[string]string) error {
	t.Helper()
	assert, err := starlarktest.LoadAssertModule()
	if err != nil {
		t.Fatal(err)
	}
	rt := interp.New(interp.Options{Registry: Registry(), Globals: Globals(vars), Locals: env.Locals(), MaxSteps: 10_000_000,
		Modules: map[string]starlark.StringDict{"assert.star": assert}, Stdout: &strings.Builder{}})
	loader, err := rt.NewLoader(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	defer loader.Close()
	th, done := rt.NewThread(t.Context(), path, loader)
	defer done()
	starlarktest.SetReporter(th, t)
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = rt.Exec(th, path, src)
	return err
}

// countingTransport counts the requests the client sends, on the
// client's side, so a count never races the server's bookkeeping.
type countingTransport struct {
	mu  sync.Mutex
	n   int
	log []string
}

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.n++
	c.log = append(c.log, req.Method+" "+req.URL.Path)
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func (c *countingTransport) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}
