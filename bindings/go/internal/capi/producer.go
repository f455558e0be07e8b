package capi

/*
#include <stdlib.h>
#include "glue.h"
*/
import "C"

import (
	"runtime/cgo"
	"time"
	"unsafe"

	"github.com/librocketmq/librocketmq/bindings/go/primitive"
)

// SendCallback receives the outcome of an async send.
type SendCallback func(*primitive.SendResult, error)

// Producer is a C producer.
type Producer struct {
	guard
	p *C.rmq_producer_t
}

// NewProducer creates a producer (not started) from settings.
func NewProducer(kvs []KV) (*Producer, error) {
	if VersionErr != nil {
		return nil, VersionErr
	}
	cfg, err := newConfig(kvs)
	if err != nil {
		return nil, err
	}
	var p *C.rmq_producer_t
	if e := C.rmq_producer_new(cfg, &p); e != nil {
		return nil, takeErr(e)
	}
	return &Producer{p: p}, nil
}

// Start starts the producer.
func (p *Producer) Start() error {
	return p.call(func() *C.rmq_error_t { return C.rmq_producer_start(p.p) })
}

// Shutdown shuts the producer down (twice is fine).
func (p *Producer) Shutdown() error {
	return p.shutdown(func() *C.rmq_error_t { return C.rmq_producer_shutdown(p.p) })
}

// Free shuts down if needed and frees the producer; later calls fail.
func (p *Producer) Free() {
	p.free(func() {
		C.rmq_producer_free(p.p)
		p.p = nil
	})
}

// withMessage runs f with m built as a C message through call, then frees
// the message.
func (g *guard) withMessage(m *primitive.Message, f func(*C.rmq_message_t) *C.rmq_error_t) error {
	cm, err := buildMessage(m)
	if err != nil {
		return err
	}
	defer C.rmq_message_free(cm)
	return g.call(func() *C.rmq_error_t { return f(cm) })
}

// send runs f, which writes an owned send result, through withMessage and
// takes the result.
func (g *guard) send(m *primitive.Message, f func(*C.rmq_message_t, **C.rmq_send_result_t) *C.rmq_error_t) (*primitive.SendResult, error) {
	var r *C.rmq_send_result_t
	if err := g.withMessage(m, func(cm *C.rmq_message_t) *C.rmq_error_t { return f(cm, &r) }); err != nil {
		return nil, err
	}
	return takeResult(r), nil
}

// SendSync sends m and waits for the broker's answer.
func (p *Producer) SendSync(m *primitive.Message) (*primitive.SendResult, error) {
	return p.send(m, func(cm *C.rmq_message_t, r **C.rmq_send_result_t) *C.rmq_error_t {
		return C.rmq_producer_send_sync(p.p, cm, r)
	})
}

// SendAsync sends m; cb runs exactly once on a goroutine-bound library
// thread unless this returns an error.
func (p *Producer) SendAsync(m *primitive.Message, cb SendCallback) error {
	return p.withMessage(m, func(cm *C.rmq_message_t) *C.rmq_error_t {
		h := cgo.NewHandle(cb)
		e := C.glue_send_async(p.p, cm, C.uintptr_t(h))
		if e != nil {
			h.Delete()
		}
		return e
	})
}

// SendOneway sends m without waiting for an answer.
func (p *Producer) SendOneway(m *primitive.Message) error {
	return p.withMessage(m, func(cm *C.rmq_message_t) *C.rmq_error_t {
		return C.rmq_producer_send_oneway(p.p, cm)
	})
}

// SendBatch sends msgs (one topic) as one batch.
func (p *Producer) SendBatch(msgs []*primitive.Message) (*primitive.SendResult, error) {
	cms := make([]*C.rmq_message_t, 0, len(msgs))
	defer func() {
		for _, cm := range cms {
			C.rmq_message_free(cm)
		}
	}()
	for _, m := range msgs {
		cm, err := buildMessage(m)
		if err != nil {
			return nil, err
		}
		cms = append(cms, cm)
	}
	if len(cms) == 0 {
		return nil, invalid("no message to send")
	}
	var r *C.rmq_send_result_t
	if err := p.call(func() *C.rmq_error_t {
		return C.rmq_producer_send_batch(p.p, &cms[0], C.size_t(len(cms)), &r)
	}); err != nil {
		return nil, err
	}
	return takeResult(r), nil
}

// SendToQueue sends m to q.
func (p *Producer) SendToQueue(m *primitive.Message, q *primitive.MessageQueue) (*primitive.SendResult, error) {
	cm, err := buildMessage(m)
	if err != nil {
		return nil, err
	}
	defer C.rmq_message_free(cm)
	cq, err := newQueue(q)
	if err != nil {
		return nil, err
	}
	defer C.rmq_message_queue_free(cq)
	var r *C.rmq_send_result_t
	if err := p.call(func() *C.rmq_error_t { return C.rmq_producer_send_to_queue(p.p, cm, cq, &r) }); err != nil {
		return nil, err
	}
	return takeResult(r), nil
}

// SendWithSelector sends m to the queue sel picks (an index into the
// queues it is given; out of range fails). sel runs on this goroutine's thread.
func (p *Producer) SendWithSelector(m *primitive.Message, sel func([]*primitive.MessageQueue) int) (*primitive.SendResult, error) {
	return p.send(m, func(cm *C.rmq_message_t, r **C.rmq_send_result_t) *C.rmq_error_t {
		h := cgo.NewHandle(sel)
		defer h.Delete()
		return C.glue_send_with_selector(p.p, cm, C.uintptr_t(h), r)
	})
}

// Queues returns the writable queues of topic.
func (p *Producer) Queues(topic string) ([]*primitive.MessageQueue, error) {
	if hasNUL(topic) {
		return nil, invalid("topic contains NUL")
	}
	t := C.CString(topic)
	defer C.free(unsafe.Pointer(t))
	return p.queues(func(qs ***C.rmq_message_queue_t, n *C.size_t) *C.rmq_error_t {
		return C.rmq_producer_queues(p.p, t, qs, n)
	})
}

// Request sends m as a request and waits up to timeout for the reply.
func (p *Producer) Request(m *primitive.Message, timeout time.Duration) (*primitive.MessageExt, error) {
	ms := timeout.Milliseconds()
	if ms <= 0 {
		ms = 1
	}
	var v *C.rmq_message_view_t
	if err := p.withMessage(m, func(cm *C.rmq_message_t) *C.rmq_error_t {
		return C.rmq_producer_request(p.p, cm, C.int64_t(ms), &v)
	}); err != nil {
		return nil, err
	}
	defer C.rmq_message_view_free(v)
	return viewToExt(v), nil
}

// TxProducer is a C transaction producer.
type TxProducer struct {
	guard
	p *C.rmq_transaction_producer_t
}

// NewTxProducer creates a transaction producer whose checks call check
// (on the library's checker thread).
func NewTxProducer(kvs []KV, check func(*primitive.MessageExt) int32) (*TxProducer, error) {
	if VersionErr != nil {
		return nil, VersionErr
	}
	cfg, err := newConfig(kvs)
	if err != nil {
		return nil, err
	}
	h := cgo.NewHandle(check)
	var p *C.rmq_transaction_producer_t
	// The library frees the handle (goFreeHandle), also when this fails.
	if e := C.glue_tx_producer_new(cfg, C.uintptr_t(h), &p); e != nil {
		return nil, takeErr(e)
	}
	return &TxProducer{p: p}, nil
}

// Start starts the producer.
func (p *TxProducer) Start() error {
	return p.call(func() *C.rmq_error_t { return C.rmq_transaction_producer_start(p.p) })
}

// Shutdown shuts the producer down.
func (p *TxProducer) Shutdown() error {
	return p.shutdown(func() *C.rmq_error_t { return C.rmq_transaction_producer_shutdown(p.p) })
}

// Free frees the producer.
func (p *TxProducer) Free() {
	p.free(func() {
		C.rmq_transaction_producer_free(p.p)
		p.p = nil
	})
}

// Send sends m as a half message and runs exec (on this goroutine's thread)
// with the transaction id the broker assigned.
func (p *TxProducer) Send(m *primitive.Message, exec func(txID string) int32) (*primitive.SendResult, int32, error) {
	var state int32
	res, err := p.send(m, func(cm *C.rmq_message_t, r **C.rmq_send_result_t) *C.rmq_error_t {
		h := cgo.NewHandle(exec)
		defer h.Delete()
		e := C.glue_tx_send(p.p, cm, C.uintptr_t(h), r)
		if e == nil {
			state = int32(C.rmq_send_result_transaction_state(*r))
		}
		return e
	})
	if err != nil {
		return nil, 0, err
	}
	return res, state, nil
}
