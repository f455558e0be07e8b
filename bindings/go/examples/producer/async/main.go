// Sends messages asynchronously and waits for every callback (v2's examples/producer/async).
package main

import (
	"context"
	"fmt"
	"os"
	"sync"

	rocketmq "github.com/librocketmq/librocketmq/bindings/go"
	"github.com/librocketmq/librocketmq/bindings/go/primitive"
	"github.com/librocketmq/librocketmq/bindings/go/producer"
)

func main() {
	p, _ := rocketmq.NewProducer(
		producer.WithNsResolver(primitive.NewPassthroughResolver([]string{"127.0.0.1:9876"})),
		producer.WithRetry(2),
		producer.WithQueueSelector(producer.NewManualQueueSelector()))
	if err := p.Start(); err != nil {
		fmt.Printf("start producer error: %s", err.Error())
		os.Exit(1)
	}
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		msg := primitive.NewMessage("GoExampleTopic", []byte("Hello RocketMQ Go Client!"))
		msg.Queue = &primitive.MessageQueue{Topic: "GoExampleTopic", BrokerName: "broker-a", QueueId: i % 4}
		err := p.SendAsync(context.Background(), func(ctx context.Context, result *primitive.SendResult, e error) {
			if e != nil {
				fmt.Printf("receive message error: %s\n", e)
			} else {
				fmt.Printf("send message success: result=%s\n", result.String())
			}
			wg.Done()
		}, msg)
		if err != nil {
			fmt.Printf("send message error: %s\n", err)
			wg.Done()
		}
	}
	wg.Wait()
	_ = p.Shutdown()
}
