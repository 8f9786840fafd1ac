package interp

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"go.starlark.net/starlark"
)

// Loader implements load() for one run. Module paths are relative to the
// root folder (the main script's folder) whichever file loads them, use
// forward slashes, name .star files, and cannot leave the root: absolute
// paths, ".." escapes and symbolic links that point outside are refused.
// Each module runs once per run on the loading thread, so it shares the
// caller's step budget and cancellation; its globals come back frozen.
type Loader struct {
	rt      *Runtime
	root    *os.Root
	rootDir string // as the user named it, for positions and messages
	cache   map[string]*loadEntry
	stack   []string // modules being loaded, outermost first, for cycle reports
}

type loadEntry struct {
	globals starlark.StringDict
	err     error
	loading bool
}

// NewLoader opens dir as the load root.
func (r *Runtime) NewLoader(dir string) (*Loader, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("cannot open script folder: %w", err)
	}
	return &Loader{rt: r, root: root, rootDir: dir, cache: map[string]*loadEntry{}}, nil
}

// markMain records the main script as being loaded, so that a module
// loading it back is reported as a cycle with the whole chain.
func (l *Loader) markMain(name string) {
	l.cache[name] = &loadEntry{loading: true}
	l.stack = append(l.stack, name)
}

// Close releases the root folder.
func (l *Loader) Close() error { return l.root.Close() }

// Load is the starlark.Thread.Load hook.
func (l *Loader) Load(th *starlark.Thread, module string) (starlark.StringDict, error) {
	if m, ok := l.rt.opts.Modules[module]; ok {
		return m, nil
	}
	rel, err := l.resolve(module)
	if err != nil {
		return nil, err
	}
	if e, ok := l.cache[rel]; ok {
		if e.loading {
			return nil, fmt.Errorf("load cycle: %s -> %s", strings.Join(l.stack, " -> "), rel)
		}
		return e.globals, e.err
	}
	e := &loadEntry{loading: true}
	l.cache[rel] = e
	l.stack = append(l.stack, rel)
	e.globals, e.err = l.exec(th, rel)
	l.stack = l.stack[:len(l.stack)-1]
	e.loading = false
	return e.globals, e.err
}

// resolve turns a load() argument into a clean path below the root.
func (l *Loader) resolve(module string) (string, error) { return cleanModulePath(module, l.rootDir) }

// cleanModulePath applies the load() path rules without touching the
// file system; the runtime and the checker share it.
func cleanModulePath(module, rootDir string) (string, error) {
	switch {
	case module == "":
		return "", errors.New("the module path is empty")
	case strings.Contains(module, `\`):
		return "", errors.New("use forward slashes in load paths")
	case path.IsAbs(module) || filepath.IsAbs(module) || filepath.VolumeName(module) != "":
		return "", fmt.Errorf("absolute paths are not allowed; load paths are relative to the script folder %q", rootDir)
	}
	rel := path.Clean(module)
	if rel == ".." || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf("the path leaves the script folder %q", rootDir)
	}
	if path.Ext(rel) != ".star" {
		return "", errors.New("only .star files can be loaded")
	}
	return rel, nil
}

func (l *Loader) exec(th *starlark.Thread, rel string) (starlark.StringDict, error) {
	src, err := l.root.ReadFile(rel)
	if err != nil {
		return nil, l.readError(rel, err)
	}
	return l.rt.Exec(th, filepath.Join(l.rootDir, filepath.FromSlash(rel)), src)
}

// readError explains why a module could not be read. os.Root refuses
// symbolic links that leave the root but its error does not say so.
func (l *Loader) readError(rel string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no such file in the script folder %q", l.rootDir)
	}
	full := filepath.Join(l.rootDir, filepath.FromSlash(rel))
	if target, linkErr := filepath.EvalSymlinks(full); linkErr == nil {
		rootAbs, _ := filepath.EvalSymlinks(l.rootDir)
		if r, relErr := filepath.Rel(rootAbs, target); relErr != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
			return fmt.Errorf("it is a symbolic link that leads outside the script folder %q", l.rootDir)
		}
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
