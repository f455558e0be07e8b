// A producer interceptor timing each send (v2's examples/producer/interceptor).
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

func UserFirstInterceptor() primitive.Interceptor {
	return func(ctx context.Context, req, reply interface{}, next primitive.Invoker) error {
		start := time.Now()
		fmt.Printf("user first interceptor before invoke: req:%v\n", req)
		err := next(ctx, req, reply)
		fmt.Printf("user first interceptor after invoke: req: %v, reply: %v, cost: %v\n", req, reply, time.Since(start))
		return err
	}
}

func main() {
	p, _ := rocketmq.NewProducer(
		producer.WithNsResolver(primitive.NewPassthroughResolver([]string{"127.0.0.1:9876"})),
		producer.WithRetry(2),
		producer.WithInterceptor(UserFirstInterceptor()),
	)
	if err := p.Start(); err != nil {
		fmt.Printf("start producer error: %s", err.Error())
		os.Exit(1)
	}
	res, err := p.SendSync(context.Background(), primitive.NewMessage("GoExampleTopic", []byte("Hello RocketMQ Go Client!")))
	fmt.Println(res, err)
	_ = p.Shutdown()
}
