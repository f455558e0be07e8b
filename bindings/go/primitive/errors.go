package primitive

import (
	stderrors "errors"
	"strconv"

	"github.com/librocketmq/librocketmq/bindings/go/errors"
)

// MQBrokerErr is an error answer of a broker or name server.
type MQBrokerErr struct {
	ResponseCode int16
	ErrorMessage string
}

func (e MQBrokerErr) Error() string {
	return "CODE: " + strconv.Itoa(int(e.ResponseCode)) + "  DESC: " + e.ErrorMessage
}

// NewRemotingErr returns a network error.
func NewRemotingErr(s string) error { return &RemotingErr{s: s} }

// RemotingErr is a network error.
type RemotingErr struct{ s string }

func (e *RemotingErr) Error() string { return e.s }

// NewMQClientErr returns a client error.
func NewMQClientErr(code int16, msg string) error { return &MQClientErr{code: code, msg: msg} }

// MQClientErr is a client error.
type MQClientErr struct {
	code int16
	msg  string
}

func (e MQClientErr) Error() string {
	return "CODE: " + strconv.Itoa(int(e.code)) + "  DESC: " + e.msg
}

// IsRemotingErr reports whether err is (or wraps) a network error.
func IsRemotingErr(err error) bool {
	var r *RemotingErr
	return stderrors.As(err, &r)
}

// ErrorCode is a librocketmq error code (the C API's RMQ_ERR_* values).
type ErrorCode int32

// Error codes.
const (
	ErrCodeInvalidArg    ErrorCode = 1
	ErrCodeNullArg       ErrorCode = 2
	ErrCodeUnknownConfig ErrorCode = 3
	ErrCodeInvalidState  ErrorCode = 4
	ErrCodeNotStarted    ErrorCode = 5
	ErrCodeShutDown      ErrorCode = 6
	ErrCodeBusy          ErrorCode = 7
	ErrCodeTimeout       ErrorCode = 8
	ErrCodeNetwork       ErrorCode = 9
	ErrCodeNoRoute       ErrorCode = 10
	ErrCodeBroker        ErrorCode = 11
	ErrCodeProtocol      ErrorCode = 12
	ErrCodeCompression   ErrorCode = 13
	ErrCodeInternal      ErrorCode = 14
	ErrCodePanic         ErrorCode = 15
)

// Error is an error reported by librocketmq: a code, its name, a message,
// the server's response code (0 when none) and whether a retry may help.
// errors.As finds MQBrokerErr in it for server answers and *RemotingErr
// for network errors; errors.Is matches the sentinels of the errors package
// with the same meaning (ErrRequestTimeout, ErrNotRunning, ErrShutdown,
// ErrRouteNotFound).
type Error struct {
	Code         ErrorCode
	Name         string
	Message      string
	ResponseCode int32
	Retriable    bool
}

func (e *Error) Error() string {
	s := e.Name + ": " + e.Message
	if e.ResponseCode != 0 {
		s += " (response code " + strconv.Itoa(int(e.ResponseCode)) + ")"
	}
	return s
}

// IsRetriable reports whether retrying the same call may succeed.
func (e *Error) IsRetriable() bool { return e.Retriable }

// IsTimeout reports whether no answer came in time.
func (e *Error) IsTimeout() bool { return e.Code == ErrCodeTimeout }

// IsFatal reports whether the client is unusable (the library failed).
func (e *Error) IsFatal() bool { return e.Code == ErrCodePanic }

// Is matches the sentinels of the errors package.
func (e *Error) Is(target error) bool {
	switch target {
	case errors.ErrRequestTimeout:
		return e.Code == ErrCodeTimeout
	case errors.ErrNotRunning:
		return e.Code == ErrCodeNotStarted
	case errors.ErrShutdown, errors.ErrService:
		return e.Code == ErrCodeShutDown
	case errors.ErrRouteNotFound, errors.ErrTopicNotExist:
		return e.Code == ErrCodeNoRoute
	}
	if t, ok := target.(*Error); ok {
		return t.Code == e.Code
	}
	return false
}

// As finds MQBrokerErr and *RemotingErr views of the error.
func (e *Error) As(target interface{}) bool {
	switch t := target.(type) {
	case *MQBrokerErr:
		if e.ResponseCode == 0 {
			return false
		}
		*t = MQBrokerErr{ResponseCode: int16(e.ResponseCode), ErrorMessage: e.Message}
		return true
	case **RemotingErr:
		if e.Code != ErrCodeNetwork {
			return false
		}
		*t = &RemotingErr{s: e.Message}
		return true
	}
	return false
}
