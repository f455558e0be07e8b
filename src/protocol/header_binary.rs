//! The ROCKETMQ binary header serialization (serialize type 1).
//!
//! Layout: code i16, language u8, version i16, opaque i32, flag i32,
//! remark (i32 length + UTF-8), ext fields (i32 block length, then entries of
//! i16 key length + key, i32 value length + value). A zero length reads as
//! null. No length may exceed the header.

use bytes::{BufMut, BytesMut};

use super::command::{LanguageCode, RemotingCommand};
use super::ext::ExtFields;
use crate::{Error, Result};

/// Appends the binary header of `cmd` to `dst`. The code and version are
/// truncated to 16 bits by the format; codes that do not fit are refused.
pub fn encode(cmd: &RemotingCommand, dst: &mut BytesMut) -> Result<()> {
    if super::codes::needs_json_header(cmd.code) {
        return Err(Error::invalid(format!(
            "code {} does not fit a ROCKETMQ binary header",
            cmd.code
        )));
    }
    dst.put_i16(cmd.code as i16);
    dst.put_u8(cmd.language.0);
    dst.put_i16(cmd.version as i16);
    dst.put_i32(cmd.opaque);
    dst.put_i32(cmd.flag);
    match &cmd.remark {
        Some(r) if !r.is_empty() => {
            dst.put_i32(r.len() as i32);
            dst.extend_from_slice(r.as_bytes());
        }
        _ => dst.put_i32(0),
    }
    let len_pos = dst.len();
    dst.put_i32(0);
    for (k, v) in cmd.ext_fields.iter() {
        if k.len() > i16::MAX as usize {
            return Err(Error::invalid(format!(
                "ext field key of {} bytes is too long",
                k.len()
            )));
        }
        dst.put_i16(k.len() as i16);
        dst.extend_from_slice(k.as_bytes());
        dst.put_i32(v.len() as i32);
        dst.extend_from_slice(v.as_bytes());
    }
    let ext_len = dst.len() - len_pos - 4;
    dst[len_pos..len_pos + 4].copy_from_slice(&(ext_len as i32).to_be_bytes());
    Ok(())
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        if n > self.buf.len() - self.pos {
            return Err(Error::protocol(format!(
                "binary header truncated reading {what}: need {n} bytes at {}, have {}",
                self.pos,
                self.buf.len() - self.pos
            )));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn i16(&mut self, what: &str) -> Result<i16> {
        let b = self.take(2, what)?;
        Ok(i16::from_be_bytes([b[0], b[1]]))
    }
    fn i32(&mut self, what: &str) -> Result<i32> {
        let b = self.take(4, what)?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u8(&mut self, what: &str) -> Result<u8> {
        Ok(self.take(1, what)?[0])
    }
    /// A string of `len` bytes; zero means null.
    fn string(&mut self, len: i64, what: &str) -> Result<Option<String>> {
        if len < 0 || len as usize > self.buf.len() {
            return Err(Error::protocol(format!(
                "binary header: {what} length {len} is invalid for a header of {} bytes",
                self.buf.len()
            )));
        }
        if len == 0 {
            return Ok(None);
        }
        let b = self.take(len as usize, what)?;
        String::from_utf8(b.to_vec())
            .map(Some)
            .map_err(|_| Error::protocol(format!("binary header: {what} is not UTF-8")))
    }
}

/// Decodes a binary header.
pub fn decode(header: &[u8]) -> Result<RemotingCommand> {
    let mut r = Reader {
        buf: header,
        pos: 0,
    };
    let mut cmd = RemotingCommand {
        code: r.i16("code")? as i32,
        language: LanguageCode(r.u8("language")?),
        version: r.i16("version")? as i32,
        opaque: r.i32("opaque")?,
        flag: r.i32("flag")?,
        ..Default::default()
    };
    let remark_len = r.i32("remark length")?;
    cmd.remark = r.string(remark_len as i64, "remark")?;
    let ext_len = r.i32("ext fields length")?;
    if ext_len < 0 || ext_len as usize > header.len() - r.pos {
        return Err(Error::protocol(format!(
            "binary header: ext fields length {ext_len} exceeds the header"
        )));
    }
    let end = r.pos + ext_len as usize;
    let mut ext = ExtFields::new();
    while r.pos < end {
        let klen = r.i16("ext key length")?;
        let key = r.string(klen as i64, "ext key")?;
        let vlen = r.i32("ext value length")?;
        let value = r.string(vlen as i64, "ext value")?;
        if r.pos > end {
            return Err(Error::protocol(
                "binary header: ext entry runs past its block",
            ));
        }
        if let Some(k) = key {
            // An empty value arrives as null; keep it as "" so the key survives.
            ext.insert(k, value.unwrap_or_default());
        }
    }
    cmd.ext_fields = ext;
    Ok(cmd)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_bytes() {
        let mut ext = ExtFields::new();
        ext.push("a", "PG");
        let mut cmd = RemotingCommand::request(310, ext);
        cmd.language = LanguageCode::JAVA;
        cmd.version = 479;
        cmd.opaque = 7;
        cmd.remark = Some("hi".into());
        let mut b = BytesMut::new();
        encode(&cmd, &mut b).unwrap();
        let expected: Vec<u8> = vec![
            0x01, 0x36, // code 310
            0x00, // JAVA
            0x01, 0xDF, // version 479
            0, 0, 0, 7, // opaque
            0, 0, 0, 0, // flag
            0, 0, 0, 2, b'h', b'i', // remark
            0, 0, 0, 9, // ext block length: 2+1+4+2
            0, 1, b'a', 0, 0, 0, 2, b'P', b'G',
        ];
        assert_eq!(&b[..], &expected[..]);
        let back = decode(&b).unwrap();
        assert_eq!(back.code, 310);
        assert_eq!(back.opaque, 7);
        assert_eq!(back.remark.as_deref(), Some("hi"));
        assert_eq!(back.ext_fields.get("a"), Some("PG"));
    }

    #[test]
    fn truncated_and_lying_lengths_are_errors() {
        let mut ext = ExtFields::new();
        ext.push("key", "value");
        let mut cmd = RemotingCommand::request(11, ext);
        cmd.remark = Some("r".into());
        let mut b = BytesMut::new();
        encode(&cmd, &mut b).unwrap();
        for n in 0..b.len() {
            assert!(decode(&b[..n]).is_err(), "prefix of {n} bytes decoded");
        }
        let mut bad = b.to_vec();
        bad[13..17].copy_from_slice(&i32::MAX.to_be_bytes()); // remark length
        assert!(decode(&bad).is_err());
        let mut bad = b.to_vec();
        bad[13..17].copy_from_slice(&(-5i32).to_be_bytes());
        assert!(decode(&bad).is_err());
    }

    #[test]
    fn empty_value_survives_as_empty() {
        let mut ext = ExtFields::new();
        ext.push("k", "");
        let cmd = RemotingCommand::request(11, ext);
        let mut b = BytesMut::new();
        encode(&cmd, &mut b).unwrap();
        assert_eq!(decode(&b).unwrap().ext_fields.get("k"), Some(""));
    }
}
