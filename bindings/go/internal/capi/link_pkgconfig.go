//go:build !rocketmq_env

package capi

// The header and library come from pkg-config (rocketmq.pc, written by
// `make install PREFIX=...`; point PKG_CONFIG_PATH at PREFIX/lib/pkgconfig).

// #cgo pkg-config: rocketmq
import "C"
