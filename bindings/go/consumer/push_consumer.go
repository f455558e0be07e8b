package consumer

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/librocketmq/librocketmq/bindings/go/errors"
	"github.com/librocketmq/librocketmq/bindings/go/hooks"
	"github.com/librocketmq/librocketmq/bindings/go/internal"
	"github.com/librocketmq/librocketmq/bindings/go/internal/capi"
	"github.com/librocketmq/librocketmq/bindings/go/primitive"
	"github.com/librocketmq/librocketmq/bindings/go/rlog"
)

// ConsumeFunc is a push consumer's listener.
type ConsumeFunc = func(context.Context, ...*primitive.MessageExt) (ConsumeResult, error)

type pushConsumer struct {
	options     consumerOptions
	group       string
	c           *capi.PushConsumer
	interceptor primitive.Interceptor
	brokers     brokerNames
	tps         *tpsLimiter
	life        internal.Lifecycle
}

// NewPushConsumer creates a push consumer (subscribe, then Start).
func NewPushConsumer(opts ...Option) (*pushConsumer, error) {
	o, kvs, err := newOptions(opts, true)
	if err != nil {
		return nil, err
	}
	c, err := capi.NewPushConsumer(kvs, o.custom())
	if err != nil {
		return nil, err
	}
	pc := &pushConsumer{
		options:     o,
		group:       o.GroupName,
		c:           c,
		interceptor: primitive.ChainInterceptors(o.Interceptors...),
	}
	pc.brokers.fetch = c.TryAssignedQueues
	if o.ConsumeTPS > 0 {
		pc.tps = newTPSLimiter(o.ConsumeTPS)
	}
	return pc, nil
}

// Start starts consuming.
func (pc *pushConsumer) Start() error { return pc.life.Start(pc.c, errors.ErrStartTopic) }

// Shutdown stops pulling, waits for running listeners, writes the offsets
// and frees the consumer. Twice is fine; from a listener it fails.
func (pc *pushConsumer) Shutdown() error {
	if pc.life.IsShutDown() {
		return nil
	}
	// No lock held here: a listener calling Shutdown while another goroutine
	// shuts down gets RMQ_ERR_INVALID_STATE from the library at once.
	err := pc.c.Shutdown()
	if e, ok := err.(*primitive.Error); ok && e.Code == primitive.ErrCodeInvalidState {
		return err
	}
	if pc.life.MarkShutDown() {
		pc.c.Free()
	}
	return err
}

// Subscribe consumes topic's messages that selector matches with f.
func (pc *pushConsumer) Subscribe(topic string, selector MessageSelector, f ConsumeFunc) error {
	if pc.life.IsShutDown() {
		return errors.ErrStartTopic
	}
	if topic == "" {
		return errors.ErrTopicEmpty
	}
	if f == nil {
		return fmt.Errorf("listener is nil")
	}
	expr, sql, err := expressionOf(selector)
	if err != nil {
		return err
	}
	l := &capi.Listener{}
	if pc.options.ConsumeOrderly {
		l.Orderly = func(msgs []*primitive.MessageExt) int32 { return pc.consumeOrderly(msgs, f) }
	} else {
		l.Concurrent = func(msgs []*primitive.MessageExt, ack *int32) int32 { return pc.consumeConcurrently(msgs, ack, f) }
	}
	return pc.c.Subscribe(topic, expr, sql, l)
}

func expressionOf(s MessageSelector) (string, bool, error) {
	switch s.Type {
	case SQL92:
		if s.Expression == "" {
			return "", false, errors.ErrEmptyExpression
		}
		return s.Expression, true, nil
	case TAG, "":
		if s.Expression == "" {
			return "*", false, nil
		}
		return s.Expression, false, nil
	}
	return "", false, errors.ErrSubscriptionType
}

// Unsubscribe stops consuming topic.
func (pc *pushConsumer) Unsubscribe(topic string) error { return pc.c.Unsubscribe(topic) }

// Suspend stops pulling (messages already fetched are still consumed).
func (pc *pushConsumer) Suspend() {
	if err := pc.c.Pause(); err != nil {
		rlog.Warning("suspend failed", map[string]interface{}{rlog.LogKeyUnderlayError: err})
	}
}

// Resume resumes pulling.
func (pc *pushConsumer) Resume() {
	if err := pc.c.Resume(); err != nil {
		rlog.Warning("resume failed", map[string]interface{}{rlog.LogKeyUnderlayError: err})
	}
}

// GetOffsetDiffMap is not supported by librocketmq: it returns an empty map.
func (pc *pushConsumer) GetOffsetDiffMap() map[string]int64 { return map[string]int64{} }

// prepare runs the limiters and filter hooks; it returns the queue and the
// messages left (none: the batch counts as consumed).
func (pc *pushConsumer) prepare(msgs []*primitive.MessageExt) (*primitive.MessageQueue, []*primitive.MessageExt) {
	mq := pc.brokers.fill(msgs)
	if mq == nil {
		mq = &primitive.MessageQueue{}
	}
	if pc.options.Limiter != nil {
		pc.options.Limiter(mq.Topic)
	}
	if pc.tps != nil {
		pc.tps.wait(len(msgs))
	}
	for _, h := range pc.options.FilterMessageHooks {
		out, err := h(&hooks.FilterMessageContext{ConsumerGroup: pc.group, Msg: msgs, MQ: mq})
		if err != nil {
			rlog.Warning("filter message hook failed", map[string]interface{}{rlog.LogKeyUnderlayError: err})
			continue
		}
		msgs = out
	}
	return mq, msgs
}

// invoke calls f through the interceptors; a panic becomes ConsumeRetryLater.
func (pc *pushConsumer) invoke(ctx context.Context, msgs []*primitive.MessageExt, f ConsumeFunc) (result ConsumeResult, err error) {
	defer func() {
		if r := recover(); r != nil {
			if primitive.DefaultPanicHandler != nil {
				primitive.DefaultPanicHandler(r)
			}
			rlog.Error("listener panicked; the messages will be consumed again", map[string]interface{}{
				"panic": r, rlog.LogKeyConsumerGroup: pc.group, rlog.LogKeyStack: string(debug.Stack()),
			})
			result, err = ConsumeRetryLater, fmt.Errorf("listener panicked: %v", r)
		}
	}()
	msgCtx, _ := primitive.GetConsumerCtx(ctx)
	if pc.interceptor == nil {
		result, err = f(ctx, msgs...)
	} else {
		holder := &ConsumeResultHolder{ConsumeResult: ConsumeRetryLater}
		err = pc.interceptor(ctx, msgs, holder, func(ctx context.Context, req, reply interface{}) error {
			r, e := f(ctx, req.([]*primitive.MessageExt)...)
			reply.(*ConsumeResultHolder).ConsumeResult = r
			if mc, ok := primitive.GetConsumerCtx(ctx); ok {
				mc.Success = r == ConsumeSuccess
				if mc.Success {
					mc.Properties[primitive.PropCtxType] = string(primitive.SuccessReturn)
				} else {
					mc.Properties[primitive.PropCtxType] = string(primitive.FailedReturn)
				}
			}
			return e
		})
		result = holder.ConsumeResult
	}
	if err != nil {
		rlog.Warning("listener returned an error", map[string]interface{}{
			rlog.LogKeyUnderlayError: err, rlog.LogKeyConsumerGroup: pc.group,
		})
		if msgCtx != nil {
			msgCtx.Properties[primitive.PropCtxType] = string(primitive.ExceptionReturn)
		}
	}
	return result, err
}

func (pc *pushConsumer) baseCtx(mq *primitive.MessageQueue, msgs []*primitive.MessageExt) context.Context {
	ctx := primitive.WithConsumerCtx(context.Background(), &primitive.ConsumeMessageContext{
		ConsumerGroup: pc.group,
		Msgs:          msgs,
		MQ:            mq,
		Properties:    map[string]string{},
	})
	return primitive.WithMethod(ctx, primitive.ConsumerPush)
}

func (pc *pushConsumer) consumeConcurrently(msgs []*primitive.MessageExt, ack *int32, f ConsumeFunc) int32 {
	mq, left := pc.prepare(msgs)
	if len(left) == 0 {
		return capi.ConsumeSuccess
	}
	ctx := pc.baseCtx(mq, left)
	cc := primitive.NewConsumeConcurrentlyContext()
	cc.MQ = *mq
	ctx = primitive.WithConcurrentlyCtx(ctx, cc)
	result, _ := pc.invoke(ctx, left, f)
	// Still on the library's consume thread (cgo callbacks keep their goroutine
	// on the calling thread), where the library reads the request.
	if cc.DelayLevelWhenNextConsume != 0 {
		if err := capi.SetDelayLevel(cc.DelayLevelWhenNextConsume); err != nil {
			rlog.Warning("DelayLevelWhenNextConsume ignored", map[string]interface{}{
				rlog.LogKeyUnderlayError: err, rlog.LogKeyConsumerGroup: pc.group,
			})
		}
	}
	if result != ConsumeSuccess {
		return capi.ReconsumeLater
	}
	if len(left) == len(msgs) && cc.AckIndex < *ack {
		if cc.AckIndex < -1 {
			cc.AckIndex = -1
		}
		*ack = cc.AckIndex
	}
	return capi.ConsumeSuccess
}

func (pc *pushConsumer) consumeOrderly(msgs []*primitive.MessageExt, f ConsumeFunc) int32 {
	mq, left := pc.prepare(msgs)
	if len(left) == 0 {
		return capi.OrderlySuccess
	}
	ctx := pc.baseCtx(mq, left)
	oc := primitive.NewConsumeOrderlyContext()
	oc.MQ = *mq
	ctx = primitive.WithOrderlyCtx(ctx, oc)
	result, _ := pc.invoke(ctx, left, f)
	if oc.SuspendCurrentQueueTimeMillis > 0 {
		if err := capi.SetSuspendTime(int64(oc.SuspendCurrentQueueTimeMillis)); err != nil {
			rlog.Warning("SuspendCurrentQueueTimeMillis ignored", map[string]interface{}{
				rlog.LogKeyUnderlayError: err, rlog.LogKeyConsumerGroup: pc.group,
			})
		}
	}
	switch result {
	case ConsumeSuccess, Commit:
		return capi.OrderlySuccess
	}
	return capi.SuspendCurrentQueue
}
