package primitive

import (
	"net"
	"regexp"
	"strconv"
	"strings"

	"github.com/librocketmq/librocketmq/bindings/go/errors"
)

// NamesrvAddr is a list of name server addresses ("host:port").
type NamesrvAddr []string

// NewNamesrvAddr checks and returns name server addresses; one argument
// may hold several separated by ';'.
func NewNamesrvAddr(s ...string) (NamesrvAddr, error) {
	if len(s) == 0 {
		return nil, errors.ErrNoNameserver
	}
	ss := s
	if len(ss) == 1 {
		ss = strings.Split(s[0], ";")
	}
	for _, srv := range ss {
		if err := verifyIP(srv); err != nil {
			return nil, err
		}
	}
	return append(NamesrvAddr{}, ss...), nil
}

// Check checks every address.
func (addr NamesrvAddr) Check() error {
	for _, srv := range addr {
		if err := verifyIP(srv); err != nil {
			return err
		}
	}
	return nil
}

var httpPrefix = regexp.MustCompile("^(http|https)://")

func verifyIP(addr string) error {
	if httpPrefix.MatchString(addr) {
		return nil
	}
	if strings.Contains(addr, ";") {
		return errors.ErrMultiIP
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	} else if _, perr := strconv.Atoi(port); perr != nil {
		return errors.ErrIllegalIP
	}
	if net.ParseIP(host) == nil {
		return errors.ErrIllegalIP
	}
	return nil
}

// PanicHandler receives a recovered panic.
type PanicHandler func(interface{})

// DefaultPanicHandler, when set, receives panics recovered from user code
// (listeners, callbacks).
var DefaultPanicHandler PanicHandler

// WithRecover runs fn and hands a panic to handlers (or DefaultPanicHandler).
func WithRecover(fn func(), handlers ...PanicHandler) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if len(handlers) == 0 && DefaultPanicHandler != nil {
			handlers = []PanicHandler{DefaultPanicHandler}
		}
		for _, h := range handlers {
			if h != nil {
				h(r)
			}
		}
	}()
	fn()
}

// Diff reports whether two address lists differ as sets.
func Diff(origin, latest []string) bool {
	if len(origin) != len(latest) {
		return true
	}
	seen := make(map[string]struct{}, len(origin))
	for _, s := range origin {
		seen[s] = struct{}{}
	}
	for _, s := range latest {
		if _, ok := seen[s]; !ok {
			return true
		}
	}
	return false
}
