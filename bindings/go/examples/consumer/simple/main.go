// Consumes GoExampleTopic with a push consumer until ten messages arrived
// (v2's examples/consumer/simple, which runs for an hour instead).
package main

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	rocketmq "github.com/librocketmq/librocketmq/bindings/go"
	"github.com/librocketmq/librocketmq/bindings/go/consumer"
	"github.com/librocketmq/librocketmq/bindings/go/primitive"
)

func namesrv() []string {
	if v := os.Getenv("ROCKETMQ_NAMESRV"); v != "" {
		return []string{v}
	}
	return []string{"127.0.0.1:9876"}
}

func main() {
	c, err := rocketmq.NewPushConsumer(
		consumer.WithGroupName("go_example_consumer"),
		consumer.WithNsResolver(primitive.NewPassthroughResolver(namesrv())),
		consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset),
	)
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	var received atomic.Int32
	err = c.Subscribe("GoExampleTopic", consumer.MessageSelector{}, func(ctx context.Context,
		msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
		for i := range msgs {
			fmt.Printf("subscribe callback: %v\n", msgs[i])
		}
		received.Add(int32(len(msgs)))
		return consumer.ConsumeSuccess, nil
	})
	if err != nil {
		fmt.Println(err.Error())
	}
	if err := c.Start(); err != nil {
		fmt.Println(err.Error())
		os.Exit(-1)
	}
	deadline := time.Now().Add(60 * time.Second)
	for received.Load() < 10 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if err := c.Shutdown(); err != nil {
		fmt.Printf("shutdown Consumer error: %s", err.Error())
	}
	if received.Load() < 10 {
		fmt.Printf("received %d messages\n", received.Load())
		os.Exit(1)
	}
}
