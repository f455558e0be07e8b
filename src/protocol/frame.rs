//! Length-prefixed frames: `total_len:i32` then `total_len` bytes (header
//! length word, header, body). A guard refuses frames over a maximum size
//! before allocating anything for them.

use bytes::{Buf, BytesMut};

use super::command::RemotingCommand;
use crate::{Error, Result};

/// The Java default maximum frame (`com.rocketmq.remoting.frameMaxLength`): 16 MiB.
pub const DEFAULT_MAX_FRAME: usize = 16 * 1024 * 1024;

/// Splits a byte stream into commands.
#[derive(Debug, Clone, Copy)]
pub struct FrameDecoder {
    max_frame: usize,
}

impl Default for FrameDecoder {
    fn default() -> Self {
        FrameDecoder {
            max_frame: DEFAULT_MAX_FRAME,
        }
    }
}

impl FrameDecoder {
    /// A decoder that refuses frames whose `total_len` exceeds `max_frame`.
    pub fn new(max_frame: usize) -> Self {
        FrameDecoder { max_frame }
    }
    pub fn max_frame(&self) -> usize {
        self.max_frame
    }

    /// How many more bytes are needed before [`decode`](Self::decode) can make
    /// progress (0 when a frame is complete). Errors on an invalid length word.
    pub fn needed(&self, src: &[u8]) -> Result<usize> {
        if src.len() < 4 {
            return Ok(4 - src.len());
        }
        let total = self.frame_len(src)?;
        Ok((4 + total).saturating_sub(src.len()))
    }

    fn frame_len(&self, src: &[u8]) -> Result<usize> {
        let total = i32::from_be_bytes([src[0], src[1], src[2], src[3]]);
        if total < 4 {
            return Err(Error::protocol(format!("invalid frame length {total}")));
        }
        let total = total as usize;
        if total > self.max_frame {
            return Err(Error::protocol(format!(
                "frame of {total} bytes exceeds the maximum of {} bytes",
                self.max_frame
            )));
        }
        Ok(total)
    }

    /// Takes one complete frame off the front of `src` and decodes it; `Ok(None)`
    /// when more bytes are needed. After an error the stream is unusable.
    pub fn decode(&self, src: &mut BytesMut) -> Result<Option<RemotingCommand>> {
        if src.len() < 4 {
            return Ok(None);
        }
        let total = self.frame_len(src)?;
        if src.len() < 4 + total {
            src.reserve(4 + total - src.len());
            return Ok(None);
        }
        src.advance(4);
        let payload = src.split_to(total).freeze();
        RemotingCommand::decode_payload(payload).map(Some)
    }
}

/// Encodes `cmd` as a frame, refusing it when it is larger than `max_frame`.
pub fn encode_frame(cmd: &RemotingCommand, max_frame: usize, dst: &mut BytesMut) -> Result<()> {
    let start = dst.len();
    cmd.encode(dst)?;
    let total = dst.len() - start - 4;
    if total > max_frame {
        dst.truncate(start);
        return Err(Error::invalid(format!(
            "frame of {total} bytes exceeds the maximum of {max_frame} bytes"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{ExtFields, SerializeType};

    fn sample(ser: SerializeType) -> RemotingCommand {
        let mut ext = ExtFields::new();
        ext.push("topic", "T");
        let mut cmd = RemotingCommand::request(105, ext).with_body(&b"body"[..]);
        cmd.opaque = 99;
        cmd.serialize_type = ser;
        cmd
    }

    #[test]
    fn round_trip_byte_by_byte() {
        for ser in [SerializeType::Json, SerializeType::RocketMq] {
            let cmd = sample(ser);
            let mut wire = BytesMut::new();
            encode_frame(&cmd, DEFAULT_MAX_FRAME, &mut wire).unwrap();
            encode_frame(&cmd, DEFAULT_MAX_FRAME, &mut wire).unwrap();
            let dec = FrameDecoder::default();
            let mut buf = BytesMut::new();
            let mut out = vec![];
            for b in wire.iter() {
                buf.extend_from_slice(&[*b]);
                while let Some(c) = dec.decode(&mut buf).unwrap() {
                    out.push(c);
                }
            }
            assert_eq!(out, vec![cmd.clone(), cmd]);
            assert!(buf.is_empty());
        }
    }

    #[test]
    fn golden_frame_layout() {
        let cmd = RemotingCommand::request(34, ExtFields::new())
            .with_serialize_type(SerializeType::RocketMq);
        let wire = cmd.encode_to_bytes().unwrap();
        // total = 4 (mark) + 21 (fixed binary header) + 0 body
        assert_eq!(&wire[..8], &[0, 0, 0, 25, 1, 0, 0, 21]);
    }

    #[test]
    fn oversized_frames_are_refused_before_reading_them() {
        let dec = FrameDecoder::new(1024);
        let mut buf = BytesMut::from(&[0u8, 0, 4, 1][..]); // 1025
        assert!(dec.decode(&mut buf).is_err());
        let mut buf = BytesMut::from(&[0xffu8, 0xff, 0xff, 0xff][..]);
        assert!(dec.decode(&mut buf).is_err());
        let mut buf = BytesMut::from(&[0u8, 0, 0, 3][..]);
        assert!(dec.decode(&mut buf).is_err());
        let big = RemotingCommand::request(1, ExtFields::new()).with_body(vec![0u8; 2000]);
        let mut out = BytesMut::new();
        assert!(encode_frame(&big, 1024, &mut out).is_err());
        assert!(out.is_empty());
    }
}
