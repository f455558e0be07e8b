// Package admin has the shape of rocketmq-client-go v2's admin package.
// librocketmq's C API offers no administration requests yet: only
// FetchPublishMessageQueues works; the other methods return
// errors.ErrNotSupported.
package admin

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/librocketmq/librocketmq/bindings/go/errors"
	"github.com/librocketmq/librocketmq/bindings/go/internal"
	"github.com/librocketmq/librocketmq/bindings/go/internal/capi"
	"github.com/librocketmq/librocketmq/bindings/go/primitive"
)

// Admin administers topics and groups.
type Admin interface {
	CreateTopic(ctx context.Context, opts ...OptionCreate) error
	DeleteTopic(ctx context.Context, opts ...OptionDelete) error
	GetAllSubscriptionGroup(ctx context.Context, brokerAddr string, timeoutMillis time.Duration) (*SubscriptionGroupWrapper, error)
	FetchAllTopicList(ctx context.Context) (*TopicList, error)
	FetchPublishMessageQueues(ctx context.Context, topic string) ([]*primitive.MessageQueue, error)
	FetchClusterList(topic string) ([]string, error)
	Close() error
}

type adminOptions struct {
	client internal.ClientConfig
}

// AdminOption configures an Admin.
type AdminOption func(options *adminOptions)

// WithResolver finds the name servers with resolver.
func WithResolver(resolver primitive.NsResolver) AdminOption {
	return func(o *adminOptions) { o.client.Resolver = resolver }
}

// WithCredentials sets ACL credentials.
func WithCredentials(c primitive.Credentials) AdminOption {
	return func(o *adminOptions) { o.client.Credentials = c }
}

// WithNamespace sets the namespace.
func WithNamespace(namespace string) AdminOption {
	return func(o *adminOptions) { o.client.Namespace = namespace }
}

// WithTls asks for TLS (not supported: NewAdmin fails).
func WithTls(useTls bool) AdminOption {
	return func(o *adminOptions) { o.client.UseTls = useTls }
}

type admin struct {
	p    *capi.Producer
	once sync.Once
}

// NewAdmin creates an Admin.
func NewAdmin(opts ...AdminOption) (*admin, error) {
	var o adminOptions
	for _, opt := range opts {
		opt(&o)
	}
	kvs, err := o.client.KVs()
	if err != nil {
		return nil, err
	}
	kvs = append(kvs, capi.KV{Key: "group", Value: fmt.Sprintf("ADMIN_%d_%d", os.Getpid(), time.Now().UnixNano())})
	p, err := capi.NewProducer(kvs)
	if err != nil {
		return nil, err
	}
	if err := p.Start(); err != nil {
		p.Free()
		return nil, err
	}
	return &admin{p: p}, nil
}

// FetchPublishMessageQueues returns the writable queues of topic.
func (a *admin) FetchPublishMessageQueues(ctx context.Context, topic string) ([]*primitive.MessageQueue, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	return internal.RunBlocking(ctx, func() ([]*primitive.MessageQueue, error) { return a.p.Queues(topic) })
}

// CreateTopic is not supported.
func (a *admin) CreateTopic(ctx context.Context, opts ...OptionCreate) error {
	return fmt.Errorf("CreateTopic: %w", errors.ErrNotSupported)
}

// DeleteTopic is not supported.
func (a *admin) DeleteTopic(ctx context.Context, opts ...OptionDelete) error {
	return fmt.Errorf("DeleteTopic: %w", errors.ErrNotSupported)
}

// GetAllSubscriptionGroup is not supported.
func (a *admin) GetAllSubscriptionGroup(ctx context.Context, brokerAddr string, timeoutMillis time.Duration) (*SubscriptionGroupWrapper, error) {
	return nil, fmt.Errorf("GetAllSubscriptionGroup: %w", errors.ErrNotSupported)
}

// FetchAllTopicList is not supported.
func (a *admin) FetchAllTopicList(ctx context.Context) (*TopicList, error) {
	return nil, fmt.Errorf("FetchAllTopicList: %w", errors.ErrNotSupported)
}

// FetchClusterList is not supported.
func (a *admin) FetchClusterList(topic string) ([]string, error) {
	return nil, fmt.Errorf("FetchClusterList: %w", errors.ErrNotSupported)
}

// Close releases the Admin.
func (a *admin) Close() error {
	var err error
	a.once.Do(func() {
		err = a.p.Shutdown()
		a.p.Free()
	})
	return err
}

// TopicConfigCreate describes a topic to create.
type TopicConfigCreate struct {
	Topic           string
	BrokerAddr      string
	DefaultTopic    string
	ReadQueueNums   int
	WriteQueueNums  int
	Perm            int
	TopicFilterType string
	TopicSysFlag    int
	Order           bool
}

// TopicConfigDelete describes a topic to delete.
type TopicConfigDelete struct {
	Topic       string
	ClusterName string
	NameSrvAddr []string
	BrokerAddr  string
}

// OptionCreate sets a field of TopicConfigCreate.
type OptionCreate func(*TopicConfigCreate)

// OptionDelete sets a field of TopicConfigDelete.
type OptionDelete func(*TopicConfigDelete)

func WithTopicCreate(Topic string) OptionCreate {
	return func(o *TopicConfigCreate) { o.Topic = Topic }
}
func WithBrokerAddrCreate(BrokerAddr string) OptionCreate {
	return func(o *TopicConfigCreate) { o.BrokerAddr = BrokerAddr }
}
func WithReadQueueNums(ReadQueueNums int) OptionCreate {
	return func(o *TopicConfigCreate) { o.ReadQueueNums = ReadQueueNums }
}
func WithWriteQueueNums(WriteQueueNums int) OptionCreate {
	return func(o *TopicConfigCreate) { o.WriteQueueNums = WriteQueueNums }
}
func WithPerm(Perm int) OptionCreate { return func(o *TopicConfigCreate) { o.Perm = Perm } }
func WithTopicFilterType(TopicFilterType string) OptionCreate {
	return func(o *TopicConfigCreate) { o.TopicFilterType = TopicFilterType }
}
func WithTopicSysFlag(TopicSysFlag int) OptionCreate {
	return func(o *TopicConfigCreate) { o.TopicSysFlag = TopicSysFlag }
}
func WithOrder(Order bool) OptionCreate { return func(o *TopicConfigCreate) { o.Order = Order } }
func WithTopicDelete(Topic string) OptionDelete {
	return func(o *TopicConfigDelete) { o.Topic = Topic }
}
func WithBrokerAddrDelete(BrokerAddr string) OptionDelete {
	return func(o *TopicConfigDelete) { o.BrokerAddr = BrokerAddr }
}
func WithClusterName(ClusterName string) OptionDelete {
	return func(o *TopicConfigDelete) { o.ClusterName = ClusterName }
}
func WithNameSrvAddr(NameSrvAddr []string) OptionDelete {
	return func(o *TopicConfigDelete) { o.NameSrvAddr = NameSrvAddr }
}

// TopicList is a list of topics.
type TopicList struct {
	TopicList  []string
	BrokerAddr string
}

// SubscriptionGroupWrapper holds subscription groups.
type SubscriptionGroupWrapper struct {
	SubscriptionGroupTable map[string]SubscriptionGroupConfig
	DataVersion            DataVersion
}

// DataVersion is a broker data version.
type DataVersion struct {
	Timestamp int64
	Counter   int32
}

// SubscriptionGroupConfig is a subscription group's settings.
type SubscriptionGroupConfig struct {
	GroupName                      string
	ConsumeEnable                  bool
	ConsumeFromMinEnable           bool
	ConsumeBroadcastEnable         bool
	RetryMaxTimes                  int
	RetryQueueNums                 int
	BrokerId                       int
	WhichBrokerWhenConsumeSlowly   int
	NotifyConsumerIdsChangedEnable bool
}
