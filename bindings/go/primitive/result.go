package primitive

import "fmt"

// SendStatus is how the broker stored a message.
type SendStatus int

const (
	SendOK SendStatus = iota
	SendFlushDiskTimeout
	SendFlushSlaveTimeout
	SendSlaveNotAvailable
	SendUnknownError

	FlagCompressed  = 0x1
	FlagBornHostV6  = 0x1 << 4
	FlagStoreHostV6 = 0x1 << 5
	MsgIdLength     = 8 + 8
)

// SendResult is the outcome of a send.
type SendResult struct {
	Status        SendStatus
	MsgID         string
	MessageQueue  *MessageQueue
	QueueOffset   int64
	TransactionID string
	OffsetMsgID   string
	RegionID      string
	TraceOn       bool
}

// NewSendResult returns a result with status SendUnknownError.
func NewSendResult() *SendResult { return &SendResult{Status: SendUnknownError} }

func (result *SendResult) String() string {
	mq := "nil"
	if result.MessageQueue != nil {
		mq = result.MessageQueue.String()
	}
	return fmt.Sprintf("SendResult [sendStatus=%d, msgIds=%s, offsetMsgId=%s, queueOffset=%d, messageQueue=%s]",
		result.Status, result.MsgID, result.OffsetMsgID, result.QueueOffset, mq)
}

// TransactionSendResult is the outcome of a transactional send.
type TransactionSendResult struct {
	*SendResult
	State LocalTransactionState
}

// PullStatus is the outcome of a pull.
type PullStatus int

const (
	PullFound PullStatus = iota
	PullNoNewMsg
	PullNoMsgMatched
	PullOffsetIllegal
	PullBrokerTimeout
)

// PullResult is the outcome of a pull.
type PullResult struct {
	NextBeginOffset      int64
	MinOffset            int64
	MaxOffset            int64
	Status               PullStatus
	SuggestWhichBrokerId int64

	messageExts []*MessageExt
	body        []byte
}

// GetMessageExts returns the messages pulled.
func (result *PullResult) GetMessageExts() []*MessageExt { return result.messageExts }

// SetMessageExts sets the messages pulled.
func (result *PullResult) SetMessageExts(msgExts []*MessageExt) { result.messageExts = msgExts }

// GetMessages returns the messages pulled as Messages.
func (result *PullResult) GetMessages() []*Message {
	out := make([]*Message, 0, len(result.messageExts))
	for _, m := range result.messageExts {
		out = append(out, &m.Message)
	}
	return out
}

// SetBody sets the raw body.
func (result *PullResult) SetBody(data []byte) { result.body = data }

// GetBody returns the raw body (empty: this client decodes in the library).
func (result *PullResult) GetBody() []byte { return result.body }

func (result *PullResult) String() string {
	return fmt.Sprintf("PullResult [status=%d, nextBeginOffset=%d, minOffset=%d, maxOffset=%d, msgs=%d]",
		result.Status, result.NextBeginOffset, result.MinOffset, result.MaxOffset, len(result.messageExts))
}
