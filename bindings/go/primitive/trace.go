package primitive

// TraceConfig configures message tracing. librocketmq does not trace yet:
// producers and consumers accept the option and log a warning.
type TraceConfig struct {
	TraceTopic   string
	GroupName    string
	Access       AccessChannel
	NamesrvAddrs []string
	Resolver     NsResolver
	Credentials
}
