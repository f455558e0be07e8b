//go:build rocketmq_env

package capi

// Built with -tags rocketmq_env: no pkg-config. CGO_CFLAGS must name the
// header's folder (-I<repo>/include) and CGO_LDFLAGS the library, either
// -L<dir> -lrocketmq (the shared library) or <dir>/librocketmq.a with the
// system libraries it needs (-lpthread -ldl -lm -lrt -lutil -lgcc_s).

import "C"
