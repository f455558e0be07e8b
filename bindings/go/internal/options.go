package internal

import (
	"strings"
	"time"

	"github.com/librocketmq/librocketmq/bindings/go/errors"
	"github.com/librocketmq/librocketmq/bindings/go/internal/capi"
	"github.com/librocketmq/librocketmq/bindings/go/primitive"
	"github.com/librocketmq/librocketmq/bindings/go/rlog"
)

// ClientOptions holds the options producers and consumers share.
type ClientOptions struct {
	ClientConfig
	GroupName  string
	RetryTimes int
	Trace      *primitive.TraceConfig
}

// KVs turns the shared options into library settings, the group last.
// without names what the client does without traces, for the warning
// logged when tracing was asked for.
func (o *ClientOptions) KVs(without string) ([]capi.KV, error) {
	kvs, err := o.ClientConfig.KVs()
	if err != nil {
		return nil, err
	}
	if o.Trace != nil {
		rlog.Warning("message tracing is not supported by librocketmq; "+without+" without traces", nil)
	}
	if o.GroupName == "" {
		return nil, errors.ErrEmptyGroupID
	}
	return append(kvs, capi.KV{Key: "group", Value: o.GroupName}), nil
}

// ClientOption sets a shared option; the producer and consumer packages'
// options of the same names delegate to these.
type ClientOption func(*ClientOptions)

// WithGroupName sets the group ("" keeps the default).
func WithGroupName(group string) ClientOption {
	return func(o *ClientOptions) {
		if group != "" {
			o.GroupName = group
		}
	}
}

// WithInstanceName sets the instance name.
func WithInstanceName(name string) ClientOption {
	return func(o *ClientOptions) { o.InstanceName = name }
}

// WithNamespace sets the namespace.
func WithNamespace(namespace string) ClientOption {
	return func(o *ClientOptions) { o.Namespace = namespace }
}

// WithVIPChannel uses the brokers' VIP port.
func WithVIPChannel(enable bool) ClientOption {
	return func(o *ClientOptions) { o.VIPChannel = enable }
}

// WithRetry sets the retry count.
func WithRetry(retries int) ClientOption {
	return func(o *ClientOptions) { o.RetryTimes = retries }
}

// WithCredentials sets ACL credentials.
func WithCredentials(c primitive.Credentials) ClientOption {
	return func(o *ClientOptions) { o.Credentials = c }
}

// WithNsResolver finds the name servers with resolver.
func WithNsResolver(resolver primitive.NsResolver) ClientOption {
	return func(o *ClientOptions) { o.Resolver = resolver }
}

// WithNameServer sets the name server addresses.
func WithNameServer(nameServers primitive.NamesrvAddr) ClientOption {
	return func(o *ClientOptions) { o.Resolver = primitive.NewPassthroughResolver(nameServers) }
}

// WithNameServerDomain asks an HTTP address service for the name servers.
func WithNameServerDomain(nameServerUrl string) ClientOption {
	return func(o *ClientOptions) {
		h := primitive.NewHttpResolver("DEFAULT", nameServerUrl)
		if o.UnitName != "" {
			h.DomainWithUnit(o.UnitName)
		}
		o.Resolver = h
	}
}

// WithUnitName sets the unit name (and the HTTP resolver's, if any).
func WithUnitName(unitName string) ClientOption {
	return func(o *ClientOptions) {
		o.UnitName = strings.TrimSpace(unitName)
		if h, ok := o.Resolver.(*primitive.HttpResolver); ok {
			h.DomainWithUnit(o.UnitName)
		}
	}
}

// WithConnectTimeout sets the connect timeout.
func WithConnectTimeout(timeout time.Duration) ClientOption {
	return func(o *ClientOptions) { o.ConnectTimeout = timeout }
}

// WithTls asks for TLS.
func WithTls(useTls bool) ClientOption {
	return func(o *ClientOptions) { o.UseTls = useTls }
}

// WithTrace asks for message tracing.
func WithTrace(traceCfg *primitive.TraceConfig) ClientOption {
	return func(o *ClientOptions) { o.Trace = traceCfg }
}

// WithConfig sets a library setting by its key.
func WithConfig(key, value string) ClientOption {
	return func(o *ClientOptions) {
		if o.Extra == nil {
			o.Extra = map[string]string{}
		}
		o.Extra[key] = value
	}
}
