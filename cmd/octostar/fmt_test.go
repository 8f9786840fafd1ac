package main

import (
	"os"
	"strings"
	"testing"
)

func TestFmtCommand(t *testing.T) {
	ugly := script(t, "deploy('Web',to='Test')\n")
	clean := script(t, "x = 1\n")
	broken := script(t, "x = = 1\n")

	code, out, errOut := call(t, "", "fmt", "--check", ugly, clean)
	if code != exitFailed || out != ugly+"\n" || !strings.Contains(errOut, "1 file needs formatting") {
		t.Errorf("--check on an unformatted file: code %d, out %q, err %q", code, out, errOut)
	}
	if b, _ := os.ReadFile(ugly); string(b) != "deploy('Web',to='Test')\n" {
		t.Errorf("--check changed the file: %q", b)
	}
	if code, out, _ := call(t, "", "fmt", "--check", clean); code != exitOK || out != "" {
		t.Errorf("--check on a formatted file: code %d, out %q", code, out)
	}
	if code, out, _ := call(t, "", "fmt", ugly); code != exitOK || out != ugly+"\n" {
		t.Errorf("fmt: code %d, out %q", code, out)
	}
	if b, _ := os.ReadFile(ugly); string(b) != "deploy(\"Web\", to = \"Test\")\n" {
		t.Errorf("fmt wrote %q", b)
	}
	if code, _, errOut := call(t, "", "fmt", broken); code != exitFailed || !strings.Contains(errOut, broken+":1:") {
		t.Errorf("a syntax error: code %d, err %q: want file:line:col", code, errOut)
	}
	if code, _, errOut := call(t, "", "fmt"); code != exitUsage || !strings.Contains(errOut, "name at least one script or folder") {
		t.Errorf("no files: code %d, err %q", code, errOut)
	}
	if code, _, errOut := call(t, "", "fmt", "missing.star"); code != exitUsage || !strings.Contains(errOut, "missing.star: no such file or directory") {
		t.Errorf("a missing file: code %d, err %q", code, errOut)
	}
}
