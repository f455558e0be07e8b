package consumer

import (
	"crypto/md5"
	"encoding/binary"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/librocketmq/librocketmq/bindings/go/internal/capi"
	"github.com/librocketmq/librocketmq/bindings/go/primitive"
)

// AllocateStrategy shares a topic's queues among a group's consumers:
// (group, this consumer's id, every queue, every consumer id) -> this
// consumer's queues. The library runs AllocateByAveragely,
// AllocateByAveragelyCircle, AllocateByMachineNearby and
// AllocateByConsistentHash itself (as the Java client does); any other
// strategy, AllocateByConfig and AllocateByMachineRoom included, is called
// from the library's rebalance.
type AllocateStrategy func(string, string, []*primitive.MessageQueue, []string) []*primitive.MessageQueue

func indexOf(cidAll []string, cid string) int {
	for i, c := range cidAll {
		if c == cid {
			return i
		}
	}
	return -1
}

// AllocateByAveragely gives each consumer a contiguous, near-equal share.
func AllocateByAveragely(consumerGroup, currentCID string, mqAll []*primitive.MessageQueue,
	cidAll []string) []*primitive.MessageQueue {
	idx := indexOf(cidAll, currentCID)
	if idx < 0 || len(mqAll) == 0 {
		return nil
	}
	n, c := len(mqAll), len(cidAll)
	mod := n % c
	size := n / c
	if n <= c {
		size = 1
	} else if idx < mod {
		size++
	}
	start := idx*size + mod
	if idx < mod {
		start = idx * size
	}
	var out []*primitive.MessageQueue
	for i := 0; i < size && start+i < n; i++ {
		out = append(out, mqAll[(start+i)%n])
	}
	return out
}

// AllocateByAveragelyCircle deals the queues out to the consumers in turn.
func AllocateByAveragelyCircle(consumerGroup, currentCID string, mqAll []*primitive.MessageQueue,
	cidAll []string) []*primitive.MessageQueue {
	idx := indexOf(cidAll, currentCID)
	if idx < 0 {
		return nil
	}
	var out []*primitive.MessageQueue
	for i := idx; i < len(mqAll); i += len(cidAll) {
		out = append(out, mqAll[i])
	}
	return out
}

// AllocateByMachineNearby allocates as AllocateByAveragely (this client
// knows no machine rooms).
func AllocateByMachineNearby(consumerGroup, currentCID string, mqAll []*primitive.MessageQueue,
	cidAll []string) []*primitive.MessageQueue {
	return AllocateByAveragely(consumerGroup, currentCID, mqAll, cidAll)
}

// AllocateByConfig returns a strategy that always allocates list.
func AllocateByConfig(list []*primitive.MessageQueue) AllocateStrategy {
	return func(string, string, []*primitive.MessageQueue, []string) []*primitive.MessageQueue { return list }
}

// AllocateByMachineRoom returns a strategy sharing the queues of brokers
// whose name starts with one of consumeridcs "idc@" prefixes.
func AllocateByMachineRoom(consumeridcs []string) AllocateStrategy {
	return func(group, cid string, mqAll []*primitive.MessageQueue, cidAll []string) []*primitive.MessageQueue {
		var mine []*primitive.MessageQueue
		for _, q := range mqAll {
			for _, idc := range consumeridcs {
				if strings.HasPrefix(q.BrokerName, idc+"@") {
					mine = append(mine, q)
					break
				}
			}
		}
		return AllocateByAveragely(group, cid, mine, cidAll)
	}
}

// AllocateByConsistentHash returns a strategy placing consumers on a hash
// ring with virtualNodeCnt nodes each. The library runs its own consistent
// hashing (with its own node count) for it.
func AllocateByConsistentHash(virtualNodeCnt int) AllocateStrategy {
	return func(group, cid string, mqAll []*primitive.MessageQueue, cidAll []string) []*primitive.MessageQueue {
		if indexOf(cidAll, cid) < 0 {
			return nil
		}
		nodes := virtualNodeCnt
		if nodes < 1 {
			nodes = 1
		}
		type point struct {
			hash uint64
			cid  string
		}
		var ring []point
		for _, c := range cidAll {
			for i := 0; i < nodes; i++ {
				ring = append(ring, point{ringHash(fmt.Sprintf("%s%d", c, i)), c})
			}
		}
		sort.Slice(ring, func(i, j int) bool { return ring[i].hash < ring[j].hash })
		var out []*primitive.MessageQueue
		for _, q := range mqAll {
			h := ringHash(q.String())
			i := sort.Search(len(ring), func(i int) bool { return ring[i].hash >= h })
			if i == len(ring) {
				i = 0
			}
			if ring[i].cid == cid {
				out = append(out, q)
			}
		}
		return out
	}
}

func ringHash(s string) uint64 {
	sum := md5.Sum([]byte(s))
	return binary.LittleEndian.Uint64(sum[:8])
}

func funcPC(f interface{}) uintptr { return reflect.ValueOf(f).Pointer() }

var strategyNames = map[uintptr]string{
	funcPC(AllocateByAveragely):         "AVG",
	funcPC(AllocateByMachineNearby):     "AVG",
	funcPC(AllocateByAveragelyCircle):   "AVG_BY_CIRCLE",
	funcPC(AllocateByConsistentHash(1)): "CONSISTENT_HASH",
}

// strategyName is the library's name of a strategy the library runs itself
// (the same allocation as the Java client's strategy of that name); "" for
// any other strategy, which the library calls back (see librocketmq's
// rmq_config_set_allocate).
func strategyName(s AllocateStrategy) string {
	if s == nil {
		return "AVG"
	}
	return strategyNames[funcPC(s)]
}

// custom is the strategy the library calls back, or nil when it runs its own.
func (o *consumerOptions) custom() capi.AllocateFunc {
	if strategyName(o.Strategy) != "" {
		return nil
	}
	return capi.AllocateFunc(o.Strategy)
}
