package internal

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/librocketmq/librocketmq/bindings/go/errors"
	"github.com/librocketmq/librocketmq/bindings/go/internal/capi"
	"github.com/librocketmq/librocketmq/bindings/go/primitive"
)

// ClientConfig holds the settings every role shares.
type ClientConfig struct {
	Resolver       primitive.NsResolver
	InstanceName   string
	Namespace      string
	UnitName       string
	Credentials    primitive.Credentials
	VIPChannel     bool
	ConnectTimeout time.Duration
	UseTls         bool
	Extra          map[string]string
}

// KVs turns the settings into library settings. Name servers come from the
// resolver, or from NAMESRV_ADDR when there is none.
func (c ClientConfig) KVs() ([]capi.KV, error) {
	if c.UseTls {
		return nil, fmt.Errorf("TLS: %w", errors.ErrNotSupported)
	}
	r := c.Resolver
	if r == nil {
		r = primitive.NewEnvResolver()
	}
	var addrs []string
	for _, a := range r.Resolve() {
		if a = strings.TrimSpace(a); a != "" {
			addrs = append(addrs, a)
		}
	}
	if len(addrs) == 0 {
		return nil, errors.ErrNoNameserver
	}
	kvs := []capi.KV{{Key: "namesrv.addr", Value: strings.Join(addrs, ";")}, {Key: "language", Value: "GO"}}
	add := func(k, v string) {
		if v != "" {
			kvs = append(kvs, capi.KV{Key: k, Value: v})
		}
	}
	add("instance.name", c.InstanceName)
	add("namespace", c.Namespace)
	add("unit.name", c.UnitName)
	if !c.Credentials.IsEmpty() {
		add("access.key", c.Credentials.AccessKey)
		add("secret.key", c.Credentials.SecretKey)
		add("security.token", c.Credentials.SecurityToken)
	}
	if c.VIPChannel {
		add("vip.channel", "true")
	}
	if c.ConnectTimeout > 0 {
		add("connect.timeout.ms", Millis(c.ConnectTimeout))
	}
	return kvs, nil
}

// AppendExtra appends the WithConfig settings, in key order, last (so they win).
func AppendExtra(kvs []capi.KV, extra map[string]string) []capi.KV {
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		kvs = append(kvs, capi.KV{Key: k, Value: extra[k]})
	}
	return kvs
}

// Millis formats d in whole milliseconds (at least 1 for a positive d).
func Millis(d time.Duration) string {
	ms := d.Milliseconds()
	if ms == 0 && d > 0 {
		ms = 1
	}
	return strconv.FormatInt(ms, 10)
}
