package internal

import (
	"context"

	"github.com/librocketmq/librocketmq/bindings/go/rlog"
)

// RunBlocking runs f, a blocking library call, and honours ctx: when ctx
// has no Done channel f runs on this goroutine; otherwise on another one,
// and a cancelled ctx returns ctx.Err() at once (f still completes later
// and its result is dropped).
func RunBlocking[T any](ctx context.Context, f func() (T, error)) (T, error) {
	var zero T
	if ctx == nil || ctx.Done() == nil {
		return f()
	}
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	type out struct {
		v   T
		err error
	}
	ch := make(chan out, 1)
	go func() {
		v, err := f()
		ch <- out{v, err}
	}()
	select {
	case o := <-ch:
		return o.v, o.err
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

// Go runs f on a new goroutine and logs (never propagates) a panic in it.
func Go(what string, f func()) {
	go func() {
		defer func() {
			if r := recover(); r != nil {
				rlog.Error("panic in user callback", map[string]interface{}{"callback": what, "panic": r})
			}
		}()
		f()
	}()
}
