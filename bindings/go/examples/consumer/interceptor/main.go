// A consumer interceptor around the listener (v2's examples/consumer/interceptor).
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

func UserFirstInterceptor() primitive.Interceptor {
	return func(ctx context.Context, req, reply interface{}, next primitive.Invoker) error {
		msgCtx, _ := primitive.GetConsumerCtx(ctx)
		fmt.Printf("msgCtx: %v, mehtod: %s", msgCtx, primitive.GetMethod(ctx))
		msgs := req.([]*primitive.MessageExt)
		fmt.Printf("user first interceptor before consume: msgs: %v\n", msgs)
		e := next(ctx, msgs, reply)
		holder := reply.(*consumer.ConsumeResultHolder)
		fmt.Printf("user first interceptor after consume: result: %v, err: %v\n", holder.ConsumeResult, e)
		return e
	}
}

func main() {
	c, _ := rocketmq.NewPushConsumer(
		consumer.WithGroupName("go_example_interceptor"),
		consumer.WithNsResolver(primitive.NewPassthroughResolver([]string{"127.0.0.1:9876"})),
		consumer.WithConsumerModel(consumer.Clustering),
		consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset),
		consumer.WithInterceptor(UserFirstInterceptor()),
	)
	err := c.Subscribe("GoExampleTopic", consumer.MessageSelector{}, func(ctx context.Context,
		msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
		fmt.Printf("subscribe callback: %v \n", msgs)
		return consumer.ConsumeSuccess, nil
	})
	if err != nil {
		fmt.Println(err.Error())
	}
	if err := c.Start(); err != nil {
		fmt.Println(err.Error())
		os.Exit(-1)
	}
	time.Sleep(20 * time.Second)
	_ = c.Shutdown()
}
