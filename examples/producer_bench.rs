//! Producer benchmark: sends N messages of a given size with K concurrent
//! senders in sync, async or oneway mode against a running RocketMQ, and
//! prints msgs/s, client CPU seconds per 100k messages and peak RSS.
//!
//! cargo run --release --example producer_bench -- --mode sync --count 100000 --size 1024 --concurrency 16

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rocketmq::producer::{Producer, ProducerConfig};
use rocketmq::protocol::message::Message;
use rocketmq::protocol::SerializeType;
use rocketmq::runtime::block_on;

struct Args {
    mode: String,
    count: usize,
    size: usize,
    concurrency: usize,
    topic: Option<String>,
    namesrv: String,
    binary: bool,
}

fn parse() -> Args {
    let mut a = Args {
        mode: "sync".into(),
        count: 100_000,
        size: 1024,
        concurrency: 16,
        topic: None,
        namesrv: std::env::var("ROCKETMQ_NAMESRV").unwrap_or_else(|_| "127.0.0.1:9876".into()),
        binary: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut v = || it.next().unwrap_or_else(|| panic!("{k} needs a value"));
        match k.as_str() {
            "--mode" => a.mode = v(),
            "--count" => a.count = v().parse().expect("count"),
            "--size" => a.size = v().parse().expect("size"),
            "--concurrency" => a.concurrency = v().parse().expect("concurrency"),
            "--topic" => a.topic = Some(v()),
            "--namesrv" => a.namesrv = v(),
            "--binary" => a.binary = true,
            other => panic!("unknown argument {other}"),
        }
    }
    a
}

/// User plus system CPU seconds of this process, from /proc.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = f.get(11).and_then(|s| s.parse().ok()).unwrap_or(0.0)
        + f.get(12).and_then(|s| s.parse().ok()).unwrap_or(0.0);
    let hz = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .trim()
                .parse::<f64>()
                .ok()
        })
        .unwrap_or(100.0);
    ticks / hz
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

fn main() {
    let a = parse();
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    let topic = a
        .topic
        .clone()
        .unwrap_or_else(|| format!("BenchTopic_{stamp}"));
    let mut c = ProducerConfig::new(&a.namesrv, format!("bench_producer_{stamp}"));
    if a.binary {
        c.client.serialize_type = SerializeType::RocketMq;
    }
    c.compress_over = usize::MAX; // measure the client, not zlib
    let p = Producer::new(c).expect("producer");
    p.start().expect("start");
    let body = bytes::Bytes::from(vec![b'r'; a.size]);
    // Warm up: route, connection, topic auto-creation.
    for _ in 0..100 {
        p.send_blocking(Message::new(&topic, body.clone()))
            .expect("warm-up send");
    }
    let failed = Arc::new(AtomicUsize::new(0));
    let cpu0 = cpu_seconds();
    let t0 = Instant::now();
    match a.mode.as_str() {
        "sync" | "oneway" => {
            let per = a.count / a.concurrency;
            let threads: Vec<_> = (0..a.concurrency)
                .map(|_| {
                    let p = p.clone();
                    let topic = topic.clone();
                    let body = body.clone();
                    let failed = failed.clone();
                    let oneway = a.mode == "oneway";
                    std::thread::spawn(move || {
                        for _ in 0..per {
                            let m = Message::new(&topic, body.clone());
                            let ok = if oneway {
                                block_on(p.send_oneway(m))
                                    .map(|r| r.is_ok())
                                    .unwrap_or(false)
                            } else {
                                p.send_blocking(m).is_ok()
                            };
                            if !ok {
                                failed.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    })
                })
                .collect();
            for t in threads {
                t.join().unwrap();
            }
        }
        "async" => {
            let done = Arc::new(AtomicUsize::new(0));
            for _ in 0..a.count {
                let done = done.clone();
                let failed = failed.clone();
                p.send_async(Message::new(&topic, body.clone()), move |r| {
                    if r.is_err() {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                    done.fetch_add(1, Ordering::Relaxed);
                })
                .expect("async send");
            }
            while done.load(Ordering::Relaxed) < a.count {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        other => panic!("unknown mode {other}"),
    }
    let secs = t0.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    let sent = if a.mode == "async" {
        a.count
    } else {
        (a.count / a.concurrency) * a.concurrency
    };
    println!(
        "mode={} size={} concurrency={} header={} sent={} failed={} msgs/s={:.0} cpu_s_per_100k={:.2} peak_rss_mib={:.1}",
        a.mode,
        a.size,
        a.concurrency,
        if a.binary { "binary" } else { "json" },
        sent,
        failed.load(Ordering::Relaxed),
        sent as f64 / secs,
        cpu / sent as f64 * 100_000.0,
        peak_rss_mib()
    );
    p.shutdown_blocking().unwrap();
}
