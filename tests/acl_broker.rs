//! Request signing against a real broker with ACL 2.0 authentication on.
//! Starts broker-acl itself (`scripts/rocketmq-local start-acl`: a master in
//! a cluster of its own that refuses every request without a valid
//! signature) and stops it at the end.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{namesrv, require_broker, unique};
use rocketmq::admin::{Admin, TopicSpec};
use rocketmq::client::{ClientConfig, Credentials};
use rocketmq::consumer::{
    ConsumeConcurrentlyContext, ConsumeConcurrentlyStatus, LitePullConsumer,
    LitePullConsumerConfig, MessageListener, PushConsumer, PushConsumerConfig,
};
use rocketmq::producer::{Producer, ProducerConfig};
use rocketmq::protocol::body::heartbeat::ConsumeFromWhere;
use rocketmq::protocol::message::{Message, MessageExt};
use rocketmq::protocol::SerializeType;
use rocketmq::runtime::block_on;

/// The super user `scripts/rocketmq-local` gives broker-acl.
const ACCESS_KEY: &str = "rocketmq";
const SECRET_KEY: &str = "12345678";

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/rocketmq-local")
}

fn acl_broker() -> String {
    std::env::var("ROCKETMQ_BROKER_ACL_ADDR").unwrap_or_else(|_| "127.0.0.1:10951".into())
}

/// Stops broker-acl when the test ends, passed or failed.
struct AclBroker;

impl AclBroker {
    fn start() -> AclBroker {
        let st = Command::new(script())
            .arg("start-acl")
            .status()
            .expect("run rocketmq-local");
        assert!(st.success(), "rocketmq-local start-acl failed");
        AclBroker
    }
}

impl Drop for AclBroker {
    fn drop(&mut self) {
        let _ = Command::new(script()).args(["stop-acl", "--kill"]).status();
    }
}

fn client(credentials: Option<Credentials>, ser: SerializeType) -> ClientConfig {
    let mut c = ClientConfig::new(namesrv());
    c.credentials = credentials;
    c.serialize_type = ser;
    c
}

fn good() -> Option<Credentials> {
    Some(Credentials::new(ACCESS_KEY, SECRET_KEY))
}

/// Creates `topic` on broker-acl through a signed admin client and waits
/// for its route.
fn create_topic(topic: &str, ser: SerializeType) {
    let admin = Admin::new(client(good(), ser)).unwrap();
    let mut spec = TopicSpec::new(topic);
    spec.read_queue_nums = 4;
    spec.write_queue_nums = 4;
    block_on(admin.create_topic(&acl_broker(), &spec))
        .unwrap()
        .expect("a signed topic creation");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !matches!(block_on(admin.fetch_publish_queues(topic)), Ok(Ok(q)) if q.len() == 4) {
        assert!(Instant::now() < deadline, "no route of {topic}");
        std::thread::sleep(Duration::from_millis(200));
    }
    admin.shutdown();
}

fn producer(credentials: Option<Credentials>, ser: SerializeType) -> Producer {
    let mut c = ProducerConfig::new(namesrv(), unique("AclPG"));
    c.client = client(credentials, ser);
    c.send_timeout = Duration::from_secs(5);
    let p = Producer::new(c).unwrap();
    p.start().unwrap();
    p
}

/// Everything a client does, signed: topic creation, sync and batch sends
/// (the body is part of the signature), heartbeats, long-polling pulls,
/// offset commits and queries by a push and a lite pull consumer.
fn signed_clients_work(ser: SerializeType) {
    let topic = unique("AclTopic");
    create_topic(&topic, ser);
    let p = producer(good(), ser);
    let mut ids = BTreeSet::new();
    for i in 0..20 {
        let mut m = Message::new(&topic, format!("signed {i}").into_bytes());
        m.set_keys([format!("k{i}")]);
        let r = p.send_blocking(m).expect("a signed send");
        ids.insert(r.msg_id);
    }
    let batch: Vec<Message> = (0..10)
        .map(|i| Message::new(&topic, format!("batch {i}").into_bytes()))
        .collect();
    let r = block_on(p.send_batch(batch))
        .unwrap()
        .expect("a signed batch");
    ids.extend(r.msg_id.split(',').map(str::to_owned));
    assert_eq!(ids.len(), 30);

    // Push consumer: heartbeat, rebalance, pulls and offset commits.
    let got: Arc<Mutex<Vec<MessageExt>>> = Arc::default();
    let sink = got.clone();
    let mut cfg = PushConsumerConfig::new(namesrv(), unique("AclCG"));
    cfg.client = client(good(), ser);
    cfg.client.persist_offset_interval = Duration::from_millis(500);
    cfg.consume_from_where = ConsumeFromWhere::FirstOffset;
    cfg.rebalance_interval = Duration::from_secs(2);
    let c = PushConsumer::new(cfg).unwrap();
    c.subscribe(
        &topic,
        "*",
        MessageListener::concurrently(
            move |msgs: &[MessageExt], _: &mut ConsumeConcurrentlyContext| {
                sink.lock().unwrap().extend(msgs.iter().cloned());
                ConsumeConcurrentlyStatus::ConsumeSuccess
            },
        ),
    )
    .unwrap();
    c.start().unwrap();
    let consumed = || -> BTreeSet<String> {
        got.lock()
            .unwrap()
            .iter()
            .map(|m| m.msg_id().into_owned())
            .collect()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while !consumed().is_superset(&ids) {
        assert!(
            Instant::now() < deadline,
            "push consumer got {} of {}",
            consumed().len(),
            ids.len()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    c.shutdown_blocking().unwrap();

    // Lite pull consumer: pulls, a manual commit and the offsets read back.
    let mut cfg = LitePullConsumerConfig::new(namesrv(), unique("AclLG"));
    cfg.client = client(good(), ser);
    cfg.consume_from_where = ConsumeFromWhere::FirstOffset;
    cfg.auto_commit = false;
    let lc = LitePullConsumer::new(cfg).unwrap();
    lc.start().unwrap();
    let queues = lc.fetch_message_queues(&topic).unwrap();
    assert_eq!(queues.len(), 4);
    lc.assign(queues.clone()).unwrap();
    let mut polled = BTreeSet::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !polled.is_superset(&ids) {
        assert!(Instant::now() < deadline, "polled {}", polled.len());
        for m in lc.poll(Duration::from_millis(200)).unwrap() {
            polled.insert(m.msg_id().into_owned());
        }
    }
    lc.commit_sync().unwrap();
    let committed: i64 = queues.iter().map(|q| lc.committed(q).unwrap()).sum();
    assert_eq!(committed, 30, "offsets committed and read back");
    lc.shutdown_blocking().unwrap();
    p.shutdown_blocking().unwrap();
}

/// A send without credentials, or signed with a wrong secret, fails with
/// the broker's reason, and nothing is stored.
fn unsigned_and_badly_signed_sends_are_refused(ser: SerializeType) {
    let topic = unique("AclRefused");
    create_topic(&topic, ser);
    for (what, credentials, reason) in [
        ("no credentials", None, "username cannot be null"),
        (
            "a wrong secret",
            Some(Credentials::new(ACCESS_KEY, "not-the-secret")),
            "signature",
        ),
        (
            "an unknown user",
            Some(Credentials::new("nobody", SECRET_KEY)),
            "nobody",
        ),
    ] {
        let p = producer(credentials, ser);
        let err = p
            .send_blocking(Message::new(&topic, b"refused".to_vec()))
            .expect_err(what);
        assert_eq!(err.response_code(), Some(16), "{what}: {err}");
        assert!(
            err.to_string().to_lowercase().contains(reason),
            "{what}: {err}"
        );
        p.shutdown_blocking().unwrap();
    }
    // Nothing of the refused sends was stored: a signed consumer reading
    // from the first offset finds no message.
    let mut cfg = LitePullConsumerConfig::new(namesrv(), unique("AclRG"));
    cfg.client = client(good(), ser);
    cfg.consume_from_where = ConsumeFromWhere::FirstOffset;
    let lc = LitePullConsumer::new(cfg).unwrap();
    lc.start().unwrap();
    lc.assign(lc.fetch_message_queues(&topic).unwrap()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        let got = lc.poll(Duration::from_millis(200)).unwrap();
        assert!(got.is_empty(), "a refused send was stored: {got:?}");
    }
    lc.shutdown_blocking().unwrap();
}

#[test]
fn an_acl_broker_takes_signed_requests_and_refuses_the_others() {
    require_broker();
    let _broker = AclBroker::start();
    for ser in [SerializeType::Json, SerializeType::RocketMq] {
        signed_clients_work(ser);
        unsigned_and_badly_signed_sends_are_refused(ser);
    }
}
