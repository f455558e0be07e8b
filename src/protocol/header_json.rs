//! The JSON header serialization (serialize type 0), as fastjson writes it:
//! keys sorted, enums by name, null fields left out, ext-field values strings.
//!
//! Encoding writes straight into the output buffer with no intermediate JSON
//! value. Decoding is lenient the way fastjson is: numbers may come as strings,
//! the language as a name or a number, unknown keys are ignored, and ext-field
//! values that are numbers or booleans are kept as their text.

use std::fmt;

use bytes::{BufMut, BytesMut};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::command::{LanguageCode, RemotingCommand};
use super::ext::ExtFields;
use crate::{Error, Result};

/// Writes `s` as a JSON string literal (with quotes), escaping what JSON requires.
pub fn write_json_str(dst: &mut BytesMut, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    dst.put_u8(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: Option<&[u8]> = match b {
            b'"' => Some(b"\\\""),
            b'\\' => Some(b"\\\\"),
            b'\n' => Some(b"\\n"),
            b'\r' => Some(b"\\r"),
            b'\t' => Some(b"\\t"),
            0..=0x1f => None,
            _ => continue,
        };
        dst.extend_from_slice(&bytes[start..i]);
        match esc {
            Some(e) => dst.extend_from_slice(e),
            None => dst.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(b >> 4) as usize],
                HEX[(b & 0xf) as usize],
            ]),
        }
        start = i + 1;
    }
    dst.extend_from_slice(&bytes[start..]);
    dst.put_u8(b'"');
}

fn write_int(dst: &mut BytesMut, v: i64) {
    dst.extend_from_slice(itoa_buf(v).as_slice());
}

struct IntBuf {
    buf: [u8; 20],
    start: usize,
}

impl IntBuf {
    fn as_slice(&self) -> &[u8] {
        &self.buf[self.start..]
    }
}

fn itoa_buf(v: i64) -> IntBuf {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let neg = v < 0;
    let mut n = v.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if neg {
        i -= 1;
        buf[i] = b'-';
    }
    IntBuf { buf, start: i }
}

/// Appends the JSON header of `cmd` to `dst`, keys in fastjson's sorted order.
pub fn encode(cmd: &RemotingCommand, dst: &mut BytesMut) {
    dst.extend_from_slice(b"{\"code\":");
    write_int(dst, cmd.code as i64);
    if !cmd.ext_fields.is_empty() {
        dst.extend_from_slice(b",\"extFields\":{");
        let mut first = true;
        for (k, v) in cmd.ext_fields.iter() {
            if !first {
                dst.put_u8(b',');
            }
            first = false;
            write_json_str(dst, k);
            dst.put_u8(b':');
            write_json_str(dst, v);
        }
        dst.put_u8(b'}');
    }
    dst.extend_from_slice(b",\"flag\":");
    write_int(dst, cmd.flag as i64);
    dst.extend_from_slice(b",\"language\":");
    match cmd.language.name() {
        Some(name) => {
            dst.put_u8(b'"');
            dst.extend_from_slice(name.as_bytes());
            dst.put_u8(b'"');
        }
        None => write_int(dst, cmd.language.0 as i64),
    }
    dst.extend_from_slice(b",\"opaque\":");
    write_int(dst, cmd.opaque as i64);
    if let Some(remark) = &cmd.remark {
        dst.extend_from_slice(b",\"remark\":");
        write_json_str(dst, remark);
    }
    dst.extend_from_slice(b",\"serializeTypeCurrentRPC\":\"JSON\",\"version\":");
    write_int(dst, cmd.version as i64);
    dst.put_u8(b'}');
}

/// Decodes a JSON header. The body is not part of it.
pub fn decode(header: &[u8]) -> Result<RemotingCommand> {
    let mut de = serde_json::Deserializer::from_slice(header);
    let cmd = HeaderSeed
        .deserialize(&mut de)
        .map_err(|e| Error::protocol(format!("invalid JSON header: {e}")))?;
    de.end()
        .map_err(|e| Error::protocol(format!("invalid JSON header: {e}")))?;
    Ok(cmd)
}

use serde::de::DeserializeSeed;

struct HeaderSeed;

impl<'de> DeserializeSeed<'de> for HeaderSeed {
    type Value = RemotingCommand;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_map(HeaderVisitor)
    }
}

struct HeaderVisitor;

impl<'de> Visitor<'de> for HeaderVisitor {
    type Value = RemotingCommand;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a RemotingCommand JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let mut cmd = RemotingCommand::default();
        let mut have_code = false;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "code" => {
                    cmd.code = map.next_value::<LenientInt>()?.0 as i32;
                    have_code = true;
                }
                "language" => cmd.language = map.next_value::<LenientLanguage>()?.0,
                "version" => cmd.version = map.next_value::<LenientInt>()?.0 as i32,
                "opaque" => cmd.opaque = map.next_value::<LenientInt>()?.0 as i32,
                "flag" => cmd.flag = map.next_value::<LenientInt>()?.0 as i32,
                "remark" => {
                    cmd.remark = map.next_value::<Option<LenientString>>()?.and_then(|s| s.0)
                }
                "extFields" => {
                    if let Some(e) = map.next_value::<Option<LenientExt>>()? {
                        cmd.ext_fields = e.0;
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !have_code {
            return Err(de::Error::missing_field("code"));
        }
        Ok(cmd)
    }
}

/// An integer that may also come as a string, a float with no fraction, a bool or null.
struct LenientInt(i64);

impl<'de> serde::Deserialize<'de> for LenientInt {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = LenientInt;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an integer")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<LenientInt, E> {
                Ok(LenientInt(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<LenientInt, E> {
                i64::try_from(v)
                    .map(LenientInt)
                    .map_err(|_| E::custom("integer out of range"))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<LenientInt, E> {
                if v.fract() == 0.0 && v.abs() < 9.2e18 {
                    Ok(LenientInt(v as i64))
                } else {
                    Err(E::custom("not an integer"))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<LenientInt, E> {
                v.trim()
                    .parse()
                    .map(LenientInt)
                    .map_err(|_| E::custom("not an integer"))
            }
            fn visit_unit<E: de::Error>(self) -> std::result::Result<LenientInt, E> {
                Ok(LenientInt(0))
            }
        }
        d.deserialize_any(V)
    }
}

/// A language given as its enum name or its number.
struct LenientLanguage(LanguageCode);

impl<'de> serde::Deserialize<'de> for LenientLanguage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = LenientLanguage;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a language name or code")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<LenientLanguage, E> {
                // fastjson maps an unknown name to null; keep going with OTHER.
                Ok(LenientLanguage(
                    LanguageCode::from_name(v).unwrap_or(LanguageCode::OTHER),
                ))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<LenientLanguage, E> {
                Ok(LenientLanguage(LanguageCode(u8::try_from(v).unwrap_or(7))))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<LenientLanguage, E> {
                Ok(LenientLanguage(LanguageCode(u8::try_from(v).unwrap_or(7))))
            }
            fn visit_unit<E: de::Error>(self) -> std::result::Result<LenientLanguage, E> {
                Ok(LenientLanguage(LanguageCode::OTHER))
            }
        }
        d.deserialize_any(V)
    }
}

/// A string value that may come as a number or a boolean (kept as its text); null is None.
struct LenientString(Option<String>);

impl<'de> serde::Deserialize<'de> for LenientString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = LenientString;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<LenientString, E> {
                Ok(LenientString(Some(v.to_owned())))
            }
            fn visit_string<E: de::Error>(
                self,
                v: String,
            ) -> std::result::Result<LenientString, E> {
                Ok(LenientString(Some(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<LenientString, E> {
                Ok(LenientString(Some(v.to_string())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<LenientString, E> {
                Ok(LenientString(Some(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<LenientString, E> {
                Ok(LenientString(Some(v.to_string())))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> std::result::Result<LenientString, E> {
                Ok(LenientString(Some(v.to_string())))
            }
            fn visit_unit<E: de::Error>(self) -> std::result::Result<LenientString, E> {
                Ok(LenientString(None))
            }
        }
        d.deserialize_any(V)
    }
}

struct LenientExt(ExtFields);

impl<'de> serde::Deserialize<'de> for LenientExt {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = LenientExt;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of string values")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<LenientExt, A::Error> {
                let mut ext = ExtFields::with_capacity(map.size_hint().unwrap_or(8));
                while let Some(k) = map.next_key::<String>()? {
                    // A null value is left out, as Java leaves out null fields.
                    if let Some(v) = map.next_value::<LenientString>()?.0 {
                        ext.insert(k, v);
                    }
                }
                Ok(LenientExt(ext))
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_request_header() {
        let mut ext = ExtFields::new();
        ext.push("a", "PG");
        ext.push("i", "WAIT\u{1}true\u{2}");
        let mut cmd = RemotingCommand::request(310, ext);
        cmd.opaque = 12;
        cmd.language = LanguageCode::JAVA;
        let mut b = BytesMut::new();
        encode(&cmd, &mut b);
        assert_eq!(
            std::str::from_utf8(&b).unwrap(),
            r#"{"code":310,"extFields":{"a":"PG","i":"WAIT\u0001true\u0002"},"flag":0,"language":"JAVA","opaque":12,"serializeTypeCurrentRPC":"JSON","version":479}"#
        );
    }

    #[test]
    fn decodes_java_response() {
        let h = br#"{"code":0,"extFields":{"queueId":"3","msgId":"7F00000100002A9F0000000000000000","queueOffset":12,"MSG_REGION":"DefaultRegion","TRACE_ON":true,"n":null},"flag":1,"language":"JAVA","opaque":"12","remark":null,"serializeTypeCurrentRPC":"JSON","version":479,"other":[1,{"x":2}]}"#;
        let cmd = decode(h).unwrap();
        assert_eq!(cmd.code, 0);
        assert_eq!(cmd.flag, 1);
        assert_eq!(cmd.opaque, 12);
        assert_eq!(cmd.language, LanguageCode::JAVA);
        assert_eq!(cmd.remark, None);
        assert_eq!(cmd.ext_fields.get("queueOffset"), Some("12"));
        assert_eq!(cmd.ext_fields.get("TRACE_ON"), Some("true"));
        assert_eq!(cmd.ext_fields.get("n"), None);
    }

    #[test]
    fn language_as_number_and_unknown_name() {
        let cmd = decode(br#"{"code":1,"language":9}"#).unwrap();
        assert_eq!(cmd.language, LanguageCode::GO);
        let cmd = decode(br#"{"code":1,"language":"COBOL"}"#).unwrap();
        assert_eq!(cmd.language, LanguageCode::OTHER);
    }

    #[test]
    fn rejects_garbage() {
        assert!(decode(b"").is_err());
        assert!(decode(b"{").is_err());
        assert!(decode(b"[]").is_err());
        assert!(decode(br#"{"flag":1}"#).is_err());
        assert!(decode(br#"{"code":"x"}"#).is_err());
        assert!(decode(br#"{"code":1} trailing"#).is_err());
    }

    #[test]
    fn escapes_round_trip() {
        let mut ext = ExtFields::new();
        ext.insert("k\"\\", "v\n\t\r\u{1}\u{1f}é✓");
        let mut cmd = RemotingCommand::request(1, ext);
        cmd.remark = Some("quote \" backslash \\".into());
        let mut b = BytesMut::new();
        encode(&cmd, &mut b);
        let back = decode(&b).unwrap();
        assert_eq!(back.ext_fields, cmd.ext_fields);
        assert_eq!(back.remark, cmd.remark);
    }
}
