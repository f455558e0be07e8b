//! Consumer engine against the local RocketMQ (`scripts/rocketmq-local start`):
//! push consumers (concurrently, orderly, broadcasting, filters, redelivery,
//! rebalancing, offsets, shutdown) and the lite pull consumer. Every test
//! uses its own topic and group.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{namesrv, require_broker, unique};
use rocketmq::client::{ClientConfig, ClientInstance};
use rocketmq::consumer::offset_store::OffsetStore;
use rocketmq::consumer::pull_api::PullStatus;
use rocketmq::consumer::{
    ConsumeConcurrentlyContext, ConsumeConcurrentlyStatus, ConsumeOrderlyContext,
    ConsumeOrderlyStatus, LitePullConsumer, LitePullConsumerConfig, MessageListener, PushConsumer,
    PushConsumerConfig,
};
use rocketmq::producer::{Producer, ProducerConfig};
use rocketmq::protocol::body::heartbeat::{ConsumeFromWhere, MessageModel};
use rocketmq::protocol::codes::{request, response};
use rocketmq::protocol::headers::{
    CommandHeader, CreateTopicRequestHeader, GetRouteInfoRequestHeader,
    QueryConsumerOffsetRequestHeader, QueryConsumerOffsetResponseHeader,
};
use rocketmq::protocol::message::{Message, MessageExt};
use rocketmq::protocol::{MessageQueue, RemotingCommand};
use rocketmq::remoting::{RemotingClient, RemotingConfig};

/// Creates `topic` with `queues` read and write queues on the broker and
/// waits until the name server routes it.
fn create_topic(topic: &str, queues: i32) {
    let client = RemotingClient::new(RemotingConfig::default()).unwrap();
    client.set_namesrv_addrs(&namesrv()).unwrap();
    rocketmq::runtime::block_on(async {
        let h = CreateTopicRequestHeader {
            topic: topic.to_owned(),
            read_queue_nums: queues,
            write_queue_nums: queues,
            ..Default::default()
        };
        let req = RemotingCommand::request(request::UPDATE_AND_CREATE_TOPIC, h.to_ext());
        let resp = client
            .invoke(&common::broker(), req, Duration::from_secs(5))
            .await
            .expect("create topic");
        assert_eq!(
            resp.code,
            response::SUCCESS,
            "create topic: {:?}",
            resp.remark
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let h = GetRouteInfoRequestHeader {
                topic: topic.to_owned(),
                ..Default::default()
            };
            let req = RemotingCommand::request(request::GET_ROUTEINFO_BY_TOPIC, h.to_ext());
            if let Ok(r) = client.invoke_namesrv(req, Duration::from_secs(3)).await {
                if r.code == response::SUCCESS {
                    break;
                }
            }
            assert!(
                Instant::now() < deadline,
                "the route of {topic} never appeared"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .unwrap();
    client.shutdown();
}

fn producer() -> Producer {
    let p = Producer::new(ProducerConfig::new(namesrv(), unique("PG"))).unwrap();
    p.start().unwrap();
    p
}

/// Sends `n` messages with body `"{i}"` and returns their ids.
fn send_n(
    p: &Producer,
    topic: &str,
    n: usize,
    prepare: impl Fn(usize, &mut Message),
) -> Vec<String> {
    (0..n)
        .map(|i| {
            let mut m = Message::new(topic, i.to_string().into_bytes());
            prepare(i, &mut m);
            p.send_blocking(m).expect("send").msg_id
        })
        .collect()
}

/// A consumer config tuned for quick tests.
fn config(group: &str) -> PushConsumerConfig {
    let mut c = PushConsumerConfig::new(namesrv(), group);
    c.consume_from_where = ConsumeFromWhere::FirstOffset;
    c.rebalance_interval = Duration::from_secs(2);
    c.client.persist_offset_interval = Duration::from_millis(500);
    c.consume_thread_count = 4;
    c
}

/// Collects consumed messages.
#[derive(Clone, Default)]
struct Sink {
    msgs: Arc<Mutex<Vec<MessageExt>>>,
}

impl Sink {
    fn push(&self, m: &MessageExt) {
        self.msgs.lock().unwrap().push(m.clone());
    }
    fn ids(&self) -> BTreeSet<String> {
        self.msgs
            .lock()
            .unwrap()
            .iter()
            .map(|m| m.msg_id().into_owned())
            .collect()
    }
    fn len(&self) -> usize {
        self.msgs.lock().unwrap().len()
    }
    fn snapshot(&self) -> Vec<MessageExt> {
        self.msgs.lock().unwrap().clone()
    }
    /// Waits until `pred` holds, up to `timeout`.
    fn wait(&self, timeout: Duration, pred: impl Fn(&Sink) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if pred(self) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        pred(self)
    }
}

fn concurrently(sink: &Sink) -> MessageListener {
    let sink = sink.clone();
    MessageListener::concurrently(
        move |msgs: &[MessageExt], _: &mut ConsumeConcurrentlyContext| {
            for m in msgs {
                sink.push(m);
            }
            ConsumeConcurrentlyStatus::ConsumeSuccess
        },
    )
}

fn start(
    cfg: PushConsumerConfig,
    topic: &str,
    expr: &str,
    listener: MessageListener,
) -> PushConsumer {
    let c = PushConsumer::new(cfg).unwrap();
    c.subscribe(topic, expr, listener).unwrap();
    c.start().unwrap();
    c
}

#[test]
fn push_concurrently_consumes_everything() {
    require_broker();
    let topic = unique("CTopic");
    create_topic(&topic, 4);
    let p = producer();
    let ids: BTreeSet<String> = send_n(&p, &topic, 200, |_, _| {}).into_iter().collect();
    let sink = Sink::default();
    let mut cfg = config(&unique("CG"));
    cfg.consume_batch_size = 4;
    let c = start(cfg, &topic, "*", concurrently(&sink));
    assert!(
        sink.wait(Duration::from_secs(20), |s| s.ids().is_superset(&ids)),
        "consumed {} of {}",
        sink.ids().len(),
        ids.len()
    );
    for m in sink.snapshot() {
        assert_eq!(m.topic, topic);
        assert!(m.property("CONSUME_START_TIME").is_some());
        assert!(m.property("MAX_OFFSET").is_some());
    }
    let owned = c.assigned_queues();
    assert_eq!(
        owned.iter().filter(|q| q.topic == topic).count(),
        4,
        "{owned:?}"
    );
    let info = c.running_info();
    assert_eq!(info.mq_table.len(), 5, "4 queues and the retry queue");
    let report = c.shutdown_blocking().unwrap();
    assert!(report.drained && report.threads_joined, "{report:?}");
    assert_eq!(report.offset_persist_failures, 0);
    p.shutdown_blocking().unwrap();
}

#[test]
fn push_orderly_keeps_queue_order() {
    require_broker();
    let topic = unique("OTopic");
    create_topic(&topic, 4);
    let p = producer();
    let queues: Vec<MessageQueue> = rocketmq::runtime::block_on(p.publish_queues(&topic))
        .unwrap()
        .unwrap();
    assert_eq!(queues.len(), 4);
    let per_queue = 40;
    for i in 0..per_queue * 4 {
        let q = &queues[i % 4];
        let m = Message::new(&topic, format!("{}:{}", q.queue_id, i / 4).into_bytes());
        rocketmq::runtime::block_on(p.send_to_queue(m, q))
            .unwrap()
            .unwrap();
    }
    let seen: Arc<Mutex<HashMap<i32, Vec<usize>>>> = Arc::default();
    let busy = Arc::new(AtomicUsize::new(0));
    let concurrent_same_queue = Arc::new(AtomicUsize::new(0));
    let (s2, b2, c2) = (seen.clone(), busy.clone(), concurrent_same_queue.clone());
    let listener = MessageListener::orderly(
        move |msgs: &[MessageExt], ctx: &mut ConsumeOrderlyContext| {
            if b2.fetch_add(1, Ordering::SeqCst) > 3 {
                c2.fetch_add(1, Ordering::SeqCst);
            }
            for m in msgs {
                let body = String::from_utf8(m.body.to_vec()).unwrap();
                let (q, seq) = body.split_once(':').unwrap();
                assert_eq!(q.parse::<i32>().unwrap(), ctx.queue.queue_id);
                s2.lock()
                    .unwrap()
                    .entry(ctx.queue.queue_id)
                    .or_default()
                    .push(seq.parse().unwrap());
            }
            std::thread::sleep(Duration::from_millis(1));
            b2.fetch_sub(1, Ordering::SeqCst);
            ConsumeOrderlyStatus::Success
        },
    );
    let mut cfg = config(&unique("OG"));
    cfg.consume_batch_size = 3;
    let c = start(cfg, &topic, "*", listener);
    let deadline = Instant::now() + Duration::from_secs(25);
    loop {
        let total: usize = seen.lock().unwrap().values().map(Vec::len).sum();
        if total >= per_queue * 4 {
            break;
        }
        assert!(Instant::now() < deadline, "consumed {total}");
        std::thread::sleep(Duration::from_millis(50));
    }
    for (q, seqs) in seen.lock().unwrap().iter() {
        let expected: Vec<usize> = (0..per_queue).collect();
        assert_eq!(seqs, &expected, "queue {q} out of order");
    }
    assert_eq!(concurrent_same_queue.load(Ordering::SeqCst), 0);
    let info = c.running_info();
    assert!(info
        .mq_table
        .iter()
        .filter(|(mq, _)| mq.topic == topic)
        .all(|(_, pq)| pq.locked));
    let report = c.shutdown_blocking().unwrap();
    assert!(report.drained, "{report:?}");
    p.shutdown_blocking().unwrap();
}

#[test]
fn broadcasting_each_consumer_gets_everything() {
    require_broker();
    let topic = unique("BTopic");
    create_topic(&topic, 4);
    let p = producer();
    let ids: BTreeSet<String> = send_n(&p, &topic, 60, |_, _| {}).into_iter().collect();
    let group = unique("BG");
    let dir = std::env::temp_dir().join(unique("bcast-offsets"));
    let sinks = [Sink::default(), Sink::default()];
    let consumers: Vec<PushConsumer> = sinks
        .iter()
        .map(|s| {
            let mut cfg = config(&group);
            cfg.message_model = MessageModel::Broadcasting;
            cfg.local_offset_dir = Some(dir.clone());
            start(cfg, &topic, "*", concurrently(s))
        })
        .collect();
    for s in &sinks {
        assert!(
            s.wait(Duration::from_secs(20), |s| s.ids().is_superset(&ids)),
            "a broadcasting consumer got {} of {}",
            s.ids().len(),
            ids.len()
        );
    }
    for c in &consumers {
        assert_eq!(
            c.assigned_queues().len(),
            4,
            "broadcasting has no retry queue"
        );
        c.shutdown_blocking().unwrap();
    }
    // Each consumer wrote its offsets to its own file.
    let files: Vec<_> = walk(&dir)
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "offsets.json"))
        .collect();
    assert_eq!(files.len(), 2, "{files:?}");
    for f in files {
        let t = rocketmq::consumer::offset_store::read_offset_file(&f).unwrap();
        let total: i64 = t
            .iter()
            .filter(|(mq, _)| mq.topic == topic)
            .map(|(_, o)| *o)
            .sum();
        assert_eq!(total, 60, "{t:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
    p.shutdown_blocking().unwrap();
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn reconsume_later_is_redelivered_with_reconsume_times_plus_one() {
    require_broker();
    let topic = unique("RTopic");
    create_topic(&topic, 2);
    let p = producer();
    let ids: BTreeSet<String> = send_n(&p, &topic, 5, |_, _| {}).into_iter().collect();
    let deliveries: Arc<Mutex<Vec<(String, i32, String)>>> = Arc::default();
    let d2 = deliveries.clone();
    let listener = MessageListener::concurrently(
        move |msgs: &[MessageExt], ctx: &mut ConsumeConcurrentlyContext| {
            let mut later = false;
            for m in msgs {
                d2.lock().unwrap().push((
                    m.msg_id().into_owned(),
                    m.reconsume_times,
                    m.topic.clone(),
                ));
                later |= m.reconsume_times == 0;
            }
            if later {
                ctx.delay_level_when_next_consume = 1;
                ConsumeConcurrentlyStatus::ReconsumeLater
            } else {
                ConsumeConcurrentlyStatus::ConsumeSuccess
            }
        },
    );
    let c = start(config(&unique("RG")), &topic, "*", listener);
    let deadline = Instant::now() + Duration::from_secs(25);
    loop {
        let redelivered: BTreeSet<String> = deliveries
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, n, _)| *n == 1)
            .map(|(id, _, _)| id.clone())
            .collect();
        if redelivered.is_superset(&ids) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "redelivered {} of {}: {:?}",
            redelivered.len(),
            ids.len(),
            deliveries.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // Redelivered messages come from the retry topic with their own topic back.
    for (_, _, t) in deliveries.lock().unwrap().iter() {
        assert_eq!(t, &topic);
    }
    c.shutdown_blocking().unwrap();
    p.shutdown_blocking().unwrap();
}

#[test]
fn tag_filter_delivers_only_matching_tags() {
    require_broker();
    let topic = unique("TTopic");
    create_topic(&topic, 4);
    let p = producer();
    let tags = ["a", "b", "c"];
    let ids = send_n(&p, &topic, 60, |i, m| m.set_tags(tags[i % 3]));
    let wanted: BTreeSet<String> = ids
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 3 != 1)
        .map(|(_, id)| id.clone())
        .collect();
    let sink = Sink::default();
    let c = start(config(&unique("TG")), &topic, "a || c", concurrently(&sink));
    assert!(sink.wait(Duration::from_secs(20), |s| s.ids().is_superset(&wanted)));
    std::thread::sleep(Duration::from_millis(500));
    for m in sink.snapshot() {
        assert_ne!(m.tags(), Some("b"));
    }
    assert_eq!(sink.ids(), wanted);
    c.shutdown_blocking().unwrap();
    p.shutdown_blocking().unwrap();
}

#[test]
fn sql92_filter_delivers_only_matching_messages() {
    require_broker();
    let topic = unique("STopic");
    create_topic(&topic, 4);
    let p = producer();
    let ids = send_n(&p, &topic, 30, |i, m| {
        m.put_user_property("n", i.to_string()).unwrap();
    });
    let wanted: BTreeSet<String> = ids[20..].iter().cloned().collect();
    let sink = Sink::default();
    let c = PushConsumer::new(config(&unique("SG"))).unwrap();
    c.subscribe_sql92(&topic, "n >= 20", concurrently(&sink))
        .unwrap();
    c.start().unwrap();
    assert!(
        sink.wait(Duration::from_secs(20), |s| s.ids().is_superset(&wanted)),
        "got {}",
        sink.len()
    );
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(sink.ids(), wanted);
    c.shutdown_blocking().unwrap();
    p.shutdown_blocking().unwrap();
}

#[test]
fn two_consumers_split_the_queues_without_loss() {
    require_broker();
    let topic = unique("SplitTopic");
    create_topic(&topic, 8);
    let p = producer();
    let group = unique("SplitG");
    let (sa, sb) = (Sink::default(), Sink::default());
    let a = start(config(&group), &topic, "*", concurrently(&sa));
    let first: Vec<String> = send_n(&p, &topic, 100, |_, _| {});
    let b = start(config(&group), &topic, "*", concurrently(&sb));
    // Wait until the queues are split, sending meanwhile.
    let mut all: Vec<String> = first;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        all.extend(send_n(&p, &topic, 10, |_, _| {}));
        let (qa, qb) = (a.assigned_queues(), b.assigned_queues());
        let topic_q = |v: &[MessageQueue]| v.iter().filter(|q| q.topic == topic).count();
        if topic_q(&qa) == 4 && topic_q(&qb) == 4 {
            let sa_set: BTreeSet<_> = qa.into_iter().collect();
            assert!(qb.iter().all(|q| !sa_set.contains(q)), "queues owned twice");
            break;
        }
        assert!(Instant::now() < deadline, "no split: {qa:?} / {qb:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
    all.extend(send_n(&p, &topic, 100, |_, _| {}));
    let want: BTreeSet<String> = all.iter().cloned().collect();
    let union =
        |sa: &Sink, sb: &Sink| -> BTreeSet<String> { sa.ids().union(&sb.ids()).cloned().collect() };
    let deadline = Instant::now() + Duration::from_secs(20);
    while !union(&sa, &sb).is_superset(&want) {
        assert!(
            Instant::now() < deadline,
            "lost: {} of {}",
            want.len() - union(&sa, &sb).intersection(&want).count(),
            want.len()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(sa.len() > 0 && sb.len() > 0);
    let dups = sa.len() + sb.len() - union(&sa, &sb).len();
    eprintln!("split test: {} messages, {dups} duplicates", want.len());
    a.shutdown_blocking().unwrap();
    b.shutdown_blocking().unwrap();
    p.shutdown_blocking().unwrap();
}

#[test]
fn restarted_consumer_continues_from_persisted_offsets() {
    require_broker();
    let topic = unique("PTopic");
    create_topic(&topic, 4);
    let p = producer();
    let group = unique("PGroup");
    let old: BTreeSet<String> = send_n(&p, &topic, 40, |_, _| {}).into_iter().collect();
    let s1 = Sink::default();
    let c1 = start(config(&group), &topic, "*", concurrently(&s1));
    assert!(s1.wait(Duration::from_secs(20), |s| s.ids().is_superset(&old)));
    // A listener records a message before it returns and the offset moves on.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut committed: i64 = 0;
    while Instant::now() < deadline {
        committed = c1.committed_offsets(&topic).values().sum();
        if committed == 40 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let report = c1.shutdown_blocking().unwrap();
    assert!(
        report.drained && report.offset_persist_failures == 0,
        "{report:?}"
    );
    assert_eq!(committed, 40);
    let new: BTreeSet<String> = send_n(&p, &topic, 40, |_, _| {}).into_iter().collect();
    let s2 = Sink::default();
    let mut cfg = config(&group);
    // A stored offset wins over any start position.
    cfg.consume_from_where = ConsumeFromWhere::FirstOffset;
    let c2 = start(cfg, &topic, "*", concurrently(&s2));
    assert!(s2.wait(Duration::from_secs(20), |s| s.ids().is_superset(&new)));
    std::thread::sleep(Duration::from_millis(500));
    assert!(s2.ids().is_disjoint(&old), "old messages consumed again");
    assert_eq!(s2.len(), 40);
    c2.shutdown_blocking().unwrap();
    p.shutdown_blocking().unwrap();
}

/// The offset the broker holds for `group` on queue `queue_id` of `topic`
/// (`None`: the broker has none).
fn broker_offset(group: &str, topic: &str, queue_id: i32) -> Option<i64> {
    let client = RemotingClient::new(RemotingConfig::default()).unwrap();
    let out = rocketmq::runtime::block_on(async {
        let h = QueryConsumerOffsetRequestHeader {
            consumer_group: group.to_owned(),
            topic: topic.to_owned(),
            queue_id,
            set_zero_if_not_found: Some(false),
            ..Default::default()
        };
        let req = RemotingCommand::request(request::QUERY_CONSUMER_OFFSET, h.to_ext());
        let resp = client
            .invoke(&common::broker(), req, Duration::from_secs(5))
            .await
            .expect("query offset");
        match resp.code {
            response::SUCCESS => Some(
                QueryConsumerOffsetResponseHeader::read_from(&resp.ext_fields)
                    .expect("offset header")
                    .offset,
            ),
            response::QUERY_NOT_FOUND => None,
            c => panic!("query offset: code {c} {:?}", resp.remark),
        }
    })
    .unwrap();
    client.shutdown();
    out
}

/// The broker files a group's first offset of a topic racily: two
/// concurrent first commits each create the topic's table and one of them is
/// lost. The store must persist every queue even when the commits are the
/// group's first ones (a consumer's shutdown persists all queues at once).
#[test]
fn first_offset_commits_of_a_group_all_reach_the_broker() {
    require_broker();
    let topic = unique("FirstCommit");
    let queues = 16;
    create_topic(&topic, queues);
    let instance = ClientInstance::acquire(&ClientConfig::new(namesrv())).unwrap();
    for round in 0..100 {
        let group = unique(&format!("FirstCommitGroup{round}"));
        create_group(&group);
        let store = OffsetStore::remote(instance.clone(), group.clone());
        let mqs: Vec<MessageQueue> = (0..queues)
            .map(|q| MessageQueue::new(topic.clone(), "broker-a", q))
            .collect();
        for mq in &mqs {
            store.update(mq, 100 + mq.queue_id as i64, false);
        }
        let failures = rocketmq::runtime::block_on(store.persist_all(&mqs)).unwrap();
        assert_eq!(failures, 0);
        for q in 0..queues {
            assert_eq!(
                broker_offset(&group, &topic, q),
                Some(100 + q as i64),
                "round {round}: queue {q} of {group}"
            );
        }
    }
}

/// A broker applies offset updates on a pool of threads: two updates of one
/// queue in flight at once can land in either order. Commits of one queue
/// racing each other (a periodic persist, a rebalance, a manual commit) must
/// leave the broker at the queue's last offset, never an older one.
#[test]
fn racing_commits_of_one_queue_leave_its_last_offset() {
    require_broker();
    let topic = unique("RaceCommit");
    create_topic(&topic, 1);
    let instance = ClientInstance::acquire(&ClientConfig::new(namesrv())).unwrap();
    let mq = MessageQueue::new(topic.clone(), "broker-a", 0);
    for round in 0..30 {
        let group = unique(&format!("RaceCommitGroup{round}"));
        create_group(&group);
        let store = Arc::new(OffsetStore::remote(instance.clone(), group.clone()));
        let tasks: Vec<_> = (0..20)
            .map(|i| {
                let (store, mq) = (store.clone(), mq.clone());
                rocketmq::runtime::handle().spawn(async move {
                    store.update(&mq, 1000 + i, false);
                    store.persist(&mq).await
                })
            })
            .collect();
        rocketmq::runtime::block_on(async {
            for t in tasks {
                t.await.unwrap().unwrap();
            }
        })
        .unwrap();
        assert_eq!(
            broker_offset(&group, &topic, 0),
            store.memory_offset(&mq),
            "round {round}: the broker kept an older offset"
        );
    }
}

/// Creates the subscription group `group` on the broker.
fn create_group(group: &str) {
    let client = RemotingClient::new(RemotingConfig::default()).unwrap();
    rocketmq::runtime::block_on(async {
        let body = format!(
            r#"{{"groupName":"{group}","consumeEnable":true,"consumeFromMinEnable":true,"consumeBroadcastEnable":true,"retryQueueNums":1,"retryMaxTimes":16,"brokerId":0,"whichBrokerWhenConsumeSlowly":1,"notifyConsumerIdsChangedEnable":true}}"#
        );
        let req = RemotingCommand::request(
            request::UPDATE_AND_CREATE_SUBSCRIPTIONGROUP,
            Default::default(),
        )
        .with_body(body.into_bytes());
        let resp = client
            .invoke(&common::broker(), req, Duration::from_secs(5))
            .await
            .expect("create group");
        assert_eq!(resp.code, response::SUCCESS, "create group: {:?}", resp.remark);
    })
    .unwrap();
    client.shutdown();
}

#[test]
fn shutdown_with_busy_listeners_returns_within_its_deadline() {
    require_broker();
    let topic = unique("SDTopic");
    create_topic(&topic, 2);
    let p = producer();
    let group = unique("SDG");
    let ids: BTreeSet<String> = send_n(&p, &topic, 10, |_, _| {}).into_iter().collect();
    let started = Arc::new(AtomicUsize::new(0));
    let done = Sink::default();
    let (st, dn) = (started.clone(), done.clone());
    let listener = MessageListener::concurrently(
        move |msgs: &[MessageExt], _: &mut ConsumeConcurrentlyContext| {
            st.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(Duration::from_secs(10));
            for m in msgs {
                dn.push(m);
            }
            ConsumeConcurrentlyStatus::ConsumeSuccess
        },
    );
    let mut cfg = config(&group);
    cfg.consume_thread_count = 2;
    cfg.shutdown_timeout = Duration::from_millis(1500);
    let c = start(cfg, &topic, "*", listener);
    let deadline = Instant::now() + Duration::from_secs(15);
    while started.load(Ordering::SeqCst) < 2 {
        assert!(Instant::now() < deadline, "listeners never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    let t = Instant::now();
    let report = c.shutdown_blocking().unwrap();
    let took = t.elapsed();
    eprintln!("shutdown with busy listeners took {took:?}: {report:?}");
    // The drain deadline (1.5 s) plus persisting and unregistering, far
    // less than the listeners' 10 s.
    assert!(took < Duration::from_secs(6), "took {took:?}");
    assert!(!report.drained, "the listeners were still busy");
    // Idempotent.
    assert_eq!(c.shutdown_blocking().unwrap(), report);
    // Nothing lost: a new consumer of the group gets whatever was not
    // consumed to the end.
    let sink = Sink::default();
    let c2 = start(config(&group), &topic, "*", concurrently(&sink));
    assert!(
        sink.wait(Duration::from_secs(30), |s| {
            let mut got = s.ids();
            got.extend(done.ids());
            got.is_superset(&ids)
        }),
        "lost messages"
    );
    c2.shutdown_blocking().unwrap();
    p.shutdown_blocking().unwrap();
}

#[test]
fn shutdown_waits_for_short_listeners() {
    require_broker();
    let topic = unique("SWTopic");
    create_topic(&topic, 2);
    let p = producer();
    send_n(&p, &topic, 4, |_, _| {});
    let started = Arc::new(AtomicUsize::new(0));
    let finished = Arc::new(AtomicUsize::new(0));
    let (st, fin) = (started.clone(), finished.clone());
    let listener = MessageListener::concurrently(
        move |_: &[MessageExt], _: &mut ConsumeConcurrentlyContext| {
            st.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(700));
            fin.fetch_add(1, Ordering::SeqCst);
            ConsumeConcurrentlyStatus::ConsumeSuccess
        },
    );
    let mut cfg = config(&unique("SWG"));
    cfg.consume_thread_count = 2;
    cfg.shutdown_timeout = Duration::from_secs(5);
    let c = start(cfg, &topic, "*", listener);
    let deadline = Instant::now() + Duration::from_secs(15);
    while started.load(Ordering::SeqCst) == 0 {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(10));
    }
    let report = c.shutdown_blocking().unwrap();
    assert!(report.drained && report.threads_joined, "{report:?}");
    assert_eq!(
        started.load(Ordering::SeqCst),
        finished.load(Ordering::SeqCst)
    );
    p.shutdown_blocking().unwrap();
}

#[test]
fn shutdown_from_own_listener_is_refused() {
    require_broker();
    let topic = unique("SLTopic");
    create_topic(&topic, 1);
    let p = producer();
    send_n(&p, &topic, 1, |_, _| {});
    let slot: Arc<Mutex<Option<PushConsumer>>> = Arc::default();
    let result: Arc<Mutex<Option<String>>> = Arc::default();
    let (s2, r2) = (slot.clone(), result.clone());
    let listener = MessageListener::concurrently(
        move |_: &[MessageExt], _: &mut ConsumeConcurrentlyContext| {
            if let Some(c) = s2.lock().unwrap().as_ref() {
                let e = c.shutdown_blocking().unwrap_err();
                *r2.lock().unwrap() = Some(e.to_string());
            }
            ConsumeConcurrentlyStatus::ConsumeSuccess
        },
    );
    let c = PushConsumer::new(config(&unique("SLG"))).unwrap();
    c.subscribe(&topic, "*", listener).unwrap();
    *slot.lock().unwrap() = Some(c.clone());
    c.start().unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    while result.lock().unwrap().is_none() {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(result
        .lock()
        .unwrap()
        .as_ref()
        .unwrap()
        .contains("own listeners"));
    slot.lock().unwrap().take();
    c.shutdown_blocking().unwrap();
    p.shutdown_blocking().unwrap();
}

fn lite_config(group: &str) -> LitePullConsumerConfig {
    let mut c = LitePullConsumerConfig::new(namesrv(), group);
    c.consume_from_where = ConsumeFromWhere::FirstOffset;
    c.rebalance_interval = Duration::from_secs(2);
    c
}

/// Polls until `pred` holds on everything polled so far.
fn poll_until(
    c: &LitePullConsumer,
    timeout: Duration,
    pred: impl Fn(&[MessageExt]) -> bool,
) -> Vec<MessageExt> {
    let deadline = Instant::now() + timeout;
    let mut got = Vec::new();
    while !pred(&got) {
        assert!(Instant::now() < deadline, "polled {} messages", got.len());
        got.extend(c.poll(Duration::from_millis(200)).unwrap());
    }
    got
}

fn ids_of(msgs: &[MessageExt]) -> BTreeSet<String> {
    msgs.iter().map(|m| m.msg_id().into_owned()).collect()
}

#[test]
fn lite_pull_subscribe_polls_everything_and_commits() {
    require_broker();
    let topic = unique("LTopic");
    create_topic(&topic, 4);
    let p = producer();
    let ids: BTreeSet<String> = send_n(&p, &topic, 50, |_, _| {}).into_iter().collect();
    let mut cfg = lite_config(&unique("LG"));
    cfg.auto_commit = false;
    let c = LitePullConsumer::new(cfg).unwrap();
    c.subscribe(&topic, "*").unwrap();
    c.start().unwrap();
    let got = poll_until(&c, Duration::from_secs(20), |m| ids_of(m).is_superset(&ids));
    assert_eq!(got.len(), 50, "no duplicates");
    assert!(got.iter().all(|m| m.topic == topic));
    assert_eq!(c.assignment().len(), 4);
    c.commit_sync().unwrap();
    let queues = c.fetch_message_queues(&topic).unwrap();
    assert_eq!(queues.len(), 4);
    let committed: i64 = queues.iter().map(|q| c.committed(q).unwrap()).sum();
    assert_eq!(committed, 50);
    c.shutdown_blocking().unwrap();
    assert!(c.poll(Duration::from_millis(10)).is_err());
    p.shutdown_blocking().unwrap();
}

/// A new two-queue topic (named from `prefix`) whose queue 0 holds `n`
/// messages with bodies `"{i}"`, each first passed to `prepare`; returns the
/// topic, the producer and queue 0.
fn topic_with_queue0(
    prefix: &str,
    n: usize,
    prepare: impl Fn(usize, &mut Message),
) -> (String, Producer, MessageQueue) {
    let topic = unique(prefix);
    create_topic(&topic, 2);
    let p = producer();
    let queues: Vec<MessageQueue> = rocketmq::runtime::block_on(p.publish_queues(&topic))
        .unwrap()
        .unwrap();
    let q0 = queues.iter().find(|q| q.queue_id == 0).unwrap().clone();
    for i in 0..n {
        let mut m = Message::new(&topic, i.to_string().into_bytes());
        prepare(i, &mut m);
        rocketmq::runtime::block_on(p.send_to_queue(m, &q0))
            .unwrap()
            .unwrap();
    }
    (topic, p, q0)
}

#[test]
fn lite_pull_assign_seek_and_commit() {
    require_broker();
    let (topic, p, q0) = topic_with_queue0("LATopic", 20, |_, _| {});
    let mut cfg = lite_config(&unique("LAG"));
    cfg.auto_commit = false;
    cfg.consume_from_where = ConsumeFromWhere::LastOffset;
    let c = LitePullConsumer::new(cfg).unwrap();
    c.assign(vec![q0.clone()]).unwrap();
    c.start().unwrap();
    c.seek_to_begin(&q0).unwrap();
    let got = poll_until(&c, Duration::from_secs(15), |m| m.len() >= 20);
    let offsets: Vec<i64> = got.iter().map(|m| m.queue_offset).collect();
    assert_eq!(offsets, (0..20).collect::<Vec<_>>());
    // Back to offset 5.
    c.seek(&q0, 5).unwrap();
    let again = poll_until(&c, Duration::from_secs(10), |m| m.len() >= 15);
    assert_eq!(again[0].queue_offset, 5);
    assert_eq!(again.len(), 15);
    // By timestamp.
    let ts = got[10].store_timestamp;
    let off = c.offset_for_timestamp(&q0, ts).unwrap();
    assert!((0..=10).contains(&off), "{off}");
    assert_eq!(got[off as usize].store_timestamp, ts);
    c.seek_to_timestamp(&q0, ts).unwrap();
    let from_ts = poll_until(&c, Duration::from_secs(10), |m| !m.is_empty());
    assert_eq!(from_ts[0].queue_offset, off);
    // Out of range.
    assert!(c.seek(&q0, 21).is_err());
    assert!(c
        .seek(&MessageQueue::new(&topic, &q0.broker_name, 1), 0)
        .is_err());
    // To the end: nothing more.
    c.seek_to_end(&q0).unwrap();
    assert!(c.poll(Duration::from_millis(1500)).unwrap().is_empty());
    // Manual commit and read back.
    let mut offsets = std::collections::BTreeMap::new();
    offsets.insert(q0.clone(), 7);
    c.commit(&offsets, true).unwrap();
    assert_eq!(c.committed(&q0).unwrap(), 7);
    c.shutdown_blocking().unwrap();
    // A new consumer of the group starts at the committed offset.
    let c2 = LitePullConsumer::new(lite_config(&c.config().group)).unwrap();
    c2.assign(vec![q0.clone()]).unwrap();
    c2.start().unwrap();
    let rest = poll_until(&c2, Duration::from_secs(10), |m| m.len() >= 13);
    assert_eq!(rest[0].queue_offset, 7);
    c2.shutdown_blocking().unwrap();
    p.shutdown_blocking().unwrap();
}

#[test]
fn lite_pull_one_shot_pulls_from_any_offset() {
    require_broker();
    let (topic, p, q0) = topic_with_queue0("LOTopic", 10, |i, m| {
        m.set_tags(if i % 2 == 0 { "even" } else { "odd" });
        m.put_user_property("n", i.to_string()).unwrap();
    });
    let c = LitePullConsumer::new(lite_config(&unique("LOG"))).unwrap();
    c.start().unwrap();
    let t = Duration::from_secs(5);
    // Everything from 0, in order, with the queue's offsets.
    let r = c.pull_from(&q0, Some("*"), 0, 32, t).unwrap();
    assert_eq!(r.status, PullStatus::Found);
    let offsets: Vec<i64> = r.msgs.iter().map(|m| m.queue_offset).collect();
    assert_eq!(offsets, (0..10).collect::<Vec<_>>());
    assert_eq!(
        (r.next_begin_offset, r.min_offset, r.max_offset),
        (10, 0, 10)
    );
    assert!(r.msgs.iter().all(|m| m.topic == topic && m.queue_id == 0));
    // At most max_nums, from any offset.
    let r = c.pull_from(&q0, Some("*"), 7, 2, t).unwrap();
    let bodies: Vec<&[u8]> = r.msgs.iter().map(|m| &m.body[..]).collect();
    assert_eq!(bodies, [b"7", b"8"]);
    assert_eq!(r.next_begin_offset, 9);
    // A tag expression.
    let r = c.pull_from(&q0, Some("odd"), 0, 32, t).unwrap();
    assert_eq!(r.status, PullStatus::Found);
    assert!(!r.msgs.is_empty());
    assert!(
        r.msgs.iter().all(|m| m.tags() == Some("odd")),
        "{:?}",
        r.msgs
    );
    // No expression: the consumer's subscription of the topic (tags or
    // SQL92), `*` for a topic it does not subscribe.
    let r = c.pull_from(&q0, None, 0, 32, t).unwrap();
    assert_eq!(r.msgs.len(), 10);
    let by_tag = LitePullConsumer::new(lite_config(&unique("LOG"))).unwrap();
    by_tag.subscribe(&topic, "even").unwrap();
    by_tag.start().unwrap();
    let r = by_tag.pull_from(&q0, None, 0, 32, t).unwrap();
    assert!(!r.msgs.is_empty());
    assert!(r.msgs.iter().all(|m| m.tags() == Some("even")));
    by_tag.shutdown_blocking().unwrap();
    let by_sql = LitePullConsumer::new(lite_config(&unique("LOG"))).unwrap();
    by_sql.subscribe_sql92(&topic, "n >= 6").unwrap();
    by_sql.start().unwrap();
    let r = by_sql.pull_from(&q0, None, 0, 32, t).unwrap();
    let offsets: Vec<i64> = r.msgs.iter().map(|m| m.queue_offset).collect();
    assert_eq!(offsets, vec![6, 7, 8, 9], "{:?}", r.status);
    by_sql.shutdown_blocking().unwrap();
    // The end, and past it.
    let r = c.pull_from(&q0, Some("*"), 10, 32, t).unwrap();
    assert_eq!(r.status, PullStatus::NoNewMsg);
    assert!(r.msgs.is_empty());
    let r = c.pull_from(&q0, Some("*"), 1000, 32, t).unwrap();
    assert_eq!(r.status, PullStatus::OffsetIllegal);
    assert_eq!(r.next_begin_offset, 10);
    // Bad arguments.
    assert!(c.pull_from(&q0, Some("*"), -1, 32, t).is_err());
    assert!(c.pull_from(&q0, Some("*"), 0, 0, t).is_err());
    assert!(c
        .pull_from(
            &MessageQueue::new(&topic, "no-such-broker", 0),
            Some("*"),
            0,
            1,
            t
        )
        .is_err());
    // Outside the consumer's bookkeeping: nothing was committed (a group
    // without offsets reads 0 or -1, as in the Java client) or assigned.
    assert!(c.committed(&q0).unwrap() <= 0);
    assert!(c.assignment().is_empty());
    c.shutdown_blocking().unwrap();
    assert!(
        c.pull_from(&q0, Some("*"), 0, 1, t).is_err(),
        "after shutdown"
    );
    p.shutdown_blocking().unwrap();
}

#[test]
fn lite_pull_pause_resume_and_auto_commit() {
    require_broker();
    let topic = unique("LPTopic");
    create_topic(&topic, 2);
    let p = producer();
    let queues: Vec<MessageQueue> = rocketmq::runtime::block_on(p.publish_queues(&topic))
        .unwrap()
        .unwrap();
    let mut cfg = lite_config(&unique("LPG"));
    cfg.auto_commit_interval = Duration::from_secs(1);
    let c = LitePullConsumer::new(cfg).unwrap();
    c.assign(queues.clone()).unwrap();
    c.start().unwrap();
    c.pause(&queues[..1]);
    for q in &queues {
        for i in 0..5 {
            let m = Message::new(&topic, i.to_string().into_bytes());
            rocketmq::runtime::block_on(p.send_to_queue(m, q))
                .unwrap()
                .unwrap();
        }
    }
    let got = poll_until(&c, Duration::from_secs(10), |m| m.len() >= 5);
    std::thread::sleep(Duration::from_millis(500));
    let mut got = got;
    got.extend(c.poll(Duration::from_millis(500)).unwrap());
    assert_eq!(got.len(), 5, "only the running queue");
    assert!(got.iter().all(|m| m.queue_id == queues[1].queue_id));
    c.resume(&queues[..1]);
    let more = poll_until(&c, Duration::from_secs(10), |m| m.len() >= 5);
    assert!(more.iter().all(|m| m.queue_id == queues[0].queue_id));
    // Auto commit: polling after the interval commits what was polled.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let _ = c.poll(Duration::from_millis(300)).unwrap();
        let total: i64 = queues.iter().map(|q| c.committed(q).unwrap()).sum();
        if total == 10 {
            break;
        }
        assert!(Instant::now() < deadline, "committed {total}");
    }
    c.shutdown_blocking().unwrap();
    p.shutdown_blocking().unwrap();
}

/// Everything in the group's dead-letter queue, polled until `want` is there.
fn dlq_ids(group: &str, broker_name: &str, want: &BTreeSet<String>) -> BTreeSet<String> {
    let mut cfg = lite_config(&unique("DLQReader"));
    cfg.auto_commit = false;
    let c = LitePullConsumer::new(cfg).unwrap();
    let q = MessageQueue::new(format!("%DLQ%{group}"), broker_name, 0);
    c.assign(vec![q]).unwrap();
    c.start().unwrap();
    let deadline = Instant::now() + Duration::from_secs(25);
    let mut got = BTreeSet::new();
    while !got.is_superset(want) && Instant::now() < deadline {
        got.extend(ids_of(&c.poll(Duration::from_millis(300)).unwrap()));
    }
    c.shutdown_blocking().unwrap();
    got
}

#[test]
fn past_max_reconsume_times_messages_go_to_the_dlq() {
    require_broker();
    let topic = unique("DTopic");
    create_topic(&topic, 1);
    let p = producer();
    let ids: BTreeSet<String> = send_n(&p, &topic, 3, |_, _| {}).into_iter().collect();
    let broker_name = rocketmq::runtime::block_on(p.publish_queues(&topic))
        .unwrap()
        .unwrap()[0]
        .broker_name
        .clone();
    let group = unique("DG");
    let seen: Arc<Mutex<Vec<i32>>> = Arc::default();
    let s2 = seen.clone();
    let listener = MessageListener::concurrently(
        move |msgs: &[MessageExt], ctx: &mut ConsumeConcurrentlyContext| {
            s2.lock()
                .unwrap()
                .extend(msgs.iter().map(|m| m.reconsume_times));
            ctx.delay_level_when_next_consume = 1;
            ConsumeConcurrentlyStatus::ReconsumeLater
        },
    );
    let mut cfg = config(&group);
    cfg.max_reconsume_times = Some(1);
    let c = start(cfg, &topic, "*", listener);
    let in_dlq = dlq_ids(&group, &broker_name, &ids);
    assert!(
        in_dlq.is_superset(&ids),
        "DLQ has {in_dlq:?}, seen {:?}",
        seen.lock().unwrap()
    );
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.iter().filter(|n| **n == 0).count(), 3);
    assert_eq!(seen.iter().filter(|n| **n == 1).count(), 3);
    assert!(seen.iter().all(|n| *n <= 1));
    c.shutdown_blocking().unwrap();
    p.shutdown_blocking().unwrap();
}

#[test]
fn orderly_past_max_reconsume_times_goes_to_the_dlq() {
    require_broker();
    let topic = unique("ODTopic");
    create_topic(&topic, 1);
    let p = producer();
    let ids: BTreeSet<String> = send_n(&p, &topic, 2, |_, _| {}).into_iter().collect();
    let broker_name = rocketmq::runtime::block_on(p.publish_queues(&topic))
        .unwrap()
        .unwrap()[0]
        .broker_name
        .clone();
    let group = unique("ODG");
    let seen: Arc<Mutex<Vec<(i64, i32)>>> = Arc::default();
    let s2 = seen.clone();
    let listener = MessageListener::orderly(
        move |msgs: &[MessageExt], ctx: &mut ConsumeOrderlyContext| {
            s2.lock()
                .unwrap()
                .extend(msgs.iter().map(|m| (m.queue_offset, m.reconsume_times)));
            ctx.suspend_current_queue_time = Some(Duration::from_millis(100));
            ConsumeOrderlyStatus::SuspendCurrentQueueAMoment
        },
    );
    let mut cfg = config(&group);
    cfg.max_reconsume_times = Some(2);
    let c = start(cfg, &topic, "*", listener);
    let in_dlq = dlq_ids(&group, &broker_name, &ids);
    assert!(in_dlq.is_superset(&ids), "DLQ has {in_dlq:?}");
    // In order: the first message three times (0, 1, 2), then the second.
    let seen = seen.lock().unwrap().clone();
    let first_of_2 = seen.iter().position(|(o, _)| *o == 1).unwrap();
    assert_eq!(&seen[..first_of_2], &[(0, 0), (0, 1), (0, 2)]);
    c.shutdown_blocking().unwrap();
    p.shutdown_blocking().unwrap();
}

#[test]
fn consume_timeout_sweep_releases_stuck_messages() {
    require_broker();
    let topic = unique("CTTopic");
    create_topic(&topic, 1);
    let p = producer();
    send_n(&p, &topic, 5, |_, _| {});
    // The first delivery of the first message is stuck until `release`.
    let release = Arc::new(AtomicBool::new(false));
    let r2 = release.clone();
    let listener = MessageListener::concurrently(
        move |msgs: &[MessageExt], _: &mut ConsumeConcurrentlyContext| {
            if msgs[0].queue_offset == 0 && msgs[0].reconsume_times == 0 {
                let until = Instant::now() + Duration::from_secs(60);
                while !r2.load(Ordering::SeqCst) && Instant::now() < until {
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
            ConsumeConcurrentlyStatus::ConsumeSuccess
        },
    );
    let mut cfg = config(&unique("CTG"));
    cfg.consume_timeout = Duration::from_secs(2);
    cfg.shutdown_timeout = Duration::from_millis(200);
    let c = start(cfg, &topic, "*", listener);
    // Without the sweep the stuck first message holds the offset at 0 for as
    // long as its listener runs.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let committed: i64 = c.committed_offsets(&topic).values().sum();
        if committed == 5 {
            break;
        }
        assert!(Instant::now() < deadline, "committed {committed}");
        std::thread::sleep(Duration::from_millis(100));
    }
    release.store(true, Ordering::SeqCst);
    c.shutdown_blocking().unwrap();
    p.shutdown_blocking().unwrap();
}

/// Runs mqadmin (`scripts/rocketmq-local admin ...`) and returns its output.
fn mqadmin(args: &[&str]) -> String {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/rocketmq-local");
    let out = std::process::Command::new(script)
        .arg("admin")
        .args(args)
        .env("NAMESRV_ADDR", namesrv())
        .output()
        .expect("run mqadmin");
    let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
    s.push_str(&String::from_utf8_lossy(&out.stderr));
    s
}

#[test]
fn mqadmin_sees_our_consumer() {
    require_broker();
    let topic = unique("ATopic");
    create_topic(&topic, 2);
    let p = producer();
    send_n(&p, &topic, 10, |_, _| {});
    let group = unique("AG");
    let sink = Sink::default();
    let c = start(config(&group), &topic, "*", concurrently(&sink));
    assert!(sink.wait(Duration::from_secs(15), |s| s.len() >= 10));
    std::thread::sleep(Duration::from_millis(1200));
    let client_id = c.instance().unwrap().client_id().to_owned();
    let conn = mqadmin(&["consumerConnection", "-g", &group]);
    eprintln!("consumerConnection:\n{conn}");
    assert!(conn.contains(&client_id), "{conn}");
    assert!(conn.contains(&topic), "{conn}");
    assert!(conn.contains("CONSUME_PASSIVELY"), "{conn}");
    let status = mqadmin(&["consumerStatus", "-g", &group, "-i", &client_id]);
    eprintln!("consumerStatus:\n{status}");
    assert!(status.contains("PROP_CONSUME_TYPE"), "{status}");
    assert!(status.contains(&topic), "{status}");
    let progress = mqadmin(&["consumerProgress", "-g", &group]);
    eprintln!("consumerProgress:\n{progress}");
    assert!(progress.contains(&topic), "{progress}");
    c.shutdown_blocking().unwrap();
    p.shutdown_blocking().unwrap();
}

#[test]
fn mqadmin_reset_offset_rewinds_a_running_consumer() {
    require_broker();
    let topic = unique("RSTopic");
    create_topic(&topic, 2);
    let p = producer();
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
        - 1000;
    let ids: BTreeSet<String> = send_n(&p, &topic, 20, |_, _| {}).into_iter().collect();
    let group = unique("RSG");
    let sink = Sink::default();
    let c = start(config(&group), &topic, "*", concurrently(&sink));
    assert!(sink.wait(Duration::from_secs(15), |s| s.ids().is_superset(&ids)));
    std::thread::sleep(Duration::from_millis(1500));
    let first = sink.len();
    let out = mqadmin(&[
        "resetOffsetByTime",
        "-g",
        &group,
        "-t",
        &topic,
        "-s",
        &before.to_string(),
    ]);
    eprintln!("resetOffsetByTime:\n{out}");
    assert!(
        sink.wait(Duration::from_secs(20), |s| s.len() >= first + 20),
        "consumed {} after the reset",
        sink.len() - first
    );
    c.shutdown_blocking().unwrap();
    p.shutdown_blocking().unwrap();
}

#[test]
fn no_loss_while_consumers_join_and_leave() {
    require_broker();
    let topic = unique("ChurnTopic");
    create_topic(&topic, 8);
    let group = unique("ChurnG");
    let total = 10_000;
    let sink = Sink::default();
    let new_consumer = || {
        let mut cfg = config(&group);
        cfg.consume_thread_count = 2;
        cfg.queue_drain_timeout = Duration::from_secs(3);
        start(cfg, &topic, "*", concurrently(&sink))
    };
    // The producer runs while consumers come and go.
    let sent: Arc<Mutex<Vec<String>>> = Arc::default();
    let sender = {
        let sent = sent.clone();
        let topic = topic.clone();
        std::thread::spawn(move || {
            let p = producer();
            let per = total / 4;
            let handles: Vec<_> = (0..4)
                .map(|t| {
                    let p = p.clone();
                    let topic = topic.clone();
                    let sent = sent.clone();
                    std::thread::spawn(move || {
                        for i in 0..per {
                            let m = Message::new(&topic, format!("{t}-{i}").into_bytes());
                            let id = p.send_blocking(m).expect("send").msg_id;
                            sent.lock().unwrap().push(id);
                        }
                    })
                })
                .collect();
            for h in handles {
                h.join().unwrap();
            }
            p.shutdown_blocking().unwrap();
        })
    };
    let started = Instant::now();
    let a = new_consumer();
    std::thread::sleep(Duration::from_millis(800));
    let b = new_consumer();
    std::thread::sleep(Duration::from_millis(800));
    let c = new_consumer();
    std::thread::sleep(Duration::from_millis(1500));
    b.shutdown_blocking().unwrap();
    std::thread::sleep(Duration::from_millis(800));
    let d = new_consumer();
    std::thread::sleep(Duration::from_millis(1500));
    c.shutdown_blocking().unwrap();
    sender.join().unwrap();
    let want: BTreeSet<String> = sent.lock().unwrap().iter().cloned().collect();
    assert_eq!(want.len(), total);
    let ok = sink.wait(Duration::from_secs(20), |s| s.ids().is_superset(&want));
    let got = sink.ids();
    let missing = want.difference(&got).count();
    let dups = sink.len() - got.len();
    eprintln!(
        "churn: {total} sent, {} consumed, {missing} missing, {dups} duplicates, {:?}",
        sink.len(),
        started.elapsed()
    );
    assert!(ok, "{missing} messages lost");
    a.shutdown_blocking().unwrap();
    d.shutdown_blocking().unwrap();
}

#[test]
fn several_topics_each_with_its_listener_and_unsubscribe() {
    require_broker();
    let (t1, t2) = (unique("MTopicA"), unique("MTopicB"));
    create_topic(&t1, 2);
    create_topic(&t2, 2);
    let p = producer();
    let ids1: BTreeSet<String> = send_n(&p, &t1, 20, |_, _| {}).into_iter().collect();
    let ids2: BTreeSet<String> = send_n(&p, &t2, 20, |_, _| {}).into_iter().collect();
    let (s1, s2) = (Sink::default(), Sink::default());
    let c = PushConsumer::new(config(&unique("MG"))).unwrap();
    c.subscribe(&t1, "*", concurrently(&s1)).unwrap();
    c.subscribe(&t2, "*", concurrently(&s2)).unwrap();
    c.start().unwrap();
    assert!(s1.wait(Duration::from_secs(15), |s| s.ids().is_superset(&ids1)));
    assert!(s2.wait(Duration::from_secs(15), |s| s.ids().is_superset(&ids2)));
    assert!(s1.snapshot().iter().all(|m| m.topic == t1));
    assert!(s2.snapshot().iter().all(|m| m.topic == t2));
    // After unsubscribing t2 its queues leave and its messages stay.
    c.unsubscribe(&t2);
    let deadline = Instant::now() + Duration::from_secs(10);
    while c.assigned_queues().iter().any(|q| q.topic == t2) {
        assert!(Instant::now() < deadline, "t2 queues never left");
        std::thread::sleep(Duration::from_millis(50));
    }
    let before = s2.len();
    let more1: BTreeSet<String> = send_n(&p, &t1, 5, |_, _| {}).into_iter().collect();
    send_n(&p, &t2, 5, |_, _| {});
    assert!(s1.wait(Duration::from_secs(10), |s| s.ids().is_superset(&more1)));
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(s2.len(), before);
    c.shutdown_blocking().unwrap();
    p.shutdown_blocking().unwrap();
}

#[test]
fn ack_index_redelivers_only_the_rest_of_a_batch() {
    require_broker();
    let topic = unique("AckTopic");
    create_topic(&topic, 1);
    let p = producer();
    send_n(&p, &topic, 4, |_, _| {});
    let seen: Arc<Mutex<Vec<(i32, String, usize)>>> = Arc::default();
    let s2 = seen.clone();
    let listener = MessageListener::concurrently(
        move |msgs: &[MessageExt], ctx: &mut ConsumeConcurrentlyContext| {
            for m in msgs {
                s2.lock().unwrap().push((
                    m.reconsume_times,
                    String::from_utf8_lossy(&m.body).into_owned(),
                    msgs.len(),
                ));
            }
            if msgs[0].reconsume_times == 0 && msgs.len() == 4 {
                // The first two are done; the others come again.
                ctx.ack_index = 1;
                ctx.delay_level_when_next_consume = 1;
            }
            ConsumeConcurrentlyStatus::ConsumeSuccess
        },
    );
    let mut cfg = config(&unique("AckG"));
    cfg.consume_batch_size = 4;
    let c = PushConsumer::new(cfg).unwrap();
    c.subscribe(&topic, "*", listener).unwrap();
    // Pause until all four are stored, so the first batch holds all of them.
    c.start().unwrap();
    let deadline = Instant::now() + Duration::from_secs(25);
    loop {
        let redelivered: BTreeSet<String> = seen
            .lock()
            .unwrap()
            .iter()
            .filter(|(n, _, _)| *n == 1)
            .map(|(_, b, _)| b.clone())
            .collect();
        if redelivered.len() >= 2 {
            assert_eq!(
                redelivered,
                ["2".to_owned(), "3".to_owned()].into_iter().collect()
            );
            break;
        }
        assert!(Instant::now() < deadline, "{:?}", seen.lock().unwrap());
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(seen.lock().unwrap()[0].2, 4, "one batch of four");
    c.shutdown_blocking().unwrap();
    p.shutdown_blocking().unwrap();
}

#[test]
fn consume_from_timestamp_skips_older_messages() {
    require_broker();
    let topic = unique("TSTopic");
    create_topic(&topic, 2);
    let p = producer();
    let old: BTreeSet<String> = send_n(&p, &topic, 10, |_, _| {}).into_iter().collect();
    std::thread::sleep(Duration::from_millis(1500));
    let ts = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    std::thread::sleep(Duration::from_millis(200));
    let new: BTreeSet<String> = send_n(&p, &topic, 10, |_, _| {}).into_iter().collect();
    let sink = Sink::default();
    let mut cfg = config(&unique("TSG"));
    cfg.consume_from_where = ConsumeFromWhere::Timestamp;
    cfg.consume_timestamp = Some(ts);
    let c = start(cfg, &topic, "*", concurrently(&sink));
    assert!(sink.wait(Duration::from_secs(15), |s| s.ids().is_superset(&new)));
    std::thread::sleep(Duration::from_millis(300));
    assert!(sink.ids().is_disjoint(&old));
    c.shutdown_blocking().unwrap();
    p.shutdown_blocking().unwrap();
}

#[test]
fn pause_stops_pulling_and_resume_continues() {
    require_broker();
    let topic = unique("PRTopic");
    create_topic(&topic, 2);
    let p = producer();
    let sink = Sink::default();
    let c = start(config(&unique("PRG")), &topic, "*", concurrently(&sink));
    let first: BTreeSet<String> = send_n(&p, &topic, 5, |_, _| {}).into_iter().collect();
    assert!(sink.wait(Duration::from_secs(15), |s| s.ids().is_superset(&first)));
    c.pause();
    assert!(c.is_paused());
    std::thread::sleep(Duration::from_millis(200));
    let n = sink.len();
    let later: BTreeSet<String> = send_n(&p, &topic, 5, |_, _| {}).into_iter().collect();
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(sink.len(), n, "consumed while paused");
    c.resume();
    assert!(sink.wait(Duration::from_secs(10), |s| s.ids().is_superset(&later)));
    c.shutdown_blocking().unwrap();
    p.shutdown_blocking().unwrap();
}

struct CountingHook(Arc<AtomicUsize>, Arc<AtomicUsize>);

impl rocketmq::consumer::ConsumeHook for CountingHook {
    fn name(&self) -> &str {
        "counting"
    }
    fn before_consume(&self, ctx: &rocketmq::consumer::ConsumeHookContext<'_>) {
        self.0.fetch_add(ctx.msgs.len(), Ordering::SeqCst);
    }
    fn after_consume(&self, ctx: &rocketmq::consumer::ConsumeHookContext<'_>) {
        assert!(ctx.success.is_some() && ctx.elapsed.is_some());
        self.1.fetch_add(ctx.msgs.len(), Ordering::SeqCst);
    }
}

struct DropOdd;

impl rocketmq::consumer::FilterMessageHook for DropOdd {
    fn name(&self) -> &str {
        "drop-odd"
    }
    fn filter(&self, _: &MessageQueue, msg: &MessageExt) -> bool {
        msg.keys()
            .first()
            .is_some_and(|k| k.parse::<u32>().unwrap() % 2 == 0)
    }
}

#[test]
fn consume_and_filter_hooks_run() {
    require_broker();
    let topic = unique("HTopic");
    create_topic(&topic, 2);
    let p = producer();
    let ids = send_n(&p, &topic, 20, |i, m| m.set_keys([i.to_string()]));
    let even: BTreeSet<String> = ids.iter().step_by(2).cloned().collect();
    let sink = Sink::default();
    let c = PushConsumer::new(config(&unique("HG"))).unwrap();
    let (before, after) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    c.add_consume_hook(Arc::new(CountingHook(before.clone(), after.clone())));
    c.add_filter_hook(Arc::new(DropOdd));
    c.subscribe(&topic, "*", concurrently(&sink)).unwrap();
    c.start().unwrap();
    assert!(sink.wait(Duration::from_secs(15), |s| s.ids().is_superset(&even)));
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(sink.ids(), even);
    assert_eq!(before.load(Ordering::SeqCst), 10);
    assert_eq!(after.load(Ordering::SeqCst), 10);
    c.shutdown_blocking().unwrap();
    p.shutdown_blocking().unwrap();
}

#[test]
fn mqadmin_consumes_a_message_directly() {
    require_broker();
    let topic = unique("CDTopic");
    create_topic(&topic, 1);
    let p = producer();
    let group = unique("CDG");
    let sink = Sink::default();
    let c = start(config(&group), &topic, "*", concurrently(&sink));
    let sent = p
        .send_blocking(Message::new(&topic, b"direct".to_vec()))
        .unwrap();
    assert!(sink.wait(Duration::from_secs(15), |s| s.len() >= 1));
    let client_id = c.instance().unwrap().client_id().to_owned();
    let out = mqadmin(&[
        "queryMsgById",
        "-t",
        &topic,
        "-i",
        &sent.offset_msg_id,
        "-g",
        &group,
        "-d",
        &client_id,
    ]);
    eprintln!("queryMsgById:\n{out}");
    assert!(out.contains("CR_SUCCESS"), "{out}");
    assert!(
        sink.wait(Duration::from_secs(5), |s| s.len() >= 2),
        "consumed again on request"
    );
    c.shutdown_blocking().unwrap();
    p.shutdown_blocking().unwrap();
}

#[test]
fn flow_control_bounds_the_cache_and_never_stalls() {
    require_broker();
    let topic = unique("FCTopic");
    create_topic(&topic, 1);
    let p = producer();
    let ids: BTreeSet<String> = send_n(&p, &topic, 200, |_, _| {}).into_iter().collect();
    let gate = Arc::new((Mutex::new(false), std::sync::Condvar::new()));
    let sink = Sink::default();
    let (g2, s2) = (gate.clone(), sink.clone());
    let listener = MessageListener::concurrently(
        move |msgs: &[MessageExt], _: &mut ConsumeConcurrentlyContext| {
            let (lock, cv) = &*g2;
            let mut open = lock.lock().unwrap();
            while !*open {
                open = cv.wait(open).unwrap();
            }
            for m in msgs {
                s2.push(m);
            }
            ConsumeConcurrentlyStatus::ConsumeSuccess
        },
    );
    let mut cfg = config(&unique("FCG"));
    cfg.pull_threshold_for_queue = 20;
    cfg.pull_batch_size = 8;
    cfg.consume_thread_count = 1;
    let c = start(cfg, &topic, "*", listener);
    let deadline = Instant::now() + Duration::from_secs(10);
    let cached = || {
        c.running_info()
            .mq_table
            .iter()
            .filter(|(mq, _)| mq.topic == topic)
            .map(|(_, pq)| pq.cached_msg_count)
            .sum::<i32>()
    };
    while cached() < 20 {
        assert!(Instant::now() < deadline, "cached {}", cached());
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(1000));
    let n = cached();
    assert!((20..=28).contains(&n), "cached {n} with a threshold of 20");
    *gate.0.lock().unwrap() = true;
    gate.1.notify_all();
    assert!(sink.wait(Duration::from_secs(20), |s| s.ids().is_superset(&ids)));
    c.shutdown_blocking().unwrap();
    p.shutdown_blocking().unwrap();
}

#[test]
fn orderly_order_holds_while_consumers_come_and_go() {
    require_broker();
    let topic = unique("OCTopic");
    create_topic(&topic, 4);
    let group = unique("OCG");
    let per_queue = 150usize;
    let log: Arc<Mutex<Vec<(usize, i32, usize)>>> = Arc::default();
    let new_consumer = |idx: usize| {
        let log = log.clone();
        let listener = MessageListener::orderly(
            move |msgs: &[MessageExt], ctx: &mut ConsumeOrderlyContext| {
                for m in msgs {
                    let body = String::from_utf8(m.body.to_vec()).unwrap();
                    let seq: usize = body.parse().unwrap();
                    log.lock().unwrap().push((idx, ctx.queue.queue_id, seq));
                }
                std::thread::sleep(Duration::from_millis(2));
                ConsumeOrderlyStatus::Success
            },
        );
        let mut cfg = config(&group);
        cfg.rebalance_interval = Duration::from_secs(1);
        start(cfg, &topic, "*", listener)
    };
    let sender = {
        let topic = topic.clone();
        std::thread::spawn(move || {
            let p = producer();
            let queues: Vec<MessageQueue> = rocketmq::runtime::block_on(p.publish_queues(&topic))
                .unwrap()
                .unwrap();
            for seq in 0..per_queue {
                for q in &queues {
                    let m = Message::new(&topic, seq.to_string().into_bytes());
                    rocketmq::runtime::block_on(p.send_to_queue(m, q))
                        .unwrap()
                        .unwrap();
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            p.shutdown_blocking().unwrap();
        })
    };
    let a = new_consumer(0);
    std::thread::sleep(Duration::from_millis(1000));
    let b = new_consumer(1);
    std::thread::sleep(Duration::from_millis(1500));
    a.shutdown_blocking().unwrap();
    std::thread::sleep(Duration::from_millis(1000));
    let c = new_consumer(2);
    sender.join().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let got: BTreeSet<(i32, usize)> = log
            .lock()
            .unwrap()
            .iter()
            .map(|(_, q, s)| (*q, *s))
            .collect();
        if got.len() == per_queue * 4 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "consumed {} of {}",
            got.len(),
            per_queue * 4
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let log = log.lock().unwrap().clone();
    let mut last: HashMap<(usize, i32), usize> = HashMap::new();
    for (consumer, q, seq) in &log {
        if let Some(prev) = last.insert((*consumer, *q), *seq) {
            assert!(
                *seq > prev,
                "consumer {consumer} queue {q}: {seq} after {prev}"
            );
        }
    }
    let owners: BTreeSet<usize> = log.iter().map(|(c, _, _)| *c).collect();
    eprintln!(
        "orderly churn: {} deliveries of {} messages by consumers {owners:?}",
        log.len(),
        per_queue * 4
    );
    b.shutdown_blocking().unwrap();
    c.shutdown_blocking().unwrap();
}

#[test]
fn allocation_strategies_share_the_queues_exactly_once() {
    require_broker();
    use rocketmq::consumer::allocate::{
        AllocateAveragelyByCircle, AllocateConsistentHash, AllocateStrategy,
    };
    let topic = unique("AllocTopic");
    create_topic(&topic, 8);
    /// A user strategy: averagely, noting whether it ever ran on a runtime thread.
    struct Watched {
        calls: AtomicUsize,
        on_runtime: AtomicUsize,
    }
    impl AllocateStrategy for Watched {
        fn name(&self) -> &str {
            "WATCHED"
        }
        fn allocate(
            &self,
            group: &str,
            current_cid: &str,
            mq_all: &[MessageQueue],
            cid_all: &[String],
        ) -> rocketmq::Result<Vec<MessageQueue>> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            if rocketmq::runtime::in_runtime() {
                self.on_runtime.fetch_add(1, Ordering::SeqCst);
            }
            rocketmq::consumer::allocate::AllocateAveragely.allocate(
                group,
                current_cid,
                mq_all,
                cid_all,
            )
        }
    }
    let watched = Arc::new(Watched {
        calls: AtomicUsize::new(0),
        on_runtime: AtomicUsize::new(0),
    });
    let strategies: Vec<Arc<dyn AllocateStrategy>> = vec![
        Arc::new(AllocateAveragelyByCircle),
        Arc::new(AllocateConsistentHash::default()),
        watched.clone(),
    ];
    for strategy in strategies {
        let group = unique("AllocG");
        let consumers: Vec<PushConsumer> = (0..2)
            .map(|_| {
                let mut cfg = config(&group);
                cfg.allocate_strategy = strategy.clone();
                start(cfg, &topic, "*", concurrently(&Sink::default()))
            })
            .collect();
        let cids_by_consumer: Vec<String> = consumers
            .iter()
            .map(|c| c.instance().unwrap().client_id().to_string())
            .collect();
        let mut cids = cids_by_consumer.clone();
        cids.sort();
        assert_ne!(cids[0], cids[1], "two consumers, two client ids");
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let sets: Vec<BTreeSet<MessageQueue>> = consumers
                .iter()
                .map(|c| {
                    c.assigned_queues()
                        .into_iter()
                        .filter(|q| q.topic == topic)
                        .collect()
                })
                .collect();
            let total: usize = sets.iter().map(BTreeSet::len).sum();
            let union: Vec<MessageQueue> = sets
                .iter()
                .flatten()
                .cloned()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            // Each consumer holds exactly what the strategy gives its client id
            // (a consistent-hash ring may give one consumer nothing: the ring
            // points come from the client ids, which differ from run to run).
            let expected = |cid: &str| -> BTreeSet<MessageQueue> {
                strategy
                    .allocate(&group, cid, &union, &cids)
                    .unwrap()
                    .into_iter()
                    .collect()
            };
            if total == 8
                && union.len() == 8
                && sets
                    .iter()
                    .zip(&cids_by_consumer)
                    .all(|(s, cid)| *s == expected(cid))
            {
                break;
            }
            assert!(Instant::now() < deadline, "{}: {sets:?}", strategy.name());
            std::thread::sleep(Duration::from_millis(100));
        }
        for c in consumers {
            c.shutdown_blocking().unwrap();
        }
    }
    // User strategies run on a library thread of their own, never on a runtime thread.
    assert!(watched.calls.load(Ordering::SeqCst) > 0);
    assert_eq!(watched.on_runtime.load(Ordering::SeqCst), 0);
}

#[test]
fn broadcasting_offsets_survive_a_restart() {
    require_broker();
    let topic = unique("BRTopic");
    create_topic(&topic, 2);
    let p = producer();
    let group = unique("BRG");
    let instance = unique("bcast-instance");
    let dir = std::env::temp_dir().join(unique("bcast-restart"));
    let cfg = || {
        let mut c = config(&group);
        c.message_model = MessageModel::Broadcasting;
        c.local_offset_dir = Some(dir.clone());
        c.client.instance_name = instance.clone();
        c
    };
    let old: BTreeSet<String> = send_n(&p, &topic, 20, |_, _| {}).into_iter().collect();
    let s1 = Sink::default();
    let c1 = start(cfg(), &topic, "*", concurrently(&s1));
    assert!(s1.wait(Duration::from_secs(15), |s| s.ids().is_superset(&old)));
    let report = c1.shutdown_blocking().unwrap();
    assert_eq!(report.offset_persist_failures, 0);
    let new: BTreeSet<String> = send_n(&p, &topic, 10, |_, _| {}).into_iter().collect();
    let s2 = Sink::default();
    let c2 = start(cfg(), &topic, "*", concurrently(&s2));
    assert!(s2.wait(Duration::from_secs(15), |s| s.ids().is_superset(&new)));
    std::thread::sleep(Duration::from_millis(300));
    assert!(s2.ids().is_disjoint(&old), "consumed old messages again");
    c2.shutdown_blocking().unwrap();
    let files = walk(&dir);
    assert!(
        files.iter().any(|f| f.ends_with("offsets.json")),
        "{files:?}"
    );
    assert!(
        files
            .iter()
            .any(|f| f.to_string_lossy().ends_with("offsets.json.bak")),
        "{files:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    p.shutdown_blocking().unwrap();
}

#[test]
fn async_shutdown_works_from_a_foreign_runtime() {
    require_broker();
    let topic = unique("FRTopic");
    create_topic(&topic, 1);
    let c = start(
        config(&unique("FRG")),
        &topic,
        "*",
        concurrently(&Sink::default()),
    );
    let l = LitePullConsumer::new(lite_config(&unique("FRL"))).unwrap();
    l.subscribe(&topic, "*").unwrap();
    l.start().unwrap();
    std::thread::sleep(Duration::from_millis(500));
    // A runtime without timers: shutdown must not depend on the caller's runtime.
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let report = rt.block_on(c.shutdown()).unwrap();
    assert!(report.drained && report.threads_joined, "{report:?}");
    rt.block_on(l.shutdown());
    assert!(l.poll(Duration::from_millis(1)).is_err());
}
