package producer

import (
	"hash/fnv"
	"math/rand"
	"sync"
	"time"

	"github.com/librocketmq/librocketmq/bindings/go/primitive"
)

// QueueSelector chooses the queue a message is sent to.
type QueueSelector interface {
	Select(msg *primitive.Message, mqs []*primitive.MessageQueue, lastBrokerName string) *primitive.MessageQueue
}

type manualQueueSelector struct{}

// NewManualQueueSelector returns a selector that picks the message's Queue.
func NewManualQueueSelector() QueueSelector { return manualQueueSelector{} }

func (manualQueueSelector) Select(m *primitive.Message, _ []*primitive.MessageQueue, _ string) *primitive.MessageQueue {
	return m.Queue
}

type randomQueueSelector struct {
	mu sync.Mutex
	r  *rand.Rand
}

// NewRandomQueueSelector returns a selector that picks a random queue.
func NewRandomQueueSelector() QueueSelector {
	return &randomQueueSelector{r: rand.New(rand.NewSource(time.Now().UnixNano()))}
}

func (s *randomQueueSelector) Select(_ *primitive.Message, mqs []*primitive.MessageQueue, _ string) *primitive.MessageQueue {
	if len(mqs) == 0 {
		return nil
	}
	s.mu.Lock()
	i := s.r.Intn(len(mqs))
	s.mu.Unlock()
	return mqs[i]
}

type roundRobinQueueSelector struct {
	mu   sync.Mutex
	next map[string]uint32
}

// NewRoundRobinQueueSelector returns a selector that takes the queues of a
// topic in turn, skipping the broker that failed last when it can.
func NewRoundRobinQueueSelector() QueueSelector {
	return &roundRobinQueueSelector{next: map[string]uint32{}}
}

func (s *roundRobinQueueSelector) Select(m *primitive.Message, mqs []*primitive.MessageQueue, last string) *primitive.MessageQueue {
	if len(mqs) == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for tries := 0; tries < len(mqs); tries++ {
		s.next[m.Topic]++
		q := mqs[s.next[m.Topic]%uint32(len(mqs))]
		if last == "" || q.BrokerName != last {
			return q
		}
	}
	return mqs[s.next[m.Topic]%uint32(len(mqs))]
}

type hashQueueSelector struct{ random QueueSelector }

// NewHashQueueSelector returns a selector that picks the queue by the FNV-1a
// hash of the message's sharding key (random without one).
func NewHashQueueSelector() QueueSelector {
	return &hashQueueSelector{random: NewRandomQueueSelector()}
}

func (s *hashQueueSelector) Select(m *primitive.Message, mqs []*primitive.MessageQueue, last string) *primitive.MessageQueue {
	key := m.GetShardingKey()
	if key == "" || len(mqs) == 0 {
		return s.random.Select(m, mqs, last)
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	i := int(int32(h.Sum32())) % len(mqs)
	if i < 0 {
		i = -i
	}
	return mqs[i]
}
