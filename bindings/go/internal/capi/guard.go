package capi

/*
#include "glue.h"
*/
import "C"

import (
	"sync"

	"github.com/librocketmq/librocketmq/bindings/go/primitive"
)

// guard serializes free against every other call on a handle: calls hold
// the read lock, free takes the write lock.
type guard struct {
	mu    sync.RWMutex
	freed bool
}

func (g *guard) enter() bool {
	g.mu.RLock()
	if g.freed {
		g.mu.RUnlock()
		return false
	}
	return true
}

// tryEnter is enter for callbacks: it fails at once instead of waiting
// while the handle is being freed.
func (g *guard) tryEnter() bool {
	if !g.mu.TryRLock() {
		return false
	}
	if g.freed {
		g.mu.RUnlock()
		return false
	}
	return true
}

func (g *guard) leave() { g.mu.RUnlock() }

func errFreed() error {
	return &primitive.Error{Code: primitive.ErrCodeShutDown, Name: "RMQ_ERR_SHUT_DOWN", Message: "the client was freed"}
}

// call runs f while the handle is live and takes the error it returns;
// once the handle is freed it fails without running f.
func (g *guard) call(f func() *C.rmq_error_t) error {
	if !g.enter() {
		return errFreed()
	}
	defer g.leave()
	return takeErr(f())
}

// shutdown is call for shutdowns: a freed handle is already shut down.
func (g *guard) shutdown(f func() *C.rmq_error_t) error {
	if !g.enter() {
		return nil
	}
	defer g.leave()
	return takeErr(f())
}

// free runs f (which frees the handle) once, after every call in flight.
func (g *guard) free(f func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.freed {
		g.freed = true
		f()
	}
}

// queues runs f, which writes an owned array of queues, through call and
// takes the array.
func (g *guard) queues(f func(qs ***C.rmq_message_queue_t, n *C.size_t) *C.rmq_error_t) ([]*primitive.MessageQueue, error) {
	var qs **C.rmq_message_queue_t
	var n C.size_t
	if err := g.call(func() *C.rmq_error_t { return f(&qs, &n) }); err != nil {
		return nil, err
	}
	return takeQueues(qs, n), nil
}
