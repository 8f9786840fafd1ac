package journal

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

// FuzzOpen feeds journal files to Open: a journal is read back after a
// crash, so whatever a kill, a full disk or a hand edit left must open
// or be refused with an error naming the journal, never a panic.
func FuzzOpen(f *testing.F) {
	header := `{"journal":"octostar","version":1,"script":"train.star","scriptSha256":"ab","varsSha256":"cd","octostar":"dev","started":"2026-11-26T08:00:00Z"}` + "\n"
	f.Add([]byte(""))
	f.Add([]byte(header))
	f.Add([]byte(header + `{"seq":1,"op":"Projects","target":"default","url":"http://x","space":"Spaces-1","at":"train.star:3","args":{},"result":[]}` + "\n"))
	f.Add([]byte(header + `{"seq":1,"op":"CreateRelease","phase":"begin","target":"default","args":{"Project":"Web"},"time":"2026-11-26T08:00:01Z"}` + "\n" + `{"seq":1,"op":"CreateRe`))
	f.Add([]byte(header + `{"finished":true,"outcome":"succeeded","time":"2026-11-26T08:01:00Z"}` + "\n"))
	f.Add([]byte(header + "not json\n{}\n"))
	f.Add([]byte(`{"journal":"octostar","version":99}` + "\n"))
	f.Add([]byte("#!/bin/sh\nrm -rf /\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "j.jsonl")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		j, err := Open(path, Options{Log: zerolog.Nop()})
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("the error does not name the journal: %v", err)
			}
			return
		}
		j.Close()
	})
}
