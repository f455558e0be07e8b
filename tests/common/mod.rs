//! Shared helpers for the integration tests against the local RocketMQ
//! (`scripts/rocketmq-local start`). A test that needs the broker and does not
//! find it fails with a message saying how to start it; it never skips.
#![allow(dead_code)]

use std::net::TcpStream;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The name server of the local RocketMQ (`ROCKETMQ_NAMESRV`, default 127.0.0.1:9876).
pub fn namesrv() -> String {
    std::env::var("ROCKETMQ_NAMESRV").unwrap_or_else(|_| "127.0.0.1:9876".to_owned())
}

/// The first broker's address (`ROCKETMQ_BROKER`, default 127.0.0.1:10911).
pub fn broker() -> String {
    std::env::var("ROCKETMQ_BROKER").unwrap_or_else(|_| "127.0.0.1:10911".to_owned())
}

/// Panics with instructions unless the name server and broker accept connections.
pub fn require_broker() {
    for (what, addr) in [("name server", namesrv()), ("broker", broker())] {
        let sock = addr
            .parse()
            .unwrap_or_else(|_| panic!("bad {what} address {addr}"));
        if TcpStream::connect_timeout(&sock, Duration::from_secs(2)).is_err() {
            panic!(
                "no RocketMQ {what} at {addr}: start the local RocketMQ with `scripts/rocketmq-local start` \
                 (or set ROCKETMQ_NAMESRV / ROCKETMQ_BROKER)"
            );
        }
    }
}

/// A name no other test (or earlier run) uses: `prefix_<pid>_<millis>_<n>`.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis()
        % 100_000_000;
    format!(
        "{prefix}_{}_{ms}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}
