// Package rlog is the client's logging, with rocketmq-client-go v2's
// interface: SetLogger, SetLogLevel, SetOutputPath and the Logger
// interface. Lines the library logs come here too (with the field
// "component" naming the part of the library), at or above the level set
// with SetLogLevel; until SetLogLevel is called the library logs only
// warnings and errors. The default logger writes text lines to stderr, or
// to the file set with SetOutputPath (appended, not rotated).
package rlog

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/librocketmq/librocketmq/bindings/go/internal/logbridge"
)

// Field names used in log lines.
const (
	LogKeyProducerGroup        = "producerGroup"
	LogKeyConsumerGroup        = "consumerGroup"
	LogKeyTopic                = "topic"
	LogKeyMessageQueue         = "MessageQueue"
	LogKeyAllocateMessageQueue = "AllocateMessageQueue"
	LogKeyUnderlayError        = "underlayError"
	LogKeyBroker               = "broker"
	LogKeyValueChangedFrom     = "changedFrom"
	LogKeyValueChangedTo       = "changeTo"
	LogKeyPullRequest          = "PullRequest"
	LogKeyTimeStamp            = "timestamp"
	LogKeyMessageId            = "msgId"
	LogKeyStoreHost            = "storeHost"
	LogKeyQueueId              = "queueId"
	LogKeyQueueOffset          = "queueOffset"
	LogKeyMessages             = "messages"
	LogKeyStack                = "stack"
)

// Logger receives the client's log lines.
type Logger interface {
	Debug(msg string, fields map[string]interface{})
	Info(msg string, fields map[string]interface{})
	Warning(msg string, fields map[string]interface{})
	Error(msg string, fields map[string]interface{})
	Fatal(msg string, fields map[string]interface{})
	Level(level string)
	OutputPath(path string) (err error)
}

// Config describes a log file. Rotation is not implemented: only
// OutputPath is used.
type Config struct {
	OutputPath    string
	MaxFileSizeMB int
	MaxBackups    int
	MaxAges       int
	Compress      bool
	LocalTime     bool
}

const (
	levelDebug = iota
	levelInfo
	levelWarn
	levelError
	levelFatal
)

func parseLevel(level string) int {
	switch strings.ToLower(level) {
	case "debug", "trace":
		return levelDebug
	case "warn", "warning":
		return levelWarn
	case "error":
		return levelError
	case "fatal":
		return levelFatal
	default:
		return levelInfo
	}
}

type defaultLogger struct {
	mu    sync.Mutex
	out   io.Writer
	file  *os.File
	level int
}

func (l *defaultLogger) write(lvl int, name, msg string, fields map[string]interface{}) {
	if msg == "" && len(fields) == 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if lvl < l.level {
		return
	}
	var b strings.Builder
	b.WriteString(time.Now().Format("2006-01-02T15:04:05.000Z07:00"))
	b.WriteString(" ")
	b.WriteString(name)
	b.WriteString(" ")
	b.WriteString(msg)
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%v", k, fields[k])
	}
	b.WriteString("\n")
	_, _ = io.WriteString(l.out, b.String())
}

func (l *defaultLogger) Debug(msg string, fields map[string]interface{}) {
	l.write(levelDebug, "DEBUG", msg, fields)
}
func (l *defaultLogger) Info(msg string, fields map[string]interface{}) {
	l.write(levelInfo, "INFO", msg, fields)
}
func (l *defaultLogger) Warning(msg string, fields map[string]interface{}) {
	l.write(levelWarn, "WARN", msg, fields)
}
func (l *defaultLogger) Error(msg string, fields map[string]interface{}) {
	l.write(levelError, "ERROR", msg, fields)
}
func (l *defaultLogger) Fatal(msg string, fields map[string]interface{}) {
	l.write(levelFatal, "FATAL", msg, fields)
	os.Exit(1)
}

func (l *defaultLogger) Level(level string) {
	l.mu.Lock()
	l.level = parseLevel(level)
	l.mu.Unlock()
}

func (l *defaultLogger) OutputPath(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	l.mu.Lock()
	old := l.file
	l.out, l.file = f, f
	l.mu.Unlock()
	if old != nil {
		_ = old.Close()
	}
	return nil
}

var (
	mu   sync.RWMutex
	rLog Logger
)

func init() {
	l := &defaultLogger{out: os.Stderr, level: levelInfo}
	if v := os.Getenv("ROCKETMQ_GO_LOG_LEVEL"); v != "" {
		l.level = parseLevel(v)
		logbridge.SetLevel(v)
	}
	rLog = l
}

func current() Logger {
	mu.RLock()
	defer mu.RUnlock()
	return rLog
}

// SetLogger replaces the logger (nil is ignored).
func SetLogger(logger Logger) {
	if logger == nil {
		return
	}
	mu.Lock()
	rLog = logger
	mu.Unlock()
}

// SetLogLevel sets the level ("debug", "info", "warn", "error", "fatal") of
// the logger and of the library.
func SetLogLevel(level string) {
	if level == "" {
		return
	}
	current().Level(level)
	logbridge.SetLevel(level)
}

// SetOutputPath sends the logger's lines to the file at path.
func SetOutputPath(path string) error {
	if path == "" {
		return nil
	}
	return current().OutputPath(path)
}

// Debug logs at debug level.
func Debug(msg string, fields map[string]interface{}) { current().Debug(msg, fields) }

// Info logs at info level.
func Info(msg string, fields map[string]interface{}) { current().Info(msg, fields) }

// Warning logs at warning level.
func Warning(msg string, fields map[string]interface{}) { current().Warning(msg, fields) }

// Error logs at error level.
func Error(msg string, fields map[string]interface{}) { current().Error(msg, fields) }

// Fatal logs at fatal level (the default logger then exits).
func Fatal(msg string, fields map[string]interface{}) { current().Fatal(msg, fields) }
