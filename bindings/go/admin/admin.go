// Package admin has the shape of rocketmq-client-go v2's admin package, on
// librocketmq's admin client: CreateTopic, DeleteTopic, FetchAllTopicList,
// FetchPublishMessageQueues and FetchClusterList work;
// GetAllSubscriptionGroup returns errors.ErrNotSupported.
package admin

import (
	"context"
	"fmt"
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
	a    *capi.Admin
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
	a, err := capi.NewAdmin(kvs)
	if err != nil {
		return nil, err
	}
	return &admin{a: a}, nil
}

func background(ctx context.Context) context.Context {
	if ctx == nil {
		return context.Background()
	}
	return ctx
}

// FetchPublishMessageQueues returns the writable queues of topic.
func (a *admin) FetchPublishMessageQueues(ctx context.Context, topic string) ([]*primitive.MessageQueue, error) {
	return internal.RunBlocking(background(ctx), func() ([]*primitive.MessageQueue, error) { return a.a.PublishQueues(topic) })
}

// CreateTopic creates (or updates) a topic on the broker at
// WithBrokerAddrCreate (required, as in v2). Unlike v2, a broker's refusal
// is an error.
func (a *admin) CreateTopic(ctx context.Context, opts ...OptionCreate) error {
	cfg := defaultTopicConfigCreate()
	for _, apply := range opts {
		apply(&cfg)
	}
	if cfg.BrokerAddr == "" {
		return fmt.Errorf("CreateTopic: WithBrokerAddrCreate is required")
	}
	_, err := internal.RunBlocking(background(ctx), func() (struct{}, error) {
		return struct{}{}, a.a.CreateTopic(capi.TopicSpec{
			Topic: cfg.Topic, BrokerAddr: cfg.BrokerAddr, FilterType: cfg.TopicFilterType,
			ReadQueueNums: cfg.ReadQueueNums, WriteQueueNums: cfg.WriteQueueNums, Perm: cfg.Perm,
			SysFlag: cfg.TopicSysFlag, Order: cfg.Order,
		})
	})
	return err
}

// DeleteTopic deletes a topic from the broker at WithBrokerAddrDelete (by
// default every master broker of its route; with WithClusterName, every
// master of that cluster) and then from the name servers. WithNameSrvAddr
// is accepted; the admin's own name servers are used.
func (a *admin) DeleteTopic(ctx context.Context, opts ...OptionDelete) error {
	var cfg TopicConfigDelete
	for _, apply := range opts {
		apply(&cfg)
	}
	_, err := internal.RunBlocking(background(ctx), func() (struct{}, error) {
		return struct{}{}, a.a.DeleteTopic(cfg.Topic, cfg.BrokerAddr, cfg.ClusterName)
	})
	return err
}

// GetAllSubscriptionGroup is not supported.
func (a *admin) GetAllSubscriptionGroup(ctx context.Context, brokerAddr string, timeoutMillis time.Duration) (*SubscriptionGroupWrapper, error) {
	return nil, fmt.Errorf("GetAllSubscriptionGroup: %w", errors.ErrNotSupported)
}

// FetchAllTopicList returns every topic the name servers know.
func (a *admin) FetchAllTopicList(ctx context.Context) (*TopicList, error) {
	return internal.RunBlocking(background(ctx), func() (*TopicList, error) {
		topics, err := a.a.TopicList()
		if err != nil {
			return nil, err
		}
		return &TopicList{TopicList: topics}, nil
	})
}

// FetchClusterList returns the clusters whose brokers serve topic.
func (a *admin) FetchClusterList(topic string) ([]string, error) {
	return a.a.TopicClusters(topic)
}

// Close releases the Admin.
func (a *admin) Close() error {
	a.once.Do(a.a.Free)
	return nil
}

func defaultTopicConfigCreate() TopicConfigCreate {
	return TopicConfigCreate{
		DefaultTopic:    "defaultTopic",
		ReadQueueNums:   8,
		WriteQueueNums:  8,
		Perm:            6,
		TopicFilterType: "SINGLE_TAG",
	}
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
