package primitive

import "context"

// Invoker runs a producer's or consumer's call on messages.
type Invoker func(ctx context.Context, req, reply interface{}) error

// Interceptor wraps an Invoker. Producers pass req as *Message (or
// []*Message for a batch) and reply as *SendResult; push consumers pass req
// as []*MessageExt and reply as *consumer.ConsumeResultHolder.
type Interceptor func(ctx context.Context, req, reply interface{}, next Invoker) error

// ChainInterceptors makes one interceptor of several, the first outermost.
func ChainInterceptors(interceptors ...Interceptor) Interceptor {
	switch len(interceptors) {
	case 0:
		return nil
	case 1:
		return interceptors[0]
	}
	return func(ctx context.Context, req, reply interface{}, invoker Invoker) error {
		return interceptors[0](ctx, req, reply, chained(interceptors, 0, invoker))
	}
}

func chained(interceptors []Interceptor, cur int, final Invoker) Invoker {
	if cur == len(interceptors)-1 {
		return final
	}
	return func(ctx context.Context, req, reply interface{}) error {
		return interceptors[cur+1](ctx, req, reply, chained(interceptors, cur+1, final))
	}
}
