//! Arbitrary bytes into the frame decoder and both header decoders: errors are
//! fine, panics and unbounded allocation are not.
#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use rocketmq::protocol::frame::FrameDecoder;

fuzz_target!(|data: &[u8]| {
    let dec = FrameDecoder::new(1 << 20);
    let mut buf = BytesMut::from(data);
    while let Ok(Some(_)) = dec.decode(&mut buf) {}
    let _ = rocketmq::protocol::header_json::decode(data);
    let _ = rocketmq::protocol::header_binary::decode(data);
});
