package rocketmq_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/librocketmq/librocketmq/bindings/go/consumer"
	"github.com/librocketmq/librocketmq/bindings/go/primitive"
	"github.com/librocketmq/librocketmq/bindings/go/producer"
)

func TestMessageProperties(t *testing.T) {
	m := primitive.NewMessage("t", []byte("b")).WithTag("x").WithKeys([]string{"a", "b"}).WithShardingKey("s").
		WithDelayTimeLevel(3)
	m.WithProperty("", "ignored")
	m.WithProperty("k", "")
	if m.GetTags() != "x" || m.GetKeys() != "a b" || m.GetShardingKey() != "s" || m.GetProperty("DELAY") != "3" {
		t.Fatalf("properties %v", m.GetProperties())
	}
	var n primitive.Message
	n.UnmarshalProperties([]byte(m.MarshallProperties()))
	if !reflect.DeepEqual(n.GetProperties(), m.GetProperties()) {
		t.Fatalf("round trip %v %v", n.GetProperties(), m.GetProperties())
	}
	if m.RemoveProperty("KEYS") != "a b" || m.GetKeys() != "" {
		t.Fatal("remove")
	}
	lit := &primitive.Message{Topic: "t", Body: []byte("x")}
	lit.WithProperty("a", "1")
	if lit.GetProperty("a") != "1" {
		t.Fatal("literal message")
	}
	when := time.UnixMilli(1_700_000_000_123)
	if m.WithDelayTimestamp(when).GetProperty(primitive.PropertyTimerDeliverMS) != "1700000000123" {
		t.Fatal("delay timestamp")
	}
}

func TestMessageIDs(t *testing.T) {
	id := primitive.CreateMessageId([]byte{127, 0, 0, 1}, 10911, 123456)
	got, err := primitive.UnmarshalMsgID([]byte(id))
	if err != nil || got.Addr != "127.0.0.1" || got.Port != 10911 || got.Offset != 123456 {
		t.Fatalf("%s -> %+v %v", id, got, err)
	}
	if _, err := primitive.UnmarshalMsgID([]byte("short")); err == nil {
		t.Fatal("short id accepted")
	}
	a, b := primitive.CreateUniqID(), primitive.CreateUniqID()
	if a == b || len(a) != 32 {
		t.Fatalf("uniq ids %s %s", a, b)
	}
	q := &primitive.MessageQueue{Topic: "TopicTest", BrokerName: "broker-a", QueueId: 1}
	if q.HashCode() != q.HashCode() || q.String() == "" {
		t.Fatal("queue")
	}
}

func TestNamesrvAddr(t *testing.T) {
	if a, err := primitive.NewNamesrvAddr("127.0.0.1:9876;10.0.0.1:9876"); err != nil || len(a) != 2 {
		t.Fatalf("%v %v", a, err)
	}
	if _, err := primitive.NewNamesrvAddr("not-an-ip:9876"); err == nil {
		t.Fatal("bad address accepted")
	}
	if _, err := primitive.NewNamesrvAddr(); err == nil {
		t.Fatal("no address accepted")
	}
}

func TestChainInterceptors(t *testing.T) {
	var trace []string
	mk := func(s string) primitive.Interceptor {
		return func(ctx context.Context, req, reply interface{}, next primitive.Invoker) error {
			trace = append(trace, s)
			return next(ctx, req, reply)
		}
	}
	chain := primitive.ChainInterceptors(mk("1"), mk("2"), mk("3"))
	_ = chain(context.Background(), nil, nil, func(context.Context, interface{}, interface{}) error {
		trace = append(trace, "end")
		return nil
	})
	if fmt.Sprint(trace) != "[1 2 3 end]" {
		t.Fatal(trace)
	}
	if primitive.ChainInterceptors() != nil {
		t.Fatal("empty chain")
	}
}

func queues(n int) []*primitive.MessageQueue {
	var out []*primitive.MessageQueue
	for i := 0; i < n; i++ {
		out = append(out, &primitive.MessageQueue{Topic: "t", BrokerName: "b", QueueId: i})
	}
	return out
}

func TestAllocateStrategies(t *testing.T) {
	cids := []string{"c0", "c1", "c2"}
	for name, s := range map[string]consumer.AllocateStrategy{
		"avg":    consumer.AllocateByAveragely,
		"circle": consumer.AllocateByAveragelyCircle,
		"hash":   consumer.AllocateByConsistentHash(10),
	} {
		seen := map[int]int{}
		for _, c := range cids {
			for _, q := range s("g", c, queues(8), cids) {
				seen[q.QueueId]++
			}
		}
		if len(seen) != 8 {
			t.Fatalf("%s: %v", name, seen)
		}
		for q, n := range seen {
			if n != 1 {
				t.Fatalf("%s: queue %d taken %d times", name, q, n)
			}
		}
	}
	got := consumer.AllocateByAveragely("g", "c0", queues(8), cids)
	if len(got) != 3 || got[0].QueueId != 0 || got[2].QueueId != 2 {
		t.Fatalf("avg c0 %v", got)
	}
	got = consumer.AllocateByAveragelyCircle("g", "c1", queues(8), cids)
	if len(got) != 3 || got[0].QueueId != 1 || got[1].QueueId != 4 {
		t.Fatalf("circle c1 %v", got)
	}
}

func TestSelectors(t *testing.T) {
	qs := queues(4)
	m := primitive.NewMessage("t", nil).WithShardingKey("k")
	h := producer.NewHashQueueSelector()
	if h.Select(m, qs, "") != h.Select(m, qs, "") {
		t.Fatal("hash selector not stable")
	}
	rr := producer.NewRoundRobinQueueSelector()
	a, b := rr.Select(m, qs, ""), rr.Select(m, qs, "")
	if a == b {
		t.Fatal("round robin repeated")
	}
	m.Queue = qs[2]
	if producer.NewManualQueueSelector().Select(m, qs, "") != qs[2] {
		t.Fatal("manual selector")
	}
	if producer.NewRandomQueueSelector().Select(m, qs, "") == nil {
		t.Fatal("random selector")
	}
}
