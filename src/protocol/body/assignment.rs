//! 5.x queue assignment bodies: QUERY_ASSIGNMENT (400) and
//! SET_MESSAGE_REQUEST_MODE (401).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::fastjson::lenient;
use super::heartbeat::MessageModel;
use super::JsonBody;
use crate::protocol::MessageQueue;

/// How a queue is consumed (`MessageRequestMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum MessageRequestMode {
    /// `PULL`.
    #[default]
    #[serde(rename = "PULL")]
    Pull,
    /// `POP`.
    #[serde(rename = "POP")]
    Pop,
}

/// The QUERY_ASSIGNMENT request body.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct QueryAssignmentRequestBody {
    pub client_id: String,
    pub consumer_group: String,
    pub message_model: MessageModel,
    /// Allocation strategy name, e.g. `AVG`.
    pub strategy_name: String,
    pub topic: String,
}

impl JsonBody for QueryAssignmentRequestBody {}

/// One assigned queue.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MessageQueueAssignment {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachments: Option<BTreeMap<String, String>>,
    pub message_queue: MessageQueue,
    pub mode: MessageRequestMode,
}

/// The QUERY_ASSIGNMENT response body.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct QueryAssignmentResponseBody {
    pub message_queue_assignments: Vec<MessageQueueAssignment>,
}

impl JsonBody for QueryAssignmentResponseBody {}

/// The SET_MESSAGE_REQUEST_MODE request body.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SetMessageRequestModeRequestBody {
    pub consumer_group: String,
    pub mode: MessageRequestMode,
    #[serde(deserialize_with = "lenient::int")]
    pub pop_share_queue_num: i32,
    pub topic: String,
}

impl JsonBody for SetMessageRequestModeRequestBody {}

#[cfg(test)]
mod tests {
    use super::super::heartbeat::tests::arb_message_model;
    use super::super::lock::tests::arb_mq;
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn query_assignment_golden() {
        let b = QueryAssignmentRequestBody {
            client_id: "c".into(),
            consumer_group: "CG".into(),
            message_model: MessageModel::Clustering,
            strategy_name: "AVG".into(),
            topic: "T".into(),
        };
        assert_eq!(
            String::from_utf8(b.encode().unwrap()).unwrap(),
            r#"{"clientId":"c","consumerGroup":"CG","messageModel":"CLUSTERING","strategyName":"AVG","topic":"T"}"#
        );
        let r = QueryAssignmentResponseBody::decode(
            br#"{"messageQueueAssignments":[{"messageQueue":{"brokerName":"b","queueId":1,"topic":"T"},"mode":"POP","attachments":{}},{"messageQueue":{"brokerName":"b","queueId":2,"topic":"T"},"mode":"PULL"}]}"#,
        )
        .unwrap();
        assert_eq!(r.message_queue_assignments.len(), 2);
        assert_eq!(r.message_queue_assignments[0].mode, MessageRequestMode::Pop);
        assert_eq!(
            r.message_queue_assignments[1].message_queue,
            MessageQueue::new("T", "b", 2)
        );
    }

    #[test]
    fn set_mode_golden() {
        let b = SetMessageRequestModeRequestBody {
            consumer_group: "CG".into(),
            mode: MessageRequestMode::Pop,
            pop_share_queue_num: 0,
            topic: "T".into(),
        };
        assert_eq!(
            String::from_utf8(b.encode().unwrap()).unwrap(),
            r#"{"consumerGroup":"CG","mode":"POP","popShareQueueNum":0,"topic":"T"}"#
        );
    }

    proptest! {
        #[test]
        fn assignment_roundtrip(
            client_id in "\\PC{0,8}", consumer_group in "\\PC{0,8}", message_model in arb_message_model(),
            strategy_name in "\\PC{0,8}", topic in "\\PC{0,8}",
            items in proptest::collection::vec(
                (proptest::option::of(proptest::collection::btree_map("\\PC{0,4}", "\\PC{0,4}", 0..2)), arb_mq(), any::<bool>()),
                0..3),
            share in any::<i32>(),
        ) {
            let q = QueryAssignmentRequestBody { client_id, consumer_group, message_model, strategy_name, topic };
            prop_assert_eq!(QueryAssignmentRequestBody::decode(&q.encode().unwrap()).unwrap(), q.clone());
            let r = QueryAssignmentResponseBody {
                message_queue_assignments: items.into_iter().map(|(attachments, message_queue, pop)| MessageQueueAssignment {
                    attachments, message_queue,
                    mode: if pop { MessageRequestMode::Pop } else { MessageRequestMode::Pull },
                }).collect(),
            };
            prop_assert_eq!(QueryAssignmentResponseBody::decode(&r.encode().unwrap()).unwrap(), r);
            let s = SetMessageRequestModeRequestBody {
                consumer_group: q.consumer_group, mode: MessageRequestMode::Pop, pop_share_queue_num: share, topic: q.topic,
            };
            prop_assert_eq!(SetMessageRequestModeRequestBody::decode(&s.encode().unwrap()).unwrap(), s);
        }
    }
}
