//! The consume pool: library-owned threads that run message listeners, so
//! user code never runs on a runtime worker.

use std::cell::Cell;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use crate::{Error, ErrorKind, Result};

type Job = Box<dyn FnOnce() + Send + 'static>;

static NEXT_POOL_ID: AtomicUsize = AtomicUsize::new(1);

thread_local! {
    static CURRENT_POOL: Cell<usize> = const { Cell::new(0) };
}

#[derive(Default)]
struct State {
    jobs: VecDeque<Job>,
    running: usize,
    closed: bool,
}

struct Shared {
    state: Mutex<State>,
    work: Condvar,
    idle: Condvar,
}

/// A fixed set of threads taking jobs from one queue.
pub struct ConsumePool {
    id: usize,
    shared: Arc<Shared>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl std::fmt::Debug for ConsumePool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let st = self.shared.state.lock();
        f.debug_struct("ConsumePool")
            .field("queued", &st.jobs.len())
            .field("running", &st.running)
            .field("closed", &st.closed)
            .finish()
    }
}

impl ConsumePool {
    /// Starts `threads` threads named `{name}_{i}`.
    pub fn new(name: &str, threads: usize) -> Result<ConsumePool> {
        let id = NEXT_POOL_ID.fetch_add(1, Ordering::Relaxed);
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            work: Condvar::new(),
            idle: Condvar::new(),
        });
        let mut handles = Vec::with_capacity(threads);
        for i in 0..threads.max(1) {
            let for_thread = shared.clone();
            let h = std::thread::Builder::new()
                .name(format!("{name}_{}", i + 1))
                .spawn(move || worker(id, for_thread))
                .map_err(|e| {
                    Error::new(
                        ErrorKind::Internal,
                        format!("could not start a consume thread: {e}"),
                    )
                });
            match h {
                Ok(h) => handles.push(h),
                Err(e) => {
                    close(&shared);
                    for h in handles {
                        let _ = h.join();
                    }
                    return Err(e);
                }
            }
        }
        Ok(ConsumePool {
            id,
            shared,
            threads: Mutex::new(handles),
        })
    }

    /// Queues `job`; false (job dropped) once the pool is closed.
    pub fn submit(&self, job: impl FnOnce() + Send + 'static) -> bool {
        let mut st = self.shared.state.lock();
        if st.closed {
            return false;
        }
        st.jobs.push_back(Box::new(job));
        drop(st);
        self.shared.work.notify_one();
        true
    }

    /// Whether the calling thread is one of this pool's threads.
    pub fn is_current(&self) -> bool {
        CURRENT_POOL.with(|c| c.get()) == self.id
    }

    /// Jobs waiting and jobs running.
    pub fn load(&self) -> (usize, usize) {
        let st = self.shared.state.lock();
        (st.jobs.len(), st.running)
    }

    /// Waits until no job is queued or running, up to `timeout`; true when idle.
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut st = self.shared.state.lock();
        while !(st.jobs.is_empty() && st.running == 0) {
            if self.shared.idle.wait_until(&mut st, deadline).timed_out() {
                return st.jobs.is_empty() && st.running == 0;
            }
        }
        true
    }

    /// Refuses new jobs; queued jobs still run. Idempotent.
    pub fn close(&self) {
        close(&self.shared);
    }

    /// Closes the pool and joins its threads, waiting at most `timeout`;
    /// threads still busy then are left to finish on their own. Returns
    /// whether every thread was joined. Never joins the calling thread.
    pub fn join(&self, timeout: Duration) -> bool {
        self.close();
        let deadline = Instant::now() + timeout;
        let handles: Vec<JoinHandle<()>> = std::mem::take(&mut *self.threads.lock());
        let me = std::thread::current().id();
        let mut all = true;
        let mut pending = Vec::new();
        for h in handles {
            if h.thread().id() == me {
                all = false;
                continue;
            }
            pending.push(h);
        }
        while !pending.is_empty() {
            let (done, busy): (Vec<_>, Vec<_>) = pending.into_iter().partition(|h| h.is_finished());
            for h in done {
                let _ = h.join();
            }
            pending = busy;
            if pending.is_empty() {
                break;
            }
            if Instant::now() >= deadline {
                all = false;
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        all
    }
}

impl Drop for ConsumePool {
    fn drop(&mut self) {
        self.close();
    }
}

fn close(shared: &Shared) {
    let mut st = shared.state.lock();
    st.closed = true;
    drop(st);
    shared.work.notify_all();
    shared.idle.notify_all();
}

fn worker(id: usize, shared: Arc<Shared>) {
    CURRENT_POOL.with(|c| c.set(id));
    loop {
        let job = {
            let mut st = shared.state.lock();
            loop {
                if let Some(j) = st.jobs.pop_front() {
                    st.running += 1;
                    break Some(j);
                }
                if st.closed {
                    break None;
                }
                shared.work.wait(&mut st);
            }
        };
        let Some(job) = job else { return };
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
        let mut st = shared.state.lock();
        st.running -= 1;
        let idle = st.running == 0 && st.jobs.is_empty();
        drop(st);
        if idle {
            shared.idle.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU32;

    #[test]
    fn runs_jobs_and_drains() {
        let pool = ConsumePool::new("test-pool", 3).unwrap();
        let n = Arc::new(AtomicU32::new(0));
        for i in 0..50 {
            let n = n.clone();
            assert!(pool.submit(move || {
                if i == 7 {
                    panic!("a listener panicked");
                }
                n.fetch_add(1, Ordering::SeqCst);
            }));
        }
        assert!(pool.wait_idle(Duration::from_secs(5)));
        assert_eq!(n.load(Ordering::SeqCst), 49);
        assert!(!pool.is_current());
        assert!(pool.join(Duration::from_secs(5)));
        assert!(!pool.submit(|| {}));
    }

    #[test]
    fn join_gives_up_on_busy_threads() {
        let pool = ConsumePool::new("test-busy", 1).unwrap();
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let (started_tx, started_rx) = std::sync::mpsc::channel::<bool>();
        let p = Arc::new(pool);
        let p2 = p.clone();
        p.submit(move || {
            started_tx.send(p2.is_current()).unwrap();
            let _ = rx.recv_timeout(Duration::from_secs(10));
        });
        assert!(started_rx.recv().unwrap(), "the job runs on a pool thread");
        let t = Instant::now();
        assert!(!p.wait_idle(Duration::from_millis(50)));
        assert!(!p.join(Duration::from_millis(100)));
        assert!(t.elapsed() < Duration::from_secs(2));
        tx.send(()).unwrap();
    }
}
