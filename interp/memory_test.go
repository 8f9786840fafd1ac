package interp_test

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/octostar/octostar/interp"
)

// TestMemoryLimit checks that a script growing its data step by step is
// stopped at --max-memory with a message that says how to raise it.
func TestMemoryLimit(t *testing.T) {
	dir := t.TempDir()
	src := `chunk = "x" * 4000000
hoard = [chunk + str(i) for i in range(100000)]
`
	path := filepath.Join(dir, "hoard.star")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	rt := interp.New(interp.Options{MaxMemory: 64 << 20, Stdout: &strings.Builder{}})
	_, err := rt.ExecFile(t.Context(), path)
	want := "script exceeded the memory limit of 64MiB (raise it with --max-memory)"
	if err == nil || !strings.Contains(interp.FormatError(err), want) {
		t.Fatalf("err = %v, want %q", err, want)
	}
}

func TestParseAndFormatBytes(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
		text string
		err  bool
	}{
		{"512MiB", 512 << 20, "512MiB", false},
		{"2GiB", 2 << 30, "2GiB", false},
		{"1G", 1 << 30, "1GiB", false},
		{"300M", 300 << 20, "300MiB", false},
		{"1GB", 1e9, "1000000000B", false},
		{"4096", 4096, "4KiB", false},
		{"0", 0, "0B", false},
		{"lots", 0, "", true},
		{"-1G", 0, "", true},
		{"99999999999999GiB", 0, "", true},
	}
	for _, tt := range tests {
		got, err := interp.ParseBytes(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseBytes(%q) = %d, %v", tt.in, got, err)
			continue
		}
		if err == nil && interp.FormatBytes(got) != tt.text {
			t.Errorf("FormatBytes(%d) = %s, want %s", got, interp.FormatBytes(got), tt.text)
		}
	}
}
