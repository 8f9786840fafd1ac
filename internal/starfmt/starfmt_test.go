package starfmt

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestFormat(t *testing.T) {
	tests := []struct {
		name, in, want, err string
	}{
		{name: "already formatted", in: "x = 1\n", want: "x = 1\n"},
		{name: "spacing and quotes", in: "x=deploy('Web',to='Test')\n", want: "x = deploy(\"Web\", to = \"Test\")\n"},
		{name: "a call split over lines gets one argument a line",
			in:   "d = deploy(\"Checkout Web\", to = \"Development\", release = pinned,\n  variables = {\"Region\": \"eu\"}, skip_steps = [\"Purge CDN cache\"])\n",
			want: "d = deploy(\n    \"Checkout Web\",\n    to = \"Development\",\n    release = pinned,\n    variables = {\"Region\": \"eu\"},\n    skip_steps = [\"Purge CDN cache\"],\n)\n"},
		{name: "blank line after load", in: "load(\"lib.star\", \"f\")\nf()\n", want: "load(\"lib.star\", \"f\")\n\nf()\n"},
		{name: "comments kept", in: "# train\nfor p in projects():  # all\n    print(p)\n", want: "# train\nfor p in projects():  # all\n    print(p)\n"},
		{name: "syntax error says where", in: "x = 1\ny = = 2\n", err: "s.star:2:6: syntax error near ="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Format("s.star", []byte(tt.in))
			if tt.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
					t.Fatalf("err = %v, want prefix %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
			again, err := Format("s.star", got)
			if err != nil || string(again) != string(got) {
				t.Errorf("formatting is not idempotent:\n%s", again)
			}
		})
	}
}

func TestRunWritesOnlyWhenAsked(t *testing.T) {
	dir := t.TempDir()
	ugly := filepath.Join(dir, "a.star")
	clean := filepath.Join(dir, "sub", "b.star")
	hidden := filepath.Join(dir, ".git", "c.star")
	for path, src := range map[string]string{ugly: "x=1\n", clean: "y = 2\n", hidden: "z=3\n", filepath.Join(dir, "notes.txt"): "x=1"} {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	files, err := Files([]string{dir, ugly})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(files, []string{ugly, clean}) {
		t.Fatalf("files = %v: want the .star files, once, without hidden folders", files)
	}
	res := Run(files, false)
	if !res[0].Changed || res[1].Changed || res[0].Err != nil {
		t.Fatalf("check run: %+v", res)
	}
	if b, _ := os.ReadFile(ugly); string(b) != "x=1\n" {
		t.Fatalf("a check rewrote the file: %q", b)
	}
	Run(files, true)
	b, _ := os.ReadFile(ugly)
	info, _ := os.Stat(ugly)
	if string(b) != "x = 1\n" || info.Mode().Perm() != 0o640 {
		t.Errorf("after fmt: %q, mode %v", b, info.Mode().Perm())
	}
	if _, err := Files([]string{filepath.Join(dir, "missing.star")}); err == nil || !strings.Contains(err.Error(), "missing.star") {
		t.Errorf("a missing path: %v", err)
	}
}

// TestRepositoryScriptsFormatted keeps the examples and test scripts
// formatted, as the README asks of users.
func TestRepositoryScriptsFormatted(t *testing.T) {
	files, err := Files([]string{"../../scripts", "../../testdata/e2e", "../../testdata/builtins"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range Run(files, false) {
		if r.Err != nil || r.Changed {
			t.Errorf("%s: not formatted (run octostar fmt on it) %v", r.Path, r.Err)
		}
	}
}
