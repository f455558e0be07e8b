package capi

// Only declarations here: a file with //export may not define C functions.

/*
#include <stdint.h>
#include <stddef.h>
#include "rocketmq.h"
*/
import "C"

import (
	"runtime/cgo"
	"unsafe"

	"github.com/librocketmq/librocketmq/bindings/go/primitive"
	"github.com/librocketmq/librocketmq/bindings/go/rlog"
)

// Every trampoline recovers panics: a Go panic must never unwind into C.
func recovered(where string) {
	if r := recover(); r != nil {
		rlog.Error("panic in a callback from librocketmq", map[string]interface{}{"callback": where, "panic": r})
	}
}

func handleOf(p unsafe.Pointer) cgo.Handle { return cgo.Handle(uintptr(p)) }

//export goFreeHandle
func goFreeHandle(user unsafe.Pointer) {
	defer recovered("free")
	handleOf(user).Delete()
}

// goSendCb completes an async send; its handle is used once and deleted here.
//
//export goSendCb
func goSendCb(user unsafe.Pointer, result *C.rmq_send_result_t, err *C.rmq_error_t) {
	defer recovered("send completion")
	h := handleOf(user)
	cb := h.Value().(SendCallback)
	h.Delete()
	var res *primitive.SendResult
	var e error
	if err != nil {
		e = convErr(err)
	} else {
		res = convResult(result)
	}
	cb(res, e)
}

//export goConsume
func goConsume(user unsafe.Pointer, msgs **C.rmq_message_view_t, count C.size_t, ackIndex *C.int32_t) (status C.int32_t) {
	status = C.RMQ_RECONSUME_LATER
	defer recovered("consume")
	l := handleOf(user).Value().(*Listener)
	ack := int32(*ackIndex)
	st := l.Concurrent(viewsToExt(msgs, count), &ack)
	*ackIndex = C.int32_t(ack)
	return C.int32_t(st)
}

//export goConsumeOrderly
func goConsumeOrderly(user unsafe.Pointer, msgs **C.rmq_message_view_t, count C.size_t) (status C.int32_t) {
	status = C.RMQ_SUSPEND_CURRENT_QUEUE_A_MOMENT
	defer recovered("consume orderly")
	l := handleOf(user).Value().(*Listener)
	return C.int32_t(l.Orderly(viewsToExt(msgs, count)))
}

//export goTxExecute
func goTxExecute(user unsafe.Pointer, msg *C.rmq_message_t, arg unsafe.Pointer) (state C.int32_t) {
	state = C.RMQ_TRANSACTION_UNKNOWN
	defer recovered("transaction execute")
	exec := handleOf(arg).Value().(func(txID string) int32)
	return C.int32_t(exec(C.GoString(C.rmq_message_transaction_id(msg))))
}

//export goTxCheck
func goTxCheck(user unsafe.Pointer, view *C.rmq_message_view_t) (state C.int32_t) {
	state = C.RMQ_TRANSACTION_UNKNOWN
	defer recovered("transaction check")
	check := handleOf(user).Value().(func(*primitive.MessageExt) int32)
	return C.int32_t(check(viewToExt(view)))
}

//export goSelect
func goSelect(user unsafe.Pointer, msg *C.rmq_message_t, queues **C.rmq_message_queue_t, count C.size_t) (idx C.size_t) {
	idx = count // out of range: the send fails with RMQ_ERR_INVALID_ARG
	defer recovered("queue selector")
	sel := handleOf(user).Value().(func([]*primitive.MessageQueue) int)
	i := sel(convQueues(queues, count))
	if i < 0 || i >= int(count) {
		return count
	}
	return C.size_t(i)
}

// goAllocate runs a Go allocation strategy: marks in mine the queues of
// queues that the strategy returns (matched by topic, broker and queue id).
//
//export goAllocate
func goAllocate(user unsafe.Pointer, group, current *C.char, queues **C.rmq_message_queue_t, count C.size_t,
	cids **C.char, cidCount C.size_t, mine *C.uint8_t) (rc C.int32_t) {
	rc = 1 // a panic keeps the current assignment
	defer recovered("allocate strategy")
	alloc := handleOf(user).Value().(AllocateFunc)
	all := convQueues(queues, count)
	ids := make([]string, int(cidCount))
	for i := range ids {
		ids[i] = C.GoString(*(**C.char)(unsafe.Add(unsafe.Pointer(cids), uintptr(i)*unsafe.Sizeof(*cids))))
	}
	index := make(map[primitive.MessageQueue]int, len(all))
	for i, q := range all {
		index[*q] = i
	}
	marks := unsafe.Slice((*C.uint8_t)(unsafe.Pointer(mine)), int(count))
	for _, q := range alloc(C.GoString(group), C.GoString(current), all, ids) {
		if q == nil {
			continue
		}
		if i, ok := index[*q]; ok {
			marks[i] = 1
		}
	}
	return 0
}

//export goLog
func goLog(user unsafe.Pointer, level C.int32_t, target *C.char, message *C.char) {
	defer recovered("log")
	l := logLine{level: int32(level), target: C.GoString(target), message: C.GoString(message)}
	select {
	case logCh <- l:
	default:
		logDropped.Add(1)
	}
}
