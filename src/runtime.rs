//! The process's one tokio runtime (I/O and timers only) and the library-owned
//! threads that run user callbacks, so user code never runs on a runtime worker.

use std::future::Future;
use std::sync::mpsc;
use std::thread;

use once_cell::sync::{Lazy, OnceCell};
use parking_lot::Mutex;
use tokio::runtime::{Handle, Runtime};

use crate::{Error, ErrorKind, Result};

static RUNTIME: OnceCell<Runtime> = OnceCell::new();

/// A function every library thread runs first (runtime workers, blocking
/// threads, callback threads). Set through [`set_thread_start_hook`].
static THREAD_START_HOOK: OnceCell<fn()> = OnceCell::new();

/// Installs `hook`, run at the start of every library thread created from now
/// on (the C API uses it to block SIGPIPE there). Only the first call counts;
/// returns whether this call installed it.
pub fn set_thread_start_hook(hook: fn()) -> bool {
    THREAD_START_HOOK.set(hook).is_ok()
}

fn run_thread_start_hook() {
    if let Some(hook) = THREAD_START_HOOK.get() {
        hook();
    }
}

/// The shared multi-thread runtime, created on first use.
/// The process that started the runtime.
static RUNTIME_PID: OnceCell<u32> = OnceCell::new();

/// True in a child forked after the runtime started: its threads stayed in
/// the parent, so nothing that needs them can work here (it would hang).
pub fn forked() -> bool {
    RUNTIME_PID
        .get()
        .is_some_and(|pid| *pid != std::process::id())
}

pub fn handle() -> Handle {
    RUNTIME
        .get_or_init(|| {
            let _ = RUNTIME_PID.set(std::process::id());
            let workers = std::env::var("ROCKETMQ_IO_THREADS")
                .ok()
                .and_then(|v| v.parse().ok())
                .filter(|n: &usize| *n > 0)
                .unwrap_or(2);
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(workers)
                .thread_name("rocketmq-io")
                .on_thread_start(run_thread_start_hook)
                .enable_all()
                .build()
                .expect("the tokio runtime could not be created")
        })
        .handle()
        .clone()
}

/// True when the current thread is inside a tokio runtime (a worker, or a
/// thread inside `block_on`), where blocking would stall I/O.
pub fn in_runtime() -> bool {
    Handle::try_current().is_ok()
}

/// Runs `fut` to completion on the shared runtime from a plain thread. Refused
/// with an error on a runtime thread, since blocking one would stall the I/O of
/// every client in the process.
pub fn block_on<F: Future>(fut: F) -> Result<F::Output> {
    if in_runtime() {
        return Err(Error::invalid(
            "a blocking call was made from an asynchronous context; use the async API there",
        ));
    }
    Ok(handle().block_on(fut))
}

/// Runs `f` on a new library thread (not a runtime thread, so it may block
/// and make blocking calls) and waits for its result without blocking the
/// caller's runtime thread. A panic in `f` becomes an error.
pub async fn run_on_own_thread<T: Send + 'static>(
    name: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            run_thread_start_hook();
            let _ = tx.send(std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)));
        })
        .map_err(|e| Error::new(ErrorKind::Internal, format!("cannot start a thread: {e}")))?;
    match rx.await {
        Ok(Ok(v)) => Ok(v),
        _ => Err(Error::new(ErrorKind::Internal, format!("{name} panicked"))),
    }
}

type Job = Box<dyn FnOnce() + Send + 'static>;

/// A library-owned thread that runs callbacks one after another, in order.
/// A panicking callback is caught and does not stop the thread.
pub struct CallbackThread {
    tx: Mutex<Option<mpsc::Sender<Job>>>,
    join: Mutex<Option<thread::JoinHandle<()>>>,
}

impl CallbackThread {
    pub fn spawn(name: &str) -> Self {
        let (tx, rx) = mpsc::channel::<Job>();
        let join = thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                run_thread_start_hook();
                while let Ok(job) = rx.recv() {
                    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)).is_err() {
                        crate::log::error("callback", format_args!("a callback panicked"));
                    }
                }
            })
            .expect("a callback thread could not be spawned");
        CallbackThread {
            tx: Mutex::new(Some(tx)),
            join: Mutex::new(Some(join)),
        }
    }

    /// Queues `job`; runs it on the calling thread when the callback thread is gone,
    /// so a callback is never lost.
    pub fn execute(&self, job: impl FnOnce() + Send + 'static) {
        let job: Job = Box::new(job);
        let rejected = match &*self.tx.lock() {
            Some(tx) => tx.send(job).err().map(|e| e.0),
            None => Some(job),
        };
        if let Some(job) = rejected {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
        }
    }

    /// Whether the calling thread is this callback thread.
    pub fn is_current(&self) -> bool {
        self.join
            .lock()
            .as_ref()
            .is_some_and(|j| j.thread().id() == thread::current().id())
    }

    /// Lets queued callbacks finish, then joins the thread (unless called from it).
    pub fn shutdown(&self) {
        self.tx.lock().take();
        let join = self.join.lock().take();
        if let Some(j) = join {
            if j.thread().id() != thread::current().id() {
                let _ = j.join();
            }
        }
    }
}

impl Drop for CallbackThread {
    fn drop(&mut self) {
        self.shutdown();
    }
}

static COMPLETION: Lazy<CallbackThread> = Lazy::new(|| CallbackThread::spawn("rocketmq-callback"));

/// The process-wide thread for send-completion callbacks.
pub fn completion_thread() -> &'static CallbackThread {
    &COMPLETION
}

/// Whether the calling thread is the completion thread (without creating it).
pub fn completion_thread_is_current() -> bool {
    Lazy::get(&COMPLETION).is_some_and(|t| t.is_current())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_on_refuses_runtime_threads() {
        let out = block_on(async { 7 }).unwrap();
        assert_eq!(out, 7);
        let nested = handle().block_on(async { block_on(async { 1 }) });
        assert!(nested.is_err());
    }

    #[test]
    fn callbacks_run_in_order_and_survive_panics() {
        let t = CallbackThread::spawn("test-callbacks");
        let (tx, rx) = mpsc::channel();
        for i in 0..5 {
            let tx = tx.clone();
            t.execute(move || {
                if i == 2 {
                    panic!("user callback panicked");
                }
                tx.send(i).unwrap();
            });
        }
        t.shutdown();
        assert_eq!(rx.try_iter().collect::<Vec<_>>(), vec![0, 1, 3, 4]);
        // After shutdown a callback still runs, on the caller's thread.
        let (tx2, rx2) = mpsc::channel();
        t.execute(move || tx2.send(9).unwrap());
        assert_eq!(rx2.recv().unwrap(), 9);
    }
}
