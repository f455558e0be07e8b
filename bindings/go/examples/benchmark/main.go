// Producer benchmark, the Go counterpart of examples-c/bench_producer.c:
// sends N messages of a given size with K goroutines and prints msgs/s and
// client CPU seconds per 100k messages in the same format.
//
//	benchmark --mode sync|sync-ctx|async|oneway --count 100000 --size 1024 --concurrency 16
//
// sync uses context.Background() (a blocking library call per send);
// sync-ctx uses a context with a deadline (an async send plus a select).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	rocketmq "github.com/librocketmq/librocketmq/bindings/go"
	"github.com/librocketmq/librocketmq/bindings/go/primitive"
	"github.com/librocketmq/librocketmq/bindings/go/producer"
)

func cpuSeconds() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func main() {
	mode := flag.String("mode", "sync", "sync, sync-ctx, async or oneway")
	count := flag.Int("count", 100000, "messages")
	size := flag.Int("size", 1024, "body bytes")
	concurrency := flag.Int("concurrency", 16, "sending goroutines (sync, oneway)")
	topic := flag.String("topic", fmt.Sprintf("GoBenchTopic_%d_%d", os.Getpid(), time.Now().Unix()), "topic")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the timed part here")
	flag.Parse()
	ns := os.Getenv("ROCKETMQ_NAMESRV")
	if ns == "" {
		ns = "127.0.0.1:9876"
	}
	p, err := rocketmq.NewProducer(
		producer.WithNameServer([]string{ns}),
		producer.WithGroupName(fmt.Sprintf("go_bench_%d_%d", os.Getpid(), time.Now().UnixNano())),
		producer.WithCompressMsgBodyOverHowmuch(1<<30),
	)
	if err != nil {
		fmt.Println(err)
		os.Exit(2)
	}
	if err := p.Start(); err != nil {
		fmt.Println(err)
		os.Exit(2)
	}
	body := make([]byte, *size)
	for i := range body {
		body[i] = 'r'
	}
	var failed, done atomic.Int64
	send := func(n int) {
		msg := primitive.NewMessage(*topic, body)
		for i := 0; i < n; i++ {
			var err error
			switch *mode {
			case "oneway":
				err = p.SendOneWay(context.Background(), msg)
			case "sync-ctx":
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				_, err = p.SendSync(ctx, msg)
				cancel()
			default:
				_, err = p.SendSync(context.Background(), msg)
			}
			if err != nil {
				failed.Add(1)
			}
		}
	}
	send(100) // warm-up: route, connection, topic creation
	failed.Store(0)

	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	cpu0, t0 := cpuSeconds(), time.Now()
	sent := *count
	if *mode == "async" {
		msg := primitive.NewMessage(*topic, body)
		for i := 0; i < *count; i++ {
			err := p.SendAsync(context.Background(), func(_ context.Context, _ *primitive.SendResult, err error) {
				if err != nil {
					failed.Add(1)
				}
				done.Add(1)
			}, msg)
			if err != nil {
				failed.Add(1)
				done.Add(1)
			}
		}
		for done.Load() < int64(*count) {
			time.Sleep(time.Millisecond)
		}
	} else {
		per := *count / *concurrency
		var wg sync.WaitGroup
		for i := 0; i < *concurrency; i++ {
			wg.Add(1)
			go func() { defer wg.Done(); send(per) }()
		}
		wg.Wait()
		sent = per * *concurrency
	}
	secs, cpu := time.Since(t0).Seconds(), cpuSeconds()-cpu0
	fmt.Printf("go mode=%s size=%d concurrency=%d sent=%d failed=%d msgs/s=%.0f cpu_s_per_100k=%.2f\n", *mode, *size,
		*concurrency, sent, failed.Load(), float64(sent)/secs, cpu/float64(sent)*100000)
	_ = p.Shutdown()
	if failed.Load() > 0 {
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}
