package capi

/*
#include <stdlib.h>
#include "glue.h"
*/
import "C"

import (
	"runtime/cgo"
	"unsafe"

	"github.com/librocketmq/librocketmq/bindings/go/primitive"
)

// Listener consumes batches for one subscription of a push consumer; one
// of the two functions is set. They run on the consumer's consume threads.
type Listener struct {
	// Concurrent returns an rmq_consume_status_t; it may lower *ackIndex.
	Concurrent func(msgs []*primitive.MessageExt, ackIndex *int32) int32
	// Orderly returns an rmq_consume_orderly_status_t.
	Orderly func(msgs []*primitive.MessageExt) int32
}

// SetDelayLevel asks, from inside a concurrent listener (on the thread
// the library called it on), for the delay level of the messages sent back.
func SetDelayLevel(level int) error {
	if e := C.rmq_consume_set_delay_level(C.int32_t(level)); e != nil {
		return takeErr(e)
	}
	return nil
}

// SetSuspendTime asks, from inside an orderly listener (on the thread the
// library called it on), for the pause of the queue after a failed batch.
func SetSuspendTime(ms int64) error {
	if e := C.rmq_consume_set_suspend_time_ms(C.int64_t(ms)); e != nil {
		return takeErr(e)
	}
	return nil
}

// Status values of listeners.
const (
	ConsumeSuccess      = int32(C.RMQ_CONSUME_SUCCESS)
	ReconsumeLater      = int32(C.RMQ_RECONSUME_LATER)
	OrderlySuccess      = int32(C.RMQ_ORDERLY_SUCCESS)
	SuspendCurrentQueue = int32(C.RMQ_SUSPEND_CURRENT_QUEUE_A_MOMENT)
	TransactionUnknown  = int32(C.RMQ_TRANSACTION_UNKNOWN)
	TransactionCommit   = int32(C.RMQ_TRANSACTION_COMMIT)
	TransactionRollback = int32(C.RMQ_TRANSACTION_ROLLBACK)
)

// PushConsumer is a C push consumer.
type PushConsumer struct {
	guard
	c *C.rmq_push_consumer_t
}

// AllocateFunc is a queue allocation strategy run by the library's rebalance:
// (group, this consumer's id, every queue, every consumer id) -> this
// consumer's queues.
type AllocateFunc func(string, string, []*primitive.MessageQueue, []string) []*primitive.MessageQueue

// consumerConfig builds a config from settings and, when alloc is not nil,
// the allocation strategy.
func consumerConfig(kvs []KV, alloc AllocateFunc) (*C.rmq_config_t, error) {
	cfg, err := newConfig(kvs)
	if err != nil {
		return nil, err
	}
	if alloc != nil {
		h := cgo.NewHandle(alloc)
		if e := C.glue_config_set_allocate(cfg, C.uintptr_t(h)); e != nil {
			h.Delete()
			C.rmq_config_free(cfg)
			return nil, takeErr(e)
		}
	}
	return cfg, nil
}

// NewPushConsumer creates a push consumer (not started) from settings and an
// optional allocation strategy (nil: the allocate.strategy setting).
func NewPushConsumer(kvs []KV, alloc AllocateFunc) (*PushConsumer, error) {
	if VersionErr != nil {
		return nil, VersionErr
	}
	cfg, err := consumerConfig(kvs, alloc)
	if err != nil {
		return nil, err
	}
	var c *C.rmq_push_consumer_t
	if e := C.rmq_push_consumer_new(cfg, &c); e != nil {
		return nil, takeErr(e)
	}
	return &PushConsumer{c: c}, nil
}

// Subscribe subscribes topic with a tag (or, sql, SQL92) expression.
func (c *PushConsumer) Subscribe(topic, expr string, sql bool, l *Listener) error {
	if hasNUL(topic) || hasNUL(expr) {
		return invalid("topic or expression contains NUL")
	}
	t, x := C.CString(topic), C.CString(expr)
	defer C.free(unsafe.Pointer(t))
	defer C.free(unsafe.Pointer(x))
	sqlFlag, orderly := C.int(0), C.int(0)
	if sql {
		sqlFlag = 1
	}
	if l.Orderly != nil {
		orderly = 1
	}
	return c.call(func() *C.rmq_error_t {
		h := cgo.NewHandle(l)
		e := C.glue_subscribe(c.c, t, x, sqlFlag, orderly, C.uintptr_t(h))
		if e != nil {
			h.Delete()
		}
		return e
	})
}

// Unsubscribe stops consuming topic.
func (c *PushConsumer) Unsubscribe(topic string) error {
	t := C.CString(topic)
	defer C.free(unsafe.Pointer(t))
	return c.call(func() *C.rmq_error_t { return C.rmq_push_consumer_unsubscribe(c.c, t) })
}

// Start starts consuming.
func (c *PushConsumer) Start() error {
	return c.call(func() *C.rmq_error_t { return C.rmq_push_consumer_start(c.c) })
}

// Pause stops pulling.
func (c *PushConsumer) Pause() error {
	return c.call(func() *C.rmq_error_t { return C.rmq_push_consumer_pause(c.c) })
}

// Resume resumes pulling.
func (c *PushConsumer) Resume() error {
	return c.call(func() *C.rmq_error_t { return C.rmq_push_consumer_resume(c.c) })
}

// AssignedQueues returns the queues the consumer owns now.
func (c *PushConsumer) AssignedQueues() ([]*primitive.MessageQueue, error) {
	if !c.enter() {
		return nil, errFreed()
	}
	defer c.leave()
	return c.assignedQueues()
}

// TryAssignedQueues is AssignedQueues for listeners: it fails at once
// instead of waiting while the consumer is being freed.
func (c *PushConsumer) TryAssignedQueues() ([]*primitive.MessageQueue, error) {
	if !c.tryEnter() {
		return nil, errFreed()
	}
	defer c.leave()
	return c.assignedQueues()
}

// assignedQueues reads the assignment; the caller holds the guard.
func (c *PushConsumer) assignedQueues() ([]*primitive.MessageQueue, error) {
	var qs **C.rmq_message_queue_t
	var n C.size_t
	if e := C.rmq_push_consumer_assigned_queues(c.c, &qs, &n); e != nil {
		return nil, takeErr(e)
	}
	return takeQueues(qs, n), nil
}

// Shutdown shuts the consumer down.
func (c *PushConsumer) Shutdown() error {
	return c.shutdown(func() *C.rmq_error_t { return C.rmq_push_consumer_shutdown(c.c) })
}

// Free frees the consumer (and the listeners' handles).
func (c *PushConsumer) Free() {
	c.free(func() {
		C.rmq_push_consumer_free(c.c)
		c.c = nil
	})
}

// PullConsumer is a C lite pull consumer.
type PullConsumer struct {
	guard
	c *C.rmq_pull_consumer_t
}

// NewPullConsumer creates a lite pull consumer (not started) from settings
// and an optional allocation strategy (nil: the allocate.strategy setting).
func NewPullConsumer(kvs []KV, alloc AllocateFunc) (*PullConsumer, error) {
	if VersionErr != nil {
		return nil, VersionErr
	}
	cfg, err := consumerConfig(kvs, alloc)
	if err != nil {
		return nil, err
	}
	var c *C.rmq_pull_consumer_t
	if e := C.rmq_pull_consumer_new(cfg, &c); e != nil {
		return nil, takeErr(e)
	}
	return &PullConsumer{c: c}, nil
}

// Subscribe subscribes topic with a tag (or, sql, SQL92) expression.
func (c *PullConsumer) Subscribe(topic, expr string, sql bool) error {
	if hasNUL(topic) || hasNUL(expr) {
		return invalid("topic or expression contains NUL")
	}
	t, x := C.CString(topic), C.CString(expr)
	defer C.free(unsafe.Pointer(t))
	defer C.free(unsafe.Pointer(x))
	return c.call(func() *C.rmq_error_t {
		if sql {
			return C.rmq_pull_consumer_subscribe_sql92(c.c, t, x)
		}
		return C.rmq_pull_consumer_subscribe(c.c, t, x)
	})
}

// Unsubscribe stops consuming topic.
func (c *PullConsumer) Unsubscribe(topic string) error {
	t := C.CString(topic)
	defer C.free(unsafe.Pointer(t))
	return c.call(func() *C.rmq_error_t { return C.rmq_pull_consumer_unsubscribe(c.c, t) })
}

// Assign consumes exactly qs.
func (c *PullConsumer) Assign(qs []*primitive.MessageQueue) error {
	cqs, err := queueArray(qs)
	if err != nil {
		return err
	}
	defer freeQueueArray(cqs)
	return c.call(func() *C.rmq_error_t {
		return C.rmq_pull_consumer_assign(c.c, queueArrayPtr(cqs), C.size_t(len(cqs)))
	})
}

// Start starts pulling.
func (c *PullConsumer) Start() error {
	return c.call(func() *C.rmq_error_t { return C.rmq_pull_consumer_start(c.c) })
}

// Poll waits up to timeoutMs for the next batch (nil when none came).
func (c *PullConsumer) Poll(timeoutMs int64) ([]*primitive.MessageExt, error) {
	var views **C.rmq_message_view_t
	var n C.size_t
	if err := c.call(func() *C.rmq_error_t {
		return C.rmq_pull_consumer_poll(c.c, C.int64_t(timeoutMs), &views, &n)
	}); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, nil
	}
	defer C.rmq_message_views_free(views, n)
	return viewsToExt(views, n), nil
}

func (c *PullConsumer) withQueue(q *primitive.MessageQueue, f func(*C.rmq_message_queue_t) *C.rmq_error_t) error {
	cq, err := newQueue(q)
	if err != nil {
		return err
	}
	defer C.rmq_message_queue_free(cq)
	return c.call(func() *C.rmq_error_t { return f(cq) })
}

// Seek continues q at offset.
func (c *PullConsumer) Seek(q *primitive.MessageQueue, offset int64) error {
	return c.withQueue(q, func(cq *C.rmq_message_queue_t) *C.rmq_error_t {
		return C.rmq_pull_consumer_seek(c.c, cq, C.int64_t(offset))
	})
}

// SeekToBeginning continues q at its first stored message.
func (c *PullConsumer) SeekToBeginning(q *primitive.MessageQueue) error {
	return c.withQueue(q, func(cq *C.rmq_message_queue_t) *C.rmq_error_t {
		return C.rmq_pull_consumer_seek_to_beginning(c.c, cq)
	})
}

// SeekToEnd continues q after its last stored message.
func (c *PullConsumer) SeekToEnd(q *primitive.MessageQueue) error {
	return c.withQueue(q, func(cq *C.rmq_message_queue_t) *C.rmq_error_t {
		return C.rmq_pull_consumer_seek_to_end(c.c, cq)
	})
}

// SeekToTimestamp continues q at its first message stored at or after ms.
func (c *PullConsumer) SeekToTimestamp(q *primitive.MessageQueue, ms int64) error {
	return c.withQueue(q, func(cq *C.rmq_message_queue_t) *C.rmq_error_t {
		return C.rmq_pull_consumer_seek_to_timestamp(c.c, cq, C.int64_t(ms))
	})
}

// Commit commits everything polled so far.
func (c *PullConsumer) Commit() error {
	return c.call(func() *C.rmq_error_t { return C.rmq_pull_consumer_commit(c.c) })
}

// CommitOffset commits offset (the next to consume) for q.
func (c *PullConsumer) CommitOffset(q *primitive.MessageQueue, offset int64) error {
	return c.withQueue(q, func(cq *C.rmq_message_queue_t) *C.rmq_error_t {
		return C.rmq_pull_consumer_commit_offset(c.c, cq, C.int64_t(offset))
	})
}

// Committed reads the committed offset of q (-1: none).
func (c *PullConsumer) Committed(q *primitive.MessageQueue) (int64, error) {
	var off C.int64_t
	err := c.withQueue(q, func(cq *C.rmq_message_queue_t) *C.rmq_error_t {
		return C.rmq_pull_consumer_committed(c.c, cq, &off)
	})
	return int64(off), err
}

// OffsetForTimestamp returns the offset of q's first message stored at or
// after ts (ms), without moving the consumer.
func (c *PullConsumer) OffsetForTimestamp(q *primitive.MessageQueue, ts int64) (int64, error) {
	var off C.int64_t
	err := c.withQueue(q, func(cq *C.rmq_message_queue_t) *C.rmq_error_t {
		return C.rmq_pull_consumer_offset_for_timestamp(c.c, cq, C.int64_t(ts), &off)
	})
	return int64(off), err
}

// PullInfo is the status and offsets of a one-shot pull.
type PullInfo struct {
	// Status is the rmq_pull_status_t value (0 found, 1 no new message,
	// 2 none matched, 3 offset illegal).
	Status                                int
	NextBeginOffset, MinOffset, MaxOffset int64
}

// PullFrom pulls once from q at offset: up to max messages matching the tag
// expression ("": the consumer's subscription of q's topic, or every
// message), waiting up to timeoutMs, outside the consumer's buffering.
func (c *PullConsumer) PullFrom(q *primitive.MessageQueue, expr string, offset int64, max int32,
	timeoutMs int64) (PullInfo, []*primitive.MessageExt, error) {
	var e *C.char // NULL: the consumer's subscription of the topic
	if expr != "" {
		e = C.CString(expr)
		defer C.free(unsafe.Pointer(e))
	}
	var info C.rmq_pull_info_t
	var views **C.rmq_message_view_t
	var n C.size_t
	err := c.withQueue(q, func(cq *C.rmq_message_queue_t) *C.rmq_error_t {
		return C.rmq_pull_consumer_pull_from(c.c, cq, e, C.int64_t(offset), C.int32_t(max),
			C.int64_t(timeoutMs), &info, &views, &n)
	})
	if err != nil {
		return PullInfo{}, nil, err
	}
	pi := PullInfo{Status: int(info.status), NextBeginOffset: int64(info.next_begin_offset),
		MinOffset: int64(info.min_offset), MaxOffset: int64(info.max_offset)}
	if n == 0 {
		return pi, nil, nil
	}
	defer C.rmq_message_views_free(views, n)
	return pi, viewsToExt(views, n), nil
}

// FetchQueues returns the queues of topic.
func (c *PullConsumer) FetchQueues(topic string) ([]*primitive.MessageQueue, error) {
	t := C.CString(topic)
	defer C.free(unsafe.Pointer(t))
	return c.queues(func(qs ***C.rmq_message_queue_t, n *C.size_t) *C.rmq_error_t {
		return C.rmq_pull_consumer_fetch_queues(c.c, t, qs, n)
	})
}

// Assignment returns the queues consumed now.
func (c *PullConsumer) Assignment() ([]*primitive.MessageQueue, error) {
	return c.queues(func(qs ***C.rmq_message_queue_t, n *C.size_t) *C.rmq_error_t {
		return C.rmq_pull_consumer_assignment(c.c, qs, n)
	})
}

// Pause stops pulling qs.
func (c *PullConsumer) Pause(qs []*primitive.MessageQueue) error {
	cqs, err := queueArray(qs)
	if err != nil {
		return err
	}
	defer freeQueueArray(cqs)
	return c.call(func() *C.rmq_error_t {
		return C.rmq_pull_consumer_pause(c.c, queueArrayPtr(cqs), C.size_t(len(cqs)))
	})
}

// Resume resumes pulling qs.
func (c *PullConsumer) Resume(qs []*primitive.MessageQueue) error {
	cqs, err := queueArray(qs)
	if err != nil {
		return err
	}
	defer freeQueueArray(cqs)
	return c.call(func() *C.rmq_error_t {
		return C.rmq_pull_consumer_resume(c.c, queueArrayPtr(cqs), C.size_t(len(cqs)))
	})
}

// Shutdown shuts the consumer down.
func (c *PullConsumer) Shutdown() error {
	return c.shutdown(func() *C.rmq_error_t { return C.rmq_pull_consumer_shutdown(c.c) })
}

// Free frees the consumer.
func (c *PullConsumer) Free() {
	c.free(func() {
		C.rmq_pull_consumer_free(c.c)
		c.c = nil
	})
}
