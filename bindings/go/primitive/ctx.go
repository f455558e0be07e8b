package primitive

import (
	"context"
	"math"
)

// CtxKey is the type of the context keys this package uses.
type CtxKey int

// CommunicationMode is how a message is sent.
type CommunicationMode string

// ConsumeReturnType is how a consume call ended.
type ConsumeReturnType string

// Ordinal is the Java ordinal of the return type.
func (c ConsumeReturnType) Ordinal() int {
	switch c {
	case TimeoutReturn:
		return 1
	case ExceptionReturn:
		return 2
	case NullReturn:
		return 3
	case FailedReturn:
		return 4
	default:
		return 0
	}
}

const (
	method CtxKey = iota
	msgCtx
	orderlyCtx
	concurrentlyCtx
	producerCtx

	SendSync   CommunicationMode = "SendSync"
	SendOneway CommunicationMode = "SendOneway"
	SendAsync  CommunicationMode = "SendAsync"

	ConsumerPush = "ConsumerPush"
	ConsumerPull = "ConsumerPull"

	PropCtxType                       = "ConsumeContextType"
	SuccessReturn   ConsumeReturnType = "SUCCESS"
	TimeoutReturn   ConsumeReturnType = "TIMEOUT"
	ExceptionReturn ConsumeReturnType = "EXCEPTION"
	NullReturn      ConsumeReturnType = "RETURNNULL"
	FailedReturn    ConsumeReturnType = "FAILED"
)

// ConsumeMessageContext describes a consume call (for interceptors).
type ConsumeMessageContext struct {
	ConsumerGroup string
	Msgs          []*MessageExt
	MQ            *MessageQueue
	Success       bool
	Status        string
	Properties    map[string]string
}

// WithMethod stores the communication mode in ctx.
func WithMethod(ctx context.Context, m CommunicationMode) context.Context {
	return context.WithValue(ctx, method, m)
}

// GetMethod returns the communication mode stored in ctx ("" when none).
func GetMethod(ctx context.Context) CommunicationMode {
	m, _ := ctx.Value(method).(CommunicationMode)
	return m
}

// WithConsumerCtx stores a ConsumeMessageContext in ctx.
func WithConsumerCtx(ctx context.Context, c *ConsumeMessageContext) context.Context {
	return context.WithValue(ctx, msgCtx, c)
}

// GetConsumerCtx returns the ConsumeMessageContext stored in ctx.
func GetConsumerCtx(ctx context.Context) (*ConsumeMessageContext, bool) {
	c, ok := ctx.Value(msgCtx).(*ConsumeMessageContext)
	return c, ok
}

// ConsumeOrderlyContext describes an orderly consume call. A listener may
// set SuspendCurrentQueueTimeMillis (> 0) for the pause after a failed
// batch; AutoCommit set by a listener is not honoured (offsets are always
// committed after a successful batch).
type ConsumeOrderlyContext struct {
	MQ                            MessageQueue
	AutoCommit                    bool
	SuspendCurrentQueueTimeMillis int
}

// NewConsumeOrderlyContext returns a context with v2's defaults.
func NewConsumeOrderlyContext() *ConsumeOrderlyContext {
	return &ConsumeOrderlyContext{AutoCommit: true, SuspendCurrentQueueTimeMillis: -1}
}

// WithOrderlyCtx stores a ConsumeOrderlyContext in ctx.
func WithOrderlyCtx(ctx context.Context, c *ConsumeOrderlyContext) context.Context {
	return context.WithValue(ctx, orderlyCtx, c)
}

// GetOrderlyCtx returns the ConsumeOrderlyContext stored in ctx.
func GetOrderlyCtx(ctx context.Context) (*ConsumeOrderlyContext, bool) {
	c, ok := ctx.Value(orderlyCtx).(*ConsumeOrderlyContext)
	return c, ok
}

// ConsumeConcurrentlyContext describes a concurrent consume call. A listener
// returning ConsumeSuccess may lower AckIndex to the index of the last
// message it consumed; the ones after it are delivered again.
// DelayLevelWhenNextConsume is the delay level of the messages sent back:
// 0 lets the broker choose (3 + reconsume times), -1 sends them straight to
// the dead-letter queue.
type ConsumeConcurrentlyContext struct {
	MQ                        MessageQueue
	DelayLevelWhenNextConsume int
	AckIndex                  int32
}

// NewConsumeConcurrentlyContext returns a context with v2's defaults.
func NewConsumeConcurrentlyContext() *ConsumeConcurrentlyContext {
	return &ConsumeConcurrentlyContext{AckIndex: math.MaxInt32}
}

// WithConcurrentlyCtx stores a ConsumeConcurrentlyContext in ctx.
func WithConcurrentlyCtx(ctx context.Context, c *ConsumeConcurrentlyContext) context.Context {
	return context.WithValue(ctx, concurrentlyCtx, c)
}

// GetConcurrentlyCtx returns the ConsumeConcurrentlyContext stored in ctx.
func GetConcurrentlyCtx(ctx context.Context) (*ConsumeConcurrentlyContext, bool) {
	c, ok := ctx.Value(concurrentlyCtx).(*ConsumeConcurrentlyContext)
	return c, ok
}

// ProducerCtx describes a send (for interceptors).
type ProducerCtx struct {
	ProducerGroup     string
	Message           Message
	MQ                MessageQueue
	BrokerAddr        string
	BornHost          string
	CommunicationMode CommunicationMode
	SendResult        *SendResult
	Props             map[string]string
	MsgType           MessageType
	Namespace         string
}

// WithProducerCtx stores a ProducerCtx in ctx.
func WithProducerCtx(ctx context.Context, c *ProducerCtx) context.Context {
	return context.WithValue(ctx, producerCtx, c)
}

// GetProducerCtx returns the ProducerCtx stored in ctx.
func GetProducerCtx(ctx context.Context) (*ProducerCtx, bool) {
	c, ok := ctx.Value(producerCtx).(*ProducerCtx)
	return c, ok
}
