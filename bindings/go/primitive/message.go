package primitive

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Property names (RocketMQ's MessageConst).
const (
	PropertyKeySeparator                   = " "
	PropertyKeys                           = "KEYS"
	PropertyTags                           = "TAGS"
	PropertyWaitStoreMsgOk                 = "WAIT"
	PropertyDelayTimeLevel                 = "DELAY"
	PropertyRetryTopic                     = "RETRY_TOPIC"
	PropertyTimerDeliverMS                 = "TIMER_DELIVER_MS"
	PropertyRealTopic                      = "REAL_TOPIC"
	PropertyRealQueueId                    = "REAL_QID"
	PropertyTransactionPrepared            = "TRAN_MSG"
	PropertyProducerGroup                  = "PGROUP"
	PropertyMinOffset                      = "MIN_OFFSET"
	PropertyMaxOffset                      = "MAX_OFFSET"
	PropertyBuyerId                        = "BUYER_ID"
	PropertyOriginMessageId                = "ORIGIN_MESSAGE_ID"
	PropertyTransferFlag                   = "TRANSFER_FLAG"
	PropertyCorrectionFlag                 = "CORRECTION_FLAG"
	PropertyMQ2Flag                        = "MQ2_FLAG"
	PropertyReconsumeTime                  = "RECONSUME_TIME"
	PropertyMsgRegion                      = "MSG_REGION"
	PropertyTraceSwitch                    = "TRACE_ON"
	PropertyUniqueClientMessageIdKeyIndex  = "UNIQ_KEY"
	PropertyMaxReconsumeTimes              = "MAX_RECONSUME_TIMES"
	PropertyConsumeStartTime               = "CONSUME_START_TIME"
	PropertyTranscationPreparedQueueOffset = "TRAN_PREPARED_QUEUE_OFFSET"
	PropertyTranscationCheckTimes          = "TRANSACTION_CHECK_TIMES"
	PropertyCheckImmunityTimeInSeconds     = "CHECK_IMMUNITY_TIME_IN_SECONDS"
	PropertyShardingKey                    = "SHARDING_KEY"
	PropertyTransactionID                  = "__transactionId__"
	PropertyCorrelationID                  = "CORRELATION_ID"
	PropertyMessageReplyToClient           = "REPLY_TO_CLIENT"
	PropertyMessageTTL                     = "TTL"
	PropertyReplyMessageArriveTime         = "ARRIVE_TIME"
	PropertyMsgType                        = "MSG_TYPE"
	PropertyCluster                        = "CLUSTER"
)

const (
	propertySeparator  = '\002'
	nameValueSeparator = '\001'
)

// Message is a message to send (and the base of a received MessageExt).
type Message struct {
	Topic          string
	Body           []byte
	CompressedBody []byte
	Flag           int32
	TransactionId  string
	Batch          bool
	Compress       bool
	// Queue, when set, is the queue the message is sent to.
	Queue *MessageQueue

	properties map[string]string
	mutex      sync.RWMutex
}

// NewMessage returns a message for topic with body.
func NewMessage(topic string, body []byte) *Message {
	return &Message{Topic: topic, Body: body, properties: make(map[string]string)}
}

// WithProperties replaces every property.
func (m *Message) WithProperties(p map[string]string) {
	m.mutex.Lock()
	m.properties = p
	m.mutex.Unlock()
}

// WithProperty sets a property; an empty key or value is ignored.
func (m *Message) WithProperty(key, value string) {
	if key == "" || value == "" {
		return
	}
	m.mutex.Lock()
	if m.properties == nil {
		m.properties = make(map[string]string)
	}
	m.properties[key] = value
	m.mutex.Unlock()
}

// GetProperty returns a property ("" when unset).
func (m *Message) GetProperty(key string) string {
	m.mutex.RLock()
	v := m.properties[key]
	m.mutex.RUnlock()
	return v
}

// RemoveProperty removes a property and returns its value.
func (m *Message) RemoveProperty(key string) string {
	m.mutex.Lock()
	defer m.mutex.Unlock()
	v, ok := m.properties[key]
	if !ok {
		return ""
	}
	delete(m.properties, key)
	return v
}

// MarshallProperties encodes the properties as RocketMQ does
// (name 0x01 value 0x02 ...), in name order.
func (m *Message) MarshallProperties() string {
	m.mutex.RLock()
	defer m.mutex.RUnlock()
	keys := make([]string, 0, len(m.properties))
	for k := range m.properties {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte(nameValueSeparator)
		b.WriteString(m.properties[k])
		b.WriteByte(propertySeparator)
	}
	return b.String()
}

// UnmarshalProperties adds the properties encoded in data.
func (m *Message) UnmarshalProperties(data []byte) {
	m.mutex.Lock()
	defer m.mutex.Unlock()
	if m.properties == nil {
		m.properties = make(map[string]string)
	}
	for _, item := range bytes.Split(data, []byte{propertySeparator}) {
		kv := bytes.Split(item, []byte{nameValueSeparator})
		if len(kv) == 2 {
			m.properties[string(kv[0])] = string(kv[1])
		}
	}
}

// GetProperties returns a copy of the properties.
func (m *Message) GetProperties() map[string]string {
	m.mutex.RLock()
	defer m.mutex.RUnlock()
	out := make(map[string]string, len(m.properties))
	for k, v := range m.properties {
		out[k] = v
	}
	return out
}

// WithDelayTimeLevel sets the delay level (1 = 1s ... 18 = 2h with the
// broker's default levels).
func (m *Message) WithDelayTimeLevel(level int) *Message {
	m.WithProperty(PropertyDelayTimeLevel, strconv.Itoa(level))
	return m
}

// WithDelayTimestamp sets when the message becomes visible (5.x timer messages).
func (m *Message) WithDelayTimestamp(deliveryTimestamp time.Time) *Message {
	m.WithProperty(PropertyTimerDeliverMS, strconv.FormatInt(deliveryTimestamp.UnixMilli(), 10))
	return m
}

// WithTag sets the tag.
func (m *Message) WithTag(tags string) *Message {
	m.WithProperty(PropertyTags, tags)
	return m
}

// WithKeys sets the keys.
func (m *Message) WithKeys(keys []string) *Message {
	m.WithProperty(PropertyKeys, strings.Join(keys, PropertyKeySeparator))
	return m
}

// WithShardingKey sets the sharding key (used by the hash queue selector).
func (m *Message) WithShardingKey(key string) *Message {
	m.WithProperty(PropertyShardingKey, key)
	return m
}

// GetTags returns the tag.
func (m *Message) GetTags() string { return m.GetProperty(PropertyTags) }

// GetKeys returns the keys, space-separated.
func (m *Message) GetKeys() string { return m.GetProperty(PropertyKeys) }

// GetShardingKey returns the sharding key.
func (m *Message) GetShardingKey() string { return m.GetProperty(PropertyShardingKey) }

func (m *Message) String() string {
	return fmt.Sprintf("[topic=%s, body=%s, Flag=%d, properties=%v, TransactionId=%s]",
		m.Topic, string(m.Body), m.Flag, m.MarshallProperties(), m.TransactionId)
}

// Marshal encodes the message as one entry of a batch body.
func (m *Message) Marshal() []byte {
	props := []byte(m.MarshallProperties())
	size := 4 + 4 + 4 + 4 + 4 + len(m.Body) + 2 + len(props)
	buf := make([]byte, size)
	binary.BigEndian.PutUint32(buf[0:], uint32(size))
	// magic code and body CRC stay 0
	binary.BigEndian.PutUint32(buf[12:], uint32(m.Flag))
	binary.BigEndian.PutUint32(buf[16:], uint32(len(m.Body)))
	copy(buf[20:], m.Body)
	pos := 20 + len(m.Body)
	binary.BigEndian.PutUint16(buf[pos:], uint16(len(props)))
	copy(buf[pos+2:], props)
	return buf
}

// MessageExt is a received message with its broker metadata.
type MessageExt struct {
	Message
	MsgId                     string
	OffsetMsgId               string
	StoreSize                 int32
	QueueOffset               int64
	SysFlag                   int32
	BornTimestamp             int64
	BornHost                  string
	StoreTimestamp            int64
	StoreHost                 string
	CommitLogOffset           int64
	BodyCRC                   int32
	ReconsumeTimes            int32
	PreparedTransactionOffset int64
}

// GetTags returns the tag.
func (msgExt *MessageExt) GetTags() string { return msgExt.GetProperty(PropertyTags) }

// GetRegionID returns the region property.
func (msgExt *MessageExt) GetRegionID() string { return msgExt.GetProperty(PropertyMsgRegion) }

// IsTraceOn returns the trace switch property.
func (msgExt *MessageExt) IsTraceOn() string { return msgExt.GetProperty(PropertyTraceSwitch) }

func (msgExt *MessageExt) String() string {
	qid := -1
	if msgExt.Queue != nil {
		qid = msgExt.Queue.QueueId
	}
	return fmt.Sprintf("[Message=%s, MsgId=%s, OffsetMsgId=%s,QueueId=%d, StoreSize=%d, QueueOffset=%d, SysFlag=%d, "+
		"BornTimestamp=%d, BornHost=%s, StoreTimestamp=%d, StoreHost=%s, CommitLogOffset=%d, BodyCRC=%d, "+
		"ReconsumeTimes=%d, PreparedTransactionOffset=%d]", msgExt.Message.String(), msgExt.MsgId, msgExt.OffsetMsgId, qid,
		msgExt.StoreSize, msgExt.QueueOffset, msgExt.SysFlag, msgExt.BornTimestamp, msgExt.BornHost,
		msgExt.StoreTimestamp, msgExt.StoreHost, msgExt.CommitLogOffset, msgExt.BodyCRC, msgExt.ReconsumeTimes,
		msgExt.PreparedTransactionOffset)
}

// MessageQueue names one queue of a topic on one broker.
type MessageQueue struct {
	Topic      string `json:"topic"`
	BrokerName string `json:"brokerName"`
	QueueId    int    `json:"queueId"`
}

func (mq *MessageQueue) String() string {
	return fmt.Sprintf("MessageQueue [topic=%s, brokerName=%s, queueId=%d]", mq.Topic, mq.BrokerName, mq.QueueId)
}

// HashCode is the hash Java's MessageQueue.hashCode gives.
func (mq *MessageQueue) HashCode() int {
	h := int32(1)
	h = 31*h + javaHash(mq.BrokerName)
	h = 31*h + int32(mq.QueueId)
	h = 31*h + javaHash(mq.Topic)
	return int(h)
}

func javaHash(s string) int32 {
	var h int32
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			h = 31*h + int32(0xD800+(r>>10))
			h = 31*h + int32(0xDC00+(r&0x3FF))
			continue
		}
		h = 31*h + int32(r)
	}
	return h
}

// AccessChannel says where the cluster runs.
type AccessChannel int

const (
	// Local is a self-hosted cluster.
	Local AccessChannel = iota
	// Cloud is a hosted service.
	Cloud
)

// MessageType is the kind of a sent message.
type MessageType int

const (
	NormalMsg MessageType = iota
	TransMsgHalf
	TransMsgCommit
	DelayMsg
)

// LocalTransactionState is the outcome of a local transaction.
type LocalTransactionState int

const (
	CommitMessageState LocalTransactionState = iota + 1
	RollbackMessageState
	UnkonwnState
)

// TransactionListener runs and checks local transactions.
type TransactionListener interface {
	// ExecuteLocalTransaction runs the local transaction of a stored half message.
	ExecuteLocalTransaction(*Message) LocalTransactionState
	// CheckLocalTransaction answers the broker's question about an unknown outcome.
	CheckLocalTransaction(*MessageExt) LocalTransactionState
}

// MessageID is a decoded offset message id.
type MessageID struct {
	Addr   string
	Port   int
	Offset int64
}

// CreateMessageId encodes an offset message id (address, port, commit log offset).
func CreateMessageId(addr []byte, port int32, offset int64) string {
	buf := make([]byte, 0, len(addr)+12)
	buf = append(buf, addr...)
	buf = binary.BigEndian.AppendUint32(buf, uint32(port))
	buf = binary.BigEndian.AppendUint64(buf, uint64(offset))
	return strings.ToUpper(hex.EncodeToString(buf))
}

// UnmarshalMsgID decodes an offset message id (IPv4: 32 hex digits, IPv6: 56).
func UnmarshalMsgID(id []byte) (*MessageID, error) {
	var ipLen int
	switch len(id) {
	case 32:
		ipLen = 4
	case 56:
		ipLen = 16
	default:
		return nil, fmt.Errorf("%s: an offset message id has 32 or 56 hex digits", string(id))
	}
	raw := make([]byte, len(id)/2)
	if _, err := hex.Decode(raw, id); err != nil {
		return nil, err
	}
	ip := net.IP(raw[:ipLen])
	port := int(binary.BigEndian.Uint32(raw[ipLen : ipLen+4]))
	offset := int64(binary.BigEndian.Uint64(raw[ipLen+4:]))
	if port > 65535 {
		return nil, fmt.Errorf("port %d > 65535", port)
	}
	addr := ip.String()
	if ipLen == 16 {
		addr = "[" + addr + "]"
	}
	return &MessageID{Addr: addr, Port: port, Offset: offset}, nil
}

// System flag bits.
var (
	CompressedFlag          = 0x1
	MultiTagsFlag           = 0x1 << 1
	TransactionNotType      = 0
	TransactionPreparedType = 0x1 << 2
	TransactionCommitType   = 0x2 << 2
	TransactionRollbackType = 0x3 << 2
)

// GetTransactionValue returns the transaction bits of a system flag.
func GetTransactionValue(flag int) int { return flag & TransactionRollbackType }

// ResetTransactionValue replaces the transaction bits of a system flag.
func ResetTransactionValue(flag int, typeFlag int) int {
	return (flag &^ TransactionRollbackType) | typeFlag
}

// ClearCompressedFlag clears the compressed bit.
func ClearCompressedFlag(flag int) int { return flag &^ CompressedFlag }

// SetCompressedFlag sets the compressed bit.
func SetCompressedFlag(flag int) int { return flag | CompressedFlag }

var uniq struct {
	sync.Mutex
	prefix  string
	counter uint16
	start   int64
	next    int64
}

func uniqPrefix() string {
	ip := net.IPv4(127, 0, 0, 1).To4()
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
				ip = n.IP.To4()
				break
			}
		}
	}
	b := append([]byte{}, ip...)
	b = binary.BigEndian.AppendUint16(b, uint16(Pid()))
	b = binary.BigEndian.AppendUint32(b, 0)
	return strings.ToUpper(hex.EncodeToString(b))
}

// CreateUniqID returns a new unique message key (the format of UNIQ_KEY).
func CreateUniqID() string {
	uniq.Lock()
	defer uniq.Unlock()
	if uniq.prefix == "" {
		uniq.prefix = uniqPrefix()
	}
	now := time.Now()
	if now.Unix() >= uniq.next {
		first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.Local)
		uniq.start = first.UnixMilli()
		uniq.next = first.AddDate(0, 1, 0).Unix()
	}
	uniq.counter++
	b := binary.BigEndian.AppendUint32(nil, uint32(now.UnixMilli()-uniq.start))
	b = binary.BigEndian.AppendUint16(b, uniq.counter)
	return uniq.prefix + strings.ToUpper(hex.EncodeToString(b))
}

// Pid returns the process id as 16 bits.
func Pid() int16 { return int16(os.Getpid()) }

// RangeProperties calls f with each property, in no particular order, while
// holding the message's read lock (f must not change the message).
func (m *Message) RangeProperties(f func(key, value string)) {
	m.mutex.RLock()
	defer m.mutex.RUnlock()
	for k, v := range m.properties {
		f(k, v)
	}
}
