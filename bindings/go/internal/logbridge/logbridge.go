// Package logbridge connects rlog to the library's log level without an
// import cycle: the cgo package registers the setter, rlog calls it.
package logbridge

import "sync"

var (
	mu       sync.Mutex
	setter   func(level string)
	level    string
	explicit bool
)

// Register installs the function that applies a level to the library and
// applies the level set so far, if one was set explicitly.
func Register(f func(level string)) {
	mu.Lock()
	defer mu.Unlock()
	setter = f
	if explicit {
		f(level)
	}
}

// SetLevel records an explicitly chosen level and applies it to the library.
func SetLevel(l string) {
	mu.Lock()
	defer mu.Unlock()
	level, explicit = l, true
	if setter != nil {
		setter(l)
	}
}
