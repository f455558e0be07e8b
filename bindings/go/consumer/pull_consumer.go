package consumer

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/librocketmq/librocketmq/bindings/go/errors"
	"github.com/librocketmq/librocketmq/bindings/go/internal"
	"github.com/librocketmq/librocketmq/bindings/go/internal/capi"
	"github.com/librocketmq/librocketmq/bindings/go/primitive"
	"github.com/librocketmq/librocketmq/bindings/go/rlog"
)

type defaultPullConsumer struct {
	options     consumerOptions
	group       string
	c           *capi.PullConsumer
	interceptor primitive.Interceptor
	brokers     brokerNames
	life        internal.Lifecycle
	SubType     SubscriptionType
}

// NewPullConsumer creates a lite pull consumer: the library pulls in the
// background and Poll hands out batches.
func NewPullConsumer(opts ...Option) (*defaultPullConsumer, error) {
	o, kvs, err := newOptions(opts, false)
	if err != nil {
		return nil, err
	}
	c, err := capi.NewPullConsumer(kvs, o.custom())
	if err != nil {
		return nil, err
	}
	pc := &defaultPullConsumer{
		options:     o,
		group:       o.GroupName,
		c:           c,
		interceptor: primitive.ChainInterceptors(o.Interceptors...),
	}
	pc.brokers.fetch = c.Assignment
	return pc, nil
}

// Start starts pulling.
func (pc *defaultPullConsumer) Start() error { return pc.life.Start(pc.c, errors.ErrShutdown) }

// Shutdown stops pulling, commits (with auto commit) and frees the consumer.
func (pc *defaultPullConsumer) Shutdown() error { return pc.life.Shutdown(pc.c) }

// GetTopicRouteInfo returns topic's queues (the consumer must be started).
func (pc *defaultPullConsumer) GetTopicRouteInfo(topic string) ([]*primitive.MessageQueue, error) {
	if err := pc.life.Running(); err != nil {
		return nil, err
	}
	return pc.c.FetchQueues(topic)
}

// Subscribe consumes topic (queues shared by rebalancing).
func (pc *defaultPullConsumer) Subscribe(topic string, selector MessageSelector) error {
	if topic == "" {
		return errors.ErrTopicEmpty
	}
	if pc.SubType == Assign {
		return errors.ErrSubscriptionType
	}
	expr, sql, err := expressionOf(selector)
	if err != nil {
		return err
	}
	if err := pc.c.Subscribe(topic, expr, sql); err != nil {
		return err
	}
	pc.SubType = Subscribe
	return nil
}

// Unsubscribe stops consuming topic.
func (pc *defaultPullConsumer) Unsubscribe(topic string) error { return pc.c.Unsubscribe(topic) }

// Assign consumes exactly mqs (no rebalancing).
func (pc *defaultPullConsumer) Assign(topic string, mqs []*primitive.MessageQueue) error {
	if pc.SubType == Subscribe {
		return errors.ErrSubscriptionType
	}
	for _, q := range mqs {
		if q == nil {
			return errors.ErrMQEmpty
		}
		if q.Topic != topic {
			return fmt.Errorf("queue %s is not of topic %s", q, topic)
		}
	}
	if err := pc.c.Assign(mqs); err != nil {
		return err
	}
	pc.SubType = Assign
	return nil
}

// Poll waits up to timeout (and ctx) for the next batch of one queue;
// ErrNoNewMsg when nothing came.
func (pc *defaultPullConsumer) Poll(ctx context.Context, timeout time.Duration) (*ConsumeRequest, error) {
	if err := pc.life.Running(); err != nil {
		return nil, err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	deadline := time.Now().Add(timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	for {
		if ctx.Err() != nil {
			return nil, ErrNoNewMsg
		}
		left := time.Until(deadline)
		if left < 0 {
			left = 0
		}
		// Short waits, so a cancelled ctx ends the poll soon.
		chunk := left
		if chunk > 100*time.Millisecond {
			chunk = 100 * time.Millisecond
		}
		msgs, err := pc.c.Poll(chunk.Milliseconds())
		if err != nil {
			return nil, err
		}
		if len(msgs) > 0 {
			mq := pc.brokers.fill(msgs)
			return &ConsumeRequest{messageQueue: mq, msgList: msgs}, nil
		}
		if left <= 0 {
			return nil, ErrNoNewMsg
		}
	}
}

// ACK records how a polled batch was consumed: ConsumeSuccess keeps the
// position; any other result consumes the batch again (the queue goes back
// to the batch's first offset).
func (pc *defaultPullConsumer) ACK(ctx context.Context, cr *ConsumeRequest, result ConsumeResult) {
	if cr == nil || len(cr.msgList) == 0 || cr.messageQueue == nil {
		return
	}
	if ctx == nil {
		ctx = context.Background()
	}
	msgCtx := &primitive.ConsumeMessageContext{
		Properties:    map[string]string{},
		ConsumerGroup: pc.group,
		MQ:            cr.messageQueue,
		Msgs:          cr.msgList,
		Success:       result == ConsumeSuccess,
	}
	if msgCtx.Success {
		msgCtx.Properties[primitive.PropCtxType] = string(primitive.SuccessReturn)
	} else {
		msgCtx.Properties[primitive.PropCtxType] = string(primitive.FailedReturn)
	}
	ctx = primitive.WithMethod(primitive.WithConsumerCtx(ctx, msgCtx), primitive.ConsumerPull)
	cc := primitive.NewConsumeConcurrentlyContext()
	cc.MQ = *cr.messageQueue
	ctx = primitive.WithConcurrentlyCtx(ctx, cc)
	if pc.interceptor != nil {
		_ = pc.interceptor(ctx, cr.msgList, nil, func(context.Context, interface{}, interface{}) error { return nil })
	}
	if result == ConsumeSuccess {
		return
	}
	if err := pc.c.Seek(cr.messageQueue, cr.msgList[0].QueueOffset); err != nil {
		rlog.Warning("could not go back to a batch that failed", map[string]interface{}{
			rlog.LogKeyMessageQueue: cr.messageQueue.String(), rlog.LogKeyUnderlayError: err,
		})
	}
}

// Pull returns up to numbers messages of the next batch of any queue
// consumed (waiting up to a second); v2 pulls a queue it chooses.
func (pc *defaultPullConsumer) Pull(ctx context.Context, numbers int) (*primitive.PullResult, error) {
	if numbers <= 0 {
		return nil, errors.ErrNumbers
	}
	cr, err := pc.Poll(ctx, time.Second)
	if err == ErrNoNewMsg {
		return &primitive.PullResult{Status: primitive.PullNoNewMsg}, nil
	}
	if err != nil {
		return nil, err
	}
	msgs := cr.msgList
	if len(msgs) > numbers {
		// The rest is consumed again from where this result stops.
		if err := pc.c.Seek(cr.messageQueue, msgs[numbers].QueueOffset); err != nil {
			return nil, err
		}
		msgs = msgs[:numbers]
	}
	r := &primitive.PullResult{Status: primitive.PullFound, NextBeginOffset: msgs[len(msgs)-1].QueueOffset + 1}
	r.SetMessageExts(msgs)
	return r, nil
}

// PullFrom pulls once from queue at offset: up to numbers messages matching
// the consumer's subscription of the queue's topic (its selector, tags or
// SQL92; every message for a topic it does not subscribe), waiting up to 3 s
// (or ctx's deadline if sooner), outside the consumer's buffering (nothing
// is committed and Poll is not affected). The queue need not be one the
// consumer consumes.
func (pc *defaultPullConsumer) PullFrom(ctx context.Context, queue *primitive.MessageQueue, offset int64,
	numbers int) (*primitive.PullResult, error) {
	switch {
	case queue == nil:
		return nil, errors.ErrMQEmpty
	case offset < 0:
		return nil, errors.ErrOffset
	case numbers <= 0:
		return nil, errors.ErrNumbers
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	timeout := 3 * time.Second
	if d, ok := ctx.Deadline(); ok && time.Until(d) < timeout {
		timeout = time.Until(d)
		if timeout < time.Millisecond {
			return nil, context.DeadlineExceeded
		}
	}
	if numbers > math.MaxInt32 {
		numbers = math.MaxInt32
	}
	info, msgs, err := pc.c.PullFrom(queue, "", offset, int32(numbers), timeout.Milliseconds())
	if err != nil {
		return nil, err
	}
	for _, m := range msgs {
		m.Queue = queue
	}
	r := &primitive.PullResult{
		NextBeginOffset: info.NextBeginOffset,
		MinOffset:       info.MinOffset,
		MaxOffset:       info.MaxOffset,
		Status:          primitive.PullStatus(info.Status),
	}
	r.SetMessageExts(msgs)
	return r, nil
}

// SeekOffset continues queue at offset.
func (pc *defaultPullConsumer) SeekOffset(queue *primitive.MessageQueue, offset int64) {
	if err := pc.c.Seek(queue, offset); err != nil {
		rlog.Warning("seek failed", map[string]interface{}{
			rlog.LogKeyMessageQueue: queue.String(), rlog.LogKeyUnderlayError: err,
		})
	}
}

// OffsetForTimestamp returns the offset of queue's first message stored at
// or after timestamp (ms), without moving the consumer.
func (pc *defaultPullConsumer) OffsetForTimestamp(queue *primitive.MessageQueue, timestamp int64) (int64, error) {
	off, err := pc.c.OffsetForTimestamp(queue, timestamp)
	if err != nil {
		return -1, err
	}
	return off, nil
}

// SeekToTimestamp continues queue at its first message stored at or after
// timestamp (ms). Not in v2.
func (pc *defaultPullConsumer) SeekToTimestamp(queue *primitive.MessageQueue, timestamp int64) error {
	return pc.c.SeekToTimestamp(queue, timestamp)
}

// UpdateOffset commits offset (the next to consume) for queue.
func (pc *defaultPullConsumer) UpdateOffset(queue *primitive.MessageQueue, offset int64) error {
	if queue == nil {
		return errors.ErrMQEmpty
	}
	if offset < 0 {
		return errors.ErrOffset
	}
	return pc.c.CommitOffset(queue, offset)
}

// PersistOffset commits the offsets of everything polled so far.
func (pc *defaultPullConsumer) PersistOffset(ctx context.Context, topic string) error {
	return pc.c.Commit()
}

// CurrentOffset reads the committed offset of queue (-1: none).
func (pc *defaultPullConsumer) CurrentOffset(queue *primitive.MessageQueue) (int64, error) {
	if queue == nil {
		return -1, errors.ErrMQEmpty
	}
	return pc.c.Committed(queue)
}
