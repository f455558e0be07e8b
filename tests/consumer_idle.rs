//! An idle push consumer uses (near) zero CPU: long polling, no busy loops.
//! Alone in its test binary so the process CPU time is the consumer's.

mod common;

use std::time::{Duration, Instant};

use common::{namesrv, require_broker, unique};
use rocketmq::consumer::{
    ConsumeConcurrentlyContext, ConsumeConcurrentlyStatus, MessageListener, PushConsumer,
    PushConsumerConfig,
};
use rocketmq::producer::{Producer, ProducerConfig};
use rocketmq::protocol::message::{Message, MessageExt};

/// User plus system CPU time of this process, from `/proc/self/stat`
/// (clock ticks of 10 ms).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    // Fields after the command name, which is in parentheses.
    let rest = &stat[stat.rfind(')').expect("comm") + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap();
    Duration::from_millis(ticks * 10)
}

#[test]
fn idle_push_consumer_uses_almost_no_cpu() {
    require_broker();
    let topic = unique("IdleTopic");
    // One message creates the topic (4 queues).
    let p = Producer::new(ProducerConfig::new(namesrv(), unique("IdlePG"))).unwrap();
    p.start().unwrap();
    p.send_blocking(Message::new(&topic, b"x".to_vec()))
        .unwrap();
    p.shutdown_blocking().unwrap();
    let mut cfg = PushConsumerConfig::new(namesrv(), unique("IdleCG"));
    cfg.consume_from_where = rocketmq::protocol::body::heartbeat::ConsumeFromWhere::FirstOffset;
    let c = PushConsumer::new(cfg).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let tx = std::sync::Mutex::new(tx);
    c.subscribe(
        &topic,
        "*",
        MessageListener::concurrently(
            move |_: &[MessageExt], _: &mut ConsumeConcurrentlyContext| {
                let _ = tx.lock().unwrap().send(());
                ConsumeConcurrentlyStatus::ConsumeSuccess
            },
        ),
    )
    .unwrap();
    c.start().unwrap();
    rx.recv_timeout(Duration::from_secs(15))
        .expect("the message");
    // Let start-up settle, then measure.
    std::thread::sleep(Duration::from_secs(2));
    let (cpu0, t0) = (cpu_time(), Instant::now());
    std::thread::sleep(Duration::from_secs(8));
    let (cpu, wall) = (cpu_time() - cpu0, t0.elapsed());
    let share = cpu.as_secs_f64() / wall.as_secs_f64();
    eprintln!(
        "idle consumer: {cpu:?} CPU in {wall:?} ({:.3}% of one core)",
        share * 100.0
    );
    assert!(
        share < 0.01,
        "an idle consumer used {:.2}% CPU",
        share * 100.0
    );
    c.shutdown_blocking().unwrap();
}
