// Package hooks holds consumer hooks, as rocketmq-client-go v2's hooks package.
package hooks

import "github.com/librocketmq/librocketmq/bindings/go/primitive"

// FilterMessageContext describes a batch about to be consumed.
type FilterMessageContext struct {
	ConsumerGroup string
	Msg           []*primitive.MessageExt
	MQ            *primitive.MessageQueue
	Arg           interface{}
	UnitMode      bool
}

// FilterMessageHook may drop messages of a batch before the listener sees it.
type FilterMessageHook func(ctx *FilterMessageContext) ([]*primitive.MessageExt, error)
