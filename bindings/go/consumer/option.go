package consumer

import (
	"time"

	"github.com/librocketmq/librocketmq/bindings/go/hooks"
	"github.com/librocketmq/librocketmq/bindings/go/internal"
	"github.com/librocketmq/librocketmq/bindings/go/primitive"
)

type consumerOptions struct {
	internal.ClientOptions
	ConsumerModel              MessageModel
	FromWhere                  ConsumeFromWhere
	ConsumeTimestamp           string
	ConsumeOrderly             bool
	ConsumeMessageBatchMaxSize int
	PullBatchSize              int32
	PullInterval               time.Duration
	ConsumerPullTimeout        time.Duration
	ConsumeConcurrentlyMaxSpan int
	PullThresholdForQueue      int64
	PullThresholdSizeForQueue  int
	PullThresholdForTopic      int
	PullThresholdSizeForTopic  int
	MaxReconsumeTimes          int32
	Strategy                   AllocateStrategy
	RebalanceLockInterval      time.Duration
	AutoCommit                 bool
	SuspendCurrentQueueTime    time.Duration
	ConsumeTimeout             time.Duration
	ConsumeGoroutineNums       int
	ConsumeTPS                 int32
	Interceptors               []primitive.Interceptor
	FilterMessageHooks         []hooks.FilterMessageHook
	Limiter                    Limiter
}

func defaultConsumerOptions() consumerOptions {
	return consumerOptions{
		ClientOptions:     internal.ClientOptions{GroupName: "DEFAULT_CONSUMER"},
		ConsumerModel:     Clustering,
		MaxReconsumeTimes: -1,
		AutoCommit:        true,
		Strategy:          AllocateByAveragely,
	}
}

// Option configures a consumer.
type Option func(*consumerOptions)

// client turns a shared client option into a consumer option.
func client(f internal.ClientOption) Option {
	return func(o *consumerOptions) { f(&o.ClientOptions) }
}

// WithTrace asks for message tracing, which librocketmq does not do yet: a
// warning is logged.
func WithTrace(traceCfg *primitive.TraceConfig) Option {
	return client(internal.WithTrace(traceCfg))
}

// WithConsumerModel sets clustering or broadcasting.
func WithConsumerModel(m MessageModel) Option {
	return func(o *consumerOptions) { o.ConsumerModel = m }
}

// WithConsumeFromWhere sets where a group with no stored offset starts.
func WithConsumeFromWhere(w ConsumeFromWhere) Option {
	return func(o *consumerOptions) { o.FromWhere = w }
}

// WithConsumerOrder consumes each queue in order, one batch at a time.
func WithConsumerOrder(order bool) Option {
	return func(o *consumerOptions) { o.ConsumeOrderly = order }
}

// WithConsumeMessageBatchMaxSize sets the most messages per listener call.
func WithConsumeMessageBatchMaxSize(consumeMessageBatchMaxSize int) Option {
	return func(o *consumerOptions) { o.ConsumeMessageBatchMaxSize = consumeMessageBatchMaxSize }
}

// WithConsumeTimestamp sets the start time for ConsumeFromTimestamp
// ("20060102150405", local time).
func WithConsumeTimestamp(consumeTimestamp string) Option {
	return func(o *consumerOptions) { o.ConsumeTimestamp = consumeTimestamp }
}

// WithConsumerPullTimeout sets the timeout of a long-polling pull.
func WithConsumerPullTimeout(consumerPullTimeout time.Duration) Option {
	return func(o *consumerOptions) { o.ConsumerPullTimeout = consumerPullTimeout }
}

// WithConsumeConcurrentlyMaxSpan sets the largest offset span cached per queue.
func WithConsumeConcurrentlyMaxSpan(consumeConcurrentlyMaxSpan int) Option {
	return func(o *consumerOptions) { o.ConsumeConcurrentlyMaxSpan = consumeConcurrentlyMaxSpan }
}

// WithPullThresholdForQueue sets the messages cached per queue before pulling pauses.
func WithPullThresholdForQueue(pullThresholdForQueue int64) Option {
	return func(o *consumerOptions) { o.PullThresholdForQueue = pullThresholdForQueue }
}

// WithPullThresholdSizeForQueue sets the MiB cached per queue before pulling pauses.
func WithPullThresholdSizeForQueue(pullThresholdSizeForQueue int) Option {
	return func(o *consumerOptions) { o.PullThresholdSizeForQueue = pullThresholdSizeForQueue }
}

// WithPullThresholdForTopic sets the messages cached per topic before pulling pauses.
func WithPullThresholdForTopic(pullThresholdForTopic int) Option {
	return func(o *consumerOptions) { o.PullThresholdForTopic = pullThresholdForTopic }
}

// WithPullThresholdSizeForTopic sets the MiB cached per topic before pulling pauses.
func WithPullThresholdSizeForTopic(pullThresholdSizeForTopic int) Option {
	return func(o *consumerOptions) { o.PullThresholdSizeForTopic = pullThresholdSizeForTopic }
}

// WithInterceptor adds interceptors around every listener call.
func WithInterceptor(fs ...primitive.Interceptor) Option {
	return func(o *consumerOptions) { o.Interceptors = append(o.Interceptors, fs...) }
}

// WithGroupName sets the consumer group ("" keeps the default).
func WithGroupName(group string) Option {
	return client(internal.WithGroupName(group))
}

// WithInstance sets the instance name.
func WithInstance(name string) Option {
	return client(internal.WithInstanceName(name))
}

// WithNamespace sets the namespace.
func WithNamespace(namespace string) Option {
	return client(internal.WithNamespace(namespace))
}

// WithVIPChannel uses the brokers' VIP port.
func WithVIPChannel(enable bool) Option {
	return client(internal.WithVIPChannel(enable))
}

// WithRetry is accepted for compatibility; the library retries by its own rules.
func WithRetry(retries int) Option {
	return client(internal.WithRetry(retries))
}

// WithCredentials sets ACL credentials.
func WithCredentials(c primitive.Credentials) Option {
	return client(internal.WithCredentials(c))
}

// WithMaxReconsumeTimes sets the deliveries before the dead-letter queue.
func WithMaxReconsumeTimes(times int32) Option {
	return func(o *consumerOptions) { o.MaxReconsumeTimes = times }
}

// WithStrategy sets how the group shares queues (see strategyName).
func WithStrategy(strategy AllocateStrategy) Option {
	return func(o *consumerOptions) { o.Strategy = strategy }
}

// WithPullBatchSize sets the most messages per pull.
func WithPullBatchSize(batchSize int32) Option {
	return func(o *consumerOptions) { o.PullBatchSize = batchSize }
}

// WithRebalanceLockInterval sets how often orderly queues' locks are renewed.
func WithRebalanceLockInterval(interval time.Duration) Option {
	return func(o *consumerOptions) { o.RebalanceLockInterval = interval }
}

// WithAutoCommit commits offsets automatically (pull consumer).
func WithAutoCommit(auto bool) Option {
	return func(o *consumerOptions) { o.AutoCommit = auto }
}

// WithSuspendCurrentQueueTimeMillis sets the orderly pause after a failed batch.
func WithSuspendCurrentQueueTimeMillis(suspendT time.Duration) Option {
	return func(o *consumerOptions) { o.SuspendCurrentQueueTime = suspendT }
}

// WithPullInterval sets the pause between pulls of a queue.
func WithPullInterval(interval time.Duration) Option {
	return func(o *consumerOptions) { o.PullInterval = interval }
}

// WithConsumeTPS limits the messages consumed per second (per consumer).
func WithConsumeTPS(tps int32) Option {
	return func(o *consumerOptions) { o.ConsumeTPS = tps }
}

// WithNsResolver finds the name servers with resolver (once, at creation).
func WithNsResolver(resolver primitive.NsResolver) Option {
	return client(internal.WithNsResolver(resolver))
}

// WithNameServer sets the name server addresses.
func WithNameServer(nameServers primitive.NamesrvAddr) Option {
	return client(internal.WithNameServer(nameServers))
}

// WithNameServerDomain asks an HTTP address service for the name servers.
func WithNameServerDomain(nameServerUrl string) Option {
	return client(internal.WithNameServerDomain(nameServerUrl))
}

// WithUnitName sets the unit name.
func WithUnitName(unitName string) Option {
	return client(internal.WithUnitName(unitName))
}

// WithConsumeTimeout sets how long a listener may hold messages before
// they are sent back.
func WithConsumeTimeout(timeout time.Duration) Option {
	return func(o *consumerOptions) { o.ConsumeTimeout = timeout }
}

// WithConsumeGoroutineNums sets the threads running listeners.
func WithConsumeGoroutineNums(nums int) Option {
	return func(o *consumerOptions) { o.ConsumeGoroutineNums = nums }
}

// WithFilterMessageHook runs hooks on each batch before the listener.
func WithFilterMessageHook(hooks []hooks.FilterMessageHook) Option {
	return func(o *consumerOptions) { o.FilterMessageHooks = append(o.FilterMessageHooks, hooks...) }
}

// WithLimiter calls limiter with the topic before each batch.
func WithLimiter(limiter Limiter) Option {
	return func(o *consumerOptions) { o.Limiter = limiter }
}

// WithRemotingTimeout sets the connect timeout (read and write timeouts are unused).
func WithRemotingTimeout(connectionTimeout, readTimeout, writeTimeout time.Duration) Option {
	return client(internal.WithConnectTimeout(connectionTimeout))
}

// WithTls asks for TLS, which librocketmq does not support yet: creating
// the consumer then fails.
func WithTls(useTls bool) Option {
	return client(internal.WithTls(useTls))
}

// WithConfig sets a librocketmq setting by its key (see rmq_config_set in
// rocketmq.h). Not in v2.
func WithConfig(key, value string) Option {
	return client(internal.WithConfig(key, value))
}
