//! Arbitrary bytes into the fastjson normalizer and the body decoders: errors
//! are fine, panics are not. Standard JSON must mean the same after
//! normalizing, and the output stays within a few times the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rocketmq::protocol::body::{fastjson, ClusterInfo, JsonBody, ResetOffsetBody, TopicRouteData};

fuzz_target!(|data: &[u8]| {
    if let Ok(out) = fastjson::normalize(data) {
        assert!(
            out.len() <= 6 * data.len() + 2,
            "{} bytes normalized to {}",
            data.len(),
            out.len()
        );
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) {
            let w: serde_json::Value =
                serde_json::from_slice(&out).expect("normalized standard JSON parses");
            assert_eq!(v, w);
        }
    }
    let _ = TopicRouteData::decode(data);
    let _ = ClusterInfo::decode(data);
    let _ = ResetOffsetBody::decode(data);
});
