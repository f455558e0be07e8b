// Package internal holds types that v2's API names from its internal package.
package internal

import (
	"context"

	"github.com/librocketmq/librocketmq/bindings/go/primitive"
)

// RequestCallback receives the reply of Producer.RequestAsync (or its error).
type RequestCallback func(ctx context.Context, msg *primitive.Message, err error)
