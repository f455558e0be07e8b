package primitive

import (
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

// NsResolver finds the name server addresses.
type NsResolver interface {
	Resolve() []string
	Description() string
}

// StaticResolver returns fixed addresses.
type StaticResolver struct{}

// EnvResolver reads NAMESRV_ADDR.
type EnvResolver struct{}

// NewEnvResolver returns a resolver reading the environment variable NAMESRV_ADDR.
func NewEnvResolver() *EnvResolver { return &EnvResolver{} }

// Resolve returns the addresses in NAMESRV_ADDR (';'-separated).
func (e *EnvResolver) Resolve() []string {
	if v := os.Getenv("NAMESRV_ADDR"); v != "" {
		return strings.Split(v, ";")
	}
	return nil
}

// Description names the resolver.
func (e *EnvResolver) Description() string { return "env resolver of var NAMESRV_ADDR" }

type passthroughResolver struct {
	addr     []string
	failback NsResolver
}

// NewPassthroughResolver returns a resolver of fixed addresses.
func NewPassthroughResolver(addr []string) *passthroughResolver {
	return &passthroughResolver{addr: addr, failback: NewEnvResolver()}
}

func (p *passthroughResolver) Resolve() []string {
	if len(p.addr) > 0 {
		return append([]string{}, p.addr...)
	}
	return p.failback.Resolve()
}

func (p *passthroughResolver) Description() string { return "passthrough resolver" }

// DEFAULT_NAMESRV_ADDR is the address service HttpResolver asks by default.
const DEFAULT_NAMESRV_ADDR = "http://jmenv.tbsite.net:8080/rocketmq/nsaddr"

// HttpResolver asks an HTTP address service for the name servers, falling
// back to NAMESRV_ADDR.
type HttpResolver struct {
	domain   string
	instance string
	mu       sync.Mutex
	last     []string
	failback NsResolver
}

// NewHttpResolver returns a resolver asking domain (DEFAULT_NAMESRV_ADDR by default).
func NewHttpResolver(instance string, domain ...string) *HttpResolver {
	d := DEFAULT_NAMESRV_ADDR
	if len(domain) > 0 && domain[0] != "" {
		d = domain[0]
	}
	return &HttpResolver{domain: d, instance: instance, failback: NewEnvResolver()}
}

// DomainWithUnit asks the unit's address service.
func (h *HttpResolver) DomainWithUnit(unitName string) {
	if unitName == "" {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if strings.Contains(h.domain, "?nofix=1") {
		return
	}
	if strings.HasSuffix(h.domain, "nsaddr") {
		h.domain = h.domain + "-" + unitName + "?nofix=1"
	} else {
		h.domain = h.domain + "?nofix=1"
	}
}

// Resolve asks the address service, then NAMESRV_ADDR.
func (h *HttpResolver) Resolve() []string {
	if addrs := h.get(); len(addrs) > 0 {
		return addrs
	}
	return h.failback.Resolve()
}

// Description names the resolver.
func (h *HttpResolver) Description() string { return "http resolver of domain:" + h.domain }

func (h *HttpResolver) get() []string {
	h.mu.Lock()
	domain := h.domain
	h.mu.Unlock()
	client := http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get(domain)
	if err != nil {
		return h.cached()
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil || resp.StatusCode != http.StatusOK {
		return h.cached()
	}
	s := strings.TrimSpace(string(body))
	if s == "" {
		return h.cached()
	}
	addrs := strings.Split(s, ";")
	h.mu.Lock()
	h.last = addrs
	h.mu.Unlock()
	return addrs
}

func (h *HttpResolver) cached() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string{}, h.last...)
}
