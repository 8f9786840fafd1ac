package interp

import (
	"fmt"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"

	"go.starlark.net/starlark"
)

// DefaultMaxMemory bounds the heap while a script runs, when the user
// sets nothing: far above what a train of thousands of deployments needs
// (tens of megabytes), far below what takes a CI runner down.
const DefaultMaxMemory = 1 << 30

// memoryCheckEvery is how often the heap is sampled while a script runs.
// Reading the metric costs about a microsecond.
const memoryCheckEvery = 10 * time.Millisecond

const heapMetric = "/memory/classes/heap/objects:bytes"

// heapInUse is the bytes of live and not yet swept heap objects.
func heapInUse() uint64 {
	s := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// watchMemory cancels th once the heap passes limit, so a script that
// grows strings or lists step by step is stopped with a clear message
// instead of taking the machine down. Starlark itself refuses a single
// string or list repeat of 2^30 elements or more; an allocation below
// that but larger than the free memory is beyond any check between
// steps (see docs/script-sandbox.md).
func watchMemory(th *starlark.Thread, limit uint64) (stop func()) {
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(memoryCheckEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if heapInUse() > limit {
					th.Cancel(fmt.Sprintf("script exceeded the memory limit of %s (raise it with --max-memory)", FormatBytes(limit)))
					return
				}
			}
		}
	}()
	return func() { close(done) }
}

// FormatBytes writes a size as people read it: "512MiB", "1GiB", "300B".
func FormatBytes(n uint64) string {
	for _, u := range []struct {
		name string
		size uint64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.size && n%u.size == 0 {
			return strconv.FormatUint(n/u.size, 10) + u.name
		}
	}
	return strconv.FormatUint(n, 10) + "B"
}

// ParseBytes reads a size such as "512MiB", "2GiB", "1G", "300M" or a
// plain number of bytes; 0 means no limit.
func ParseBytes(s string) (uint64, error) {
	t := strings.TrimSpace(s)
	units := []struct {
		suffix string
		size   uint64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3},
		{"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}}
	mult := uint64(1)
	for _, u := range units {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.size
			break
		}
	}
	n, err := strconv.ParseUint(t, 10, 64)
	if err != nil || (mult > 1 && n > (1<<63)/mult) {
		return 0, fmt.Errorf("%q is not a size; write it like 512MiB or 2GiB", s)
	}
	return n * mult, nil
}
