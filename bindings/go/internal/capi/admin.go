package capi

/*
#include <stdlib.h>
#include "glue.h"
*/
import "C"

import (
	"unsafe"

	"github.com/librocketmq/librocketmq/bindings/go/primitive"
)

// Admin wraps rmq_admin_t: topic administration.
type Admin struct {
	guard
	a *C.rmq_admin_t
}

// NewAdmin creates an admin client from settings (name servers, credentials,
// namespace).
func NewAdmin(kvs []KV) (*Admin, error) {
	if VersionErr != nil {
		return nil, VersionErr
	}
	cfg, err := newConfig(kvs)
	if err != nil {
		return nil, err
	}
	var a *C.rmq_admin_t
	if e := C.rmq_admin_new(cfg, &a); e != nil {
		return nil, takeErr(e)
	}
	return &Admin{a: a}, nil
}

// cstrings turns strings into C strings ("" becomes NULL); free releases them.
func cstrings(ss ...string) (out []*C.char, free func(), err error) {
	for _, s := range ss {
		if hasNUL(s) {
			for _, p := range out {
				C.free(unsafe.Pointer(p))
			}
			return nil, nil, invalid("argument contains NUL")
		}
		if s == "" {
			out = append(out, nil)
		} else {
			out = append(out, C.CString(s))
		}
	}
	return out, func() {
		for _, p := range out {
			if p != nil {
				C.free(unsafe.Pointer(p))
			}
		}
	}, nil
}

// call runs f with the live handle, or fails once the admin is freed.
func (a *Admin) call(f func(*C.rmq_admin_t) *C.rmq_error_t) error {
	return a.guard.call(func() *C.rmq_error_t { return f(a.a) })
}

// TopicSpec is a topic to create.
type TopicSpec struct {
	Topic, BrokerAddr, Cluster, FilterType string
	ReadQueueNums, WriteQueueNums, Perm    int
	SysFlag                                int
	Order                                  bool
}

// CreateTopic creates (or updates) a topic on BrokerAddr, or on every master
// of Cluster.
func (a *Admin) CreateTopic(s TopicSpec) error {
	cs, free, err := cstrings(s.BrokerAddr, s.Cluster, s.Topic, s.FilterType)
	if err != nil {
		return err
	}
	defer free()
	if cs[2] == nil {
		cs[2] = C.CString("")
		defer C.free(unsafe.Pointer(cs[2]))
	}
	return a.call(func(h *C.rmq_admin_t) *C.rmq_error_t {
		return C.rmq_admin_create_topic(h, cs[0], cs[1], cs[2], C.int32_t(s.ReadQueueNums),
			C.int32_t(s.WriteQueueNums), C.int32_t(s.Perm), cs[3], C.int32_t(s.SysFlag), C.bool(s.Order))
	})
}

// DeleteTopic deletes a topic from brokerAddr (or cluster's masters, or the
// masters of its route) and from the name servers.
func (a *Admin) DeleteTopic(topic, brokerAddr, cluster string) error {
	cs, free, err := cstrings(topic, brokerAddr, cluster)
	if err != nil {
		return err
	}
	defer free()
	if cs[0] == nil {
		cs[0] = C.CString("")
		defer C.free(unsafe.Pointer(cs[0]))
	}
	return a.call(func(h *C.rmq_admin_t) *C.rmq_error_t {
		return C.rmq_admin_delete_topic(h, cs[0], cs[1], cs[2])
	})
}

// PublishQueues returns the writable queues of topic.
func (a *Admin) PublishQueues(topic string) ([]*primitive.MessageQueue, error) {
	if hasNUL(topic) {
		return nil, invalid("topic contains NUL")
	}
	t := C.CString(topic)
	defer C.free(unsafe.Pointer(t))
	return a.queues(func(qs ***C.rmq_message_queue_t, n *C.size_t) *C.rmq_error_t {
		return C.rmq_admin_publish_queues(a.a, t, qs, n)
	})
}

func takeStrings(p **C.char, n C.size_t) []string {
	defer C.rmq_strings_free(p, n)
	out := make([]string, 0, int(n))
	for _, s := range unsafe.Slice(p, int(n)) {
		out = append(out, C.GoString(s))
	}
	return out
}

// TopicList returns every topic the name servers know.
func (a *Admin) TopicList() ([]string, error) {
	var p **C.char
	var n C.size_t
	if err := a.call(func(h *C.rmq_admin_t) *C.rmq_error_t {
		return C.rmq_admin_topic_list(h, &p, &n)
	}); err != nil {
		return nil, err
	}
	return takeStrings(p, n), nil
}

// TopicClusters returns the clusters whose brokers serve topic.
func (a *Admin) TopicClusters(topic string) ([]string, error) {
	if hasNUL(topic) {
		return nil, invalid("topic contains NUL")
	}
	t := C.CString(topic)
	defer C.free(unsafe.Pointer(t))
	var p **C.char
	var n C.size_t
	if err := a.call(func(h *C.rmq_admin_t) *C.rmq_error_t {
		return C.rmq_admin_topic_clusters(h, t, &p, &n)
	}); err != nil {
		return nil, err
	}
	return takeStrings(p, n), nil
}

// Free closes and frees the admin; later calls fail.
func (a *Admin) Free() {
	a.free(func() {
		C.rmq_admin_free(a.a)
		a.a = nil
	})
}
