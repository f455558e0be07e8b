package consumer

import (
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/librocketmq/librocketmq/bindings/go/internal"
	"github.com/librocketmq/librocketmq/bindings/go/internal/capi"
	"github.com/librocketmq/librocketmq/bindings/go/primitive"
)

// newOptions applies opts to the defaults and turns them into library
// settings; push selects the keys only push consumers know.
func newOptions(opts []Option, push bool) (consumerOptions, []capi.KV, error) {
	o := defaultConsumerOptions()
	for _, opt := range opts {
		opt(&o)
	}
	kvs, err := o.kvs(push)
	return o, kvs, err
}

// kvs turns the options into library settings; push selects the keys only
// push consumers know.
func (o *consumerOptions) kvs(push bool) ([]capi.KV, error) {
	kvs, err := o.ClientOptions.KVs("consuming")
	if err != nil {
		return nil, err
	}
	add := func(k, v string) { kvs = append(kvs, capi.KV{Key: k, Value: v}) }
	switch o.ConsumerModel {
	case BroadCasting:
		add("message.model", "broadcasting")
	default:
		add("message.model", "clustering")
	}
	switch o.FromWhere {
	case ConsumeFromFirstOffset:
		add("consume.from.where", "first_offset")
	case ConsumeFromTimestamp:
		add("consume.from.where", "timestamp")
		if o.ConsumeTimestamp != "" {
			ms, err := consumeTimestampMillis(o.ConsumeTimestamp)
			if err != nil {
				return nil, fmt.Errorf("consume timestamp %q: %w", o.ConsumeTimestamp, err)
			}
			add("consume.timestamp", strconv.FormatInt(ms, 10))
		}
	default:
		add("consume.from.where", "last_offset")
	}
	if name := strategyName(o.Strategy); name != "" {
		add("allocate.strategy", name)
	}
	if o.PullBatchSize > 0 {
		add("pull.batch.size", strconv.Itoa(int(o.PullBatchSize)))
	}
	if o.PullThresholdForQueue > 0 {
		add("pull.threshold.for.queue", strconv.FormatInt(o.PullThresholdForQueue, 10))
	}
	if o.PullThresholdSizeForQueue > 0 {
		add("pull.threshold.size.for.queue", strconv.Itoa(o.PullThresholdSizeForQueue))
	}
	if o.ConsumerPullTimeout > 0 {
		add("pull.timeout.ms", internal.Millis(o.ConsumerPullTimeout))
	}
	if push {
		if o.ConsumeMessageBatchMaxSize > 0 {
			add("consume.batch.size", strconv.Itoa(o.ConsumeMessageBatchMaxSize))
		}
		if o.PullInterval > 0 {
			add("pull.interval.ms", internal.Millis(o.PullInterval))
		}
		if o.ConsumeConcurrentlyMaxSpan > 0 {
			add("consume.concurrently.max.span", strconv.Itoa(o.ConsumeConcurrentlyMaxSpan))
		}
		if o.PullThresholdForTopic > 0 {
			add("pull.threshold.for.topic", strconv.Itoa(o.PullThresholdForTopic))
		}
		if o.PullThresholdSizeForTopic > 0 {
			add("pull.threshold.size.for.topic", strconv.Itoa(o.PullThresholdSizeForTopic))
		}
		if o.MaxReconsumeTimes >= 0 {
			add("max.reconsume.times", strconv.Itoa(int(o.MaxReconsumeTimes)))
		}
		if o.SuspendCurrentQueueTime > 0 {
			add("suspend.current.queue.time.ms", internal.Millis(o.SuspendCurrentQueueTime))
		}
		if o.ConsumeTimeout > 0 {
			add("consume.timeout.ms", internal.Millis(o.ConsumeTimeout))
		}
		if o.ConsumeGoroutineNums > 0 {
			add("consume.thread.count", strconv.Itoa(o.ConsumeGoroutineNums))
		}
		if o.RebalanceLockInterval > 0 {
			add("lock.interval.ms", internal.Millis(o.RebalanceLockInterval))
		}
	} else {
		add("auto.commit", strconv.FormatBool(o.AutoCommit))
	}
	return internal.AppendExtra(kvs, o.Extra), nil
}

// brokerNames remembers which broker serves (topic, queue id) from the
// consumer's assignment, because received messages do not carry it.
type brokerNames struct {
	mu      sync.Mutex
	m       map[string]map[int]string
	fetched time.Time
	fetch   func() ([]*primitive.MessageQueue, error)
}

func (b *brokerNames) lookup(topic string, qid int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	// A queue just assigned may not be listed yet: ask again a few times.
	for attempt := 0; attempt < 5; attempt++ {
		if name, ok := b.m[topic][qid]; ok {
			return name
		}
		if wait := 20*time.Millisecond - time.Since(b.fetched); wait > 0 {
			time.Sleep(wait)
		}
		b.fetched = time.Now()
		qs, err := b.fetch()
		if err != nil {
			return ""
		}
		m := map[string]map[int]string{}
		for _, q := range qs {
			if m[q.Topic] == nil {
				m[q.Topic] = map[int]string{}
			}
			m[q.Topic][q.QueueId] = q.BrokerName
		}
		b.m = m
	}
	return ""
}

func (b *brokerNames) fill(msgs []*primitive.MessageExt) *primitive.MessageQueue {
	var mq *primitive.MessageQueue
	for _, m := range msgs {
		if m.Queue != nil {
			if m.Queue.BrokerName == "" {
				m.Queue.BrokerName = b.lookup(m.Queue.Topic, m.Queue.QueueId)
			}
			if mq == nil {
				q := *m.Queue
				mq = &q
			}
		}
	}
	return mq
}

// tpsLimiter lets at most tps messages a second through (a token bucket).
type tpsLimiter struct {
	mu     sync.Mutex
	tps    float64
	tokens float64
	last   time.Time
}

func newTPSLimiter(tps int32) *tpsLimiter {
	return &tpsLimiter{tps: float64(tps), tokens: float64(tps), last: time.Now()}
}

func (l *tpsLimiter) wait(n int) {
	for {
		l.mu.Lock()
		now := time.Now()
		l.tokens += now.Sub(l.last).Seconds() * l.tps
		if l.tokens > l.tps {
			l.tokens = l.tps
		}
		l.last = now
		need := float64(n)
		if need > l.tps {
			need = l.tps
		}
		if l.tokens >= need {
			l.tokens -= need
			l.mu.Unlock()
			return
		}
		sleep := time.Duration((need - l.tokens) / l.tps * float64(time.Second))
		l.mu.Unlock()
		time.Sleep(sleep)
	}
}
