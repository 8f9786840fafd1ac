package octopus

import "context"

// callerKey carries the script position of the builtin call that made
// an Octopus call, so that a plan or a journal can say which line of
// the script asked for it. The live client ignores it.
type callerKey struct{}

// WithCaller returns ctx carrying pos ("file.star:12:3").
func WithCaller(ctx context.Context, pos string) context.Context {
	return context.WithValue(ctx, callerKey{}, pos)
}

// Caller is the script position carried by ctx, or "".
func Caller(ctx context.Context) string {
	pos, _ := ctx.Value(callerKey{}).(string)
	return pos
}
