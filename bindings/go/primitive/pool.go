package primitive

import (
	"bytes"
	"sync"
)

var headerPool = sync.Pool{New: func() interface{} { b := make([]byte, 4); return &b }}
var bufferPool = sync.Pool{New: func() interface{} { return new(bytes.Buffer) }}

// GetHeader returns a 4-byte buffer from a pool.
func GetHeader() *[]byte { return headerPool.Get().(*[]byte) }

// BackHeader returns a buffer from GetHeader.
func BackHeader(d *[]byte) { headerPool.Put(d) }

// GetBuffer returns an empty buffer from a pool.
func GetBuffer() *bytes.Buffer {
	b := bufferPool.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

// BackBuffer returns a buffer from GetBuffer.
func BackBuffer(b *bytes.Buffer) { bufferPool.Put(b) }
