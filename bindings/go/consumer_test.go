package rocketmq_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	rocketmq "github.com/librocketmq/librocketmq/bindings/go"
	"github.com/librocketmq/librocketmq/bindings/go/consumer"
	"github.com/librocketmq/librocketmq/bindings/go/primitive"
	"github.com/librocketmq/librocketmq/bindings/go/producer"
)

func subscribeAndStart(t *testing.T, c rocketmq.PushConsumer, topic string, sel consumer.MessageSelector,
	f func(context.Context, ...*primitive.MessageExt) (consumer.ConsumeResult, error)) {
	t.Helper()
	if err := c.Subscribe(topic, sel, f); err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
}

// Tag filter: only the tags subscribed arrive.
func TestTagFilter(t *testing.T) {
	t.Parallel()
	topic := unique("GoTag")
	p := newProducer(t)
	tags := []string{"TagA", "TagB", "TagC"}
	sendN(t, p, topic, 9, "tag", func(i int, m *primitive.Message) {
		m.WithTag(tags[i%3])
		m.Body = []byte(fmt.Sprintf("%s-%d", tags[i%3], i))
	})
	col := newCollector()
	c := newPushConsumer(t)
	subscribeAndStart(t, c, topic, consumer.MessageSelector{Type: consumer.TAG, Expression: "TagA || TagC"}, col.listener)
	col.waitDistinct(t, 6, 60*time.Second)
	time.Sleep(time.Second)
	for body := range col.bodies() {
		if strings.HasPrefix(body, "TagB") {
			t.Errorf("TagB delivered: %s", body)
		}
	}
}

// SQL92 filter on user properties.
func TestSQL92Filter(t *testing.T) {
	t.Parallel()
	topic := unique("GoSQL")
	p := newProducer(t)
	sendN(t, p, topic, 6, "sql", func(i int, m *primitive.Message) {
		m.WithProperty("a", strconv.Itoa(i))
		m.WithProperty("kind", map[bool]string{true: "even", false: "odd"}[i%2 == 0])
	})
	col := newCollector()
	c := newPushConsumer(t)
	subscribeAndStart(t, c, topic, consumer.MessageSelector{Type: consumer.SQL92, Expression: "a >= 2 AND kind = 'even'"},
		col.listener)
	got := col.waitDistinct(t, 2, 60*time.Second)
	time.Sleep(time.Second)
	if len(col.bodies()) != 2 || got["sql-2"] == 0 || got["sql-4"] == 0 {
		t.Fatalf("got %v, want sql-2 and sql-4", col.bodies())
	}
}

// Orderly: messages of one sharding key arrive in send order.
func TestOrderly(t *testing.T) {
	t.Parallel()
	topic := unique("GoOrderly")
	p := newProducer(t, producer.WithQueueSelector(producer.NewHashQueueSelector()))
	const keys, per = 3, 10
	for i := 0; i < per; i++ {
		for k := 0; k < keys; k++ {
			m := primitive.NewMessage(topic, []byte(fmt.Sprintf("%d:%d", k, i))).WithShardingKey(fmt.Sprintf("key-%d", k))
			if _, err := p.SendSync(context.Background(), m); err != nil {
				t.Fatal(err)
			}
		}
	}
	var mu sync.Mutex
	last := map[string]int{}
	var bad []string
	var inside atomic.Int32
	col := newCollector()
	c := newPushConsumer(t, consumer.WithConsumerOrder(true))
	subscribeAndStart(t, c, topic, consumer.MessageSelector{}, func(ctx context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
		if _, ok := primitive.GetOrderlyCtx(ctx); !ok {
			t.Error("no orderly context")
		}
		inside.Add(1)
		defer inside.Add(-1)
		mu.Lock()
		for _, m := range msgs {
			parts := strings.Split(string(m.Body), ":")
			n, _ := strconv.Atoi(parts[1])
			if prev, ok := last[parts[0]]; ok && n != prev+1 {
				bad = append(bad, fmt.Sprintf("%s after %d", m.Body, prev))
			}
			last[parts[0]] = n
		}
		mu.Unlock()
		col.add(msgs...)
		return consumer.ConsumeSuccess, nil
	})
	col.waitDistinct(t, keys*per, 90*time.Second)
	mu.Lock()
	defer mu.Unlock()
	if len(bad) > 0 {
		t.Fatalf("out of order: %v", bad)
	}
}

// Broadcast: every consumer of the group gets every message.
func TestBroadcast(t *testing.T) {
	t.Parallel()
	topic := unique("GoBroadcast")
	group := unique("go_bc")
	p := newProducer(t)
	dir := t.TempDir()
	var cols []*collector
	for i := 0; i < 2; i++ {
		col := newCollector()
		cols = append(cols, col)
		c := newPushConsumer(t, consumer.WithGroupName(group), consumer.WithConsumerModel(consumer.BroadCasting),
			consumer.WithInstance(fmt.Sprintf("bc%d", i)), consumer.WithConfig("local.offset.dir", dir))
		subscribeAndStart(t, c, topic, consumer.MessageSelector{}, col.listener)
	}
	time.Sleep(2 * time.Second)
	sendN(t, p, topic, 8, "bc", nil)
	for i, col := range cols {
		if !col.waitFor(60*time.Second, func() bool { return len(col.bodies()) >= 8 }) {
			t.Fatalf("consumer %d got %v", i, col.bodies())
		}
	}
}

type txListener struct {
	mu      sync.Mutex
	execs   map[string]primitive.LocalTransactionState
	checks  atomic.Int32
	checked chan string
}

func (l *txListener) ExecuteLocalTransaction(m *primitive.Message) primitive.LocalTransactionState {
	l.mu.Lock()
	defer l.mu.Unlock()
	if m.TransactionId == "" {
		panic("no transaction id")
	}
	switch m.GetProperty("decision") {
	case "commit":
		return primitive.CommitMessageState
	case "rollback":
		return primitive.RollbackMessageState
	case "panic":
		panic("local transaction failed")
	}
	return primitive.UnkonwnState
}

func (l *txListener) CheckLocalTransaction(m *primitive.MessageExt) primitive.LocalTransactionState {
	l.checks.Add(1)
	select {
	case l.checked <- m.GetProperty("decision"):
	default:
	}
	if m.GetProperty("decision") == "unknown" {
		return primitive.CommitMessageState
	}
	return primitive.RollbackMessageState
}

// Transaction: commit, rollback, and unknown outcomes; the broker checks the
// unknown ones back and the check commits "unknown" (a panic counts as unknown
// and its check rolls it back).
func TestTransaction(t *testing.T) {
	t.Parallel()
	topic := unique("GoTx")
	l := &txListener{checked: make(chan string, 16)}
	tp, err := rocketmq.NewTransactionProducer(l, producer.WithNameServer(namesrv()),
		producer.WithGroupName(unique("go_tx")), producer.WithSendMsgTimeout(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if err := tp.Start(); err != nil {
		t.Fatal(err)
	}
	defer tp.Shutdown()
	want := map[string]primitive.LocalTransactionState{
		"commit":   primitive.CommitMessageState,
		"rollback": primitive.RollbackMessageState,
		"unknown":  primitive.UnkonwnState,
		"panic":    primitive.UnkonwnState,
	}
	for _, d := range []string{"commit", "rollback", "unknown", "panic"} {
		m := primitive.NewMessage(topic, []byte("tx-"+d))
		m.WithProperty("decision", d)
		r, err := tp.SendMessageInTransaction(context.Background(), m)
		if err != nil {
			t.Fatal(err)
		}
		if r.State != want[d] || r.Status != primitive.SendOK || m.TransactionId == "" {
			t.Fatalf("%s: state %d status %d tx %q", d, r.State, r.Status, m.TransactionId)
		}
	}
	col := newCollector()
	c := newPushConsumer(t)
	subscribeAndStart(t, c, topic, consumer.MessageSelector{}, col.listener)
	got := col.waitDistinct(t, 2, 90*time.Second)
	if got["tx-commit"] == 0 || got["tx-unknown"] == 0 {
		t.Fatalf("got %v", got)
	}
	if l.checks.Load() == 0 {
		t.Fatal("no check-back")
	}
	time.Sleep(2 * time.Second)
	if b := col.bodies(); b["tx-rollback"] != 0 || b["tx-panic"] != 0 {
		t.Fatalf("rolled-back messages delivered: %v", b)
	}
}

// Retry: RECONSUME_LATER and a panicking listener both get the message again.
func TestRetryAndPanic(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"retry", "panic", "error"} {
		mode := mode
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			topic := unique("GoRetry_" + mode)
			p := newProducer(t)
			var attempts atomic.Int32
			col := newCollector()
			c := newPushConsumer(t)
			subscribeAndStart(t, c, topic, consumer.MessageSelector{}, func(ctx context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
				if attempts.Add(1) == 1 {
					switch mode {
					case "panic":
						panic("listener failure")
					case "error":
						return consumer.ConsumeRetryLater, fmt.Errorf("not now")
					}
					return consumer.ConsumeRetryLater, nil
				}
				col.add(msgs...)
				return consumer.ConsumeSuccess, nil
			})
			sendN(t, p, topic, 1, mode, nil)
			col.waitDistinct(t, 1, 90*time.Second)
			m := col.snapshot()[0]
			if m.ReconsumeTimes < 1 || m.Topic != topic || string(m.Body) != mode+"-0" {
				t.Fatalf("redelivered %s", m)
			}
		})
	}
}

// Request-reply: the responder (the library's reply_responder example,
// given by RMQ_REPLY_RESPONDER) answers each request.
func TestRequestReply(t *testing.T) {
	t.Parallel()
	responder := os.Getenv("RMQ_REPLY_RESPONDER")
	if responder == "" {
		t.Fatal("RMQ_REPLY_RESPONDER (the reply_responder example) is not set; run-tests.sh sets it")
	}
	topic := unique("GoRequest")
	cmd := exec.Command(responder, topic, "2")
	cmd.Env = append(os.Environ(), "ROCKETMQ_NAMESRV="+namesrv()[0])
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	ready := make([]byte, 6)
	if _, err := out.Read(ready); err != nil || string(ready[:5]) != "ready" {
		t.Fatalf("responder: %q %v", ready, err)
	}
	p := newProducer(t)
	reply, err := p.Request(context.Background(), 20*time.Second, primitive.NewMessage(topic, []byte("ping")))
	if err != nil {
		t.Fatal(err)
	}
	if string(reply.Body) != "reply to ping" {
		t.Fatalf("reply %q", reply.Body)
	}
	ch := make(chan string, 1)
	err = p.RequestAsync(context.Background(), 20*time.Second, func(ctx context.Context, m *primitive.Message, err error) {
		if err != nil {
			ch <- err.Error()
			return
		}
		ch <- string(m.Body)
	}, primitive.NewMessage(topic, []byte("pong")))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-ch:
		if s != "reply to pong" {
			t.Fatalf("async reply %q", s)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no async reply")
	}
}

// Namespace: names are wrapped on the wire and unwrapped for the user.
func TestNamespace(t *testing.T) {
	t.Parallel()
	ns := unique("gons")
	topic := unique("GoNs")
	p := newProducer(t, producer.WithNamespace(ns))
	r, err := p.SendSync(context.Background(), primitive.NewMessage(topic, []byte("in-ns")))
	if err != nil {
		t.Fatal(err)
	}
	if r.MessageQueue.Topic != topic {
		t.Fatalf("result topic %q", r.MessageQueue.Topic)
	}
	col := newCollector()
	c := newPushConsumer(t, consumer.WithNamespace(ns))
	subscribeAndStart(t, c, topic, consumer.MessageSelector{}, col.listener)
	col.waitDistinct(t, 1, 60*time.Second)
	if m := col.snapshot()[0]; m.Topic != topic {
		t.Fatalf("received topic %q", m.Topic)
	}
	// Outside the namespace the topic does not exist under its bare name.
	plain := newProducer(t)
	q, err := plain.SendSync(context.Background(), primitive.NewMessage(ns+"%"+topic, []byte("wrapped")))
	if err != nil {
		t.Fatal(err)
	}
	if q.MessageQueue.Topic != ns+"%"+topic {
		t.Fatalf("wrapped topic %q", q.MessageQueue.Topic)
	}
	col.waitDistinct(t, 2, 60*time.Second)
}

// Interceptors: producer and consumer interceptors see the calls and contexts.
func TestInterceptors(t *testing.T) {
	t.Parallel()
	topic := unique("GoIntercept")
	var order []string
	var mu sync.Mutex
	record := func(s string) { mu.Lock(); order = append(order, s); mu.Unlock() }
	pi := func(name string) primitive.Interceptor {
		return func(ctx context.Context, req, reply interface{}, next primitive.Invoker) error {
			record(name + ">")
			if _, ok := req.(*primitive.Message); !ok {
				t.Errorf("producer req %T", req)
			}
			if primitive.GetMethod(ctx) != primitive.SendSync {
				t.Errorf("method %q", primitive.GetMethod(ctx))
			}
			err := next(ctx, req, reply)
			if r, ok := reply.(*primitive.SendResult); !ok || r.MsgID == "" {
				t.Errorf("reply %v", reply)
			}
			record("<" + name)
			return err
		}
	}
	p := newProducer(t, producer.WithInterceptor(pi("a"), pi("b")))
	sendN(t, p, topic, 1, "icpt", nil)
	mu.Lock()
	if strings.Join(order, " ") != "a> b> <b <a" {
		t.Errorf("producer interceptor order %v", order)
	}
	mu.Unlock()
	var results []consumer.ConsumeResult
	ci := func(ctx context.Context, req, reply interface{}, next primitive.Invoker) error {
		msgs := req.([]*primitive.MessageExt)
		mc, ok := primitive.GetConsumerCtx(ctx)
		if !ok || len(mc.Msgs) != len(msgs) || mc.MQ == nil || mc.MQ.Topic != topic {
			t.Errorf("consumer ctx %v", mc)
		}
		err := next(ctx, req, reply)
		mu.Lock()
		results = append(results, reply.(*consumer.ConsumeResultHolder).ConsumeResult)
		mu.Unlock()
		if !mc.Success || mc.Properties[primitive.PropCtxType] != string(primitive.SuccessReturn) {
			t.Errorf("after consume: %+v", mc)
		}
		return err
	}
	col := newCollector()
	c := newPushConsumer(t, consumer.WithInterceptor(ci))
	subscribeAndStart(t, c, topic, consumer.MessageSelector{}, col.listener)
	col.waitDistinct(t, 1, 60*time.Second)
	// The interceptor records the result after the listener returned.
	col.waitFor(10*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(results) > 0 })
	mu.Lock()
	defer mu.Unlock()
	if len(results) == 0 || results[0] != consumer.ConsumeSuccess {
		t.Fatalf("consumer interceptor saw %v", results)
	}
}

// Shutdown from inside a listener fails (it would wait for itself) while
// the consumer goes on; Shutdown from outside then works.
func TestShutdownFromListener(t *testing.T) {
	t.Parallel()
	topic := unique("GoShutdownInListener")
	p := newProducer(t)
	errs := make(chan error, 16)
	var c rocketmq.PushConsumer
	col := newCollector()
	c = newPushConsumer(t)
	subscribeAndStart(t, c, topic, consumer.MessageSelector{}, func(ctx context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
		select {
		case errs <- c.Shutdown():
		default:
		}
		col.add(msgs...)
		return consumer.ConsumeSuccess, nil
	})
	sendN(t, p, topic, 3, "sd", nil)
	col.waitDistinct(t, 3, 60*time.Second)
	if err := <-errs; err == nil {
		t.Fatal("shutdown inside a listener succeeded")
	}
	done := make(chan error, 1)
	go func() { done <- c.Shutdown() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("shutdown hangs")
	}
}

// Shutdown right after many async sends: every callback runs exactly once.
func TestShutdownCompletesAsyncSends(t *testing.T) {
	t.Parallel()
	topic := unique("GoAsyncShutdown")
	p, err := rocketmq.NewProducer(producer.WithNameServer(namesrv()), producer.WithGroupName(unique("go_asd")))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	const n = 300
	var calls atomic.Int32
	var wg sync.WaitGroup
	accepted := 0
	for i := 0; i < n; i++ {
		wg.Add(1)
		err := p.SendAsync(context.Background(), func(context.Context, *primitive.SendResult, error) {
			calls.Add(1)
			wg.Done()
		}, primitive.NewMessage(topic, []byte("x")))
		if err != nil {
			wg.Done()
			continue
		}
		accepted++
	}
	if err := p.Shutdown(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if int(calls.Load()) != accepted {
		t.Fatalf("%d callbacks for %d accepted sends", calls.Load(), accepted)
	}
}

// Allocation strategies the library calls back: two consumers of one group
// split the queues by queue id parity (custom functions), a third group uses
// AllocateByConfig, and a strategy that panics keeps its consumer idle
// without crashing anything.
func TestCustomAllocateStrategy(t *testing.T) {
	t.Parallel()
	topic := unique("GoAllocate")
	p := newProducer(t)
	const n = 24
	sendN(t, p, topic, n, "alloc", nil)
	parity := func(want int) consumer.AllocateStrategy {
		return func(group, cid string, all []*primitive.MessageQueue, cids []string) []*primitive.MessageQueue {
			var mine []*primitive.MessageQueue
			for _, q := range all {
				if q.QueueId%2 == want {
					mine = append(mine, q)
				}
			}
			return mine
		}
	}
	group := unique("go_alloc")
	even, odd := newCollector(), newCollector()
	a := newPushConsumer(t, consumer.WithGroupName(group), consumer.WithStrategy(parity(0)))
	b := newPushConsumer(t, consumer.WithGroupName(group), consumer.WithStrategy(parity(1)))
	subscribeAndStart(t, a, topic, consumer.MessageSelector{}, even.listener)
	subscribeAndStart(t, b, topic, consumer.MessageSelector{}, odd.listener)
	if !even.waitFor(60*time.Second, func() bool { return len(even.bodies())+len(odd.bodies()) >= n }) {
		t.Fatalf("received %d + %d of %d", len(even.bodies()), len(odd.bodies()), n)
	}
	for _, m := range even.snapshot() {
		if m.Queue.QueueId%2 != 0 {
			t.Errorf("even consumer got queue %d", m.Queue.QueueId)
		}
	}
	for _, m := range odd.snapshot() {
		if m.Queue.QueueId%2 != 1 {
			t.Errorf("odd consumer got queue %d", m.Queue.QueueId)
		}
	}
	if len(even.bodies()) == 0 || len(odd.bodies()) == 0 {
		t.Fatalf("one side got nothing: %d even, %d odd", len(even.bodies()), len(odd.bodies()))
	}

	// AllocateByConfig: exactly the queues listed.
	only := newCollector()
	list := []*primitive.MessageQueue{{Topic: topic, BrokerName: even.snapshot()[0].Queue.BrokerName, QueueId: 1}}
	c := newPushConsumer(t, consumer.WithStrategy(consumer.AllocateByConfig(list)))
	subscribeAndStart(t, c, topic, consumer.MessageSelector{}, only.listener)
	want := 0
	for _, m := range odd.snapshot() {
		if m.Queue.QueueId == 1 {
			want++
		}
	}
	if !only.waitFor(60*time.Second, func() bool { return len(only.bodies()) >= want }) {
		t.Fatalf("config strategy: %d of %d", len(only.bodies()), want)
	}

	// A panicking strategy: recovered, the consumer owns nothing.
	var calls atomic.Int32
	idle := newCollector()
	d := newPushConsumer(t, consumer.WithStrategy(func(string, string, []*primitive.MessageQueue, []string) []*primitive.MessageQueue {
		calls.Add(1)
		panic("strategy bug")
	}))
	subscribeAndStart(t, d, topic, consumer.MessageSelector{}, idle.listener)
	if !idle.waitFor(30*time.Second, func() bool { return calls.Load() >= 2 }) {
		t.Fatalf("the panicking strategy ran %d times", calls.Load())
	}
	time.Sleep(time.Second)
	for _, m := range only.snapshot() {
		if m.Queue.QueueId != 1 {
			t.Errorf("config consumer got queue %d", m.Queue.QueueId)
		}
	}
	if got := len(idle.bodies()); got != 0 {
		t.Fatalf("the consumer of a failing strategy consumed %d messages", got)
	}
}

// DelayLevelWhenNextConsume: a batch refused with level 1 (1 s) comes back
// long before the broker's default first retry (level 3, 10 s).
func TestDelayLevelWhenNextConsume(t *testing.T) {
	t.Parallel()
	topic := unique("GoDelayLevel")
	p := newProducer(t)
	sendN(t, p, topic, 1, "delay", nil)
	var mu sync.Mutex
	var seen []time.Time
	c := newPushConsumer(t)
	subscribeAndStart(t, c, topic, consumer.MessageSelector{}, func(ctx context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, time.Now())
		if len(seen) == 1 {
			cc, ok := primitive.GetConcurrentlyCtx(ctx)
			if !ok {
				t.Error("no concurrently context")
				return consumer.ConsumeRetryLater, nil
			}
			cc.DelayLevelWhenNextConsume = 1
			return consumer.ConsumeRetryLater, nil
		}
		return consumer.ConsumeSuccess, nil
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		mu.Lock()
		n := len(seen)
		var gap time.Duration
		if n >= 2 {
			gap = seen[1].Sub(seen[0])
		}
		mu.Unlock()
		if n >= 2 {
			// Level 3 (the default) would take 10 s; level 1 takes 1 s, or about 5 s when the
			// send-back timed out and the library retried the message itself.
			if gap > 9*time.Second {
				t.Fatalf("redelivered after %v: the delay level was not used", gap)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("never redelivered")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Request-reply with a Go responder: a push consumer answers each request
// with consumer.CreateReplyMessage and SendSync, as with v2.
func TestRequestReplyGoResponder(t *testing.T) {
	t.Parallel()
	topic := unique("GoRequestSelf")
	p := newProducer(t)
	// The topic exists before the responder starts (a plain message, skipped below).
	sendN(t, p, topic, 1, "warm-up", nil)
	rp := newProducer(t)
	c := newPushConsumer(t)
	subscribeAndStart(t, c, topic, consumer.MessageSelector{}, func(ctx context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
		for _, m := range msgs {
			if m.GetProperty(primitive.PropertyCorrelationID) == "" {
				continue // not a request
			}
			reply, err := consumer.CreateReplyMessage(m, []byte("go reply to "+string(m.Body)))
			if err != nil {
				t.Errorf("CreateReplyMessage: %v", err)
				return consumer.ConsumeSuccess, nil
			}
			if _, err := rp.SendSync(ctx, reply); err != nil {
				return consumer.ConsumeRetryLater, err
			}
		}
		return consumer.ConsumeSuccess, nil
	})
	for i := 0; i < 3; i++ {
		body := fmt.Sprintf("ping %d", i)
		reply, err := p.Request(context.Background(), 30*time.Second, primitive.NewMessage(topic, []byte(body)))
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if string(reply.Body) != "go reply to "+body {
			t.Fatalf("reply %q", reply.Body)
		}
	}
	// A message that is not a request cannot make a reply.
	if _, err := consumer.CreateReplyMessage(&primitive.MessageExt{}, []byte("x")); err == nil {
		t.Fatal("a reply to a plain message")
	}
}
