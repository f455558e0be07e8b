//! Consume throughput from a backlog: fills a new topic with N messages of
//! S bytes, then drains it with a push consumer (default settings) and
//! reports messages per second, CPU seconds per 100k messages and peak RSS
//! of the consume phase.
//!
//! `cargo run --release --example consume_bench -- [count] [size] [namesrv]`
//! (defaults: 200000, 1024, 127.0.0.1:9876). Linux only (reads `/proc`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rocketmq::consumer::{
    ConsumeConcurrentlyContext, ConsumeConcurrentlyStatus, MessageListener, PushConsumer,
    PushConsumerConfig,
};
use rocketmq::producer::{Producer, ProducerConfig};
use rocketmq::protocol::body::heartbeat::ConsumeFromWhere;
use rocketmq::protocol::codes::{request, response};
use rocketmq::protocol::headers::{CommandHeader, CreateTopicRequestHeader};
use rocketmq::protocol::message::{Message, MessageExt};
use rocketmq::protocol::RemotingCommand;
use rocketmq::remoting::{RemotingClient, RemotingConfig};

fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let Some(i) = stat.rfind(')') else {
        return Duration::ZERO;
    };
    let f: Vec<&str> = stat[i + 2..].split_whitespace().collect();
    let ticks: u64 = f.get(11).and_then(|v| v.parse().ok()).unwrap_or(0)
        + f.get(12).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let count: usize = args.get(1).and_then(|v| v.parse().ok()).unwrap_or(200_000);
    let size: usize = args.get(2).and_then(|v| v.parse().ok()).unwrap_or(1024);
    let namesrv = args
        .get(3)
        .cloned()
        .unwrap_or_else(|| "127.0.0.1:9876".to_owned());
    let broker = std::env::var("ROCKETMQ_BROKER").unwrap_or_else(|_| "127.0.0.1:10911".into());
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    let topic = format!("ConsumeBench_{stamp}");
    let group = format!("ConsumeBenchG_{stamp}");

    // A topic of 8 queues.
    let admin = RemotingClient::new(RemotingConfig::default()).unwrap();
    rocketmq::runtime::block_on(async {
        let h = CreateTopicRequestHeader {
            topic: topic.clone(),
            read_queue_nums: 8,
            write_queue_nums: 8,
            ..Default::default()
        };
        let req = RemotingCommand::request(request::UPDATE_AND_CREATE_TOPIC, h.to_ext());
        let resp = admin
            .invoke(&broker, req, Duration::from_secs(5))
            .await
            .expect("create the topic");
        assert_eq!(resp.code, response::SUCCESS);
    })
    .unwrap();
    admin.shutdown();
    std::thread::sleep(Duration::from_secs(1));

    // The backlog, in batches from four threads.
    let p = Producer::new(ProducerConfig::new(namesrv.clone(), format!("{group}_P"))).unwrap();
    p.start().unwrap();
    let body = vec![b'x'; size];
    let t = Instant::now();
    let batch = (64 * 1024 / size.max(1)).clamp(1, 256);
    let threads: Vec<_> = (0..4)
        .map(|k| {
            let p = p.clone();
            let topic = topic.clone();
            let body = body.clone();
            std::thread::spawn(move || {
                let mine = count / 4 + usize::from(k < count % 4);
                let mut sent = 0;
                while sent < mine {
                    let n = batch.min(mine - sent);
                    let msgs = (0..n).map(|_| Message::new(&topic, body.clone())).collect();
                    rocketmq::runtime::block_on(p.send_batch(msgs))
                        .unwrap()
                        .expect("send a batch");
                    sent += n;
                }
            })
        })
        .collect();
    for h in threads {
        h.join().unwrap();
    }
    let produce = t.elapsed();
    p.shutdown_blocking().unwrap();
    println!(
        "produced {count} x {size} B in {produce:.2?} ({:.0} msgs/s)",
        count as f64 / produce.as_secs_f64()
    );

    // Drain it.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let rss_before = peak_rss_kib();
    let consumed = Arc::new(AtomicUsize::new(0));
    let mut cfg = PushConsumerConfig::new(namesrv, group);
    cfg.consume_from_where = ConsumeFromWhere::FirstOffset;
    let c = PushConsumer::new(cfg).unwrap();
    let n = consumed.clone();
    c.subscribe(
        &topic,
        "*",
        MessageListener::concurrently(
            move |msgs: &[MessageExt], _: &mut ConsumeConcurrentlyContext| {
                n.fetch_add(msgs.len(), Ordering::Relaxed);
                ConsumeConcurrentlyStatus::ConsumeSuccess
            },
        ),
    )
    .unwrap();
    let cpu0 = cpu_time();
    let t = Instant::now();
    c.start().unwrap();
    let mut first = None;
    while consumed.load(Ordering::Relaxed) < count {
        if first.is_none() && consumed.load(Ordering::Relaxed) > 0 {
            first = Some(t.elapsed());
        }
        assert!(t.elapsed() < Duration::from_secs(600), "too slow");
        std::thread::sleep(Duration::from_millis(5));
    }
    let took = t.elapsed();
    let cpu = cpu_time() - cpu0;
    let first = first.unwrap_or_default();
    let steady = took.saturating_sub(first);
    println!(
        "consumed {count} in {took:.2?} (first message after {first:.2?}): {:.0} msgs/s overall, {:.0} msgs/s after the first",
        count as f64 / took.as_secs_f64(),
        count as f64 / steady.as_secs_f64().max(0.001)
    );
    println!(
        "client CPU {cpu:.2?} = {:.2} s per 100k messages; peak RSS {} MiB (at start of the consume phase {} MiB)",
        cpu.as_secs_f64() * 100_000.0 / count as f64,
        peak_rss_kib() / 1024,
        rss_before / 1024
    );
    let report = c.shutdown_blocking().unwrap();
    println!("shutdown: {report:?}");
}
