//! Consumer-management bodies: consumer lists, offset resets, consumer
//! status and running info (answered by the client), connections, and
//! direct-consumption results.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::fastjson::{self, lenient, mq_map, mq_offset_map, write_mq_key_map, ObjectWriter};
use super::heartbeat::{ConsumeFromWhere, ConsumeType, MessageModel, SubscriptionData};
use super::JsonBody;
use crate::protocol::MessageQueue;
use crate::Result;

/// The GET_CONSUMER_LIST_BY_GROUP response body
/// (`GetConsumerListByGroupResponseBody`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConsumerListBody {
    /// Client ids of the group's consumers.
    pub consumer_id_list: Vec<String>,
}

impl JsonBody for ConsumerListBody {}

/// The RESET_CONSUMER_CLIENT_OFFSET body (`ResetOffsetBody`): new offsets
/// per queue, an object-keyed map on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ResetOffsetBody {
    #[serde(with = "mq_offset_map")]
    pub offset_table: BTreeMap<MessageQueue, i64>,
}

impl JsonBody for ResetOffsetBody {
    /// Reads the object-keyed form, the gson pair-array form, or the
    /// [`ResetOffsetBodyForC`] form.
    fn decode(bytes: &[u8]) -> Result<Self> {
        match fastjson::from_slice::<ResetOffsetBody>(bytes) {
            Ok(b) => Ok(b),
            Err(e) => match fastjson::from_slice::<ResetOffsetBodyForC>(bytes) {
                Ok(c) => Ok(ResetOffsetBody {
                    offset_table: c.into_offset_table(),
                }),
                Err(_) => Err(e),
            },
        }
    }
    /// Writes the object-keyed form Java parses.
    fn encode(&self) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(64 + 64 * self.offset_table.len());
        let mut w = ObjectWriter::new(&mut out);
        w.mq_map_field("offsetTable", &self.offset_table)?;
        w.finish();
        Ok(out)
    }
}

/// One queue and offset of [`ResetOffsetBodyForC`] (`MessageQueueForC`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MessageQueueForC {
    pub broker_name: String,
    #[serde(deserialize_with = "lenient::int")]
    pub offset: i64,
    #[serde(deserialize_with = "lenient::int")]
    pub queue_id: i32,
    pub topic: String,
}

/// The reset body sent to C++ clients: `{"offsetTable":[{topic,brokerName,queueId,offset},...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ResetOffsetBodyForC {
    pub offset_table: Vec<MessageQueueForC>,
}

impl JsonBody for ResetOffsetBodyForC {}

impl ResetOffsetBodyForC {
    /// The offsets keyed by queue.
    pub fn into_offset_table(self) -> BTreeMap<MessageQueue, i64> {
        self.offset_table
            .into_iter()
            .map(|e| {
                (
                    MessageQueue::new(e.topic, e.broker_name, e.queue_id),
                    e.offset,
                )
            })
            .collect()
    }
}

/// The GET_CONSUMER_STATUS_FROM_CLIENT reply body (`GetConsumerStatusBody`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GetConsumerStatusBody {
    /// Client id to that client's offsets.
    #[serde(with = "nested_offset_map")]
    pub consumer_table: BTreeMap<String, BTreeMap<MessageQueue, i64>>,
    /// The consumer's offset per queue.
    #[serde(with = "mq_offset_map")]
    pub message_queue_table: BTreeMap<MessageQueue, i64>,
}

impl JsonBody for GetConsumerStatusBody {
    /// Writes object-keyed maps, as Java expects.
    fn encode(&self) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(64 + 64 * self.message_queue_table.len());
        let mut w = ObjectWriter::new(&mut out);
        w.raw_field("consumerTable", |out| {
            out.push(b'{');
            for (i, (client, table)) in self.consumer_table.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                serde_json::to_writer(&mut *out, client).map_err(fastjson::ser_error)?;
                out.push(b':');
                write_mq_key_map(out, table)?;
            }
            out.push(b'}');
            Ok(())
        })?;
        w.mq_map_field("messageQueueTable", &self.message_queue_table)?;
        w.finish();
        Ok(out)
    }
}

mod nested_offset_map {
    use super::*;

    #[derive(Deserialize)]
    #[serde(transparent)]
    struct Inner(#[serde(with = "mq_offset_map")] BTreeMap<MessageQueue, i64>);

    struct InnerRef<'a>(&'a BTreeMap<MessageQueue, i64>);

    impl Serialize for InnerRef<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
            mq_offset_map::serialize(self.0, s)
        }
    }

    pub fn serialize<S: Serializer>(
        map: &BTreeMap<String, BTreeMap<MessageQueue, i64>>,
        s: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        s.collect_map(map.iter().map(|(k, v)| (k, InnerRef(v))))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> std::result::Result<BTreeMap<String, BTreeMap<MessageQueue, i64>>, D::Error> {
        let m = Option::<BTreeMap<String, Inner>>::deserialize(d)?.unwrap_or_default();
        Ok(m.into_iter().map(|(k, v)| (k, v.0)).collect())
    }
}

/// The state of one process queue of a push consumer (`ProcessQueueInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProcessQueueInfo {
    #[serde(deserialize_with = "lenient::int")]
    pub cached_msg_count: i32,
    #[serde(deserialize_with = "lenient::int")]
    pub cached_msg_max_offset: i64,
    #[serde(deserialize_with = "lenient::int")]
    pub cached_msg_min_offset: i64,
    #[serde(rename = "cachedMsgSizeInMiB", deserialize_with = "lenient::int")]
    pub cached_msg_size_in_mib: i32,
    #[serde(deserialize_with = "lenient::int")]
    pub commit_offset: i64,
    /// Java spells it `droped`.
    pub droped: bool,
    #[serde(deserialize_with = "lenient::int")]
    pub last_consume_timestamp: i64,
    #[serde(deserialize_with = "lenient::int")]
    pub last_lock_timestamp: i64,
    #[serde(deserialize_with = "lenient::int")]
    pub last_pull_timestamp: i64,
    pub locked: bool,
    #[serde(deserialize_with = "lenient::int")]
    pub transaction_msg_count: i32,
    #[serde(deserialize_with = "lenient::int")]
    pub transaction_msg_max_offset: i64,
    #[serde(deserialize_with = "lenient::int")]
    pub transaction_msg_min_offset: i64,
    #[serde(deserialize_with = "lenient::int")]
    pub try_unlock_times: i64,
}

/// The state of one pop queue (`PopProcessQueueInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PopProcessQueueInfo {
    /// Java spells it `droped`.
    pub droped: bool,
    #[serde(deserialize_with = "lenient::int")]
    pub last_pop_timestamp: i64,
    #[serde(deserialize_with = "lenient::int")]
    pub wait_ack_count: i32,
}

/// Consumption statistics of one topic (`ConsumeStatus`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ConsumeStatus {
    #[serde(rename = "consumeFailedMsgs", deserialize_with = "lenient::int")]
    pub consume_failed_msgs: i64,
    #[serde(rename = "consumeFailedTPS", deserialize_with = "lenient::float")]
    pub consume_failed_tps: f64,
    #[serde(rename = "consumeOKTPS", deserialize_with = "lenient::float")]
    pub consume_ok_tps: f64,
    #[serde(rename = "consumeRT", deserialize_with = "lenient::float")]
    pub consume_rt: f64,
    #[serde(rename = "pullRT", deserialize_with = "lenient::float")]
    pub pull_rt: f64,
    #[serde(rename = "pullTPS", deserialize_with = "lenient::float")]
    pub pull_tps: f64,
}

/// The GET_CONSUMER_RUNNING_INFO reply body (`ConsumerRunningInfo`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConsumerRunningInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jstack: Option<String>,
    #[serde(with = "mq_map")]
    pub mq_pop_table: BTreeMap<MessageQueue, PopProcessQueueInfo>,
    #[serde(with = "mq_map")]
    pub mq_table: BTreeMap<MessageQueue, ProcessQueueInfo>,
    /// Consumer configuration and the `PROP_*` entries.
    pub properties: BTreeMap<String, String>,
    /// Topic to statistics.
    pub status_table: BTreeMap<String, ConsumeStatus>,
    pub subscription_set: Vec<SubscriptionData>,
    pub user_consumer_info: BTreeMap<String, String>,
}

impl ConsumerRunningInfo {
    /// Name server addresses, `;`-terminated.
    pub const PROP_NAMESERVER_ADDR: &'static str = "PROP_NAMESERVER_ADDR";
    /// Consumer thread pool core size.
    pub const PROP_THREADPOOL_CORE_SIZE: &'static str = "PROP_THREADPOOL_CORE_SIZE";
    /// Whether consumption is orderly (the key text is `PROP_CONSUMEORDERLY`).
    pub const PROP_CONSUME_ORDERLY: &'static str = "PROP_CONSUMEORDERLY";
    /// The consume type name, e.g. `CONSUME_PASSIVELY`.
    pub const PROP_CONSUME_TYPE: &'static str = "PROP_CONSUME_TYPE";
    /// The client version, e.g. `V5_3_3`.
    pub const PROP_CLIENT_VERSION: &'static str = "PROP_CLIENT_VERSION";
    /// The consumer's start time in ms.
    pub const PROP_CONSUMER_START_TIMESTAMP: &'static str = "PROP_CONSUMER_START_TIMESTAMP";
}

impl JsonBody for ConsumerRunningInfo {
    /// Writes object-keyed `mqTable` and `mqPopTable`, as Java expects.
    fn encode(&self) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(512 + 256 * self.mq_table.len());
        let mut w = ObjectWriter::new(&mut out);
        w.opt_field("jstack", &self.jstack)?;
        w.mq_map_field("mqPopTable", &self.mq_pop_table)?;
        w.mq_map_field("mqTable", &self.mq_table)?;
        w.field("properties", &self.properties)?;
        w.field("statusTable", &self.status_table)?;
        w.field("subscriptionSet", &self.subscription_set)?;
        w.field("userConsumerInfo", &self.user_consumer_info)?;
        w.finish();
        Ok(out)
    }
}

/// One client connection (`Connection`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Connection {
    pub client_addr: String,
    pub client_id: String,
    /// Language name, e.g. `JAVA`.
    pub language: String,
    #[serde(deserialize_with = "lenient::int")]
    pub version: i32,
}

/// The GET_CONSUMER_CONNECTION_LIST response body (`ConsumerConnection`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConsumerConnection {
    pub connection_set: Vec<Connection>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consume_from_where: Option<ConsumeFromWhere>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consume_type: Option<ConsumeType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_model: Option<MessageModel>,
    /// Topic to subscription.
    pub subscription_table: BTreeMap<String, SubscriptionData>,
}

impl JsonBody for ConsumerConnection {}

/// The result of consuming one message on request (`CMResult`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CMResult {
    #[serde(rename = "CR_SUCCESS")]
    Success,
    #[serde(rename = "CR_LATER")]
    Later,
    #[serde(rename = "CR_ROLLBACK")]
    Rollback,
    #[serde(rename = "CR_COMMIT")]
    Commit,
    #[serde(rename = "CR_THROW_EXCEPTION")]
    ThrowException,
    #[serde(rename = "CR_RETURN_NULL")]
    ReturnNull,
}

/// The CONSUME_MESSAGE_DIRECTLY reply body (`ConsumeMessageDirectlyResult`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConsumeMessageDirectlyResult {
    pub auto_commit: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consume_result: Option<CMResult>,
    pub order: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
    /// Java spells it `spentTimeMills`.
    #[serde(deserialize_with = "lenient::int")]
    pub spent_time_mills: i64,
}

impl Default for ConsumeMessageDirectlyResult {
    fn default() -> Self {
        ConsumeMessageDirectlyResult {
            auto_commit: true,
            consume_result: None,
            order: false,
            remark: None,
            spent_time_mills: 0,
        }
    }
}

impl JsonBody for ConsumeMessageDirectlyResult {}

#[cfg(test)]
mod tests {
    use super::super::heartbeat::tests::{
        arb_consume_type, arb_from_where, arb_message_model, arb_subscription,
    };
    use super::super::lock::tests::arb_mq;
    use super::*;
    use proptest::prelude::*;

    fn mq(q: i32) -> MessageQueue {
        MessageQueue::new("T", "broker-a", q)
    }

    #[test]
    fn consumer_list() {
        let b =
            ConsumerListBody::decode(br#"{"consumerIdList":["10.0.0.1@a","10.0.0.2@b"]}"#).unwrap();
        assert_eq!(b.consumer_id_list, ["10.0.0.1@a", "10.0.0.2@b"]);
        assert_eq!(
            String::from_utf8(b.encode().unwrap()).unwrap(),
            r#"{"consumerIdList":["10.0.0.1@a","10.0.0.2@b"]}"#
        );
    }

    #[test]
    fn reset_offset_object_keys() {
        let body = br#"{"offsetTable":{{"brokerName":"broker-a","queueId":0,"topic":"T"}:1234,{"brokerName":"broker-a","queueId":1,"topic":"T"}:99}}"#;
        let b = ResetOffsetBody::decode(body).unwrap();
        assert_eq!(
            b.offset_table,
            [(mq(0), 1234), (mq(1), 99)].into_iter().collect()
        );
        assert_eq!(b.encode().unwrap(), body.to_vec());
        let c = br#"{"offsetTable":[{"brokerName":"broker-a","offset":1234,"queueId":0,"topic":"T"},{"topic":"T","brokerName":"broker-a","queueId":1,"offset":99}]}"#;
        assert_eq!(ResetOffsetBody::decode(c).unwrap(), b);
        let gson = br#"{"offsetTable":[[{"brokerName":"broker-a","queueId":0,"topic":"T"},1234],[{"brokerName":"broker-a","queueId":1,"topic":"T"},99]]}"#;
        assert_eq!(ResetOffsetBody::decode(gson).unwrap(), b);
        let e =
            ResetOffsetBody::decode(br#"{"offsetTable":{{"brokerName":"b"}:"x"}}"#).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Protocol);
    }

    #[test]
    fn consumer_status_golden() {
        let b = GetConsumerStatusBody {
            consumer_table: BTreeMap::new(),
            message_queue_table: [(mq(0), 5), (mq(1), 7)].into_iter().collect(),
        };
        let want = r#"{"consumerTable":{},"messageQueueTable":{{"brokerName":"broker-a","queueId":0,"topic":"T"}:5,{"brokerName":"broker-a","queueId":1,"topic":"T"}:7}}"#;
        assert_eq!(String::from_utf8(b.encode().unwrap()).unwrap(), want);
        assert_eq!(GetConsumerStatusBody::decode(want.as_bytes()).unwrap(), b);
        let nested = GetConsumerStatusBody {
            consumer_table: [("c1".to_owned(), [(mq(2), 3)].into_iter().collect())]
                .into_iter()
                .collect(),
            message_queue_table: BTreeMap::new(),
        };
        let want = r#"{"consumerTable":{"c1":{{"brokerName":"broker-a","queueId":2,"topic":"T"}:3}},"messageQueueTable":{}}"#;
        assert_eq!(String::from_utf8(nested.encode().unwrap()).unwrap(), want);
        assert_eq!(
            GetConsumerStatusBody::decode(want.as_bytes()).unwrap(),
            nested
        );
    }

    #[test]
    fn running_info_golden() {
        let mut info = ConsumerRunningInfo::default();
        info.properties.insert(
            ConsumerRunningInfo::PROP_CONSUME_TYPE.into(),
            "CONSUME_PASSIVELY".into(),
        );
        info.properties.insert(
            ConsumerRunningInfo::PROP_CONSUME_ORDERLY.into(),
            "false".into(),
        );
        info.mq_table.insert(
            mq(0),
            ProcessQueueInfo {
                commit_offset: 10,
                cached_msg_count: 2,
                cached_msg_size_in_mib: 1,
                droped: false,
                locked: true,
                ..Default::default()
            },
        );
        info.mq_pop_table.insert(
            mq(1),
            PopProcessQueueInfo {
                droped: true,
                last_pop_timestamp: 5,
                wait_ack_count: 3,
            },
        );
        info.status_table.insert(
            "T".into(),
            ConsumeStatus {
                consume_failed_msgs: 1,
                consume_ok_tps: 2.5,
                ..Default::default()
            },
        );
        let want = concat!(
            r#"{"mqPopTable":{{"brokerName":"broker-a","queueId":1,"topic":"T"}:{"droped":true,"lastPopTimestamp":5,"waitAckCount":3}},"#,
            r#""mqTable":{{"brokerName":"broker-a","queueId":0,"topic":"T"}:{"cachedMsgCount":2,"cachedMsgMaxOffset":0,"#,
            r#""cachedMsgMinOffset":0,"cachedMsgSizeInMiB":1,"commitOffset":10,"droped":false,"lastConsumeTimestamp":0,"#,
            r#""lastLockTimestamp":0,"lastPullTimestamp":0,"locked":true,"transactionMsgCount":0,"transactionMsgMaxOffset":0,"#,
            r#""transactionMsgMinOffset":0,"tryUnlockTimes":0}},"#,
            r#""properties":{"PROP_CONSUMEORDERLY":"false","PROP_CONSUME_TYPE":"CONSUME_PASSIVELY"},"#,
            r#""statusTable":{"T":{"consumeFailedMsgs":1,"consumeFailedTPS":0.0,"consumeOKTPS":2.5,"consumeRT":0.0,"pullRT":0.0,"pullTPS":0.0}},"#,
            r#""subscriptionSet":[],"userConsumerInfo":{}}"#
        );
        assert_eq!(String::from_utf8(info.encode().unwrap()).unwrap(), want);
        assert_eq!(ConsumerRunningInfo::decode(want.as_bytes()).unwrap(), info);
        // fastjson writes NaN rates as null.
        let nan = br#"{"statusTable":{"T":{"consumeRT":null,"pullTPS":"1.5"}}}"#;
        let r = ConsumerRunningInfo::decode(nan).unwrap();
        assert_eq!(r.status_table["T"].pull_tps, 1.5);
    }

    #[test]
    fn connection_from_broker() {
        let body = br#"{"connectionSet":[{"clientAddr":"10.0.0.1:5000","clientId":"10.0.0.1@x","language":"JAVA","version":453}],"consumeFromWhere":"CONSUME_FROM_FIRST_OFFSET","consumeType":"CONSUME_PASSIVELY","messageModel":"CLUSTERING","subscriptionTable":{"T":{"classFilterMode":false,"codeSet":[],"expressionType":"TAG","subString":"*","subVersion":1,"tagsSet":[],"topic":"T"}}}"#;
        let c = ConsumerConnection::decode(body).unwrap();
        assert_eq!(c.connection_set[0].version, 453);
        assert_eq!(c.consume_from_where, Some(ConsumeFromWhere::FirstOffset));
        assert_eq!(c.subscription_table["T"].sub_version, 1);
        assert_eq!(ConsumerConnection::decode(&c.encode().unwrap()).unwrap(), c);
    }

    #[test]
    fn consume_directly_golden() {
        let r = ConsumeMessageDirectlyResult {
            consume_result: Some(CMResult::Success),
            spent_time_mills: 12,
            ..Default::default()
        };
        assert_eq!(
            String::from_utf8(r.encode().unwrap()).unwrap(),
            r#"{"autoCommit":true,"consumeResult":"CR_SUCCESS","order":false,"spentTimeMills":12}"#
        );
        let all = [
            (CMResult::Success, "CR_SUCCESS"),
            (CMResult::Later, "CR_LATER"),
            (CMResult::Rollback, "CR_ROLLBACK"),
            (CMResult::Commit, "CR_COMMIT"),
            (CMResult::ThrowException, "CR_THROW_EXCEPTION"),
            (CMResult::ReturnNull, "CR_RETURN_NULL"),
        ];
        for (v, n) in all {
            assert_eq!(serde_json::to_string(&v).unwrap(), format!("\"{n}\""));
        }
        assert!(
            ConsumeMessageDirectlyResult::decode(b"{}")
                .unwrap()
                .auto_commit
        );
    }

    fn arb_pq() -> impl Strategy<Value = ProcessQueueInfo> {
        (
            (
                any::<i32>(),
                any::<i64>(),
                any::<i64>(),
                any::<i32>(),
                any::<i64>(),
                any::<bool>(),
                any::<i64>(),
            ),
            (
                any::<i64>(),
                any::<i64>(),
                any::<bool>(),
                any::<i32>(),
                any::<i64>(),
                any::<i64>(),
                any::<i64>(),
            ),
        )
            .prop_map(
                |((a, b, c, d, e, f, g), (h, i, j, k, l, m, n))| ProcessQueueInfo {
                    cached_msg_count: a,
                    cached_msg_max_offset: b,
                    cached_msg_min_offset: c,
                    cached_msg_size_in_mib: d,
                    commit_offset: e,
                    droped: f,
                    last_consume_timestamp: g,
                    last_lock_timestamp: h,
                    last_pull_timestamp: i,
                    locked: j,
                    transaction_msg_count: k,
                    transaction_msg_max_offset: l,
                    transaction_msg_min_offset: m,
                    try_unlock_times: n,
                },
            )
    }

    fn arb_status() -> impl Strategy<Value = ConsumeStatus> {
        // Rates with short exact decimal forms (serde_json parses floats to within one ulp).
        let f = any::<i32>().prop_map(|x| f64::from(x) / 4.0);
        (any::<i64>(), f.clone(), f.clone(), f.clone(), f.clone(), f).prop_map(
            |(a, b, c, d, e, g)| ConsumeStatus {
                consume_failed_msgs: a,
                consume_failed_tps: b,
                consume_ok_tps: c,
                consume_rt: d,
                pull_rt: e,
                pull_tps: g,
            },
        )
    }

    fn arb_running_info() -> impl Strategy<Value = ConsumerRunningInfo> {
        let pop = (any::<bool>(), any::<i64>(), any::<i32>()).prop_map(
            |(droped, last_pop_timestamp, wait_ack_count)| PopProcessQueueInfo {
                droped,
                last_pop_timestamp,
                wait_ack_count,
            },
        );
        (
            proptest::option::of("\\PC{0,16}"),
            proptest::collection::btree_map(arb_mq(), pop, 0..3),
            proptest::collection::btree_map(arb_mq(), arb_pq(), 0..3),
            proptest::collection::btree_map("\\PC{0,8}", "\\PC{0,8}", 0..3),
            proptest::collection::btree_map("\\PC{0,8}", arb_status(), 0..2),
            proptest::collection::vec(arb_subscription(), 0..2),
            proptest::collection::btree_map("\\PC{0,8}", "\\PC{0,8}", 0..2),
        )
            .prop_map(
                |(
                    jstack,
                    mq_pop_table,
                    mq_table,
                    properties,
                    status_table,
                    subscription_set,
                    user_consumer_info,
                )| {
                    ConsumerRunningInfo {
                        jstack,
                        mq_pop_table,
                        mq_table,
                        properties,
                        status_table,
                        subscription_set,
                        user_consumer_info,
                    }
                },
            )
    }

    proptest! {
        #[test]
        fn running_info_roundtrip(info in arb_running_info()) {
            // Java's object-key form and standard JSON both read back.
            prop_assert_eq!(ConsumerRunningInfo::decode(&info.encode().unwrap()).unwrap(), info.clone());
            let std = serde_json::to_vec(&info).unwrap();
            prop_assert_eq!(ConsumerRunningInfo::decode(&std).unwrap(), info);
        }

        #[test]
        fn offset_bodies_roundtrip(
            table in proptest::collection::btree_map(arb_mq(), any::<i64>(), 0..4),
            clients in proptest::collection::btree_map("\\PC{0,6}", proptest::collection::btree_map(arb_mq(), any::<i64>(), 0..3), 0..3),
        ) {
            let r = ResetOffsetBody { offset_table: table.clone() };
            prop_assert_eq!(ResetOffsetBody::decode(&r.encode().unwrap()).unwrap(), r.clone());
            prop_assert_eq!(ResetOffsetBody::decode(&serde_json::to_vec(&r).unwrap()).unwrap(), r);
            let c = ResetOffsetBodyForC {
                offset_table: table.iter().map(|(k, v)| MessageQueueForC {
                    broker_name: k.broker_name.clone(), offset: *v, queue_id: k.queue_id, topic: k.topic.clone(),
                }).collect(),
            };
            prop_assert_eq!(ResetOffsetBody::decode(&c.encode().unwrap()).unwrap().offset_table, table.clone());
            let s = GetConsumerStatusBody { consumer_table: clients, message_queue_table: table };
            prop_assert_eq!(GetConsumerStatusBody::decode(&s.encode().unwrap()).unwrap(), s.clone());
            prop_assert_eq!(GetConsumerStatusBody::decode(&serde_json::to_vec(&s).unwrap()).unwrap(), s);
        }

        #[test]
        fn connection_and_results_roundtrip(
            conns in proptest::collection::vec(("\\PC{0,8}", "\\PC{0,8}", "[A-Z]{0,6}", any::<i32>()), 0..3),
            from_where in proptest::option::of(arb_from_where()),
            consume_type in proptest::option::of(arb_consume_type()),
            message_model in proptest::option::of(arb_message_model()),
            subs in proptest::collection::btree_map("\\PC{0,6}", arb_subscription(), 0..2),
            ids in proptest::collection::vec("\\PC{0,8}", 0..3),
            auto_commit in any::<bool>(), order in any::<bool>(), remark in proptest::option::of("\\PC{0,8}"),
            spent in any::<i64>(), result in 0usize..7,
        ) {
            let c = ConsumerConnection {
                connection_set: conns.into_iter().map(|(client_addr, client_id, language, version)| Connection {
                    client_addr, client_id, language, version,
                }).collect(),
                consume_from_where: from_where, consume_type, message_model, subscription_table: subs,
            };
            prop_assert_eq!(ConsumerConnection::decode(&c.encode().unwrap()).unwrap(), c);
            let l = ConsumerListBody { consumer_id_list: ids };
            prop_assert_eq!(ConsumerListBody::decode(&l.encode().unwrap()).unwrap(), l);
            let results = [CMResult::Success, CMResult::Later, CMResult::Rollback, CMResult::Commit,
                CMResult::ThrowException, CMResult::ReturnNull];
            let d = ConsumeMessageDirectlyResult {
                auto_commit, consume_result: results.get(result).copied(), order, remark, spent_time_mills: spent,
            };
            prop_assert_eq!(ConsumeMessageDirectlyResult::decode(&d.encode().unwrap()).unwrap(), d);
        }

        #[test]
        fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = ResetOffsetBody::decode(&bytes);
            let _ = ConsumerRunningInfo::decode(&bytes);
            let _ = GetConsumerStatusBody::decode(&bytes);
        }
    }
}
