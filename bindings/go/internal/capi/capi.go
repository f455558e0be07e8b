// Package capi is the only package that calls librocketmq's C API. It turns
// C objects into the primitive package's Go values and back. Rules kept
// here: every C string made from Go is freed before the call returns, C
// never keeps a pointer to Go memory after a call returns (the library
// copies its inputs), and C calls Go only through the trampolines of
// export.go, whose user data is a runtime/cgo.Handle.
package capi

/*
#include <stdlib.h>
#include "glue.h"

#if !defined(RMQ_VERSION_NUMBER) || RMQ_VERSION_NUMBER < 0x000100
#error "librocketmq 0.1 or newer is needed (rocketmq.h too old)"
#endif
*/
import "C"

import (
	"fmt"
	"runtime/cgo"
	"strconv"
	"strings"
	"sync/atomic"
	"unsafe"

	"github.com/librocketmq/librocketmq/bindings/go/internal/logbridge"
	"github.com/librocketmq/librocketmq/bindings/go/primitive"
	"github.com/librocketmq/librocketmq/bindings/go/rlog"
)

// HeaderVersion is the version of the header this package was built with.
const HeaderVersion = uint32(C.RMQ_VERSION_NUMBER)

// LibraryVersion is the version string of the library loaded.
func LibraryVersion() string { return C.GoString(C.rmq_version()) }

// VersionErr is set when the loaded library does not match the header
// (different major, or different minor before 1.0); constructors return it.
var VersionErr error

func init() {
	lib := uint32(C.rmq_version_number())
	major, minor := lib>>16, (lib>>8)&0xff
	hmajor, hminor := HeaderVersion>>16, (HeaderVersion>>8)&0xff
	if major != hmajor || (major == 0 && minor != hminor) || lib < HeaderVersion {
		VersionErr = fmt.Errorf("librocketmq %s is loaded, but this package was built for %d.%d.%d",
			LibraryVersion(), hmajor, hminor, HeaderVersion&0xff)
	}
	startLogBridge()
}

// ---- errors ----

// takeErr converts a C error into a *primitive.Error and frees it (nil for NULL).
func takeErr(e *C.rmq_error_t) error {
	if e == nil {
		return nil
	}
	err := convErr(e)
	C.rmq_error_free(e)
	return err
}

func convErr(e *C.rmq_error_t) *primitive.Error {
	var ge C.glue_error_t
	C.glue_error_read(e, &ge)
	name := "RMQ_ERR"
	if ge.name != nil {
		name = C.GoString(ge.name)
	}
	return &primitive.Error{
		Code:         primitive.ErrorCode(ge.code),
		Name:         name,
		Message:      C.GoString(ge.message),
		ResponseCode: int32(ge.response_code),
		Retriable:    ge.retriable != 0,
	}
}

func invalid(msg string) error {
	return &primitive.Error{Code: primitive.ErrCodeInvalidArg, Name: "RMQ_ERR_INVALID_ARG", Message: msg}
}

// ---- configuration ----

// KV is one configuration setting.
type KV struct{ Key, Value string }

func newConfig(kvs []KV) (*C.rmq_config_t, error) {
	cfg := C.rmq_config_new()
	for _, kv := range kvs {
		k, v := C.CString(kv.Key), C.CString(kv.Value)
		e := C.rmq_config_set(cfg, k, v)
		C.free(unsafe.Pointer(k))
		C.free(unsafe.Pointer(v))
		if e != nil {
			err := takeErr(e)
			C.rmq_config_free(cfg)
			return nil, fmt.Errorf("config %s=%q: %w", kv.Key, kv.Value, err)
		}
	}
	return cfg, nil
}

// ---- messages ----

func hasNUL(s string) bool { return strings.IndexByte(s, 0) >= 0 }

// buildMessage makes a C message of m with one C call (the caller frees it).
// buildReply builds a reply made by consumer.CreateReplyMessage: its
// system properties go through rmq_message_new_reply_to (the C API keeps
// them from ordinary messages). Other properties of a reply are dropped.
func buildReply(m *primitive.Message) (*C.rmq_message_t, error) {
	cluster := strings.TrimSuffix(m.Topic, "_REPLY_TOPIC")
	vals := []string{cluster, m.GetProperty(primitive.PropertyCorrelationID),
		m.GetProperty(primitive.PropertyMessageReplyToClient), m.GetProperty(primitive.PropertyMessageTTL)}
	cs := make([]*C.char, len(vals))
	for i, v := range vals {
		if hasNUL(v) {
			return nil, invalid("reply property contains NUL")
		}
		cs[i] = C.CString(v)
		defer C.free(unsafe.Pointer(cs[i]))
	}
	var body *C.uint8_t
	if len(m.Body) > 0 {
		body = (*C.uint8_t)(unsafe.Pointer(&m.Body[0]))
	}
	var out *C.rmq_message_t
	if e := C.rmq_message_new_reply_to(cs[0], cs[1], cs[2], cs[3], body, C.size_t(len(m.Body)), &out); e != nil {
		return nil, takeErr(e)
	}
	return out, nil
}

func isReply(m *primitive.Message) bool {
	return m.GetProperty(primitive.PropertyMsgType) == "reply" &&
		m.GetProperty(primitive.PropertyCorrelationID) != "" &&
		strings.HasSuffix(m.Topic, "_REPLY_TOPIC")
}

func buildMessage(m *primitive.Message) (*C.rmq_message_t, error) {
	if m == nil {
		return nil, invalid("message is nil")
	}
	if isReply(m) {
		return buildReply(m)
	}
	if hasNUL(m.Topic) {
		return nil, invalid("topic contains NUL")
	}
	packed := make([]byte, 0, len(m.Topic)+64)
	packed = append(packed, m.Topic...)
	packed = append(packed, 0)
	n := 0
	var bad error
	m.RangeProperties(func(k, v string) {
		if bad != nil {
			return
		}
		if hasNUL(k) || hasNUL(v) {
			bad = invalid("property " + strconv.Quote(k) + " contains NUL")
			return
		}
		switch k {
		case primitive.PropertyDelayTimeLevel, primitive.PropertyTimerDeliverMS:
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				bad = invalid("property " + k + " is not a number: " + strconv.Quote(v))
				return
			}
		}
		packed = append(packed, k...)
		packed = append(packed, 0)
		packed = append(packed, v...)
		packed = append(packed, 0)
		n++
	})
	if bad != nil {
		return nil, bad
	}
	var out *C.rmq_message_t
	var body *C.uint8_t
	if len(m.Body) > 0 {
		body = (*C.uint8_t)(unsafe.Pointer(&m.Body[0]))
	}
	e := C.glue_message_build((*C.char)(unsafe.Pointer(&packed[0])), C.int(n), body, C.size_t(len(m.Body)),
		C.int32_t(m.Flag), &out)
	if e != nil {
		return nil, takeErr(e)
	}
	return out, nil
}

func viewToExt(v *C.rmq_message_view_t) *primitive.MessageExt {
	var g C.glue_view_t
	C.glue_view_read(v, &g)
	ext := &primitive.MessageExt{
		MsgId:                     C.GoString(g.msg_id),
		OffsetMsgId:               C.GoString(g.offset_msg_id),
		StoreSize:                 int32(g.store_size),
		QueueOffset:               int64(g.queue_offset),
		SysFlag:                   int32(g.sys_flag),
		BornTimestamp:             int64(g.born_timestamp),
		BornHost:                  C.GoString(g.born_host),
		StoreTimestamp:            int64(g.store_timestamp),
		StoreHost:                 C.GoString(g.store_host),
		CommitLogOffset:           int64(g.commit_log_offset),
		BodyCRC:                   int32(g.body_crc),
		ReconsumeTimes:            int32(g.reconsume_times),
		PreparedTransactionOffset: int64(g.prepared_transaction_offset),
	}
	ext.Topic = C.GoString(g.topic)
	ext.Flag = int32(g.flag)
	if g.body_len > 0 {
		ext.Body = C.GoBytes(unsafe.Pointer(g.body), C.int(g.body_len))
	} else {
		ext.Body = []byte{}
	}
	ext.Queue = &primitive.MessageQueue{Topic: ext.Topic, QueueId: int(g.queue_id)}
	props := make(map[string]string, int(g.property_count))
	for i := 0; i < int(g.property_count); i++ {
		var name, value *C.char
		if C.rmq_message_view_property_at(v, C.size_t(i), &name, &value) {
			props[C.GoString(name)] = C.GoString(value)
		}
	}
	ext.WithProperties(props)
	ext.TransactionId = props[primitive.PropertyTransactionID]
	return ext
}

func viewsToExt(views **C.rmq_message_view_t, count C.size_t) []*primitive.MessageExt {
	out := make([]*primitive.MessageExt, int(count))
	for i := range out {
		out[i] = viewToExt(C.glue_view_at(views, C.size_t(i)))
	}
	return out
}

func convResult(r *C.rmq_send_result_t) *primitive.SendResult {
	var g C.glue_result_t
	C.glue_result_read(r, &g)
	return &primitive.SendResult{
		Status:        primitive.SendStatus(g.status),
		MsgID:         C.GoString(g.msg_id),
		OffsetMsgID:   C.GoString(g.offset_msg_id),
		QueueOffset:   int64(g.queue_offset),
		TransactionID: C.GoString(g.transaction_id),
		MessageQueue: &primitive.MessageQueue{
			Topic:      C.GoString(g.topic),
			BrokerName: C.GoString(g.broker_name),
			QueueId:    int(g.queue_id),
		},
	}
}

func takeResult(r *C.rmq_send_result_t) *primitive.SendResult {
	res := convResult(r)
	C.rmq_send_result_free(r)
	return res
}

// ---- queues ----

func newQueue(q *primitive.MessageQueue) (*C.rmq_message_queue_t, error) {
	if q == nil {
		return nil, invalid("message queue is nil")
	}
	if hasNUL(q.Topic) || hasNUL(q.BrokerName) {
		return nil, invalid("queue names contain NUL")
	}
	t, b := C.CString(q.Topic), C.CString(q.BrokerName)
	defer C.free(unsafe.Pointer(t))
	defer C.free(unsafe.Pointer(b))
	var out *C.rmq_message_queue_t
	if e := C.rmq_message_queue_new(t, b, C.int32_t(q.QueueId), &out); e != nil {
		return nil, takeErr(e)
	}
	return out, nil
}

func convQueue(q *C.rmq_message_queue_t) *primitive.MessageQueue {
	return &primitive.MessageQueue{
		Topic:      C.GoString(C.rmq_message_queue_topic(q)),
		BrokerName: C.GoString(C.rmq_message_queue_broker_name(q)),
		QueueId:    int(C.rmq_message_queue_queue_id(q)),
	}
}

func convQueues(qs **C.rmq_message_queue_t, n C.size_t) []*primitive.MessageQueue {
	out := make([]*primitive.MessageQueue, int(n))
	for i := range out {
		out[i] = convQueue(C.glue_queue_at(qs, C.size_t(i)))
	}
	return out
}

// takeQueues converts and frees an owned array of queues.
func takeQueues(qs **C.rmq_message_queue_t, n C.size_t) []*primitive.MessageQueue {
	out := convQueues(qs, n)
	C.rmq_message_queues_free(qs, n)
	return out
}

// queueArray makes C queues of qs; free them with freeQueueArray.
func queueArray(qs []*primitive.MessageQueue) ([]*C.rmq_message_queue_t, error) {
	out := make([]*C.rmq_message_queue_t, 0, len(qs))
	for _, q := range qs {
		cq, err := newQueue(q)
		if err != nil {
			freeQueueArray(out)
			return nil, err
		}
		out = append(out, cq)
	}
	return out, nil
}

func freeQueueArray(qs []*C.rmq_message_queue_t) {
	for _, q := range qs {
		C.rmq_message_queue_free(q)
	}
}

func queueArrayPtr(qs []*C.rmq_message_queue_t) **C.rmq_message_queue_t {
	if len(qs) == 0 {
		return nil
	}
	return &qs[0]
}

// ---- logging ----

type logLine struct {
	level   int32
	target  string
	message string
}

// The library's log lines go through this channel to one goroutine that
// hands them to rlog; when it is full, lines are dropped (and counted).
var (
	logCh      = make(chan logLine, 4096)
	logDropped atomic.Int64
)

func libLevel(level string) C.int32_t {
	switch strings.ToLower(level) {
	case "trace":
		return C.RMQ_LOG_TRACE
	case "debug":
		return C.RMQ_LOG_DEBUG
	case "info":
		return C.RMQ_LOG_INFO
	case "warn", "warning":
		return C.RMQ_LOG_WARN
	case "error", "fatal":
		return C.RMQ_LOG_ERROR
	case "off":
		return C.RMQ_LOG_OFF
	}
	return C.RMQ_LOG_INFO
}

func forwardLog(l logLine) {
	fields := map[string]interface{}{"component": l.target}
	switch l.level {
	case C.RMQ_LOG_ERROR:
		rlog.Error(l.message, fields)
	case C.RMQ_LOG_WARN:
		rlog.Warning(l.message, fields)
	case C.RMQ_LOG_INFO:
		rlog.Info(l.message, fields)
	default:
		rlog.Debug(l.message, fields)
	}
}

func startLogBridge() {
	go func() {
		for l := range logCh {
			if n := logDropped.Swap(0); n > 0 {
				rlog.Warning("log lines dropped", map[string]interface{}{"count": n})
			}
			forwardLog(l)
		}
	}()
	C.glue_set_log_callback(C.uintptr_t(cgo.NewHandle(logCh)))
	logbridge.Register(func(level string) { _ = takeErr(C.rmq_set_log_level(libLevel(level))) })
}
