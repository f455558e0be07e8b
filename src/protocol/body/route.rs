//! Name server bodies: topic routes, cluster info, topic lists, KV tables;
//! publish and subscribe queues of a route.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::fastjson::lenient;
use super::JsonBody;
use crate::protocol::MessageQueue;

/// Permission bit: priority.
pub const PERM_PRIORITY: i32 = 8;
/// Permission bit: readable (consumable).
pub const PERM_READ: i32 = 4;
/// Permission bit: writeable (publishable).
pub const PERM_WRITE: i32 = 2;
/// Permission bit: inherited.
pub const PERM_INHERIT: i32 = 1;

/// Whether `perm` has [`PERM_READ`].
pub fn is_readable(perm: i32) -> bool {
    perm & PERM_READ == PERM_READ
}

/// Whether `perm` has [`PERM_WRITE`].
pub fn is_writeable(perm: i32) -> bool {
    perm & PERM_WRITE == PERM_WRITE
}

/// The broker id of a master.
pub const MASTER_ID: i64 = 0;

/// The most queues taken from one queue-data entry when listing queues, a
/// guard against absurd counts in a route.
pub const MAX_QUEUE_NUMS: i32 = 65536;

/// The queues of a topic on one broker.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct QueueData {
    pub broker_name: String,
    /// Permission bits ([`PERM_READ`], [`PERM_WRITE`], ...).
    #[serde(deserialize_with = "lenient::int")]
    pub perm: i32,
    #[serde(deserialize_with = "lenient::int")]
    pub read_queue_nums: i32,
    #[serde(deserialize_with = "lenient::int")]
    pub topic_sys_flag: i32,
    #[serde(deserialize_with = "lenient::int")]
    pub write_queue_nums: i32,
}

/// One broker (a master and its slaves) of a cluster.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BrokerData {
    /// Broker id to `ip:port`; id 0 is the master.
    pub broker_addrs: BTreeMap<i64, String>,
    pub broker_name: String,
    pub cluster: String,
    /// 5.x.
    pub enable_acting_master: bool,
    /// 5.x.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone_name: Option<String>,
}

impl BrokerData {
    /// The master's address (broker id 0).
    pub fn master_addr(&self) -> Option<&str> {
        self.broker_addrs.get(&MASTER_ID).map(String::as_str)
    }

    /// The master's address, or else a randomly chosen slave's.
    pub fn select_addr(&self) -> Option<&str> {
        if let Some(m) = self.master_addr() {
            return Some(m);
        }
        if self.broker_addrs.is_empty() {
            return None;
        }
        let i = random_index(self.broker_addrs.len());
        self.broker_addrs.values().nth(i).map(String::as_str)
    }
}

fn random_index(len: usize) -> usize {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_usize(len);
    (h.finish() % len as u64) as usize
}

/// A topic's route (GET_ROUTEINFO_BY_TOPIC).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TopicRouteData {
    pub broker_datas: Vec<BrokerData>,
    /// Broker address to filter servers.
    pub filter_server_table: BTreeMap<String, Vec<String>>,
    /// `brokerName:queueNum;...` for ordered topics.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_topic_conf: Option<String>,
    pub queue_datas: Vec<QueueData>,
}

impl JsonBody for TopicRouteData {}

impl TopicRouteData {
    /// The broker data named `broker_name`.
    pub fn broker(&self, broker_name: &str) -> Option<&BrokerData> {
        self.broker_datas
            .iter()
            .find(|b| b.broker_name == broker_name)
    }
}

fn queue_range<'a>(
    topic: &'a str,
    broker: &'a str,
    n: i32,
) -> impl Iterator<Item = MessageQueue> + 'a {
    (0..n.clamp(0, MAX_QUEUE_NUMS)).map(move |i| MessageQueue::new(topic, broker, i))
}

/// The queues a producer may send to. With `orderTopicConf`, exactly the
/// queues it lists (ids `0..n` per broker). Otherwise, for each queue data
/// (sorted by broker name) with [`PERM_WRITE`] whose broker has a master, ids
/// `0..writeQueueNums`.
pub fn publish_queues(topic: &str, route: &TopicRouteData) -> Vec<MessageQueue> {
    let mut out = Vec::new();
    if let Some(conf) = route.order_topic_conf.as_deref().filter(|c| !c.is_empty()) {
        for item in conf.split(';') {
            let mut parts = item.split(':');
            let (Some(broker), Some(n)) = (parts.next(), parts.next()) else {
                continue;
            };
            let Ok(n) = n.trim().parse::<i32>() else {
                continue;
            };
            out.extend(queue_range(topic, broker, n));
        }
        return out;
    }
    let mut qds: Vec<&QueueData> = route.queue_datas.iter().collect();
    qds.sort_by(|a, b| a.broker_name.cmp(&b.broker_name));
    for qd in qds {
        if !is_writeable(qd.perm) {
            continue;
        }
        let has_master = route
            .broker(&qd.broker_name)
            .is_some_and(|b| b.broker_addrs.contains_key(&MASTER_ID));
        if has_master {
            out.extend(queue_range(topic, &qd.broker_name, qd.write_queue_nums));
        }
    }
    out
}

/// The queues a consumer may read: ids `0..readQueueNums` of each queue
/// data with [`PERM_READ`], sorted and without duplicates.
pub fn subscribe_queues(topic: &str, route: &TopicRouteData) -> Vec<MessageQueue> {
    let mut set = BTreeSet::new();
    for qd in &route.queue_datas {
        if is_readable(qd.perm) {
            set.extend(queue_range(topic, &qd.broker_name, qd.read_queue_nums));
        }
    }
    set.into_iter().collect()
}

/// GET_BROKER_CLUSTER_INFO (106).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ClusterInfo {
    /// Broker name to broker data.
    pub broker_addr_table: BTreeMap<String, BrokerData>,
    /// Cluster name to broker names.
    pub cluster_addr_table: BTreeMap<String, BTreeSet<String>>,
}

impl JsonBody for ClusterInfo {}

/// A set of topic names (GET_TOPICS_BY_CLUSTER, GET_ALL_TOPIC_LIST_FROM_NAMESERVER).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TopicList {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broker_addr: Option<String>,
    pub topic_list: BTreeSet<String>,
}

impl JsonBody for TopicList {}

/// A string table (`KVTable`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct KVTable {
    pub table: BTreeMap<String, String>,
}

impl JsonBody for KVTable {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ROUTE_FASTJSON: &str = r#"{"brokerDatas":[{"brokerAddrs":{0:"10.0.0.1:10911",1:"10.0.0.2:10911"},"brokerName":"broker-a","cluster":"DefaultCluster","enableActingMaster":false,"zoneName":"z1"},{"brokerAddrs":{1:"10.0.0.4:10911"},"brokerName":"broker-b","cluster":"DefaultCluster","enableActingMaster":false}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-b","perm":6,"readQueueNums":2,"topicSysFlag":0,"writeQueueNums":2},{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}],"topicQueueMappingByBroker":{}}"#;

    #[test]
    fn route_with_unquoted_keys() {
        let r = TopicRouteData::decode(ROUTE_FASTJSON.as_bytes()).unwrap();
        assert_eq!(r.broker_datas.len(), 2);
        let a = r.broker("broker-a").unwrap();
        assert_eq!(a.master_addr(), Some("10.0.0.1:10911"));
        assert_eq!(a.select_addr(), Some("10.0.0.1:10911"));
        assert_eq!(a.zone_name.as_deref(), Some("z1"));
        let b = r.broker("broker-b").unwrap();
        assert_eq!(b.master_addr(), None);
        assert_eq!(b.select_addr(), Some("10.0.0.4:10911"));
        assert_eq!(b.zone_name, None);
        // broker-b has no master: it only serves reads.
        let p = publish_queues("T", &r);
        assert_eq!(
            p,
            (0..4)
                .map(|i| MessageQueue::new("T", "broker-a", i))
                .collect::<Vec<_>>()
        );
        let s = subscribe_queues("T", &r);
        assert_eq!(s.len(), 6);
        assert_eq!(s[0], MessageQueue::new("T", "broker-a", 0));
        assert_eq!(s[5], MessageQueue::new("T", "broker-b", 1));
    }

    #[test]
    fn route_with_quoted_keys_and_string_longs() {
        let body = r#"{"brokerDatas":[{"brokerAddrs":{"0":"127.0.0.1:10911"},"brokerName":"b","cluster":"c","enableActingMaster":false}],"filterServerTable":{},"orderTopicConf":"","queueDatas":[{"brokerName":"b","perm":"6","readQueueNums":8,"topicSysFlag":0,"writeQueueNums":"8"}],"topicQueueMappingByBroker":{"b":{"bname":"b","epoch":"9007199254740993"}}}"#;
        let r = TopicRouteData::decode(body.as_bytes()).unwrap();
        assert_eq!(r.queue_datas[0].write_queue_nums, 8);
        assert_eq!(r.queue_datas[0].perm, 6);
        assert_eq!(publish_queues("T", &r).len(), 8);
    }

    #[test]
    fn order_topic_conf_and_perms() {
        let mut r = TopicRouteData::decode(ROUTE_FASTJSON.as_bytes()).unwrap();
        r.order_topic_conf = Some("broker-b:2;broker-a:1;bad;x:y".into());
        assert_eq!(
            publish_queues("T", &r),
            vec![
                MessageQueue::new("T", "broker-b", 0),
                MessageQueue::new("T", "broker-b", 1),
                MessageQueue::new("T", "broker-a", 0)
            ]
        );
        r.order_topic_conf = None;
        r.queue_datas[1].perm = PERM_READ;
        assert!(publish_queues("T", &r).is_empty());
        r.queue_datas[1].perm = PERM_WRITE;
        assert_eq!(subscribe_queues("T", &r).len(), 2);
        assert!(is_readable(6) && is_writeable(6) && !is_writeable(4) && !is_readable(2));
        r.queue_datas[1].perm = 6;
        r.queue_datas[1].write_queue_nums = i32::MAX;
        assert_eq!(publish_queues("T", &r).len(), MAX_QUEUE_NUMS as usize);
    }

    #[test]
    fn route_golden_json() {
        let r = TopicRouteData {
            broker_datas: vec![BrokerData {
                broker_addrs: [(0, "10.0.0.1:10911".to_owned())].into_iter().collect(),
                broker_name: "broker-a".into(),
                cluster: "DefaultCluster".into(),
                enable_acting_master: false,
                zone_name: None,
            }],
            filter_server_table: BTreeMap::new(),
            order_topic_conf: None,
            queue_datas: vec![QueueData {
                broker_name: "broker-a".into(),
                perm: 6,
                read_queue_nums: 4,
                topic_sys_flag: 0,
                write_queue_nums: 4,
            }],
        };
        let json = String::from_utf8(r.encode().unwrap()).unwrap();
        assert_eq!(
            json,
            r#"{"brokerDatas":[{"brokerAddrs":{"0":"10.0.0.1:10911"},"brokerName":"broker-a","cluster":"DefaultCluster","enableActingMaster":false}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}"#
        );
    }

    #[test]
    fn cluster_info_fastjson() {
        let body = r#"{"brokerAddrTable":{"broker-a":{"brokerAddrs":{0:"10.0.0.1:10911"},"brokerName":"broker-a","cluster":"DefaultCluster","enableActingMaster":false}},"clusterAddrTable":{"DefaultCluster":["broker-a"]}}"#;
        let c = ClusterInfo::decode(body.as_bytes()).unwrap();
        assert_eq!(
            c.broker_addr_table["broker-a"].master_addr(),
            Some("10.0.0.1:10911")
        );
        assert!(c.cluster_addr_table["DefaultCluster"].contains("broker-a"));
    }

    #[test]
    fn topic_list_and_kv_table() {
        let t = TopicList::decode(br#"{"topicList":["B","A"],"brokerAddr":"x"}"#).unwrap();
        assert_eq!(t.topic_list.iter().collect::<Vec<_>>(), ["A", "B"]);
        assert_eq!(
            String::from_utf8(t.encode().unwrap()).unwrap(),
            r#"{"brokerAddr":"x","topicList":["A","B"]}"#
        );
        let k = KVTable::decode(br#"{"table":{"k":"v"}}"#).unwrap();
        assert_eq!(k.table["k"], "v");
    }

    #[test]
    fn bad_routes_are_errors() {
        assert!(TopicRouteData::decode(b"").is_err());
        assert!(TopicRouteData::decode(br#"{"brokerDatas":[{"brokerAddrs":{x:"a"}}]}"#).is_err());
        assert!(TopicRouteData::decode(br#"{"queueDatas":[{"perm":"six"}]}"#).is_err());
    }

    pub(crate) fn arb_broker_data() -> impl Strategy<Value = BrokerData> {
        (
            proptest::collection::btree_map(0i64..4, "[0-9.:]{1,12}", 0..3),
            "\\PC{0,8}",
            "\\PC{0,8}",
            any::<bool>(),
            proptest::option::of("\\PC{0,4}"),
        )
            .prop_map(
                |(broker_addrs, broker_name, cluster, enable_acting_master, zone_name)| {
                    BrokerData {
                        broker_addrs,
                        broker_name,
                        cluster,
                        enable_acting_master,
                        zone_name,
                    }
                },
            )
    }

    fn arb_route() -> impl Strategy<Value = TopicRouteData> {
        let qd = ("\\PC{0,8}", 0i32..16, 0i32..64, any::<i32>(), 0i32..64).prop_map(
            |(b, p, r, f, w)| QueueData {
                broker_name: b,
                perm: p,
                read_queue_nums: r,
                topic_sys_flag: f,
                write_queue_nums: w,
            },
        );
        (
            proptest::collection::vec(arb_broker_data(), 0..3),
            proptest::collection::btree_map(
                "\\PC{0,6}",
                proptest::collection::vec("\\PC{0,6}", 0..2),
                0..2,
            ),
            proptest::option::of("\\PC{0,12}"),
            proptest::collection::vec(qd, 0..3),
        )
            .prop_map(
                |(broker_datas, filter_server_table, order_topic_conf, queue_datas)| {
                    TopicRouteData {
                        broker_datas,
                        filter_server_table,
                        order_topic_conf,
                        queue_datas,
                    }
                },
            )
    }

    proptest! {
        #[test]
        fn route_roundtrip(r in arb_route()) {
            let bytes = r.encode().unwrap();
            prop_assert_eq!(TopicRouteData::decode(&bytes).unwrap(), r.clone());
            // Queue listing never panics and respects permissions.
            for mq in publish_queues("T", &r) {
                prop_assert_eq!(mq.topic.as_str(), "T");
            }
            let _ = subscribe_queues("T", &r);
        }

        #[test]
        fn cluster_info_roundtrip(
            table in proptest::collection::btree_map("\\PC{0,8}", arb_broker_data(), 0..3),
            clusters in proptest::collection::btree_map("\\PC{0,8}", proptest::collection::btree_set("\\PC{0,8}", 0..3), 0..3),
        ) {
            let c = ClusterInfo { broker_addr_table: table, cluster_addr_table: clusters };
            prop_assert_eq!(ClusterInfo::decode(&c.encode().unwrap()).unwrap(), c);
        }

        #[test]
        fn topic_list_and_kv_roundtrip(
            broker_addr in proptest::option::of("\\PC{0,8}"),
            topic_list in proptest::collection::btree_set("\\PC{0,8}", 0..4),
            table in proptest::collection::btree_map("\\PC{0,8}", "\\PC{0,8}", 0..4),
        ) {
            let t = TopicList { broker_addr, topic_list };
            prop_assert_eq!(TopicList::decode(&t.encode().unwrap()).unwrap(), t);
            let k = KVTable { table };
            prop_assert_eq!(KVTable::decode(&k.encode().unwrap()).unwrap(), k);
        }

        #[test]
        fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = TopicRouteData::decode(&bytes);
            let _ = ClusterInfo::decode(&bytes);
        }
    }
}
