//! Arbitrary custom-header maps into typed `read_from`: errors are fine,
//! panics are not, and a header that reads must write and read back equal.
//! The same maps go through both header serializations and must come back.
#![no_main]

use std::fmt::Debug;

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use rocketmq::protocol::headers::*;
use rocketmq::protocol::{ExtFields, RemotingCommand, SerializeType};

/// Field names of the headers below.
const KEYS: &[&str] = &[
    "a",
    "b",
    "c",
    "d",
    "e",
    "f",
    "g",
    "h",
    "i",
    "j",
    "k",
    "l",
    "m",
    "n",
    "bname",
    "ns",
    "nsd",
    "oway",
    "lo",
    "producerGroup",
    "topic",
    "defaultTopic",
    "defaultTopicQueueNums",
    "queueId",
    "sysFlag",
    "bornTimestamp",
    "flag",
    "properties",
    "reconsumeTimes",
    "unitMode",
    "batch",
    "maxReconsumeTimes",
    "msgId",
    "queueOffset",
    "transactionId",
    "batchUniqId",
    "recallHandle",
    "MSG_REGION",
    "TRACE_ON",
    "consumerGroup",
    "maxMsgNums",
    "commitOffset",
    "suspendTimeoutMillis",
    "subscription",
    "subVersion",
    "expressionType",
    "maxMsgBytes",
    "requestSource",
    "proxyFrowardClientId",
    "suggestWhichBrokerId",
    "nextBeginOffset",
    "minOffset",
    "maxOffset",
    "offsetDelta",
    "topicSysFlag",
    "groupSysFlag",
    "forbiddenType",
    "setZeroIfNotFound",
    "offset",
    "group",
    "timestamp",
    "isForce",
    "readQueueNums",
    "writeQueueNums",
    "perm",
    "topicFilterType",
    "order",
    "attributes",
    "force",
    "clientId",
    "jstackEnable",
    "popTime",
    "invisibleTime",
    "reviveQid",
    "restNum",
    "startOffsetInfo",
    "msgOffsetInfo",
    "orderCountInfo",
    "boundaryType",
    "tranStateTableOffset",
    "commitLogOffset",
    "commitOrRollback",
    "fromTransactionCheck",
    "offsetMsgId",
    "brokerName",
    "acceptStandardJsonOnly",
    "clientID",
    "committed",
];

/// Builds a map from `data`: per entry a key byte (a known name, or an
/// arbitrary key when the byte is past the list), a length byte and the value.
fn fields(mut data: &[u8]) -> ExtFields {
    let mut ext = ExtFields::new();
    while data.len() >= 2 {
        let (k, len) = (data[0] as usize, data[1] as usize);
        data = &data[2..];
        let key: String = if k < KEYS.len() {
            KEYS[k].to_owned()
        } else {
            let n = (k - KEYS.len()).min(data.len());
            let s = String::from_utf8_lossy(&data[..n]).into_owned();
            data = &data[n..];
            s
        };
        let n = len.min(data.len());
        let value = String::from_utf8_lossy(&data[..n]).into_owned();
        data = &data[n..];
        ext.insert(key, value);
    }
    ext
}

fn check<H: CommandHeader + PartialEq + Debug>(ext: &ExtFields) {
    if let Ok(h) = H::read_from(ext) {
        let back = H::read_from(&h.to_ext()).expect("a written header reads back");
        assert_eq!(back, h);
    }
}

fn round_trip(ext: &ExtFields, ser: SerializeType) {
    let mut cmd = RemotingCommand::request(310, ext.clone()).with_serialize_type(ser);
    cmd.opaque = 7;
    cmd.remark = ext.get("properties").map(str::to_owned);
    let Ok(frame) = cmd.encode_to_bytes() else {
        return;
    };
    let back = RemotingCommand::decode_payload(Bytes::copy_from_slice(&frame[4..]))
        .expect("an encoded command decodes");
    assert_eq!(back.code, cmd.code);
    assert_eq!(back.opaque, cmd.opaque);
    assert_eq!(back.flag, cmd.flag);
    let mut expected = ext.sorted();
    let mut remark = cmd.remark.clone();
    if ser == SerializeType::RocketMq {
        // A zero length means null in the binary form: an empty remark reads
        // as none and an entry with an empty key is not a field (Java reads
        // it as a null key).
        expected.retain(|(k, _)| !k.is_empty());
        remark = remark.filter(|r| !r.is_empty());
    }
    assert_eq!(back.remark, remark);
    assert_eq!(back.ext_fields.sorted(), expected);
}

fuzz_target!(|data: &[u8]| {
    let ext = fields(data);
    check::<SendMessageRequestHeader>(&ext);
    check::<SendMessageResponseHeader>(&ext);
    check::<EndTransactionRequestHeader>(&ext);
    check::<CheckTransactionStateRequestHeader>(&ext);
    check::<PullMessageRequestHeader>(&ext);
    check::<PullMessageResponseHeader>(&ext);
    check::<QueryConsumerOffsetRequestHeader>(&ext);
    check::<UpdateConsumerOffsetRequestHeader>(&ext);
    check::<SearchOffsetRequestHeader>(&ext);
    check::<GetMaxOffsetRequestHeader>(&ext);
    check::<ResetOffsetRequestHeader>(&ext);
    check::<GetConsumerRunningInfoRequestHeader>(&ext);
    check::<ConsumeMessageDirectlyResultRequestHeader>(&ext);
    check::<UnregisterClientRequestHeader>(&ext);
    check::<CreateTopicRequestHeader>(&ext);
    check::<GetRouteInfoRequestHeader>(&ext);
    check::<PopMessageRequestHeader>(&ext);
    check::<PopMessageResponseHeader>(&ext);
    check::<ChangeInvisibleTimeResponseHeader>(&ext);
    round_trip(&ext, SerializeType::Json);
    round_trip(&ext, SerializeType::RocketMq);
});
