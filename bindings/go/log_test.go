package rocketmq_test

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	rocketmq "github.com/librocketmq/librocketmq/bindings/go"
	"github.com/librocketmq/librocketmq/bindings/go/producer"
	"github.com/librocketmq/librocketmq/bindings/go/rlog"
)

type captureLogger struct {
	mu    sync.Mutex
	lines []string
}

func (l *captureLogger) add(level, msg string, fields map[string]interface{}) {
	l.mu.Lock()
	l.lines = append(l.lines, fmt.Sprintf("%s %s %v", level, msg, fields))
	l.mu.Unlock()
	if level == "WARN" || level == "ERROR" {
		fmt.Fprintln(os.Stderr, level, msg, fields)
	}
}
func (l *captureLogger) Debug(msg string, f map[string]interface{})   { l.add("DEBUG", msg, f) }
func (l *captureLogger) Info(msg string, f map[string]interface{})    { l.add("INFO", msg, f) }
func (l *captureLogger) Warning(msg string, f map[string]interface{}) { l.add("WARN", msg, f) }
func (l *captureLogger) Error(msg string, f map[string]interface{})   { l.add("ERROR", msg, f) }
func (l *captureLogger) Fatal(msg string, f map[string]interface{})   { l.add("FATAL", msg, f) }
func (l *captureLogger) Level(string)                                 {}
func (l *captureLogger) OutputPath(string) error                      { return nil }

func (l *captureLogger) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.lines)
}

// The library's log lines reach rlog's logger at the level set with
// SetLogLevel. (Not parallel: it changes the process-wide logger.)
func TestLogBridge(t *testing.T) {
	l := &captureLogger{}
	rlog.SetLogger(l)
	rlog.SetLogLevel("debug")
	defer rlog.SetLogLevel("warn")
	p, err := rocketmq.NewProducer(producer.WithNameServer(namesrv()), producer.WithGroupName(unique("go_log")))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	_ = p.Shutdown()
	deadline := time.Now().Add(5 * time.Second)
	for l.count() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if l.count() == 0 {
		t.Fatal("no library log line reached the logger")
	}
}

// goroutines counts the goroutines of Go code, leaving out the ones that
// stand for library threads which once called into Go (cgo keeps their M).
func goroutines() (int, string) {
	buf := make([]byte, 1<<20)
	all := string(buf[:runtime.Stack(buf, true)])
	n := 0
	for _, g := range strings.Split(all, "\n\n") {
		if strings.Contains(g, "[syscall, locked to thread]") && strings.Count(strings.TrimSpace(g), "\n") <= 2 {
			continue
		}
		n++
	}
	return n, all
}

// No goroutine is left behind by a producer and a consumer after Shutdown.
func TestNoGoroutineLeak(t *testing.T) {
	before, _ := goroutines()
	p, err := rocketmq.NewProducer(producer.WithNameServer(namesrv()), producer.WithGroupName(unique("go_leak")))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	topic := unique("GoLeak")
	sendN(t, p, topic, 20, "leak", nil)
	c := pullLeakConsumer(t, topic)
	_ = c.Shutdown()
	_ = p.Shutdown()
	deadline := time.Now().Add(5 * time.Second)
	for n, _ := goroutines(); n > before && time.Now().Before(deadline); n, _ = goroutines() {
		time.Sleep(20 * time.Millisecond)
	}
	if n, all := goroutines(); n > before {
		t.Fatalf("%d goroutines before, %d after:\n%s", before, n, all)
	}
}

func pullLeakConsumer(t *testing.T, topic string) rocketmq.PullConsumer {
	c := newPullConsumer(t)
	if err := c.Subscribe(topic, consumerSelectorAll()); err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	pollAll(t, c, 20, false)
	return c
}
