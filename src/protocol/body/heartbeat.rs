//! Heartbeat bodies: `HeartbeatData` with producer and consumer data and
//! subscriptions, and the enums they carry (by Java name).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::fastjson::lenient;
use super::JsonBody;

/// How a consumer gets messages (`ConsumeType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum ConsumeType {
    /// `CONSUME_ACTIVELY`: pull and lite-pull consumers.
    #[serde(rename = "CONSUME_ACTIVELY")]
    Actively,
    /// `CONSUME_PASSIVELY`: push consumers.
    #[default]
    #[serde(rename = "CONSUME_PASSIVELY")]
    Passively,
    /// `CONSUME_POP`: pop consumers.
    #[serde(rename = "CONSUME_POP")]
    Pop,
}

impl ConsumeType {
    /// The Java enum name.
    pub fn name(self) -> &'static str {
        match self {
            ConsumeType::Actively => "CONSUME_ACTIVELY",
            ConsumeType::Passively => "CONSUME_PASSIVELY",
            ConsumeType::Pop => "CONSUME_POP",
        }
    }
}

/// Clustering or broadcasting (`MessageModel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum MessageModel {
    /// `BROADCASTING`: every consumer gets every message.
    #[serde(rename = "BROADCASTING")]
    Broadcasting,
    /// `CLUSTERING`: the group shares the queues.
    #[default]
    #[serde(rename = "CLUSTERING")]
    Clustering,
}

impl MessageModel {
    /// The Java enum name.
    pub fn name(self) -> &'static str {
        match self {
            MessageModel::Broadcasting => "BROADCASTING",
            MessageModel::Clustering => "CLUSTERING",
        }
    }
}

/// Where a new consumer group starts (`ConsumeFromWhere`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum ConsumeFromWhere {
    /// `CONSUME_FROM_LAST_OFFSET`.
    #[default]
    #[serde(rename = "CONSUME_FROM_LAST_OFFSET")]
    LastOffset,
    /// `CONSUME_FROM_LAST_OFFSET_AND_FROM_MIN_WHEN_BOOT_FIRST` (deprecated).
    #[serde(rename = "CONSUME_FROM_LAST_OFFSET_AND_FROM_MIN_WHEN_BOOT_FIRST")]
    LastOffsetAndFromMinWhenBootFirst,
    /// `CONSUME_FROM_MIN_OFFSET` (deprecated).
    #[serde(rename = "CONSUME_FROM_MIN_OFFSET")]
    MinOffset,
    /// `CONSUME_FROM_MAX_OFFSET` (deprecated).
    #[serde(rename = "CONSUME_FROM_MAX_OFFSET")]
    MaxOffset,
    /// `CONSUME_FROM_FIRST_OFFSET`.
    #[serde(rename = "CONSUME_FROM_FIRST_OFFSET")]
    FirstOffset,
    /// `CONSUME_FROM_TIMESTAMP`.
    #[serde(rename = "CONSUME_FROM_TIMESTAMP")]
    Timestamp,
}

impl ConsumeFromWhere {
    /// The Java enum name.
    pub fn name(self) -> &'static str {
        match self {
            ConsumeFromWhere::LastOffset => "CONSUME_FROM_LAST_OFFSET",
            ConsumeFromWhere::LastOffsetAndFromMinWhenBootFirst => {
                "CONSUME_FROM_LAST_OFFSET_AND_FROM_MIN_WHEN_BOOT_FIRST"
            }
            ConsumeFromWhere::MinOffset => "CONSUME_FROM_MIN_OFFSET",
            ConsumeFromWhere::MaxOffset => "CONSUME_FROM_MAX_OFFSET",
            ConsumeFromWhere::FirstOffset => "CONSUME_FROM_FIRST_OFFSET",
            ConsumeFromWhere::Timestamp => "CONSUME_FROM_TIMESTAMP",
        }
    }
}

/// Subscription expression type `TAG`.
pub const EXPRESSION_TAG: &str = "TAG";
/// Subscription expression type `SQL92`.
pub const EXPRESSION_SQL92: &str = "SQL92";
/// The subscription expression matching everything.
pub const SUB_ALL: &str = "*";

fn default_expression_type() -> String {
    EXPRESSION_TAG.to_owned()
}

/// One topic subscription of a consumer group (`SubscriptionData`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SubscriptionData {
    pub class_filter_mode: bool,
    /// Java `String.hashCode()` of each tag.
    pub code_set: BTreeSet<i32>,
    /// `TAG` or `SQL92`.
    pub expression_type: String,
    /// The expression; `*` subscribes to everything.
    pub sub_string: String,
    /// Creation time in ms; the pull header carries the same value.
    #[serde(deserialize_with = "lenient::int")]
    pub sub_version: i64,
    pub tags_set: BTreeSet<String>,
    pub topic: String,
}

impl Default for SubscriptionData {
    fn default() -> Self {
        SubscriptionData {
            class_filter_mode: false,
            code_set: BTreeSet::new(),
            expression_type: default_expression_type(),
            sub_string: SUB_ALL.to_owned(),
            sub_version: 0,
            tags_set: BTreeSet::new(),
            topic: String::new(),
        }
    }
}

/// A producer group of the client (`ProducerData`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProducerData {
    pub group_name: String,
}

/// A consumer group of the client (`ConsumerData`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConsumerData {
    pub consume_from_where: ConsumeFromWhere,
    pub consume_type: ConsumeType,
    pub group_name: String,
    pub message_model: MessageModel,
    pub subscription_data_set: Vec<SubscriptionData>,
    pub unit_mode: bool,
}

/// The HEART_BEAT (34) body (`HeartbeatData`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HeartbeatData {
    /// `clientIP@instanceName[@unitName]`; key `clientID`.
    #[serde(rename = "clientID")]
    pub client_id: String,
    pub consumer_data_set: Vec<ConsumerData>,
    /// 5.x heartbeat v2 fingerprint; 0 when unused.
    #[serde(deserialize_with = "lenient::int")]
    pub heartbeat_fingerprint: i32,
    pub producer_data_set: Vec<ProducerData>,
    /// 5.x: subscriptions left out because the fingerprint is unchanged.
    pub without_sub: bool,
}

impl JsonBody for HeartbeatData {}

/// The CHECK_CLIENT_CONFIG (46) body (`CheckClientRequestBody`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CheckClientRequestBody {
    pub client_id: String,
    pub group: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub subscription_data: SubscriptionData,
}

impl JsonBody for CheckClientRequestBody {}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sub(topic: &str, version: i64) -> SubscriptionData {
        SubscriptionData {
            topic: topic.into(),
            sub_version: version,
            ..Default::default()
        }
    }

    #[test]
    fn heartbeat_golden() {
        let hb = HeartbeatData {
            client_id: "10.0.0.5@12345#3418765210123".into(),
            consumer_data_set: vec![ConsumerData {
                consume_from_where: ConsumeFromWhere::LastOffset,
                consume_type: ConsumeType::Passively,
                group_name: "CG".into(),
                message_model: MessageModel::Clustering,
                subscription_data_set: vec![
                    sub("TopicA", 1_700_000_000_000),
                    sub("%RETRY%CG", 1_700_000_000_001),
                ],
                unit_mode: false,
            }],
            heartbeat_fingerprint: 0,
            producer_data_set: vec![
                ProducerData {
                    group_name: "CLIENT_INNER_PRODUCER".into(),
                },
                ProducerData {
                    group_name: "PG".into(),
                },
            ],
            without_sub: false,
        };
        let want = concat!(
            r#"{"clientID":"10.0.0.5@12345#3418765210123","#,
            r#""consumerDataSet":[{"consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","consumeType":"CONSUME_PASSIVELY","#,
            r#""groupName":"CG","messageModel":"CLUSTERING","#,
            r#""subscriptionDataSet":[{"classFilterMode":false,"codeSet":[],"expressionType":"TAG","subString":"*","#,
            r#""subVersion":1700000000000,"tagsSet":[],"topic":"TopicA"},"#,
            r#"{"classFilterMode":false,"codeSet":[],"expressionType":"TAG","subString":"*","subVersion":1700000000001,"#,
            r#""tagsSet":[],"topic":"%RETRY%CG"}],"#,
            r#""unitMode":false}],"#,
            r#""heartbeatFingerprint":0,"#,
            r#""producerDataSet":[{"groupName":"CLIENT_INNER_PRODUCER"},{"groupName":"PG"}],"#,
            r#""withoutSub":false}"#
        );
        assert_eq!(String::from_utf8(hb.encode().unwrap()).unwrap(), want);
        assert_eq!(HeartbeatData::decode(want.as_bytes()).unwrap(), hb);
    }

    #[test]
    fn subscription_with_tags() {
        let s = SubscriptionData {
            code_set: [2653, 2654].into_iter().collect(),
            sub_string: "TA || TB".into(),
            tags_set: ["TA".to_owned(), "TB".to_owned()].into_iter().collect(),
            topic: "T".into(),
            sub_version: 5,
            ..Default::default()
        };
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(
            json,
            r#"{"classFilterMode":false,"codeSet":[2653,2654],"expressionType":"TAG","subString":"TA || TB","subVersion":5,"tagsSet":["TA","TB"],"topic":"T"}"#
        );
        // Java-produced: a long sent as a string, unknown keys ignored.
        let j = r#"{"topic":"T","subString":"TA || TB","tagsSet":["TB","TA"],"codeSet":[2654,2653],"subVersion":"5","expressionType":"TAG","classFilterMode":false,"filterClassSource":null}"#;
        assert_eq!(serde_json::from_str::<SubscriptionData>(j).unwrap(), s);
    }

    #[test]
    fn enums_by_java_name() {
        for (t, n) in [
            (ConsumeType::Actively, "CONSUME_ACTIVELY"),
            (ConsumeType::Passively, "CONSUME_PASSIVELY"),
            (ConsumeType::Pop, "CONSUME_POP"),
        ] {
            assert_eq!(serde_json::to_string(&t).unwrap(), format!("\"{n}\""));
            assert_eq!(t.name(), n);
        }
        for m in [MessageModel::Broadcasting, MessageModel::Clustering] {
            assert_eq!(
                serde_json::to_string(&m).unwrap(),
                format!("\"{}\"", m.name())
            );
        }
        for w in [
            ConsumeFromWhere::LastOffset,
            ConsumeFromWhere::LastOffsetAndFromMinWhenBootFirst,
            ConsumeFromWhere::MinOffset,
            ConsumeFromWhere::MaxOffset,
            ConsumeFromWhere::FirstOffset,
            ConsumeFromWhere::Timestamp,
        ] {
            let j = serde_json::to_string(&w).unwrap();
            assert_eq!(j, format!("\"{}\"", w.name()));
            assert_eq!(serde_json::from_str::<ConsumeFromWhere>(&j).unwrap(), w);
        }
        assert!(serde_json::from_str::<MessageModel>("\"NOPE\"").is_err());
    }

    #[test]
    fn check_client_golden() {
        let b = CheckClientRequestBody {
            client_id: "c".into(),
            group: "G".into(),
            namespace: None,
            subscription_data: SubscriptionData {
                expression_type: EXPRESSION_SQL92.into(),
                sub_string: "a > 1".into(),
                topic: "T".into(),
                sub_version: 1,
                ..Default::default()
            },
        };
        assert_eq!(
            String::from_utf8(b.encode().unwrap()).unwrap(),
            r#"{"clientId":"c","group":"G","subscriptionData":{"classFilterMode":false,"codeSet":[],"expressionType":"SQL92","subString":"a > 1","subVersion":1,"tagsSet":[],"topic":"T"}}"#
        );
    }

    pub(crate) fn arb_subscription() -> impl Strategy<Value = SubscriptionData> {
        (
            any::<bool>(),
            proptest::collection::btree_set(any::<i32>(), 0..3),
            prop_oneof![Just("TAG".to_owned()), Just("SQL92".to_owned())],
            "\\PC{0,10}",
            any::<i64>(),
            proptest::collection::btree_set("\\PC{0,5}", 0..3),
            "\\PC{0,10}",
        )
            .prop_map(
                |(
                    class_filter_mode,
                    code_set,
                    expression_type,
                    sub_string,
                    sub_version,
                    tags_set,
                    topic,
                )| {
                    SubscriptionData {
                        class_filter_mode,
                        code_set,
                        expression_type,
                        sub_string,
                        sub_version,
                        tags_set,
                        topic,
                    }
                },
            )
    }

    pub(crate) fn arb_consume_type() -> impl Strategy<Value = ConsumeType> {
        prop_oneof![
            Just(ConsumeType::Actively),
            Just(ConsumeType::Passively),
            Just(ConsumeType::Pop)
        ]
    }

    pub(crate) fn arb_message_model() -> impl Strategy<Value = MessageModel> {
        prop_oneof![
            Just(MessageModel::Broadcasting),
            Just(MessageModel::Clustering)
        ]
    }

    pub(crate) fn arb_from_where() -> impl Strategy<Value = ConsumeFromWhere> {
        prop_oneof![
            Just(ConsumeFromWhere::LastOffset),
            Just(ConsumeFromWhere::LastOffsetAndFromMinWhenBootFirst),
            Just(ConsumeFromWhere::MinOffset),
            Just(ConsumeFromWhere::MaxOffset),
            Just(ConsumeFromWhere::FirstOffset),
            Just(ConsumeFromWhere::Timestamp),
        ]
    }

    fn arb_heartbeat() -> impl Strategy<Value = HeartbeatData> {
        let consumer = (
            arb_from_where(),
            arb_consume_type(),
            "\\PC{0,8}",
            arb_message_model(),
            proptest::collection::vec(arb_subscription(), 0..3),
            any::<bool>(),
        )
            .prop_map(
                |(
                    consume_from_where,
                    consume_type,
                    group_name,
                    message_model,
                    subscription_data_set,
                    unit_mode,
                )| {
                    ConsumerData {
                        consume_from_where,
                        consume_type,
                        group_name,
                        message_model,
                        subscription_data_set,
                        unit_mode,
                    }
                },
            );
        (
            "\\PC{0,16}",
            proptest::collection::vec(consumer, 0..3),
            any::<i32>(),
            proptest::collection::vec(
                "\\PC{0,8}".prop_map(|group_name| ProducerData { group_name }),
                0..3,
            ),
            any::<bool>(),
        )
            .prop_map(
                |(
                    client_id,
                    consumer_data_set,
                    heartbeat_fingerprint,
                    producer_data_set,
                    without_sub,
                )| HeartbeatData {
                    client_id,
                    consumer_data_set,
                    heartbeat_fingerprint,
                    producer_data_set,
                    without_sub,
                },
            )
    }

    proptest! {
        #[test]
        fn heartbeat_roundtrip(hb in arb_heartbeat()) {
            prop_assert_eq!(HeartbeatData::decode(&hb.encode().unwrap()).unwrap(), hb);
        }

        #[test]
        fn check_client_roundtrip(client_id in "\\PC{0,8}", group in "\\PC{0,8}",
            namespace in proptest::option::of("\\PC{0,4}"), subscription_data in arb_subscription()) {
            let b = CheckClientRequestBody { client_id, group, namespace, subscription_data };
            prop_assert_eq!(CheckClientRequestBody::decode(&b.encode().unwrap()).unwrap(), b);
        }

        #[test]
        fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = HeartbeatData::decode(&bytes);
        }
    }
}
