// Package rocketmq is an Apache RocketMQ client for Go on librocketmq (a
// C library), with the API of rocketmq-client-go v2: a program written for
// github.com/apache/rocketmq-client-go/v2 builds after its import paths
// change from that module to this one. The differences are listed in the
// docs of the producer, consumer, primitive and rlog packages.
//
// The package checks at load time that the librocketmq it runs with
// matches the header it was built with; constructors fail otherwise.
package rocketmq

import (
	"context"
	"time"

	"github.com/librocketmq/librocketmq/bindings/go/consumer"
	"github.com/librocketmq/librocketmq/bindings/go/internal"
	"github.com/librocketmq/librocketmq/bindings/go/internal/capi"
	"github.com/librocketmq/librocketmq/bindings/go/primitive"
	"github.com/librocketmq/librocketmq/bindings/go/producer"
)

// Producer sends messages.
type Producer interface {
	Start() error
	Shutdown() error
	SendSync(ctx context.Context, mq ...*primitive.Message) (*primitive.SendResult, error)
	SendAsync(ctx context.Context, mq func(ctx context.Context, result *primitive.SendResult, err error),
		msg ...*primitive.Message) error
	SendOneWay(ctx context.Context, mq ...*primitive.Message) error
	Request(ctx context.Context, ttl time.Duration, msg *primitive.Message) (*primitive.Message, error)
	RequestAsync(ctx context.Context, ttl time.Duration, callback internal.RequestCallback, msg *primitive.Message) error
}

// NewProducer creates a producer.
func NewProducer(opts ...producer.Option) (Producer, error) {
	return producer.NewDefaultProducer(opts...)
}

// TransactionProducer sends transactional messages.
type TransactionProducer interface {
	Start() error
	Shutdown() error
	SendMessageInTransaction(ctx context.Context, mq *primitive.Message) (*primitive.TransactionSendResult, error)
}

// NewTransactionProducer creates a transaction producer.
func NewTransactionProducer(listener primitive.TransactionListener, opts ...producer.Option) (TransactionProducer, error) {
	return producer.NewTransactionProducer(listener, opts...)
}

// PushConsumer consumes with listeners the library calls.
type PushConsumer interface {
	// Start starts consuming.
	Start() error
	// Shutdown stops consuming and writes the offsets.
	Shutdown() error
	// Subscribe consumes a topic with f.
	Subscribe(topic string, selector consumer.MessageSelector,
		f func(context.Context, ...*primitive.MessageExt) (consumer.ConsumeResult, error)) error
	// Unsubscribe stops consuming a topic.
	Unsubscribe(topic string) error
	// Suspend stops pulling.
	Suspend()
	// Resume resumes pulling.
	Resume()
	// GetOffsetDiffMap is not supported: it returns an empty map.
	GetOffsetDiffMap() map[string]int64
}

// NewPushConsumer creates a push consumer.
func NewPushConsumer(opts ...consumer.Option) (PushConsumer, error) {
	return consumer.NewPushConsumer(opts...)
}

// PullConsumer consumes with Poll.
type PullConsumer interface {
	Start() error
	GetTopicRouteInfo(topic string) ([]*primitive.MessageQueue, error)
	Subscribe(topic string, selector consumer.MessageSelector) error
	Unsubscribe(topic string) error
	Assign(topic string, mqs []*primitive.MessageQueue) error
	Shutdown() error
	Poll(ctx context.Context, timeout time.Duration) (*consumer.ConsumeRequest, error)
	ACK(ctx context.Context, cr *consumer.ConsumeRequest, consumeResult consumer.ConsumeResult)
	Pull(ctx context.Context, numbers int) (*primitive.PullResult, error)
	PullFrom(ctx context.Context, queue *primitive.MessageQueue, offset int64, numbers int) (*primitive.PullResult, error)
	SeekOffset(queue *primitive.MessageQueue, offset int64)
	OffsetForTimestamp(queue *primitive.MessageQueue, timestamp int64) (int64, error)
	UpdateOffset(queue *primitive.MessageQueue, offset int64) error
	PersistOffset(ctx context.Context, topic string) error
	CurrentOffset(queue *primitive.MessageQueue) (int64, error)
}

// NewPullConsumer creates a pull consumer.
func NewPullConsumer(opts ...consumer.Option) (PullConsumer, error) {
	return consumer.NewPullConsumer(opts...)
}

// LibraryVersion is the version of the librocketmq loaded.
func LibraryVersion() string { return capi.LibraryVersion() }
