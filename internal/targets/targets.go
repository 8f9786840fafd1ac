// Package targets knows which Octopus instances a run may drive: the
// default target (from flags, the official CLI's environment variables
// or the embedded simulator) and the named targets of a targets file.
//
// A targets file names, for each target, a URL, a space and the
// environment variable that holds its API key or access token; it never
// holds a secret itself. Scripts can only select a configured target, so
// they cannot aim octostar at an arbitrary URL or read a credential.
package targets

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/octostar/octostar/internal/octopus"
	"github.com/octostar/octostar/internal/spell"
)

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// DefaultName is the name of the target that --server, the environment
// variables or --sandbox configure.
const DefaultName = "default"

// File is a targets file.
type File struct {
	// Default names the target that scripts get without target(); the
	// command-line default target, when configured, wins.
	Default string           `json:"default,omitempty"`
	Targets map[string]Entry `json:"targets"`
	path    string
}

// Entry is one named target.
type Entry struct {
	URL   string `json:"url"`
	Space string `json:"space,omitempty"`
	// The environment variable holding the API key, or the access token.
	APIKeyEnv      string `json:"apiKeyEnv,omitempty"`
	AccessTokenEnv string `json:"accessTokenEnv,omitempty"`
	// InsecureSkipTLSVerify turns off certificate checks for this target.
	InsecureSkipTLSVerify bool `json:"insecureSkipTlsVerify,omitempty"`
	// MaxParallel caps the tasks a run keeps in flight on this target,
	// instead of --max-parallel.
	MaxParallel int `json:"maxParallel,omitempty"`
}

// DefaultPath is where octostar looks for a targets file when --targets
// is not given: $OCTOSTAR_TARGETS, else octostar/targets.json in the
// user's configuration folder.
func DefaultPath(getenv func(string) string) string {
	if p := getenv("OCTOSTAR_TARGETS"); p != "" {
		return p
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "octostar", "targets.json")
}

// LoadFile reads a targets file. Unknown fields are errors, and so is a
// field that looks like a secret, so that nobody stores one there.
func LoadFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("targets file %s: %w", path, unwrapPath(err))
	}
	return ParseFile(path, data)
}

// ParseFile parses a targets file's contents; path is for messages.
func ParseFile(path string, data []byte) (*File, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("targets file %s: %v", path, jsonError(data, err))
	}
	if t, ok := raw["targets"]; ok {
		var entries map[string]map[string]json.RawMessage
		if json.Unmarshal(t, &entries) == nil {
			for name, fields := range entries {
				for _, secret := range []string{"apiKey", "apikey", "api_key", "accessToken", "token", "password"} {
					if _, ok := fields[secret]; ok {
						return nil, fmt.Errorf("targets file %s: targets.%s.%s: the file must not hold secrets; name the environment variable that holds it with apiKeyEnv or accessTokenEnv", path, name, secret)
					}
				}
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	f := &File{path: path}
	if err := dec.Decode(f); err != nil {
		return nil, fmt.Errorf("targets file %s: %v", path, jsonError(data, err))
	}
	for _, name := range mapsKeys(f.Targets) {
		e := f.Targets[name]
		where := fmt.Sprintf("targets file %s: targets.%s", path, name)
		switch {
		case name == DefaultName:
			return nil, fmt.Errorf("%s: %q is reserved for the command-line target; choose another name", where, DefaultName)
		case strings.TrimSpace(e.URL) == "":
			return nil, fmt.Errorf("%s.url: missing; give the Octopus server URL", where)
		case e.APIKeyEnv == "" && e.AccessTokenEnv == "":
			return nil, fmt.Errorf("%s: name the environment variable holding the credential with apiKeyEnv or accessTokenEnv", where)
		case e.APIKeyEnv != "" && e.AccessTokenEnv != "":
			return nil, fmt.Errorf("%s: give apiKeyEnv or accessTokenEnv, not both", where)
		case !envName.MatchString(e.APIKeyEnv + e.AccessTokenEnv):
			// Not quoted: a pasted key would otherwise be echoed.
			return nil, fmt.Errorf("%s: apiKeyEnv and accessTokenEnv name an environment variable (letters, digits and _), not the credential itself", where)
		}
	}
	if f.Default != "" {
		if _, ok := f.Targets[f.Default]; !ok {
			return nil, fmt.Errorf("targets file %s: default: no target named %q%s", path, f.Default, suggestName(f.Default, mapsKeys(f.Targets)))
		}
	}
	return f, nil
}

func mapsKeys(m map[string]Entry) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func suggestName(name string, names []string) string {
	if s, ok := spell.Nearest(name, names); ok {
		return " (did you mean " + s + "?)"
	}
	return ""
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// jsonError adds the line and column to a JSON syntax or type error.
func jsonError(data []byte, err error) string {
	var offset int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		offset = se.Offset - 1 // the offset is just past the bad byte
	case errors.As(err, &te):
		offset = te.Offset
	case errors.Is(err, io.ErrUnexpectedEOF):
		offset = int64(len(data))
	}
	if offset < 0 {
		return err.Error()
	}
	line, col := 1, 1
	for _, b := range data[:min(int(offset), len(data))] {
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Sprintf("line %d, column %d: %v", line, col, err)
}

// Set is the targets one run may use. Clients are made on first use.
type Set struct {
	mu       sync.Mutex
	defName  string
	configs  map[string]octopus.Config
	clients  map[string]octopus.Octopus
	connect  func(octopus.Config) (octopus.Octopus, error)
	problems map[string]error // a named target that cannot be used, and why
}

// NewSet builds the set. def is the command-line default target, if
// configured; file may be nil. connect makes the Octopus implementation
// for a configuration (the live client, or a wrapper of it).
func NewSet(def *octopus.Config, file *File, getenv func(string) string, connect func(octopus.Config) (octopus.Octopus, error)) *Set {
	s := &Set{configs: map[string]octopus.Config{}, clients: map[string]octopus.Octopus{}, connect: connect, problems: map[string]error{}}
	if file != nil {
		for name, e := range file.Targets {
			cfg := octopus.Config{Name: name, URL: e.URL, Space: e.Space, InsecureSkipTLSVerify: e.InsecureSkipTLSVerify}
			switch {
			case e.APIKeyEnv != "":
				cfg.APIKey = getenv(e.APIKeyEnv)
				if cfg.APIKey == "" {
					s.problems[name] = fmt.Errorf("target %s: the environment variable %s (apiKeyEnv in %s) is not set", name, e.APIKeyEnv, file.path)
				}
			default:
				cfg.AccessToken = getenv(e.AccessTokenEnv)
				if cfg.AccessToken == "" {
					s.problems[name] = fmt.Errorf("target %s: the environment variable %s (accessTokenEnv in %s) is not set", name, e.AccessTokenEnv, file.path)
				}
			}
			s.configs[name] = cfg
		}
		s.defName = file.Default
	}
	if def != nil {
		d := *def
		d.Name = DefaultName
		s.configs[DefaultName] = d
		s.defName = DefaultName
	}
	return s
}

// Names lists the configured targets.
func (s *Set) Names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.configs))
	for n := range s.configs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Get returns a target by name; "" means the default target.
func (s *Set) Get(name string) (octopus.Octopus, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if name == "" {
		if s.defName == "" {
			return nil, errors.New("no Octopus target is configured: give --server and --api-key (or set OCTOPUS_URL and OCTOPUS_API_KEY), name a default in the targets file, or use --sandbox")
		}
		name = s.defName
	}
	if c, ok := s.clients[name]; ok {
		return c, nil
	}
	cfg, ok := s.configs[name]
	if !ok {
		names := make([]string, 0, len(s.configs))
		for n := range s.configs {
			names = append(names, n)
		}
		sort.Strings(names)
		if len(names) == 0 {
			return nil, fmt.Errorf("no target named %q: no targets are configured", name)
		}
		return nil, fmt.Errorf("no target named %q%s; configured: %s", name, suggestName(name, names), strings.Join(names, ", "))
	}
	if err := s.problems[name]; err != nil {
		return nil, err
	}
	c, err := s.connect(cfg)
	if err != nil {
		return nil, err
	}
	s.clients[name] = c
	return c, nil
}

// InSpace returns the named target bound to another space of the same
// instance. Each target and space pair gets one client per run.
func (s *Set) InSpace(name, space string) (octopus.Octopus, error) {
	base, err := s.Get(name)
	if err != nil {
		return nil, err
	}
	key := base.Target().Name + "\x00" + strings.ToLower(space)
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.clients[key]; ok {
		return c, nil
	}
	cfg := s.configs[base.Target().Name]
	cfg.Space = space
	c, err := s.connect(cfg)
	if err != nil {
		return nil, err
	}
	s.clients[key] = c
	return c, nil
}

// All returns the clients made so far (for waiting and summaries).
func (s *Set) All() []octopus.Octopus {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]octopus.Octopus, 0, len(s.clients))
	for _, c := range s.clients {
		out = append(out, c)
	}
	return out
}
