package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/pflag"

	"github.com/octostar/octostar/builtins"
	"github.com/octostar/octostar/internal/octopus"
	"github.com/octostar/octostar/internal/octosim"
	"github.com/octostar/octostar/internal/spell"
	"github.com/octostar/octostar/internal/targets"
)

// targetFlags choose the Octopus targets of a run.
type targetFlags struct {
	server, space, apiKey string
	targetsFile           string
	target                string // a targets-file entry made the default (repl --target)
	sandbox               string
	sandboxSpeed          float64
	insecure              bool
	pollMin, pollMax      time.Duration
	maxParallel           int
}

const sandboxDemo = "demo"

func (t *targetFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&t.server, "server", "", "Octopus server URL of the default target (else $OCTOPUS_URL)")
	fs.StringVar(&t.space, "space", "", "space of the default target, by name or ID (else $OCTOPUS_SPACE, else the server's default space)")
	fs.StringVar(&t.apiKey, "api-key", "", "API key of the default target; prefer $OCTOPUS_API_KEY, since other users can read the process list")
	fs.StringVar(&t.targetsFile, "targets", "", "targets file naming more targets (default $OCTOSTAR_TARGETS, else octostar/targets.json in the user config folder)")
	fs.StringVar(&t.sandbox, "sandbox", "", "run against the embedded Octopus simulator instead: --sandbox for the demo world, --sandbox=SEED.json for your own")
	fs.Lookup("sandbox").NoOptDefVal = sandboxDemo
	fs.Float64Var(&t.sandboxSpeed, "sandbox-speed", 20, "with --sandbox: how much faster than real time simulated tasks run")
	fs.BoolVar(&t.insecure, "insecure-skip-tls-verify", false, "do not verify the default target's TLS certificate (unsafe; logged as a warning)")
	fs.DurationVar(&t.pollMin, "poll-interval", time.Second, "first interval between task polls; it grows while tasks run")
	fs.DurationVar(&t.pollMax, "max-poll-interval", 10*time.Second, "longest interval between task polls")
	fs.IntVar(&t.maxParallel, "max-parallel", defaultMaxParallel, "tasks this run keeps in flight per target, queued or running; new starts wait for a free slot (0: no cap)")
}

// setup builds the run's Env: the targets, and the embedded simulator
// when --sandbox asks for it. The returned function stops what it
// started.
// defaultMaxParallel is twice Octopus's default task cap of 5: the
// server always has the next five queued when a task ends, so it never
// idles between two of our polls, yet never holds more than five of
// ours in its queue. Hundreds queued at once is what makes a server
// choke (OctopusDeploy/Issues#6809).
const defaultMaxParallel = 10

// setup builds the run's Env. wrap, when set, stands in front of every
// target's live client (a plan recorder, a journal); builtins never know.
func (t *targetFlags) setup(io stdio, log zerolog.Logger, getenv func(string) string, wrap func(octopus.Octopus) octopus.Octopus) (*builtins.Env, func(), error) {
	stop := func() {}
	var def *octopus.Config
	switch {
	case t.target != "":
		if t.sandbox != "" || t.server != "" || t.apiKey != "" {
			return nil, stop, fmt.Errorf("--target %s names the target: do not give --sandbox, --server or --api-key with it", t.target)
		}
		// No command-line default: it would win over the file's default.
	case t.sandbox != "":
		if t.server != "" || t.apiKey != "" {
			return nil, stop, errors.New("--sandbox starts its own server: do not give --server or --api-key with it")
		}
		if t.sandboxSpeed <= 0 {
			return nil, stop, fmt.Errorf("--sandbox-speed %v: want a number above 0", t.sandboxSpeed)
		}
		cfg, shutdown, err := startSandbox(t.sandbox, t.space, t.sandboxSpeed, log)
		if err != nil {
			return nil, stop, err
		}
		def, stop = cfg, shutdown
	default:
		cfg, err := t.defaultTarget(log, getenv)
		if err != nil {
			return nil, stop, err
		}
		def = cfg
	}
	file, err := t.loadTargetsFile(getenv)
	if err == nil && t.target != "" {
		err = t.selectTarget(file, getenv)
	}
	if err != nil {
		stop()
		return nil, stop, err
	}
	userAgent := "octostar/" + versionString()
	set := targets.NewSet(def, file, getenv, func(cfg octopus.Config) (octopus.Octopus, error) {
		cfg.UserAgent = userAgent
		if cfg.InsecureSkipTLSVerify {
			log.Warn().Str("target", cfg.Name).Msg("TLS certificate verification is off for this target")
		}
		c, err := octopus.New(cfg)
		switch {
		case err != nil:
			return nil, err
		case wrap == nil:
			return c, nil
		}
		return wrap(c), nil
	})
	if t.pollMin <= 0 || t.pollMax < t.pollMin {
		stop()
		return nil, stop, fmt.Errorf("--poll-interval %s and --max-poll-interval %s: want 0 < poll-interval <= max-poll-interval", t.pollMin, t.pollMax)
	}
	if t.maxParallel < 0 {
		stop()
		return nil, stop, fmt.Errorf("--max-parallel %d: want 0 (no cap) or more", t.maxParallel)
	}
	parallel := map[string]int{}
	if file != nil {
		for name, e := range file.Targets {
			if e.MaxParallel > 0 {
				parallel[name] = e.MaxParallel
			}
		}
	}
	return &builtins.Env{Targets: set, Log: log, PollMin: t.pollMin, PollMax: t.pollMax, MaxParallel: t.maxParallel, Parallel: parallel}, stop, nil
}

// defaultTarget comes from the flags, else the official CLI's
// environment variables. No default target is fine: named targets may
// still be used.
func (t *targetFlags) defaultTarget(log zerolog.Logger, getenv func(string) string) (*octopus.Config, error) {
	url := firstOf(t.server, getenv("OCTOPUS_URL"))
	space := firstOf(t.space, getenv("OCTOPUS_SPACE"))
	key := firstOf(t.apiKey, getenv("OCTOPUS_API_KEY"))
	token := ""
	if key == "" {
		token = getenv("OCTOPUS_ACCESS_TOKEN")
	}
	if t.apiKey != "" {
		log.Warn().Msg("--api-key is visible to other users in the process list; set OCTOPUS_API_KEY instead")
	}
	if t.insecure {
		log.Warn().Msg("--insecure-skip-tls-verify: the server's TLS certificate is not verified")
	}
	switch {
	case url == "" && key == "" && token == "":
		return nil, nil
	case url == "":
		return nil, errors.New("an API key is set but no server: give --server or set OCTOPUS_URL")
	case key == "" && token == "":
		return nil, fmt.Errorf("no credential for %s: set OCTOPUS_API_KEY or OCTOPUS_ACCESS_TOKEN (or give --api-key)", url)
	}
	cfg := &octopus.Config{URL: url, Space: space, APIKey: key, AccessToken: token, InsecureSkipTLSVerify: t.insecure}
	// Check the shape now, so a typo fails before the script starts.
	if _, err := octopus.New(*cfg); err != nil {
		return nil, err
	}
	return cfg, nil
}

func (t *targetFlags) loadTargetsFile(getenv func(string) string) (*targets.File, error) {
	path := t.targetsFile
	explicit := path != ""
	if !explicit {
		path = targets.DefaultPath(getenv)
	}
	if path == "" {
		return nil, nil
	}
	f, err := targets.LoadFile(path)
	if err != nil && !explicit && errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil && errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("--targets %s: no such file", path)
	}
	return f, err
}

// selectTarget makes the --target entry the default of the run.
func (t *targetFlags) selectTarget(file *targets.File, getenv func(string) string) error {
	if file == nil {
		where := t.targetsFile
		if where == "" {
			where = targets.DefaultPath(getenv)
		}
		return fmt.Errorf("--target %s: no targets file (looked for %s; give --targets or set $OCTOSTAR_TARGETS)", t.target, where)
	}
	if _, ok := file.Targets[t.target]; !ok {
		names := slices.Sorted(maps.Keys(file.Targets))
		hint := ""
		if s, ok := spell.Nearest(t.target, names); ok {
			hint = " (did you mean " + s + "?)"
		}
		return fmt.Errorf("--target %s: no such target in the targets file%s; it has: %s", t.target, hint, strings.Join(names, ", "))
	}
	file.Default = t.target
	return nil
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// startSandbox serves the embedded simulator on a loopback port with a
// fresh administrator key that only this process knows.
func startSandbox(seedArg, space string, speed float64, log zerolog.Logger) (*octopus.Config, func(), error) {
	seed, err := loadSandboxSeed(seedArg)
	if err != nil {
		return nil, func() {}, err
	}
	key := newAPIKey()
	srv, err := octosim.New(seed, octosim.WithAPIKey(key), octosim.WithTimeScale(speed))
	if err != nil && seedArg != sandboxDemo {
		return nil, func() {}, fmt.Errorf("--sandbox=%s: %w", seedArg, err)
	}
	if err != nil {
		return nil, func() {}, fmt.Errorf("--sandbox: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, func() {}, fmt.Errorf("--sandbox: %w", err)
	}
	go srv.Serve(ln)
	url := "http://" + ln.Addr().String()
	log.Info().Str("url", url).Msg("sandbox: the embedded Octopus simulator is serving")
	stop := func() { srv.Close() }
	return &octopus.Config{URL: url, Space: space, APIKey: key}, stop, nil
}

func loadSandboxSeed(arg string) (*octosim.Seed, error) {
	if arg == sandboxDemo {
		return octosim.DemoSeed(), nil
	}
	seed, err := octosim.LoadSeed(arg)
	if err != nil {
		return nil, fmt.Errorf("--sandbox=%s: %w", arg, err)
	}
	return seed, nil
}

// newAPIKey makes a key in Octopus's format.
func newAPIKey() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 26)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "API-" + string(b)
}
