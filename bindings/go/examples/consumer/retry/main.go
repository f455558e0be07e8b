// Asks for each message again until its third delivery (v2's
// examples/consumer/retry/concurrent).
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
	c, _ := rocketmq.NewPushConsumer(
		consumer.WithGroupName("go_example_retry"),
		consumer.WithNsResolver(primitive.NewPassthroughResolver([]string{"127.0.0.1:9876"})),
		consumer.WithConsumerModel(consumer.Clustering),
		consumer.WithMaxReconsumeTimes(5),
	)
	err := c.Subscribe("GoExampleTopic", consumer.MessageSelector{}, func(ctx context.Context,
		msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
		for _, m := range msgs {
			fmt.Printf("msg %s delivered %d time(s) before\n", m.MsgId, m.ReconsumeTimes)
			if m.ReconsumeTimes < 2 {
				return consumer.ConsumeRetryLater, nil
			}
		}
		return consumer.ConsumeSuccess, nil
	})
	if err != nil {
		fmt.Println(err.Error())
	}
	if err := c.Start(); err != nil {
		fmt.Println(err.Error())
		os.Exit(-1)
	}
	time.Sleep(60 * time.Second)
	_ = c.Shutdown()
}
