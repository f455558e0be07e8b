package rocketmq_test

import (
	"context"
	stderrors "errors"
	"strings"
	"sync"
	"testing"
	"time"

	rocketmq "github.com/librocketmq/librocketmq/bindings/go"
	"github.com/librocketmq/librocketmq/bindings/go/consumer"
	"github.com/librocketmq/librocketmq/bindings/go/errors"
	"github.com/librocketmq/librocketmq/bindings/go/primitive"
	"github.com/librocketmq/librocketmq/bindings/go/producer"
)

// Simple: sync sends, a push consumer gets every message with its metadata.
func TestSimple(t *testing.T) {
	t.Parallel()
	topic := unique("GoSimple")
	p := newProducer(t)
	const n = 10
	var ids []string
	for i := 0; i < n; i++ {
		m := primitive.NewMessage(topic, []byte("simple-"+string(rune('a'+i)))).
			WithTag("TagA").WithKeys([]string{"k1", "k2"})
		m.WithProperty("color", "red")
		r, err := p.SendSync(context.Background(), m)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != primitive.SendOK || r.MsgID == "" || r.OffsetMsgID == "" || r.MessageQueue == nil ||
			r.MessageQueue.Topic != topic || r.MessageQueue.BrokerName == "" {
			t.Fatalf("bad result %s", r)
		}
		ids = append(ids, r.MsgID)
	}
	col := newCollector()
	c := newPushConsumer(t)
	if err := c.Subscribe(topic, consumer.MessageSelector{}, col.listener); err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	col.waitDistinct(t, n, 60*time.Second)
	got := map[string]bool{}
	for _, m := range col.snapshot() {
		got[m.MsgId] = true
		if m.Topic != topic || m.GetTags() != "TagA" || m.GetKeys() != "k1 k2" || m.GetProperty("color") != "red" {
			t.Errorf("bad message %s", m)
		}
		if m.Queue == nil || m.Queue.Topic != topic || m.Queue.BrokerName == "" {
			t.Errorf("bad queue %v", m.Queue)
		}
		if m.OffsetMsgId == "" || m.StoreHost == "" || m.BornHost == "" || m.BornTimestamp == 0 || m.StoreTimestamp == 0 {
			t.Errorf("missing metadata %s", m)
		}
		if _, err := primitive.UnmarshalMsgID([]byte(m.OffsetMsgId)); err != nil {
			t.Errorf("offset id %q: %v", m.OffsetMsgId, err)
		}
	}
	for _, id := range ids {
		if !got[id] {
			t.Errorf("message %s not received", id)
		}
	}
}

// Async: SendAsync completes every send once, on another goroutine.
func TestAsync(t *testing.T) {
	t.Parallel()
	topic := unique("GoAsync")
	p := newProducer(t)
	const n = 50
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	wg.Add(n)
	for i := 0; i < n; i++ {
		err := p.SendAsync(context.Background(), func(ctx context.Context, r *primitive.SendResult, err error) {
			defer wg.Done()
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			} else if r.Status != primitive.SendOK || r.MsgID == "" {
				errs = append(errs, stderrors.New("bad result "+r.String()))
			}
		}, primitive.NewMessage(topic, []byte("async")))
		if err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("callbacks missing")
	}
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	// Batch and one-way go the other paths.
	if err := p.SendOneWay(context.Background(), primitive.NewMessage(topic, []byte("oneway"))); err != nil {
		t.Fatal(err)
	}
	ch := make(chan error, 1)
	if err := p.SendAsync(context.Background(), func(ctx context.Context, r *primitive.SendResult, err error) { ch <- err },
		primitive.NewMessage(topic, []byte("b1")), primitive.NewMessage(topic, []byte("b2"))); err != nil {
		t.Fatal(err)
	}
	if err := <-ch; err != nil {
		t.Fatal(err)
	}
}

// Batch: several messages of one topic in one SendSync.
func TestBatch(t *testing.T) {
	t.Parallel()
	topic := unique("GoBatch")
	p := newProducer(t)
	var msgs []*primitive.Message
	for i := 0; i < 5; i++ {
		msgs = append(msgs, primitive.NewMessage(topic, []byte{'b', byte('0' + i)}))
	}
	r, err := p.SendSync(context.Background(), msgs...)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(r.MsgID, ",") != 4 {
		t.Fatalf("batch ids %q", r.MsgID)
	}
	if _, err := p.SendSync(context.Background(), primitive.NewMessage(topic, []byte("x")),
		primitive.NewMessage(topic+"_other", []byte("y"))); err != errors.ErrMultipleTopics {
		t.Fatalf("two topics: %v", err)
	}
	col := newCollector()
	c := newPushConsumer(t, consumer.WithConsumeMessageBatchMaxSize(4))
	if err := c.Subscribe(topic, consumer.MessageSelector{Type: consumer.TAG, Expression: "*"}, col.listener); err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	col.waitDistinct(t, 5, 60*time.Second)
}

// Delay: a delay level holds the message back (level 2 = 5 s).
func TestDelay(t *testing.T) {
	t.Parallel()
	topic := unique("GoDelay")
	p := newProducer(t)
	col := newCollector()
	c := newPushConsumer(t)
	if err := c.Subscribe(topic, consumer.MessageSelector{}, col.listener); err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	sendN(t, p, topic, 1, "delayed", func(i int, m *primitive.Message) { m.WithDelayTimeLevel(2) })
	col.waitDistinct(t, 1, 60*time.Second)
	if took := time.Since(sent); took < 4*time.Second {
		t.Fatalf("delivered after %v, before the 5 s delay", took)
	}
	// A delivery timestamp (5.x timer) works too.
	sent = time.Now()
	sendN(t, p, topic, 1, "timer", func(i int, m *primitive.Message) { m.WithDelayTimestamp(time.Now().Add(3 * time.Second)) })
	col.waitDistinct(t, 2, 60*time.Second)
	if took := time.Since(sent); took < 2*time.Second {
		t.Fatalf("timer message delivered after %v, before 3 s", took)
	}
}

// Context: a cancelled or expired ctx ends SendSync and Request at once.
func TestContext(t *testing.T) {
	t.Parallel()
	topic := unique("GoCtx")
	p := newProducer(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.SendSync(ctx, primitive.NewMessage(topic, []byte("x"))); err != context.Canceled {
		t.Fatalf("cancelled: %v", err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := p.SendSync(ctx, primitive.NewMessage(topic, []byte("x"))); err != nil {
		t.Fatalf("with deadline: %v", err)
	}
	// No responder: the request waits until the deadline.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel2()
	start := time.Now()
	_, err := p.Request(ctx2, 10*time.Second, primitive.NewMessage(topic, []byte("req")))
	if err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("request: %v after %v", err, time.Since(start))
	}
	if err != context.DeadlineExceeded && !stderrors.Is(err, errors.ErrRequestTimeout) {
		t.Fatalf("request error %v", err)
	}
}

// Lifecycle errors: not started, shut down, shut down twice.
func TestLifecycle(t *testing.T) {
	t.Parallel()
	p, err := rocketmq.NewProducer(producer.WithNameServer(namesrv()), producer.WithGroupName(unique("go_life")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.SendSync(context.Background(), primitive.NewMessage("t", []byte("x"))); err != errors.ErrNotRunning {
		t.Fatalf("before start: %v", err)
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.SendSync(context.Background()); err != errors.ErrMessageEmpty {
		t.Fatalf("no message: %v", err)
	}
	if err := p.Shutdown(); err != nil {
		t.Fatal(err)
	}
	if err := p.Shutdown(); err != nil {
		t.Fatalf("second shutdown: %v", err)
	}
	if _, err := p.SendSync(context.Background(), primitive.NewMessage("t", []byte("x"))); err != errors.ErrShutdown {
		t.Fatalf("after shutdown: %v", err)
	}
	if _, err := rocketmq.NewProducer(producer.WithNameServer(namesrv()), producer.WithTls(true)); !stderrors.Is(err, errors.ErrNotSupported) {
		t.Fatalf("tls: %v", err)
	}
	// A library error carries its code and converts to v2's error types.
	bad, err := rocketmq.NewProducer(producer.WithNameServer(namesrv()), producer.WithGroupName(unique("go_bad")))
	if err != nil {
		t.Fatal(err)
	}
	if err := bad.Start(); err != nil {
		t.Fatal(err)
	}
	defer bad.Shutdown()
	_, err = bad.SendSync(context.Background(), primitive.NewMessage("bad topic with spaces", []byte("x")))
	var lib *primitive.Error
	if !stderrors.As(err, &lib) || lib.Code != primitive.ErrCodeInvalidArg {
		t.Fatalf("invalid topic: %v", err)
	}
	if rocketmq.LibraryVersion() == "" {
		t.Fatal("no library version")
	}
}

// Queue selection: a message's Queue, and the v2 selectors.
func TestQueueSelectors(t *testing.T) {
	t.Parallel()
	topic := unique("GoSelect")
	p := newProducer(t, producer.WithQueueSelector(producer.NewHashQueueSelector()))
	var first *primitive.MessageQueue
	for i := 0; i < 6; i++ {
		r, err := p.SendSync(context.Background(), primitive.NewMessage(topic, []byte("h")).WithShardingKey("order-42"))
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = r.MessageQueue
		} else if *r.MessageQueue != *first {
			t.Fatalf("same sharding key, queues %v and %v", first, r.MessageQueue)
		}
	}
	m := primitive.NewMessage(topic, []byte("q"))
	m.Queue = &primitive.MessageQueue{Topic: topic, BrokerName: first.BrokerName, QueueId: (first.QueueId + 1) % 4}
	r, err := p.SendSync(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	if *r.MessageQueue != *m.Queue {
		t.Fatalf("sent to %v, asked %v", r.MessageQueue, m.Queue)
	}
}
