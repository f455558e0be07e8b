//! Binary message codecs: the stored layout (pull, pop, query and view bodies,
//! check-transaction and consume-directly bodies) and the batch layout
//! (SEND_BATCH_MESSAGE bodies and 5.x inner batches).

use bytes::Bytes;

use super::host::{host_len, put_host, read_host};
use super::props::{bytes_to_properties, properties_encoded_len, write_properties, Properties};
use super::sysflag;
use super::types::{Message, MessageExt};
use crate::protocol::compress::decompress_by_sysflag;
use crate::{Error, Result};

/// Magic code of a stored message whose topic length is one byte.
pub const MAGIC_V1: i32 = -626843481; // 0xDAA320A7
/// Magic code of a stored message whose topic length is two bytes.
pub const MAGIC_V2: i32 = -626843477; // 0xDAA320AB
/// Magic code of the end-of-file filler in a commit log (never a message).
pub const BLANK_MAGIC: i32 = -875286124; // 0xCBD43194
/// Largest properties string, in bytes (its length is an i16).
pub const MAX_PROPERTIES_LEN: usize = i16::MAX as usize;
/// Largest topic of a v1 record, in bytes.
pub const MAX_V1_TOPIC_LEN: usize = i8::MAX as usize;
/// Default bound on a decompressed body: 16 MiB.
pub const DEFAULT_MAX_BODY: usize = 16 * 1024 * 1024;
/// Size of a batch record without body and properties.
pub const BATCH_RECORD_OVERHEAD: usize = 4 + 4 + 4 + 4 + 4 + 2;

/// How [`decode_messages`] treats bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Decompress compressed bodies and clear the compressed bit.
    pub decompress: bool,
    /// Largest body a decompression may produce; more is an error.
    pub max_body: usize,
    /// Check each stored body against its CRC.
    pub check_crc: bool,
    /// Expand 5.x inner batches into their messages.
    pub unwrap_inner_batch: bool,
}

impl Default for DecodeOptions {
    /// Decompress (bounded by [`DEFAULT_MAX_BODY`]), no CRC check, unwrap inner batches.
    fn default() -> Self {
        DecodeOptions {
            decompress: true,
            max_body: DEFAULT_MAX_BODY,
            check_crc: false,
            unwrap_inner_batch: true,
        }
    }
}

/// `CRC32(body) & 0x7FFFFFFF`.
pub fn body_crc(body: &[u8]) -> i32 {
    (crc32fast::hash(body) & 0x7FFF_FFFF) as i32
}

/// A bounds-checked big-endian reader over one record.
struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
    what: &'static str,
}

impl<'a> Reader<'a> {
    fn new(b: &'a [u8], what: &'static str) -> Self {
        Reader { b, pos: 0, what }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.b.len());
        match end {
            Some(end) => {
                let s = &self.b[self.pos..end];
                self.pos = end;
                Ok(s)
            }
            None => Err(Error::protocol(format!(
                "truncated {}: need {n} bytes at offset {}, record has {}",
                self.what,
                self.pos,
                self.b.len()
            ))),
        }
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let s = self.take(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    fn i8(&mut self) -> Result<i8> {
        Ok(i8::from_be_bytes(self.array()?))
    }
    fn i16(&mut self) -> Result<i16> {
        Ok(i16::from_be_bytes(self.array()?))
    }
    fn i32(&mut self) -> Result<i32> {
        Ok(i32::from_be_bytes(self.array()?))
    }
    fn i64(&mut self) -> Result<i64> {
        Ok(i64::from_be_bytes(self.array()?))
    }

    /// A non-negative length read as `raw`.
    fn length(&mut self, raw: i64, field: &str) -> Result<usize> {
        usize::try_from(raw)
            .map_err(|_| Error::protocol(format!("negative {field} length {raw} in {}", self.what)))
    }

    fn host(&mut self, v6: bool) -> Result<std::net::SocketAddr> {
        let (addr, used) = read_host(&self.b[self.pos..], v6)
            .map_err(|e| e.context(format!("{} at offset {}", self.what, self.pos)))?;
        self.pos += used;
        Ok(addr)
    }
}

/// Reads the record's leading TOTALSIZE and checks it against what is available.
fn record_len(rest: &[u8], min: usize, what: &str) -> Result<usize> {
    let Some(head) = rest.get(..4) else {
        return Err(Error::protocol(format!(
            "truncated {what}: {} trailing bytes",
            rest.len()
        )));
    };
    let size = i32::from_be_bytes([head[0], head[1], head[2], head[3]]);
    let size = usize::try_from(size)
        .ok()
        .filter(|&s| s >= min)
        .ok_or_else(|| Error::protocol(format!("invalid {what} size {size}")))?;
    if size > rest.len() {
        return Err(Error::protocol(format!(
            "truncated {what}: size {size} but {} bytes available",
            rest.len()
        )));
    }
    Ok(size)
}

/// Smallest stored record: all fixed fields with IPv4 hosts, empty body,
/// one-byte topic length, empty topic and properties.
const MIN_STORED_RECORD: usize = 4 + 4 + 4 + 4 + 4 + 8 + 8 + 4 + 8 + 8 + 8 + 8 + 4 + 8 + 4 + 1 + 2;

/// Decodes one stored record starting at `start`; returns it and its size.
fn decode_stored(buf: &Bytes, start: usize, opts: &DecodeOptions) -> Result<(MessageExt, usize)> {
    let rest = &buf[start..];
    let size = record_len(rest, MIN_STORED_RECORD, "message")?;
    let mut r = Reader::new(&rest[..size], "message");
    let store_size = r.i32()?;
    let magic = r.i32()?;
    if magic != MAGIC_V1 && magic != MAGIC_V2 {
        return Err(Error::protocol(format!(
            "bad message magic code {:#010X}",
            magic as u32
        )));
    }
    let stored_crc = r.i32()?;
    let queue_id = r.i32()?;
    let flag = r.i32()?;
    let queue_offset = r.i64()?;
    let commit_log_offset = r.i64()?;
    let mut sys_flag = r.i32()?;
    let born_timestamp = r.i64()?;
    let born_host = r.host(sys_flag & sysflag::BORNHOST_V6 != 0)?;
    let store_timestamp = r.i64()?;
    let store_host = r.host(sys_flag & sysflag::STOREHOST_V6 != 0)?;
    let reconsume_times = r.i32()?;
    let prepared_transaction_offset = r.i64()?;
    let raw = r.i32()?;
    let body_len = r.length(raw.into(), "body")?;
    let body_start = start + r.pos;
    r.take(body_len)?;
    let raw = if magic == MAGIC_V1 {
        i64::from(r.i8()?)
    } else {
        i64::from(r.i16()?)
    };
    let topic_len = r.length(raw, "topic")?;
    let topic = String::from_utf8_lossy(r.take(topic_len)?).into_owned();
    let raw = r.i16()?;
    let props_len = r.length(raw.into(), "properties")?;
    let properties = bytes_to_properties(r.take(props_len)?);
    if r.pos != size {
        return Err(Error::protocol(format!(
            "message storeSize {size} but its fields take {} bytes",
            r.pos
        )));
    }

    let mut body = buf.slice(body_start..body_start + body_len);
    if opts.check_crc {
        let crc = body_crc(&body);
        if crc != stored_crc {
            return Err(Error::protocol(format!(
                "body CRC mismatch at commit-log offset {commit_log_offset}: stored {stored_crc}, computed {crc}"
            )));
        }
    }
    if opts.decompress && sys_flag & sysflag::COMPRESSED != 0 && !body.is_empty() {
        let out = decompress_by_sysflag(&body, sys_flag, opts.max_body)
            .map_err(|e| e.context(format!("message at commit-log offset {commit_log_offset}")))?;
        body = Bytes::from(out);
        sys_flag = sysflag::clear_compressed(sys_flag);
    }

    let msg = MessageExt {
        store_size,
        body_crc: stored_crc,
        queue_id,
        flag,
        queue_offset,
        commit_log_offset,
        sys_flag,
        born_timestamp,
        born_host,
        store_timestamp,
        store_host,
        reconsume_times,
        prepared_transaction_offset,
        topic,
        properties,
        body,
    };
    Ok((msg, size))
}

/// Appends the inner messages of a 5.x inner batch: inner message `i` takes
/// its own flag, properties and body; `queue_offset` is the outer one plus
/// `i`; everything else comes from the outer message, except `store_size`
/// and `body_crc`, which are 0.
fn unwrap_inner_batch(outer: MessageExt, out: &mut Vec<MessageExt>) -> Result<()> {
    let inner = decode_batch(&outer.body).map_err(|e| {
        e.context(format!(
            "inner batch at commit-log offset {}",
            outer.commit_log_offset
        ))
    })?;
    out.reserve(inner.len());
    for (i, m) in inner.into_iter().enumerate() {
        out.push(MessageExt {
            store_size: 0,
            body_crc: 0,
            flag: m.flag,
            queue_offset: outer.queue_offset.wrapping_add(i as i64),
            topic: outer.topic.clone(),
            properties: m.properties,
            body: m.body,
            ..outer.clone()
        });
    }
    Ok(())
}

/// Decodes back-to-back stored messages.
///
/// Bodies that need no decompression are slices of `buf` (no copy). Every
/// length is checked against the bytes present; a bad magic code, a truncated
/// or inconsistent record, a negative length or a failed decompression is an
/// error. With `opts.unwrap_inner_batch`, a message flagged both
/// [`sysflag::INNER_BATCH`] and [`sysflag::NEED_UNWRAP`] whose body is not
/// (or no longer) compressed is replaced by its inner messages.
pub fn decode_messages(buf: &Bytes, opts: &DecodeOptions) -> Result<Vec<MessageExt>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < buf.len() {
        let (msg, size) = decode_stored(buf, pos, opts)?;
        pos += size;
        if opts.unwrap_inner_batch
            && sysflag::is_inner_batch(msg.sys_flag)
            && msg.sys_flag & sysflag::COMPRESSED == 0
        {
            unwrap_inner_batch(msg, &mut out)?;
        } else {
            out.push(msg);
        }
    }
    Ok(out)
}

fn checked_props_len(p: &Properties) -> Result<usize> {
    let len = properties_encoded_len(p);
    if len > MAX_PROPERTIES_LEN {
        return Err(Error::invalid(format!(
            "properties take {len} bytes, more than {MAX_PROPERTIES_LEN}"
        )));
    }
    Ok(len)
}

fn checked_i32(n: usize, what: &str) -> Result<i32> {
    i32::try_from(n).map_err(|_| Error::invalid(format!("{what} of {n} bytes is too large")))
}

/// Encodes a message in the stored layout.
///
/// The magic code is v1 (one-byte topic length) when the topic fits in 127
/// bytes, else v2 (two-byte length). Each host is written as IPv4 or IPv6
/// according to its address type, and the written sysFlag's
/// [`sysflag::BORNHOST_V6`] and [`sysflag::STOREHOST_V6`] bits are set to
/// match. `store_size` is computed; the body, `body_crc` and the other fields
/// are written as they are.
pub fn encode_message_ext(m: &MessageExt) -> Result<Bytes> {
    let topic = m.topic.as_bytes();
    if topic.len() > i16::MAX as usize {
        return Err(Error::invalid(format!(
            "topic of {} bytes is too long",
            topic.len()
        )));
    }
    let v2 = topic.len() > MAX_V1_TOPIC_LEN;
    let props_len = checked_props_len(&m.properties)?;
    let body_len = checked_i32(m.body.len(), "body")?;
    let mut sys_flag = m.sys_flag & !(sysflag::BORNHOST_V6 | sysflag::STOREHOST_V6);
    if m.born_host.is_ipv6() {
        sys_flag |= sysflag::BORNHOST_V6;
    }
    if m.store_host.is_ipv6() {
        sys_flag |= sysflag::STOREHOST_V6;
    }
    let size = 4
        + 4
        + 4
        + 4
        + 4
        + 8
        + 8
        + 4
        + 8
        + host_len(&m.born_host)
        + 8
        + host_len(&m.store_host)
        + 4
        + 8
        + 4
        + m.body.len()
        + if v2 { 2 } else { 1 }
        + topic.len()
        + 2
        + props_len;
    let store_size = checked_i32(size, "message")?;

    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(&store_size.to_be_bytes());
    out.extend_from_slice(&(if v2 { MAGIC_V2 } else { MAGIC_V1 }).to_be_bytes());
    out.extend_from_slice(&m.body_crc.to_be_bytes());
    out.extend_from_slice(&m.queue_id.to_be_bytes());
    out.extend_from_slice(&m.flag.to_be_bytes());
    out.extend_from_slice(&m.queue_offset.to_be_bytes());
    out.extend_from_slice(&m.commit_log_offset.to_be_bytes());
    out.extend_from_slice(&sys_flag.to_be_bytes());
    out.extend_from_slice(&m.born_timestamp.to_be_bytes());
    put_host(&mut out, &m.born_host);
    out.extend_from_slice(&m.store_timestamp.to_be_bytes());
    put_host(&mut out, &m.store_host);
    out.extend_from_slice(&m.reconsume_times.to_be_bytes());
    out.extend_from_slice(&m.prepared_transaction_offset.to_be_bytes());
    out.extend_from_slice(&body_len.to_be_bytes());
    out.extend_from_slice(&m.body);
    if v2 {
        out.extend_from_slice(&(topic.len() as i16).to_be_bytes());
    } else {
        out.push(topic.len() as u8);
    }
    out.extend_from_slice(topic);
    out.extend_from_slice(&(props_len as i16).to_be_bytes());
    write_properties(&m.properties, &mut out);
    debug_assert_eq!(out.len(), size);
    Ok(Bytes::from(out))
}

/// Size of `m` as a batch record: `4+4+4+4+4 + body + 2 + properties`.
pub fn batch_record_size(m: &Message) -> usize {
    BATCH_RECORD_OVERHEAD + m.body.len() + properties_encoded_len(&m.properties)
}

/// Encodes messages as a batch body: per message TOTALSIZE, MAGICCODE 0,
/// BODYCRC 0, FLAG, body (i32 length) and properties (i16 length). Topics are
/// not part of the records. Fails when a message's properties exceed
/// [`MAX_PROPERTIES_LEN`] bytes or a size does not fit an i32.
pub fn encode_batch(msgs: &[Message]) -> Result<Bytes> {
    let mut total = 0usize;
    for m in msgs {
        checked_props_len(&m.properties)?;
        let size = batch_record_size(m);
        checked_i32(size, "batch record")?;
        total = total.saturating_add(size);
    }
    checked_i32(total, "batch")?;
    let mut out = Vec::with_capacity(total);
    for m in msgs {
        let size = batch_record_size(m);
        let props_len = properties_encoded_len(&m.properties);
        out.extend_from_slice(&(size as i32).to_be_bytes());
        out.extend_from_slice(&0i32.to_be_bytes());
        out.extend_from_slice(&0i32.to_be_bytes());
        out.extend_from_slice(&m.flag.to_be_bytes());
        out.extend_from_slice(&(m.body.len() as i32).to_be_bytes());
        out.extend_from_slice(&m.body);
        out.extend_from_slice(&(props_len as i16).to_be_bytes());
        write_properties(&m.properties, &mut out);
    }
    debug_assert_eq!(out.len(), total);
    Ok(Bytes::from(out))
}

/// Decodes a batch body into messages with an empty topic. Magic code and
/// body CRC are not checked; sizes are. Bodies are slices of `buf`.
pub fn decode_batch(buf: &Bytes) -> Result<Vec<Message>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < buf.len() {
        let rest = &buf[pos..];
        let size = record_len(rest, BATCH_RECORD_OVERHEAD, "batch record")?;
        let mut r = Reader::new(&rest[..size], "batch record");
        r.take(12)?; // TOTALSIZE, MAGICCODE, BODYCRC
        let flag = r.i32()?;
        let raw = r.i32()?;
        let body_len = r.length(raw.into(), "body")?;
        let body_start = pos + r.pos;
        r.take(body_len)?;
        let raw = r.i16()?;
        let props_len = r.length(raw.into(), "properties")?;
        let properties = bytes_to_properties(r.take(props_len)?);
        if r.pos != size {
            return Err(Error::protocol(format!(
                "batch record size {size} but its fields take {} bytes",
                r.pos
            )));
        }
        out.push(Message {
            topic: String::new(),
            flag,
            properties,
            body: buf.slice(body_start..body_start + body_len),
            transaction_id: None,
        });
        pos += size;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::compress::{compress, CompressionType};
    use crate::ErrorKind;
    use proptest::prelude::*;
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn props(pairs: &[(&str, &str)]) -> Properties {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// The stored record of `sample()`, written field by field from the layout table.
    const SAMPLE_HEX: &str = "00000062DAA320A71234567800000001000000020000000000000003\
        00000000000000040000000000000000000000057F000001000004D20000000000000006\
        0A00000100002A9F0000000700000000000000080000000268690154000461016202";

    fn sample() -> MessageExt {
        MessageExt {
            store_size: 98,
            body_crc: 0x1234_5678,
            queue_id: 1,
            flag: 2,
            queue_offset: 3,
            commit_log_offset: 4,
            sys_flag: 0,
            born_timestamp: 5,
            born_host: "127.0.0.1:1234".parse().unwrap(),
            store_timestamp: 6,
            store_host: "10.0.0.1:10911".parse().unwrap(),
            reconsume_times: 7,
            prepared_transaction_offset: 8,
            topic: "T".into(),
            properties: props(&[("a", "b")]),
            body: Bytes::from_static(b"hi"),
        }
    }

    /// Builds a stored record from the layout table, independently of the encoder.
    #[allow(clippy::too_many_arguments)]
    fn spec_record(
        magic: i32,
        sys_flag: i32,
        born: &[u8],
        store: &[u8],
        body: &[u8],
        topic: &[u8],
        props: &[u8],
        fixed: (i32, i32, i32, i64, i64, i64, i64, i32, i64),
    ) -> Vec<u8> {
        let (crc, qid, flag, qoff, clo, bts, sts, rc, pto) = fixed;
        let mut b = Vec::new();
        b.extend(0i32.to_be_bytes()); // patched below
        b.extend(magic.to_be_bytes());
        b.extend(crc.to_be_bytes());
        b.extend(qid.to_be_bytes());
        b.extend(flag.to_be_bytes());
        b.extend(qoff.to_be_bytes());
        b.extend(clo.to_be_bytes());
        b.extend(sys_flag.to_be_bytes());
        b.extend(bts.to_be_bytes());
        b.extend(born);
        b.extend(sts.to_be_bytes());
        b.extend(store);
        b.extend(rc.to_be_bytes());
        b.extend(pto.to_be_bytes());
        b.extend((body.len() as i32).to_be_bytes());
        b.extend(body);
        if magic == MAGIC_V1 {
            b.push(topic.len() as u8);
        } else {
            b.extend((topic.len() as i16).to_be_bytes());
        }
        b.extend(topic);
        b.extend((props.len() as i16).to_be_bytes());
        b.extend(props);
        let n = b.len() as i32;
        b[..4].copy_from_slice(&n.to_be_bytes());
        b
    }

    const FIXED: (i32, i32, i32, i64, i64, i64, i64, i32, i64) =
        (0x1234_5678, 1, 2, 3, 4, 5, 6, 7, 8);

    fn v4_host(ip: [u8; 4], port: i32) -> Vec<u8> {
        let mut v = ip.to_vec();
        v.extend(port.to_be_bytes());
        v
    }

    fn v6_host(ip: Ipv6Addr, port: i32) -> Vec<u8> {
        let mut v = ip.octets().to_vec();
        v.extend(port.to_be_bytes());
        v
    }

    fn decode(b: Vec<u8>) -> Result<Vec<MessageExt>> {
        decode_messages(&Bytes::from(b), &DecodeOptions::default())
    }

    #[test]
    fn encode_message_ext_golden() {
        let enc = encode_message_ext(&sample()).unwrap();
        assert_eq!(enc[..], hex(SAMPLE_HEX)[..]);
        assert_eq!(
            enc[..],
            spec_record(
                MAGIC_V1,
                0,
                &v4_host([127, 0, 0, 1], 1234),
                &v4_host([10, 0, 0, 1], 10911),
                b"hi",
                b"T",
                b"a\x01b\x02",
                FIXED
            )[..]
        );
        // The fixed offsets of the layout.
        assert_eq!(i32::from_be_bytes(enc[4..8].try_into().unwrap()), MAGIC_V1);
        assert_eq!(i32::from_be_bytes(enc[16..20].try_into().unwrap()), 2);
        assert_eq!(i64::from_be_bytes(enc[28..36].try_into().unwrap()), 4);
        assert_eq!(i64::from_be_bytes(enc[56..64].try_into().unwrap()), 6);
        // store_size in the struct does not matter; it is computed.
        let m = MessageExt {
            store_size: 12345,
            ..sample()
        };
        assert_eq!(encode_message_ext(&m).unwrap(), enc);
    }

    #[test]
    fn decode_v1_ipv4_every_field() {
        let buf = Bytes::from(hex(SAMPLE_HEX));
        let msgs = decode_messages(&buf, &DecodeOptions::default()).unwrap();
        assert_eq!(msgs.len(), 1);
        let m = &msgs[0];
        assert_eq!(m.store_size, 98);
        assert_eq!(m.body_crc, 0x1234_5678);
        assert_eq!(m.queue_id, 1);
        assert_eq!(m.flag, 2);
        assert_eq!(m.queue_offset, 3);
        assert_eq!(m.commit_log_offset, 4);
        assert_eq!(m.sys_flag, 0);
        assert_eq!(m.born_timestamp, 5);
        assert_eq!(m.born_host, "127.0.0.1:1234".parse::<SocketAddr>().unwrap());
        assert_eq!(m.store_timestamp, 6);
        assert_eq!(
            m.store_host,
            "10.0.0.1:10911".parse::<SocketAddr>().unwrap()
        );
        assert_eq!(m.reconsume_times, 7);
        assert_eq!(m.prepared_transaction_offset, 8);
        assert_eq!(m.body, Bytes::from_static(b"hi"));
        assert_eq!(m.topic, "T");
        assert_eq!(m.properties, props(&[("a", "b")]));
        assert_eq!(m.offset_msg_id(), "0A00000100002A9F0000000000000004");
        assert_eq!(m.msg_id(), "0A00000100002A9F0000000000000004");
        assert_eq!(*m, sample());
        // The body is a slice of the input, not a copy.
        let at = 4 * 5 + 8 + 8 + 4 + 8 + 8 + 8 + 8 + 4 + 8 + 4;
        assert_eq!(m.body.as_ptr(), buf[at..].as_ptr());
    }

    #[test]
    fn decode_v2_ipv6_every_field() {
        let born = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x10);
        let store = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0x20);
        let topic = "t".repeat(200);
        let b = spec_record(
            MAGIC_V2,
            sysflag::BORNHOST_V6 | sysflag::STOREHOST_V6 | sysflag::MULTI_TAGS,
            &v6_host(born, 40000),
            &v6_host(store, 10911),
            b"body!",
            topic.as_bytes(),
            b"TAGS\x01x\x02UNIQ_KEY\x01ABCDEF\x02",
            (-1, 7, -3, i64::MAX, 1 << 40, -5, 1_700_000_000_000, 16, -1),
        );
        let size = b.len();
        let msgs = decode(b.clone()).unwrap();
        assert_eq!(msgs.len(), 1);
        let m = &msgs[0];
        assert_eq!(m.store_size as usize, size);
        assert_eq!(m.body_crc, -1);
        assert_eq!(m.queue_id, 7);
        assert_eq!(m.flag, -3);
        assert_eq!(m.queue_offset, i64::MAX);
        assert_eq!(m.commit_log_offset, 1 << 40);
        assert_eq!(m.sys_flag, 0x32);
        assert_eq!(m.born_timestamp, -5);
        assert_eq!(m.born_host, SocketAddr::new(IpAddr::V6(born), 40000));
        assert_eq!(m.store_timestamp, 1_700_000_000_000);
        assert_eq!(m.store_host, SocketAddr::new(IpAddr::V6(store), 10911));
        assert_eq!(m.reconsume_times, 16);
        assert_eq!(m.prepared_transaction_offset, -1);
        assert_eq!(&m.body[..], b"body!");
        assert_eq!(m.topic, topic);
        assert_eq!(
            m.properties,
            props(&[("UNIQ_KEY", "ABCDEF"), ("TAGS", "x")])
        );
        assert_eq!(m.msg_id(), "ABCDEF");
        assert_eq!(
            m.offset_msg_id(),
            "FE80000000000000000000000000002000002A9F0000010000000000"
        );
        assert_eq!(m.tags(), Some("x"));
        // The encoder picks v2 for a long topic and gives back the same bytes.
        assert_eq!(encode_message_ext(m).unwrap()[..], b[..]);
    }

    #[test]
    fn mixed_hosts_and_v1_with_ipv6() {
        // IPv6 born host, IPv4 store host, magic v1.
        let born = Ipv6Addr::LOCALHOST;
        let b = spec_record(
            MAGIC_V1,
            sysflag::BORNHOST_V6,
            &v6_host(born, 1),
            &v4_host([192, 168, 0, 1], 2),
            b"",
            b"topic",
            b"",
            FIXED,
        );
        let m = &decode(b.clone()).unwrap()[0];
        assert_eq!(m.born_host, SocketAddr::new(IpAddr::V6(born), 1));
        assert_eq!(m.store_host, "192.168.0.1:2".parse::<SocketAddr>().unwrap());
        assert!(m.body.is_empty());
        assert!(m.properties.is_empty());
        assert_eq!(encode_message_ext(m).unwrap()[..], b[..]);
        // The encoder sets the host bits from the address types.
        let mut m2 = m.clone();
        m2.sys_flag = sysflag::STOREHOST_V6;
        assert_eq!(encode_message_ext(&m2).unwrap()[..], b[..]);
    }

    #[test]
    fn several_messages_back_to_back() {
        let mut a = sample();
        let mut b = sample();
        b.queue_offset = 4;
        b.topic = "other".into();
        let mut buf = encode_message_ext(&a).unwrap().to_vec();
        buf.extend_from_slice(&encode_message_ext(&b).unwrap());
        let msgs = decode(buf).unwrap();
        a.store_size = 98;
        b.store_size = 102;
        assert_eq!(msgs, vec![a, b]);
        assert!(decode(Vec::new()).unwrap().is_empty());
    }

    fn compressed_record(body: &[u8], ty: CompressionType, sys_flag: i32) -> Vec<u8> {
        let z = compress(body, ty, 5).unwrap();
        let m = MessageExt {
            sys_flag,
            body_crc: body_crc(&z),
            body: Bytes::from(z),
            ..sample()
        };
        encode_message_ext(&m).unwrap().to_vec()
    }

    #[test]
    fn decompresses_by_sysflag() {
        let body = b"a compressed body, a compressed body, a compressed body".repeat(10);
        for (ty, flag) in [
            (CompressionType::Zlib, 0x1), // senders before the type bits
            (CompressionType::Zlib, 0x301),
            (CompressionType::Lz4, 0x101),
            (CompressionType::Zstd, 0x201),
            (CompressionType::Zlib, 0x1 | 0x4 | 0x2),
        ] {
            let rec = compressed_record(&body, ty, flag);
            let m = &decode(rec.clone()).unwrap()[0];
            assert_eq!(&m.body[..], &body[..], "{ty:?} {flag:#x}");
            assert_eq!(m.sys_flag, flag & !1, "compressed bit cleared");
            // CRC is over the stored (compressed) body.
            let opts = DecodeOptions {
                check_crc: true,
                ..Default::default()
            };
            assert_eq!(
                decode_messages(&Bytes::from(rec.clone()), &opts).unwrap()[0].body[..],
                body[..]
            );
            // Without decompression the body and flag are left alone.
            let opts = DecodeOptions {
                decompress: false,
                ..Default::default()
            };
            let raw = &decode_messages(&Bytes::from(rec.clone()), &opts).unwrap()[0];
            assert_eq!(raw.sys_flag, flag);
            assert_ne!(&raw.body[..], &body[..]);
            // The output bound.
            let opts = DecodeOptions {
                max_body: body.len() - 1,
                ..Default::default()
            };
            let e = decode_messages(&Bytes::from(rec), &opts).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Compression);
        }
        // A compressed flag on garbage, or an unknown type, is an error.
        let m = MessageExt {
            sys_flag: 0x1,
            ..sample()
        };
        assert!(decode(encode_message_ext(&m).unwrap().to_vec()).is_err());
        let rec = compressed_record(b"x", CompressionType::Zlib, 0x401);
        assert!(decode(rec).is_err());
    }

    #[test]
    fn crc_check() {
        let opts = DecodeOptions {
            check_crc: true,
            ..Default::default()
        };
        let bad = Bytes::from(hex(SAMPLE_HEX));
        assert!(decode_messages(&bad, &opts).is_err());
        let m = MessageExt {
            body_crc: body_crc(b"hi"),
            ..sample()
        };
        let good = encode_message_ext(&m).unwrap();
        assert_eq!(
            decode_messages(&good, &opts).unwrap()[0],
            m.clone_with_size(98)
        );
    }

    impl MessageExt {
        fn clone_with_size(&self, size: i32) -> MessageExt {
            MessageExt {
                store_size: size,
                ..self.clone()
            }
        }
    }

    #[test]
    fn body_crc_values() {
        // CRC-32 check value of "123456789" is 0xCBF43926; masked to 31 bits.
        assert_eq!(body_crc(b"123456789"), 0x4BF4_3926);
        assert_eq!(body_crc(b""), 0);
    }

    #[test]
    fn encode_batch_golden() {
        let mut a = Message::new("T", &b"ab"[..]);
        a.flag = 0;
        let b = Message {
            topic: "T".into(),
            flag: -1,
            ..Default::default()
        };
        let enc = encode_batch(&[a.clone(), b.clone()]).unwrap();
        assert_eq!(
            enc[..],
            hex(
                "00000022000000000000000000000000000000026162000A57414954017472756502\
                 000000160000000000000000FFFFFFFF000000000000"
            )[..]
        );
        assert_eq!(batch_record_size(&a), 0x22);
        assert_eq!(batch_record_size(&b), 0x16);
        let back = decode_batch(&enc).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].flag, 0);
        assert_eq!(&back[0].body[..], b"ab");
        assert_eq!(back[0].properties, a.properties);
        assert_eq!(back[1].flag, -1);
        assert!(back[1].body.is_empty() && back[1].properties.is_empty());
        assert!(encode_batch(&[]).unwrap().is_empty());
    }

    #[test]
    fn properties_limit() {
        let mut m = Message::new("T", Bytes::new());
        m.properties.clear();
        m.set_property("k", "v".repeat(MAX_PROPERTIES_LEN - 3));
        assert_eq!(properties_encoded_len(&m.properties), MAX_PROPERTIES_LEN);
        encode_batch(std::slice::from_ref(&m)).unwrap();
        let ext = MessageExt {
            properties: m.properties.clone(),
            ..sample()
        };
        let enc = encode_message_ext(&ext).unwrap();
        assert_eq!(decode(enc.to_vec()).unwrap()[0].properties, m.properties);

        m.set_property("k", "v".repeat(MAX_PROPERTIES_LEN - 2));
        let e = encode_batch(&[m.clone()]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        let ext = MessageExt {
            properties: m.properties.clone(),
            ..sample()
        };
        assert!(encode_message_ext(&ext).is_err());
        let ext = MessageExt {
            topic: "t".repeat(40_000),
            ..sample()
        };
        assert!(encode_message_ext(&ext).is_err());
    }

    fn inner_batch_outer(inner: &[Message], sys_flag: i32) -> MessageExt {
        MessageExt {
            sys_flag,
            queue_offset: 100,
            commit_log_offset: 5000,
            topic: "BatchTopic".into(),
            properties: props(&[("INNER_NUM", &inner.len().to_string())]),
            body: encode_batch(inner).unwrap(),
            ..sample()
        }
    }

    #[test]
    fn inner_batch_expansion() {
        let mut a = Message::new("ignored", &b"first"[..]).with_tags("A");
        a.flag = 11;
        a.set_unique_key("K1");
        let b = Message::new("ignored", &b"second"[..]).with_keys(["x"]);
        let flag = sysflag::INNER_BATCH | sysflag::NEED_UNWRAP;
        let outer = inner_batch_outer(&[a.clone(), b.clone()], flag);
        let buf = encode_message_ext(&outer).unwrap();
        let msgs = decode_messages(&buf, &DecodeOptions::default()).unwrap();
        assert_eq!(msgs.len(), 2);
        for (i, (m, src)) in msgs.iter().zip([&a, &b]).enumerate() {
            assert_eq!(m.queue_offset, 100 + i as i64);
            assert_eq!(m.topic, "BatchTopic");
            assert_eq!(m.queue_id, outer.queue_id);
            assert_eq!(m.commit_log_offset, 5000);
            assert_eq!(m.sys_flag, flag);
            assert_eq!(m.born_host, outer.born_host);
            assert_eq!(m.store_host, outer.store_host);
            assert_eq!(m.born_timestamp, outer.born_timestamp);
            assert_eq!(m.store_timestamp, outer.store_timestamp);
            assert_eq!(m.flag, src.flag);
            assert_eq!(m.body, src.body);
            assert_eq!(m.properties, src.properties);
            assert_eq!((m.store_size, m.body_crc), (0, 0));
        }
        assert_eq!(msgs[0].msg_id(), "K1");
        // Zero copy: the inner body points into the input.
        let start = buf.as_ptr() as usize;
        let p = msgs[1].body.as_ptr() as usize;
        assert!(p > start && p < start + buf.len());

        // Not unwrapped when asked not to, or when only one of the two flags is set.
        let opts = DecodeOptions {
            unwrap_inner_batch: false,
            ..Default::default()
        };
        assert_eq!(decode_messages(&buf, &opts).unwrap().len(), 1);
        for only in [sysflag::INNER_BATCH, sysflag::NEED_UNWRAP] {
            let o = inner_batch_outer(&[a.clone(), b.clone()], only);
            assert_eq!(
                decode(encode_message_ext(&o).unwrap().to_vec())
                    .unwrap()
                    .len(),
                1
            );
        }

        // A compressed inner batch is decompressed first.
        let plain = encode_batch(&[a.clone(), b.clone()]).unwrap();
        let z = compress(&plain, CompressionType::Zstd, 3).unwrap();
        let o = MessageExt {
            body: Bytes::from(z),
            ..inner_batch_outer(&[], flag | 0x201)
        };
        let enc = encode_message_ext(&o).unwrap();
        let msgs = decode(enc.to_vec()).unwrap();
        assert_eq!(msgs.len(), 2);
        assert_eq!(msgs[1].body, b.body);
        assert_eq!(msgs[0].sys_flag, flag | 0x200);
        // ... but left whole when decompression is off.
        let opts = DecodeOptions {
            decompress: false,
            ..Default::default()
        };
        assert_eq!(decode_messages(&enc, &opts).unwrap().len(), 1);

        // A malformed inner batch is an error.
        let o = MessageExt {
            body: Bytes::from_static(&[0, 0, 0, 30, 0]),
            ..inner_batch_outer(&[], flag)
        };
        assert!(decode(encode_message_ext(&o).unwrap().to_vec()).is_err());
        // An empty inner batch gives no messages.
        let o = inner_batch_outer(&[], flag);
        assert!(decode(encode_message_ext(&o).unwrap().to_vec())
            .unwrap()
            .is_empty());
    }

    fn patch_i32(b: &mut [u8], at: usize, v: i32) {
        b[at..at + 4].copy_from_slice(&v.to_be_bytes());
    }

    #[test]
    fn malformed_stored_records() {
        let good = hex(SAMPLE_HEX);
        let n = good.len();
        let err = |b: Vec<u8>| {
            let e = decode(b).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Protocol, "{e}");
        };
        // Wrong magic, the end-of-file magic included.
        for magic in [0, BLANK_MAGIC, MAGIC_V1 + 1] {
            let mut b = good.clone();
            patch_i32(&mut b, 4, magic);
            err(b);
        }
        // Truncated anywhere.
        for cut in 1..n {
            err(good[..cut].to_vec());
        }
        // Trailing junk after a good record.
        let mut b = good.clone();
        b.extend([0, 0]);
        err(b);
        // storeSize too big, too small, negative.
        for size in [n as i32 + 1, n as i32 - 1, -1, 0, 3, i32::MIN] {
            let mut b = good.clone();
            patch_i32(&mut b, 0, size);
            err(b);
        }
        let mut b = good.clone();
        b.push(0);
        patch_i32(&mut b, 0, n as i32 + 1);
        err(b);
        // Negative body length and a body length past the record.
        let body_at = n - 2 - 2 - 1 - 1 - 4 - 4;
        for len in [-1, 3, 1000, i32::MAX] {
            let mut b = good.clone();
            patch_i32(&mut b, body_at, len);
            err(b);
        }
        // Negative topic length (v1 length byte 0x80).
        let mut b = good.clone();
        b[n - 2 - 1 - 4 - 1] = 0x80;
        err(b);
        // Negative properties length.
        let mut b = good.clone();
        b[n - 4 - 2] = 0x80;
        err(b);
        // Port out of range.
        let mut b = good.clone();
        patch_i32(&mut b, 4 * 5 + 8 + 8 + 4 + 8 + 4, 70_000);
        err(b);
        // IPv6 flag on an IPv4 layout: the record no longer adds up.
        let mut b = good.clone();
        patch_i32(&mut b, 36, sysflag::BORNHOST_V6);
        err(b);
    }

    #[test]
    fn malformed_batches() {
        let good = encode_batch(&[Message::new("T", &b"ab"[..])])
            .unwrap()
            .to_vec();
        for cut in 1..good.len() {
            assert!(
                decode_batch(&Bytes::from(good[..cut].to_vec())).is_err(),
                "cut {cut}"
            );
        }
        for size in [-1, 0, 21, good.len() as i32 - 1, good.len() as i32 + 1] {
            let mut b = good.clone();
            patch_i32(&mut b, 0, size);
            assert!(decode_batch(&Bytes::from(b)).is_err(), "size {size}");
        }
        let mut b = good.clone();
        patch_i32(&mut b, 16, -1);
        assert!(decode_batch(&Bytes::from(b)).is_err());
        // Magic and CRC are not checked.
        let mut b = good.clone();
        patch_i32(&mut b, 4, MAGIC_V1);
        patch_i32(&mut b, 8, 77);
        assert_eq!(decode_batch(&Bytes::from(b)).unwrap().len(), 1);
    }

    // ---- property tests ----

    fn socket_addr() -> impl Strategy<Value = SocketAddr> {
        prop_oneof![
            (any::<[u8; 4]>(), any::<u16>())
                .prop_map(|(ip, port)| SocketAddr::new(IpAddr::V4(Ipv4Addr::from(ip)), port)),
            (any::<[u8; 16]>(), any::<u16>())
                .prop_map(|(ip, port)| SocketAddr::new(IpAddr::V6(Ipv6Addr::from(ip)), port)),
        ]
    }

    fn properties() -> impl Strategy<Value = Properties> {
        prop::collection::btree_map("[^\u{1}\u{2}]{1,10}", "[^\u{2}]{1,10}", 0..6).prop_map(|m| {
            m.into_iter()
                .filter(|(k, _)| !k.contains('\u{1}'))
                .collect()
        })
    }

    prop_compose! {
        fn message_ext()(
            fixed in any::<(i32, i32, i32, i64, i64, i64, i64, i32, i64)>(),
            sys_flag in any::<i32>(),
            born_host in socket_addr(),
            store_host in socket_addr(),
            topic in prop_oneof!["[a-zA-Z0-9%_-]{0,130}", "[a-z]{120,300}", ".{0,20}"],
            properties in properties(),
            body in prop::collection::vec(any::<u8>(), 0..300),
        ) -> MessageExt {
            let (body_crc, queue_id, flag, queue_offset, commit_log_offset, born_timestamp, store_timestamp, reconsume_times, prepared_transaction_offset) = fixed;
            let mut sys_flag = sys_flag & !(sysflag::BORNHOST_V6 | sysflag::STOREHOST_V6 | sysflag::COMPRESSED);
            if born_host.is_ipv6() { sys_flag |= sysflag::BORNHOST_V6; }
            if store_host.is_ipv6() { sys_flag |= sysflag::STOREHOST_V6; }
            MessageExt {
                store_size: 0, body_crc, queue_id, flag, queue_offset, commit_log_offset, sys_flag,
                born_timestamp, born_host, store_timestamp, store_host, reconsume_times,
                prepared_transaction_offset, topic, properties, body: Bytes::from(body),
            }
        }
    }

    prop_compose! {
        fn message()(flag in any::<i32>(), properties in properties(), body in prop::collection::vec(any::<u8>(), 0..200)) -> Message {
            Message { topic: "T".into(), flag, properties, body: Bytes::from(body), transaction_id: None }
        }
    }

    proptest! {
        #[test]
        fn message_ext_round_trip(msgs in prop::collection::vec(message_ext(), 1..4)) {
            let mut buf = Vec::new();
            let mut want = Vec::new();
            for m in &msgs {
                let enc = encode_message_ext(m).unwrap();
                prop_assert_eq!(i32::from_be_bytes(enc[..4].try_into().unwrap()) as usize, enc.len());
                let magic = i32::from_be_bytes(enc[4..8].try_into().unwrap());
                prop_assert_eq!(magic, if m.topic.len() > 127 { MAGIC_V2 } else { MAGIC_V1 });
                buf.extend_from_slice(&enc);
                want.push(MessageExt { store_size: enc.len() as i32, ..m.clone() });
            }
            let opts = DecodeOptions { unwrap_inner_batch: false, ..Default::default() };
            prop_assert_eq!(decode_messages(&Bytes::from(buf), &opts).unwrap(), want);
        }

        #[test]
        fn batch_round_trip(msgs in prop::collection::vec(message(), 0..6)) {
            let enc = encode_batch(&msgs).unwrap();
            prop_assert_eq!(enc.len(), msgs.iter().map(batch_record_size).sum::<usize>());
            let back = decode_batch(&enc).unwrap();
            prop_assert_eq!(back.len(), msgs.len());
            for (b, m) in back.iter().zip(&msgs) {
                prop_assert_eq!(b.flag, m.flag);
                prop_assert_eq!(&b.body, &m.body);
                prop_assert_eq!(&b.properties, &m.properties);
            }
        }

        #[test]
        fn inner_batch_round_trip(msgs in prop::collection::vec(message(), 0..5), base in any::<i64>()) {
            let outer = MessageExt {
                queue_offset: base,
                sys_flag: sysflag::INNER_BATCH | sysflag::NEED_UNWRAP,
                body: encode_batch(&msgs).unwrap(),
                ..sample()
            };
            let got = decode(encode_message_ext(&outer).unwrap().to_vec()).unwrap();
            prop_assert_eq!(got.len(), msgs.len());
            for (i, (g, m)) in got.iter().zip(&msgs).enumerate() {
                prop_assert_eq!(g.queue_offset, base.wrapping_add(i as i64));
                prop_assert_eq!(&g.body, &m.body);
                prop_assert_eq!(&g.properties, &m.properties);
                prop_assert_eq!(g.flag, m.flag);
            }
        }

        #[test]
        fn decode_arbitrary_bytes_never_panics(b in prop::collection::vec(any::<u8>(), 0..400), decompress in any::<bool>(), crc in any::<bool>()) {
            let opts = DecodeOptions { decompress, check_crc: crc, max_body: 4096, unwrap_inner_batch: true };
            let buf = Bytes::from(b);
            let _ = decode_messages(&buf, &opts);
            let _ = decode_batch(&buf);
        }

        #[test]
        fn decode_mutated_records_never_panics(m in message_ext(), edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6), cut in any::<prop::sample::Index>(), sys_flag in any::<i32>()) {
            // Start from a valid record (often an inner batch or compressed one) and damage it.
            let m = MessageExt { sys_flag: m.sys_flag | (sys_flag & 0x7C1), ..m };
            let mut b = encode_message_ext(&m).unwrap().to_vec();
            for (i, v) in edits {
                let i = i.index(b.len());
                b[i] = v;
            }
            let opts = DecodeOptions { max_body: 4096, ..Default::default() };
            let _ = decode_messages(&Bytes::from(b.clone()), &opts);
            b.truncate(cut.index(b.len() + 1));
            let _ = decode_messages(&Bytes::from(b), &opts);
        }

        #[test]
        fn decode_mutated_batches_never_panics(msgs in prop::collection::vec(message(), 1..4), i in any::<prop::sample::Index>(), v in any::<u8>()) {
            let mut b = encode_batch(&msgs).unwrap().to_vec();
            let i = i.index(b.len());
            b[i] = v;
            if let Ok(back) = decode_batch(&Bytes::from(b)) {
                prop_assert!(back.len() <= msgs.len() * 2 + 2);
            }
        }
    }
}
