//! `RemotingCommand`: one request or response of the remoting protocol.

use bytes::{Bytes, BytesMut};

use super::ext::ExtFields;
use super::{header_binary, header_json};
use crate::{Error, Result};

/// Flag bit 0: the command is a response.
pub const FLAG_RESPONSE: i32 = 1;
/// Flag bit 1: the request is oneway (no response will be sent).
pub const FLAG_ONEWAY: i32 = 2;

/// The version (Java `MQVersion` ordinal) we announce: V5_3_3. At least 401
/// makes name servers answer routes in standard JSON.
pub const DEFAULT_VERSION: i32 = 479;

/// How a header is serialized on the wire (top byte of the second frame word).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SerializeType {
    /// fastjson-compatible JSON (the Java default).
    #[default]
    Json,
    /// The compact ROCKETMQ binary layout.
    RocketMq,
}

impl SerializeType {
    pub fn code(self) -> u8 {
        match self {
            SerializeType::Json => 0,
            SerializeType::RocketMq => 1,
        }
    }
    pub fn from_code(code: u8) -> Result<Self> {
        match code {
            0 => Ok(SerializeType::Json),
            1 => Ok(SerializeType::RocketMq),
            other => Err(Error::protocol(format!(
                "unknown header serialize type {other}"
            ))),
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            SerializeType::Json => "JSON",
            SerializeType::RocketMq => "ROCKETMQ",
        }
    }
}

/// The sender's language (Java `LanguageCode`). Unknown codes are kept as is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LanguageCode(pub u8);

const LANGUAGE_NAMES: [&str; 14] = [
    "JAVA", "CPP", "DOTNET", "PYTHON", "DELPHI", "ERLANG", "RUBY", "OTHER", "HTTP", "GO", "PHP",
    "OMS", "RUST", "NODE_JS",
];

impl LanguageCode {
    pub const JAVA: LanguageCode = LanguageCode(0);
    pub const CPP: LanguageCode = LanguageCode(1);
    pub const PYTHON: LanguageCode = LanguageCode(3);
    pub const OTHER: LanguageCode = LanguageCode(7);
    pub const GO: LanguageCode = LanguageCode(9);
    /// Known to brokers from 4.9.4 on only.
    pub const RUST: LanguageCode = LanguageCode(12);

    /// The Java enum name, or `None` for a code this table does not know.
    pub fn name(self) -> Option<&'static str> {
        LANGUAGE_NAMES.get(self.0 as usize).copied()
    }
    pub fn from_name(name: &str) -> Option<Self> {
        LANGUAGE_NAMES
            .iter()
            .position(|n| *n == name)
            .map(|i| LanguageCode(i as u8))
    }
}

impl Default for LanguageCode {
    /// `OTHER`: understood by every broker version and honest about who we are.
    fn default() -> Self {
        LanguageCode::OTHER
    }
}

/// A request or a response. The custom header lives in `ext_fields`; the body
/// is kept as `Bytes` so decoding shares the frame buffer without copying.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RemotingCommand {
    pub code: i32,
    pub language: LanguageCode,
    pub version: i32,
    pub opaque: i32,
    pub flag: i32,
    pub remark: Option<String>,
    pub ext_fields: ExtFields,
    pub body: Option<Bytes>,
    /// How the header was decoded, or how it will be encoded.
    pub serialize_type: SerializeType,
}

impl RemotingCommand {
    /// A request with the given code and custom header.
    pub fn request(code: i32, ext_fields: ExtFields) -> Self {
        RemotingCommand {
            code,
            version: DEFAULT_VERSION,
            ext_fields,
            ..Default::default()
        }
    }
    /// A response with the given code and remark; `opaque` must be set to the request's.
    pub fn response(code: i32, remark: Option<String>) -> Self {
        RemotingCommand {
            code,
            version: DEFAULT_VERSION,
            flag: FLAG_RESPONSE,
            remark,
            ..Default::default()
        }
    }
    /// The response to `request`: same opaque, response flag, our serialization.
    pub fn response_to(request: &RemotingCommand, code: i32, remark: Option<String>) -> Self {
        let mut r = Self::response(code, remark);
        r.opaque = request.opaque;
        r.serialize_type = request.serialize_type;
        r
    }
    pub fn with_body(mut self, body: impl Into<Bytes>) -> Self {
        let b: Bytes = body.into();
        self.body = if b.is_empty() { None } else { Some(b) };
        self
    }
    pub fn with_serialize_type(mut self, t: SerializeType) -> Self {
        self.serialize_type = t;
        self
    }
    pub fn is_response(&self) -> bool {
        self.flag & FLAG_RESPONSE != 0
    }
    pub fn is_oneway(&self) -> bool {
        self.flag & FLAG_ONEWAY != 0
    }
    pub fn mark_oneway(&mut self) {
        self.flag |= FLAG_ONEWAY;
    }
    pub fn body_len(&self) -> usize {
        self.body.as_ref().map_or(0, |b| b.len())
    }
    /// The error this response stands for when its code is not `SUCCESS`.
    pub fn check_success(&self) -> Result<&Self> {
        if self.code == super::codes::response::SUCCESS {
            Ok(self)
        } else {
            Err(Error::broker(self.code, self.remark.as_deref()))
        }
    }

    /// Encodes the whole frame (length prefix, header, body) onto `dst`, with the
    /// header in `self.serialize_type`. A code that does not fit the binary
    /// header's 16 bits is written with a JSON header instead.
    pub fn encode(&self, dst: &mut BytesMut) -> Result<()> {
        let ser = if super::codes::needs_json_header(self.code) {
            SerializeType::Json
        } else {
            self.serialize_type
        };
        let start = dst.len();
        dst.reserve(8 + 256 + self.body_len());
        dst.extend_from_slice(&[0u8; 8]);
        match ser {
            SerializeType::Json => header_json::encode(self, dst),
            SerializeType::RocketMq => header_binary::encode(self, dst)?,
        }
        let header_len = dst.len() - start - 8;
        if header_len > 0x00FF_FFFF {
            dst.truncate(start);
            return Err(Error::invalid(format!(
                "header of {header_len} bytes does not fit 24 bits"
            )));
        }
        if let Some(body) = &self.body {
            dst.extend_from_slice(body);
        }
        let total = dst.len() - start - 4;
        if total > i32::MAX as usize {
            dst.truncate(start);
            return Err(Error::invalid("frame larger than 2 GiB"));
        }
        dst[start..start + 4].copy_from_slice(&(total as i32).to_be_bytes());
        let mark = ((ser.code() as u32) << 24) | (header_len as u32 & 0x00FF_FFFF);
        dst[start + 4..start + 8].copy_from_slice(&mark.to_be_bytes());
        Ok(())
    }

    /// Encodes into a new buffer: convenience for tests and one-off frames.
    pub fn encode_to_bytes(&self) -> Result<Bytes> {
        let mut b = BytesMut::new();
        self.encode(&mut b)?;
        Ok(b.freeze())
    }

    /// Decodes a frame's payload: everything after the 4-byte total length.
    /// The body shares `payload`'s memory.
    pub fn decode_payload(payload: Bytes) -> Result<Self> {
        if payload.len() < 4 {
            return Err(Error::protocol(format!(
                "frame of {} bytes has no header length",
                payload.len()
            )));
        }
        let mark = u32::from_be_bytes([payload[0], payload[1], payload[2], payload[3]]);
        let ser = SerializeType::from_code((mark >> 24) as u8)?;
        let header_len = (mark & 0x00FF_FFFF) as usize;
        if header_len > payload.len() - 4 {
            return Err(Error::protocol(format!(
                "header length {header_len} exceeds the frame ({} bytes)",
                payload.len() - 4
            )));
        }
        let header = &payload[4..4 + header_len];
        let mut cmd = match ser {
            SerializeType::Json => header_json::decode(header)?,
            SerializeType::RocketMq => header_binary::decode(header)?,
        };
        cmd.serialize_type = ser;
        let body = payload.slice(4 + header_len..);
        cmd.body = if body.is_empty() { None } else { Some(body) };
        Ok(cmd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_names() {
        assert_eq!(LanguageCode::JAVA.name(), Some("JAVA"));
        assert_eq!(LanguageCode::RUST.name(), Some("RUST"));
        assert_eq!(LanguageCode::from_name("GO"), Some(LanguageCode::GO));
        assert_eq!(LanguageCode(99).name(), None);
    }

    #[test]
    fn pop_codes_fall_back_to_json() {
        let cmd =
            RemotingCommand::request(super::super::codes::request::POP_MESSAGE, ExtFields::new())
                .with_serialize_type(SerializeType::RocketMq);
        let b = cmd.encode_to_bytes().unwrap();
        assert_eq!(b[4], 0, "serialize type byte must be JSON");
        let back = RemotingCommand::decode_payload(b.slice(4..)).unwrap();
        assert_eq!(back.code, 200050);
    }

    #[test]
    fn header_longer_than_frame_is_an_error() {
        let payload = Bytes::from_static(&[0, 0, 0, 10, b'{', b'}']);
        assert!(RemotingCommand::decode_payload(payload).is_err());
    }
}
