// Sends ten messages synchronously (v2's examples/producer/simple).
package main

import (
	"context"
	"fmt"
	"os"

	rocketmq "github.com/librocketmq/librocketmq/bindings/go"
	"github.com/librocketmq/librocketmq/bindings/go/primitive"
	"github.com/librocketmq/librocketmq/bindings/go/producer"
)

func namesrv() []string {
	if v := os.Getenv("ROCKETMQ_NAMESRV"); v != "" {
		return []string{v}
	}
	return []string{"127.0.0.1:9876"}
}

func main() {
	p, err := rocketmq.NewProducer(
		producer.WithNameServer(namesrv()),
		producer.WithRetry(2),
		producer.WithGroupName("go_example_producer"),
	)
	if err != nil {
		fmt.Printf("new producer error: %s\n", err)
		os.Exit(1)
	}
	if err := p.Start(); err != nil {
		fmt.Printf("start producer error: %s\n", err)
		os.Exit(1)
	}
	topic := "GoExampleTopic"
	failed := 0
	for i := 0; i < 10; i++ {
		msg := &primitive.Message{Topic: topic, Body: []byte(fmt.Sprintf("Hello RocketMQ Go Client! %d", i))}
		res, err := p.SendSync(context.Background(), msg)
		if err != nil {
			fmt.Printf("send message error: %s\n", err)
			failed++
		} else {
			fmt.Printf("send message success: result=%s\n", res.String())
		}
	}
	if err := p.Shutdown(); err != nil {
		fmt.Printf("shutdown producer error: %s\n", err)
	}
	if failed > 0 {
		os.Exit(1)
	}
}
