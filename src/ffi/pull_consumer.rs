//! `rmq_pull_consumer_t`: the lite pull consumer.

use std::collections::BTreeMap;
use std::ffi::c_char;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::boundary::{
    arg_ref, arg_str, check_array_out, fallible, free_boxes, infallible, write_array,
};
use super::config::{self, pull_consumer_config, rmq_config_t};
use super::error::{rmq_err_t, rmq_error_t, FfiResult};
use super::handle::{release, HandleState};
use super::message_queue::{rmq_message_queue_t, write_queues};
use super::message_view::rmq_message_view_t;
use crate::consumer::pull_api::PullStatus;
use crate::consumer::LitePullConsumer;
use crate::protocol::MessageQueue;

/// A lite pull consumer: the library pulls in the background and
/// `rmq_pull_consumer_poll` hands the messages out on the caller's thread.
/// Thread-safe (calls may come from any thread at the same time), except
/// that `rmq_pull_consumer_free` must not race with other calls on it. No
/// callbacks.
#[allow(non_camel_case_types)]
pub struct rmq_pull_consumer_t {
    shared: Arc<Shared>,
}

struct Shared {
    consumer: LitePullConsumer,
    state: Arc<HandleState>,
    shut_down: AtomicBool,
}

/// # Safety
/// `p` is NULL or a live pull consumer.
unsafe fn shared(p: *const rmq_pull_consumer_t) -> FfiResult<Arc<Shared>> {
    Ok(arg_ref(p, "consumer")?.shared.clone())
}

/// Runs `f` on an open consumer (shut down: `RMQ_ERR_SHUT_DOWN`).
fn call(
    p: *const rmq_pull_consumer_t,
    f: impl FnOnce(&LitePullConsumer) -> FfiResult<()>,
) -> *mut rmq_error_t {
    fallible(|| {
        // SAFETY: NULL or a live pull consumer (header contract).
        let s = unsafe { shared(p)? };
        s.state.run(|| {
            if s.shut_down.load(Ordering::Acquire) {
                return Err(rmq_error_t::new(
                    rmq_err_t::RMQ_ERR_SHUT_DOWN,
                    "the consumer was shut down; create a new one",
                ));
            }
            f(&s.consumer)
        })
    })
}

/// `call` with a queue argument (`queue`, NULL refused).
fn queue_call(
    p: *const rmq_pull_consumer_t,
    queue: *const rmq_message_queue_t,
    f: impl FnOnce(&LitePullConsumer, &MessageQueue) -> crate::Result<()>,
) -> *mut rmq_error_t {
    call(p, |c| {
        // SAFETY: NULL or a live queue (every caller's header contract).
        let mq = unsafe { queue_arg(queue, "queue")? };
        Ok(f(c, mq)?)
    })
}

/// `call` with a queue argument and an offset to look up into `*offset`
/// (both NULL refused, `offset` first).
fn offset_call(
    p: *const rmq_pull_consumer_t,
    queue: *const rmq_message_queue_t,
    offset: *mut i64,
    f: impl FnOnce(&LitePullConsumer, &MessageQueue) -> crate::Result<i64>,
) -> *mut rmq_error_t {
    call(p, |c| {
        if offset.is_null() {
            return Err(rmq_error_t::null_arg("offset"));
        }
        // SAFETY: NULL or a live queue (every caller's header contract).
        let mq = unsafe { queue_arg(queue, "queue")? };
        let o = f(c, mq)?;
        // SAFETY: checked, writable (every caller's header contract).
        unsafe { *offset = o };
        Ok(())
    })
}

/// A queue argument.
///
/// # Safety
/// `q` is NULL or a live queue.
unsafe fn queue_arg<'a>(q: *const rmq_message_queue_t, name: &str) -> FfiResult<&'a MessageQueue> {
    Ok(&arg_ref(q, name)?.mq)
}

/// An array argument of `count` queues (NULL with 0 is empty).
///
/// # Safety
/// `queues` is NULL or points to `count` pointers, each NULL or a live queue.
unsafe fn queues_arg(
    queues: *const *const rmq_message_queue_t,
    count: usize,
) -> FfiResult<Vec<MessageQueue>> {
    if queues.is_null() {
        if count == 0 {
            return Ok(Vec::new());
        }
        return Err(rmq_error_t::null_arg("queues"));
    }
    std::slice::from_raw_parts(queues, count)
        .iter()
        .enumerate()
        .map(|(i, q)| queue_arg(*q, &format!("queues[{i}]")).cloned())
        .collect()
}

/// Creates a lite pull consumer from `config`, which it takes ownership of
/// whether it succeeds or fails (the caller must not use or free it
/// afterwards). The settings `namesrv.addr` and `group` are required; the
/// consumer keys are listed at `rmq_config_set`. On success writes an owned
/// consumer to `*out` (not started: subscribe or assign, then start it;
/// free it with `rmq_pull_consumer_free`).
#[no_mangle]
pub extern "C" fn rmq_pull_consumer_new(
    config: *mut rmq_config_t,
    out: *mut *mut rmq_pull_consumer_t,
) -> *mut rmq_error_t {
    config::construct(config, out, |cfg| {
        Ok(rmq_pull_consumer_t {
            shared: Arc::new(Shared {
                consumer: LitePullConsumer::new(pull_consumer_config(cfg)?)?,
                state: HandleState::new(),
                shut_down: AtomicBool::new(false),
            }),
        })
    })
}

/// Subscribes `topic` with a tag expression (`*`, `TagA || TagB`): its
/// queues are shared within the group by rebalancing. Subscribing again
/// replaces the expression. Cannot be mixed with `rmq_pull_consumer_assign`
/// (`RMQ_ERR_INVALID_ARG`). Allowed before and after start.
#[no_mangle]
pub extern "C" fn rmq_pull_consumer_subscribe(
    consumer: *mut rmq_pull_consumer_t,
    topic: *const c_char,
    expression: *const c_char,
) -> *mut rmq_error_t {
    call(consumer, |c| {
        // SAFETY: NULL or NUL-terminated strings (header contract).
        let (topic, expr) =
            unsafe { (arg_str(topic, "topic")?, arg_str(expression, "expression")?) };
        Ok(c.subscribe(topic, expr)?)
    })
}

/// As `rmq_pull_consumer_subscribe`, with an SQL92 expression over message
/// properties; the broker needs `enablePropertyFilter=true`.
#[no_mangle]
pub extern "C" fn rmq_pull_consumer_subscribe_sql92(
    consumer: *mut rmq_pull_consumer_t,
    topic: *const c_char,
    sql: *const c_char,
) -> *mut rmq_error_t {
    call(consumer, |c| {
        // SAFETY: NULL or NUL-terminated strings (header contract).
        let (topic, sql) = unsafe { (arg_str(topic, "topic")?, arg_str(sql, "sql")?) };
        Ok(c.subscribe_sql92(topic, sql)?)
    })
}

/// Stops consuming `topic` (subscribe mode; a topic not subscribed is OK).
#[no_mangle]
pub extern "C" fn rmq_pull_consumer_unsubscribe(
    consumer: *mut rmq_pull_consumer_t,
    topic: *const c_char,
) -> *mut rmq_error_t {
    call(consumer, |c| {
        // SAFETY: NULL or a NUL-terminated string (header contract).
        let topic = unsafe { arg_str(topic, "topic")? };
        c.unsubscribe(topic);
        Ok(())
    })
}

/// Consumes exactly the `count` queues of `queues` (copied; NULL with 0
/// assigns none), replacing any earlier assignment; no rebalancing. Cannot
/// be mixed with `rmq_pull_consumer_subscribe` (`RMQ_ERR_INVALID_ARG`).
/// Allowed before and after start.
#[no_mangle]
pub extern "C" fn rmq_pull_consumer_assign(
    consumer: *mut rmq_pull_consumer_t,
    queues: *const *const rmq_message_queue_t,
    count: usize,
) -> *mut rmq_error_t {
    call(consumer, |c| {
        // SAFETY: the header contract of `queues`.
        let all = unsafe { queues_arg(queues, count)? };
        Ok(c.assign(all)?)
    })
}

/// Starts: connects, registers the group and starts pulling. Starting a
/// started consumer is OK; a shut-down one gives `RMQ_ERR_SHUT_DOWN`.
#[no_mangle]
pub extern "C" fn rmq_pull_consumer_start(consumer: *mut rmq_pull_consumer_t) -> *mut rmq_error_t {
    call(consumer, |c| Ok(c.start()?))
}

/// Waits up to `timeout_ms` (>= 0) for messages on the calling thread and
/// hands out the next batch (at most `pull.batch.size` messages of one
/// queue, in queue order). Writes an owned array of `*count` owned views to
/// `*msgs` (NULL and 0 when nothing came in time); free the array and its
/// views with one `rmq_message_views_free(*msgs, *count)` (never free one of
/// its views alone; clone a view to keep it longer). With `auto.commit` the
/// offsets of what earlier polls returned are committed now and then.
/// Not started: `RMQ_ERR_NOT_STARTED`.
#[no_mangle]
pub extern "C" fn rmq_pull_consumer_poll(
    consumer: *mut rmq_pull_consumer_t,
    timeout_ms: i64,
    msgs: *mut *mut *mut rmq_message_view_t,
    count: *mut usize,
) -> *mut rmq_error_t {
    call(consumer, |c| {
        check_array_out(msgs, "msgs", count)?;
        if timeout_ms < 0 {
            return Err(rmq_error_t::invalid(
                "the poll timeout must not be negative",
            ));
        }
        if crate::runtime::in_runtime() {
            return Err(rmq_error_t::invalid_state(
                "rmq_pull_consumer_poll would block one of the library's I/O threads",
            ));
        }
        let got = c.poll(Duration::from_millis(timeout_ms as u64))?;
        // SAFETY: both outputs were checked.
        unsafe { write_views(got, msgs, count) };
        Ok(())
    })
}

/// Writes `got` as an owned array of owned views to `*msgs` and its length
/// to `*count` (NULL and 0 when empty); `rmq_message_views_free` frees it.
///
/// # Safety
/// `msgs` and `count` are checked, writable outputs.
unsafe fn write_views(
    got: Vec<crate::protocol::message::MessageExt>,
    msgs: *mut *mut *mut rmq_message_view_t,
    count: *mut usize,
) {
    if got.is_empty() {
        *msgs = std::ptr::null_mut();
        *count = 0;
        return;
    }
    let views = got
        .into_iter()
        .map(|m| Box::into_raw(Box::new(rmq_message_view_t::new(Arc::new(m)))))
        .collect();
    write_array(views, msgs, count);
}

/// How a one-shot pull (`rmq_pull_consumer_pull_from`) ended.
#[allow(non_camel_case_types)]
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum rmq_pull_status_t {
    /// Messages were found (the expression may have filtered all of them out).
    RMQ_PULL_FOUND = 0,
    /// No message at the offset yet.
    RMQ_PULL_NO_NEW_MSG = 1,
    /// Messages exist there, but none matched the expression.
    RMQ_PULL_NO_MATCHED_MSG = 2,
    /// The offset is outside the queue's stored messages.
    RMQ_PULL_OFFSET_ILLEGAL = 3,
}

/// The status and offsets of a one-shot pull.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct rmq_pull_info_t {
    /// How the pull ended.
    pub status: rmq_pull_status_t,
    /// The offset to pull next.
    pub next_begin_offset: i64,
    /// The queue's first stored offset.
    pub min_offset: i64,
    /// One past the queue's last stored offset.
    pub max_offset: i64,
}

/// Pulls once from `queue` (any queue of a topic, consumed by this consumer
/// or not; see `rmq_pull_consumer_fetch_queues`) at `offset` (>= 0): up to
/// `max_nums` (> 0; the broker caps it) messages matching the tag
/// `expression` (NULL: the consumer's subscription of the queue's topic, tags
/// or SQL92, or `*` for a topic it does not subscribe), waiting up to
/// `timeout_ms` (> 0) on the calling thread. Outside the consumer's buffering: nothing is committed and `poll`
/// is not affected. Writes the status and offsets to `*info` and an owned
/// array of `*count` owned views to `*msgs` (NULL and 0 without messages);
/// free it with `rmq_message_views_free(*msgs, *count)`. Needs a started
/// consumer (`RMQ_ERR_NOT_STARTED`).
#[no_mangle]
pub extern "C" fn rmq_pull_consumer_pull_from(
    consumer: *mut rmq_pull_consumer_t,
    queue: *const rmq_message_queue_t,
    expression: *const c_char,
    offset: i64,
    max_nums: i32,
    timeout_ms: i64,
    info: *mut rmq_pull_info_t,
    msgs: *mut *mut *mut rmq_message_view_t,
    count: *mut usize,
) -> *mut rmq_error_t {
    call(consumer, |c| {
        // SAFETY: NULL or a live queue (header contract).
        let mq = unsafe { queue_arg(queue, "queue")? };
        if info.is_null() {
            return Err(rmq_error_t::null_arg("info"));
        }
        check_array_out(msgs, "msgs", count)?;
        let expression = if expression.is_null() {
            None
        } else {
            // SAFETY: a NUL-terminated string (header contract).
            Some(unsafe { arg_str(expression, "expression")? })
        };
        if timeout_ms <= 0 {
            return Err(rmq_error_t::invalid("the pull timeout must be positive"));
        }
        if crate::runtime::in_runtime() {
            return Err(rmq_error_t::invalid_state(
                "rmq_pull_consumer_pull_from would block one of the library's I/O threads",
            ));
        }
        let r = c.pull_from(
            mq,
            expression,
            offset,
            max_nums,
            Duration::from_millis(timeout_ms as u64),
        )?;
        let status = match r.status {
            PullStatus::Found => rmq_pull_status_t::RMQ_PULL_FOUND,
            PullStatus::NoNewMsg => rmq_pull_status_t::RMQ_PULL_NO_NEW_MSG,
            PullStatus::NoMatchedMsg => rmq_pull_status_t::RMQ_PULL_NO_MATCHED_MSG,
            PullStatus::OffsetIllegal => rmq_pull_status_t::RMQ_PULL_OFFSET_ILLEGAL,
        };
        // SAFETY: every output was checked and is writable (header contract).
        unsafe {
            *info = rmq_pull_info_t {
                status,
                next_begin_offset: r.next_begin_offset,
                min_offset: r.min_offset,
                max_offset: r.max_offset,
            };
            write_views(r.msgs, msgs, count);
        }
        Ok(())
    })
}

/// Frees an array of `count` views from `rmq_pull_consumer_poll` and the
/// views in it. NULL is a no-op.
#[no_mangle]
pub extern "C" fn rmq_message_views_free(msgs: *mut *mut rmq_message_view_t, count: usize) {
    infallible((), || {
        // SAFETY: NULL or an array of owned views from `write_views` with
        // this count, not used again (header contract).
        unsafe { free_boxes(msgs, count) }
    })
}

/// Continues `queue` (one the consumer consumes now) at `offset`, which
/// must lie within the queue's stored messages (`RMQ_ERR_INVALID_ARG`
/// otherwise); messages of the queue polled but not yet returned are dropped.
#[no_mangle]
pub extern "C" fn rmq_pull_consumer_seek(
    consumer: *mut rmq_pull_consumer_t,
    queue: *const rmq_message_queue_t,
    offset: i64,
) -> *mut rmq_error_t {
    queue_call(consumer, queue, |c, mq| c.seek(mq, offset))
}

/// Continues `queue` at its first stored message (see `rmq_pull_consumer_seek`).
#[no_mangle]
pub extern "C" fn rmq_pull_consumer_seek_to_beginning(
    consumer: *mut rmq_pull_consumer_t,
    queue: *const rmq_message_queue_t,
) -> *mut rmq_error_t {
    queue_call(consumer, queue, |c, mq| c.seek_to_begin(mq))
}

/// Continues `queue` after its last stored message (see `rmq_pull_consumer_seek`).
#[no_mangle]
pub extern "C" fn rmq_pull_consumer_seek_to_end(
    consumer: *mut rmq_pull_consumer_t,
    queue: *const rmq_message_queue_t,
) -> *mut rmq_error_t {
    queue_call(consumer, queue, |c, mq| c.seek_to_end(mq))
}

/// Continues `queue` at its first message stored at or after
/// `timestamp_ms` (ms since the Unix epoch; see `rmq_pull_consumer_seek`).
#[no_mangle]
pub extern "C" fn rmq_pull_consumer_seek_to_timestamp(
    consumer: *mut rmq_pull_consumer_t,
    queue: *const rmq_message_queue_t,
    timestamp_ms: i64,
) -> *mut rmq_error_t {
    queue_call(consumer, queue, |c, mq| {
        c.seek_to_timestamp(mq, timestamp_ms)
    })
}

/// Looks up, without moving the consumer, the offset of `queue`'s first
/// message stored at or after `timestamp_ms` (ms since the Unix epoch) and
/// writes it to `*offset` (the queue's end when every message is older).
#[no_mangle]
pub extern "C" fn rmq_pull_consumer_offset_for_timestamp(
    consumer: *mut rmq_pull_consumer_t,
    queue: *const rmq_message_queue_t,
    timestamp_ms: i64,
    offset: *mut i64,
) -> *mut rmq_error_t {
    offset_call(consumer, queue, offset, |c, mq| {
        c.offset_for_timestamp(mq, timestamp_ms)
    })
}

/// Commits the offsets of everything polled so far and waits until the
/// broker (or, broadcasting, the local file) has them.
#[no_mangle]
pub extern "C" fn rmq_pull_consumer_commit(consumer: *mut rmq_pull_consumer_t) -> *mut rmq_error_t {
    call(consumer, |c| Ok(c.commit_sync()?))
}

/// Commits `offset` (>= 0, the next offset to consume) for `queue` and
/// waits until the broker (or the local file) has it.
#[no_mangle]
pub extern "C" fn rmq_pull_consumer_commit_offset(
    consumer: *mut rmq_pull_consumer_t,
    queue: *const rmq_message_queue_t,
    offset: i64,
) -> *mut rmq_error_t {
    queue_call(consumer, queue, |c, mq| {
        c.commit(&BTreeMap::from([(mq.clone(), offset)]), true)
    })
}

/// Reads the committed offset of `queue` from where it is stored (the
/// broker, or the local file) into `*offset`: the next offset to consume,
/// or -1 when nothing was committed.
#[no_mangle]
pub extern "C" fn rmq_pull_consumer_committed(
    consumer: *mut rmq_pull_consumer_t,
    queue: *const rmq_message_queue_t,
    offset: *mut i64,
) -> *mut rmq_error_t {
    offset_call(consumer, queue, offset, |c, mq| c.committed(mq))
}

/// Stops pulling the `count` queues of `queues` (copied); `poll` skips
/// their messages until they are resumed. Queues not consumed now are ignored.
#[no_mangle]
pub extern "C" fn rmq_pull_consumer_pause(
    consumer: *mut rmq_pull_consumer_t,
    queues: *const *const rmq_message_queue_t,
    count: usize,
) -> *mut rmq_error_t {
    call(consumer, |c| {
        // SAFETY: the header contract of `queues`.
        let all = unsafe { queues_arg(queues, count)? };
        c.pause(&all);
        Ok(())
    })
}

/// Resumes the `count` queues of `queues` (copied). Queues not paused or
/// not consumed now are ignored.
#[no_mangle]
pub extern "C" fn rmq_pull_consumer_resume(
    consumer: *mut rmq_pull_consumer_t,
    queues: *const *const rmq_message_queue_t,
    count: usize,
) -> *mut rmq_error_t {
    call(consumer, |c| {
        // SAFETY: the header contract of `queues`.
        let all = unsafe { queues_arg(queues, count)? };
        c.resume(&all);
        Ok(())
    })
}

/// The queues of `topic` from its route (needs a started consumer). On
/// success writes an owned array of `*count` owned queues to `*queues`;
/// free it with `rmq_message_queues_free(*queues, *count)`.
#[no_mangle]
pub extern "C" fn rmq_pull_consumer_fetch_queues(
    consumer: *mut rmq_pull_consumer_t,
    topic: *const c_char,
    queues: *mut *mut *mut rmq_message_queue_t,
    count: *mut usize,
) -> *mut rmq_error_t {
    call(consumer, |c| {
        check_array_out(queues, "queues", count)?;
        // SAFETY: NULL or a NUL-terminated string (header contract).
        let topic = unsafe { arg_str(topic, "topic")? };
        let all = c.fetch_message_queues(topic)?;
        // SAFETY: both outputs were checked.
        unsafe { write_queues(all, queues, count) };
        Ok(())
    })
}

/// The queues the consumer consumes now (assigned, or from rebalancing). On
/// success writes an owned array of `*count` owned queues to `*queues`;
/// free it with `rmq_message_queues_free(*queues, *count)`.
#[no_mangle]
pub extern "C" fn rmq_pull_consumer_assignment(
    consumer: *mut rmq_pull_consumer_t,
    queues: *mut *mut *mut rmq_message_queue_t,
    count: *mut usize,
) -> *mut rmq_error_t {
    call(consumer, |c| {
        check_array_out(queues, "queues", count)?;
        // SAFETY: both outputs were checked.
        unsafe { write_queues(c.assignment(), queues, count) };
        Ok(())
    })
}

/// Shuts the consumer down: stops pulling, commits (with `auto.commit`)
/// and waits for the commit, unregisters the group. Messages pulled but
/// not returned by a poll are dropped (and delivered again later). Shutting
/// down twice is OK. Afterwards every call but `rmq_pull_consumer_shutdown`
/// and `rmq_pull_consumer_free` fails with `RMQ_ERR_SHUT_DOWN`; a poll
/// waiting on another thread returns with no messages.
#[no_mangle]
pub extern "C" fn rmq_pull_consumer_shutdown(
    consumer: *mut rmq_pull_consumer_t,
) -> *mut rmq_error_t {
    fallible(|| {
        // SAFETY: NULL or a live pull consumer (header contract).
        let s = unsafe { shared(consumer)? };
        s.state.run(|| {
            s.consumer.shutdown_blocking()?;
            s.shut_down.store(true, Ordering::Release);
            Ok(())
        })
    })
}

/// Shuts the consumer down if needed and frees it. Called from a callback
/// of another handle, it returns at once and the shutdown happens on a
/// library thread. NULL is a no-op.
#[no_mangle]
pub extern "C" fn rmq_pull_consumer_free(consumer: *mut rmq_pull_consumer_t) {
    infallible((), || {
        if consumer.is_null() {
            return;
        }
        // SAFETY: an owned consumer, not used again (header contract).
        let shared = unsafe { Box::from_raw(consumer) }.shared;
        release(move || {
            shared.shut_down.store(true, Ordering::Release);
            let _ = shared.consumer.shutdown_blocking();
        });
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::config::{rmq_config_new, rmq_config_set};
    use crate::ffi::error::rmq_error_free;
    use crate::ffi::message_queue::{rmq_message_queue_free, rmq_message_queue_new};

    fn code(e: *mut rmq_error_t) -> rmq_err_t {
        assert!(!e.is_null());
        let c = unsafe { (*e).code() };
        rmq_error_free(e);
        c
    }

    fn new_consumer() -> *mut rmq_pull_consumer_t {
        let cfg = rmq_config_new();
        for (k, v) in [
            (c"namesrv.addr", c"127.0.0.1:9"),
            (c"group", c"ffi_pull_unit"),
            (c"auto.commit", c"false"),
        ] {
            assert!(rmq_config_set(cfg, k.as_ptr(), v.as_ptr()).is_null());
        }
        let mut c = std::ptr::null_mut();
        assert!(rmq_pull_consumer_new(cfg, &mut c).is_null());
        c
    }

    #[test]
    fn arguments_modes_and_lifecycle() {
        let mut out = std::ptr::null_mut();
        assert_eq!(
            code(rmq_pull_consumer_new(std::ptr::null_mut(), &mut out)),
            rmq_err_t::RMQ_ERR_NULL_ARG
        );
        assert_eq!(
            code(rmq_pull_consumer_new(
                rmq_config_new(),
                std::ptr::null_mut()
            )),
            rmq_err_t::RMQ_ERR_NULL_ARG
        );
        let c = new_consumer();
        let mut q = std::ptr::null_mut();
        assert!(rmq_message_queue_new(c"T".as_ptr(), c"b".as_ptr(), 0, &mut q).is_null());
        let qs = [q as *const rmq_message_queue_t];
        let hole = [std::ptr::null::<rmq_message_queue_t>()];
        let (mut msgs, mut n, mut off) = (std::ptr::null_mut(), 0usize, 0i64);
        let mut arr = std::ptr::null_mut();
        let nul = std::ptr::null_mut();
        for e in [
            rmq_pull_consumer_subscribe(nul, c"T".as_ptr(), c"*".as_ptr()),
            rmq_pull_consumer_subscribe(c, std::ptr::null(), c"*".as_ptr()),
            rmq_pull_consumer_subscribe(c, c"T".as_ptr(), std::ptr::null()),
            rmq_pull_consumer_assign(c, std::ptr::null(), 1),
            rmq_pull_consumer_assign(c, hole.as_ptr(), 1),
            rmq_pull_consumer_poll(c, 0, std::ptr::null_mut(), &mut n),
            rmq_pull_consumer_poll(c, 0, &mut msgs, std::ptr::null_mut()),
            rmq_pull_consumer_seek(c, std::ptr::null(), 0),
            rmq_pull_consumer_committed(c, q, std::ptr::null_mut()),
            rmq_pull_consumer_committed(c, std::ptr::null(), &mut off),
            rmq_pull_consumer_fetch_queues(c, c"T".as_ptr(), &mut arr, std::ptr::null_mut()),
            rmq_pull_consumer_assignment(c, std::ptr::null_mut(), &mut n),
            rmq_pull_consumer_shutdown(nul),
        ] {
            assert_eq!(code(e), rmq_err_t::RMQ_ERR_NULL_ARG);
        }
        assert!(rmq_pull_consumer_assign(c, qs.as_ptr(), 1).is_null());
        // Assign, then subscribe: modes cannot be mixed.
        assert_eq!(
            code(rmq_pull_consumer_subscribe(c, c"T".as_ptr(), c"*".as_ptr())),
            rmq_err_t::RMQ_ERR_INVALID_ARG
        );
        assert!(rmq_pull_consumer_assignment(c, &mut arr, &mut n).is_null());
        assert_eq!(n, 1);
        super::super::message_queue::rmq_message_queues_free(arr, n);
        assert_eq!(
            code(rmq_pull_consumer_poll(c, 0, &mut msgs, &mut n)),
            rmq_err_t::RMQ_ERR_NOT_STARTED
        );
        assert_eq!(
            code(rmq_pull_consumer_poll(c, -1, &mut msgs, &mut n)),
            rmq_err_t::RMQ_ERR_INVALID_ARG
        );
        assert!(rmq_pull_consumer_pause(c, qs.as_ptr(), 1).is_null());
        assert!(rmq_pull_consumer_resume(c, std::ptr::null(), 0).is_null());
        assert!(rmq_pull_consumer_shutdown(c).is_null());
        assert!(rmq_pull_consumer_shutdown(c).is_null());
        for e in [
            rmq_pull_consumer_start(c),
            rmq_pull_consumer_poll(c, 0, &mut msgs, &mut n),
            rmq_pull_consumer_commit(c),
            rmq_pull_consumer_seek_to_end(c, q),
            rmq_pull_consumer_assign(c, qs.as_ptr(), 1),
        ] {
            assert_eq!(code(e), rmq_err_t::RMQ_ERR_SHUT_DOWN);
        }
        rmq_message_queue_free(q);
        rmq_pull_consumer_free(c);
        rmq_pull_consumer_free(std::ptr::null_mut());
        rmq_message_views_free(std::ptr::null_mut(), 0);
    }

    #[test]
    fn views_array_round_trip() {
        let all: Box<[*mut rmq_message_view_t]> = (0..3)
            .map(|_| Box::into_raw(Box::new(rmq_message_view_t::new(Arc::default()))))
            .collect();
        let n = all.len();
        rmq_message_views_free(Box::into_raw(all).cast(), n);
    }
}
