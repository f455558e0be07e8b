//! Topic administration against the real local broker.

mod common;

use std::time::{Duration, Instant};

use common::{namesrv, require_broker, unique};
use rocketmq::admin::{Admin, TopicSpec};
use rocketmq::client::ClientConfig;
use rocketmq::producer::{Producer, ProducerConfig};
use rocketmq::protocol::message::Message;
use rocketmq::ErrorKind;

fn admin() -> Admin {
    Admin::new(ClientConfig::new(namesrv())).unwrap()
}

/// Waits until the name server's route of `topic` satisfies `pred`.
fn wait_route(a: &Admin, topic: &str, pred: impl Fn(Option<usize>) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let queues = rocketmq::runtime::block_on(a.fetch_publish_queues(topic))
            .unwrap()
            .map(|q| q.len());
        let queues = match queues {
            Ok(n) => Some(n),
            Err(e) if e.kind() == ErrorKind::NoRoute => None,
            Err(e) => panic!("route of {topic}: {e}"),
        };
        if pred(queues) {
            return;
        }
        assert!(Instant::now() < deadline, "route of {topic}: {queues:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn create_send_and_delete_a_topic() {
    require_broker();
    let a = admin();
    let topic = unique("AdminTopic");
    let mut spec = TopicSpec::new(&topic);
    spec.read_queue_nums = 3;
    spec.write_queue_nums = 3;
    rocketmq::runtime::block_on(a.create_topic(&common::broker(), &spec))
        .unwrap()
        .unwrap();
    wait_route(&a, &topic, |n| n == Some(3));
    let route = rocketmq::runtime::block_on(a.topic_route(&topic))
        .unwrap()
        .unwrap();
    assert_eq!(route.queue_datas[0].write_queue_nums, 3);

    // Producers can use it at once.
    let p = Producer::new(ProducerConfig::new(namesrv(), unique("AdminPG"))).unwrap();
    p.start().unwrap();
    let r = p
        .send_blocking(Message::new(&topic, b"x".to_vec()))
        .unwrap();
    assert!(r.queue.queue_id < 3);
    p.shutdown_blocking().unwrap();

    rocketmq::runtime::block_on(a.delete_topic(&topic, None))
        .unwrap()
        .unwrap();
    wait_route(&a, &topic, |n| n.is_none());
    // Deleting a topic nobody knows is not an error.
    rocketmq::runtime::block_on(a.delete_topic(&topic, None))
        .unwrap()
        .unwrap();
    a.shutdown();
}

#[test]
fn create_in_a_cluster_and_read_the_cluster() {
    require_broker();
    let a = admin();
    let info = rocketmq::runtime::block_on(a.cluster_info())
        .unwrap()
        .unwrap();
    // The cluster of the test broker (the name server may know others,
    // such as the ACL test's broker in a cluster of its own).
    let (cluster, names) = info
        .cluster_addr_table
        .iter()
        .find(|(_, names)| {
            names.iter().any(|n| {
                info.broker_addr_table
                    .get(n)
                    .is_some_and(|b| b.broker_addrs.values().any(|a| *a == common::broker()))
            })
        })
        .expect("the cluster of the test broker");
    assert!(!names.is_empty());
    let masters = rocketmq::runtime::block_on(a.cluster_masters(cluster))
        .unwrap()
        .unwrap();
    assert!(masters.contains(&common::broker()), "{masters:?}");
    let topic = unique("AdminClusterTopic");
    let created =
        rocketmq::runtime::block_on(a.create_topic_in_cluster(cluster, &TopicSpec::new(&topic)))
            .unwrap()
            .unwrap();
    assert_eq!(created, masters);
    wait_route(&a, &topic, |n| n == Some(8 * masters.len()));
    let clusters = rocketmq::runtime::block_on(a.topic_clusters(&topic))
        .unwrap()
        .unwrap();
    assert_eq!(clusters, vec![cluster.clone()]);
    let topics = rocketmq::runtime::block_on(a.topic_list())
        .unwrap()
        .unwrap();
    assert!(topics.contains(&topic), "{} topics", topics.len());
    rocketmq::runtime::block_on(a.delete_topic(&topic, Some(cluster)))
        .unwrap()
        .unwrap();
    wait_route(&a, &topic, |n| n.is_none());
}

#[test]
fn bad_requests_are_clear_errors() {
    require_broker();
    let a = admin();
    let bad = rocketmq::runtime::block_on(
        a.create_topic(&common::broker(), &TopicSpec::new("no spaces")),
    )
    .unwrap()
    .unwrap_err();
    assert_eq!(bad.kind(), ErrorKind::InvalidArgument, "{bad}");
    let mut spec = TopicSpec::new(unique("AdminBad"));
    spec.write_queue_nums = 0;
    assert!(
        rocketmq::runtime::block_on(a.create_topic(&common::broker(), &spec))
            .unwrap()
            .is_err()
    );
    let none = rocketmq::runtime::block_on(a.cluster_masters("NoSuchCluster"))
        .unwrap()
        .unwrap_err();
    assert!(none.to_string().contains("NoSuchCluster"), "{none}");
    // Nobody listens there.
    let down = rocketmq::runtime::block_on(
        a.create_topic("127.0.0.1:1", &TopicSpec::new(unique("AdminDown"))),
    )
    .unwrap()
    .unwrap_err();
    assert!(
        down.is_retriable() || down.kind() == ErrorKind::Network,
        "{down}"
    );
    assert!(Admin::new(ClientConfig::new("")).is_err());
}
