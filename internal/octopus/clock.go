package octopus

import (
	"context"
	"time"
)

// Clock is the time in which a builtin waits for the server to change:
// an intervention to appear, say. It is part of the target because a
// plan has a time of its own (see ClockOf).
type Clock interface {
	Now() time.Time
	// Sleep waits d, or until ctx ends (its error then).
	Sleep(ctx context.Context, d time.Duration) error
}

// ClockOf returns the Octopus's own clock when it keeps one, else the
// wall clock. A plan keeps one in which sleeping takes no time: nothing
// it made changes while it waits, so waiting would only cost the user
// the time.
func ClockOf(o Octopus) Clock {
	if c, ok := o.(Clock); ok {
		return c
	}
	return WallClock{}
}

// WallClock is real time.
type WallClock struct{}

func (WallClock) Now() time.Time { return time.Now() }

func (WallClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
