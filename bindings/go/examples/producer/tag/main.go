// Sends messages with tags (v2's examples/producer/tag).
package main

import (
	"context"
	"fmt"
	"os"

	rocketmq "github.com/librocketmq/librocketmq/bindings/go"
	"github.com/librocketmq/librocketmq/bindings/go/primitive"
	"github.com/librocketmq/librocketmq/bindings/go/producer"
)

func main() {
	p, _ := rocketmq.NewProducer(
		producer.WithNsResolver(primitive.NewPassthroughResolver([]string{"127.0.0.1:9876"})),
		producer.WithRetry(2),
	)
	if err := p.Start(); err != nil {
		fmt.Printf("start producer error: %s", err.Error())
		os.Exit(1)
	}
	for _, tag := range []string{"TagA", "TagB", "TagC"} {
		msg := primitive.NewMessage("GoExampleTopic", []byte("Hello RocketMQ Go Client! tag "+tag))
		msg.WithTag(tag).WithKeys([]string{"key-" + tag})
		res, err := p.SendSync(context.Background(), msg)
		fmt.Println(res, err)
	}
	_ = p.Shutdown()
}
