//go:build unix

package journal

import (
	"os"
	"syscall"
)

// lockFile takes an exclusive advisory lock on the journal, so that two
// runs never append to the same file. The kernel drops it when the
// process dies, however it dies.
func lockFile(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}
