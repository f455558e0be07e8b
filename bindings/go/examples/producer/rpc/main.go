// Request-reply: sends a request and waits for the reply (v2's
// examples/producer/rpc/sync; a responder must serve the topic).
package main

import (
	"context"
	"fmt"
	"os"
	"time"

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
	reply, err := p.Request(context.Background(), 5*time.Second,
		primitive.NewMessage("GoRequestTopic", []byte("Hello RocketMQ Go Client!")))
	if err != nil {
		fmt.Printf("request error: %s\n", err)
	} else {
		fmt.Printf("reply: %s\n", reply.Body)
	}
	_ = p.Shutdown()
}
