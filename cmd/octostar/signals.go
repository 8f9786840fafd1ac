package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// errInterrupted is the cancellation cause for SIGINT and SIGTERM; its
// text is what the script's error says execution stopped for.
type errInterrupted struct{ sig os.Signal }

func (e errInterrupted) Error() string { return fmt.Sprintf("interrupted (%v)", e.sig) }

// withSignals cancels ctx on the first SIGINT or SIGTERM, with a cause
// that says so. The cancellation reaches the Starlark thread and every
// builtin blocked on I/O. A second signal exits at once.
func withSignals(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-ch:
			cancel(errInterrupted{sig})
		case <-done:
			return
		}
		select {
		case <-ch:
			os.Exit(exitInterrupted)
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel(nil)
	}
}

func interrupted(ctx context.Context) bool {
	var ei errInterrupted
	return errors.As(context.Cause(ctx), &ei)
}
