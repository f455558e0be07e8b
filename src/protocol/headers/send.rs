//! Producer headers: send (V1 and V2), send response, reply push,
//! end/check transaction, recall.

use super::{bool_str, read_opt, read_req, CommandHeader, RpcBase};
use crate::protocol::ExtFields;
use crate::Result;

/// SEND_MESSAGE (10), SEND_REPLY_MESSAGE (324) with long field names, and
/// SEND_MESSAGE_V2 (310), SEND_BATCH_MESSAGE (320), SEND_REPLY_MESSAGE_V2 (325)
/// with the one-letter keys `a`..`n` of Java's `SendMessageRequestHeaderV2`.
///
/// [`CommandHeader::write_to`] writes the V2 form; [`Self::write_v1`] the long
/// form; [`CommandHeader::read_from`] accepts either. The target broker name is
/// `rpc.broker_name` (`bname` in V1, `n` in V2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendMessageRequestHeader {
    /// The 5.x base fields; `broker_name` is the target broker.
    pub rpc: RpcBase,
    /// `lo`.
    pub logical: Option<bool>,
    /// `producerGroup` / `a`.
    pub producer_group: String,
    /// `topic` / `b`.
    pub topic: String,
    /// `defaultTopic` / `c` (default `TBW102`).
    pub default_topic: String,
    /// `defaultTopicQueueNums` / `d` (default 4).
    pub default_topic_queue_nums: i32,
    /// `queueId` / `e`.
    pub queue_id: i32,
    /// `sysFlag` / `f`.
    pub sys_flag: i32,
    /// `bornTimestamp` / `g` (ms).
    pub born_timestamp: i64,
    /// `flag` / `h`.
    pub flag: i32,
    /// `properties` / `i`: the encoded properties string.
    pub properties: Option<String>,
    /// `reconsumeTimes` / `j`.
    pub reconsume_times: Option<i32>,
    /// `unitMode` / `k`.
    pub unit_mode: Option<bool>,
    /// `batch` / `m`.
    pub batch: Option<bool>,
    /// `maxReconsumeTimes` / `l`.
    pub max_reconsume_times: Option<i32>,
}

impl Default for SendMessageRequestHeader {
    fn default() -> Self {
        SendMessageRequestHeader {
            rpc: RpcBase::default(),
            logical: None,
            producer_group: String::new(),
            topic: String::new(),
            default_topic: Self::DEFAULT_TOPIC.to_owned(),
            default_topic_queue_nums: Self::DEFAULT_TOPIC_QUEUE_NUMS,
            queue_id: 0,
            sys_flag: 0,
            born_timestamp: 0,
            flag: 0,
            properties: None,
            reconsume_times: None,
            unit_mode: None,
            batch: None,
            max_reconsume_times: None,
        }
    }
}

impl SendMessageRequestHeader {
    /// The topic producers auto-create from.
    pub const DEFAULT_TOPIC: &'static str = "TBW102";
    /// Queues of an auto-created topic.
    pub const DEFAULT_TOPIC_QUEUE_NUMS: i32 = 4;

    /// Writes the long-name form (SEND_MESSAGE 10, SEND_REPLY_MESSAGE 324).
    pub fn write_v1(&self, ext: &mut ExtFields) {
        self.rpc.write_to(ext);
        if let Some(v) = self.logical {
            ext.push("lo", bool_str(v));
        }
        ext.push("producerGroup", self.producer_group.clone());
        ext.push("topic", self.topic.clone());
        ext.push("defaultTopic", self.default_topic.clone());
        ext.push(
            "defaultTopicQueueNums",
            self.default_topic_queue_nums.to_string(),
        );
        ext.push("queueId", self.queue_id.to_string());
        ext.push("sysFlag", self.sys_flag.to_string());
        ext.push("bornTimestamp", self.born_timestamp.to_string());
        ext.push("flag", self.flag.to_string());
        if let Some(v) = &self.properties {
            ext.push("properties", v.clone());
        }
        if let Some(v) = self.reconsume_times {
            ext.push("reconsumeTimes", v.to_string());
        }
        if let Some(v) = self.unit_mode {
            ext.push("unitMode", bool_str(v));
        }
        if let Some(v) = self.batch {
            ext.push("batch", bool_str(v));
        }
        if let Some(v) = self.max_reconsume_times {
            ext.push("maxReconsumeTimes", v.to_string());
        }
    }

    /// Writes the V2 form (keys `a`..`n`). The base fields `ns`, `nsd`,
    /// `oway`, `lo` are written when set; the broker name is written both as
    /// `n` and as `bname`, which 5.x proxies need to route SEND_REPLY_MESSAGE_V2.
    pub fn write_v2(&self, ext: &mut ExtFields) {
        self.clone().into_v2(ext);
    }

    /// The V2 form, moving the strings instead of copying them.
    pub fn into_ext_v2(self) -> ExtFields {
        let mut ext = ExtFields::with_capacity(20);
        self.into_v2(&mut ext);
        ext
    }

    fn into_v2(self, ext: &mut ExtFields) {
        let SendMessageRequestHeader {
            rpc,
            logical,
            producer_group,
            topic,
            default_topic,
            default_topic_queue_nums,
            queue_id,
            sys_flag,
            born_timestamp,
            flag,
            properties,
            reconsume_times,
            unit_mode,
            batch,
            max_reconsume_times,
        } = self;
        ext.push("a", producer_group);
        ext.push("b", topic);
        ext.push("c", default_topic);
        ext.push("d", default_topic_queue_nums.to_string());
        ext.push("e", queue_id.to_string());
        ext.push("f", sys_flag.to_string());
        ext.push("g", born_timestamp.to_string());
        ext.push("h", flag.to_string());
        if let Some(v) = properties {
            ext.push("i", v);
        }
        if let Some(v) = reconsume_times {
            ext.push("j", v.to_string());
        }
        if let Some(v) = unit_mode {
            ext.push("k", bool_str(v));
        }
        if let Some(v) = max_reconsume_times {
            ext.push("l", v.to_string());
        }
        if let Some(v) = batch {
            ext.push("m", bool_str(v));
        }
        let RpcBase {
            namespace,
            namespaced,
            broker_name,
            oneway,
        } = rpc;
        if let Some(v) = broker_name {
            ext.push("bname", v.clone());
            ext.push("n", v);
        }
        if let Some(v) = namespace {
            ext.push("ns", v);
        }
        if let Some(v) = namespaced {
            ext.push("nsd", bool_str(v));
        }
        if let Some(v) = oneway {
            ext.push("oway", bool_str(v));
        }
        if let Some(v) = logical {
            ext.push("lo", bool_str(v));
        }
    }

    fn read_v1(ext: &ExtFields) -> Result<Self> {
        Ok(SendMessageRequestHeader {
            rpc: RpcBase::read_from(ext)?,
            logical: ext.bool_opt("lo"),
            producer_group: read_req(ext, "producerGroup")?,
            topic: read_req(ext, "topic")?,
            default_topic: read_req(ext, "defaultTopic")?,
            default_topic_queue_nums: read_req(ext, "defaultTopicQueueNums")?,
            queue_id: read_req(ext, "queueId")?,
            sys_flag: read_req(ext, "sysFlag")?,
            born_timestamp: read_req(ext, "bornTimestamp")?,
            flag: read_req(ext, "flag")?,
            properties: read_opt(ext, "properties")?,
            reconsume_times: read_opt(ext, "reconsumeTimes")?,
            unit_mode: read_opt(ext, "unitMode")?,
            batch: read_opt(ext, "batch")?,
            max_reconsume_times: read_opt(ext, "maxReconsumeTimes")?,
        })
    }

    fn read_v2(ext: &ExtFields) -> Result<Self> {
        let mut rpc = RpcBase::read_from(ext)?;
        if let Some(n) = ext.get("n") {
            rpc.broker_name = Some(n.to_owned());
        }
        Ok(SendMessageRequestHeader {
            rpc,
            logical: ext.bool_opt("lo"),
            producer_group: read_req(ext, "a")?,
            topic: read_req(ext, "b")?,
            default_topic: read_req(ext, "c")?,
            default_topic_queue_nums: read_req(ext, "d")?,
            queue_id: read_req(ext, "e")?,
            sys_flag: read_req(ext, "f")?,
            born_timestamp: read_req(ext, "g")?,
            flag: read_req(ext, "h")?,
            properties: read_opt(ext, "i")?,
            reconsume_times: read_opt(ext, "j")?,
            unit_mode: read_opt(ext, "k")?,
            max_reconsume_times: read_opt(ext, "l")?,
            batch: read_opt(ext, "m")?,
        })
    }
}

impl CommandHeader for SendMessageRequestHeader {
    /// Writes the V2 form.
    fn write_to(&self, ext: &mut ExtFields) {
        self.write_v2(ext);
    }
    /// Reads the V2 form when key `a` is present, the long form otherwise.
    fn read_from(ext: &ExtFields) -> Result<Self> {
        if ext.contains_key("a") {
            Self::read_v2(ext).map_err(|e| e.context("SendMessageRequestHeaderV2"))
        } else {
            Self::read_v1(ext).map_err(|e| e.context("SendMessageRequestHeader"))
        }
    }
}

command_header! {
    /// The response to a send (`SendMessageResponseHeader`), plus the
    /// `MSG_REGION` and `TRACE_ON` ext fields the broker adds.
    pub struct SendMessageResponseHeader {
        /// The offset message id; comma-joined for a batch.
        msg_id: String => req "msgId",
        queue_id: i32 => req "queueId",
        queue_offset: i64 => req "queueOffset",
        transaction_id: Option<String> => opt "transactionId",
        batch_uniq_id: Option<String> => opt "batchUniqId",
        recall_handle: Option<String> => opt "recallHandle",
        msg_region: Option<String> => opt "MSG_REGION",
        trace_on: Option<String> => opt "TRACE_ON",
    }
}

impl SendMessageResponseHeader {
    /// The broker's region, `DefaultRegion` when absent.
    pub fn region(&self) -> &str {
        self.msg_region.as_deref().unwrap_or("DefaultRegion")
    }
    /// Tracing is off only when `TRACE_ON` is `"false"`.
    pub fn trace_enabled(&self) -> bool {
        self.trace_on.as_deref() != Some("false")
    }
}

command_header! {
    /// END_TRANSACTION (37), sent oneway.
    pub struct EndTransactionRequestHeader [rpc] {
        topic: Option<String> => opt "topic",
        producer_group: String => req "producerGroup",
        /// The send result's queue offset.
        tran_state_table_offset: i64 => req "tranStateTableOffset",
        /// The commit-log offset from the offset message id.
        commit_log_offset: i64 => req "commitLogOffset",
        /// One of [`Self::NOT_TYPE`], [`Self::COMMIT`], [`Self::ROLLBACK`].
        commit_or_rollback: i32 => req "commitOrRollback",
        from_transaction_check: Option<bool> => opt "fromTransactionCheck",
        /// The message's unique key.
        msg_id: String => req "msgId",
        transaction_id: Option<String> => opt "transactionId",
    }
}

impl EndTransactionRequestHeader {
    /// State unknown: the broker will check again.
    pub const NOT_TYPE: i32 = 0;
    /// Commit the half message.
    pub const COMMIT: i32 = 8;
    /// Roll the half message back.
    pub const ROLLBACK: i32 = 12;
}

command_header! {
    /// CHECK_TRANSACTION_STATE (39), broker to client, oneway.
    pub struct CheckTransactionStateRequestHeader [rpc] {
        topic: Option<String> => opt "topic",
        tran_state_table_offset: i64 => req "tranStateTableOffset",
        commit_log_offset: i64 => req "commitLogOffset",
        msg_id: Option<String> => opt "msgId",
        transaction_id: Option<String> => opt "transactionId",
        offset_msg_id: Option<String> => opt "offsetMsgId",
    }
}

command_header! {
    /// RECALL_MESSAGE (370).
    pub struct RecallMessageRequestHeader [rpc] {
        logical: Option<bool> => opt "lo",
        producer_group: Option<String> => opt "producerGroup",
        topic: String => req "topic",
        recall_handle: String => req "recallHandle",
    }
}

command_header! {
    /// The response to RECALL_MESSAGE.
    pub struct RecallMessageResponseHeader {
        msg_id: String => req "msgId",
    }
}

command_header! {
    /// PUSH_REPLY_MESSAGE_TO_CLIENT (326), broker to requester.
    pub struct ReplyMessageRequestHeader [rpc] {
        logical: Option<bool> => opt "lo",
        producer_group: String => req "producerGroup",
        topic: String => req "topic",
        default_topic: String => req "defaultTopic",
        default_topic_queue_nums: i32 => req "defaultTopicQueueNums",
        queue_id: i32 => req "queueId",
        sys_flag: i32 => req "sysFlag",
        born_timestamp: i64 => req "bornTimestamp",
        flag: i32 => req "flag",
        properties: Option<String> => opt "properties",
        reconsume_times: Option<i32> => opt "reconsumeTimes",
        unit_mode: bool => def "unitMode" = false,
        /// `ip:port`.
        born_host: String => req "bornHost",
        /// `ip:port`.
        store_host: String => req "storeHost",
        store_timestamp: i64 => req "storeTimestamp",
    }
}

#[cfg(test)]
impl super::testkit::FromSeeds for SendMessageRequestHeader {
    fn from_seeds(it: &mut super::testkit::Seeds<'_>) -> Self {
        use super::testkit::FromSeeds as F;
        SendMessageRequestHeader {
            rpc: F::from_seeds(it),
            logical: F::from_seeds(it),
            producer_group: F::from_seeds(it),
            topic: F::from_seeds(it),
            default_topic: F::from_seeds(it),
            default_topic_queue_nums: F::from_seeds(it),
            queue_id: F::from_seeds(it),
            sys_flag: F::from_seeds(it),
            born_timestamp: F::from_seeds(it),
            flag: F::from_seeds(it),
            properties: F::from_seeds(it),
            reconsume_times: F::from_seeds(it),
            unit_mode: F::from_seeds(it),
            batch: F::from_seeds(it),
            max_reconsume_times: F::from_seeds(it),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{roundtrip_tests, seeds, FromSeeds};
    use super::*;
    use crate::protocol::{RemotingCommand, SerializeType};
    use proptest::prelude::*;

    fn sample() -> SendMessageRequestHeader {
        SendMessageRequestHeader {
            rpc: RpcBase::with_broker("broker-a"),
            producer_group: "PG".into(),
            topic: "TopicA".into(),
            queue_id: 3,
            sys_flag: 0,
            born_timestamp: 1_700_000_000_123,
            flag: 0,
            properties: Some("KEYS\u{1}k1\u{2}UNIQ_KEY\u{1}ABC\u{2}".into()),
            reconsume_times: Some(0),
            unit_mode: Some(false),
            batch: Some(false),
            ..Default::default()
        }
    }

    #[test]
    fn v2_golden() {
        let ext = sample().to_ext();
        assert_eq!(
            ext.sorted(),
            vec![
                ("a", "PG"),
                ("b", "TopicA"),
                ("bname", "broker-a"),
                ("c", "TBW102"),
                ("d", "4"),
                ("e", "3"),
                ("f", "0"),
                ("g", "1700000000123"),
                ("h", "0"),
                ("i", "KEYS\u{1}k1\u{2}UNIQ_KEY\u{1}ABC\u{2}"),
                ("j", "0"),
                ("k", "false"),
                ("m", "false"),
                ("n", "broker-a"),
            ]
        );
        assert_eq!(sample().into_ext_v2(), ext);
    }

    #[test]
    fn v1_golden() {
        let mut h = sample();
        h.max_reconsume_times = Some(16);
        let mut ext = ExtFields::new();
        h.write_v1(&mut ext);
        assert_eq!(
            ext.sorted(),
            vec![
                ("batch", "false"),
                ("bname", "broker-a"),
                ("bornTimestamp", "1700000000123"),
                ("defaultTopic", "TBW102"),
                ("defaultTopicQueueNums", "4"),
                ("flag", "0"),
                ("maxReconsumeTimes", "16"),
                ("producerGroup", "PG"),
                ("properties", "KEYS\u{1}k1\u{2}UNIQ_KEY\u{1}ABC\u{2}"),
                ("queueId", "3"),
                ("reconsumeTimes", "0"),
                ("sysFlag", "0"),
                ("topic", "TopicA"),
                ("unitMode", "false"),
            ]
        );
        assert_eq!(SendMessageRequestHeader::read_from(&ext).unwrap(), h);
    }

    #[test]
    fn v2_from_java_without_bname() {
        let ext: ExtFields = [
            ("a", "PG"),
            ("b", "T"),
            ("c", "TBW102"),
            ("d", "4"),
            ("e", "1"),
            ("f", "4"),
            ("g", "5"),
            ("h", "0"),
            ("n", "broker-b"),
        ]
        .into_iter()
        .collect();
        let h = SendMessageRequestHeader::read_from(&ext).unwrap();
        assert_eq!(h.rpc.broker_name.as_deref(), Some("broker-b"));
        assert_eq!(h.sys_flag, 4);
        assert_eq!(h.properties, None);
    }

    #[test]
    fn missing_required_field_is_named() {
        let mut ext = sample().to_ext();
        ext.remove("g");
        let e = SendMessageRequestHeader::read_from(&ext).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Protocol);
        assert!(e.message().contains("SendMessageRequestHeaderV2"), "{e}");
        assert!(e.message().contains("custom field g"), "{e}");

        let ext: ExtFields = [("producerGroup", "PG")].into_iter().collect();
        let e = SendMessageRequestHeader::read_from(&ext).unwrap_err();
        assert!(e.message().contains("custom field topic is missing"), "{e}");

        let mut ext = sample().to_ext();
        ext.insert("e", "x1");
        let e = SendMessageRequestHeader::read_from(&ext).unwrap_err();
        assert!(e.message().contains("custom field e is not valid"), "{e}");
    }

    #[test]
    fn response_golden_and_defaults() {
        let ext: ExtFields = [
            ("msgId", "0A0000010000000000000064"),
            ("queueId", "2"),
            ("queueOffset", "77"),
            ("MSG_REGION", "r1"),
            ("TRACE_ON", "false"),
        ]
        .into_iter()
        .collect();
        let r = SendMessageResponseHeader::read_from(&ext).unwrap();
        assert_eq!(r.queue_offset, 77);
        assert_eq!(r.region(), "r1");
        assert!(!r.trace_enabled());
        assert_eq!(r.to_ext().sorted(), ext.sorted());
        let r = SendMessageResponseHeader::default();
        assert_eq!(r.region(), "DefaultRegion");
        assert!(r.trace_enabled());
        let e = SendMessageResponseHeader::read_from(&ExtFields::new()).unwrap_err();
        assert!(
            e.message()
                .contains("SendMessageResponseHeader: the custom field msgId is missing"),
            "{e}"
        );
    }

    #[test]
    fn end_transaction_golden() {
        let h = EndTransactionRequestHeader {
            rpc: RpcBase::with_broker("broker-a"),
            topic: Some("T".into()),
            producer_group: "PG".into(),
            tran_state_table_offset: 10,
            commit_log_offset: 4096,
            commit_or_rollback: EndTransactionRequestHeader::COMMIT,
            from_transaction_check: Some(true),
            msg_id: "UNIQ".into(),
            transaction_id: None,
        };
        assert_eq!(
            h.to_ext().sorted(),
            vec![
                ("bname", "broker-a"),
                ("commitLogOffset", "4096"),
                ("commitOrRollback", "8"),
                ("fromTransactionCheck", "true"),
                ("msgId", "UNIQ"),
                ("producerGroup", "PG"),
                ("topic", "T"),
                ("tranStateTableOffset", "10"),
            ]
        );
    }

    #[test]
    fn reply_push_defaults() {
        let ext: ExtFields = [
            ("producerGroup", "PG"),
            ("topic", "C_REPLY_TOPIC"),
            ("defaultTopic", "TBW102"),
            ("defaultTopicQueueNums", "4"),
            ("queueId", "0"),
            ("sysFlag", "0"),
            ("bornTimestamp", "1"),
            ("flag", "0"),
            ("bornHost", "10.0.0.1:5000"),
            ("storeHost", "10.0.0.2:10911"),
            ("storeTimestamp", "2"),
        ]
        .into_iter()
        .collect();
        let h = ReplyMessageRequestHeader::read_from(&ext).unwrap();
        assert!(!h.unit_mode);
        assert_eq!(h.store_host, "10.0.0.2:10911");
        assert_eq!(h.to_ext().get("unitMode"), Some("false"));
    }

    roundtrip_tests! {
        roundtrip_send_v2: SendMessageRequestHeader,
        roundtrip_send_response: SendMessageResponseHeader,
        roundtrip_end_transaction: EndTransactionRequestHeader,
        roundtrip_check_transaction: CheckTransactionStateRequestHeader,
        roundtrip_recall: RecallMessageRequestHeader,
        roundtrip_recall_response: RecallMessageResponseHeader,
        roundtrip_reply: ReplyMessageRequestHeader,
    }

    proptest! {
        #[test]
        fn roundtrip_send_v1(seeds in seeds()) {
            let h = SendMessageRequestHeader::from_seeds(&mut seeds.iter());
            let mut ext = ExtFields::new();
            h.write_v1(&mut ext);
            prop_assert_eq!(SendMessageRequestHeader::read_from(&ext).unwrap(), h);
        }

        #[test]
        fn roundtrip_send_through_frames(seeds in seeds(), binary in any::<bool>()) {
            let h = SendMessageRequestHeader::from_seeds(&mut seeds.iter());
            let ser = if binary { SerializeType::RocketMq } else { SerializeType::Json };
            let cmd = RemotingCommand::request(310, h.to_ext()).with_serialize_type(ser);
            let bytes = cmd.encode_to_bytes().unwrap();
            let back = RemotingCommand::decode_payload(bytes.slice(4..)).unwrap();
            prop_assert_eq!(SendMessageRequestHeader::read_from(&back.ext_fields).unwrap(), h);
        }
    }
}
