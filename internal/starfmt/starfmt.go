// Package starfmt formats Starlark scripts the way Bazel and Starlark
// users expect: through buildtools, the formatter behind buildifier, in
// its general-Starlark mode (the mode buildifier uses for .star files).
// octostar's own dialect is a subset of what buildtools parses, so any
// script octostar runs can be formatted.
package starfmt

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bazelbuild/buildtools/build"
)

// Format returns src formatted. name is used in error messages, which
// read "name:line:col: message".
func Format(name string, src []byte) ([]byte, error) {
	f, err := build.ParseDefault(name, src)
	if err != nil {
		return nil, parseError(name, err)
	}
	return build.Format(f), nil
}

// parseError words a buildtools parse error as file:line:col: message.
func parseError(name string, err error) error {
	var pe build.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s:%d:%d: %s", name, pe.Pos.Line, pe.Pos.LineRune, pe.Message)
	}
	return err
}

// Files expands paths into the .star files to format: a file is taken
// as given, a folder is walked for .star files (hidden folders skipped).
// The result is sorted and free of duplicates.
func Files(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, errors.Unwrap(err))
		}
		if !info.IsDir() {
			out = append(out, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				return err
			case d.IsDir() && path != p && strings.HasPrefix(d.Name(), "."):
				return filepath.SkipDir
			case !d.IsDir() && strings.HasSuffix(path, ".star"):
				out = append(out, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// Result is what formatting one file found.
type Result struct {
	Path    string
	Changed bool  // the file was not formatted
	Err     error // it could not be read, parsed or written
}

// Run formats each file; with write it rewrites those that change,
// keeping their permissions. Errors are per file: one bad script does
// not stop the others.
func Run(files []string, write bool) []Result {
	res := make([]Result, 0, len(files))
	for _, path := range files {
		r := Result{Path: path}
		src, err := os.ReadFile(path)
		if err != nil {
			r.Err = err
			res = append(res, r)
			continue
		}
		out, err := Format(path, src)
		switch {
		case err != nil:
			r.Err = err
		case !bytes.Equal(out, src):
			r.Changed = true
			if write {
				r.Err = writeKeepingMode(path, out)
			}
		}
		res = append(res, r)
	}
	return res
}

func writeKeepingMode(path string, data []byte) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, info.Mode().Perm())
}
