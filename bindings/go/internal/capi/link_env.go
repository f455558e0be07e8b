//go:build rocketmq_env

package capi

// Built with -tags rocketmq_env: no pkg-config; CGO_CFLAGS must name the
// header's folder (-I<repo>/include) and CGO_LDFLAGS the library's
// (-L<target>/release).

// #cgo LDFLAGS: -lrocketmq
import "C"
