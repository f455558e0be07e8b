//! The producer engine against the real local RocketMQ: every send mode,
//! every sent message pulled back and compared, delays and timers,
//! compression, batches, ordered sends, transactions, request-reply, bad
//! input, and shutdown with async sends in flight.

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use common::{create_topic, pull_until, raw_client, require_broker, unique};
use rocketmq::producer::selector::{SelectArg, SelectByHash, SelectByShardingKey};
use rocketmq::producer::{
    LocalTransactionState, Producer, ProducerConfig, SendResult, SendStatus, TransactionListener,
    TransactionProducer,
};
use rocketmq::protocol::compress::CompressionType;
use rocketmq::protocol::message::{sysflag, Message, MessageExt};
use rocketmq::protocol::{msg_id, MessageQueue, SerializeType};
use rocketmq::runtime::block_on;
use rocketmq::ErrorKind;

fn config(group_prefix: &str) -> ProducerConfig {
    let mut c = ProducerConfig::new(common::namesrv(), unique(group_prefix));
    c.send_timeout = Duration::from_secs(10);
    c
}

fn started(c: ProducerConfig) -> Producer {
    let p = Producer::new(c).expect("producer");
    p.start().expect("start");
    p
}

fn new_topic(prefix: &str, queues: i32) -> String {
    let topic = unique(prefix);
    block_on(async {
        let c = raw_client();
        create_topic(&c, &common::broker(), &topic, queues).await;
    })
    .unwrap();
    topic
}

fn message(topic: &str, i: usize) -> Message {
    let mut m = Message::new(
        topic,
        format!("body-{i}-{}", "x".repeat(i % 7)).into_bytes(),
    );
    m.set_tags(format!("Tag{}", i % 3));
    m.set_keys([format!("key-{i}"), format!("k2-{i}")]);
    m.put_user_property("index", i.to_string()).unwrap();
    m.put_user_property("color", "blue").unwrap();
    m.flag = i as i32;
    m
}

/// Pulls every queue of `topic` until `want` messages arrived.
fn pull_all(topic: &str, queues: i32, want: usize) -> Vec<MessageExt> {
    block_on(async {
        let c = raw_client();
        let mut out = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut next = vec![0i64; queues as usize];
        while out.len() < want && Instant::now() < deadline {
            for q in 0..queues {
                let got = pull_until(
                    &c,
                    &common::broker(),
                    topic,
                    q,
                    next[q as usize],
                    1,
                    Duration::from_millis(300),
                )
                .await;
                if let Some(last) = got.last() {
                    next[q as usize] = last.queue_offset + 1;
                }
                out.extend(got);
            }
        }
        out
    })
    .unwrap()
}

fn assert_same(sent: &Message, got: &MessageExt) {
    assert_eq!(got.body, sent.body, "body");
    assert_eq!(got.tags(), sent.tags(), "tags");
    assert_eq!(got.keys(), sent.keys(), "keys");
    assert_eq!(got.flag, sent.flag, "flag");
    for (k, v) in sent.user_properties() {
        assert_eq!(got.property(k), Some(v), "user property {k}");
    }
}

fn check_result(r: &SendResult, topic: &str) {
    assert_eq!(r.status, SendStatus::SendOk);
    assert_eq!(r.msg_id.len(), 32, "unique key {}", r.msg_id);
    let (addr, _) = msg_id::decode_offset_msg_id(&r.offset_msg_id).expect("offset msg id");
    assert_eq!(addr.to_string(), common::broker());
    assert_eq!(r.queue.topic, topic);
    assert_eq!(r.queue.broker_name, "broker-a");
    assert!(r.queue_offset >= 0);
}

#[test]
fn sync_async_oneway_sends_arrive_intact() {
    require_broker();
    for ser in [SerializeType::Json, SerializeType::RocketMq] {
        let topic = new_topic("prod_modes", 4);
        let mut c = config("prod_modes");
        c.client.serialize_type = ser;
        let p = started(c);
        let mut sent: HashMap<String, Message> = HashMap::new();
        // sync
        for i in 0..10 {
            let m = message(&topic, i);
            let r = p.send_blocking(m.clone()).expect("sync send");
            check_result(&r, &topic);
            sent.insert(r.msg_id.clone(), m);
        }
        // async with callbacks
        let (tx, rx) = mpsc::channel();
        for i in 10..20 {
            let m = message(&topic, i);
            let tx = tx.clone();
            let m2 = m.clone();
            p.send_async(m, move |r| tx.send((r, m2)).unwrap())
                .expect("async send");
        }
        for _ in 10..20 {
            let (r, m) = rx.recv_timeout(Duration::from_secs(15)).expect("callback");
            let r = r.expect("async result");
            check_result(&r, &topic);
            sent.insert(r.msg_id.clone(), m);
        }
        // async future
        let r = block_on(p.send_async_future(message(&topic, 20)))
            .unwrap()
            .expect("future");
        check_result(&r, &topic);
        sent.insert(r.msg_id.clone(), message(&topic, 20));
        // oneway: ids come from the unique key we set
        for i in 21..25 {
            let mut m = message(&topic, i);
            let key = msg_id::new_unique_key();
            m.set_unique_key(key.clone());
            block_on(p.send_oneway(m.clone())).unwrap().expect("oneway");
            sent.insert(key, m);
        }
        // to a given queue
        let q = MessageQueue::new(topic.clone(), "broker-a", 2);
        let m = message(&topic, 25);
        let r = block_on(p.send_to_queue(m.clone(), &q))
            .unwrap()
            .expect("to queue");
        assert_eq!(r.queue.queue_id, 2);
        sent.insert(r.msg_id.clone(), m);

        let got = pull_all(&topic, 4, sent.len());
        assert_eq!(
            got.len(),
            sent.len(),
            "every message arrived once ({ser:?})"
        );
        for g in &got {
            let key = g.unique_key().expect("unique key").to_owned();
            let m = sent
                .get(&key)
                .unwrap_or_else(|| panic!("unexpected message {key}"));
            assert_same(m, g);
            assert_eq!(g.msg_id(), key);
            assert_eq!(g.store_host.to_string(), common::broker());
        }
        p.shutdown_blocking().unwrap();
    }
}

#[test]
fn batch_of_100_arrives_whole_with_own_keys() {
    require_broker();
    let topic = new_topic("prod_batch", 1);
    let p = started(config("prod_batch"));
    let msgs: Vec<Message> = (0..100).map(|i| message(&topic, i)).collect();
    let r = block_on(p.send_batch(msgs.clone()))
        .unwrap()
        .expect("batch");
    let ids: Vec<&str> = r.msg_id.split(',').collect();
    assert_eq!(ids.len(), 100);
    assert_eq!(r.offset_msg_id.split(',').count(), 100);
    let got = pull_all(&topic, 1, 100);
    assert_eq!(got.len(), 100);
    for (i, g) in got.iter().enumerate() {
        assert_same(&msgs[i], g);
        assert_eq!(g.unique_key(), Some(ids[i]));
    }
    // Over the size limit: a clear error, nothing sent.
    let big: Vec<Message> = (0..5)
        .map(|_| Message::new(&topic, vec![b'z'; 1024 * 1024]))
        .collect();
    let e = block_on(p.send_batch(big)).unwrap().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(e.message().contains("maximum message size"), "{e}");
    p.shutdown_blocking().unwrap();
}

#[test]
fn ordered_sends_with_one_key_land_on_one_queue_in_order() {
    require_broker();
    let topic = new_topic("prod_order", 8);
    let p = started(config("prod_order"));
    let mut queues = Vec::new();
    for i in 0..30 {
        let m = message(&topic, i);
        let r = block_on(p.send_with_selector(m, &SelectByHash, Some(SelectArg::Str("order-42"))))
            .unwrap()
            .expect("ordered");
        queues.push(r.queue.queue_id);
    }
    queues.dedup();
    assert_eq!(queues.len(), 1, "one key, one queue");
    let got = pull_all(&topic, 8, 30);
    let idx: Vec<String> = got
        .iter()
        .map(|g| g.property("index").unwrap().to_owned())
        .collect();
    let want: Vec<String> = (0..30).map(|i| i.to_string()).collect();
    assert_eq!(idx, want, "in order");
    // Sharding key selector.
    let mut m = message(&topic, 99);
    m.set_sharding_key("shard-7");
    let a = block_on(p.send_with_selector(m.clone(), &SelectByShardingKey, None))
        .unwrap()
        .unwrap();
    let b = block_on(p.send_with_selector(m, &SelectByShardingKey, None))
        .unwrap()
        .unwrap();
    assert_eq!(a.queue, b.queue);
    p.shutdown_blocking().unwrap();
}

#[test]
fn compressed_bodies_round_trip() {
    require_broker();
    for ty in [
        CompressionType::Zlib,
        CompressionType::Lz4,
        CompressionType::Zstd,
    ] {
        let topic = new_topic("prod_compress", 1);
        let mut c = config("prod_compress");
        c.compress_type = ty;
        let p = started(c);
        let body: Vec<u8> = (0..20_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        let m = Message::new(&topic, body.clone());
        block_on(p.send(m)).unwrap().expect("send");
        let got = pull_all(&topic, 1, 1);
        assert_eq!(got.len(), 1);
        assert_eq!(&got[0].body[..], &body[..], "{ty:?}");
        assert_eq!(
            got[0].sys_flag & sysflag::COMPRESSED,
            0,
            "flag cleared after decompression"
        );
        p.shutdown_blocking().unwrap();
    }
}

#[test]
fn delay_level_one_arrives_about_a_second_later() {
    require_broker();
    let topic = new_topic("prod_delay", 1);
    let p = started(config("prod_delay"));
    let mut m = message(&topic, 1);
    m.set_delay_level(1);
    block_on(p.send(m)).unwrap().expect("send");
    let got = pull_all(&topic, 1, 1);
    assert_eq!(got.len(), 1);
    let lag = got[0].store_timestamp - got[0].born_timestamp;
    assert!(lag >= 900, "delivered after {lag} ms, before its delay");
    assert!(lag < 6000, "delivered after {lag} ms");
    p.shutdown_blocking().unwrap();
}

#[test]
fn timer_message_arrives_at_its_time() {
    require_broker();
    let topic = new_topic("prod_timer", 1);
    let p = started(config("prod_timer"));
    let mut m = message(&topic, 1);
    let now_ms = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64
    };
    let at = now_ms() + 5000;
    m.set_deliver_time_ms(at);
    block_on(p.send(m)).unwrap().expect("send");
    // Not visible before its time: watched until 1.5 s before it (the broker
    // may deliver up to 1 s early, rounding down to its precision), however
    // long the send took.
    let watch = (at - 1500 - now_ms()).clamp(0, 2500);
    let early = pull_all_for(&topic, Duration::from_millis(watch as u64));
    assert!(
        early.is_empty(),
        "a timer message arrived {} ms early",
        at - now_ms()
    );
    let got = pull_all(&topic, 1, 1);
    assert_eq!(got.len(), 1);
    // The broker rounds delivery down to its 1 s precision.
    assert!(
        got[0].store_timestamp >= at - 1000,
        "stored {} ms before its time",
        at - got[0].store_timestamp
    );
    p.shutdown_blocking().unwrap();
}

fn pull_all_for(topic: &str, d: Duration) -> Vec<MessageExt> {
    block_on(async {
        let c = raw_client();
        pull_until(&c, &common::broker(), topic, 0, 0, 1, d).await
    })
    .unwrap()
}

struct Listener {
    states: Mutex<HashMap<String, LocalTransactionState>>,
    checks: AtomicUsize,
}

impl TransactionListener for Listener {
    fn execute_local_transaction(&self, msg: &Message, _arg: usize) -> LocalTransactionState {
        match msg.property("decision") {
            Some("commit") => LocalTransactionState::Commit,
            Some("rollback") => LocalTransactionState::Rollback,
            _ => LocalTransactionState::Unknown,
        }
    }
    fn check_local_transaction(&self, msg: &MessageExt) -> LocalTransactionState {
        self.checks.fetch_add(1, Ordering::SeqCst);
        assert!(
            !rocketmq::runtime::in_runtime(),
            "checker ran on a runtime worker"
        );
        let key = msg.property("decision").unwrap_or("").to_owned();
        *self
            .states
            .lock()
            .unwrap()
            .get(&key)
            .unwrap_or(&LocalTransactionState::Commit)
    }
}

#[test]
fn transactions_commit_rollback_and_check_back() {
    require_broker();
    let topic = new_topic("prod_tx", 1);
    let listener = Arc::new(Listener {
        states: Mutex::new(HashMap::new()),
        checks: AtomicUsize::new(0),
    });
    listener
        .states
        .lock()
        .unwrap()
        .insert("unknown".into(), LocalTransactionState::Commit);
    let tp = TransactionProducer::new(config("prod_tx"), listener.clone()).unwrap();
    tp.start().unwrap();
    let mut expected = Vec::new();
    for decision in ["commit", "rollback", "unknown"] {
        let mut m = Message::new(&topic, format!("tx-{decision}").into_bytes());
        m.put_user_property("decision", decision).unwrap();
        let r = tp.send_message_in_transaction(m, 0).expect("tx send");
        assert_eq!(r.send.status, SendStatus::SendOk);
        assert!(r.send.transaction_id.is_some());
        if decision != "rollback" {
            expected.push(format!("tx-{decision}"));
        }
    }
    // commit is visible at once; unknown after the broker's check-back (a few seconds).
    let got = pull_all(&topic, 1, 2);
    let mut bodies: Vec<String> = got
        .iter()
        .map(|g| String::from_utf8_lossy(&g.body).into_owned())
        .collect();
    bodies.sort();
    // A message committed by a check-back can come twice: when an answer
    // takes longer than the broker's check interval, the broker asks again
    // and commits each answer (broker behaviour).
    bodies.dedup_by(|a, b| a == b && a == "tx-unknown");
    expected.sort();
    assert_eq!(
        bodies, expected,
        "commit and checked-back unknown visible, rollback never"
    );
    assert!(
        listener.checks.load(Ordering::SeqCst) >= 1,
        "the checker ran"
    );
    // The rolled-back one never shows up.
    let later = pull_all_for(&topic, Duration::from_secs(2));
    assert!(later.iter().all(|g| &g.body[..] != b"tx-rollback"));
    tp.shutdown_blocking().unwrap();
}

/// A checker that shuts its own producer down: the shutdown returns (the
/// checker thread is not joined from itself) and the producer is shut down.
#[test]
fn shutdown_from_own_checker_returns() {
    require_broker();
    struct SelfStopping {
        tp: Mutex<Option<Arc<TransactionProducer>>>,
        done: Mutex<Option<std::sync::mpsc::Sender<rocketmq::Result<()>>>>,
    }
    impl TransactionListener for SelfStopping {
        fn execute_local_transaction(&self, _: &Message, _: usize) -> LocalTransactionState {
            LocalTransactionState::Unknown
        }
        fn check_local_transaction(&self, _: &MessageExt) -> LocalTransactionState {
            if let Some(tp) = self.tp.lock().unwrap().take() {
                let r = tp.shutdown_blocking();
                if let Some(tx) = self.done.lock().unwrap().take() {
                    let _ = tx.send(r);
                }
            }
            LocalTransactionState::Rollback
        }
    }
    let topic = new_topic("prod_tx_self", 1);
    let (tx, rx) = std::sync::mpsc::channel();
    let listener = Arc::new(SelfStopping {
        tp: Mutex::new(None),
        done: Mutex::new(Some(tx)),
    });
    let tp = Arc::new(TransactionProducer::new(config("prod_tx_self"), listener.clone()).unwrap());
    tp.start().unwrap();
    *listener.tp.lock().unwrap() = Some(tp.clone());
    let r = tp
        .send_message_in_transaction(Message::new(&topic, b"x".to_vec()), 0)
        .unwrap();
    assert_eq!(r.send.status, SendStatus::SendOk);
    // The broker checks back after a few seconds; the shutdown inside returns.
    let result = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the checker's shutdown never returned");
    result.unwrap();
    let after = tp.send_message_in_transaction(Message::new(&topic, b"y".to_vec()), 0);
    assert!(after.is_err(), "a send after shutdown succeeded");
    tp.shutdown_blocking().unwrap();
}

/// A shutdown while the checker is answering a check-back waits for the
/// answer to go out: the committed message arrives although the producer
/// was shut down while its checker was still deciding.
#[test]
fn shutdown_during_a_check_sends_the_checkers_answer() {
    require_broker();
    struct Slow {
        entered: Mutex<Option<std::sync::mpsc::Sender<()>>>,
    }
    impl TransactionListener for Slow {
        fn execute_local_transaction(&self, _: &Message, _: usize) -> LocalTransactionState {
            LocalTransactionState::Unknown
        }
        fn check_local_transaction(&self, _: &MessageExt) -> LocalTransactionState {
            if let Some(tx) = self.entered.lock().unwrap().take() {
                let _ = tx.send(());
            }
            std::thread::sleep(Duration::from_millis(1500));
            LocalTransactionState::Commit
        }
    }
    let topic = new_topic("prod_tx_late", 1);
    let (tx, rx) = std::sync::mpsc::channel();
    let listener = Arc::new(Slow {
        entered: Mutex::new(Some(tx)),
    });
    let tp = TransactionProducer::new(config("prod_tx_late"), listener).unwrap();
    tp.start().unwrap();
    let r = tp
        .send_message_in_transaction(Message::new(&topic, b"late".to_vec()), 0)
        .unwrap();
    assert_eq!(r.send.status, SendStatus::SendOk);
    rx.recv_timeout(Duration::from_secs(60))
        .expect("the broker never checked back");
    let t0 = Instant::now();
    tp.shutdown_blocking().unwrap();
    assert!(
        t0.elapsed() >= Duration::from_millis(1000),
        "shutdown did not wait for the running check"
    );
    let got = pull_all(&topic, 1, 1);
    assert_eq!(got.len(), 1, "the checker's commit was lost");
    assert_eq!(&got[0].body[..], b"late");
}

#[test]
fn request_reply_round_trip() {
    require_broker();
    let topic = new_topic("prod_rr", 1);
    let requester = started(config("prod_rr_req"));
    let responder = started(config("prod_rr_resp"));
    // The responder: pulls the request and replies.
    let resp2 = responder.clone();
    let topic2 = topic.clone();
    let handle = std::thread::spawn(move || {
        let got = pull_all(&topic2, 1, 1);
        let req = got.into_iter().next().expect("request arrived");
        let body = format!("reply to {}", String::from_utf8_lossy(&req.body));
        block_on(resp2.reply(&req, body.into_bytes()))
            .unwrap()
            .expect("reply sent");
    });
    let reply =
        block_on(requester.request(Message::new(&topic, &b"ping"[..]), Duration::from_secs(15)))
            .unwrap()
            .expect("reply");
    assert_eq!(&reply.body[..], b"reply to ping");
    handle.join().unwrap();
    // No responder: a timeout error, not a hang.
    let t = Instant::now();
    let e = block_on(requester.request(
        Message::new(&topic, &b"nobody"[..]),
        Duration::from_millis(800),
    ))
    .unwrap()
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert!(t.elapsed() < Duration::from_secs(5));
    requester.shutdown_blocking().unwrap();
    responder.shutdown_blocking().unwrap();
}

#[test]
fn bad_input_gets_clear_errors() {
    require_broker();
    let p = Producer::new(config("prod_bad")).unwrap();
    let e = p.send_blocking(Message::new("T", &b"x"[..])).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotStarted);
    p.start().unwrap();
    let cases: Vec<(Message, &str)> = vec![
        (Message::new("", &b"x"[..]), "topic"),
        (Message::new("bad topic!", &b"x"[..]), "topic"),
        (Message::new("a".repeat(200), &b"x"[..]), "topic"),
        (Message::new("SCHEDULE_TOPIC_XXXX", &b"x"[..]), "topic"),
        (Message::new("ok_topic", Vec::<u8>::new()), "body"),
        (
            Message::new("ok_topic", vec![0u8; 4 * 1024 * 1024 + 1]),
            "body",
        ),
    ];
    for (m, what) in cases {
        let e = p.send_blocking(m).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{what}: {e}");
        assert!(e.message().to_lowercase().contains(what), "{what}: {e}");
    }
    let mut m = Message::new("ok_topic", &b"x"[..]);
    m.set_delay_level(19);
    assert_eq!(
        p.send_blocking(m).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    let mut m = Message::new("ok_topic", &b"x"[..]);
    assert!(
        m.put_user_property("UNIQ_KEY", "x").is_err(),
        "reserved property name"
    );
    // Bad configurations.
    assert!(Producer::new(ProducerConfig::new(common::namesrv(), "DEFAULT_PRODUCER")).is_err());
    assert!(Producer::new(ProducerConfig::new(common::namesrv(), "bad group!")).is_err());
    assert!(Producer::new(ProducerConfig::new("", "g")).is_err());
    // A queue that is not in the route.
    let topic = new_topic("prod_bad_q", 2);
    let q = MessageQueue::new(topic.clone(), "broker-a", 9);
    let e = block_on(p.send_to_queue(Message::new(&topic, &b"x"[..]), &q))
        .unwrap()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    p.shutdown_blocking().unwrap();
    let e = p
        .send_blocking(Message::new(&topic, &b"x"[..]))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ShutDown);
    p.shutdown_blocking().unwrap(); // twice is fine
}

#[test]
fn shutdown_with_async_sends_in_flight_calls_every_callback_once() {
    require_broker();
    let topic = new_topic("prod_shutdown", 4);
    let p = started(config("prod_shutdown"));
    let calls = Arc::new(Mutex::new(HashMap::<usize, usize>::new()));
    let n = 2000;
    let mut accepted = 0;
    for i in 0..n {
        let calls = calls.clone();
        if p.send_async(Message::new(&topic, vec![b'a'; 512]), move |_r| {
            *calls.lock().unwrap().entry(i).or_default() += 1;
        })
        .is_ok()
        {
            accepted += 1;
        }
    }
    p.shutdown_blocking().unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    while calls.lock().unwrap().len() < accepted && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    let calls = calls.lock().unwrap();
    assert_eq!(
        calls.len(),
        accepted,
        "every accepted send got its callback"
    );
    assert!(calls.values().all(|&c| c == 1), "no callback twice");
}

#[test]
fn thousand_concurrent_first_sends_make_one_route_lookup() {
    require_broker();
    let topic = new_topic("prod_flight", 4);
    let p = started(config("prod_flight"));
    let inst = p.instance().unwrap();
    // Let the instance's start-up route refresh (10 ms after start, later on
    // a loaded machine) pass: the count holds still for 300 ms.
    let lookups = || inst.stats().route_lookups.load(Ordering::SeqCst);
    let mut before = lookups();
    let settle = Instant::now() + Duration::from_secs(10);
    loop {
        std::thread::sleep(Duration::from_millis(300));
        let now = lookups();
        if now == before || Instant::now() > settle {
            break;
        }
        before = now;
    }
    let handles: Vec<_> = (0..1000)
        .map(|_| {
            let p = p.clone();
            let topic = topic.clone();
            rocketmq::runtime::handle().spawn(async move { p.publish_queues(&topic).await })
        })
        .collect();
    block_on(async {
        for h in handles {
            assert_eq!(h.await.unwrap().unwrap().len(), 4);
        }
    })
    .unwrap();
    let after = inst.stats().route_lookups.load(Ordering::SeqCst);
    assert_eq!(
        after - before,
        1,
        "one name server lookup for 1000 concurrent first uses"
    );
    p.shutdown_blocking().unwrap();
}

#[test]
fn unknown_topic_is_auto_created_through_the_default_topic() {
    require_broker();
    let topic = unique("prod_autocreate"); // never created
    let p = started(config("prod_autocreate"));
    let r = p
        .send_blocking(message(&topic, 1))
        .expect("send to a new topic");
    check_result(&r, &topic);
    let got = pull_all(&topic, 4, 1);
    assert_eq!(got.len(), 1);
    p.shutdown_blocking().unwrap();
}

#[test]
fn vip_channel_namespace_hooks_and_back_pressure() {
    require_broker();
    // VIP channel: the broker's fast port (its port minus 2).
    let topic = new_topic("prod_vip", 1);
    let mut c = config("prod_vip");
    c.client.vip_channel = true;
    let p = started(c);
    p.send_blocking(message(&topic, 1))
        .expect("send over the VIP channel");
    assert!(p
        .instance()
        .unwrap()
        .remoting()
        .is_connected(&rocketmq::remoting::namesrv::vip_addr(&common::broker())));
    p.shutdown_blocking().unwrap();

    // Namespace v1: wrapped on the wire, unwrapped for the user.
    let mut c = config("prod_ns");
    c.client.namespace = Some("nsone".into());
    let p = started(c);
    let plain = unique("prod_ns_topic");
    let r = p
        .send_blocking(message(&plain, 1))
        .expect("namespaced send");
    assert_eq!(r.queue.topic, plain);
    let got = pull_all(&format!("nsone%{plain}"), 4, 1);
    assert_eq!(got.len(), 1, "the message is in the wrapped topic");
    assert_eq!(got[0].property("INSTANCE_ID"), Some("nsone"));
    p.shutdown_blocking().unwrap();

    // A forbidden hook vetoes; a panicking send hook does not break the send.
    struct Veto;
    impl rocketmq::producer::ForbiddenHook for Veto {
        fn name(&self) -> &str {
            "veto"
        }
        fn check(&self, ctx: &rocketmq::producer::SendContext<'_>) -> rocketmq::Result<()> {
            if ctx.message.tags() == Some("forbidden") {
                Err(rocketmq::Error::invalid("tag forbidden here"))
            } else {
                Ok(())
            }
        }
    }
    struct Panicky;
    impl rocketmq::producer::SendHook for Panicky {
        fn name(&self) -> &str {
            "panicky"
        }
        fn before_send(&self, _ctx: &rocketmq::producer::SendContext<'_>) {
            panic!("hook bug");
        }
    }
    let p = started(config("prod_hooks"));
    p.add_forbidden_hook(Arc::new(Veto));
    p.add_send_hook(Arc::new(Panicky));
    let mut m = message(&topic, 2);
    m.set_tags("forbidden");
    let e = p.send_blocking(m).unwrap_err();
    assert!(e.message().contains("tag forbidden here"), "{e}");
    p.send_blocking(message(&topic, 3))
        .expect("a panicking hook does not break the send");
    p.shutdown_blocking().unwrap();

    // Back-pressure: fail mode refuses beyond the in-flight bound.
    let mut c = config("prod_bp");
    c.max_inflight_async = 2;
    c.back_pressure = rocketmq::producer::BackPressure::Fail;
    let p = started(c);
    let (tx, rx) = mpsc::channel();
    let mut busy = 0;
    let mut accepted = 0;
    for i in 0..200 {
        let tx = tx.clone();
        match p.send_async(message(&topic, i), move |r| tx.send(r.is_ok()).unwrap()) {
            Ok(()) => accepted += 1,
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::Busy, "{e}");
                busy += 1;
            }
        }
    }
    for _ in 0..accepted {
        assert!(rx.recv_timeout(Duration::from_secs(10)).unwrap());
    }
    assert!(busy > 0, "the bound of 2 in-flight sends was never reached");
    // Wait mode: every send accepted, all complete.
    let mut c = config("prod_bp_wait");
    c.max_inflight_async = 2;
    let p2 = started(c);
    let (tx, rx) = mpsc::channel();
    for i in 0..50 {
        let tx = tx.clone();
        p2.send_async(message(&topic, i), move |r| tx.send(r.is_ok()).unwrap())
            .expect("wait mode accepts");
    }
    for _ in 0..50 {
        assert!(rx.recv_timeout(Duration::from_secs(10)).unwrap());
    }
    p.shutdown_blocking().unwrap();
    p2.shutdown_blocking().unwrap();
}

/// A name server in front of the real one that never answers the first route
/// request it gets and passes everything else through; counts the route
/// requests in `routes`.
async fn namesrv_losing_first_route_request(routes: Arc<AtomicUsize>) -> String {
    use rocketmq::protocol::codes::request;
    use rocketmq::protocol::frame::{encode_frame, FrameDecoder, DEFAULT_MAX_FRAME};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        while let Ok((client, _)) = l.accept().await {
            let routes = routes.clone();
            tokio::spawn(async move {
                let upstream = TcpStream::connect(common::namesrv()).await.unwrap();
                let (mut from_client, mut to_client) = client.into_split();
                let (mut from_upstream, mut to_upstream) = upstream.into_split();
                tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut from_upstream, &mut to_client).await;
                });
                let dec = FrameDecoder::default();
                let mut buf = bytes::BytesMut::new();
                loop {
                    while let Ok(Some(cmd)) = dec.decode(&mut buf) {
                        if cmd.code == request::GET_ROUTEINFO_BY_TOPIC
                            && routes.fetch_add(1, Ordering::SeqCst) == 0
                        {
                            continue; // lost
                        }
                        let mut out = bytes::BytesMut::new();
                        encode_frame(&cmd, DEFAULT_MAX_FRAME, &mut out).unwrap();
                        if to_upstream.write_all(&out).await.is_err() {
                            return;
                        }
                    }
                    match from_client.read_buf(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                }
            });
        }
    });
    addr
}

/// One route lookup that times out does not fail a send with time left: the
/// lookup is asked again within the send timeout.
#[test]
fn a_lost_route_request_is_asked_again_within_the_send_timeout() {
    require_broker();
    let topic = new_topic("prod_lost_route", 4);
    let routes = Arc::new(AtomicUsize::new(0));
    let ns = block_on(namesrv_losing_first_route_request(routes.clone())).unwrap();
    let mut c = ProducerConfig::new(ns, unique("prod_lost_route"));
    c.client.api_timeout = Duration::from_millis(500);
    c.send_timeout = Duration::from_secs(10);
    let p = started(c);
    let t0 = Instant::now();
    let r = p
        .send_blocking(message(&topic, 1))
        .expect("a send after a lost route request");
    check_result(&r, &topic);
    assert!(
        t0.elapsed() >= Duration::from_millis(500),
        "the lookup was lost"
    );
    assert!(routes.load(Ordering::SeqCst) >= 2);
    p.shutdown_blocking().unwrap();
}
