//! Message body compression: zlib stream, LZ4 frame and zstd frame, chosen by
//! the compression-type bits of a message's sysFlag.
//!
//! Decompression is bounded: output larger than the caller's `max_out` is an
//! error, so a small compressed body cannot expand without limit.

use std::io::{Read, Write};

use crate::{Error, ErrorKind, Result};

/// Mask of the compression-type bits in a sysFlag (`(flag & mask) >> 8`).
pub const COMPRESSION_TYPE_MASK: i32 = 0x700;

/// The default compression level of the Java producer
/// (`rocketmq.message.compressLevel`).
pub const DEFAULT_LEVEL: i32 = 5;

/// A body compression algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompressionType {
    /// zlib stream (2-byte header, deflate data, adler32 trailer).
    Zlib,
    /// LZ4 frame format with independent blocks.
    Lz4,
    /// Standard zstd frame.
    Zstd,
}

impl CompressionType {
    /// The sysFlag bits that mark this algorithm (LZ4 `0x100`, ZSTD `0x200`, ZLIB `0x300`).
    pub fn sys_flag(self) -> i32 {
        match self {
            CompressionType::Lz4 => 0x100,
            CompressionType::Zstd => 0x200,
            CompressionType::Zlib => 0x300,
        }
    }

    /// The numeric type value (LZ4 1, ZSTD 2, ZLIB 3).
    pub fn value(self) -> i32 {
        self.sys_flag() >> 8
    }

    /// The algorithm selected by `(sys_flag & 0x700) >> 8`: 0 or 3 is zlib
    /// (0 is what senders that predate the type bits write), 1 LZ4, 2 zstd.
    pub fn from_sys_flag(sys_flag: i32) -> Result<Self> {
        match (sys_flag & COMPRESSION_TYPE_MASK) >> 8 {
            0 | 3 => Ok(CompressionType::Zlib),
            1 => Ok(CompressionType::Lz4),
            2 => Ok(CompressionType::Zstd),
            other => Err(Error::new(
                ErrorKind::Compression,
                format!("unknown compression type {other} in sysFlag {sys_flag:#x}"),
            )),
        }
    }

    /// Parses `ZLIB`, `LZ4` or `ZSTD` (case-insensitive, surrounding blanks ignored).
    pub fn from_name(name: &str) -> Option<Self> {
        let name = name.trim();
        if name.eq_ignore_ascii_case("ZLIB") {
            Some(CompressionType::Zlib)
        } else if name.eq_ignore_ascii_case("LZ4") {
            Some(CompressionType::Lz4)
        } else if name.eq_ignore_ascii_case("ZSTD") {
            Some(CompressionType::Zstd)
        } else {
            None
        }
    }

    /// Upper-case name: `ZLIB`, `LZ4` or `ZSTD`.
    pub fn name(self) -> &'static str {
        match self {
            CompressionType::Zlib => "ZLIB",
            CompressionType::Lz4 => "LZ4",
            CompressionType::Zstd => "ZSTD",
        }
    }
}

fn compression_error(ty: CompressionType, what: &str, e: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Compression, format!("{} {what}: {e}", ty.name()))
}

/// Compresses `data` with `ty`. `level` is clamped to the algorithm's range
/// (zlib 0..=9, a negative value meaning the zlib default 6; zstd its own
/// range); LZ4 ignores it.
pub fn compress(data: &[u8], ty: CompressionType, level: i32) -> Result<Vec<u8>> {
    let err = |e: std::io::Error| compression_error(ty, "compression failed", e);
    match ty {
        CompressionType::Zlib => {
            let level = if level < 0 { 6 } else { level.min(9) as u32 };
            let mut enc = flate2::write::ZlibEncoder::new(
                Vec::with_capacity(data.len() / 2 + 64),
                flate2::Compression::new(level),
            );
            enc.write_all(data).map_err(err)?;
            enc.finish().map_err(err)
        }
        CompressionType::Lz4 => {
            // Independent blocks of at most 64 KiB: the frame variant every
            // LZ4 frame reader accepts.
            let info = lz4_flex::frame::FrameInfo::new()
                .block_size(lz4_flex::frame::BlockSize::Max64KB)
                .block_mode(lz4_flex::frame::BlockMode::Independent)
                .content_checksum(true);
            let mut enc = lz4_flex::frame::FrameEncoder::with_frame_info(
                info,
                Vec::with_capacity(data.len() / 2 + 64),
            );
            enc.write_all(data).map_err(err)?;
            enc.finish()
                .map_err(|e| compression_error(ty, "compression failed", e))
        }
        CompressionType::Zstd => {
            let range = zstd::compression_level_range();
            let level = level.clamp(*range.start(), *range.end());
            // One-shot compression records the content size in the frame
            // header, which keeps the window (and the reader's memory) small.
            zstd::bulk::compress(data, level).map_err(err)
        }
    }
}

/// Reads everything from `r`, failing once more than `max_out` bytes come out.
fn read_bounded<R: Read>(
    r: R,
    ty: CompressionType,
    hint: usize,
    max_out: usize,
) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(hint.min(max_out).min(1 << 20));
    let limit = (max_out as u64).saturating_add(1);
    r.take(limit)
        .read_to_end(&mut out)
        .map_err(|e| compression_error(ty, "decompression failed", e))?;
    if out.len() > max_out {
        return Err(Error::new(
            ErrorKind::Compression,
            format!(
                "{} body decompresses to more than {max_out} bytes",
                ty.name()
            ),
        ));
    }
    Ok(out)
}

/// Decompresses `data` with `ty`, producing at most `max_out` bytes.
///
/// Empty input is an error for every algorithm (a valid stream is never empty).
pub fn decompress(data: &[u8], ty: CompressionType, max_out: usize) -> Result<Vec<u8>> {
    if data.is_empty() {
        return Err(compression_error(ty, "decompression failed", "empty input"));
    }
    let hint = data.len().saturating_mul(4);
    match ty {
        CompressionType::Zlib => {
            let dec = flate2::read::ZlibDecoder::new(data);
            let out = read_bounded(dec, ty, hint, max_out)?;
            Ok(out)
        }
        CompressionType::Lz4 => {
            let dec = lz4_flex::frame::FrameDecoder::new(data);
            read_bounded(dec, ty, hint, max_out)
        }
        CompressionType::Zstd => {
            let mut dec = zstd::stream::read::Decoder::with_buffer(data)
                .map_err(|e| compression_error(ty, "decompression failed", e))?;
            // The window a frame may ask for is capped at 2^27 bytes (the
            // usual decoder ceiling, which streaming encoders at the highest
            // levels reach); the output itself is bounded by `max_out`.
            dec.window_log_max(27)
                .map_err(|e| compression_error(ty, "decompression failed", e))?;
            read_bounded(dec, ty, hint, max_out)
        }
    }
}

/// Decompresses a message body according to its sysFlag's compression-type
/// bits (see [`CompressionType::from_sys_flag`]), producing at most `max_out` bytes.
pub fn decompress_by_sysflag(data: &[u8], sys_flag: i32, max_out: usize) -> Result<Vec<u8>> {
    decompress(data, CompressionType::from_sys_flag(sys_flag)?, max_out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ALL: [CompressionType; 3] = [
        CompressionType::Zlib,
        CompressionType::Lz4,
        CompressionType::Zstd,
    ];

    #[test]
    fn flags_and_values() {
        assert_eq!(CompressionType::Zlib.sys_flag(), 0x300);
        assert_eq!(CompressionType::Lz4.sys_flag(), 0x100);
        assert_eq!(CompressionType::Zstd.sys_flag(), 0x200);
        assert_eq!(CompressionType::Zlib.value(), 3);
        assert_eq!(CompressionType::Lz4.value(), 1);
        assert_eq!(CompressionType::Zstd.value(), 2);
        assert_eq!(
            CompressionType::from_sys_flag(0x1).unwrap(),
            CompressionType::Zlib
        );
        assert_eq!(
            CompressionType::from_sys_flag(0x301).unwrap(),
            CompressionType::Zlib
        );
        assert_eq!(
            CompressionType::from_sys_flag(0x101).unwrap(),
            CompressionType::Lz4
        );
        assert_eq!(
            CompressionType::from_sys_flag(0x201).unwrap(),
            CompressionType::Zstd
        );
        for t in 4..8 {
            let e = CompressionType::from_sys_flag(t << 8 | 1).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Compression);
        }
        assert_eq!(
            CompressionType::from_name(" lz4 "),
            Some(CompressionType::Lz4)
        );
        assert_eq!(
            CompressionType::from_name("Zstd"),
            Some(CompressionType::Zstd)
        );
        assert_eq!(
            CompressionType::from_name("ZLIB"),
            Some(CompressionType::Zlib)
        );
        assert_eq!(CompressionType::from_name("gzip"), None);
        for t in ALL {
            assert_eq!(CompressionType::from_name(t.name()), Some(t));
        }
    }

    #[test]
    fn zlib_is_a_zlib_stream() {
        let z = compress(b"hello hello hello", CompressionType::Zlib, 5).unwrap();
        // CMF 0x78 (deflate, 32K window); (CMF*256 + FLG) % 31 == 0.
        assert_eq!(z[0], 0x78);
        assert_eq!((u16::from(z[0]) * 256 + u16::from(z[1])) % 31, 0);
        // adler32 of the input as the big-endian trailer.
        let adler = {
            let (mut a, mut b) = (1u32, 0u32);
            for &c in b"hello hello hello" {
                a = (a + u32::from(c)) % 65521;
                b = (b + a) % 65521;
            }
            (b << 16) | a
        };
        assert_eq!(z[z.len() - 4..], adler.to_be_bytes());
    }

    #[test]
    fn zlib_golden_stream_decodes() {
        // A zlib stream of "abc" at the default level, as written by any zlib
        // implementation: header 78 9C, fixed-Huffman block, adler32 024D0127.
        let z = [
            0x78, 0x9C, 0x4B, 0x4C, 0x4A, 0x06, 0x00, 0x02, 0x4D, 0x01, 0x27,
        ];
        assert_eq!(decompress_by_sysflag(&z, 0x1, 100).unwrap(), b"abc");
        assert_eq!(decompress_by_sysflag(&z, 0x301, 100).unwrap(), b"abc");
        // Raw deflate (no header) is not accepted.
        assert!(decompress_by_sysflag(&z[2..], 0x1, 100).is_err());
    }

    #[test]
    fn lz4_is_an_independent_block_frame() {
        let z = compress(&[7u8; 1000], CompressionType::Lz4, 5).unwrap();
        assert_eq!(z[..4], [0x04, 0x22, 0x4D, 0x18]); // frame magic, little-endian
        let flg = z[4];
        assert_eq!(flg >> 6, 1, "version 01");
        assert_ne!(flg & 0x20, 0, "block independence");
        assert_eq!(
            decompress(&z, CompressionType::Lz4, 1000).unwrap(),
            vec![7u8; 1000]
        );
    }

    #[test]
    fn zstd_is_a_standard_frame() {
        let z = compress(b"zstd body", CompressionType::Zstd, 5).unwrap();
        assert_eq!(z[..4], [0x28, 0xB5, 0x2F, 0xFD]);
        assert_eq!(decompress_by_sysflag(&z, 0x201, 9).unwrap(), b"zstd body");
    }

    #[test]
    fn zstd_streaming_frame_without_content_size_decodes() {
        // Streaming encoders do not record the content size and use the
        // level's full window.
        for level in [5, 19, 22] {
            let z = zstd::stream::encode_all(&b"streamed"[..], level).unwrap();
            assert_eq!(
                decompress(&z, CompressionType::Zstd, 8).unwrap(),
                b"streamed"
            );
        }
    }

    #[test]
    fn max_out_guard() {
        let big = vec![0u8; 1 << 20];
        for t in ALL {
            let z = compress(&big, t, DEFAULT_LEVEL).unwrap();
            assert!(z.len() < big.len() / 50, "{t:?} compresses zeros well");
            assert_eq!(decompress(&z, t, big.len()).unwrap().len(), big.len());
            let e = decompress(&z, t, big.len() - 1).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Compression, "{t:?}");
            assert!(decompress(&z, t, 0).is_err());
        }
    }

    #[test]
    fn empty_and_truncated_input_fail() {
        for t in ALL {
            assert!(decompress(&[], t, 100).is_err(), "{t:?}");
            let z = compress(b"some body that is long enough to matter", t, 5).unwrap();
            assert!(decompress(&z[..z.len() / 2], t, 100).is_err(), "{t:?}");
            assert!(decompress(&z[..z.len() - 1], t, 100).is_err(), "{t:?}");
        }
        // Compressing nothing still gives a stream that decompresses to nothing.
        for t in ALL {
            let z = compress(&[], t, 5).unwrap();
            assert!(decompress(&z, t, 0).unwrap().is_empty(), "{t:?}");
        }
    }

    #[test]
    fn levels_are_clamped() {
        for level in [-100, -1, 0, 1, 9, 10, 22, 1000] {
            for t in ALL {
                let z = compress(b"level", t, level).unwrap();
                assert_eq!(decompress(&z, t, 5).unwrap(), b"level");
            }
        }
    }

    fn any_type() -> impl Strategy<Value = CompressionType> {
        prop::sample::select(ALL.to_vec())
    }

    proptest! {
        #[test]
        fn round_trip(data in prop::collection::vec(any::<u8>(), 0..4096), t in any_type(), level in 0i32..10) {
            let z = compress(&data, t, level).unwrap();
            prop_assert_eq!(decompress_by_sysflag(&z, t.sys_flag() | 1, data.len()).unwrap(), data);
        }

        #[test]
        fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..512), flag in any::<i32>(), max in 0usize..4096) {
            if let Ok(out) = decompress_by_sysflag(&data, flag, max) {
                prop_assert!(out.len() <= max);
            }
        }

        #[test]
        fn corrupted_streams_never_panic(data in prop::collection::vec(any::<u8>(), 1..512), t in any_type(), pos in any::<prop::sample::Index>(), byte in any::<u8>()) {
            let mut z = compress(&data, t, 5).unwrap();
            let i = pos.index(z.len());
            z[i] = byte;
            if let Ok(out) = decompress(&z, t, 1024) {
                prop_assert!(out.len() <= 1024);
            }
        }
    }
}
