//! Queue lock bodies for ordered consumption: LOCK_BATCH_MQ (41) and
//! UNLOCK_BATCH_MQ (42).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::JsonBody;
use crate::protocol::MessageQueue;

/// The LOCK_BATCH_MQ request body.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LockBatchRequestBody {
    pub client_id: String,
    pub consumer_group: String,
    pub mq_set: BTreeSet<MessageQueue>,
    pub only_this_broker: bool,
}

impl JsonBody for LockBatchRequestBody {}

/// The LOCK_BATCH_MQ response body: the queues now locked by the client.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LockBatchResponseBody {
    #[serde(rename = "lockOKMQSet")]
    pub lock_ok_mq_set: BTreeSet<MessageQueue>,
}

impl JsonBody for LockBatchResponseBody {}

/// The UNLOCK_BATCH_MQ request body.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UnlockBatchRequestBody {
    pub client_id: String,
    pub consumer_group: String,
    pub mq_set: BTreeSet<MessageQueue>,
    pub only_this_broker: bool,
}

impl JsonBody for UnlockBatchRequestBody {}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    fn value(bytes: &[u8]) -> Value {
        serde_json::from_slice(bytes).unwrap()
    }

    #[test]
    fn lock_golden() {
        let b = LockBatchRequestBody {
            client_id: "10.0.0.5@1".into(),
            consumer_group: "CG".into(),
            mq_set: [MessageQueue::new("T", "broker-a", 0)]
                .into_iter()
                .collect(),
            only_this_broker: false,
        };
        let want = br#"{"clientId":"10.0.0.5@1","consumerGroup":"CG","mqSet":[{"brokerName":"broker-a","queueId":0,"topic":"T"}],"onlyThisBroker":false}"#;
        assert_eq!(value(&b.encode().unwrap()), value(want));
        assert_eq!(LockBatchRequestBody::decode(want).unwrap(), b);
        let u = UnlockBatchRequestBody {
            client_id: b.client_id.clone(),
            consumer_group: b.consumer_group.clone(),
            mq_set: b.mq_set.clone(),
            only_this_broker: false,
        };
        assert_eq!(value(&u.encode().unwrap()), value(want));
    }

    #[test]
    fn lock_response_from_broker() {
        let r = LockBatchResponseBody::decode(br#"{"lockOKMQSet":[{"brokerName":"broker-a","queueId":0,"topic":"T"},{"brokerName":"broker-a","queueId":1,"topic":"T"}]}"#).unwrap();
        assert_eq!(r.lock_ok_mq_set.len(), 2);
        assert!(r
            .lock_ok_mq_set
            .contains(&MessageQueue::new("T", "broker-a", 1)));
        assert!(LockBatchResponseBody::decode(b"{}")
            .unwrap()
            .lock_ok_mq_set
            .is_empty());
    }

    pub(crate) fn arb_mq() -> impl Strategy<Value = MessageQueue> {
        ("\\PC{0,8}", "\\PC{0,8}", any::<i32>()).prop_map(|(t, b, q)| MessageQueue::new(t, b, q))
    }

    proptest! {
        #[test]
        fn lock_roundtrip(client_id in "\\PC{0,8}", consumer_group in "\\PC{0,8}",
            mq_set in proptest::collection::btree_set(arb_mq(), 0..4), only_this_broker in any::<bool>()) {
            let b = LockBatchRequestBody { client_id, consumer_group, mq_set, only_this_broker };
            prop_assert_eq!(LockBatchRequestBody::decode(&b.encode().unwrap()).unwrap(), b.clone());
            let u = UnlockBatchRequestBody {
                client_id: b.client_id, consumer_group: b.consumer_group, mq_set: b.mq_set.clone(),
                only_this_broker: b.only_this_broker,
            };
            prop_assert_eq!(UnlockBatchRequestBody::decode(&u.encode().unwrap()).unwrap(), u);
            let r = LockBatchResponseBody { lock_ok_mq_set: b.mq_set };
            prop_assert_eq!(LockBatchResponseBody::decode(&r.encode().unwrap()).unwrap(), r);
        }
    }
}
