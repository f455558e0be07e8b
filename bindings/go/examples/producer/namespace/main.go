// Sends in a namespace (v2's examples/producer/namespace).
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
		producer.WithNamespace("ns"),
	)
	if err := p.Start(); err != nil {
		fmt.Printf("start producer error: %s", err.Error())
		os.Exit(1)
	}
	res, err := p.SendSync(context.Background(), primitive.NewMessage("GoExampleTopic", []byte("in a namespace")))
	fmt.Println(res, err)
	_ = p.Shutdown()
}
