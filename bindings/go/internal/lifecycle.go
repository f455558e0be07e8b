package internal

import (
	"sync"
	"sync/atomic"

	"github.com/librocketmq/librocketmq/bindings/go/errors"
)

// Handle is a library client a Lifecycle starts, shuts down and frees.
type Handle interface {
	Start() error
	Shutdown() error
	Free()
}

// Lifecycle is a client's state: created, started, then shut down for good.
type Lifecycle struct {
	state atomic.Int32 // 0 created, 1 started, 2 shut down
	mu    sync.Mutex
}

// Start starts h and marks the client started; once shut down it returns
// errShut instead.
func (l *Lifecycle) Start(h Handle, errShut error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.state.Load() == 2 {
		return errShut
	}
	if err := h.Start(); err != nil {
		return err
	}
	l.state.Store(1)
	return nil
}

// Running returns ErrNotRunning before Start and ErrShutdown after Shutdown.
func (l *Lifecycle) Running() error {
	switch l.state.Load() {
	case 0:
		return errors.ErrNotRunning
	case 2:
		return errors.ErrShutdown
	}
	return nil
}

// IsShutDown reports whether the client was shut down.
func (l *Lifecycle) IsShutDown() bool { return l.state.Load() == 2 }

// MarkShutDown marks the client shut down; it reports whether it was not yet.
func (l *Lifecycle) MarkShutDown() bool { return l.state.Swap(2) != 2 }

// Shutdown marks the client shut down and, the first time, shuts h down
// and frees it.
func (l *Lifecycle) Shutdown(h Handle) error {
	if !l.MarkShutDown() {
		return nil
	}
	err := h.Shutdown()
	h.Free()
	return err
}
