package rocketmq_test

import (
	"context"
	stderrors "errors"
	"os"
	"testing"
	"time"

	"github.com/librocketmq/librocketmq/bindings/go/admin"
	"github.com/librocketmq/librocketmq/bindings/go/errors"
	"github.com/librocketmq/librocketmq/bindings/go/primitive"
)

func brokerAddr() string {
	if a := os.Getenv("ROCKETMQ_BROKER"); a != "" {
		return a
	}
	return "127.0.0.1:10911"
}

// waitQueues waits until the topic's route has want writable queues (0: no route).
func waitQueues(t *testing.T, a admin.Admin, topic string, want int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		qs, err := a.FetchPublishMessageQueues(context.Background(), topic)
		if (want == 0 && err != nil) || (err == nil && len(qs) == want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d queues (%v), want %d", topic, len(qs), err, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Admin: create a topic on a broker, read its queues, clusters and the topic
// list, send to it, delete it.
func TestAdmin(t *testing.T) {
	t.Parallel()
	a, err := admin.NewAdmin(admin.WithResolver(primitive.NewPassthroughResolver(namesrv())))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx := context.Background()
	topic := unique("GoAdmin")
	if err := a.CreateTopic(ctx, admin.WithTopicCreate(topic), admin.WithBrokerAddrCreate(brokerAddr()),
		admin.WithReadQueueNums(3), admin.WithWriteQueueNums(3)); err != nil {
		t.Fatalf("create topic: %v", err)
	}
	waitQueues(t, a, topic, 3)
	qs, err := a.FetchPublishMessageQueues(ctx, topic)
	if err != nil || qs[0].Topic != topic {
		t.Fatalf("queues %v %v", qs, err)
	}
	clusters, err := a.FetchClusterList(topic)
	if err != nil || len(clusters) != 1 {
		t.Fatalf("clusters %v %v", clusters, err)
	}
	list, err := a.FetchAllTopicList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, x := range list.TopicList {
		found = found || x == topic
	}
	if !found {
		t.Fatalf("%s not in the topic list (%d topics)", topic, len(list.TopicList))
	}
	p := newProducer(t)
	sendN(t, p, topic, 3, "admin", nil)
	if err := a.DeleteTopic(ctx, admin.WithTopicDelete(topic)); err != nil {
		t.Fatalf("delete topic: %v", err)
	}
	waitQueues(t, a, topic, 0)

	// Bad requests are errors, not silence.
	if err := a.CreateTopic(ctx, admin.WithTopicCreate(topic)); err == nil {
		t.Fatal("create without a broker address succeeded")
	}
	if err := a.CreateTopic(ctx, admin.WithTopicCreate("bad topic"), admin.WithBrokerAddrCreate(brokerAddr())); err == nil {
		t.Fatal("create of an invalid name succeeded")
	}
	if _, err := a.GetAllSubscriptionGroup(ctx, brokerAddr(), time.Second); !stderrors.Is(err, errors.ErrNotSupported) {
		t.Fatalf("subscription groups: %v", err)
	}
	_ = a.Close()
	if _, err := a.FetchAllTopicList(ctx); err == nil {
		t.Fatal("a closed admin still works")
	}
}
