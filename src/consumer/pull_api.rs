//! One pull from a broker (PULL_MESSAGE 11 / LITE_PULL_MESSAGE 361) and the
//! client-side processing of its result, shared by the push and lite pull
//! consumers. Also the queue offset queries (min, max, by timestamp).

use std::time::Duration;

use crate::client::ClientInstance;
use crate::common::filter::FilterExpression;
use crate::common::names;
use crate::protocol::codes::{request, response};
use crate::protocol::headers::{
    CommandHeader, GetMaxOffsetRequestHeader, GetMaxOffsetResponseHeader,
    GetMinOffsetRequestHeader, GetMinOffsetResponseHeader, PullMessageRequestHeader,
    PullMessageResponseHeader, RpcBase, SearchOffsetRequestHeader, SearchOffsetResponseHeader,
};
use crate::protocol::message::{self, property, DecodeOptions, MessageExt};
use crate::protocol::{MessageQueue, RemotingCommand};
use crate::{Error, ErrorKind, Result};

/// Pull sysFlag bits (`PullSysFlag`).
pub mod sysflag {
    /// Commit the offset in the request.
    pub const COMMIT_OFFSET: i32 = 0x1;
    /// Long polling: the broker may hold the request.
    pub const SUSPEND: i32 = 0x2;
    /// The request carries the expression.
    pub const SUBSCRIPTION: i32 = 0x4;
    /// Class filter (unused by modern brokers).
    pub const CLASS_FILTER: i32 = 0x8;
    /// A lite pull (code 361).
    pub const LITE_PULL: i32 = 0x10;

    /// Java's `buildSysFlag`.
    pub fn build(
        commit_offset: bool,
        suspend: bool,
        subscription: bool,
        class_filter: bool,
        lite_pull: bool,
    ) -> i32 {
        let mut f = 0;
        if commit_offset {
            f |= COMMIT_OFFSET;
        }
        if suspend {
            f |= SUSPEND;
        }
        if subscription {
            f |= SUBSCRIPTION;
        }
        if class_filter {
            f |= CLASS_FILTER;
        }
        if lite_pull {
            f |= LITE_PULL;
        }
        f
    }

    /// The flag without the commit-offset bit (pulling from a slave).
    pub fn clear_commit_offset(flag: i32) -> i32 {
        flag & !COMMIT_OFFSET
    }
}

/// How a pull ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullStatus {
    /// Messages were found (possibly all filtered out client-side).
    Found,
    /// Nothing new at the offset (PULL_NOT_FOUND).
    NoNewMsg,
    /// Messages exist but none matched the filter (PULL_RETRY_IMMEDIATELY).
    NoMatchedMsg,
    /// The offset is invalid or was reset (PULL_OFFSET_MOVED).
    OffsetIllegal,
}

/// The outcome of one pull.
#[derive(Debug, Clone)]
pub struct PullResult {
    /// How the pull ended.
    pub status: PullStatus,
    /// The offset to pull next.
    pub next_begin_offset: i64,
    /// The queue's first offset.
    pub min_offset: i64,
    /// One past the queue's last offset.
    pub max_offset: i64,
    /// The broker node to pull from next.
    pub suggest_which_broker_id: i64,
    /// Messages that passed the client-side filters.
    pub msgs: Vec<MessageExt>,
    /// Messages found before client-side filtering.
    pub found: usize,
}

/// The arguments of one pull.
#[derive(Debug, Clone)]
pub struct PullArgs<'a> {
    /// The consumer group.
    pub group: &'a str,
    /// The queue.
    pub mq: &'a MessageQueue,
    /// The offset to pull from.
    pub offset: i64,
    /// Most messages to return.
    pub max_nums: i32,
    /// Most bytes to return (5.x).
    pub max_bytes: Option<i32>,
    /// Pull sysFlag, commit-offset bit included when wanted.
    pub sys_flag: i32,
    /// The offset to commit with the commit-offset bit.
    pub commit_offset: i64,
    /// How long the broker may hold the request (long polling).
    pub suspend: Duration,
    /// The expression, sent when the subscription bit is set.
    pub subscription: Option<&'a str>,
    /// The subscription version, as in the heartbeat.
    pub sub_version: i64,
    /// `TAG` or `SQL92`.
    pub expression_type: &'a str,
    /// The broker node to pull from (0: master).
    pub broker_id: i64,
    /// RPC timeout.
    pub timeout: Duration,
}

/// Sends one pull and interprets the response: decodes the messages, keeps
/// those whose tag `filter` accepts (when it has tags), and sets each
/// message's `MIN_OFFSET`/`MAX_OFFSET` properties and queue id. A broker
/// error code other than the pull statuses is an error.
pub async fn pull(
    instance: &ClientInstance,
    args: &PullArgs<'_>,
    filter: Option<&FilterExpression>,
) -> Result<PullResult> {
    let mq = args.mq;
    let mut addr = instance.broker_addr_by_id(&mq.broker_name, args.broker_id);
    if addr.is_none() {
        if let Ok(route) = instance.fetch_route(&mq.topic).await {
            instance.store_route(&mq.topic, route);
        }
        addr = instance.broker_addr_by_id(&mq.broker_name, args.broker_id);
    }
    let addr = addr.ok_or_else(|| {
        Error::new(
            ErrorKind::NoRoute,
            format!("the broker {} is not in any route", mq.broker_name),
        )
    })?;
    let mut sys_flag = args.sys_flag;
    if instance.broker_addr(&mq.broker_name, true).as_deref() != Some(addr.as_str()) {
        sys_flag = sysflag::clear_commit_offset(sys_flag);
    }
    let header = PullMessageRequestHeader {
        rpc: RpcBase::with_broker(mq.broker_name.clone()),
        consumer_group: args.group.to_owned(),
        topic: mq.topic.clone(),
        queue_id: mq.queue_id,
        queue_offset: args.offset,
        max_msg_nums: args.max_nums,
        sys_flag,
        commit_offset: args.commit_offset,
        suspend_timeout_millis: args.suspend.as_millis() as i64,
        subscription: args.subscription.map(str::to_owned),
        sub_version: args.sub_version,
        expression_type: Some(args.expression_type.to_owned()),
        max_msg_bytes: args.max_bytes,
        ..Default::default()
    };
    let code = if sys_flag & sysflag::LITE_PULL != 0 {
        request::LITE_PULL_MESSAGE
    } else {
        request::PULL_MESSAGE
    };
    let req = RemotingCommand::request(code, header.to_ext());
    let resp = instance.remoting().invoke(&addr, req, args.timeout).await?;
    interpret(resp, mq, filter)
}

/// One pull of `mq` outside any consumer's queue bookkeeping: up to
/// `max_nums` (> 0; the broker caps it) messages from `offset` (>= 0) on
/// the master, no offset
/// committed, no long polling; the `filter` (tags or SQL92) goes to the
/// broker, and a tag filter is applied again to the messages returned.
pub async fn pull_once(
    instance: &ClientInstance,
    group: &str,
    mq: &MessageQueue,
    filter: &FilterExpression,
    offset: i64,
    max_nums: i32,
    timeout: Duration,
) -> Result<PullResult> {
    if offset < 0 {
        return Err(Error::invalid(format!(
            "the pull offset must not be negative, got {offset}"
        )));
    }
    if max_nums <= 0 {
        return Err(Error::invalid(format!(
            "a pull takes at least one message, got {max_nums}"
        )));
    }
    let args = PullArgs {
        group,
        mq,
        offset,
        max_nums,
        max_bytes: None,
        sys_flag: sysflag::build(false, false, true, false, false),
        commit_offset: 0,
        suspend: Duration::ZERO,
        subscription: Some(&filter.sub_string),
        sub_version: crate::client::instance::now_ms(),
        expression_type: filter.expression_type.as_str(),
        broker_id: 0,
        timeout,
    };
    pull(instance, &args, Some(filter)).await
}

/// Builds the pull result of a response to a pull of `mq`.
pub fn interpret(
    resp: RemotingCommand,
    mq: &MessageQueue,
    filter: Option<&FilterExpression>,
) -> Result<PullResult> {
    let status = match resp.code {
        response::SUCCESS => PullStatus::Found,
        response::PULL_NOT_FOUND => PullStatus::NoNewMsg,
        response::PULL_RETRY_IMMEDIATELY => PullStatus::NoMatchedMsg,
        response::PULL_OFFSET_MOVED => PullStatus::OffsetIllegal,
        code => {
            return Err(
                Error::broker(code, resp.remark.as_deref()).context(format!("pull from {mq}"))
            )
        }
    };
    let h = PullMessageResponseHeader::read_from(&resp.ext_fields)?;
    let mut result = PullResult {
        status,
        next_begin_offset: h.next_begin_offset,
        min_offset: h.min_offset,
        max_offset: h.max_offset,
        suggest_which_broker_id: h.suggest_which_broker_id,
        msgs: Vec::new(),
        found: 0,
    };
    if status != PullStatus::Found {
        return Ok(result);
    }
    let body = resp.body.unwrap_or_default();
    let msgs = message::decode_messages(&body, &DecodeOptions::default())?;
    result.found = msgs.len();
    let delta = h.offset_delta.unwrap_or(0);
    let (min, max) = (h.min_offset.to_string(), h.max_offset.to_string());
    result.msgs = msgs
        .into_iter()
        .filter(|m| match filter {
            Some(f)
                if !f.is_all()
                    && f.expression_type == crate::common::filter::ExpressionType::Tag =>
            {
                f.matches_tag(m.tags())
            }
            _ => true,
        })
        .map(|mut m| {
            m.queue_offset += delta;
            m.queue_id = mq.queue_id;
            m.set_property(property::MIN_OFFSET, min.clone());
            m.set_property(property::MAX_OFFSET, max.clone());
            m
        })
        .collect();
    Ok(result)
}

/// Gives a message pulled from `group`'s retry topic its original topic back.
pub fn restore_retry_topic(group_retry_topic: &str, msg: &mut MessageExt) {
    if msg.topic == group_retry_topic {
        if let Some(t) = msg.property(property::RETRY_TOPIC).map(str::to_owned) {
            msg.topic = t;
        }
    }
}

async fn queue_offset_request(
    instance: &ClientInstance,
    mq: &MessageQueue,
    code: i32,
    ext: crate::protocol::ExtFields,
    timeout: Duration,
) -> Result<RemotingCommand> {
    let addr = super::offset_store::master_addr(instance, mq).await?;
    let req = RemotingCommand::request(code, ext);
    let resp = instance.remoting().invoke(&addr, req, timeout).await?;
    if resp.code != response::SUCCESS {
        return Err(Error::broker(resp.code, resp.remark.as_deref()).context(format!("{mq}")));
    }
    Ok(resp)
}

/// GET_MAX_OFFSET: one past the last message of `mq`.
pub async fn max_offset(
    instance: &ClientInstance,
    mq: &MessageQueue,
    timeout: Duration,
) -> Result<i64> {
    let h = GetMaxOffsetRequestHeader {
        rpc: RpcBase::with_broker(mq.broker_name.clone()),
        topic: mq.topic.clone(),
        queue_id: mq.queue_id,
        ..Default::default()
    };
    let resp =
        queue_offset_request(instance, mq, request::GET_MAX_OFFSET, h.to_ext(), timeout).await?;
    Ok(GetMaxOffsetResponseHeader::read_from(&resp.ext_fields)?.offset)
}

/// GET_MIN_OFFSET: the first offset still stored in `mq`.
pub async fn min_offset(
    instance: &ClientInstance,
    mq: &MessageQueue,
    timeout: Duration,
) -> Result<i64> {
    let h = GetMinOffsetRequestHeader {
        rpc: RpcBase::with_broker(mq.broker_name.clone()),
        topic: mq.topic.clone(),
        queue_id: mq.queue_id,
        ..Default::default()
    };
    let resp =
        queue_offset_request(instance, mq, request::GET_MIN_OFFSET, h.to_ext(), timeout).await?;
    Ok(GetMinOffsetResponseHeader::read_from(&resp.ext_fields)?.offset)
}

/// SEARCH_OFFSET_BY_TIMESTAMP: the first offset stored at or after `timestamp_ms`.
pub async fn search_offset(
    instance: &ClientInstance,
    mq: &MessageQueue,
    timestamp_ms: i64,
    timeout: Duration,
) -> Result<i64> {
    let h = SearchOffsetRequestHeader {
        rpc: RpcBase::with_broker(mq.broker_name.clone()),
        topic: mq.topic.clone(),
        queue_id: mq.queue_id,
        timestamp: timestamp_ms,
        ..Default::default()
    };
    let resp = queue_offset_request(
        instance,
        mq,
        request::SEARCH_OFFSET_BY_TIMESTAMP,
        h.to_ext(),
        timeout,
    )
    .await?;
    Ok(SearchOffsetResponseHeader::read_from(&resp.ext_fields)?.offset)
}

/// Whether `topic` is a retry topic (offsets start differently there).
pub fn is_retry(topic: &str) -> bool {
    names::is_retry_topic(topic)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::message::encode_message_ext;
    use crate::protocol::ExtFields;
    use bytes::{Bytes, BytesMut};
    use proptest::prelude::*;

    fn stored(offset: i64, tag: Option<&str>) -> Bytes {
        let mut m = MessageExt {
            topic: "T".into(),
            queue_id: 9,
            queue_offset: offset,
            body: Bytes::from_static(b"hi"),
            ..Default::default()
        };
        if let Some(t) = tag {
            m.set_property(property::TAGS, t);
        }
        encode_message_ext(&m).unwrap()
    }

    fn found(body: Bytes, delta: Option<i64>) -> RemotingCommand {
        let mut ext = ExtFields::with_capacity(8);
        ext.push("suggestWhichBrokerId", "1".to_owned());
        ext.push("nextBeginOffset", "12".to_owned());
        ext.push("minOffset", "0".to_owned());
        ext.push("maxOffset", "12".to_owned());
        if let Some(d) = delta {
            ext.push("offsetDelta", d.to_string());
        }
        let mut r = RemotingCommand::response(response::SUCCESS, None).with_body(body);
        r.ext_fields = ext;
        r
    }

    #[test]
    fn sysflags() {
        assert_eq!(sysflag::build(false, true, false, false, false), 2);
        assert_eq!(sysflag::build(true, true, false, false, false), 3);
        assert_eq!(sysflag::build(false, true, true, false, true), 22);
        assert_eq!(sysflag::build(false, false, true, false, true), 20);
        assert_eq!(sysflag::build(false, true, true, false, false), 6);
        assert_eq!(sysflag::clear_commit_offset(3), 2);
    }

    #[test]
    fn found_filtered_by_tag() {
        let mut body = BytesMut::new();
        body.extend_from_slice(&stored(10, Some("a")));
        body.extend_from_slice(&stored(11, Some("b")));
        body.extend_from_slice(&stored(12, None));
        let mq = MessageQueue::new("T", "b", 3);
        let f = FilterExpression::tag("a").unwrap();
        let r = interpret(found(body.clone().freeze(), None), &mq, Some(&f)).unwrap();
        assert_eq!(r.status, PullStatus::Found);
        assert_eq!(r.found, 3);
        assert_eq!(r.msgs.len(), 1);
        assert_eq!(r.msgs[0].queue_offset, 10);
        assert_eq!(r.msgs[0].queue_id, 3);
        assert_eq!(r.msgs[0].property(property::MAX_OFFSET), Some("12"));
        assert_eq!(r.suggest_which_broker_id, 1);
        assert_eq!(r.next_begin_offset, 12);
        // SQL92 and match-all subscriptions keep everything.
        let all = FilterExpression::tag("*").unwrap();
        assert_eq!(
            interpret(found(body.clone().freeze(), None), &mq, Some(&all))
                .unwrap()
                .msgs
                .len(),
            3
        );
        let sql = FilterExpression::sql92("a > 1").unwrap();
        assert_eq!(
            interpret(found(body.clone().freeze(), None), &mq, Some(&sql))
                .unwrap()
                .msgs
                .len(),
            3
        );
        // Static topics add the delta.
        let r = interpret(found(body.freeze(), Some(100)), &mq, None).unwrap();
        assert_eq!(r.msgs[0].queue_offset, 110);
    }

    #[test]
    fn statuses() {
        let mq = MessageQueue::new("T", "b", 0);
        for (code, status) in [
            (response::PULL_NOT_FOUND, PullStatus::NoNewMsg),
            (response::PULL_RETRY_IMMEDIATELY, PullStatus::NoMatchedMsg),
            (response::PULL_OFFSET_MOVED, PullStatus::OffsetIllegal),
        ] {
            let mut r = found(Bytes::new(), None);
            r.code = code;
            let p = interpret(r, &mq, None).unwrap();
            assert_eq!(p.status, status);
            assert!(p.msgs.is_empty());
            assert_eq!(p.next_begin_offset, 12);
        }
        let mut r = found(Bytes::new(), None);
        r.code = response::SUBSCRIPTION_NOT_LATEST;
        let e = interpret(r, &mq, None).unwrap_err();
        assert_eq!(e.response_code(), Some(response::SUBSCRIPTION_NOT_LATEST));
        // A success without the header fields is a protocol error.
        let r = RemotingCommand::response(response::SUCCESS, None);
        assert!(interpret(r, &mq, None).is_err());
    }

    #[test]
    fn retry_topic_restored() {
        let mut m = MessageExt {
            topic: "%RETRY%G".into(),
            ..Default::default()
        };
        restore_retry_topic("%RETRY%G", &mut m);
        assert_eq!(m.topic, "%RETRY%G", "no RETRY_TOPIC property");
        m.set_property(property::RETRY_TOPIC, "Orders");
        restore_retry_topic("%RETRY%Other", &mut m);
        assert_eq!(m.topic, "%RETRY%G");
        restore_retry_topic("%RETRY%G", &mut m);
        assert_eq!(m.topic, "Orders");
    }

    proptest! {
        #[test]
        fn arbitrary_body_never_panics(body in proptest::collection::vec(any::<u8>(), 0..512)) {
            let mq = MessageQueue::new("T", "b", 0);
            let _ = interpret(found(Bytes::from(body), None), &mq, None);
        }
    }
}
