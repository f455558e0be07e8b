//! The push consumer against a hand-made name server, master (broker id 0)
//! and slave (broker id 1) on 127.0.0.1: each pull of a queue goes to the
//! node the previous pull response suggested (`suggestWhichBrokerId`), the
//! master when that node has no address, and a pull from a slave has the
//! commit-offset sysFlag bit cleared.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use rocketmq::consumer::pull_api::sysflag;
use rocketmq::consumer::{
    ConsumeConcurrentlyContext, ConsumeConcurrentlyStatus, LitePullConsumer,
    LitePullConsumerConfig, MessageListener, PushConsumer, PushConsumerConfig,
};
use rocketmq::protocol::body::{BrokerData, ConsumerListBody, JsonBody, QueueData, TopicRouteData};
use rocketmq::protocol::codes::{request, response};
use rocketmq::protocol::frame::{encode_frame, FrameDecoder, DEFAULT_MAX_FRAME};
use rocketmq::protocol::headers::{
    CommandHeader, GetMaxOffsetResponseHeader, GetRouteInfoRequestHeader, PullMessageRequestHeader,
    PullMessageResponseHeader, QueryConsumerOffsetRequestHeader, QueryConsumerOffsetResponseHeader,
};
use rocketmq::protocol::message::{body_crc, encode_message_ext, MessageExt};
use rocketmq::protocol::RemotingCommand;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::{TcpListener, TcpStream};

const TOPIC: &str = "SuggestTopic";
const BROKER: &str = "fake-broker-a";
/// The committed offset the brokers report for the topic's queue.
const START: i64 = 5;
/// How long a pull with nothing to return is held (long polling).
const HOLD: Duration = Duration::from_millis(200);
/// Bound of every wait in these tests.
const BOUND: Duration = Duration::from_secs(5);

/// One pull as a fake broker received it.
#[derive(Debug, Clone)]
struct Pull {
    /// The broker id of the node that received it.
    node: i64,
    topic: String,
    queue_id: i32,
    queue_offset: i64,
    sys_flag: i32,
    commit_offset: i64,
}

/// How the brokers answer a pull of `TOPIC` at an offset.
#[derive(Debug, Clone, Copy)]
enum Answer {
    /// `count` messages from the offset, suggesting node `suggest` next.
    Found { count: i64, suggest: i64 },
    /// Held, then PULL_NOT_FOUND at the same offset, suggesting `suggest`.
    Hold { suggest: i64 },
}

/// What both fake brokers share.
struct BrokerState {
    client_id: String,
    /// Answers by pull offset; offsets not listed are held and suggest the master.
    script: BTreeMap<i64, Answer>,
    pulls: Mutex<Vec<Pull>>,
    /// Requests of any other code, by broker id.
    others: Mutex<Vec<(i64, i32)>>,
}

impl BrokerState {
    /// The pulls of `TOPIC`, in arrival order.
    fn topic_pulls(&self) -> Vec<Pull> {
        self.pulls
            .lock()
            .unwrap()
            .iter()
            .filter(|p| p.topic == TOPIC)
            .cloned()
            .collect()
    }
}

/// Reads frames off `stream` and hands each to `serve`, which writes its
/// answer (possibly later) through the shared write half.
fn spawn_connection<F>(stream: TcpStream, serve: F)
where
    F: Fn(RemotingCommand, Arc<tokio::sync::Mutex<OwnedWriteHalf>>) + Send + 'static,
{
    tokio::spawn(async move {
        let (mut rd, wr) = stream.into_split();
        let wr = Arc::new(tokio::sync::Mutex::new(wr));
        let dec = FrameDecoder::default();
        let mut buf = BytesMut::new();
        loop {
            match dec.decode(&mut buf) {
                Ok(Some(cmd)) => {
                    serve(cmd, wr.clone());
                    continue;
                }
                Ok(None) => {}
                Err(e) => panic!("the client sent a bad frame: {e}"),
            }
            match rd.read_buf(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    });
}

/// Writes `resp` unless the request was oneway; a closed connection is ignored.
async fn answer(
    req: &RemotingCommand,
    resp: RemotingCommand,
    wr: &tokio::sync::Mutex<OwnedWriteHalf>,
) {
    if req.is_oneway() {
        return;
    }
    let mut out = BytesMut::new();
    encode_frame(&resp, DEFAULT_MAX_FRAME, &mut out).unwrap();
    let _ = wr.lock().await.write_all(&out).await;
}

async fn listen() -> (TcpListener, String) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap().to_string();
    (l, addr)
}

/// A name server routing every topic to `BROKER` with one queue and the
/// nodes `addrs` (broker id → address).
async fn fake_namesrv(addrs: BTreeMap<i64, String>) -> String {
    let (l, addr) = listen().await;
    tokio::spawn(async move {
        while let Ok((stream, _)) = l.accept().await {
            let addrs = addrs.clone();
            spawn_connection(stream, move |req, wr| {
                let resp = if req.code == request::GET_ROUTEINFO_BY_TOPIC {
                    let h = GetRouteInfoRequestHeader::read_from(&req.ext_fields).unwrap();
                    assert!(!h.topic.is_empty());
                    let route = TopicRouteData {
                        broker_datas: vec![BrokerData {
                            broker_addrs: addrs.clone(),
                            broker_name: BROKER.into(),
                            cluster: "FakeCluster".into(),
                            ..Default::default()
                        }],
                        queue_datas: vec![QueueData {
                            broker_name: BROKER.into(),
                            perm: 6,
                            read_queue_nums: 1,
                            write_queue_nums: 1,
                            ..Default::default()
                        }],
                        ..Default::default()
                    };
                    RemotingCommand::response_to(&req, response::SUCCESS, None)
                        .with_body(route.encode().unwrap())
                } else {
                    RemotingCommand::response_to(&req, response::SUCCESS, None)
                };
                tokio::spawn(async move { answer(&req, resp, &wr).await });
            });
        }
    });
    addr
}

/// The stored messages `offset..offset + count` of `TOPIC`'s queue 0.
fn stored_messages(offset: i64, count: i64) -> Bytes {
    let mut out = BytesMut::new();
    for o in offset..offset + count {
        let body = Bytes::from(format!("m{o}"));
        let m = MessageExt {
            topic: TOPIC.into(),
            queue_id: 0,
            queue_offset: o,
            commit_log_offset: 1000 + o,
            body_crc: body_crc(&body),
            born_timestamp: 1,
            store_timestamp: 2,
            store_host: "127.0.0.1:10911".parse().unwrap(),
            born_host: "127.0.0.1:40000".parse().unwrap(),
            body,
            ..Default::default()
        };
        out.extend_from_slice(&encode_message_ext(&m).unwrap());
    }
    out.freeze()
}

fn pull_response(
    req: &RemotingCommand,
    code: i32,
    next: i64,
    suggest: i64,
    body: Option<Bytes>,
) -> RemotingCommand {
    let h = PullMessageResponseHeader {
        suggest_which_broker_id: suggest,
        next_begin_offset: next,
        min_offset: 0,
        max_offset: next,
        ..Default::default()
    };
    let mut resp = RemotingCommand::response_to(req, code, None);
    resp.ext_fields = h.to_ext();
    resp.body = body;
    resp
}

/// Serves one request to broker node `node`.
fn broker_serve(
    node: i64,
    state: &Arc<BrokerState>,
    req: RemotingCommand,
    wr: Arc<tokio::sync::Mutex<OwnedWriteHalf>>,
) {
    let ok = RemotingCommand::response_to(&req, response::SUCCESS, None);
    let (resp, delay) = match req.code {
        request::PULL_MESSAGE | request::LITE_PULL_MESSAGE => {
            let h = PullMessageRequestHeader::read_from(&req.ext_fields).unwrap();
            state.pulls.lock().unwrap().push(Pull {
                node,
                topic: h.topic.clone(),
                queue_id: h.queue_id,
                queue_offset: h.queue_offset,
                sys_flag: h.sys_flag,
                commit_offset: h.commit_offset,
            });
            let off = h.queue_offset;
            let a = if h.topic == TOPIC {
                state.script.get(&off).copied()
            } else {
                None
            };
            match a.unwrap_or(Answer::Hold { suggest: 0 }) {
                Answer::Found { count, suggest } => (
                    pull_response(
                        &req,
                        response::SUCCESS,
                        off + count,
                        suggest,
                        Some(stored_messages(off, count)),
                    ),
                    Duration::ZERO,
                ),
                Answer::Hold { suggest } => (
                    pull_response(&req, response::PULL_NOT_FOUND, off, suggest, None),
                    HOLD,
                ),
            }
        }
        request::GET_CONSUMER_LIST_BY_GROUP => {
            let body = ConsumerListBody {
                consumer_id_list: vec![state.client_id.clone()],
            };
            (ok.with_body(body.encode().unwrap()), Duration::ZERO)
        }
        request::QUERY_CONSUMER_OFFSET => {
            let h = QueryConsumerOffsetRequestHeader::read_from(&req.ext_fields).unwrap();
            let offset = if h.topic == TOPIC { START } else { 0 };
            let mut resp = ok;
            resp.ext_fields = QueryConsumerOffsetResponseHeader { offset }.to_ext();
            (resp, Duration::ZERO)
        }
        request::GET_MAX_OFFSET => {
            let mut resp = ok;
            resp.ext_fields = GetMaxOffsetResponseHeader { offset: START }.to_ext();
            (resp, Duration::ZERO)
        }
        code => {
            state.others.lock().unwrap().push((node, code));
            (ok, Duration::ZERO)
        }
    };
    tokio::spawn(async move {
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        answer(&req, resp, &wr).await;
    });
}

/// A broker node answering HEART_BEAT, GET_CONSUMER_LIST_BY_GROUP,
/// QUERY/UPDATE_CONSUMER_OFFSET, GET_MAX_OFFSET and PULL_MESSAGE (from the
/// shared script), and anything else with SUCCESS.
async fn fake_broker(node: i64, state: Arc<BrokerState>, accepts: Arc<AtomicUsize>) -> String {
    let (l, addr) = listen().await;
    tokio::spawn(async move {
        while let Ok((stream, _)) = l.accept().await {
            accepts.fetch_add(1, Ordering::SeqCst);
            let state = state.clone();
            spawn_connection(stream, move |req, wr| broker_serve(node, &state, req, wr));
        }
    });
    addr
}

struct Cluster {
    namesrv: String,
    state: Arc<BrokerState>,
    slave_accepts: Arc<AtomicUsize>,
}

/// Starts a master and a slave; the name server routes the master (id 0)
/// and, when `route_slave`, the slave (id 1).
async fn cluster(client_id: &str, script: BTreeMap<i64, Answer>, route_slave: bool) -> Cluster {
    let state = Arc::new(BrokerState {
        client_id: client_id.to_owned(),
        script,
        pulls: Mutex::default(),
        others: Mutex::default(),
    });
    let master = fake_broker(0, state.clone(), Arc::default()).await;
    let slave_accepts = Arc::new(AtomicUsize::new(0));
    let slave = fake_broker(1, state.clone(), slave_accepts.clone()).await;
    let mut addrs = BTreeMap::from([(0, master)]);
    if route_slave {
        addrs.insert(1, slave);
    }
    let namesrv = fake_namesrv(addrs).await;
    Cluster {
        namesrv,
        state,
        slave_accepts,
    }
}

/// A push consumer of `TOPIC` with a known client id, a short rebalance
/// interval, and a listener reporting the consumed offsets.
fn consumer(namesrv: &str, name: &str) -> (PushConsumer, std::sync::mpsc::Receiver<i64>) {
    let mut cfg = PushConsumerConfig::new(namesrv, format!("{name}Group"));
    cfg.client.client_ip = Some("127.0.0.1".into());
    cfg.client.instance_name = format!("{name}Instance");
    cfg.rebalance_interval = Duration::from_millis(300);
    cfg.consume_thread_count = 1;
    let c = PushConsumer::new(cfg).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let tx = Mutex::new(tx);
    c.subscribe(
        TOPIC,
        "*",
        MessageListener::concurrently(
            move |msgs: &[MessageExt], _: &mut ConsumeConcurrentlyContext| {
                for m in msgs {
                    let _ = tx.lock().unwrap().send(m.queue_offset);
                }
                ConsumeConcurrentlyStatus::ConsumeSuccess
            },
        ),
    )
    .unwrap();
    (c, rx)
}

/// The client id of the consumer [`consumer`] makes for `name`.
fn client_id(name: &str) -> String {
    format!("127.0.0.1@{name}Instance")
}

/// Waits until the brokers saw `n` pulls of `TOPIC`; returns the first `n`.
async fn wait_pulls(state: &BrokerState, n: usize) -> Vec<Pull> {
    let deadline = Instant::now() + BOUND;
    loop {
        let pulls = state.topic_pulls();
        if pulls.len() >= n {
            return pulls[..n].to_vec();
        }
        assert!(
            Instant::now() < deadline,
            "only {} pulls of {TOPIC} within {BOUND:?}: {pulls:?}",
            pulls.len()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Receives `n` consumed offsets.
async fn consumed(rx: std::sync::mpsc::Receiver<i64>, n: usize) -> Vec<i64> {
    tokio::task::spawn_blocking(move || {
        let mut got: Vec<i64> = (0..n)
            .map(|_| rx.recv_timeout(BOUND).expect("a consumed message"))
            .collect();
        got.sort_unstable();
        got
    })
    .await
    .unwrap()
}

fn commit_bit(p: &Pull) -> bool {
    p.sys_flag & sysflag::COMMIT_OFFSET != 0
}

/// A script whose first pull (two messages) suggests the slave, whose pull
/// at the slave (one message) suggests the master again, and which then
/// holds the next pull.
fn to_slave_and_back() -> BTreeMap<i64, Answer> {
    BTreeMap::from([
        (
            START,
            Answer::Found {
                count: 2,
                suggest: 1,
            },
        ),
        (
            START + 2,
            Answer::Found {
                count: 1,
                suggest: 0,
            },
        ),
        (START + 3, Answer::Hold { suggest: 0 }),
    ])
}

/// The first three pulls of [`to_slave_and_back`] went to the master, then
/// the suggested slave, then the master again.
fn assert_slave_and_back(pulls: &[Pull]) {
    let seen: Vec<(i64, i64)> = pulls[..3]
        .iter()
        .map(|p| (p.node, p.queue_offset))
        .collect();
    assert_eq!(
        seen,
        vec![(0, START), (1, START + 2), (0, START + 3)],
        "master, then the suggested slave, then the master again: {pulls:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pulls_follow_the_suggested_broker_to_the_slave_and_back() {
    let name = "SuggestSlave";
    let cl = cluster(&client_id(name), to_slave_and_back(), true).await;
    let (c, rx) = consumer(&cl.namesrv, name);
    c.start().unwrap();
    let pulls = wait_pulls(&cl.state, 4).await;
    let got = consumed(rx, 3).await;
    c.shutdown().await.unwrap();

    assert_slave_and_back(&pulls);
    assert_eq!(pulls[3].node, 0, "{pulls:?}");
    assert_eq!(pulls[3].queue_offset, START + 3);
    assert!(pulls.iter().all(|p| p.queue_id == 0));
    assert!(
        commit_bit(&pulls[0]),
        "the master pull commits: {:?}",
        pulls[0]
    );
    assert!(pulls[0].commit_offset >= START);
    assert!(
        !commit_bit(&pulls[1]),
        "a pull from the slave has the commit bit cleared: {:?}",
        pulls[1]
    );
    assert_eq!(
        pulls[1].sys_flag,
        pulls[0].sys_flag & !sysflag::COMMIT_OFFSET,
        "only the commit bit differs"
    );
    assert!(commit_bit(&pulls[2]), "back on the master: {:?}", pulls[2]);
    assert!(commit_bit(&pulls[3]));
    assert_eq!(got, vec![START, START + 1, START + 2]);
    // The consumer's other requests (offset commits among them) went to the master only.
    let others = cl.state.others.lock().unwrap().clone();
    assert!(
        others.iter().all(|(node, code)| *node == 0
            || *code == request::HEART_BEAT
            || *code == request::UNREGISTER_CLIENT),
        "{others:?}"
    );
}

/// Runs a consumer whose first pull (at the master) suggests `suggest`;
/// returns the first two pulls of the topic.
async fn first_two_pulls(name: &str, suggest: i64, route_slave: bool) -> (Vec<Pull>, Cluster) {
    let script = BTreeMap::from([
        (START, Answer::Found { count: 2, suggest }),
        (START + 2, Answer::Hold { suggest: 0 }),
    ]);
    let cl = cluster(&client_id(name), script, route_slave).await;
    let (c, rx) = consumer(&cl.namesrv, name);
    c.start().unwrap();
    let pulls = wait_pulls(&cl.state, 2).await;
    let got = consumed(rx, 2).await;
    c.shutdown().await.unwrap();
    assert_eq!(got, vec![START, START + 1]);
    (pulls, cl)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suggested_id_without_address_falls_back_to_the_master() {
    let (pulls, cl) = first_two_pulls("SuggestUnknownId", 7, true).await;
    let seen: Vec<(i64, i64)> = pulls.iter().map(|p| (p.node, p.queue_offset)).collect();
    assert_eq!(seen, vec![(0, START), (0, START + 2)], "{pulls:?}");
    assert!(
        commit_bit(&pulls[1]),
        "a master pull commits: {:?}",
        pulls[1]
    );
    let all = cl.state.pulls.lock().unwrap().clone();
    assert!(
        all.iter().all(|p| p.node == 0),
        "no pull at the slave: {all:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suggested_slave_missing_from_the_route_falls_back_to_the_master() {
    let (pulls, cl) = first_two_pulls("SuggestUnroutedSlave", 1, false).await;
    let seen: Vec<(i64, i64)> = pulls.iter().map(|p| (p.node, p.queue_offset)).collect();
    assert_eq!(seen, vec![(0, START), (0, START + 2)], "{pulls:?}");
    assert!(
        commit_bit(&pulls[1]),
        "a master pull commits: {:?}",
        pulls[1]
    );
    assert_eq!(
        cl.slave_accepts.load(Ordering::SeqCst),
        0,
        "the client never learnt the slave's address"
    );
}

/// The lite pull consumer follows the suggested broker too: master, slave,
/// master again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lite_pulls_follow_the_suggested_broker_to_the_slave_and_back() {
    let name = "LiteSuggestSlave";
    let cl = cluster(&client_id(name), to_slave_and_back(), true).await;
    let mut cfg = LitePullConsumerConfig::new(cl.namesrv.clone(), format!("{name}Group"));
    cfg.client.client_ip = Some("127.0.0.1".into());
    cfg.client.instance_name = format!("{name}Instance");
    let c = LitePullConsumer::new(cfg).unwrap();
    c.subscribe(TOPIC, "*").unwrap();
    // On a plain thread: the lite pull consumer's API is blocking.
    let plain = std::thread::spawn(move || {
        c.start().unwrap();
        let deadline = Instant::now() + BOUND;
        let mut got = Vec::new();
        while got.len() < 3 && Instant::now() < deadline {
            got.extend(
                c.poll(Duration::from_millis(100))
                    .unwrap()
                    .iter()
                    .map(|m| m.queue_offset),
            );
        }
        c.shutdown_blocking().unwrap();
        got
    });
    let got = tokio::task::spawn_blocking(move || plain.join().unwrap())
        .await
        .unwrap();
    let pulls = wait_pulls(&cl.state, 3).await;
    assert_slave_and_back(&pulls);
    assert_eq!(got, vec![START, START + 1, START + 2]);
}
