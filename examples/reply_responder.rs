//! The responder of `examples-c/request_reply.c` (until the C API has
//! consumers): creates TOPIC with one queue, prints `ready`, pulls requests
//! from it and replies `reply to <request body>` to each of COUNT requests,
//! then exits (non-zero when fewer arrived within 60 s).
//!
//! cargo run --example reply_responder -- TOPIC COUNT

use std::io::Write;
use std::time::{Duration, Instant};

use rocketmq::producer::{Producer, ProducerConfig};
use rocketmq::protocol::codes::{request, response};
use rocketmq::protocol::headers::{
    CommandHeader, CreateTopicRequestHeader, PullMessageRequestHeader, PullMessageResponseHeader,
};
use rocketmq::protocol::message::{decode_messages, DecodeOptions};
use rocketmq::protocol::RemotingCommand;
use rocketmq::remoting::{RemotingClient, RemotingConfig};
use rocketmq::runtime::block_on;

fn main() {
    let mut args = std::env::args().skip(1);
    let topic = args.next().expect("usage: reply_responder TOPIC COUNT");
    let count: usize = args.next().and_then(|c| c.parse().ok()).unwrap_or(3);
    let namesrv = std::env::var("ROCKETMQ_NAMESRV").unwrap_or_else(|_| "127.0.0.1:9876".into());
    let broker = std::env::var("ROCKETMQ_BROKER").unwrap_or_else(|_| "127.0.0.1:10911".into());
    let pid = std::process::id();

    let client = RemotingClient::new(RemotingConfig::default()).expect("transport");
    let create = CreateTopicRequestHeader {
        topic: topic.clone(),
        default_topic: "TBW102".into(),
        read_queue_nums: 1,
        write_queue_nums: 1,
        perm: 6,
        topic_filter_type: "SINGLE_TAG".into(),
        ..Default::default()
    };
    let req = RemotingCommand::request(request::UPDATE_AND_CREATE_TOPIC, create.to_ext());
    let resp = block_on(client.invoke(&broker, req, Duration::from_secs(10)))
        .unwrap()
        .expect("create topic");
    assert_eq!(resp.code, response::SUCCESS, "create topic: {:?}", resp.remark);

    let producer = Producer::new(ProducerConfig::new(
        namesrv,
        format!("reply_responder_{pid}"),
    ))
    .expect("producer");
    producer.start().expect("start");
    println!("ready");
    std::io::stdout().flush().ok();

    let deadline = Instant::now() + Duration::from_secs(60);
    let mut offset = 0i64;
    let mut replied = 0;
    while replied < count && Instant::now() < deadline {
        let h = PullMessageRequestHeader {
            consumer_group: format!("reply_responder_{pid}"),
            topic: topic.clone(),
            queue_id: 0,
            queue_offset: offset,
            max_msg_nums: 32,
            sys_flag: 4, // subscription in the request, no suspend
            subscription: Some("*".into()),
            expression_type: Some("TAG".into()),
            ..Default::default()
        };
        let req = RemotingCommand::request(request::PULL_MESSAGE, h.to_ext());
        let resp = block_on(client.invoke(&broker, req, Duration::from_secs(5)))
            .unwrap()
            .expect("pull");
        match resp.code {
            response::SUCCESS => {
                let rh = PullMessageResponseHeader::read_from(&resp.ext_fields).expect("header");
                offset = rh.next_begin_offset;
                let body = resp.body.clone().unwrap_or_default();
                for req in decode_messages(&body, &DecodeOptions::default()).expect("decode") {
                    let reply = format!("reply to {}", String::from_utf8_lossy(&req.body));
                    block_on(producer.reply(&req, reply.into_bytes()))
                        .unwrap()
                        .expect("reply");
                    replied += 1;
                }
            }
            response::PULL_OFFSET_MOVED => {
                let rh = PullMessageResponseHeader::read_from(&resp.ext_fields).expect("header");
                offset = rh.next_begin_offset;
            }
            _ => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    producer.shutdown_blocking().expect("shutdown");
    println!("replied to {replied} of {count} request(s)");
    if replied < count {
        std::process::exit(1);
    }
}
