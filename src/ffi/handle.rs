//! State shared by every long-lived C handle (producers now, consumers later):
//! poisoning after a panic, "is this thread inside one of my callbacks?", and
//! the count of callbacks accepted but not yet finished.

use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use parking_lot::{Condvar, Mutex};

use super::error::{rmq_err_t, rmq_error_t, FfiResult};

thread_local! {
    /// The handles whose callbacks this thread is running, innermost last.
    static IN_CALLBACK: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

pub(crate) struct HandleState {
    poisoned: AtomicBool,
    pending: Mutex<usize>,
    idle: Condvar,
    /// The process that made the handle.
    pid: u32,
}

/// The error of a call that needs the library's threads in a forked child.
pub(crate) fn forked_error() -> Box<rmq_error_t> {
    rmq_error_t::new(
        rmq_err_t::RMQ_ERR_INVALID_STATE,
        "this process was forked after the library started: its clients and threads \
         belong to the parent; in the child, only exec() or _exit() (or a new process) will do",
    )
}

/// Refuses work that needs the library's threads in a forked child.
pub(crate) fn check_not_forked() -> FfiResult<()> {
    if crate::runtime::forked() {
        Err(forked_error())
    } else {
        Ok(())
    }
}

impl HandleState {
    pub(crate) fn new() -> Arc<HandleState> {
        Arc::new(HandleState {
            poisoned: AtomicBool::new(false),
            pending: Mutex::new(0),
            idle: Condvar::new(),
            pid: std::process::id(),
        })
    }

    fn id(&self) -> usize {
        self as *const HandleState as usize
    }

    /// Runs one call on the handle: refused once poisoned; a panic inside
    /// poisons the handle and becomes `RMQ_ERR_PANIC`.
    pub(crate) fn run<T>(&self, f: impl FnOnce() -> FfiResult<T>) -> FfiResult<T> {
        if self.pid != std::process::id() {
            return Err(forked_error());
        }
        if self.poisoned.load(Ordering::Acquire) {
            return Err(rmq_error_t::panicked());
        }
        match catch_unwind(AssertUnwindSafe(f)) {
            Ok(r) => r,
            Err(_) => {
                self.poisoned.store(true, Ordering::Release);
                crate::log::error(
                    "ffi",
                    format_args!("a call panicked; the handle is unusable from now on"),
                );
                Err(rmq_error_t::panicked())
            }
        }
    }

    #[cfg(test)]
    pub(crate) fn is_poisoned(&self) -> bool {
        self.poisoned.load(Ordering::Acquire)
    }

    /// Whether the calling thread is inside a callback of this handle.
    pub(crate) fn in_own_callback(&self) -> bool {
        let id = self.id();
        IN_CALLBACK.with(|s| s.borrow().contains(&id))
    }

    /// Marks the calling thread as inside a callback of this handle until the
    /// scope is dropped.
    pub(crate) fn callback_scope(&self) -> CallbackScope {
        IN_CALLBACK.with(|s| s.borrow_mut().push(self.id()));
        CallbackScope(())
    }

    /// Counts a callback that will run later; the count drops with the guard.
    pub(crate) fn pending_callback(self: &Arc<Self>) -> PendingCallback {
        *self.pending.lock() += 1;
        PendingCallback(self.clone())
    }

    /// Waits until every counted callback has finished.
    pub(crate) fn wait_callbacks(&self) {
        let mut n = self.pending.lock();
        while *n > 0 {
            self.idle.wait(&mut n);
        }
    }
}

/// Whether the calling thread is inside any callback of any handle.
pub(crate) fn in_any_callback() -> bool {
    IN_CALLBACK.with(|s| !s.borrow().is_empty())
}

pub(crate) struct CallbackScope(());

impl Drop for CallbackScope {
    fn drop(&mut self) {
        IN_CALLBACK.with(|s| {
            s.borrow_mut().pop();
        });
    }
}

pub(crate) struct PendingCallback(Arc<HandleState>);

impl Drop for PendingCallback {
    fn drop(&mut self) {
        let mut n = self.0.pending.lock();
        *n = n.saturating_sub(1);
        if *n == 0 {
            self.0.idle.notify_all();
        }
    }
}

/// Whether blocking on the handle's shutdown or its callbacks could deadlock
/// here: inside a callback, on the library's callback thread, or on a runtime thread.
pub(crate) fn must_not_block() -> bool {
    in_any_callback()
        || crate::runtime::completion_thread_is_current()
        || crate::runtime::in_runtime()
}

/// Runs `release` (shut down, wait for callbacks, drop) now, or on a library
/// thread of its own when blocking here could deadlock.
pub(crate) fn release(release: impl FnOnce() + Send + 'static) {
    if crate::runtime::forked() {
        // The parent's threads are not here: shutting down would hang. The
        // handle's memory is the parent's copy; leave it.
        std::mem::forget(release);
        return;
    }
    if !must_not_block() {
        release();
        return;
    }
    let spawned = std::thread::Builder::new()
        .name("rocketmq-release".into())
        .spawn(move || {
            super::signals::block_sigpipe();
            release();
        });
    if spawned.is_err() {
        crate::log::error(
            "ffi",
            format_args!("no thread to release a handle freed from a callback; it is leaked"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisoning_and_callback_tracking() {
        let h = HandleState::new();
        let r: FfiResult<()> = h.run(|| panic!("boom"));
        assert_eq!(
            r.unwrap_err().code(),
            super::super::error::rmq_err_t::RMQ_ERR_PANIC
        );
        assert!(h.is_poisoned());
        assert!(h.run(|| Ok(())).is_err());
        assert!(!h.in_own_callback());
        {
            let _s = h.callback_scope();
            assert!(h.in_own_callback());
            assert!(in_any_callback());
        }
        assert!(!in_any_callback());
        let p = h.pending_callback();
        let h2 = h.clone();
        let t = std::thread::spawn(move || h2.wait_callbacks());
        std::thread::sleep(std::time::Duration::from_millis(20));
        drop(p);
        t.join().unwrap();
    }
}
