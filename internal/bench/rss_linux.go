package bench

import (
	"os"
	"syscall"
)

// peakRSS is the peak resident set size of a finished child, in bytes
// (Linux reports Maxrss in KiB). It is the child's own figure, not its
// children's, and is 0 when unknown.
func peakRSS(ps *os.ProcessState) int64 {
	if ps == nil {
		return 0
	}
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss * 1024
	}
	return 0
}
