// Polls batches and acknowledges them (v2's examples/consumer/pull/poll).
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	rocketmq "github.com/librocketmq/librocketmq/bindings/go"
	"github.com/librocketmq/librocketmq/bindings/go/consumer"
	"github.com/librocketmq/librocketmq/bindings/go/primitive"
)

func main() {
	c, err := rocketmq.NewPullConsumer(
		consumer.WithGroupName("go_example_pull"),
		consumer.WithNameServer(primitive.NamesrvAddr{"127.0.0.1:9876"}),
		consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset),
	)
	if err != nil {
		fmt.Printf("fail to new pullConsumer: %v\n", err)
		os.Exit(1)
	}
	if err := c.Subscribe("GoExampleTopic", consumer.MessageSelector{}); err != nil {
		fmt.Printf("fail to subscribe: %v\n", err)
	}
	if err := c.Start(); err != nil {
		fmt.Printf("fail to start: %v\n", err)
		os.Exit(1)
	}
	ctx := context.Background()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		cr, err := c.Poll(ctx, time.Second)
		if consumer.IsNoNewMsgError(err) {
			continue
		}
		if err != nil {
			fmt.Printf("poll error: %v\n", err)
			break
		}
		for _, m := range cr.GetMsgList() {
			fmt.Printf("%s: %s\n", cr.GetMQ(), m.Body)
		}
		c.ACK(ctx, cr, consumer.ConsumeSuccess)
	}
	_ = c.Shutdown()
}
