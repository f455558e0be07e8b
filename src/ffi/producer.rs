//! `rmq_producer_t`: the producer.

use std::ffi::{c_char, c_void};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;

use super::boundary::{arg_ref, arg_str, check_array_out, check_out, fallible, write_out};
use super::config::{self, producer_config, rmq_config_t};
use super::error::{rmq_err_t, rmq_error_t, FfiResult};
use super::handle::{must_not_block, release, HandleState, PendingCallback};
use super::message::{message_arg, rmq_message_t};
use super::message_queue::{rmq_message_queue_t, write_queues};
use super::message_view::rmq_message_view_t;
use super::send_result::rmq_send_result_t;
use super::userdata::{rmq_free_cb, SendPtr, UserData};
use crate::producer::selector::{SelectArg, SelectByFn, SelectByHash, SelectContext};
use crate::producer::{Producer, SendResult};
use crate::protocol::MessageQueue;
use crate::runtime::block_on;

/// A producer. Thread-safe: any thread may use it at the same time, except
/// that `rmq_producer_free` must not race with other calls on it.
#[allow(non_camel_case_types)]
pub struct rmq_producer_t {
    shared: Arc<Shared>,
}

struct Shared {
    producer: Producer,
    state: Arc<HandleState>,
}

/// Completion of an async send: exactly one of `result` and `error` is not
/// NULL; both are borrowed for the duration of the call. Runs on the
/// library's callback thread (one thread for every producer, callbacks in
/// completion order), never on an I/O thread.
#[allow(non_camel_case_types)]
pub type rmq_send_cb = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        result: *const rmq_send_result_t,
        error: *const rmq_error_t,
    ),
>;

/// Chooses the queue of `rmq_producer_send_with_selector`: returns an index
/// in `0..count`. `msg` is the message being sent; `queues` holds `count`
/// borrowed queues; all are valid only during the call, which happens on the
/// thread that called `rmq_producer_send_with_selector`, before it returns.
#[allow(non_camel_case_types)]
pub type rmq_queue_selector_cb = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        msg: *const rmq_message_t,
        queues: *const *const rmq_message_queue_t,
        count: usize,
    ) -> usize,
>;

/// The shared state behind a checked producer pointer. A clone, so a free
/// from inside a callback cannot pull the producer from under the call.
///
/// # Safety
/// `p` is NULL or a live producer.
unsafe fn shared(p: *const rmq_producer_t) -> FfiResult<Arc<Shared>> {
    Ok(arg_ref(p, "producer")?.shared.clone())
}

fn call(p: *const rmq_producer_t, f: impl FnOnce(&Shared) -> FfiResult<()>) -> *mut rmq_error_t {
    fallible(|| {
        // SAFETY: NULL or a live producer (header contract).
        let s = unsafe { shared(p)? };
        s.state.run(|| f(&s))
    })
}

fn result_out(out: *mut *mut rmq_send_result_t, r: SendResult) {
    // SAFETY: every caller checked `out` with `check_out` first.
    unsafe { write_out(out, Box::new(rmq_send_result_t::new(r, None))) }
}

/// Creates a producer from `config`, which it takes ownership of whether it
/// succeeds or fails (the caller must not use or free it afterwards). The
/// settings `namesrv.addr` and `group` are required (see `rmq_config_set`).
/// On success writes an owned producer to `*out` (not started; free it with
/// `rmq_producer_free`).
#[no_mangle]
pub extern "C" fn rmq_producer_new(
    config: *mut rmq_config_t,
    out: *mut *mut rmq_producer_t,
) -> *mut rmq_error_t {
    config::construct(config, out, |cfg| {
        Ok(rmq_producer_t {
            shared: Arc::new(Shared {
                producer: Producer::new(producer_config(cfg)?)?,
                state: HandleState::new(),
            }),
        })
    })
}

/// Starts the producer: connects to the name servers and registers the
/// group. Starting a started producer is OK; a shut-down one gives
/// `RMQ_ERR_SHUT_DOWN`.
#[no_mangle]
pub extern "C" fn rmq_producer_start(producer: *mut rmq_producer_t) -> *mut rmq_error_t {
    call(producer, |s| Ok(s.producer.start()?))
}

/// Shuts the producer down: stops accepting sends, waits (up to the send
/// timeout) for async sends in flight, unregisters from the brokers, then
/// waits until every async send's callback has returned (except when called
/// from a callback of another producer, where it does not wait for
/// callbacks). Sends still in flight after the wait fail with an error passed
/// to their callback. Shutting down twice is OK. Called from one of this
/// producer's own callbacks it fails with `RMQ_ERR_INVALID_STATE` (it would
/// wait for itself). Afterwards every call but `rmq_producer_free` and
/// `rmq_producer_shutdown` fails with `RMQ_ERR_SHUT_DOWN`.
#[no_mangle]
pub extern "C" fn rmq_producer_shutdown(producer: *mut rmq_producer_t) -> *mut rmq_error_t {
    call(producer, |s| {
        if s.state.in_own_callback() {
            return Err(rmq_error_t::invalid_state(
                "rmq_producer_shutdown was called from one of the producer's own callbacks; call it from another thread",
            ));
        }
        s.producer.shutdown_blocking()?;
        if !must_not_block() {
            s.state.wait_callbacks();
        }
        Ok(())
    })
}

/// Shuts the producer down if needed (as `rmq_producer_shutdown`) and frees
/// it. Every async send still in flight gets its callback exactly once
/// (with an error if it could not complete) before this returns, and every
/// `free_user_data` has been called. Called from a callback (any producer's),
/// it returns at once and the shutdown and release happen on a library
/// thread once the callback returns. NULL is a no-op.
#[no_mangle]
pub extern "C" fn rmq_producer_free(producer: *mut rmq_producer_t) {
    super::boundary::infallible((), || {
        if producer.is_null() {
            return;
        }
        // SAFETY: an owned producer, not used again (header contract).
        let shared = unsafe { Box::from_raw(producer) }.shared;
        release(move || {
            let _ = s_shutdown(&shared);
            shared.state.wait_callbacks();
        });
    })
}

fn s_shutdown(s: &Shared) -> crate::Result<()> {
    s.producer.shutdown_blocking()
}

/// Sends `msg` (copied; the caller keeps it) and waits for the broker's
/// answer, retrying retriable failures on another broker within the send
/// timeout. On success writes an owned result to `*result` (free it with
/// `rmq_send_result_free`).
#[no_mangle]
pub extern "C" fn rmq_producer_send_sync(
    producer: *mut rmq_producer_t,
    msg: *const rmq_message_t,
    result: *mut *mut rmq_send_result_t,
) -> *mut rmq_error_t {
    call(producer, |s| {
        check_out(result, "result")?;
        // SAFETY: NULL or a live message (header contract).
        let msg = unsafe { message_arg(msg, "msg")? };
        result_out(result, s.producer.send_blocking(msg)?);
        Ok(())
    })
}

/// An async send's user side, run once on the callback thread.
struct AsyncJob {
    cb: unsafe extern "C" fn(*mut c_void, *const rmq_send_result_t, *const rmq_error_t),
    user_data: UserData,
    state: Arc<HandleState>,
    _pending: PendingCallback,
}

impl AsyncJob {
    fn complete(self, r: FfiResult<SendResult>) {
        {
            let _scope = self.state.callback_scope();
            match r {
                Ok(r) => {
                    let res = rmq_send_result_t::new(r, None);
                    // SAFETY: the callback contract of `rmq_send_cb`.
                    unsafe { (self.cb)(self.user_data.ptr(), &res, std::ptr::null()) }
                }
                Err(e) => {
                    // SAFETY: the callback contract of `rmq_send_cb`.
                    unsafe { (self.cb)(self.user_data.ptr(), std::ptr::null(), &*e) }
                }
            }
        }
        drop(self.user_data);
    }
}

/// Holds an async send's job until the engine completes it. Should the
/// engine drop the send without completing it, the job still completes,
/// with an error.
struct Slot {
    job: Mutex<Option<AsyncJob>>,
    submitted: AtomicBool,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some(job) = self.job.get_mut().take() {
            if *self.submitted.get_mut() {
                crate::runtime::completion_thread().execute(move || {
                    job.complete(Err(rmq_error_t::new(
                        rmq_err_t::RMQ_ERR_INTERNAL,
                        "the send was dropped before it completed",
                    )))
                });
            } else {
                job.user_data.disarm();
            }
        }
    }
}

/// Sends `msg` (copied) without waiting. `callback` (not NULL) is called
/// exactly once with the outcome, on the library's callback thread, never
/// before this function is called and never on the caller's thread; then
/// `free_user_data(user_data)` is called (when not NULL) on that thread.
/// `user_data` may be NULL. When the in-flight bounds are reached, this waits
/// (`back.pressure` = `wait`) or fails with `RMQ_ERR_BUSY` (`fail`). When
/// this returns an error, neither `callback` nor `free_user_data` is called.
/// Callbacks may call any `rmq_` function, including sends, but should not
/// block for long: callbacks of every producer share the thread.
#[no_mangle]
pub extern "C" fn rmq_producer_send_async(
    producer: *mut rmq_producer_t,
    msg: *const rmq_message_t,
    callback: rmq_send_cb,
    user_data: *mut c_void,
    free_user_data: rmq_free_cb,
) -> *mut rmq_error_t {
    call(producer, |s| {
        let cb = callback.ok_or_else(|| rmq_error_t::null_arg("callback"))?;
        // SAFETY: NULL or a live message (header contract).
        let msg = unsafe { message_arg(msg, "msg")? };
        let slot = Arc::new(Slot {
            job: Mutex::new(Some(AsyncJob {
                cb,
                user_data: UserData::new(user_data, free_user_data),
                state: s.state.clone(),
                _pending: s.state.pending_callback(),
            })),
            submitted: AtomicBool::new(false),
        });
        let engine_slot = slot.clone();
        let sent = s.producer.send_async(msg, move |r| {
            let job = engine_slot.job.lock().take();
            if let Some(job) = job {
                job.complete(r.map_err(Into::into));
            }
        });
        match sent {
            Ok(()) => {
                slot.submitted.store(true, Ordering::Release);
                Ok(())
            }
            Err(e) => {
                let job = slot.job.lock().take();
                if let Some(job) = job {
                    job.user_data.disarm();
                }
                Err(e.into())
            }
        }
    })
}

/// Sends `msg` (copied) without waiting for an answer and without retries.
#[no_mangle]
pub extern "C" fn rmq_producer_send_oneway(
    producer: *mut rmq_producer_t,
    msg: *const rmq_message_t,
) -> *mut rmq_error_t {
    call(producer, |s| {
        // SAFETY: NULL or a live message (header contract).
        let msg = unsafe { message_arg(msg, "msg")? };
        Ok(block_on(s.producer.send_oneway(msg))??)
    })
}

/// Sends `count` messages (copied) as one batch: same topic, no delays, at
/// least one. On success writes one owned result to `*result`; its message
/// ids are comma-separated.
#[no_mangle]
pub extern "C" fn rmq_producer_send_batch(
    producer: *mut rmq_producer_t,
    msgs: *const *const rmq_message_t,
    count: usize,
    result: *mut *mut rmq_send_result_t,
) -> *mut rmq_error_t {
    call(producer, |s| {
        check_out(result, "result")?;
        if msgs.is_null() {
            return Err(rmq_error_t::null_arg("msgs"));
        }
        // SAFETY: `msgs` points to `count` message pointers (header contract).
        let ptrs = unsafe { std::slice::from_raw_parts(msgs, count) };
        let batch = ptrs
            .iter()
            .enumerate()
            // SAFETY: each element is NULL or a live message (header contract).
            .map(|(i, m)| unsafe { message_arg(*m, &format!("msgs[{i}]")) })
            .collect::<FfiResult<Vec<_>>>()?;
        result_out(result, block_on(s.producer.send_batch(batch))??);
        Ok(())
    })
}

/// Sends `msg` (copied) to the queue chosen by the hash of `key` (Java's
/// `String.hashCode`, as `SelectMessageQueueByHash`): messages with the same
/// key go to the same queue, in order. No retry on another queue.
#[no_mangle]
pub extern "C" fn rmq_producer_send_orderly(
    producer: *mut rmq_producer_t,
    msg: *const rmq_message_t,
    key: *const c_char,
    result: *mut *mut rmq_send_result_t,
) -> *mut rmq_error_t {
    call(producer, |s| {
        check_out(result, "result")?;
        // SAFETY: NULL or live arguments (header contract).
        let (msg, key) = unsafe { (message_arg(msg, "msg")?, arg_str(key, "key")?) };
        let r = block_on(s.producer.send_with_selector(
            msg,
            &SelectByHash,
            Some(SelectArg::Str(key)),
        ))??;
        result_out(result, r);
        Ok(())
    })
}

/// Sends `msg` (copied) to the queue `selector` (not NULL) chooses; see
/// `rmq_queue_selector_cb`. `user_data` is passed to it and not kept. An
/// index out of range fails with `RMQ_ERR_INVALID_ARG`. No retry on another queue.
#[no_mangle]
pub extern "C" fn rmq_producer_send_with_selector(
    producer: *mut rmq_producer_t,
    msg: *const rmq_message_t,
    selector: rmq_queue_selector_cb,
    user_data: *mut c_void,
    result: *mut *mut rmq_send_result_t,
) -> *mut rmq_error_t {
    call(producer, |s| {
        check_out(result, "result")?;
        let f = selector.ok_or_else(|| rmq_error_t::null_arg("selector"))?;
        // SAFETY: NULL or a live message (header contract).
        let owned = unsafe { message_arg(msg, "msg")? };
        let (msg_ptr, ud) = (SendPtr(msg), SendPtr(user_data.cast_const()));
        let state = s.state.clone();
        let sel = SelectByFn(move |queues: &[MessageQueue], _: &SelectContext<'_>| {
            let handles: Vec<rmq_message_queue_t> = queues
                .iter()
                .cloned()
                .map(rmq_message_queue_t::new)
                .collect();
            let ptrs: Vec<*const rmq_message_queue_t> = handles
                .iter()
                .map(|h| h as *const rmq_message_queue_t)
                .collect();
            let _scope = state.callback_scope();
            // SAFETY: the selector contract: it runs on this thread, during
            // this call, while `msg` and `user_data` are valid.
            Ok(unsafe {
                f(
                    ud.get().cast_mut(),
                    msg_ptr.get(),
                    ptrs.as_ptr(),
                    ptrs.len(),
                )
            })
        });
        result_out(
            result,
            block_on(s.producer.send_with_selector(owned, &sel, None))??,
        );
        Ok(())
    })
}

/// Sends `msg` (copied) to `queue`, which must be a writable queue of the
/// message's topic (see `rmq_producer_queues`).
#[no_mangle]
pub extern "C" fn rmq_producer_send_to_queue(
    producer: *mut rmq_producer_t,
    msg: *const rmq_message_t,
    queue: *const rmq_message_queue_t,
    result: *mut *mut rmq_send_result_t,
) -> *mut rmq_error_t {
    call(producer, |s| {
        check_out(result, "result")?;
        // SAFETY: NULL or live arguments (header contract).
        let (msg, queue) = unsafe { (message_arg(msg, "msg")?, arg_ref(queue, "queue")?) };
        result_out(result, block_on(s.producer.send_to_queue(msg, &queue.mq))??);
        Ok(())
    })
}

/// The writable queues of `topic`, fetching its route if needed. On success
/// writes an owned array of `*count` owned queues to `*queues`; free it with
/// `rmq_message_queues_free(*queues, *count)`.
#[no_mangle]
pub extern "C" fn rmq_producer_queues(
    producer: *mut rmq_producer_t,
    topic: *const c_char,
    queues: *mut *mut *mut rmq_message_queue_t,
    count: *mut usize,
) -> *mut rmq_error_t {
    call(producer, |s| {
        check_array_out(queues, "queues", count)?;
        // SAFETY: NULL or a NUL-terminated string (header contract).
        let topic = unsafe { arg_str(topic, "topic")? };
        let all = block_on(s.producer.publish_queues(topic))??;
        // SAFETY: both outputs were checked.
        unsafe { write_queues(all, queues, count) };
        Ok(())
    })
}

/// Sends `msg` (copied) as a request and waits up to `timeout_ms` (> 0) for
/// the reply, which a responder sends to the request's reply topic. On
/// success writes the owned reply to `*reply` (free it with
/// `rmq_message_view_free`). No reply in time: `RMQ_ERR_TIMEOUT`.
#[no_mangle]
pub extern "C" fn rmq_producer_request(
    producer: *mut rmq_producer_t,
    msg: *const rmq_message_t,
    timeout_ms: i64,
    reply: *mut *mut rmq_message_view_t,
) -> *mut rmq_error_t {
    call(producer, |s| {
        check_out(reply, "reply")?;
        if timeout_ms <= 0 {
            return Err(rmq_error_t::invalid("the request timeout must be positive"));
        }
        // SAFETY: NULL or a live message (header contract).
        let msg = unsafe { message_arg(msg, "msg")? };
        let ext = block_on(
            s.producer
                .request(msg, Duration::from_millis(timeout_ms as u64)),
        )??;
        // SAFETY: `reply` was checked.
        unsafe { write_out(reply, Box::new(rmq_message_view_t::new(Arc::new(ext)))) };
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::config::{rmq_config_new, rmq_config_set};
    use crate::ffi::error::rmq_error_free;
    use crate::ffi::message::{rmq_message_free, rmq_message_new};

    fn code(e: *mut rmq_error_t) -> rmq_err_t {
        assert!(!e.is_null());
        let c = unsafe { (*e).code() };
        rmq_error_free(e);
        c
    }

    fn new_producer() -> *mut rmq_producer_t {
        let cfg = rmq_config_new();
        for (k, v) in [
            (c"namesrv.addr", c"127.0.0.1:9"),
            (c"group", c"ffi_unit_test"),
        ] {
            assert!(rmq_config_set(cfg, k.as_ptr(), v.as_ptr()).is_null());
        }
        let mut p = std::ptr::null_mut();
        assert!(rmq_producer_new(cfg, &mut p).is_null());
        p
    }

    #[test]
    fn constructor_consumes_config_and_checks_arguments() {
        let mut p = std::ptr::null_mut();
        assert_eq!(
            code(rmq_producer_new(std::ptr::null_mut(), &mut p)),
            rmq_err_t::RMQ_ERR_NULL_ARG
        );
        // The config is consumed even when `out` is NULL or a setting is missing.
        assert_eq!(
            code(rmq_producer_new(rmq_config_new(), std::ptr::null_mut())),
            rmq_err_t::RMQ_ERR_NULL_ARG
        );
        assert_eq!(
            code(rmq_producer_new(rmq_config_new(), &mut p)),
            rmq_err_t::RMQ_ERR_INVALID_ARG
        );
        assert!(p.is_null());
    }

    #[test]
    fn not_started_null_arguments_and_shutdown() {
        let p = new_producer();
        let mut m = std::ptr::null_mut();
        assert!(rmq_message_new(c"T".as_ptr(), &mut m).is_null());
        let mut r = std::ptr::null_mut();
        assert_eq!(
            code(rmq_producer_send_sync(p, m, &mut r)),
            rmq_err_t::RMQ_ERR_NOT_STARTED
        );
        assert_eq!(
            code(rmq_producer_send_sync(p, std::ptr::null(), &mut r)),
            rmq_err_t::RMQ_ERR_NULL_ARG
        );
        assert_eq!(
            code(rmq_producer_send_sync(p, m, std::ptr::null_mut())),
            rmq_err_t::RMQ_ERR_NULL_ARG
        );
        assert_eq!(
            code(rmq_producer_send_sync(std::ptr::null_mut(), m, &mut r)),
            rmq_err_t::RMQ_ERR_NULL_ARG
        );
        assert_eq!(
            code(rmq_producer_send_async(
                p,
                m,
                None,
                std::ptr::null_mut(),
                None
            )),
            rmq_err_t::RMQ_ERR_NULL_ARG
        );
        assert_eq!(
            code(rmq_producer_send_batch(p, std::ptr::null(), 0, &mut r)),
            rmq_err_t::RMQ_ERR_NULL_ARG
        );
        assert_eq!(
            code(rmq_producer_request(p, m, 0, &mut std::ptr::null_mut())),
            rmq_err_t::RMQ_ERR_INVALID_ARG
        );
        assert!(rmq_producer_shutdown(p).is_null());
        assert!(rmq_producer_shutdown(p).is_null());
        assert_eq!(code(rmq_producer_start(p)), rmq_err_t::RMQ_ERR_SHUT_DOWN);
        assert_eq!(
            code(rmq_producer_send_oneway(p, m)),
            rmq_err_t::RMQ_ERR_SHUT_DOWN
        );
        rmq_message_free(m);
        rmq_producer_free(p);
        rmq_producer_free(std::ptr::null_mut());
    }

    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    static ERRORS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    static FREES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    unsafe extern "C" fn on_done(
        _: *mut c_void,
        r: *const rmq_send_result_t,
        e: *const rmq_error_t,
    ) {
        CALLS.fetch_add(1, Ordering::SeqCst);
        if r.is_null() && !e.is_null() {
            ERRORS.fetch_add(1, Ordering::SeqCst);
        }
    }
    unsafe extern "C" fn on_free(_: *mut c_void) {
        FREES.fetch_add(1, Ordering::SeqCst);
    }

    fn slot(state: &Arc<HandleState>, submitted: bool) -> Slot {
        Slot {
            job: Mutex::new(Some(AsyncJob {
                cb: on_done,
                user_data: UserData::new(std::ptr::null_mut(), Some(on_free)),
                state: state.clone(),
                _pending: state.pending_callback(),
            })),
            submitted: AtomicBool::new(submitted),
        }
    }

    #[test]
    fn a_send_the_engine_drops_still_completes_once() {
        let state = HandleState::new();
        // Refused before submission: neither the callback nor the finalizer runs.
        drop(slot(&state, false));
        state.wait_callbacks();
        assert_eq!(
            (CALLS.load(Ordering::SeqCst), FREES.load(Ordering::SeqCst)),
            (0, 0)
        );
        // Submitted, then dropped uncompleted: completed once with an error.
        drop(slot(&state, true));
        state.wait_callbacks();
        assert_eq!(CALLS.load(Ordering::SeqCst), 1);
        assert_eq!(ERRORS.load(Ordering::SeqCst), 1);
        assert_eq!(FREES.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_panic_poisons_the_handle() {
        let p = new_producer();
        let s = unsafe { shared(p) }.unwrap();
        let r: FfiResult<()> = s.state.run(|| panic!("deliberate"));
        assert_eq!(r.unwrap_err().code(), rmq_err_t::RMQ_ERR_PANIC);
        assert!(s.state.is_poisoned());
        assert_eq!(code(rmq_producer_start(p)), rmq_err_t::RMQ_ERR_PANIC);
        drop(s);
        rmq_producer_free(p);
    }
}
