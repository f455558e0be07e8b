package rocketmq_test

import (
	"context"
	stderrors "errors"
	"testing"

	"github.com/librocketmq/librocketmq/bindings/go/admin"
	"github.com/librocketmq/librocketmq/bindings/go/errors"
	"github.com/librocketmq/librocketmq/bindings/go/primitive"
)

// Admin: publish queues of a topic; the rest is documented as unsupported.
func TestAdmin(t *testing.T) {
	t.Parallel()
	topic := unique("GoAdmin")
	p := newProducer(t)
	sendN(t, p, topic, 1, "admin", nil)
	a, err := admin.NewAdmin(admin.WithResolver(primitive.NewPassthroughResolver(namesrv())))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	qs, err := a.FetchPublishMessageQueues(context.Background(), topic)
	if err != nil || len(qs) == 0 || qs[0].Topic != topic {
		t.Fatalf("queues %v %v", qs, err)
	}
	if err := a.CreateTopic(context.Background(), admin.WithTopicCreate("x")); !stderrors.Is(err, errors.ErrNotSupported) {
		t.Fatalf("create topic: %v", err)
	}
}
