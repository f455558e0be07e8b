//! Two brokers: sends keep succeeding through the first while the second is
//! dead, and with latency fault tolerance on the dead one is avoided for its
//! isolation time. Starts broker-b itself (`scripts/rocketmq-local start-b`)
//! and stops it at the end. A stalled broker (SIGSTOP) keeps its TCP
//! connections and stays in the name server's routes, like a hung machine.

mod common;

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{create_topic, raw_client, require_broker, unique};
use rocketmq::producer::{Producer, ProducerConfig, SendContext, SendHook};
use rocketmq::protocol::message::Message;
use rocketmq::runtime::block_on;

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/rocketmq-local")
}

fn run(args: &[&str]) {
    let st = Command::new(script())
        .args(args)
        .status()
        .expect("run rocketmq-local");
    assert!(st.success(), "rocketmq-local {args:?} failed");
}

fn pid_file() -> PathBuf {
    std::env::var("ROCKETMQ_LOCAL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".rocketmq-local"))
        .join("broker-b.pid")
}

fn broker_b_pid() -> String {
    let f = pid_file();
    std::fs::read_to_string(&f)
        .unwrap_or_else(|_| panic!("no {}", f.display()))
        .trim()
        .to_owned()
}

fn broker_b_addr() -> String {
    std::env::var("ROCKETMQ_BROKER_B_ADDR").unwrap_or_else(|_| "127.0.0.1:10921".into())
}

/// Counts attempts per broker.
#[derive(Default)]
struct Attempts(Mutex<HashMap<String, usize>>);

impl SendHook for Attempts {
    fn name(&self) -> &str {
        "attempts"
    }
    fn before_send(&self, ctx: &SendContext<'_>) {
        *self
            .0
            .lock()
            .unwrap()
            .entry(ctx.queue.broker_name.clone())
            .or_default() += 1;
    }
}

struct BrokerB;

impl Drop for BrokerB {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(pid_file()) {
            let _ = Command::new("kill").args(["-CONT", pid.trim()]).status();
        }
        let _ = Command::new(script()).args(["stop-b", "--kill"]).status();
    }
}

fn producer(fault: bool) -> (Producer, Arc<Attempts>) {
    let mut c = ProducerConfig::new(common::namesrv(), unique("failover"));
    c.send_timeout = Duration::from_secs(6);
    c.attempt_timeout = Some(Duration::from_millis(700));
    c.fault.send_latency_enable = fault;
    let p = Producer::new(c).unwrap();
    let hook = Arc::new(Attempts::default());
    p.add_send_hook(hook.clone());
    p.start().unwrap();
    (p, hook)
}

#[test]
fn sends_survive_a_dead_broker_and_fault_tolerance_avoids_it() {
    require_broker();
    run(&["start-b"]);
    let _guard = BrokerB;
    let topic = unique("failover_topic");
    block_on(async {
        let c = raw_client();
        create_topic(&c, &common::broker(), &topic, 4).await;
        create_topic(&c, &broker_b_addr(), &topic, 4).await;
    })
    .unwrap();

    // Both brokers take sends while alive.
    let (warm, hook) = producer(false);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while block_on(warm.publish_queues(&topic))
        .unwrap()
        .unwrap()
        .len()
        < 8
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(300));
        block_on(warm.instance().unwrap().refresh_all_routes()).unwrap();
    }
    for i in 0..16 {
        warm.send_blocking(Message::new(&topic, format!("warm {i}")))
            .expect("send while both alive");
    }
    assert_eq!(
        hook.0.lock().unwrap().len(),
        2,
        "both brokers used: {:?}",
        hook.0.lock().unwrap()
    );
    warm.shutdown_blocking().unwrap();

    // Stall broker-b: connections stay open, routes still list it.
    let (plain, plain_hook) = producer(false);
    let (tolerant, tolerant_hook) = producer(true);
    for p in [&plain, &tolerant] {
        assert_eq!(
            block_on(p.publish_queues(&topic)).unwrap().unwrap().len(),
            8
        );
    }
    let st = Command::new("kill")
        .args(["-STOP", &broker_b_pid()])
        .status()
        .unwrap();
    assert!(st.success());

    // The tolerant producer first: its isolation of broker-b lasts 10 s.
    for i in 0..12 {
        tolerant
            .send_blocking(Message::new(&topic, format!("tolerant {i}")))
            .expect("sync send keeps succeeding");
    }
    // Without it, each round over the 8 queues tries the stalled broker once
    // before the retry moves on: 24 sends make about 6 tries.
    for i in 0..24 {
        plain
            .send_blocking(Message::new(&topic, format!("plain {i}")))
            .expect("sync send keeps succeeding");
    }
    let plain_b = *plain_hook.0.lock().unwrap().get("broker-b").unwrap_or(&0);
    let tolerant_b = *tolerant_hook
        .0
        .lock()
        .unwrap()
        .get("broker-b")
        .unwrap_or(&0);
    println!(
        "attempts on the stalled broker: {plain_b} without fault tolerance, {tolerant_b} with it"
    );
    assert!(
        plain_b >= 4,
        "without fault tolerance the stalled broker keeps being tried ({plain_b})"
    );
    assert!(
        tolerant_b <= 1,
        "with fault tolerance the stalled broker is avoided after its first failure ({tolerant_b})"
    );
    plain.shutdown_blocking().unwrap();
    tolerant.shutdown_blocking().unwrap();
}
