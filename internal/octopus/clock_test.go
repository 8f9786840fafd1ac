package octopus

import (
	"context"
	"errors"
	"testing"
	"time"
)

// ownClock is an Octopus with a clock of its own, as a plan's is.
type ownClock struct {
	Octopus
	now time.Time
}

func (c *ownClock) Now() time.Time { return c.now }
func (c *ownClock) Sleep(_ context.Context, d time.Duration) error {
	c.now = c.now.Add(d)
	return nil
}

func TestClockOf(t *testing.T) {
	own := &ownClock{now: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)}
	if c := ClockOf(own); c != Clock(own) {
		t.Errorf("ClockOf an Octopus with a clock gave %T, want its own", c)
	}
	if _, ok := ClockOf(&Client{}).(WallClock); !ok {
		t.Error("ClockOf the live client is not the wall clock")
	}
}

func TestWallClockSleep(t *testing.T) {
	tests := []struct {
		name    string
		cancel  bool
		d       time.Duration
		wantErr error
	}{
		{name: "sleeps", d: time.Millisecond},
		{name: "a cancelled context ends it", cancel: true, d: time.Hour, wantErr: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			if tt.cancel {
				cancel()
			}
			defer cancel()
			before := time.Now()
			err := WallClock{}.Sleep(ctx, tt.d)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Sleep: %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr == nil && time.Since(before) < tt.d {
				t.Errorf("Sleep(%s) returned after %s", tt.d, time.Since(before))
			}
		})
	}
}
