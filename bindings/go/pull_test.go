package rocketmq_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	rocketmq "github.com/librocketmq/librocketmq/bindings/go"
	"github.com/librocketmq/librocketmq/bindings/go/consumer"
	"github.com/librocketmq/librocketmq/bindings/go/primitive"
)

func newPullConsumer(t *testing.T, opts ...consumer.Option) rocketmq.PullConsumer {
	t.Helper()
	opts = append([]consumer.Option{
		consumer.WithNameServer(namesrv()),
		consumer.WithGroupName(unique("go_pull")),
		consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset),
	}, opts...)
	c, err := rocketmq.NewPullConsumer(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Shutdown() })
	return c
}

// pollAll polls until n distinct bodies arrived; failed batches are ACKed
// with ConsumeRetryLater once each.
func pollAll(t *testing.T, c rocketmq.PullConsumer, n int, retryOnce bool) map[string]int {
	t.Helper()
	got := map[string]int{}
	retried := false
	deadline := time.Now().Add(60 * time.Second)
	for len(got) < n && time.Now().Before(deadline) {
		cr, err := c.Poll(context.Background(), 2*time.Second)
		if consumer.IsNoNewMsgError(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if cr.GetMQ() == nil || cr.GetMQ().BrokerName == "" {
			t.Fatalf("batch queue %v", cr.GetMQ())
		}
		if retryOnce && !retried {
			retried = true
			c.ACK(context.Background(), cr, consumer.ConsumeRetryLater)
			continue
		}
		for _, m := range cr.GetMsgList() {
			got[string(m.Body)]++
		}
		c.ACK(context.Background(), cr, consumer.ConsumeSuccess)
	}
	if len(got) < n {
		t.Fatalf("polled %d of %d: %v", len(got), n, got)
	}
	return got
}

// Pull consumer, subscribe mode: Poll, ACK (a failed batch comes back),
// offsets, route info.
func TestPullConsumerSubscribe(t *testing.T) {
	t.Parallel()
	topic := unique("GoPull")
	p := newProducer(t)
	sendN(t, p, topic, 20, "pull", nil)
	c := newPullConsumer(t)
	if err := c.Subscribe(topic, consumer.MessageSelector{Type: consumer.TAG, Expression: "*"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Poll(context.Background(), time.Millisecond); err == nil {
		t.Fatal("poll before start succeeded")
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	qs, err := c.GetTopicRouteInfo(topic)
	if err != nil || len(qs) == 0 {
		t.Fatalf("route info %v %v", qs, err)
	}
	pollAll(t, c, 20, true)
	if err := c.PersistOffset(context.Background(), topic); err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, q := range qs {
		off, err := c.CurrentOffset(q)
		if err != nil {
			t.Fatal(err)
		}
		if off > 0 {
			total += off
		}
	}
	if total != 20 {
		t.Fatalf("committed offsets add up to %d, want 20", total)
	}
	// A cancelled ctx ends a poll at once.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if _, err := c.Poll(ctx, 10*time.Second); !consumer.IsNoNewMsgError(err) || time.Since(start) > time.Second {
		t.Fatalf("cancelled poll: %v after %v", err, time.Since(start))
	}
}

// Pull consumer, assign mode: SeekOffset re-reads a queue; UpdateOffset commits.
func TestPullConsumerAssign(t *testing.T) {
	t.Parallel()
	topic := unique("GoPullAssign")
	p := newProducer(t)
	var queue *primitive.MessageQueue
	for i := 0; i < 5; i++ {
		m := primitive.NewMessage(topic, []byte(fmt.Sprintf("a-%d", i)))
		if queue != nil {
			m.Queue = queue
		}
		r, err := p.SendSync(context.Background(), m)
		if err != nil {
			t.Fatal(err)
		}
		queue = r.MessageQueue
	}
	c := newPullConsumer(t, consumer.WithAutoCommit(false), consumer.WithPullBatchSize(2))
	if err := c.Assign(topic, []*primitive.MessageQueue{queue}); err != nil {
		t.Fatal(err)
	}
	if err := c.Subscribe(topic, consumer.MessageSelector{}); err == nil {
		t.Fatal("subscribe after assign succeeded")
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	first := pollAll(t, c, 5, false)
	if len(first) != 5 {
		t.Fatalf("first pass %v", first)
	}
	c.SeekOffset(queue, 3)
	var again []string
	deadline := time.Now().Add(30 * time.Second)
	for len(again) < 2 && time.Now().Before(deadline) {
		cr, err := c.Poll(context.Background(), time.Second)
		if err != nil {
			continue
		}
		for _, m := range cr.GetMsgList() {
			again = append(again, string(m.Body))
		}
	}
	sort.Strings(again)
	if len(again) != 2 || again[0] != "a-3" || again[1] != "a-4" {
		t.Fatalf("after seek: %v", again)
	}
	if err := c.UpdateOffset(queue, 4); err != nil {
		t.Fatal(err)
	}
	if off, err := c.CurrentOffset(queue); err != nil || off != 4 {
		t.Fatalf("current offset %d %v", off, err)
	}
	// Every message is newer than the epoch and older than an hour from now.
	if off, err := c.OffsetForTimestamp(queue, 0); err != nil || off != 0 {
		t.Fatalf("offset for the epoch: %d %v", off, err)
	}
	if off, err := c.OffsetForTimestamp(queue, time.Now().Add(time.Hour).UnixMilli()); err != nil || off != 5 {
		t.Fatalf("offset for an hour from now: %d %v", off, err)
	}
	if off, err := c.CurrentOffset(queue); err != nil || off != 4 {
		t.Fatalf("OffsetForTimestamp moved the consumer: %d %v", off, err)
	}
	// One-shot pulls: from offset 1, at most 3, without moving the consumer.
	r, err := c.PullFrom(context.Background(), queue, 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, m := range r.GetMessageExts() {
		bodies = append(bodies, string(m.Body))
		if m.Queue == nil || m.Queue.QueueId != queue.QueueId || m.Topic != topic {
			t.Fatalf("pulled message of %v / %s", m.Queue, m.Topic)
		}
	}
	if r.Status != primitive.PullFound || fmt.Sprint(bodies) != "[a-1 a-2 a-3]" ||
		r.NextBeginOffset != 4 || r.MaxOffset != 5 {
		t.Fatalf("PullFrom: %+v %v", r, bodies)
	}
	if r, err := c.PullFrom(context.Background(), queue, 5, 3); err != nil ||
		r.Status != primitive.PullNoNewMsg || len(r.GetMessageExts()) != 0 {
		t.Fatalf("PullFrom at the end: %+v %v", r, err)
	}
	if r, err := c.PullFrom(context.Background(), queue, 1000, 3); err != nil ||
		r.Status != primitive.PullOffsetIllegal {
		t.Fatalf("PullFrom past the end: %+v %v", r, err)
	}
	if _, err := c.PullFrom(context.Background(), queue, -1, 3); err == nil {
		t.Fatal("PullFrom at -1 succeeded")
	}
	if _, err := c.PullFrom(context.Background(), nil, 0, 3); err == nil {
		t.Fatal("PullFrom of no queue succeeded")
	}
	if off, err := c.CurrentOffset(queue); err != nil || off != 4 {
		t.Fatalf("PullFrom moved the consumer: %d %v", off, err)
	}
}

// PullFrom filters with the consumer's selector for the queue's topic, as in
// v2: tags or SQL92.
func TestPullFromUsesTheSubscription(t *testing.T) {
	t.Parallel()
	topic := unique("GoPullFromSel")
	p := newProducer(t)
	sendN(t, p, topic, 12, "s", func(i int, m *primitive.Message) {
		m.WithTag([]string{"even", "odd"}[i%2])
		m.WithProperty("n", fmt.Sprint(i))
	})
	for _, tc := range []struct {
		selector consumer.MessageSelector
		want     func(i int) bool
	}{
		{consumer.MessageSelector{Type: consumer.TAG, Expression: "odd"}, func(i int) bool { return i%2 == 1 }},
		{consumer.MessageSelector{Type: consumer.SQL92, Expression: "n >= 9"}, func(i int) bool { return i >= 9 }},
	} {
		c := newPullConsumer(t)
		if err := c.Subscribe(topic, tc.selector); err != nil {
			t.Fatal(err)
		}
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		qs, err := c.GetTopicRouteInfo(topic)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, q := range qs {
			r, err := c.PullFrom(context.Background(), q, 0, 32)
			if err != nil {
				t.Fatalf("%v: %v", tc.selector, err)
			}
			for _, m := range r.GetMessageExts() {
				got = append(got, string(m.Body))
			}
		}
		var want []string
		for i := 0; i < 12; i++ {
			if tc.want(i) {
				want = append(want, fmt.Sprintf("s-%d", i))
			}
		}
		sort.Strings(got)
		sort.Strings(want)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%v: pulled %v, want %v", tc.selector, got, want)
		}
		_ = c.Shutdown()
	}
}
