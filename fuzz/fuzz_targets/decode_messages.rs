//! Arbitrary bytes into the stored-message and batch decoders, decompression
//! on: errors are fine, panics and unbounded allocation are not. A message
//! that decodes must encode again and decode to the same message.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use rocketmq::protocol::message::{
    decode_batch, decode_messages, encode_message_ext, DecodeOptions,
};

/// Bound on a decompressed body, small enough for the fuzzer's memory limit.
const MAX_BODY: usize = 1 << 20;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let buf = Bytes::copy_from_slice(rest);
    let opts = DecodeOptions {
        decompress: true,
        max_body: MAX_BODY,
        check_crc: mode & 1 != 0,
        unwrap_inner_batch: mode & 2 != 0,
    };
    if let Ok(msgs) = decode_messages(&buf, &opts) {
        for m in &msgs {
            assert!(m.body.len() <= MAX_BODY.max(rest.len()));
        }
    }
    let _ = decode_batch(&buf);

    // Round trip of the records as stored.
    let raw = DecodeOptions {
        decompress: false,
        max_body: MAX_BODY,
        check_crc: false,
        unwrap_inner_batch: false,
    };
    if let Ok(msgs) = decode_messages(&buf, &raw) {
        for m in msgs {
            // Refused only when lossy UTF-8 made the topic or properties too long.
            let Ok(enc) = encode_message_ext(&m) else {
                continue;
            };
            let back = decode_messages(&enc, &raw).expect("an encoded message decodes");
            assert_eq!(back.len(), 1);
            let mut expected = m;
            expected.store_size = enc.len() as i32;
            assert_eq!(back[0], expected);
        }
    }
});
