// Package journal makes a run resumable after a crash. It stands in front
// of each target's Octopus client (Wrap) and writes every call the script
// makes, with its arguments and its answer, to a file of JSON lines,
// flushed to disk before the script goes on. Run the same command again
// and the calls already written are answered from the file instead of the
// server, so nothing is created twice; after the last of them, calls go
// to the server again and are appended.
//
// Calls are matched by their order: the Nth call of the new run gets the
// Nth answer if it is the same operation on the same target with the same
// arguments, and the run stops naming the first call that differs
// otherwise. A write is written twice: "begin" before the request is sent
// and "end" with the answer. A begin without its end is a write whose
// answer was lost; the journal looks for it on the server (octopus.Finder)
// before it sends it again.
//
// Polling (Tasks, TaskErrors) and cancelling are not journaled: they
// depend on timing, not on the script, and a resumed run polls the tasks
// it re-attached to live. The format is described in docs/journal.md.
package journal

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Magic and FormatVersion identify a journal: its first line holds
// {"journal":"octostar","version":1,...}. A reader refuses a newer version.
const (
	Magic         = "octostar"
	FormatVersion = 1
)

// Defaults for Options.
const (
	// RecoveryMargin is how far before a lost write's begin time, put on
	// the server's clock (Finder.ServerTime), the server is searched: the
	// Date header's one-second resolution and the time between the
	// server stamping an object and answering. Kept small, so that
	// another user's release is seldom in the window.
	RecoveryMargin = 5 * time.Second
	// SettleTime is how long after a lost write was begun the search
	// waits, so that a request still in flight when the run died has
	// landed before we look for it.
	SettleTime = 2 * time.Second
)

// record is one line. Which fields are set tells its kind: the header
// (Journal), a call (Seq; Phase "begin"/"end" for writes, "" for reads),
// a cancel (Cancel), a resume, an outcome of a failed run, or the end of
// a finished run (Finished).
type record struct {
	// Header.
	Journal      string `json:"journal,omitempty"`
	Version      int    `json:"version,omitempty"`
	Script       string `json:"script,omitempty"`
	ScriptSHA256 string `json:"scriptSha256,omitempty"`
	VarsSHA256   string `json:"varsSha256,omitempty"`
	Octostar     string `json:"octostar,omitempty"`
	Started      string `json:"started,omitempty"`

	// Calls.
	Seq       int             `json:"seq,omitempty"`
	Phase     string          `json:"phase,omitempty"`
	Op        string          `json:"op,omitempty"`
	Target    string          `json:"target,omitempty"`
	URL       string          `json:"url,omitempty"`
	Space     string          `json:"space,omitempty"`
	At        string          `json:"at,omitempty"`
	Args      json.RawMessage `json:"args,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     string          `json:"error,omitempty"`
	Status    int             `json:"status,omitempty"`    // the HTTP status of an Octopus error answer
	Partial   bool            `json:"partial,omitempty"`   // Result holds what started before Error
	Recovered bool            `json:"recovered,omitempty"` // the answer was found on the server
	Ambiguous bool            `json:"ambiguous,omitempty"` // Error came after the request was sent: it may have happened

	// Other records.
	Cancel   string `json:"cancel,omitempty"` // a task cancelled (never replayed)
	Resume   bool   `json:"resume,omitempty"`
	Finished bool   `json:"finished,omitempty"`
	Outcome  string `json:"outcome,omitempty"`
	Calls    int    `json:"calls,omitempty"`

	Time string `json:"time,omitempty"`
}

// Header is what the first line says about the run.
type Header struct {
	Script       string // the path as given
	ScriptSHA256 string
	VarsSHA256   string
	Octostar     string // version
}

// NewHeader hashes the script and the --var values. The hashes are only
// reported when they change: calls, not hashes, decide what resumes, so
// an edit that leaves the calls alone (a comment, a print) still resumes.
func NewHeader(script string, vars map[string]string, version string) (Header, error) {
	src, err := os.ReadFile(script)
	if err != nil {
		return Header{}, err
	}
	h := sha256.New()
	for _, k := range slices.Sorted(maps.Keys(vars)) {
		fmt.Fprintf(h, "%q=%q\n", k, vars[k])
	}
	sum := sha256.Sum256(src)
	return Header{Script: script, ScriptSHA256: hex.EncodeToString(sum[:]), VarsSHA256: hex.EncodeToString(h.Sum(nil)), Octostar: version}, nil
}

// Options configure Open.
type Options struct {
	// Fresh discards an existing journal (it is kept as PATH.old).
	Fresh  bool
	Header Header
	Log    zerolog.Logger
	// Margin and Settle default to RecoveryMargin and SettleTime.
	Margin, Settle time.Duration
}

// Journal is one run's journal file, shared by the wrappers of every
// target. It is safe for concurrent use.
type Journal struct {
	path string
	log  zerolog.Logger
	opts Options

	mu     sync.Mutex
	f      *os.File
	lines  int // lines in the file, for messages
	header record
	calls  []*call // what the file holds, by seq-1
	next   int     // the last seq handed out in this run
	known  map[string]map[string]bool
	// failed stops every later call: a divergence, or a record that
	// could not be written.
	failed  error
	wentOn  bool // live calls have begun
	changed bool // the script or its vars differ from the header's
}

// call is one recorded call, as the file holds it after loading.
type call struct {
	seq                    int
	op, target, url, space string
	at                     string
	args                   json.RawMessage
	write                  bool
	line                   int       // of its latest begin or read record
	firstBegin, lastBegin  time.Time // writes
	done                   bool      // the read was answered, or the write ended
	result                 json.RawMessage
	err                    string
	status                 int
	partial, ambiguous     bool
}

// ErrFinished matches (errors.Is) Open's error for a journal of a
// finished run.
var ErrFinished = errors.New("the journal records a finished run")

type finishedError struct{ msg string }

func (e *finishedError) Error() string        { return e.msg }
func (e *finishedError) Is(target error) bool { return target == ErrFinished }

// Open opens or creates the journal at path and loads what it holds. A
// torn last line (the run was killed while writing it) is cut away with
// a warning; a bad line elsewhere is an error naming it. A journal of a
// finished run is refused unless Options.Fresh.
func Open(path string, o Options) (*Journal, error) {
	if o.Margin <= 0 {
		o.Margin = RecoveryMargin
	}
	if o.Settle <= 0 {
		o.Settle = SettleTime
	}
	if o.Fresh {
		// Take the old journal's lock before moving it aside, so that
		// --fresh cannot start over beside a run that still uses it.
		if old, err := os.OpenFile(path, os.O_RDWR, 0); err == nil {
			if err := lockFile(old); err != nil {
				old.Close()
				return nil, fmt.Errorf("journal %s is in use by another octostar run (%v); --fresh waits until it ends", path, err)
			}
			err := os.Rename(path, path+".old")
			old.Close()
			if err != nil {
				return nil, fmt.Errorf("journal %s: --fresh: keeping the old journal: %v", path, unwrapPath(err))
			}
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("journal %s: --fresh: %v", path, unwrapPath(err))
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal %s: %v", path, unwrapPath(err))
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("journal %s is in use by another octostar run (%v)", path, err)
	}
	j := &Journal{path: path, log: o.Log, opts: o, f: f, known: map[string]map[string]bool{}}
	if err := j.load(); err != nil {
		f.Close()
		return nil, err
	}
	return j, nil
}

// Path is the journal's file.
func (j *Journal) Path() string { return j.path }

// Recorded is how many calls the journal held when it was opened.
func (j *Journal) Recorded() int { return len(j.calls) }

func (j *Journal) load() error {
	data, err := io.ReadAll(j.f)
	if err != nil {
		return fmt.Errorf("journal %s: %v", j.path, err)
	}
	// A journal starts with its header, "journal" first. Anything else
	// (a mistyped path) is refused before a torn line is cut from it.
	if len(data) > 0 && !bytes.HasPrefix(data, []byte(`{"journal":"`+Magic+`"`)) {
		return fmt.Errorf("journal %s:1: not an octostar journal (it does not start with {\"journal\":%q); name another file, or use --fresh to replace it", j.path, Magic)
	}
	recs, keep, torn, err := parseLines(j.path, data)
	if err != nil {
		return err
	}
	if torn > 0 {
		j.log.Warn().Str("journal", j.path).Int("line", torn).
			Msgf("journal %s:%d: the last line was cut short (the run was killed while writing it); dropped it", j.path, torn)
		if err := j.f.Truncate(int64(keep)); err != nil {
			return fmt.Errorf("journal %s: cutting the torn line away: %v", j.path, err)
		}
		if err := j.f.Sync(); err != nil {
			return fmt.Errorf("journal %s: %v", j.path, err)
		}
	}
	if _, err := j.f.Seek(int64(keep), io.SeekStart); err != nil {
		return fmt.Errorf("journal %s: %v", j.path, err)
	}
	if len(recs) == 0 {
		return j.start()
	}
	j.lines = len(recs)
	h := recs[0]
	if h.Version > FormatVersion {
		return fmt.Errorf("journal %s:1: format version %d was written by a newer octostar; this one reads version %d", j.path, h.Version, FormatVersion)
	}
	j.header = h
	for i, r := range recs[1:] {
		line := i + 2
		if r.Finished {
			return &finishedError{fmt.Sprintf("journal %s records a run that finished (%s, %s): there is nothing to resume; run with --fresh to start over (the journal is kept as %s.old)",
				j.path, r.Outcome, r.Time, j.path)}
		}
		if err := j.apply(r, line); err != nil {
			return err
		}
	}
	for i, c := range j.calls[:max(len(j.calls)-1, 0)] {
		if !c.done {
			return fmt.Errorf("journal %s:%d: call %d (%s at %s) was begun but never ended, yet later calls follow: the journal is damaged", j.path, c.line, i+1, c.op, c.at)
		}
	}
	for _, c := range j.calls {
		j.learn(c.target, c.url, c.result)
	}
	return j.resume()
}

// parseLines splits the file into records. keep is the length of the
// good part; torn is the line number of a torn last line, or 0.
func parseLines(path string, data []byte) (recs []record, keep, torn int, err error) {
	for n := 1; len(data) > keep; n++ {
		rest := data[keep:]
		end := bytes.IndexByte(rest, '\n')
		last := end < 0 || keep+end+1 == len(data)
		if end < 0 {
			return recs, keep, n, nil // no newline: the write was cut short
		}
		var r record
		if jerr := json.Unmarshal(rest[:end], &r); jerr != nil {
			if last {
				return recs, keep, n, nil
			}
			return nil, 0, 0, fmt.Errorf("journal %s:%d: not a journal record (%v); only a torn last line is repaired, so fix or remove this line, or use --fresh", path, n, jerr)
		}
		recs = append(recs, r)
		keep += end + 1
	}
	return recs, keep, 0, nil
}

// apply adds a call record to the loaded calls. A call may be written
// again only while it is the last: a failed call retried by a resumed run.
func (j *Journal) apply(r record, line int) error {
	if r.Seq == 0 {
		return nil // cancels, resumes, outcomes: for people, not for replay
	}
	n := len(j.calls)
	var last *call
	if n > 0 {
		last = j.calls[n-1]
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("journal %s:%d: %s: the journal is damaged", j.path, line, fmt.Sprintf(format, args...))
	}
	switch r.Phase {
	case "", "begin":
		c := &call{seq: r.Seq, op: r.Op, target: r.Target, url: r.URL, space: r.Space, at: r.At, args: r.Args, write: r.Phase == "begin", line: line}
		switch {
		case r.Seq == n+1:
			j.calls = append(j.calls, c)
		case r.Seq == n && last != nil:
			if last.write && c.write {
				c.firstBegin = last.firstBegin // a write sent again keeps its first begin time
			}
			j.calls[n-1] = c
		default:
			return bad("call %d follows call %d", r.Seq, n)
		}
		if c.write {
			t, err := time.Parse(time.RFC3339Nano, r.Time)
			if err != nil {
				return bad("the begin of call %d has no valid time", r.Seq)
			}
			if c.firstBegin.IsZero() {
				c.firstBegin = t
			}
			c.lastBegin = t
		} else {
			c.done, c.result, c.err, c.status, c.partial, c.ambiguous = true, r.Result, r.Error, r.Status, r.Partial, r.Ambiguous
		}
	case "end":
		// A write that ended in an error may end again: found on the
		// server by a resumed run.
		if last == nil || r.Seq != n || !last.write || (last.done && last.err == "") {
			return bad("the end of call %d has no begin", r.Seq)
		}
		last.done, last.result, last.err, last.status, last.partial, last.ambiguous = true, r.Result, r.Error, r.Status, r.Partial, r.Ambiguous
	default:
		return bad("unknown phase %q", r.Phase)
	}
	return nil
}

// start writes the header of a new journal.
func (j *Journal) start() error {
	h := j.opts.Header
	j.header = record{Journal: Magic, Version: FormatVersion, Script: h.Script, ScriptSHA256: h.ScriptSHA256,
		VarsSHA256: h.VarsSHA256, Octostar: h.Octostar, Started: now()}
	if err := j.write(j.header); err != nil {
		return err
	}
	// The file is new: make its directory entry durable too.
	if d, err := os.Open(filepath.Dir(j.path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// resume reports what is being resumed and notes it in the file.
func (j *Journal) resume() error {
	h := j.opts.Header
	j.changed = (h.ScriptSHA256 != "" && h.ScriptSHA256 != j.header.ScriptSHA256) || (h.VarsSHA256 != "" && h.VarsSHA256 != j.header.VarsSHA256)
	writes, at := 0, ""
	for _, c := range j.calls {
		if c.write {
			writes++
		}
		at = c.at
	}
	if len(j.calls) > 0 {
		j.log.Info().Str("journal", j.path).Int("calls", len(j.calls)).Int("writes", writes).Str("last_at", at).
			Msgf("resuming from the journal: %d recorded calls (%d writes) are answered from it, not sent again", len(j.calls), writes)
	}
	if j.changed {
		j.log.Info().Str("journal", j.path).Msg("the script or its --var values changed since the journal was written: calls are compared one by one")
	}
	return j.write(record{Resume: true, ScriptSHA256: h.ScriptSHA256, VarsSHA256: h.VarsSHA256, Time: now()})
}

// write appends one record: one write of a whole line, then fsync, so a
// kill leaves at worst a torn last line.
func (j *Journal) write(r record) error {
	if r.Time == "" {
		r.Time = now()
	}
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("journal %s: %v", j.path, err)
	}
	if _, err := j.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("journal %s: writing: %v", j.path, err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("journal %s: flushing to disk: %v", j.path, err)
	}
	j.lines++
	return nil
}

// learn remembers the IDs in a result (releases, runs, interventions), so
// that a search for a lost write never mistakes them for its own.
func (j *Journal) learn(target, url string, result json.RawMessage) {
	if len(result) == 0 {
		return
	}
	var v any
	if json.Unmarshal(result, &v) != nil {
		return
	}
	key := target + "\x00" + url
	if j.known[key] == nil {
		j.known[key] = map[string]bool{}
	}
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if s, ok := e.(string); ok && k == "ID" && s != "" {
					j.known[key][s] = true
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
}

// Outcome is how a run ended, for Finish.
type Outcome int

// The outcomes of a run.
const (
	Succeeded   Outcome = iota // the journal is closed: running again needs --fresh
	Failed                     // resumable: the failed call is made again
	Interrupted                // resumable; nothing is written
)

// Finish records how the run ended. Only a run that succeeded is
// finished; a failed or interrupted one stays resumable, so that running
// it again retries from the call that failed instead of repeating every
// write before it. After a divergence nothing is written: the journal
// stays as the earlier run left it.
func (j *Journal) Finish(o Outcome, runErr error) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.failed != nil || o == Interrupted {
		return nil
	}
	if o == Failed {
		msg := ""
		if runErr != nil {
			msg, _, _ = strings.Cut(runErr.Error(), "\n")
		}
		return j.write(record{Outcome: "failed", Error: msg, Calls: j.next})
	}
	if j.next < len(j.calls) {
		c := j.calls[j.next]
		j.log.Warn().Str("journal", j.path).Int("unused", len(j.calls)-j.next).
			Msgf("the journal holds %d calls this run did not make, from call %d (%s at %s): an earlier run made them",
				len(j.calls)-j.next, c.seq, c.op, c.at)
	}
	return j.write(record{Finished: true, Outcome: "succeeded", Calls: j.next})
}

// Close closes the file and releases its lock.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil
	}
	err := j.f.Close()
	j.f = nil
	return err
}

func now() string { return time.Now().UTC().Format(time.RFC3339Nano) }

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
