//! The one tokio runtime of the process, created on first use.

use once_cell::sync::OnceCell;
use tokio::runtime::{Handle, Runtime};

static RUNTIME: OnceCell<Runtime> = OnceCell::new();

/// The shared multi-thread runtime (I/O and timers only; user code never runs on it).
pub fn handle() -> Handle {
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("rocketmq-io")
                .enable_all()
                .build()
                .expect("the tokio runtime could not be created")
        })
        .handle()
        .clone()
}
