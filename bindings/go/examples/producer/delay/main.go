// Sends a message delivered after 5 s (delay level 2), and one delivered at a
// given time (v2's examples/producer/delay and delayms).
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
	msg := primitive.NewMessage("GoExampleTopic", []byte("delayed by level"))
	msg.WithDelayTimeLevel(2)
	res, err := p.SendSync(context.Background(), msg)
	fmt.Println(res, err)
	msg = primitive.NewMessage("GoExampleTopic", []byte("delivered at a time"))
	msg.WithDelayTimestamp(time.Now().Add(10 * time.Second))
	res, err = p.SendSync(context.Background(), msg)
	fmt.Println(res, err)
	_ = p.Shutdown()
}
