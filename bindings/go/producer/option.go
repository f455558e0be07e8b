package producer

import (
	"time"

	"github.com/librocketmq/librocketmq/bindings/go/internal"
	"github.com/librocketmq/librocketmq/bindings/go/primitive"
)

type producerOptions struct {
	internal.ClientOptions
	SendMsgTimeout             time.Duration
	Interceptors               []primitive.Interceptor
	Selector                   QueueSelector
	DefaultTopicQueueNums      int
	CreateTopicKey             string
	CompressMsgBodyOverHowmuch int
	CompressLevel              int
}

func defaultProducerOptions() producerOptions {
	return producerOptions{
		ClientOptions:              internal.ClientOptions{GroupName: "DEFAULT_PRODUCER", RetryTimes: 2},
		SendMsgTimeout:             3 * time.Second,
		DefaultTopicQueueNums:      4,
		CreateTopicKey:             "TBW102",
		CompressMsgBodyOverHowmuch: 4096,
		CompressLevel:              5,
	}
}

// Option configures a producer.
type Option func(*producerOptions)

// client turns a shared client option into a producer option.
func client(f internal.ClientOption) Option {
	return func(o *producerOptions) { f(&o.ClientOptions) }
}

// WithGroupName sets the producer group ("" keeps the default).
func WithGroupName(group string) Option {
	return client(internal.WithGroupName(group))
}

// WithInstanceName sets the instance name (clients with the same one share connections).
func WithInstanceName(name string) Option {
	return client(internal.WithInstanceName(name))
}

// WithNamespace sets the namespace (topics and groups become "namespace%name").
func WithNamespace(namespace string) Option {
	return client(internal.WithNamespace(namespace))
}

// WithSendMsgTimeout sets the total time of a send, retries included.
func WithSendMsgTimeout(duration time.Duration) Option {
	return func(o *producerOptions) { o.SendMsgTimeout = duration }
}

// WithVIPChannel sends through the brokers' VIP port.
func WithVIPChannel(enable bool) Option {
	return client(internal.WithVIPChannel(enable))
}

// WithRetry sets the extra attempts after a retriable failure.
func WithRetry(retries int) Option {
	return client(internal.WithRetry(retries))
}

// WithInterceptor adds interceptors around every send.
func WithInterceptor(f ...primitive.Interceptor) Option {
	return func(o *producerOptions) { o.Interceptors = append(o.Interceptors, f...) }
}

// WithQueueSelector chooses the queue of every send with s. Without it the
// library chooses (round robin, avoiding brokers that failed lately).
func WithQueueSelector(s QueueSelector) Option {
	return func(o *producerOptions) { o.Selector = s }
}

// WithCredentials sets ACL credentials.
func WithCredentials(c primitive.Credentials) Option {
	return client(internal.WithCredentials(c))
}

// WithDefaultTopicQueueNums sets the queue count of auto-created topics.
func WithDefaultTopicQueueNums(queueNum int) Option {
	return func(o *producerOptions) { o.DefaultTopicQueueNums = queueNum }
}

// WithCreateTopicKey sets the template topic of auto-created topics.
func WithCreateTopicKey(topic string) Option {
	return func(o *producerOptions) { o.CreateTopicKey = topic }
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

// WithCompressMsgBodyOverHowmuch compresses bodies larger than threshold bytes.
func WithCompressMsgBodyOverHowmuch(threshold int) Option {
	return func(o *producerOptions) { o.CompressMsgBodyOverHowmuch = threshold }
}

// WithCompressLevel sets the zlib level (0-9).
func WithCompressLevel(level int) Option {
	return func(o *producerOptions) { o.CompressLevel = level }
}

// WithRemotingTimeout sets the connect timeout; read and write timeouts
// are not used (the send timeout bounds every request).
func WithRemotingTimeout(connectionTimeout, readTimeout, writeTimeout time.Duration) Option {
	return client(internal.WithConnectTimeout(connectionTimeout))
}

// WithTls asks for TLS, which librocketmq does not support yet: creating
// the producer then fails.
func WithTls(useTls bool) Option {
	return client(internal.WithTls(useTls))
}

// WithTrace asks for message tracing, which librocketmq does not do yet:
// the producer logs a warning and sends without traces.
func WithTrace(traceCfg *primitive.TraceConfig) Option {
	return client(internal.WithTrace(traceCfg))
}

// WithConfig sets a librocketmq setting by its key (see rmq_config_set in
// rocketmq.h), for settings that have no option of their own. Not in v2.
func WithConfig(key, value string) Option {
	return client(internal.WithConfig(key, value))
}
