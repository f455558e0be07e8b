//! Protocol-level tests against the local RocketMQ (name server 127.0.0.1:9876,
//! broker-a 127.0.0.1:10911): raw requests through `RemotingClient`, typed
//! headers and bodies, stored messages decoded and compared field by field.
//!
//! Every scenario runs twice: with JSON headers and with binary (ROCKETMQ)
//! headers. Every topic and group name is unique to the run.

mod common;

use std::collections::BTreeMap;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use parking_lot::Mutex;
use rocketmq::protocol::body::{
    publish_queues, ClusterInfo, ConsumeFromWhere, ConsumeType, ConsumerData, ConsumerListBody,
    HeartbeatData, JsonBody, MessageModel, ProducerData, SubscriptionData, TopicRouteData,
};
use rocketmq::protocol::codes::{request, response};
use rocketmq::protocol::compress::{compress, CompressionType, DEFAULT_LEVEL};
use rocketmq::protocol::headers::{
    CommandHeader, CreateTopicRequestHeader, DeleteTopicFromNamesrvRequestHeader,
    DeleteTopicRequestHeader, GetConsumerListByGroupRequestHeader,
    GetConsumerRunningInfoRequestHeader, GetMaxOffsetRequestHeader, GetMaxOffsetResponseHeader,
    GetMinOffsetRequestHeader, GetMinOffsetResponseHeader, GetRouteInfoRequestHeader,
    HeartbeatRequestHeader, PullMessageRequestHeader, PullMessageResponseHeader,
    QueryConsumerOffsetRequestHeader, QueryConsumerOffsetResponseHeader, RpcBase,
    SearchOffsetRequestHeader, SearchOffsetResponseHeader, SendMessageRequestHeader,
    SendMessageResponseHeader, UnregisterClientRequestHeader, UpdateConsumerOffsetRequestHeader,
};
use rocketmq::protocol::message::{
    body_crc, decode_messages, encode_batch, properties_to_string, property, sysflag,
    DecodeOptions, Message, MessageExt,
};
use rocketmq::protocol::msg_id::{decode_offset_msg_id, new_unique_key};
use rocketmq::protocol::{ExtFields, RemotingCommand, SerializeType};
use rocketmq::remoting::hook::{acl_signature, ACCESS_KEY, SIGNATURE};
use rocketmq::remoting::{AclHook, RemotingClient, RemotingConfig, RpcHook};

/// Timeout of one request.
const RPC: Duration = Duration::from_secs(5);
/// Bound on one scenario (one serialization).
const SCENARIO: Duration = Duration::from_secs(9);
/// Pull sysFlag bits (PullSysFlag).
const PULL_FLAG_SUSPEND: i32 = 0x2;
/// MQVersion ordinal of V4_9_3: older than the name server's standard-JSON cut-off (V4_9_4 = 401).
const VERSION_BEFORE_4_9_4: i32 = 399;

const MODES: [SerializeType; 2] = [SerializeType::Json, SerializeType::RocketMq];

/// Runs `scenario` once per header serialization on the crate's runtime.
fn for_both<F, Fut>(scenario: F)
where
    F: Fn(SerializeType) -> Fut,
    Fut: Future<Output = ()>,
{
    common::require_broker();
    for ser in MODES {
        let started = Instant::now();
        rocketmq::runtime::handle().block_on(async {
            tokio::time::timeout(SCENARIO, scenario(ser))
                .await
                .unwrap_or_else(|_| panic!("{ser:?}: scenario took more than {SCENARIO:?}"))
        });
        eprintln!("{ser:?}: {:?}", started.elapsed());
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn loopback(addr: &SocketAddr) -> bool {
    addr.ip() == IpAddr::V4(Ipv4Addr::LOCALHOST)
}

/// A client speaking `ser` headers with the local name server set.
fn client_with(ser: SerializeType, version: Option<i32>) -> RemotingClient {
    let mut cfg = RemotingConfig {
        serialize_type: ser,
        connect_timeout: Duration::from_secs(2),
        ..Default::default()
    };
    if let Some(v) = version {
        cfg.version = v;
    }
    let c = RemotingClient::new(cfg).unwrap();
    c.set_namesrv_addrs(&common::namesrv()).unwrap();
    c
}

fn client(ser: SerializeType) -> RemotingClient {
    client_with(ser, None)
}

fn expect_code(resp: &RemotingCommand, code: i32, what: &str) {
    assert_eq!(
        resp.code, code,
        "{what}: expected code {code}, got {} ({:?})",
        resp.code, resp.remark
    );
}

async fn invoke_broker(c: &RemotingClient, req: RemotingCommand) -> RemotingCommand {
    let code = req.code;
    c.invoke(&common::broker(), req, RPC)
        .await
        .unwrap_or_else(|e| panic!("request {code} to the broker failed: {e}"))
}

async fn invoke_namesrv(c: &RemotingClient, req: RemotingCommand) -> RemotingCommand {
    let code = req.code;
    c.invoke_namesrv(req, RPC)
        .await
        .unwrap_or_else(|e| panic!("request {code} to the name server failed: {e}"))
}

async fn cluster_info(c: &RemotingClient) -> (ClusterInfo, Bytes) {
    let req = RemotingCommand::request(request::GET_BROKER_CLUSTER_INFO, ExtFields::new());
    let resp = invoke_namesrv(c, req).await;
    expect_code(&resp, response::SUCCESS, "GET_BROKER_CLUSTER_INFO");
    let body = resp.body.clone().expect("cluster info body");
    (ClusterInfo::decode(&body).unwrap(), body)
}

/// The name of the broker listening at `common::broker()`.
async fn broker_name(c: &RemotingClient) -> String {
    let (info, _) = cluster_info(c).await;
    let addr = common::broker();
    info.broker_addr_table
        .values()
        .find(|b| b.master_addr() == Some(addr.as_str()))
        .unwrap_or_else(|| panic!("no master at {addr} in {info:?}"))
        .broker_name
        .clone()
}

/// GET_ROUTEINFO_BY_TOPIC: the response as is.
async fn route_raw(
    c: &RemotingClient,
    topic: &str,
    standard_json: Option<bool>,
) -> RemotingCommand {
    let h = GetRouteInfoRequestHeader {
        topic: topic.to_owned(),
        accept_standard_json_only: standard_json,
        ..Default::default()
    };
    invoke_namesrv(
        c,
        RemotingCommand::request(request::GET_ROUTEINFO_BY_TOPIC, h.to_ext()),
    )
    .await
}

/// Polls the route of `topic` until `ready` accepts it (at most 5 s).
async fn wait_route(
    c: &RemotingClient,
    topic: &str,
    ready: impl Fn(&TopicRouteData) -> bool,
) -> TopicRouteData {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let resp = route_raw(c, topic, Some(true)).await;
        if resp.code == response::SUCCESS {
            let route = TopicRouteData::decode(resp.body.as_deref().unwrap_or_default()).unwrap();
            if ready(&route) {
                return route;
            }
        } else {
            expect_code(&resp, response::TOPIC_NOT_EXIST, "route while waiting");
        }
        assert!(
            Instant::now() < deadline,
            "the route of {topic} did not appear"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// UPDATE_AND_CREATE_TOPIC on the broker, then waits until the name server has it.
async fn create_topic(c: &RemotingClient, broker_name: &str, topic: &str, queues: i32) {
    let h = CreateTopicRequestHeader {
        topic: topic.to_owned(),
        read_queue_nums: queues,
        write_queue_nums: queues,
        ..Default::default()
    };
    let resp = invoke_broker(
        c,
        RemotingCommand::request(request::UPDATE_AND_CREATE_TOPIC, h.to_ext()),
    )
    .await;
    expect_code(&resp, response::SUCCESS, "UPDATE_AND_CREATE_TOPIC");
    wait_route(c, topic, |r| {
        r.queue_datas
            .iter()
            .any(|q| q.broker_name == broker_name && q.write_queue_nums == queues)
    })
    .await;
}

/// Deletes the topic from the broker and the name server (best effort: the
/// shared broker should not keep every test topic).
async fn delete_topic(c: &RemotingClient, topic: &str) {
    let h = DeleteTopicRequestHeader {
        topic: topic.to_owned(),
        ..Default::default()
    };
    let _ = c
        .invoke(
            &common::broker(),
            RemotingCommand::request(request::DELETE_TOPIC_IN_BROKER, h.to_ext()),
            RPC,
        )
        .await;
    let h = DeleteTopicFromNamesrvRequestHeader {
        topic: topic.to_owned(),
        ..Default::default()
    };
    let _ = c
        .invoke_namesrv(
            RemotingCommand::request(request::DELETE_TOPIC_IN_NAMESRV, h.to_ext()),
            RPC,
        )
        .await;
}

/// A client's identity on the broker: client id, groups, subscription version.
struct Member {
    client_id: String,
    producer_group: String,
    consumer_group: String,
    sub_version: i64,
}

impl Member {
    fn new() -> Self {
        Member {
            client_id: format!("127.0.0.1@{}", common::unique("protoit")),
            producer_group: common::unique("protoit_pg"),
            consumer_group: common::unique("protoit_cg"),
            sub_version: now_ms(),
        }
    }

    fn heartbeat_data(&self, topic: &str) -> HeartbeatData {
        HeartbeatData {
            client_id: self.client_id.clone(),
            producer_data_set: vec![ProducerData {
                group_name: self.producer_group.clone(),
            }],
            consumer_data_set: vec![ConsumerData {
                group_name: self.consumer_group.clone(),
                consume_type: ConsumeType::Passively,
                message_model: MessageModel::Clustering,
                consume_from_where: ConsumeFromWhere::FirstOffset,
                subscription_data_set: vec![SubscriptionData {
                    topic: topic.to_owned(),
                    sub_version: self.sub_version,
                    ..Default::default()
                }],
                unit_mode: false,
            }],
            ..Default::default()
        }
    }

    /// HEART_BEAT with a producer group and a consumer group subscribing `topic` to `*`.
    async fn heartbeat(&self, c: &RemotingClient, topic: &str) -> RemotingCommand {
        let body = self.heartbeat_data(topic).encode().unwrap();
        let req = RemotingCommand::request(
            request::HEART_BEAT,
            HeartbeatRequestHeader::default().to_ext(),
        )
        .with_body(body);
        let resp = invoke_broker(c, req).await;
        expect_code(&resp, response::SUCCESS, "HEART_BEAT");
        resp
    }

    /// UNREGISTER_CLIENT for both groups (best effort).
    async fn unregister(&self, c: &RemotingClient) {
        let h = UnregisterClientRequestHeader {
            client_id: self.client_id.clone(),
            producer_group: Some(self.producer_group.clone()),
            consumer_group: Some(self.consumer_group.clone()),
            ..Default::default()
        };
        let _ = c
            .invoke(
                &common::broker(),
                RemotingCommand::request(request::UNREGISTER_CLIENT, h.to_ext()),
                RPC,
            )
            .await;
    }
}

/// A topic of our own on the broker and a member subscribing it by heartbeat.
struct Fixture {
    c: RemotingClient,
    broker_name: String,
    cluster: String,
    topic: String,
    m: Member,
}

impl Fixture {
    /// Creates a topic with `queues` queues and sends the member's heartbeat.
    async fn new(c: RemotingClient, queues: i32, prefix: &str) -> Fixture {
        let (info, _) = cluster_info(&c).await;
        let broker_name = broker_name(&c).await;
        let cluster = info.broker_addr_table[&broker_name].cluster.clone();
        let topic = common::unique(prefix);
        create_topic(&c, &broker_name, &topic, queues).await;
        let m = Member::new();
        m.heartbeat(&c, &topic).await;
        Fixture {
            c,
            broker_name,
            cluster,
            topic,
            m,
        }
    }

    /// Unregisters the member, deletes the topic, closes the client.
    async fn teardown(self) {
        self.m.unregister(&self.c).await;
        delete_topic(&self.c, &self.topic).await;
        self.c.shutdown();
    }

    /// The SEND_MESSAGE_V2 header Java writes for `msg`.
    fn send_header(
        &self,
        msg: &Message,
        queue_id: i32,
        sys_flag: i32,
        born: i64,
        batch: bool,
    ) -> SendMessageRequestHeader {
        SendMessageRequestHeader {
            rpc: RpcBase::with_broker(self.broker_name.clone()),
            producer_group: self.m.producer_group.clone(),
            topic: msg.topic.clone(),
            queue_id,
            sys_flag,
            born_timestamp: born,
            flag: msg.flag,
            properties: Some(properties_to_string(&msg.properties)),
            reconsume_times: Some(0),
            unit_mode: Some(false),
            batch: Some(batch),
            ..Default::default()
        }
    }

    /// Sends `body` with `header` (310 or 320) and reads the typed response.
    async fn send_raw(
        &self,
        code: i32,
        header: SendMessageRequestHeader,
        body: Bytes,
    ) -> SendMessageResponseHeader {
        let req = RemotingCommand::request(code, header.into_ext_v2()).with_body(body);
        let resp = invoke_broker(&self.c, req).await;
        expect_code(&resp, response::SUCCESS, "send");
        SendMessageResponseHeader::read_from(&resp.ext_fields).unwrap()
    }

    /// Sends one message with SEND_MESSAGE_V2; its body goes as it is.
    async fn send(&self, msg: Message, queue_id: i32, sys_flag: i32) -> Sent {
        let born = now_ms();
        let h = self.send_header(&msg, queue_id, sys_flag, born, false);
        let resp = self
            .send_raw(request::SEND_MESSAGE_V2, h, msg.body.clone())
            .await;
        Sent {
            msg,
            resp,
            born,
            sys_flag,
        }
    }

    /// PULL_MESSAGE with the subscription registered by heartbeat (sysFlag
    /// FLAG_SUSPEND, as a push consumer without a commit offset).
    async fn pull_raw(&self, queue_id: i32, offset: i64) -> RemotingCommand {
        let h = PullMessageRequestHeader {
            rpc: RpcBase::with_broker(self.broker_name.clone()),
            consumer_group: self.m.consumer_group.clone(),
            topic: self.topic.clone(),
            queue_id,
            queue_offset: offset,
            max_msg_nums: 32,
            sys_flag: PULL_FLAG_SUSPEND,
            commit_offset: 0,
            suspend_timeout_millis: 2000,
            subscription: None,
            sub_version: self.m.sub_version,
            expression_type: Some("TAG".into()),
            ..Default::default()
        };
        invoke_broker(
            &self.c,
            RemotingCommand::request(request::PULL_MESSAGE, h.to_ext()),
        )
        .await
    }

    /// Pulls from `offset` until `n` messages came back: the messages, the
    /// raw bodies and the last response header.
    async fn pull_n(
        &self,
        queue_id: i32,
        offset: i64,
        n: usize,
        opts: &DecodeOptions,
    ) -> (Vec<MessageExt>, Vec<Bytes>, PullMessageResponseHeader) {
        let mut msgs = Vec::new();
        let mut raws = Vec::new();
        let mut next = offset;
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let resp = self.pull_raw(queue_id, next).await;
            let h = PullMessageResponseHeader::read_from(&resp.ext_fields).unwrap();
            match resp.code {
                response::SUCCESS => {
                    let body = resp.body.clone().expect("pull body");
                    msgs.extend(decode_messages(&body, opts).unwrap());
                    raws.push(body);
                    next = h.next_begin_offset;
                }
                response::PULL_NOT_FOUND | response::PULL_RETRY_IMMEDIATELY => {}
                other => panic!("pull: unexpected code {other} ({:?})", resp.remark),
            }
            if msgs.len() >= n {
                assert_eq!(msgs.len(), n, "pulled more messages than sent");
                return (msgs, raws, h);
            }
            assert!(
                Instant::now() < deadline,
                "only {} of {n} messages pulled",
                msgs.len()
            );
        }
    }
}

/// A message sent: the message, the send response, its born timestamp and sysFlag.
struct Sent {
    msg: Message,
    resp: SendMessageResponseHeader,
    born: i64,
    sys_flag: i32,
}

fn decode_opts() -> DecodeOptions {
    DecodeOptions {
        check_crc: true,
        ..Default::default()
    }
}

/// A message like a Java client's: body, flag, tags, keys, user properties, unique key.
fn sample_message(topic: &str, body: impl Into<Bytes>, flag: i32) -> Message {
    let mut msg = Message::new(topic, body)
        .with_flag(flag)
        .with_tags("TagA")
        .with_keys(["order-1", "order-2"]);
    msg.put_user_property("color", "blue").unwrap();
    msg.put_user_property("weight", "12 kg").unwrap();
    msg.put_user_property("ünïcode", "värde ✓").unwrap();
    msg.set_unique_key(new_unique_key());
    msg
}

/// The properties the broker stores for a single message: the sent ones plus
/// `CLUSTER`, and the `MSG_REGION` and `TRACE_ON` it also returns in the
/// send response.
fn stored_properties(
    msg: &Message,
    cluster: &str,
    resp: &SendMessageResponseHeader,
) -> BTreeMap<String, String> {
    let mut p = msg.properties.clone();
    p.insert(property::CLUSTER.to_owned(), cluster.to_owned());
    p.insert(
        property::MSG_REGION.to_owned(),
        resp.msg_region
            .clone()
            .expect("MSG_REGION in the send response"),
    );
    p.insert(
        property::TRACE_ON.to_owned(),
        resp.trace_on
            .clone()
            .expect("TRACE_ON in the send response"),
    );
    p
}

// ---------------------------------------------------------------------------
// Name server

#[test]
fn route_and_cluster_info_in_both_json_dialects() {
    for_both(|ser| async move {
        let c = client(ser);
        let addr = common::broker();
        let name = broker_name(&c).await;

        // Cluster info: always fastjson's default output, with unquoted map keys.
        let (info, raw) = cluster_info(&c).await;
        let text = String::from_utf8_lossy(&raw);
        assert!(
            text.contains(&format!("{{0:\"{addr}\"}}")),
            "cluster info keys should be unquoted: {text}"
        );
        assert!(serde_json::from_slice::<serde_json::Value>(&raw).is_err());
        let b = &info.broker_addr_table[&name];
        assert_eq!(b.master_addr(), Some(addr.as_str()));
        assert!(!b.cluster.is_empty());
        assert!(info.cluster_addr_table[&b.cluster].contains(&name));

        // A topic every broker has: the producers' default topic.
        let topic = SendMessageRequestHeader::DEFAULT_TOPIC;

        // acceptStandardJsonOnly: quoted keys, standard JSON.
        let resp = route_raw(&c, topic, Some(true)).await;
        expect_code(&resp, response::SUCCESS, "route (standard JSON)");
        let std_body = resp.body.clone().unwrap();
        let text = String::from_utf8_lossy(&std_body);
        assert!(text.contains(&format!("{{\"0\":\"{addr}\"}}")), "{text}");
        serde_json::from_slice::<serde_json::Value>(&std_body).unwrap();
        let standard = TopicRouteData::decode(&std_body).unwrap();

        // Without the flag, a client version of 4.9.4 or later still gets standard JSON...
        let resp = route_raw(&c, topic, None).await;
        expect_code(&resp, response::SUCCESS, "route (current version)");
        serde_json::from_slice::<serde_json::Value>(resp.body.as_deref().unwrap()).unwrap();
        assert_eq!(
            TopicRouteData::decode(resp.body.as_deref().unwrap()).unwrap(),
            standard
        );

        // ...while an older version gets fastjson's unquoted keys.
        let old = client_with(ser, Some(VERSION_BEFORE_4_9_4));
        let resp = route_raw(&old, topic, None).await;
        expect_code(&resp, response::SUCCESS, "route (fastjson)");
        let fj_body = resp.body.clone().unwrap();
        let text = String::from_utf8_lossy(&fj_body);
        assert!(text.contains(&format!("{{0:\"{addr}\"}}")), "{text}");
        assert!(serde_json::from_slice::<serde_json::Value>(&fj_body).is_err());
        let fastjson = TopicRouteData::decode(&fj_body).unwrap();
        assert_eq!(fastjson, standard);

        let bd = standard.broker(&name).expect("broker data in route");
        assert_eq!(bd.master_addr(), Some(addr.as_str()));
        let qd = standard
            .queue_datas
            .iter()
            .find(|q| q.broker_name == name)
            .expect("queue data in route");
        assert!(qd.write_queue_nums > 0 && qd.read_queue_nums > 0);

        // An unknown topic.
        let resp = route_raw(&c, &common::unique("protoit_none"), Some(true)).await;
        expect_code(
            &resp,
            response::TOPIC_NOT_EXIST,
            "route of an unknown topic",
        );
        assert!(resp.body.is_none());

        old.shutdown();
        c.shutdown();
    });
}

// ---------------------------------------------------------------------------
// Broker administration

#[test]
fn created_topic_appears_in_route() {
    for_both(|ser| async move {
        let c = client(ser);
        let name = broker_name(&c).await;
        let topic = common::unique("protoit_create");

        let resp = route_raw(&c, &topic, Some(true)).await;
        expect_code(&resp, response::TOPIC_NOT_EXIST, "route before creation");

        create_topic(&c, &name, &topic, 3).await;
        let route = wait_route(&c, &topic, |_| true).await;
        let qd = route
            .queue_datas
            .iter()
            .find(|q| q.broker_name == name)
            .unwrap();
        assert_eq!(
            (qd.read_queue_nums, qd.write_queue_nums, qd.perm),
            (3, 3, 6)
        );
        assert_eq!(qd.topic_sys_flag, 0);
        assert_eq!(
            route.broker(&name).unwrap().master_addr(),
            Some(common::broker().as_str())
        );
        let queues = publish_queues(&topic, &route);
        assert_eq!(queues.len(), 3);
        assert!(queues
            .iter()
            .enumerate()
            .all(|(i, q)| q.broker_name == name && q.queue_id == i as i32 && q.topic == topic));

        delete_topic(&c, &topic).await;
        c.shutdown();
    });
}

#[test]
fn heartbeat_registers_the_groups() {
    for_both(|ser| async move {
        // The fixture's heartbeat must succeed...
        let fx = Fixture::new(client(ser), 1, "protoit_hb").await;

        // ...and the broker now lists our client in the consumer group.
        let h = GetConsumerListByGroupRequestHeader {
            consumer_group: fx.m.consumer_group.clone(),
            ..Default::default()
        };
        let resp = invoke_broker(
            &fx.c,
            RemotingCommand::request(request::GET_CONSUMER_LIST_BY_GROUP, h.to_ext()),
        )
        .await;
        expect_code(&resp, response::SUCCESS, "GET_CONSUMER_LIST_BY_GROUP");
        let list = ConsumerListBody::decode(resp.body.as_deref().unwrap()).unwrap();
        assert_eq!(list.consumer_id_list, vec![fx.m.client_id.clone()]);

        fx.teardown().await;
    });
}

// ---------------------------------------------------------------------------
// Messages

/// Checks every field of a pulled single message but the body (and its CRC).
fn check_stored(got: &MessageExt, sent: &Sent, cluster: &str, queue_id: i32, sys_flag: i32) {
    let (msg, resp) = (&sent.msg, &sent.resp);
    let (store_host, commit_log_offset) = decode_offset_msg_id(&resp.msg_id).unwrap();
    assert_eq!(store_host.to_string(), common::broker());
    assert_eq!(got.topic, msg.topic);
    assert_eq!(got.flag, msg.flag);
    assert_eq!(got.queue_id, queue_id);
    assert_eq!(got.queue_offset, resp.queue_offset);
    assert_eq!(got.commit_log_offset, commit_log_offset);
    assert_eq!(got.store_host, store_host);
    assert_eq!(got.offset_msg_id(), resp.msg_id);
    assert!(loopback(&got.born_host), "born host {}", got.born_host);
    assert_ne!(got.born_host.port(), 0);
    assert_ne!(got.born_host.port(), store_host.port());
    assert_eq!(got.born_timestamp, sent.born);
    assert!(
        got.store_timestamp >= sent.born - 1000 && got.store_timestamp <= now_ms() + 1000,
        "store timestamp {} outside the send window",
        got.store_timestamp
    );
    assert_eq!(got.reconsume_times, 0);
    assert_eq!(got.prepared_transaction_offset, 0);
    assert_eq!(got.sys_flag, sys_flag);
    assert_eq!(got.properties, stored_properties(msg, cluster, resp));
    assert_eq!(got.tags(), Some("TagA"));
    assert_eq!(got.keys(), vec!["order-1", "order-2"]);
    assert_eq!(got.unique_key(), msg.unique_key());
    assert_eq!(got.msg_id(), msg.unique_key().unwrap());
    let user: Vec<(&str, &str)> = got.user_properties().collect();
    assert_eq!(
        user,
        vec![
            ("color", "blue"),
            ("weight", "12 kg"),
            ("ünïcode", "värde ✓")
        ]
    );
}

#[test]
fn send_v2_and_pull_back_every_field() {
    for_both(|ser| async move {
        let fx = Fixture::new(client(ser), 2, "protoit_send").await;
        let queue_id = 1;
        let body: Vec<u8> = (0..1500u32).map(|i| (i * 7 % 251) as u8).collect();
        let sent = fx
            .send(sample_message(&fx.topic, body.clone(), 0x5A5A), queue_id, 0)
            .await;
        let resp = &sent.resp;

        assert_eq!(resp.queue_id, queue_id);
        assert_eq!(resp.queue_offset, 0, "first message of a new queue");
        let (host, _) = decode_offset_msg_id(&resp.msg_id).unwrap();
        assert_eq!(host, common::broker().parse::<SocketAddr>().unwrap());
        assert_eq!(resp.msg_id.len(), 32);
        // The broker reports the unique key as the transaction id of any message.
        assert_eq!(resp.transaction_id.as_deref(), sent.msg.unique_key());
        assert!(resp.msg_region.is_some(), "MSG_REGION ext field");
        assert!(resp.trace_on.is_some(), "TRACE_ON ext field");

        let (msgs, raws, ph) = fx.pull_n(queue_id, 0, 1, &decode_opts()).await;
        let got = &msgs[0];
        assert_eq!(got.body.as_ref(), &body[..]);
        assert_eq!(got.body_crc, body_crc(&body));
        assert_eq!(got.store_size as usize, raws[0].len());
        check_stored(got, &sent, &fx.cluster, queue_id, 0);
        assert_eq!(ph.next_begin_offset, 1);
        assert_eq!((ph.min_offset, ph.max_offset), (0, 1));
        assert_eq!(ph.suggest_which_broker_id, 0);

        fx.teardown().await;
    });
}

#[test]
fn compressed_bodies_come_back_decompressed() {
    for_both(|ser| async move {
        let fx = Fixture::new(client(ser), 1, "protoit_zlib").await;
        let plain: Vec<u8> = b"RocketMQ compressed body, "
            .iter()
            .cycle()
            .take(8192)
            .copied()
            .collect();
        let zipped = Bytes::from(compress(&plain, CompressionType::Zlib, DEFAULT_LEVEL).unwrap());
        assert!(zipped.len() < plain.len() / 4);

        // 0x301: compressed, type ZLIB (5.x clients); 0x1: compressed, no type (older Java clients).
        let flags = [
            sysflag::COMPRESSED | sysflag::COMPRESSION_ZLIB,
            sysflag::COMPRESSED,
        ];
        let mut sent = Vec::new();
        for (i, flag) in flags.into_iter().enumerate() {
            let msg = sample_message(&fx.topic, zipped.clone(), i as i32);
            let s = fx.send(msg, 0, flag).await;
            assert_eq!(s.resp.queue_offset, i as i64);
            sent.push(s);
        }

        let (msgs, _, _) = fx.pull_n(0, 0, 2, &decode_opts()).await;
        for (got, s) in msgs.iter().zip(&sent) {
            assert_eq!(got.body.as_ref(), &plain[..], "sysFlag {:#x}", s.sys_flag);
            // The CRC is the stored (compressed) body's.
            assert_eq!(got.body_crc, body_crc(&zipped));
            check_stored(got, s, &fx.cluster, 0, s.sys_flag & !sysflag::COMPRESSED);
        }

        // Without decompression: the stored bytes and the sent sysFlag.
        let raw_opts = DecodeOptions {
            decompress: false,
            ..decode_opts()
        };
        let (msgs, _, _) = fx.pull_n(0, 0, 2, &raw_opts).await;
        for (got, s) in msgs.iter().zip(&sent) {
            assert_eq!(got.body, zipped);
            check_stored(got, s, &fx.cluster, 0, s.sys_flag);
        }

        fx.teardown().await;
    });
}

#[test]
fn batch_of_ten_is_pulled_back_whole() {
    for_both(|ser| async move {
        let fx = Fixture::new(client(ser), 1, "protoit_batch").await;
        let topic = fx.topic.clone();
        let msgs: Vec<Message> = (0..10)
            .map(|i| {
                let mut msg = Message::new(&topic, format!("batch body {i}").into_bytes())
                    .with_flag(100 + i)
                    .with_tags(format!("T{i}"))
                    .with_keys([format!("key-{i}")]);
                msg.put_user_property("index", i.to_string()).unwrap();
                msg.set_unique_key(new_unique_key());
                msg
            })
            .collect();
        let body = encode_batch(&msgs).unwrap();
        // The batch's own properties, as Java's MessageBatch has them: WAIT only.
        let outer = Message::new(&topic, Bytes::new());
        let born = now_ms();
        let h = fx.send_header(&outer, 0, 0, born, true);
        let resp = fx.send_raw(request::SEND_BATCH_MESSAGE, h, body).await;
        assert_eq!(resp.queue_id, 0);
        assert_eq!(resp.queue_offset, 0);
        let ids: Vec<&str> = resp.msg_id.split(',').collect();
        assert_eq!(
            ids.len(),
            10,
            "one offset message id per message: {}",
            resp.msg_id
        );
        assert_eq!(resp.batch_uniq_id, None);

        let (got, _, _) = fx.pull_n(0, 0, 10, &decode_opts()).await;
        for (i, (g, sent)) in got.iter().zip(&msgs).enumerate() {
            let (host, offset) = decode_offset_msg_id(ids[i]).unwrap();
            assert_eq!(g.topic, topic);
            assert_eq!(g.body, sent.body);
            assert_eq!(g.body_crc, body_crc(&sent.body));
            assert_eq!(g.flag, sent.flag);
            assert_eq!(g.queue_id, 0);
            assert_eq!(g.queue_offset, i as i64);
            assert_eq!(g.commit_log_offset, offset);
            assert_eq!(g.store_host, host);
            assert_eq!(g.born_timestamp, born);
            assert!(loopback(&g.born_host));
            assert_eq!(g.sys_flag, 0);
            assert_eq!(g.reconsume_times, 0);
            assert_eq!(g.prepared_transaction_offset, 0);
            // Each stored message keeps exactly its own properties.
            assert_eq!(g.properties, sent.properties, "message {i}");
            assert_eq!(g.tags(), Some(format!("T{i}").as_str()));
            assert_eq!(g.keys(), vec![format!("key-{i}")]);
            assert_eq!(g.unique_key(), sent.unique_key());
            assert_eq!(g.property("index"), Some(i.to_string().as_str()));
        }
        // Records follow each other in the commit log.
        for w in got.windows(2) {
            assert_eq!(
                w[1].commit_log_offset,
                w[0].commit_log_offset + w[0].store_size as i64
            );
            assert_eq!(w[1].store_timestamp, w[0].store_timestamp);
        }

        fx.teardown().await;
    });
}

// ---------------------------------------------------------------------------
// Offsets

async fn query_offset(
    c: &RemotingClient,
    m: &Member,
    topic: &str,
    queue_id: i32,
    set_zero_if_not_found: Option<bool>,
) -> RemotingCommand {
    let h = QueryConsumerOffsetRequestHeader {
        consumer_group: m.consumer_group.clone(),
        topic: topic.to_owned(),
        queue_id,
        set_zero_if_not_found,
        ..Default::default()
    };
    invoke_broker(
        c,
        RemotingCommand::request(request::QUERY_CONSUMER_OFFSET, h.to_ext()),
    )
    .await
}

fn offset_of(resp: &RemotingCommand) -> i64 {
    expect_code(resp, response::SUCCESS, "offset query");
    QueryConsumerOffsetResponseHeader::read_from(&resp.ext_fields)
        .unwrap()
        .offset
}

async fn max_offset(c: &RemotingClient, topic: &str, queue_id: i32) -> i64 {
    let h = GetMaxOffsetRequestHeader {
        topic: topic.to_owned(),
        queue_id,
        ..Default::default()
    };
    let resp = invoke_broker(
        c,
        RemotingCommand::request(request::GET_MAX_OFFSET, h.to_ext()),
    )
    .await;
    expect_code(&resp, response::SUCCESS, "GET_MAX_OFFSET");
    GetMaxOffsetResponseHeader::read_from(&resp.ext_fields)
        .unwrap()
        .offset
}

async fn min_offset(c: &RemotingClient, topic: &str, queue_id: i32) -> i64 {
    let h = GetMinOffsetRequestHeader {
        topic: topic.to_owned(),
        queue_id,
        ..Default::default()
    };
    let resp = invoke_broker(
        c,
        RemotingCommand::request(request::GET_MIN_OFFSET, h.to_ext()),
    )
    .await;
    expect_code(&resp, response::SUCCESS, "GET_MIN_OFFSET");
    GetMinOffsetResponseHeader::read_from(&resp.ext_fields)
        .unwrap()
        .offset
}

async fn search_offset(c: &RemotingClient, topic: &str, queue_id: i32, timestamp: i64) -> i64 {
    let h = SearchOffsetRequestHeader {
        topic: topic.to_owned(),
        queue_id,
        timestamp,
        ..Default::default()
    };
    let resp = invoke_broker(
        c,
        RemotingCommand::request(request::SEARCH_OFFSET_BY_TIMESTAMP, h.to_ext()),
    )
    .await;
    expect_code(&resp, response::SUCCESS, "SEARCH_OFFSET_BY_TIMESTAMP");
    SearchOffsetResponseHeader::read_from(&resp.ext_fields)
        .unwrap()
        .offset
}

#[test]
fn consumer_and_queue_offsets() {
    for_both(|ser| async move {
        let fx = Fixture::new(client(ser), 2, "protoit_offset").await;
        let (c, m, topic) = (&fx.c, &fx.m, fx.topic.as_str());

        // 5.x semantics of an offset never committed: QUERY_NOT_FOUND on an
        // empty queue; 0 once offset 0 holds a message still in memory,
        // unless the request says setZeroIfNotFound=false.
        let resp = query_offset(c, m, topic, 0, None).await;
        expect_code(&resp, response::QUERY_NOT_FOUND, "offset of an empty queue");
        assert_eq!(max_offset(c, topic, 0).await, 0);
        assert_eq!(min_offset(c, topic, 0).await, 0);

        let mut sent = Vec::new();
        for i in 0..3 {
            let msg = sample_message(topic, format!("offset body {i}").into_bytes(), 0);
            let s = fx.send(msg, 0, 0).await;
            assert_eq!(s.resp.queue_offset, i);
            sent.push(s);
            // Distinct store timestamps for the search below.
            tokio::time::sleep(Duration::from_millis(15)).await;
        }
        let (stored, _, _) = fx.pull_n(0, 0, 3, &decode_opts()).await;

        assert_eq!(offset_of(&query_offset(c, m, topic, 0, None).await), 0);
        let resp = query_offset(c, m, topic, 0, Some(false)).await;
        expect_code(&resp, response::QUERY_NOT_FOUND, "setZeroIfNotFound=false");
        let resp = query_offset(c, m, topic, 1, None).await;
        expect_code(
            &resp,
            response::QUERY_NOT_FOUND,
            "offset of the empty queue 1",
        );

        let h = UpdateConsumerOffsetRequestHeader {
            consumer_group: m.consumer_group.clone(),
            topic: topic.to_owned(),
            queue_id: 0,
            commit_offset: 2,
            ..Default::default()
        };
        let resp = invoke_broker(
            c,
            RemotingCommand::request(request::UPDATE_CONSUMER_OFFSET, h.to_ext()),
        )
        .await;
        expect_code(&resp, response::SUCCESS, "UPDATE_CONSUMER_OFFSET");
        assert_eq!(offset_of(&query_offset(c, m, topic, 0, None).await), 2);
        assert_eq!(
            offset_of(&query_offset(c, m, topic, 0, Some(false)).await),
            2
        );
        // Queue 1 is untouched.
        let resp = query_offset(c, m, topic, 1, None).await;
        expect_code(
            &resp,
            response::QUERY_NOT_FOUND,
            "queue 1 after updating queue 0",
        );

        assert_eq!(max_offset(c, topic, 0).await, 3);
        assert_eq!(min_offset(c, topic, 0).await, 0);
        assert_eq!(max_offset(c, topic, 1).await, 0);
        // Each message is found by its own store timestamp; before the first is offset 0.
        for (i, (s, sent)) in stored.iter().zip(&sent).enumerate() {
            assert_eq!(s.queue_offset, i as i64);
            assert_eq!(s.born_timestamp, sent.born);
            assert_eq!(
                search_offset(c, topic, 0, s.store_timestamp).await,
                i as i64
            );
        }
        assert_eq!(
            search_offset(c, topic, 0, stored[0].store_timestamp - 60_000).await,
            0
        );

        fx.teardown().await;
    });
}

// ---------------------------------------------------------------------------
// Errors and broker-to-client requests

#[test]
fn unknown_request_code_is_not_supported() {
    for_both(|ser| async move {
        let c = client(ser);
        let mut ext = ExtFields::new();
        ext.push("topic", "whatever");
        let resp = invoke_broker(&c, RemotingCommand::request(9999, ext)).await;
        expect_code(&resp, response::REQUEST_CODE_NOT_SUPPORTED, "code 9999");
        assert!(resp.is_response());
        assert!(
            resp.remark.as_deref().unwrap_or_default().contains("9999"),
            "{:?}",
            resp.remark
        );
        // The name server too.
        let resp = invoke_namesrv(&c, RemotingCommand::request(9999, ExtFields::new())).await;
        expect_code(
            &resp,
            response::REQUEST_CODE_NOT_SUPPORTED,
            "code 9999 to the name server",
        );
        assert!(
            resp.remark.as_deref().unwrap_or_default().contains("9999"),
            "{:?}",
            resp.remark
        );
        c.shutdown();
    });
}

#[test]
fn consumer_running_info_relays_our_not_supported_answer() {
    for_both(|ser| async move {
        let fx = Fixture::new(client(ser), 1, "protoit_running").await;
        let (c, m) = (&fx.c, &fx.m);

        // The broker forwards the request to the connection our heartbeat came
        // from and returns the client's answer as it is: our transport has no
        // processor for 307, so it answers REQUEST_CODE_NOT_SUPPORTED. Had we
        // not answered, the broker would say CONSUME_MSG_TIMEOUT (207) after
        // 10 s; had we answered success, the code would be 0.
        let h = GetConsumerRunningInfoRequestHeader {
            consumer_group: m.consumer_group.clone(),
            client_id: m.client_id.clone(),
            jstack_enable: false,
            ..Default::default()
        };
        let started = Instant::now();
        let resp = invoke_broker(
            c,
            RemotingCommand::request(request::GET_CONSUMER_RUNNING_INFO, h.to_ext()),
        )
        .await;
        expect_code(
            &resp,
            response::REQUEST_CODE_NOT_SUPPORTED,
            "GET_CONSUMER_RUNNING_INFO relayed",
        );
        assert_eq!(
            resp.remark.as_deref(),
            Some("request type 307 not supported"),
            "the remark our transport wrote"
        );
        assert!(resp.body.is_none());
        assert!(started.elapsed() < Duration::from_secs(3));

        // A client id the broker does not know: the broker answers by itself.
        let h = GetConsumerRunningInfoRequestHeader {
            consumer_group: m.consumer_group.clone(),
            client_id: "127.0.0.1@nobody".into(),
            jstack_enable: false,
            ..Default::default()
        };
        let resp = invoke_broker(
            c,
            RemotingCommand::request(request::GET_CONSUMER_RUNNING_INFO, h.to_ext()),
        )
        .await;
        expect_code(
            &resp,
            response::SYSTEM_ERROR,
            "running info of an unknown client",
        );
        assert!(
            resp.remark
                .as_deref()
                .unwrap_or_default()
                .contains("not online"),
            "{:?}",
            resp.remark
        );

        fx.teardown().await;
    });
}

/// Records the ext fields of every request after the hooks before it ran.
#[derive(Default)]
struct Recorder(Mutex<Vec<RemotingCommand>>);

impl RpcHook for Recorder {
    fn before_request(&self, _addr: &str, req: &mut RemotingCommand) -> rocketmq::Result<()> {
        self.0.lock().push(req.clone());
        Ok(())
    }
}

#[test]
fn acl_signed_requests_are_accepted_when_authentication_is_off() {
    for_both(|ser| async move {
        let c = client(ser);
        let secret = "protoit-secret-key";
        c.register_hook(Arc::new(
            AclHook::new("protoit-access", secret, None).unwrap(),
        ));
        let rec = Arc::new(Recorder::default());
        c.register_hook(rec.clone());

        let fx = Fixture::new(c, 1, "protoit_acl").await;
        let sent = fx
            .send(sample_message(&fx.topic, &b"signed"[..], 0), 0, 0)
            .await;
        assert_eq!(sent.resp.queue_offset, 0);
        let (got, _, _) = fx.pull_n(0, 0, 1, &decode_opts()).await;
        assert_eq!(got[0].body, sent.msg.body);
        check_stored(&got[0], &sent, &fx.cluster, 0, 0);

        // Every request carried a valid signature over its fields and body.
        let reqs = rec.0.lock().clone();
        assert!(reqs.len() >= 5, "{} requests", reqs.len());
        for req in &reqs {
            assert_eq!(req.ext_fields.get(ACCESS_KEY), Some("protoit-access"));
            let sig = req.ext_fields.get(SIGNATURE).expect("signature");
            assert_eq!(sig, acl_signature(secret, req), "request {}", req.code);
        }
        for code in [
            request::HEART_BEAT,
            request::SEND_MESSAGE_V2,
            request::PULL_MESSAGE,
        ] {
            assert!(
                reqs.iter().any(|r| r.code == code),
                "no signed request {code}"
            );
        }

        fx.teardown().await;
    });
}
