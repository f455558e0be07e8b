package primitive

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"io"
	"net"
	"strconv"
)

const (
	magicV1 = int32(-626843481)
	magicV2 = int32(-626843477)
)

type reader struct {
	b   []byte
	pos int
	bad bool
}

func (r *reader) take(n int) []byte {
	if r.bad || n < 0 || len(r.b)-r.pos < n {
		r.bad = true
		return nil
	}
	out := r.b[r.pos : r.pos+n]
	r.pos += n
	return out
}

func (r *reader) i16() int16 {
	b := r.take(2)
	if b == nil {
		return 0
	}
	return int16(binary.BigEndian.Uint16(b))
}

func (r *reader) i32() int32 {
	b := r.take(4)
	if b == nil {
		return 0
	}
	return int32(binary.BigEndian.Uint32(b))
}

func (r *reader) i64() int64 {
	b := r.take(8)
	if b == nil {
		return 0
	}
	return int64(binary.BigEndian.Uint64(b))
}

// host reads an address (IPv4 or IPv6 by v6) and its port; it returns
// "ip:port" and the raw address bytes.
func (r *reader) host(v6 bool) (string, []byte, int32) {
	n := 4
	if v6 {
		n = 16
	}
	ip := r.take(n)
	port := r.i32()
	if ip == nil {
		return "", nil, 0
	}
	return net.JoinHostPort(net.IP(ip).String(), strconv.Itoa(int(port))), ip, port
}

// DecodeMessage decodes messages in RocketMQ's stored format (a pull
// response body), as many as data holds whole; it stops at the first
// malformed record. zlib bodies are decompressed (LZ4 and ZSTD bodies are
// left as they are, with the compressed bit still set).
func DecodeMessage(data []byte) []*MessageExt {
	var out []*MessageExt
	r := &reader{b: data}
	for r.pos < len(data) {
		start := r.pos
		m := &MessageExt{}
		m.StoreSize = r.i32()
		magic := r.i32()
		if r.bad || (magic != magicV1 && magic != magicV2) || m.StoreSize < 4 || int(m.StoreSize) > len(data)-start {
			break
		}
		m.BodyCRC = r.i32()
		qid := r.i32()
		m.Flag = r.i32()
		m.QueueOffset = r.i64()
		m.CommitLogOffset = r.i64()
		m.SysFlag = r.i32()
		m.BornTimestamp = r.i64()
		m.BornHost, _, _ = r.host(m.SysFlag&FlagBornHostV6 != 0)
		m.StoreTimestamp = r.i64()
		var storeIP []byte
		var storePort int32
		m.StoreHost, storeIP, storePort = r.host(m.SysFlag&FlagStoreHostV6 != 0)
		m.ReconsumeTimes = r.i32()
		m.PreparedTransactionOffset = r.i64()
		body := r.take(int(r.i32()))
		var topicLen int
		if magic == magicV2 {
			topicLen = int(r.i16())
		} else if b := r.take(1); b != nil {
			topicLen = int(b[0])
		}
		topic := r.take(topicLen)
		props := r.take(int(r.i16()))
		if r.bad || r.pos-start > int(m.StoreSize) {
			break
		}
		m.Body = append([]byte{}, body...)
		if m.SysFlag&FlagCompressed != 0 {
			kind := (m.SysFlag & 0x700) >> 8
			if kind == 0 || kind == 3 {
				if zr, err := zlib.NewReader(bytes.NewReader(body)); err == nil {
					if plain, err := io.ReadAll(io.LimitReader(zr, 64<<20)); err == nil {
						m.Body = plain
						m.SysFlag &^= FlagCompressed
					}
				}
			}
		}
		m.Topic = string(topic)
		m.Queue = &MessageQueue{Topic: m.Topic, QueueId: int(qid)}
		m.UnmarshalProperties(props)
		m.OffsetMsgId = CreateMessageId(storeIP, storePort, m.CommitLogOffset)
		m.MsgId = m.GetProperty(PropertyUniqueClientMessageIdKeyIndex)
		if m.MsgId == "" {
			m.MsgId = m.OffsetMsgId
		}
		m.TransactionId = m.GetProperty(PropertyTransactionID)
		out = append(out, m)
		r.pos = start + int(m.StoreSize)
	}
	return out
}
