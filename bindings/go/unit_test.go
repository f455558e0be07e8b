package rocketmq_test

import (
	"context"
	"encoding/binary"
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

// encodeStored writes one record in the stored format (IPv4 hosts, magic v1).
func encodeStored(topic string, body []byte, props string, qid int32, offset int64) []byte {
	var b []byte
	be := binary.BigEndian
	b = be.AppendUint32(b, 0) // size, set below
	b = be.AppendUint32(b, 0xDAA320A7)
	b = be.AppendUint32(b, 7)           // body CRC
	b = be.AppendUint32(b, uint32(qid)) // queue id
	b = be.AppendUint32(b, 3)           // flag
	b = be.AppendUint64(b, uint64(offset))
	b = be.AppendUint64(b, 4096) // commit log offset
	b = be.AppendUint32(b, 0)    // sys flag
	b = be.AppendUint64(b, 1700000000000)
	b = append(b, 10, 0, 0, 1)
	b = be.AppendUint32(b, 5555)
	b = be.AppendUint64(b, 1700000000001)
	b = append(b, 127, 0, 0, 1)
	b = be.AppendUint32(b, 10911)
	b = be.AppendUint32(b, 2) // reconsume times
	b = be.AppendUint64(b, 0)
	b = be.AppendUint32(b, uint32(len(body)))
	b = append(b, body...)
	b = append(b, byte(len(topic)))
	b = append(b, topic...)
	b = be.AppendUint16(b, uint16(len(props)))
	b = append(b, props...)
	be.PutUint32(b, uint32(len(b)))
	return b
}

func TestDecodeMessage(t *testing.T) {
	props := "TAGS\x01a\x02UNIQ_KEY\x01ABC\x02"
	data := append(encodeStored("T1", []byte("hello"), props, 2, 9), encodeStored("T2", []byte("x"), "", 0, 10)...)
	msgs := primitive.DecodeMessage(data)
	if len(msgs) != 2 {
		t.Fatalf("decoded %d", len(msgs))
	}
	m := msgs[0]
	if m.Topic != "T1" || string(m.Body) != "hello" || m.GetTags() != "a" || m.MsgId != "ABC" || m.QueueOffset != 9 ||
		m.Queue.QueueId != 2 || m.BornHost != "10.0.0.1:5555" || m.StoreHost != "127.0.0.1:10911" || m.ReconsumeTimes != 2 ||
		m.Flag != 3 || m.CommitLogOffset != 4096 {
		t.Fatalf("decoded %s", m)
	}
	if msgs[1].MsgId != msgs[1].OffsetMsgId || msgs[1].OffsetMsgId != primitive.CreateMessageId([]byte{127, 0, 0, 1}, 10911, 4096) {
		t.Fatalf("offset id %s", msgs[1].OffsetMsgId)
	}
	// Truncated or garbage input never panics and yields whole records only.
	for i := 0; i < len(data); i++ {
		if got := primitive.DecodeMessage(data[:i]); len(got) > 1 {
			t.Fatalf("prefix %d decoded %d", i, len(got))
		}
	}
	garbage := make([]byte, 200)
	for i := range garbage {
		garbage[i] = byte(i * 37)
	}
	_ = primitive.DecodeMessage(garbage)
}
