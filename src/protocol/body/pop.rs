//! 5.x batch acknowledgement body: BATCH_ACK_MESSAGE (200151).

use base64::Engine;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::fastjson::lenient;
use super::JsonBody;

/// The acknowledgements of one pop batch (`BatchAck`), with Java's short keys.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BatchAck {
    /// Offsets acknowledged, as `java.util.BitSet.toByteArray()`: bit
    /// `offset - start_offset`, least significant bit first in each byte.
    #[serde(rename = "b", alias = "bitSet", with = "base64_bytes")]
    pub bit_set: Vec<u8>,
    #[serde(rename = "c", alias = "consumerGroup")]
    pub consumer_group: String,
    #[serde(
        rename = "it",
        alias = "invisibleTime",
        deserialize_with = "lenient::int"
    )]
    pub invisible_time: i64,
    #[serde(rename = "pt", alias = "popTime", deserialize_with = "lenient::int")]
    pub pop_time: i64,
    #[serde(rename = "q", alias = "queueId", deserialize_with = "lenient::int")]
    pub queue_id: i32,
    /// `"1"` for a retry topic.
    #[serde(rename = "r", alias = "retry")]
    pub retry: String,
    #[serde(
        rename = "rq",
        alias = "reviveQueueId",
        deserialize_with = "lenient::int"
    )]
    pub revive_queue_id: i32,
    #[serde(
        rename = "so",
        alias = "startOffset",
        deserialize_with = "lenient::int"
    )]
    pub start_offset: i64,
    #[serde(rename = "t", alias = "topic")]
    pub topic: String,
}

impl BatchAck {
    /// Builds the bit set for `offsets` relative to `start_offset`; offsets
    /// below the start, or more than `u16::MAX` past it, are ignored.
    pub fn bits_for(start_offset: i64, offsets: impl IntoIterator<Item = i64>) -> Vec<u8> {
        let mut bits = Vec::new();
        for off in offsets {
            let Some(i) = off.checked_sub(start_offset) else {
                continue;
            };
            if !(0..=i64::from(u16::MAX)).contains(&i) {
                continue;
            }
            let i = i as usize;
            if bits.len() <= i / 8 {
                bits.resize(i / 8 + 1, 0u8);
            }
            bits[i / 8] |= 1 << (i % 8);
        }
        bits
    }

    /// The acknowledged offsets, ascending.
    pub fn offsets(&self) -> Vec<i64> {
        let mut out = Vec::new();
        for (byte_i, b) in self.bit_set.iter().enumerate() {
            for bit in 0..8 {
                if b & (1 << bit) != 0 {
                    out.push(self.start_offset.saturating_add((byte_i * 8 + bit) as i64));
                }
            }
        }
        out
    }
}

/// The BATCH_ACK_MESSAGE request body.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BatchAckMessageRequestBody {
    pub acks: Vec<BatchAck>,
    pub broker_name: String,
}

impl JsonBody for BatchAckMessageRequestBody {}

mod base64_bytes {
    use super::*;

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = Option::<String>::deserialize(d)?.unwrap_or_default();
        base64::engine::general_purpose::STANDARD
            .decode(s.trim())
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn batch_ack_golden() {
        let bits = BatchAck::bits_for(100, [100, 102, 109]);
        assert_eq!(bits, vec![0b0000_0101, 0b0000_0010]);
        let b = BatchAckMessageRequestBody {
            broker_name: "broker-a".into(),
            acks: vec![BatchAck {
                bit_set: bits,
                consumer_group: "CG".into(),
                invisible_time: 60000,
                pop_time: 1_700_000_000_000,
                queue_id: 1,
                retry: "0".into(),
                revive_queue_id: 3,
                start_offset: 100,
                topic: "T".into(),
            }],
        };
        let want = r#"{"acks":[{"b":"BQI=","c":"CG","it":60000,"pt":1700000000000,"q":1,"r":"0","rq":3,"so":100,"t":"T"}],"brokerName":"broker-a"}"#;
        assert_eq!(String::from_utf8(b.encode().unwrap()).unwrap(), want);
        assert_eq!(
            BatchAckMessageRequestBody::decode(want.as_bytes()).unwrap(),
            b
        );
        assert_eq!(b.acks[0].offsets(), vec![100, 102, 109]);
        let long = r#"{"acks":[{"bitSet":"AQ==","consumerGroup":"CG","startOffset":"5","queueId":0,"topic":"T"}],"brokerName":"b"}"#;
        let l = BatchAckMessageRequestBody::decode(long.as_bytes()).unwrap();
        assert_eq!(l.acks[0].offsets(), vec![5]);
        assert!(BatchAckMessageRequestBody::decode(br#"{"acks":[{"b":"!!"}]}"#).is_err());
    }

    proptest! {
        #[test]
        fn bits_roundtrip(start in -1000i64..1_000_000, rel in proptest::collection::btree_set(0i64..2000, 0..20)) {
            let offsets: Vec<i64> = rel.iter().map(|r| start + r).collect();
            let ack = BatchAck { bit_set: BatchAck::bits_for(start, offsets.clone()), start_offset: start, ..Default::default() };
            prop_assert_eq!(ack.offsets(), offsets);
            let body = BatchAckMessageRequestBody { acks: vec![ack], broker_name: "b".into() };
            prop_assert_eq!(BatchAckMessageRequestBody::decode(&body.encode().unwrap()).unwrap(), body);
        }
    }
}
