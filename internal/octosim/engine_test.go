package octosim

import (
	"sync"
	"testing"
	"time"
)

// TestEngineKeepsEveryWakeUp races kicks against a loop that is
// stopping because nothing is due. Whatever the interleaving, a kick
// must never leave its wake-up in the channel with no loop running to
// take it: the task a request just created would then wait for some
// later request to be started.
func TestEngineKeepsEveryWakeUp(t *testing.T) {
	s, _ := newTestServer(t, &Seed{}) // nothing is ever due
	e := s.eng
	for i := range 10000 {
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() { defer wg.Done(); e.kick() }()
		}
		wg.Wait()
		// Let the loop settle: it stops once it finds nothing due.
		deadline := time.Now().Add(5 * time.Second)
		for {
			e.mu.Lock()
			running, stranded := e.running, len(e.wake)
			e.mu.Unlock()
			if !running {
				if stranded > 0 {
					t.Fatalf("round %d: the loop stopped with a wake-up left in the channel", i)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("round %d: the loop did not stop with nothing due", i)
			}
			time.Sleep(10 * time.Microsecond)
		}
	}
}
