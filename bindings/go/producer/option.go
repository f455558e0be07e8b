package producer

import (
	"strings"
	"time"

	"github.com/librocketmq/librocketmq/bindings/go/primitive"
)

type producerOptions struct {
	GroupName                  string
	InstanceName               string
	Namespace                  string
	UnitName                   string
	Resolver                   primitive.NsResolver
	Credentials                primitive.Credentials
	SendMsgTimeout             time.Duration
	RetryTimes                 int
	VIPChannelEnabled          bool
	Interceptors               []primitive.Interceptor
	Selector                   QueueSelector
	DefaultTopicQueueNums      int
	CreateTopicKey             string
	CompressMsgBodyOverHowmuch int
	CompressLevel              int
	ConnectionTimeout          time.Duration
	UseTls                     bool
	Trace                      *primitive.TraceConfig
	Extra                      map[string]string
}

func defaultProducerOptions() producerOptions {
	return producerOptions{
		GroupName:                  "DEFAULT_PRODUCER",
		SendMsgTimeout:             3 * time.Second,
		RetryTimes:                 2,
		DefaultTopicQueueNums:      4,
		CreateTopicKey:             "TBW102",
		CompressMsgBodyOverHowmuch: 4096,
		CompressLevel:              5,
	}
}

// Option configures a producer.
type Option func(*producerOptions)

// WithGroupName sets the producer group ("" keeps the default).
func WithGroupName(group string) Option {
	return func(o *producerOptions) {
		if group != "" {
			o.GroupName = group
		}
	}
}

// WithInstanceName sets the instance name (clients with the same one share connections).
func WithInstanceName(name string) Option {
	return func(o *producerOptions) { o.InstanceName = name }
}

// WithNamespace sets the namespace (topics and groups become "namespace%name").
func WithNamespace(namespace string) Option {
	return func(o *producerOptions) { o.Namespace = namespace }
}

// WithSendMsgTimeout sets the total time of a send, retries included.
func WithSendMsgTimeout(duration time.Duration) Option {
	return func(o *producerOptions) { o.SendMsgTimeout = duration }
}

// WithVIPChannel sends through the brokers' VIP port.
func WithVIPChannel(enable bool) Option {
	return func(o *producerOptions) { o.VIPChannelEnabled = enable }
}

// WithRetry sets the extra attempts after a retriable failure.
func WithRetry(retries int) Option {
	return func(o *producerOptions) { o.RetryTimes = retries }
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
	return func(o *producerOptions) { o.Credentials = c }
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
	return func(o *producerOptions) { o.Resolver = resolver }
}

// WithNameServer sets the name server addresses.
func WithNameServer(nameServers primitive.NamesrvAddr) Option {
	return func(o *producerOptions) { o.Resolver = primitive.NewPassthroughResolver(nameServers) }
}

// WithNameServerDomain asks an HTTP address service for the name servers.
func WithNameServerDomain(nameServerUrl string) Option {
	return func(o *producerOptions) {
		h := primitive.NewHttpResolver("DEFAULT", nameServerUrl)
		if o.UnitName != "" {
			h.DomainWithUnit(o.UnitName)
		}
		o.Resolver = h
	}
}

// WithUnitName sets the unit name.
func WithUnitName(unitName string) Option {
	return func(o *producerOptions) {
		o.UnitName = strings.TrimSpace(unitName)
		if h, ok := o.Resolver.(*primitive.HttpResolver); ok {
			h.DomainWithUnit(o.UnitName)
		}
	}
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
	return func(o *producerOptions) { o.ConnectionTimeout = connectionTimeout }
}

// WithTls asks for TLS, which librocketmq does not support yet: creating
// the producer then fails.
func WithTls(useTls bool) Option {
	return func(o *producerOptions) { o.UseTls = useTls }
}

// WithTrace asks for message tracing, which librocketmq does not do yet:
// the producer logs a warning and sends without traces.
func WithTrace(traceCfg *primitive.TraceConfig) Option {
	return func(o *producerOptions) { o.Trace = traceCfg }
}

// WithConfig sets a librocketmq setting by its key (see rmq_config_set in
// rocketmq.h), for settings that have no option of their own. Not in v2.
func WithConfig(key, value string) Option {
	return func(o *producerOptions) {
		if o.Extra == nil {
			o.Extra = map[string]string{}
		}
		o.Extra[key] = value
	}
}
