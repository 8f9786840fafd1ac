package octosim

import (
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"sync"
	"time"
)

// Meta is what every stored document shares. Links are computed once, when
// the document is stored, because they depend only on IDs that never change.
type Meta struct {
	ID             string            `json:"Id"`
	SpaceID        string            `json:"SpaceId,omitempty"`
	LastModifiedOn *Timestamp        `json:"LastModifiedOn,omitempty"`
	LastModifiedBy string            `json:"LastModifiedBy,omitempty"`
	Links          map[string]string `json:"Links"`
}

func (m *Meta) meta() *Meta { return m }

// document is anything the store holds.
type document interface{ meta() *Meta }

// entity is the constraint for typed tables: pointers to structs that embed
// Meta (pointers are comparable, so "old == zero" works in generic code).
type entity interface {
	comparable
	document
}

// table holds one kind of document, partitioned by space ("" for system
// documents such as users and spaces). Keys are lower case because Octopus
// IDs are matched case-insensitively ("releases-9999" finds Releases-9999).
type table[T entity] struct {
	rows map[string]map[string]T
}

func newTable[T entity]() *table[T] { return &table[T]{rows: map[string]map[string]T{}} }

func (t *table[T]) get(spaceID, id string) (T, bool) {
	v, ok := t.rows[strings.ToLower(spaceID)][strings.ToLower(id)]
	return v, ok
}

func (t *table[T]) put(spaceID string, v T) {
	sk := strings.ToLower(spaceID)
	part := t.rows[sk]
	if part == nil {
		part = map[string]T{}
		t.rows[sk] = part
	}
	part[strings.ToLower(v.meta().ID)] = v
}

func (t *table[T]) del(spaceID, id string) {
	delete(t.rows[strings.ToLower(spaceID)], strings.ToLower(id))
}

// inSpace returns the space's documents in no particular order.
func (t *table[T]) inSpace(spaceID string) []T {
	part := t.rows[strings.ToLower(spaceID)]
	out := make([]T, 0, len(part))
	for _, v := range part {
		out = append(out, v)
	}
	return out
}

// dropSpace forgets every document of a deleted space.
func (t *table[T]) dropSpace(spaceID string) { delete(t.rows, strings.ToLower(spaceID)) }

func (t *table[T]) count() int {
	n := 0
	for _, part := range t.rows {
		n += len(part)
	}
	return n
}

// Store is the whole simulated world. One RWMutex guards it: handlers hold
// the read lock to answer and the write lock to change anything, so every
// request sees a consistent world. Stored documents are never modified in
// place: an update stores a new value, so a document read under the lock
// may be encoded after the lock is released.
type Store struct {
	mu     sync.RWMutex
	seq    map[string]int
	tables map[string]any
	rng    *mrand.Rand
	// keys maps the SHA-256 of each API key's value to the key's ID.
	keys map[string]string
	// version increases on every mutation; caches compare it.
	version uint64
	// started is when the world was created, for uptime and task clocks.
	started time.Time
	// x is the execution state: indexes of releases and deployments, the
	// task engine's runs and logs, failure arrangements (see exec.go).
	x *execState
}

// tableInstaller lets each kind create its table in a new store; kinds
// register themselves (see defineKind), so adding a kind is one new file.
type tableInstaller interface {
	install(st *Store)
	kindName() string
	dropSpace(st *Store, spaceID string)
}

var tableRegistry []tableInstaller

func newStore(seed uint64, now time.Time) *Store {
	st := &Store{
		seq:     map[string]int{},
		tables:  map[string]any{},
		rng:     mrand.New(mrand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		keys:    map[string]string{},
		started: now,
	}
	st.x = newExecState(seed)
	for _, k := range tableRegistry {
		k.install(st)
	}
	return st
}

// nextID hands out the next "Prefix-N". Counters are global, not per space,
// as on a real server (Projects-41 may live in Spaces-2).
func (st *Store) nextID(prefix string) string {
	st.seq[prefix]++
	return fmt.Sprintf("%s-%d", prefix, st.seq[prefix])
}

// Count returns how many documents of a kind (by its link name, such as
// "Projects") the store holds, across spaces.
func (st *Store) Count(kind string) int {
	st.mu.RLock()
	defer st.mu.RUnlock()
	if c, ok := st.tables[kind].(interface{ count() int }); ok {
		return c.count()
	}
	return 0
}
