package rocketmq_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	rocketmq "github.com/librocketmq/librocketmq/bindings/go"
	"github.com/librocketmq/librocketmq/bindings/go/consumer"
	"github.com/librocketmq/librocketmq/bindings/go/primitive"
	"github.com/librocketmq/librocketmq/bindings/go/producer"
)

var seq atomic.Int64

func namesrv() []string {
	if v := os.Getenv("ROCKETMQ_NAMESRV"); v != "" {
		return []string{v}
	}
	return []string{"127.0.0.1:9876"}
}

// unique returns a name no other run uses.
func unique(prefix string) string {
	return fmt.Sprintf("%s_%d_%d_%d", prefix, os.Getpid(), time.Now().UnixNano()%1e9, seq.Add(1))
}

func newProducer(t *testing.T, opts ...producer.Option) rocketmq.Producer {
	t.Helper()
	opts = append([]producer.Option{
		producer.WithNameServer(namesrv()),
		producer.WithGroupName(unique("go_pg")),
		producer.WithSendMsgTimeout(10 * time.Second),
	}, opts...)
	p, err := rocketmq.NewProducer(opts...)
	if err != nil {
		t.Fatalf("NewProducer: %v", err)
	}
	if err := p.Start(); err != nil {
		t.Fatalf("producer Start: %v", err)
	}
	t.Cleanup(func() { _ = p.Shutdown() })
	return p
}

func newPushConsumer(t *testing.T, opts ...consumer.Option) rocketmq.PushConsumer {
	t.Helper()
	opts = append([]consumer.Option{
		consumer.WithNameServer(namesrv()),
		consumer.WithGroupName(unique("go_cg")),
		consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset),
	}, opts...)
	c, err := rocketmq.NewPushConsumer(opts...)
	if err != nil {
		t.Fatalf("NewPushConsumer: %v", err)
	}
	t.Cleanup(func() { _ = c.Shutdown() })
	return c
}

// collector gathers received messages by body.
type collector struct {
	mu   sync.Mutex
	msgs []*primitive.MessageExt
	ch   chan struct{}
}

func newCollector() *collector { return &collector{ch: make(chan struct{}, 1)} }

func (c *collector) add(msgs ...*primitive.MessageExt) {
	c.mu.Lock()
	c.msgs = append(c.msgs, msgs...)
	c.mu.Unlock()
	select {
	case c.ch <- struct{}{}:
	default:
	}
}

func (c *collector) listener(ctx context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
	c.add(msgs...)
	return consumer.ConsumeSuccess, nil
}

func (c *collector) snapshot() []*primitive.MessageExt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*primitive.MessageExt{}, c.msgs...)
}

// bodies returns the distinct bodies received.
func (c *collector) bodies() map[string]int {
	out := map[string]int{}
	for _, m := range c.snapshot() {
		out[string(m.Body)]++
	}
	return out
}

// waitFor waits until cond holds or the timeout passes.
func (c *collector) waitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.After(timeout)
	for !cond() {
		select {
		case <-c.ch:
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			return cond()
		}
	}
	return true
}

func (c *collector) waitDistinct(t *testing.T, n int, timeout time.Duration) map[string]int {
	t.Helper()
	if !c.waitFor(timeout, func() bool { return len(c.bodies()) >= n }) {
		t.Fatalf("received %d distinct messages of %d: %v", len(c.bodies()), n, c.bodies())
	}
	return c.bodies()
}

func sendN(t *testing.T, p rocketmq.Producer, topic string, n int, prefix string, edit func(i int, m *primitive.Message)) {
	t.Helper()
	for i := 0; i < n; i++ {
		m := primitive.NewMessage(topic, []byte(fmt.Sprintf("%s-%d", prefix, i)))
		if edit != nil {
			edit(i, m)
		}
		r, err := p.SendSync(context.Background(), m)
		if err != nil {
			t.Fatalf("SendSync %d: %v", i, err)
		}
		if r.Status != primitive.SendOK {
			t.Fatalf("SendSync %d: status %d", i, r.Status)
		}
	}
}

func consumerSelectorAll() consumer.MessageSelector {
	return consumer.MessageSelector{Type: consumer.TAG, Expression: "*"}
}
