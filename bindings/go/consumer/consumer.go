// Package consumer holds the consumers' options, selectors, results,
// allocation strategies and implementations, shaped like
// rocketmq-client-go v2's consumer package, on librocketmq.
//
// Differences from v2: ConsumeOrderlyContext.AutoCommit set by a listener
// is not honoured; the pull consumer's PullFrom pulls with the expression
// "*" and Pull polls the next batch of any assigned queue; GetOffsetDiffMap returns an empty map; WithTls fails,
// WithTrace is ignored with a warning; a panic in a listener is recovered
// and the batch is consumed again later (RECONSUME_LATER, or a suspended
// queue for orderly listeners).
package consumer

import (
	stderrors "errors"
	"time"

	"github.com/librocketmq/librocketmq/bindings/go/primitive"
)

// ConsumeType says who drives consumption.
type ConsumeType string

// MessageModel is clustering (a group shares the messages) or broadcasting
// (every consumer gets every message).
type MessageModel int

const (
	BroadCasting MessageModel = iota
	Clustering
)

func (mode MessageModel) String() string {
	switch mode {
	case BroadCasting:
		return "BroadCasting"
	case Clustering:
		return "Clustering"
	}
	return "Unknown"
}

// ConsumeFromWhere is where a group with no stored offset starts.
type ConsumeFromWhere int

const (
	ConsumeFromLastOffset ConsumeFromWhere = iota
	ConsumeFromFirstOffset
	ConsumeFromTimestamp
)

// ExpressionType is the language of a subscription expression.
type ExpressionType string

const (
	// SQL92 filters on message properties (the broker needs enablePropertyFilter).
	SQL92 = ExpressionType("SQL92")
	// TAG filters on tags: "*", "a", "a || b".
	TAG = ExpressionType("TAG")
)

// IsTagType reports whether exp names the tag type.
func IsTagType(exp string) bool { return exp == "" || exp == "TAG" }

// MessageSelector is a subscription's filter.
type MessageSelector struct {
	Type       ExpressionType
	Expression string
}

// ConsumeResult is what a listener returns.
type ConsumeResult int

const (
	ConsumeSuccess ConsumeResult = iota
	ConsumeRetryLater
	Commit
	Rollback
	SuspendCurrentQueueAMoment
)

// ConsumeResultHolder carries a result through interceptors.
type ConsumeResultHolder struct {
	ConsumeResult
}

// ConsumerReturn classifies a consume call.
type ConsumerReturn int

const (
	SuccessReturn ConsumerReturn = iota
	ExceptionReturn
	NullReturn
	TimeoutReturn
	FailedReturn
)

// SubscriptionType says how a pull consumer chose its queues.
type SubscriptionType int

const (
	None SubscriptionType = iota
	Subscribe
	Assign
)

// Limiter is called with the topic before each batch is consumed; it may block.
type Limiter func(topic string)

// Mb is a mebibyte.
const Mb = 1024 * 1024

// ErrNoNewMsg is returned by Poll when nothing came in time.
var ErrNoNewMsg = stderrors.New("no new message found")

// IsNoNewMsgError reports whether err is ErrNoNewMsg.
func IsNoNewMsgError(err error) bool { return err == ErrNoNewMsg }

// ConsumeRequest is a batch of one queue returned by the pull consumer's Poll.
type ConsumeRequest struct {
	messageQueue *primitive.MessageQueue
	msgList      []*primitive.MessageExt
}

// GetMsgList returns the messages.
func (cr *ConsumeRequest) GetMsgList() []*primitive.MessageExt { return cr.msgList }

// GetMQ returns the queue.
func (cr *ConsumeRequest) GetMQ() *primitive.MessageQueue { return cr.messageQueue }

// ConsumeStatus holds consumption statistics (not collected by this client).
type ConsumeStatus struct {
	PullRT            float64
	PullTPS           float64
	ConsumeRT         float64
	ConsumeOKTPS      float64
	ConsumeFailedTPS  float64
	ConsumeFailedMsgs int64
}

func consumeTimestampMillis(s string) (int64, error) {
	t, err := time.ParseInLocation("20060102150405", s, time.Local)
	if err != nil {
		return 0, err
	}
	return t.UnixMilli(), nil
}
