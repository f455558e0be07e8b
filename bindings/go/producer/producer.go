// Package producer holds the producer's options, queue selectors and
// implementations, shaped like rocketmq-client-go v2's producer package,
// on librocketmq.
//
// Differences from v2: without WithQueueSelector the library chooses the
// queue (round robin with latency fault tolerance); producer interceptors
// see a []*primitive.Message as req for a batch; WithTls fails and WithTrace
// is ignored with a warning; WithRemotingTimeout sets only the connect
// timeout.
package producer

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/librocketmq/librocketmq/bindings/go/errors"
	"github.com/librocketmq/librocketmq/bindings/go/internal"
	"github.com/librocketmq/librocketmq/bindings/go/internal/capi"
	"github.com/librocketmq/librocketmq/bindings/go/primitive"
	"github.com/librocketmq/librocketmq/bindings/go/rlog"
)

func (o *producerOptions) kvs() ([]capi.KV, error) {
	kvs, err := o.ClientOptions.KVs("sending")
	if err != nil {
		return nil, err
	}
	retry := o.RetryTimes
	if retry < 0 {
		retry = 0
	}
	kvs = append(kvs,
		capi.KV{Key: "retry.times", Value: strconv.Itoa(retry)},
		capi.KV{Key: "default.topic.queue.nums", Value: strconv.Itoa(o.DefaultTopicQueueNums)},
		capi.KV{Key: "compress.threshold.bytes", Value: strconv.Itoa(o.CompressMsgBodyOverHowmuch)},
		capi.KV{Key: "compress.level", Value: strconv.Itoa(o.CompressLevel)},
	)
	if o.SendMsgTimeout > 0 {
		kvs = append(kvs, capi.KV{Key: "send.timeout.ms", Value: internal.Millis(o.SendMsgTimeout)})
	}
	if o.CreateTopicKey != "" {
		kvs = append(kvs, capi.KV{Key: "create.topic.key", Value: o.CreateTopicKey})
	}
	return internal.AppendExtra(kvs, o.Extra), nil
}

// newOptions applies opts to the defaults and turns them into library
// settings.
func newOptions(opts []Option) (producerOptions, []capi.KV, error) {
	o := defaultProducerOptions()
	for _, opt := range opts {
		opt(&o)
	}
	kvs, err := o.kvs()
	return o, kvs, err
}

type defaultProducer struct {
	group       string
	options     producerOptions
	c           *capi.Producer
	interceptor primitive.Interceptor
	life        internal.Lifecycle
}

// NewDefaultProducer creates a producer (start it with Start).
func NewDefaultProducer(opts ...Option) (*defaultProducer, error) {
	o, kvs, err := newOptions(opts)
	if err != nil {
		return nil, err
	}
	c, err := capi.NewProducer(kvs)
	if err != nil {
		return nil, err
	}
	return &defaultProducer{
		group:       o.GroupName,
		options:     o,
		c:           c,
		interceptor: primitive.ChainInterceptors(o.Interceptors...),
	}, nil
}

// Start connects and registers the group.
func (p *defaultProducer) Start() error { return p.life.Start(p.c, errors.ErrShutdown) }

// Shutdown waits for sends in flight, unregisters and frees the producer.
// Twice is fine.
func (p *defaultProducer) Shutdown() error { return p.life.Shutdown(p.c) }

func (p *defaultProducer) check(msgs []*primitive.Message) error {
	if err := p.life.Running(); err != nil {
		return err
	}
	if len(msgs) == 0 {
		return errors.ErrMessageEmpty
	}
	for _, m := range msgs {
		if m == nil {
			return errors.ErrMessageEmpty
		}
		if m.Topic == "" {
			return errors.ErrTopicEmpty
		}
		if m.Topic != msgs[0].Topic {
			return errors.ErrMultipleTopics
		}
	}
	return nil
}

func (p *defaultProducer) producerCtx(ctx context.Context, mode primitive.CommunicationMode, m *primitive.Message) context.Context {
	ctx = primitive.WithMethod(ctx, mode)
	pc := &primitive.ProducerCtx{
		ProducerGroup:     p.group,
		CommunicationMode: mode,
		Props:             map[string]string{},
		Namespace:         p.options.Namespace,
	}
	if m != nil {
		pc.Message = primitive.Message{Topic: m.Topic, Body: m.Body, Flag: m.Flag}
		if m.GetProperty(primitive.PropertyDelayTimeLevel) != "" || m.GetProperty(primitive.PropertyTimerDeliverMS) != "" {
			pc.MsgType = primitive.DelayMsg
		}
	}
	return primitive.WithProducerCtx(ctx, pc)
}

// req is what interceptors see: the message, or the slice for a batch.
func reqOf(msgs []*primitive.Message) interface{} {
	if len(msgs) == 1 {
		return msgs[0]
	}
	return msgs
}

func msgsOf(req interface{}) []*primitive.Message {
	switch r := req.(type) {
	case *primitive.Message:
		return []*primitive.Message{r}
	case []*primitive.Message:
		return r
	}
	return nil
}

// selectorFor adapts a QueueSelector to the library's index callback.
func (p *defaultProducer) selectorFor(m *primitive.Message) func([]*primitive.MessageQueue) int {
	return func(qs []*primitive.MessageQueue) int {
		q := p.options.Selector.Select(m, qs, "")
		if q == nil {
			return -1
		}
		for i, c := range qs {
			if c.Topic == q.Topic && c.BrokerName == q.BrokerName && c.QueueId == q.QueueId {
				return i
			}
		}
		return -1
	}
}

// sendBlocking sends on this goroutine (sync, batch, queue or selector).
func (p *defaultProducer) sendBlocking(msgs []*primitive.Message) (*primitive.SendResult, error) {
	if len(msgs) > 1 {
		return p.c.SendBatch(msgs)
	}
	m := msgs[0]
	switch {
	case m.Queue != nil:
		return p.c.SendToQueue(m, m.Queue)
	case p.options.Selector != nil:
		return p.c.SendWithSelector(m, p.selectorFor(m))
	}
	return p.c.SendSync(m)
}

func (p *defaultProducer) sendSync(ctx context.Context, msgs []*primitive.Message) (*primitive.SendResult, error) {
	if len(msgs) == 1 && msgs[0].Queue == nil && p.options.Selector == nil {
		// An async send and a select: cancellation and deadlines end the
		// wait, and no OS thread blocks in C (measured faster than a
		// blocking call per send).
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		type out struct {
			r   *primitive.SendResult
			err error
		}
		ch := make(chan out, 1)
		if err := p.c.SendAsync(msgs[0], func(r *primitive.SendResult, err error) { ch <- out{r, err} }); err != nil {
			return nil, err
		}
		select {
		case o := <-ch:
			return o.r, o.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return internal.RunBlocking(ctx, func() (*primitive.SendResult, error) { return p.sendBlocking(msgs) })
}

// SendSync sends one message, or several of one topic as a batch, and
// waits for the broker's answer (or ctx's end).
func (p *defaultProducer) SendSync(ctx context.Context, msgs ...*primitive.Message) (*primitive.SendResult, error) {
	if err := p.check(msgs); err != nil {
		return nil, err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if p.interceptor == nil {
		return p.sendSync(ctx, msgs)
	}
	ctx = p.producerCtx(ctx, primitive.SendSync, msgs[0])
	reply := primitive.NewSendResult()
	var res *primitive.SendResult
	err := p.interceptor(ctx, reqOf(msgs), reply, func(ctx context.Context, req, reply interface{}) error {
		r, err := p.sendSync(ctx, msgsOf(req))
		if err != nil {
			return err
		}
		res = r
		if out, ok := reply.(*primitive.SendResult); ok && out != nil {
			*out = *r
		}
		if pc, ok := primitive.GetProducerCtx(ctx); ok {
			pc.SendResult = r
			if r.MessageQueue != nil {
				pc.MQ = *r.MessageQueue
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if res == nil {
		return reply, nil
	}
	return res, nil
}

// SendAsync sends and calls f with the outcome on another goroutine. An
// error returned here means f will not be called.
func (p *defaultProducer) SendAsync(ctx context.Context, f func(context.Context, *primitive.SendResult, error),
	msgs ...*primitive.Message) error {
	if err := p.check(msgs); err != nil {
		return err
	}
	if f == nil {
		return fmt.Errorf("callback is nil")
	}
	if ctx == nil {
		ctx = context.Background()
	}
	invoke := func(ctx context.Context, req, reply interface{}) error {
		ms := msgsOf(req)
		if len(ms) == 1 && ms[0].Queue == nil && p.options.Selector == nil {
			return p.c.SendAsync(ms[0], func(r *primitive.SendResult, err error) {
				internal.Go("SendAsync callback", func() { f(ctx, r, err) })
			})
		}
		internal.Go("SendAsync callback", func() {
			r, err := p.sendBlocking(ms)
			f(ctx, r, err)
		})
		return nil
	}
	if p.interceptor == nil {
		return invoke(ctx, reqOf(msgs), nil)
	}
	ctx = p.producerCtx(ctx, primitive.SendAsync, msgs[0])
	return p.interceptor(ctx, reqOf(msgs), nil, invoke)
}

// SendOneWay sends without waiting for an answer (a batch, or a message
// with a Queue or selector, waits for the broker's answer and drops it).
func (p *defaultProducer) SendOneWay(ctx context.Context, msgs ...*primitive.Message) error {
	if err := p.check(msgs); err != nil {
		return err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	invoke := func(ctx context.Context, req, reply interface{}) error {
		ms := msgsOf(req)
		if len(ms) == 1 && ms[0].Queue == nil && p.options.Selector == nil {
			return p.c.SendOneway(ms[0])
		}
		_, err := internal.RunBlocking(ctx, func() (*primitive.SendResult, error) { return p.sendBlocking(ms) })
		return err
	}
	if p.interceptor == nil {
		return invoke(ctx, reqOf(msgs), nil)
	}
	ctx = p.producerCtx(ctx, primitive.SendOneway, msgs[0])
	return p.interceptor(ctx, reqOf(msgs), nil, invoke)
}

func requestTimeout(ctx context.Context, ttl time.Duration) time.Duration {
	if d, ok := ctx.Deadline(); ok {
		if left := time.Until(d); left < ttl || ttl <= 0 {
			ttl = left
		}
	}
	if ttl <= 0 {
		ttl = time.Millisecond
	}
	return ttl
}

// Request sends msg as a request and waits up to ttl (and ctx) for the reply.
func (p *defaultProducer) Request(ctx context.Context, ttl time.Duration, msg *primitive.Message) (*primitive.Message, error) {
	if err := p.check([]*primitive.Message{msg}); err != nil {
		return nil, err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	t := requestTimeout(ctx, ttl)
	ext, err := internal.RunBlocking(ctx, func() (*primitive.MessageExt, error) { return p.c.Request(msg, t) })
	if err != nil {
		return nil, err
	}
	return &ext.Message, nil
}

// RequestAsync sends msg as a request and calls callback with the reply
// (or an error) on another goroutine.
func (p *defaultProducer) RequestAsync(ctx context.Context, ttl time.Duration, callback internal.RequestCallback,
	msg *primitive.Message) error {
	if err := p.check([]*primitive.Message{msg}); err != nil {
		return err
	}
	if callback == nil {
		return fmt.Errorf("callback is nil")
	}
	if ctx == nil {
		ctx = context.Background()
	}
	t := requestTimeout(ctx, ttl)
	internal.Go("RequestAsync callback", func() {
		ext, err := p.c.Request(msg, t)
		if err != nil {
			callback(ctx, nil, err)
			return
		}
		callback(ctx, &ext.Message, nil)
	})
	return nil
}

// MarshalMessageBatch encodes messages as a batch body.
func MarshalMessageBatch(msgs ...*primitive.Message) []byte {
	var out []byte
	for _, m := range msgs {
		out = append(out, m.Marshal()...)
	}
	return out
}

type transactionProducer struct {
	producer *defaultProducer
	tx       *capi.TxProducer
	listener primitive.TransactionListener
	life     internal.Lifecycle
}

func toLibState(s primitive.LocalTransactionState) int32 {
	switch s {
	case primitive.CommitMessageState:
		return capi.TransactionCommit
	case primitive.RollbackMessageState:
		return capi.TransactionRollback
	}
	return capi.TransactionUnknown
}

func fromLibState(s int32) primitive.LocalTransactionState {
	switch s {
	case capi.TransactionCommit:
		return primitive.CommitMessageState
	case capi.TransactionRollback:
		return primitive.RollbackMessageState
	}
	return primitive.UnkonwnState
}

func safeState(what string, f func() primitive.LocalTransactionState) (s primitive.LocalTransactionState) {
	s = primitive.UnkonwnState
	defer func() {
		if r := recover(); r != nil {
			if primitive.DefaultPanicHandler != nil {
				primitive.DefaultPanicHandler(r)
			}
			rlog.Error("transaction listener panicked; the state is unknown", map[string]interface{}{
				"callback": what, "panic": r,
			})
			s = primitive.UnkonwnState
		}
	}()
	return f()
}

// NewTransactionProducer creates a transaction producer calling listener.
func NewTransactionProducer(listener primitive.TransactionListener, opts ...Option) (*transactionProducer, error) {
	if listener == nil {
		return nil, fmt.Errorf("transaction listener is nil")
	}
	o, kvs, err := newOptions(opts)
	if err != nil {
		return nil, err
	}
	check := func(m *primitive.MessageExt) int32 {
		return toLibState(safeState("CheckLocalTransaction", func() primitive.LocalTransactionState {
			return listener.CheckLocalTransaction(m)
		}))
	}
	tx, err := capi.NewTxProducer(kvs, check)
	if err != nil {
		return nil, err
	}
	return &transactionProducer{
		producer: &defaultProducer{group: o.GroupName, options: o},
		tx:       tx,
		listener: listener,
	}, nil
}

// Start connects and registers the group.
func (tp *transactionProducer) Start() error { return tp.life.Start(tp.tx, errors.ErrShutdown) }

// Shutdown shuts down and frees the producer. Twice is fine.
func (tp *transactionProducer) Shutdown() error { return tp.life.Shutdown(tp.tx) }

// SendMessageInTransaction sends msg as a half message, runs the local
// transaction and commits or rolls back (or leaves it to the check).
func (tp *transactionProducer) SendMessageInTransaction(ctx context.Context, msg *primitive.Message) (*primitive.TransactionSendResult, error) {
	if err := tp.life.Running(); err != nil {
		return nil, err
	}
	if msg == nil {
		return nil, errors.ErrMessageEmpty
	}
	if ctx == nil {
		ctx = context.Background()
	}
	exec := func(txID string) int32 {
		msg.TransactionId = txID
		return toLibState(safeState("ExecuteLocalTransaction", func() primitive.LocalTransactionState {
			return tp.listener.ExecuteLocalTransaction(msg)
		}))
	}
	type out struct {
		r     *primitive.SendResult
		state int32
	}
	o, err := internal.RunBlocking(ctx, func() (out, error) {
		r, st, err := tp.tx.Send(msg, exec)
		return out{r, st}, err
	})
	if err != nil {
		return nil, err
	}
	return &primitive.TransactionSendResult{SendResult: o.r, State: fromLibState(o.state)}, nil
}
