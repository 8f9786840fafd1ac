//go:build !linux

package bench

import "os"

// peakRSS is not measured outside Linux, where Maxrss has other units or
// does not exist; the report says "not measured".
func peakRSS(*os.ProcessState) int64 { return 0 }
