//! Shared helpers for the integration tests against the local RocketMQ
//! (`scripts/rocketmq-local start`). A test that needs the broker and does not
//! find it fails with a message saying how to start it; it never skips.
#![allow(dead_code)]

use std::net::TcpStream;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The name server of the local RocketMQ (`ROCKETMQ_NAMESRV`, default 127.0.0.1:9876).
pub fn namesrv() -> String {
    std::env::var("ROCKETMQ_NAMESRV").unwrap_or_else(|_| "127.0.0.1:9876".to_owned())
}

/// The first broker's address (`ROCKETMQ_BROKER_ADDR`, default 127.0.0.1:10911).
pub fn broker() -> String {
    std::env::var("ROCKETMQ_BROKER_ADDR").unwrap_or_else(|_| "127.0.0.1:10911".to_owned())
}

/// Panics with instructions unless the name server and broker accept connections.
pub fn require_broker() {
    for (what, addr) in [("name server", namesrv()), ("broker", broker())] {
        let sock = addr
            .parse()
            .unwrap_or_else(|_| panic!("bad {what} address {addr}"));
        if TcpStream::connect_timeout(&sock, Duration::from_secs(2)).is_err() {
            panic!(
                "no RocketMQ {what} at {addr}: start the local RocketMQ with `scripts/rocketmq-local start` \
                 (or set ROCKETMQ_NAMESRV / ROCKETMQ_BROKER_ADDR)"
            );
        }
    }
}

/// A name no other test (or earlier run) uses: `prefix_<pid>_<millis>_<n>`.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis()
        % 100_000_000;
    format!(
        "{prefix}_{}_{ms}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

use rocketmq::protocol::codes::{request, response};
use rocketmq::protocol::headers::{
    CommandHeader, PullMessageRequestHeader, PullMessageResponseHeader,
};
use rocketmq::protocol::message::{decode_messages, DecodeOptions, MessageExt};
use rocketmq::protocol::RemotingCommand;
use rocketmq::remoting::{RemotingClient, RemotingConfig};

/// A plain transport client for checking what reached the broker.
pub fn raw_client() -> RemotingClient {
    RemotingClient::new(RemotingConfig::default()).expect("transport")
}

/// Pulls queue `queue_id` of `topic` on `broker_addr` from `from` until
/// `want` messages arrived or `timeout` passed (PULL_MESSAGE with the
/// subscription in the request, so no heartbeat is needed).
pub async fn pull_until(
    client: &RemotingClient,
    broker_addr: &str,
    topic: &str,
    queue_id: i32,
    from: i64,
    want: usize,
    timeout: Duration,
) -> Vec<MessageExt> {
    let deadline = std::time::Instant::now() + timeout;
    let mut offset = from;
    let mut out = Vec::new();
    let group = unique("pull_checker");
    while out.len() < want && std::time::Instant::now() < deadline {
        let h = PullMessageRequestHeader {
            consumer_group: group.clone(),
            topic: topic.to_owned(),
            queue_id,
            queue_offset: offset,
            max_msg_nums: 32,
            sys_flag: 4, // subscription in the request, no suspend
            commit_offset: 0,
            suspend_timeout_millis: 0,
            subscription: Some("*".into()),
            sub_version: 0,
            expression_type: Some("TAG".into()),
            ..Default::default()
        };
        let req = RemotingCommand::request(request::PULL_MESSAGE, h.to_ext());
        let resp = client
            .invoke(broker_addr, req, Duration::from_secs(5))
            .await
            .expect("pull");
        match resp.code {
            response::SUCCESS => {
                let rh =
                    PullMessageResponseHeader::read_from(&resp.ext_fields).expect("pull header");
                let body = resp.body.clone().unwrap_or_default();
                let msgs = decode_messages(&body, &DecodeOptions::default()).expect("decode");
                out.extend(msgs);
                offset = rh.next_begin_offset;
            }
            response::PULL_NOT_FOUND | response::PULL_RETRY_IMMEDIATELY => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            response::PULL_OFFSET_MOVED => {
                let rh =
                    PullMessageResponseHeader::read_from(&resp.ext_fields).expect("pull header");
                offset = rh.next_begin_offset;
            }
            other => panic!(
                "pull of {topic}:{queue_id} failed with code {other}: {:?}",
                resp.remark
            ),
        }
    }
    out
}

/// Creates `topic` with `queues` read and write queues on `broker_addr`.
pub async fn create_topic(client: &RemotingClient, broker_addr: &str, topic: &str, queues: i32) {
    use rocketmq::protocol::headers::CreateTopicRequestHeader;
    let h = CreateTopicRequestHeader {
        topic: topic.to_owned(),
        default_topic: "TBW102".into(),
        read_queue_nums: queues,
        write_queue_nums: queues,
        perm: 6,
        topic_filter_type: "SINGLE_TAG".into(),
        ..Default::default()
    };
    let req = RemotingCommand::request(request::UPDATE_AND_CREATE_TOPIC, h.to_ext());
    let resp = client
        .invoke(broker_addr, req, Duration::from_secs(10))
        .await
        .expect("create topic");
    assert_eq!(resp.code, 0, "create topic {topic}: {:?}", resp.remark);
}
