//! `rmq_push_consumer_t`: the push consumer.

use std::ffi::{c_char, c_void};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};

use super::boundary::{arg_ref, arg_str, check_array_out, fallible, infallible};
use super::config::{self, push_consumer_config, rmq_config_t};
use super::error::{rmq_err_t, rmq_error_t, FfiResult};
use super::handle::{release, HandleState};
use super::message_queue::{rmq_message_queue_t, write_queues};
use super::message_view::rmq_message_view_t;
use super::userdata::{rmq_free_cb, UserData};
use crate::consumer::{
    ConcurrentlyListener, ConsumeConcurrentlyContext, ConsumeConcurrentlyStatus,
    ConsumeOrderlyContext, ConsumeOrderlyStatus, MessageListener, OrderlyListener, PushConsumer,
    ShutdownReport,
};
use crate::protocol::message::MessageExt;

/// What a concurrent listener returns. Any other value counts as
/// `RMQ_RECONSUME_LATER`.
#[allow(non_camel_case_types)]
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum rmq_consume_status_t {
    /// Consumed, up to `*ack_index`.
    RMQ_CONSUME_SUCCESS = 0,
    /// Deliver the whole batch again later (clustering: sent back to the
    /// broker's retry topic; broadcasting: dropped).
    RMQ_RECONSUME_LATER = 1,
}

/// What an orderly listener returns. Any other value counts as
/// `RMQ_SUSPEND_CURRENT_QUEUE_A_MOMENT`.
#[allow(non_camel_case_types)]
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum rmq_consume_orderly_status_t {
    /// Consumed; the queue's offset moves past the batch.
    RMQ_ORDERLY_SUCCESS = 0,
    /// Stop the queue for `suspend.current.queue.time.ms` and deliver the
    /// same batch again (past `max.reconsume.times` it goes to the dead-letter queue).
    RMQ_SUSPEND_CURRENT_QUEUE_A_MOMENT = 1,
}

/// A concurrent listener: consumes `count` (>= 1, at most
/// `consume.batch.size`) messages of one queue and returns an
/// `rmq_consume_status_t`. `msgs` and the views in it are borrowed for the
/// call only (keep one with `rmq_message_view_clone`). `*ack_index` starts at
/// `count - 1`; on `RMQ_CONSUME_SUCCESS` the listener may lower it to the
/// index of the last message it consumed (-1: none), and the messages after
/// it are delivered again as with `RMQ_RECONSUME_LATER`. Runs on one of the
/// consumer's consume threads (`consume.thread.count` threads owned by the
/// library), several batches at once; a batch that the broker asks to
/// consume directly runs on a library thread of its own. It may call any
/// `rmq_` function, sends included, except `rmq_push_consumer_shutdown` of
/// its own consumer (`RMQ_ERR_INVALID_STATE`); blocking in it holds back only
/// its thread.
#[allow(non_camel_case_types)]
pub type rmq_consume_cb = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        msgs: *const *const rmq_message_view_t,
        count: usize,
        ack_index: *mut i32,
    ) -> i32,
>;

/// An orderly listener: consumes `count` (>= 1) messages of one queue, in
/// queue order, and returns an `rmq_consume_orderly_status_t`. `msgs` and
/// the views in it are borrowed for the call only. Runs on one of the
/// consumer's consume threads; the batches of one queue never run at the
/// same time and come in queue order (clustering: only while this consumer
/// holds the queue's lock on its broker). Same rules as `rmq_consume_cb`
/// otherwise.
#[allow(non_camel_case_types)]
pub type rmq_consume_orderly_cb = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        msgs: *const *const rmq_message_view_t,
        count: usize,
    ) -> i32,
>;

type ConsumeFn =
    unsafe extern "C" fn(*mut c_void, *const *const rmq_message_view_t, usize, *mut i32) -> i32;
type OrderlyFn = unsafe extern "C" fn(*mut c_void, *const *const rmq_message_view_t, usize) -> i32;

/// A push consumer. Thread-safe: any thread may use it at the same time,
/// except that `rmq_push_consumer_free` must not race with other calls on it.
#[allow(non_camel_case_types)]
pub struct rmq_push_consumer_t {
    shared: Arc<Shared>,
}

struct Shared {
    consumer: PushConsumer,
    state: Arc<HandleState>,
    /// The user data of every subscription made, replaced ones included:
    /// finalized at free, after the last listener call.
    listeners: Mutex<Vec<Arc<ListenerData>>>,
    shut_down: AtomicBool,
}

/// A subscription's user data, taken out (and finalized) at free; listener
/// calls hold the read lock, so taking it waits for running calls.
struct ListenerData {
    user_data: RwLock<Option<UserData>>,
    state: Arc<HandleState>,
}

impl ListenerData {
    /// Calls `f` with the user data and borrowed views of `msgs`, inside the
    /// handle's callback scope; `None` once the user data was taken.
    fn call<R>(
        &self,
        msgs: &[MessageExt],
        f: impl FnOnce(*mut c_void, *const *const rmq_message_view_t, usize) -> R,
    ) -> Option<R> {
        let ud = self.user_data.read_recursive();
        let ud = ud.as_ref()?;
        let views: Vec<rmq_message_view_t> = msgs
            .iter()
            .map(|m| rmq_message_view_t::new(Arc::new(m.clone())))
            .collect();
        let ptrs: Vec<*const rmq_message_view_t> = views
            .iter()
            .map(|v| v as *const rmq_message_view_t)
            .collect();
        let _scope = self.state.callback_scope();
        Some(f(ud.ptr(), ptrs.as_ptr(), ptrs.len()))
    }
}

/// What the listener running on this thread asked for through
/// `rmq_consume_set_delay_level` / `rmq_consume_set_suspend_time_ms`.
#[derive(Clone, Copy)]
enum ListenerAsks {
    Concurrently {
        delay_level: Option<i32>,
    },
    Orderly {
        suspend: Option<std::time::Duration>,
    },
}

thread_local! {
    static LISTENER_ASKS: std::cell::Cell<Option<ListenerAsks>> = const { std::cell::Cell::new(None) };
}

/// Runs `f` with `asks` as this thread's listener state; returns what the
/// listener left there.
fn with_asks<R>(asks: ListenerAsks, f: impl FnOnce() -> R) -> (R, ListenerAsks) {
    let outer = LISTENER_ASKS.with(|c| c.replace(Some(asks)));
    let r = f();
    let left = LISTENER_ASKS.with(|c| c.replace(outer)).unwrap_or(asks);
    (r, left)
}

/// Inside a concurrent listener (`rmq_consume_cb`), on its thread: the
/// delay level of the messages of this call that go back to the broker
/// (`RMQ_RECONSUME_LATER`, or past `*ack_index`): 0 lets the broker choose
/// (3 + reconsume times, the default), 1 to 18 a delay level, -1 sends them
/// straight to the dead-letter queue. Anywhere else: `RMQ_ERR_INVALID_STATE`.
#[no_mangle]
pub extern "C" fn rmq_consume_set_delay_level(level: i32) -> *mut rmq_error_t {
    fallible(|| {
        if !(-1..=18).contains(&level) {
            return Err(rmq_error_t::invalid(format!(
                "delay level {level} is not in -1..=18"
            )));
        }
        LISTENER_ASKS.with(|c| match c.get() {
            Some(ListenerAsks::Concurrently { .. }) => {
                c.set(Some(ListenerAsks::Concurrently {
                    delay_level: Some(level),
                }));
                Ok(())
            }
            _ => Err(rmq_error_t::new(
                rmq_err_t::RMQ_ERR_INVALID_STATE,
                "rmq_consume_set_delay_level is for a concurrent listener, on its thread",
            )),
        })
    })
}

/// Inside an orderly listener (`rmq_consume_orderly_cb`), on its thread: how
/// long (ms, > 0) the queue pauses if this call returns
/// `RMQ_SUSPEND_CURRENT_QUEUE_A_MOMENT`, instead of
/// `suspend.current.queue.time.ms`. Anywhere else: `RMQ_ERR_INVALID_STATE`.
#[no_mangle]
pub extern "C" fn rmq_consume_set_suspend_time_ms(ms: i64) -> *mut rmq_error_t {
    fallible(|| {
        if !(1..=3_600_000).contains(&ms) {
            return Err(rmq_error_t::invalid(format!(
                "suspend time {ms} ms is not in 1..=3600000"
            )));
        }
        LISTENER_ASKS.with(|c| match c.get() {
            Some(ListenerAsks::Orderly { .. }) => {
                c.set(Some(ListenerAsks::Orderly {
                    suspend: Some(std::time::Duration::from_millis(ms as u64)),
                }));
                Ok(())
            }
            _ => Err(rmq_error_t::new(
                rmq_err_t::RMQ_ERR_INVALID_STATE,
                "rmq_consume_set_suspend_time_ms is for an orderly listener, on its thread",
            )),
        })
    })
}

struct CConcurrently {
    cb: ConsumeFn,
    data: Arc<ListenerData>,
}

impl ConcurrentlyListener for CConcurrently {
    fn consume(
        &self,
        msgs: &[MessageExt],
        ctx: &mut ConsumeConcurrentlyContext,
    ) -> ConsumeConcurrentlyStatus {
        let mut ack = msgs.len() as i32 - 1;
        let (status, asks) = with_asks(ListenerAsks::Concurrently { delay_level: None }, || {
            self.data.call(msgs, |ud, ptrs, n| {
                // SAFETY: the contract of `rmq_consume_cb`: views and `ack` live
                // for the call.
                unsafe { (self.cb)(ud, ptrs, n, &mut ack) }
            })
        });
        if let ListenerAsks::Concurrently {
            delay_level: Some(level),
        } = asks
        {
            ctx.delay_level_when_next_consume = level;
        }
        match status {
            Some(s) if s == rmq_consume_status_t::RMQ_CONSUME_SUCCESS as i32 => {
                ctx.ack_index = ack.clamp(-1, msgs.len() as i32 - 1);
                ConsumeConcurrentlyStatus::ConsumeSuccess
            }
            _ => ConsumeConcurrentlyStatus::ReconsumeLater,
        }
    }
}

struct COrderly {
    cb: OrderlyFn,
    data: Arc<ListenerData>,
}

impl OrderlyListener for COrderly {
    fn consume(
        &self,
        msgs: &[MessageExt],
        ctx: &mut ConsumeOrderlyContext,
    ) -> ConsumeOrderlyStatus {
        let (status, asks) = with_asks(ListenerAsks::Orderly { suspend: None }, || {
            self.data.call(msgs, |ud, ptrs, n| {
                // SAFETY: the contract of `rmq_consume_orderly_cb`.
                unsafe { (self.cb)(ud, ptrs, n) }
            })
        });
        if let ListenerAsks::Orderly { suspend: Some(d) } = asks {
            ctx.suspend_current_queue_time = Some(d);
        }
        match status {
            Some(s) if s == rmq_consume_orderly_status_t::RMQ_ORDERLY_SUCCESS as i32 => {
                ConsumeOrderlyStatus::Success
            }
            _ => ConsumeOrderlyStatus::SuspendCurrentQueueAMoment,
        }
    }
}

/// # Safety
/// `p` is NULL or a live push consumer.
unsafe fn shared(p: *const rmq_push_consumer_t) -> FfiResult<Arc<Shared>> {
    Ok(arg_ref(p, "consumer")?.shared.clone())
}

fn call(
    p: *const rmq_push_consumer_t,
    f: impl FnOnce(&Shared) -> FfiResult<()>,
) -> *mut rmq_error_t {
    fallible(|| {
        // SAFETY: NULL or a live push consumer (header contract).
        let s = unsafe { shared(p)? };
        s.state.run(|| f(&s))
    })
}

fn shut_down_error() -> Box<rmq_error_t> {
    rmq_error_t::new(
        rmq_err_t::RMQ_ERR_SHUT_DOWN,
        "the consumer was shut down; create a new one",
    )
}

impl Shared {
    fn check_open(&self) -> FfiResult<()> {
        if self.shut_down.load(Ordering::Acquire) {
            Err(shut_down_error())
        } else {
            Ok(())
        }
    }
}

/// Creates a push consumer from `config`, which it takes ownership of
/// whether it succeeds or fails (the caller must not use or free it
/// afterwards). The settings `namesrv.addr` and `group` are required; the
/// consumer keys are listed at `rmq_config_set`. On success writes an owned
/// consumer to `*out` (not started; subscribe, then start it; free it with
/// `rmq_push_consumer_free`).
#[no_mangle]
pub extern "C" fn rmq_push_consumer_new(
    config: *mut rmq_config_t,
    out: *mut *mut rmq_push_consumer_t,
) -> *mut rmq_error_t {
    config::construct(config, out, |cfg| {
        Ok(rmq_push_consumer_t {
            shared: Arc::new(Shared {
                consumer: PushConsumer::new(push_consumer_config(cfg)?)?,
                state: HandleState::new(),
                listeners: Mutex::new(Vec::new()),
                shut_down: AtomicBool::new(false),
            }),
        })
    })
}

enum Expression {
    Tag,
    Sql92,
}

enum Callback {
    Concurrently(ConsumeFn),
    Orderly(OrderlyFn),
}

fn subscribe(
    consumer: *mut rmq_push_consumer_t,
    topic: *const c_char,
    expression: *const c_char,
    kind: Expression,
    callback: Option<Callback>,
    user_data: *mut c_void,
    free_user_data: rmq_free_cb,
) -> *mut rmq_error_t {
    call(consumer, |s| {
        // SAFETY: NULL or NUL-terminated strings (header contract).
        let (topic, expression) =
            unsafe { (arg_str(topic, "topic")?, arg_str(expression, "expression")?) };
        let callback = callback.ok_or_else(|| rmq_error_t::null_arg("listener"))?;
        s.check_open()?;
        let data = Arc::new(ListenerData {
            user_data: RwLock::new(Some(UserData::new(user_data, free_user_data))),
            state: s.state.clone(),
        });
        let listener = match callback {
            Callback::Concurrently(cb) => MessageListener::concurrently(CConcurrently {
                cb,
                data: data.clone(),
            }),
            Callback::Orderly(cb) => MessageListener::orderly(COrderly {
                cb,
                data: data.clone(),
            }),
        };
        let r = match kind {
            Expression::Tag => s.consumer.subscribe(topic, expression, listener),
            Expression::Sql92 => s.consumer.subscribe_sql92(topic, expression, listener),
        };
        match r {
            Ok(()) => {
                s.listeners.lock().push(data);
                Ok(())
            }
            Err(e) => {
                // The caller keeps its user data: nothing is finalized.
                if let Some(ud) = data.user_data.write().take() {
                    ud.disarm();
                }
                Err(e.into())
            }
        }
    })
}

/// Subscribes `topic` with a tag expression (`*` for every message, `TagA`,
/// `TagA || TagB`) and a concurrent listener (not NULL; see
/// `rmq_consume_cb`). Subscribing a topic again replaces its expression and
/// listener; every listener of a consumer must be concurrent, or every one
/// orderly. Allowed before and after `rmq_push_consumer_start`. The library
/// keeps `user_data` and calls `free_user_data(user_data)` (when not NULL)
/// exactly once, from `rmq_push_consumer_free` after the subscription's last
/// listener call returned (also for a replaced or removed subscription).
/// When this returns an error, the listener is never called and
/// `free_user_data` is not called.
#[no_mangle]
pub extern "C" fn rmq_push_consumer_subscribe(
    consumer: *mut rmq_push_consumer_t,
    topic: *const c_char,
    expression: *const c_char,
    listener: rmq_consume_cb,
    user_data: *mut c_void,
    free_user_data: rmq_free_cb,
) -> *mut rmq_error_t {
    subscribe(
        consumer,
        topic,
        expression,
        Expression::Tag,
        listener.map(Callback::Concurrently),
        user_data,
        free_user_data,
    )
}

/// As `rmq_push_consumer_subscribe`, with an SQL92 expression over message
/// properties (`a > 5 AND b = 'x'`); the broker needs `enablePropertyFilter=true`.
#[no_mangle]
pub extern "C" fn rmq_push_consumer_subscribe_sql92(
    consumer: *mut rmq_push_consumer_t,
    topic: *const c_char,
    sql: *const c_char,
    listener: rmq_consume_cb,
    user_data: *mut c_void,
    free_user_data: rmq_free_cb,
) -> *mut rmq_error_t {
    subscribe(
        consumer,
        topic,
        sql,
        Expression::Sql92,
        listener.map(Callback::Concurrently),
        user_data,
        free_user_data,
    )
}

/// As `rmq_push_consumer_subscribe`, with an orderly listener (not NULL; see
/// `rmq_consume_orderly_cb`): the messages of each queue are consumed in
/// queue order, one batch of a queue at a time.
#[no_mangle]
pub extern "C" fn rmq_push_consumer_subscribe_orderly(
    consumer: *mut rmq_push_consumer_t,
    topic: *const c_char,
    expression: *const c_char,
    listener: rmq_consume_orderly_cb,
    user_data: *mut c_void,
    free_user_data: rmq_free_cb,
) -> *mut rmq_error_t {
    subscribe(
        consumer,
        topic,
        expression,
        Expression::Tag,
        listener.map(Callback::Orderly),
        user_data,
        free_user_data,
    )
}

/// As `rmq_push_consumer_subscribe_orderly`, with an SQL92 expression.
#[no_mangle]
pub extern "C" fn rmq_push_consumer_subscribe_orderly_sql92(
    consumer: *mut rmq_push_consumer_t,
    topic: *const c_char,
    sql: *const c_char,
    listener: rmq_consume_orderly_cb,
    user_data: *mut c_void,
    free_user_data: rmq_free_cb,
) -> *mut rmq_error_t {
    subscribe(
        consumer,
        topic,
        sql,
        Expression::Sql92,
        listener.map(Callback::Orderly),
        user_data,
        free_user_data,
    )
}

/// Stops consuming `topic` (a topic not subscribed is OK): its listener is
/// not called again once the calls already running return, and its queues
/// are released at the next rebalance. The subscription's user data is
/// finalized by `rmq_push_consumer_free`.
#[no_mangle]
pub extern "C" fn rmq_push_consumer_unsubscribe(
    consumer: *mut rmq_push_consumer_t,
    topic: *const c_char,
) -> *mut rmq_error_t {
    call(consumer, |s| {
        // SAFETY: NULL or a NUL-terminated string (header contract).
        let topic = unsafe { arg_str(topic, "topic")? };
        s.check_open()?;
        s.consumer.unsubscribe(topic);
        Ok(())
    })
}

/// Starts consuming: connects, registers the group, and starts pulling and
/// rebalancing. At least one subscription is needed (`RMQ_ERR_INVALID_ARG`
/// otherwise). Starting a started consumer is OK; a shut-down one gives
/// `RMQ_ERR_SHUT_DOWN`.
#[no_mangle]
pub extern "C" fn rmq_push_consumer_start(consumer: *mut rmq_push_consumer_t) -> *mut rmq_error_t {
    call(consumer, |s| {
        s.check_open()?;
        Ok(s.consumer.start()?)
    })
}

/// Stops pulling at once (messages already fetched are still consumed).
/// Pausing twice is OK.
#[no_mangle]
pub extern "C" fn rmq_push_consumer_pause(consumer: *mut rmq_push_consumer_t) -> *mut rmq_error_t {
    call(consumer, |s| {
        s.check_open()?;
        s.consumer.pause();
        Ok(())
    })
}

/// Resumes pulling after `rmq_push_consumer_pause`. Resuming a consumer that
/// is not paused is OK.
#[no_mangle]
pub extern "C" fn rmq_push_consumer_resume(consumer: *mut rmq_push_consumer_t) -> *mut rmq_error_t {
    call(consumer, |s| {
        s.check_open()?;
        s.consumer.resume();
        Ok(())
    })
}

/// The queues the consumer owns now (after rebalancing), those of the
/// group's retry topic (`%RETRY%` + group, clustering) included. On success writes
/// an owned array of `*count` owned queues to `*queues`; free it with
/// `rmq_message_queues_free(*queues, *count)`.
#[no_mangle]
pub extern "C" fn rmq_push_consumer_assigned_queues(
    consumer: *mut rmq_push_consumer_t,
    queues: *mut *mut *mut rmq_message_queue_t,
    count: *mut usize,
) -> *mut rmq_error_t {
    call(consumer, |s| {
        check_array_out(queues, "queues", count)?;
        s.check_open()?;
        // SAFETY: both outputs were checked.
        unsafe { write_queues(s.consumer.assigned_queues(), queues, count) };
        Ok(())
    })
}

fn report_error(r: ShutdownReport, timeout_ms: u128) -> FfiResult<()> {
    if !r.drained || !r.threads_joined {
        return Err(rmq_error_t::new(
            rmq_err_t::RMQ_ERR_TIMEOUT,
            format!(
                "listeners were still running after shutdown.timeout.ms ({timeout_ms} ms); \
                 their messages were not committed and will be delivered again"
            ),
        ));
    }
    if r.offset_persist_failures > 0 {
        return Err(rmq_error_t::new(
            rmq_err_t::RMQ_ERR_NETWORK,
            format!(
                "the offsets of {} queues could not be written; their last messages will be delivered again",
                r.offset_persist_failures
            ),
        ));
    }
    Ok(())
}

/// Shuts the consumer down within `shutdown.timeout.ms`: stops pulling,
/// waits for running listener calls, writes the consumed offsets, unlocks
/// orderly queues, unregisters the group and joins the consume threads.
/// Messages fetched but not consumed are not committed and are delivered
/// again (to this group). The consumer is shut down even when this returns
/// an error: `RMQ_ERR_TIMEOUT` when listeners were still running at the
/// deadline, `RMQ_ERR_NETWORK` when offsets could not be written. Shutting
/// down twice is OK (the second call reports the first one's outcome).
/// Called from one of this consumer's own listeners it fails with
/// `RMQ_ERR_INVALID_STATE` (it would wait for itself) and changes nothing.
/// Afterwards every call but `rmq_push_consumer_shutdown` and
/// `rmq_push_consumer_free` fails with `RMQ_ERR_SHUT_DOWN`.
#[no_mangle]
pub extern "C" fn rmq_push_consumer_shutdown(
    consumer: *mut rmq_push_consumer_t,
) -> *mut rmq_error_t {
    call(consumer, |s| {
        if s.state.in_own_callback() {
            return Err(rmq_error_t::invalid_state(
                "rmq_push_consumer_shutdown was called from one of the consumer's own listeners; call it from another thread",
            ));
        }
        let report = s.consumer.shutdown_blocking()?;
        s.shut_down.store(true, Ordering::Release);
        report_error(report, s.consumer.config().shutdown_timeout.as_millis())
    })
}

/// Shuts the consumer down if needed (as `rmq_push_consumer_shutdown`) and
/// frees it; then calls every subscription's `free_user_data`. No listener
/// runs after this returns (it waits for running ones). Called from a
/// listener (any consumer's) or another callback, it returns at once and the
/// shutdown and release happen on a library thread once the callback
/// returns. NULL is a no-op.
#[no_mangle]
pub extern "C" fn rmq_push_consumer_free(consumer: *mut rmq_push_consumer_t) {
    infallible((), || {
        if consumer.is_null() {
            return;
        }
        // SAFETY: an owned consumer, not used again (header contract).
        let shared = unsafe { Box::from_raw(consumer) }.shared;
        release(move || {
            shared.shut_down.store(true, Ordering::Release);
            let _ = shared.consumer.shutdown_blocking();
            let all = std::mem::take(&mut *shared.listeners.lock());
            for data in all {
                let ud = data.user_data.write().take();
                drop(ud);
            }
        });
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::config::{rmq_config_new, rmq_config_set};
    use crate::ffi::error::rmq_error_free;
    use std::sync::atomic::AtomicUsize;

    static FREED: AtomicUsize = AtomicUsize::new(0);

    unsafe extern "C" fn free_ud(_: *mut c_void) {
        FREED.fetch_add(1, Ordering::SeqCst);
    }

    /// Consumes the first half of the batch.
    unsafe extern "C" fn half(
        ud: *mut c_void,
        msgs: *const *const rmq_message_view_t,
        n: usize,
        ack: *mut i32,
    ) -> i32 {
        let seen = &*(ud as *const AtomicUsize);
        let views = std::slice::from_raw_parts(msgs, n);
        for v in views {
            assert_eq!(super::super::message_view::rmq_message_view_queue_id(*v), 1);
        }
        seen.fetch_add(n, Ordering::SeqCst);
        assert_eq!(*ack, n as i32 - 1);
        *ack = n as i32 / 2 - 1;
        rmq_consume_status_t::RMQ_CONSUME_SUCCESS as i32
    }

    unsafe extern "C" fn odd(_: *mut c_void, _: *const *const rmq_message_view_t, _: usize) -> i32 {
        7
    }

    fn code(e: *mut rmq_error_t) -> rmq_err_t {
        assert!(!e.is_null());
        let c = unsafe { (*e).code() };
        rmq_error_free(e);
        c
    }

    #[test]
    fn listener_requests_only_inside_their_listener() {
        assert_eq!(
            code(rmq_consume_set_delay_level(1)),
            rmq_err_t::RMQ_ERR_INVALID_STATE
        );
        assert_eq!(
            code(rmq_consume_set_suspend_time_ms(10)),
            rmq_err_t::RMQ_ERR_INVALID_STATE
        );
        let (r, asks) = with_asks(ListenerAsks::Concurrently { delay_level: None }, || {
            assert_eq!(
                code(rmq_consume_set_delay_level(19)),
                rmq_err_t::RMQ_ERR_INVALID_ARG
            );
            assert_eq!(
                code(rmq_consume_set_suspend_time_ms(10)),
                rmq_err_t::RMQ_ERR_INVALID_STATE
            );
            rmq_consume_set_delay_level(-1)
        });
        assert!(r.is_null());
        assert!(matches!(
            asks,
            ListenerAsks::Concurrently {
                delay_level: Some(-1)
            }
        ));
        let (r, asks) = with_asks(ListenerAsks::Orderly { suspend: None }, || {
            rmq_consume_set_suspend_time_ms(250)
        });
        assert!(r.is_null());
        assert!(matches!(
            asks,
            ListenerAsks::Orderly { suspend: Some(d) } if d.as_millis() == 250
        ));
        // Outside again.
        assert_eq!(
            code(rmq_consume_set_delay_level(1)),
            rmq_err_t::RMQ_ERR_INVALID_STATE
        );
    }

    fn new_consumer() -> *mut rmq_push_consumer_t {
        let cfg = rmq_config_new();
        for (k, v) in [
            (c"namesrv.addr", c"127.0.0.1:9"),
            (c"group", c"ffi_push_unit"),
            (c"consume.thread.count", c"2"),
        ] {
            assert!(rmq_config_set(cfg, k.as_ptr(), v.as_ptr()).is_null());
        }
        let mut c = std::ptr::null_mut();
        assert!(rmq_push_consumer_new(cfg, &mut c).is_null());
        c
    }

    fn msgs(n: usize) -> Vec<MessageExt> {
        (0..n)
            .map(|i| MessageExt {
                topic: "T".into(),
                queue_id: 1,
                queue_offset: i as i64,
                ..Default::default()
            })
            .collect()
    }

    #[test]
    fn listeners_translate_statuses_and_ack_index() {
        let state = HandleState::new();
        let seen = AtomicUsize::new(0);
        let data = Arc::new(ListenerData {
            user_data: RwLock::new(Some(UserData::new(
                &seen as *const AtomicUsize as *mut c_void,
                None,
            ))),
            state: state.clone(),
        });
        let l = CConcurrently {
            cb: half,
            data: data.clone(),
        };
        let mut ctx = ConsumeConcurrentlyContext::new(Default::default());
        assert_eq!(
            l.consume(&msgs(4), &mut ctx),
            ConsumeConcurrentlyStatus::ConsumeSuccess
        );
        assert_eq!(ctx.ack_index, 1);
        assert_eq!(seen.load(Ordering::SeqCst), 4);
        let o = COrderly {
            cb: odd,
            data: data.clone(),
        };
        let mut octx = ConsumeOrderlyContext::new(Default::default());
        assert_eq!(
            o.consume(&msgs(1), &mut octx),
            ConsumeOrderlyStatus::SuspendCurrentQueueAMoment
        );
        // Once the user data is taken, listeners answer "later" without calling C.
        drop(data.user_data.write().take());
        assert_eq!(
            l.consume(&msgs(2), &mut ctx),
            ConsumeConcurrentlyStatus::ReconsumeLater
        );
        assert_eq!(seen.load(Ordering::SeqCst), 4);
    }

    #[test]
    fn arguments_lifecycle_and_user_data() {
        let mut out = std::ptr::null_mut();
        assert_eq!(
            code(rmq_push_consumer_new(std::ptr::null_mut(), &mut out)),
            rmq_err_t::RMQ_ERR_NULL_ARG
        );
        assert_eq!(
            code(rmq_push_consumer_new(
                rmq_config_new(),
                std::ptr::null_mut()
            )),
            rmq_err_t::RMQ_ERR_NULL_ARG
        );
        assert_eq!(
            code(rmq_push_consumer_new(rmq_config_new(), &mut out)),
            rmq_err_t::RMQ_ERR_INVALID_ARG
        );
        assert!(out.is_null());

        let c = new_consumer();
        let before = FREED.load(Ordering::SeqCst);
        let t = c"T".as_ptr();
        let star = c"*".as_ptr();
        let ud = std::ptr::null_mut();
        for e in [
            rmq_push_consumer_subscribe(
                std::ptr::null_mut(),
                t,
                star,
                Some(half),
                ud,
                Some(free_ud),
            ),
            rmq_push_consumer_subscribe(c, std::ptr::null(), star, Some(half), ud, Some(free_ud)),
            rmq_push_consumer_subscribe(c, t, std::ptr::null(), Some(half), ud, Some(free_ud)),
            rmq_push_consumer_subscribe(c, t, star, None, ud, Some(free_ud)),
            rmq_push_consumer_subscribe_orderly(c, t, star, None, ud, Some(free_ud)),
            rmq_push_consumer_unsubscribe(c, std::ptr::null()),
            rmq_push_consumer_start(std::ptr::null_mut()),
        ] {
            assert_eq!(code(e), rmq_err_t::RMQ_ERR_NULL_ARG);
        }
        // Nothing subscribed yet.
        assert_eq!(
            code(rmq_push_consumer_start(c)),
            rmq_err_t::RMQ_ERR_INVALID_ARG
        );
        assert!(rmq_push_consumer_subscribe(c, t, star, Some(half), ud, Some(free_ud)).is_null());
        // Mixing orderly and concurrent listeners is refused; the user data stays the caller's.
        assert_eq!(
            code(rmq_push_consumer_subscribe_orderly(
                c,
                c"U".as_ptr(),
                star,
                Some(odd),
                ud,
                Some(free_ud)
            )),
            rmq_err_t::RMQ_ERR_INVALID_ARG
        );
        assert_eq!(
            code(rmq_push_consumer_subscribe(
                c,
                c"bad topic!".as_ptr(),
                star,
                Some(half),
                ud,
                Some(free_ud)
            )),
            rmq_err_t::RMQ_ERR_INVALID_ARG
        );
        // Replacing a subscription keeps both user data until free.
        assert!(rmq_push_consumer_subscribe(
            c,
            t,
            c"a || b".as_ptr(),
            Some(half),
            ud,
            Some(free_ud)
        )
        .is_null());
        assert!(rmq_push_consumer_unsubscribe(c, t).is_null());
        assert!(rmq_push_consumer_pause(c).is_null());
        assert!(rmq_push_consumer_resume(c).is_null());
        assert_eq!(FREED.load(Ordering::SeqCst), before);
        assert!(rmq_push_consumer_shutdown(c).is_null());
        assert!(rmq_push_consumer_shutdown(c).is_null());
        for e in [
            rmq_push_consumer_start(c),
            rmq_push_consumer_pause(c),
            rmq_push_consumer_resume(c),
            rmq_push_consumer_unsubscribe(c, t),
            rmq_push_consumer_subscribe(c, t, star, Some(half), ud, Some(free_ud)),
        ] {
            assert_eq!(code(e), rmq_err_t::RMQ_ERR_SHUT_DOWN);
        }
        assert_eq!(FREED.load(Ordering::SeqCst), before);
        rmq_push_consumer_free(c);
        assert_eq!(FREED.load(Ordering::SeqCst), before + 2);
        rmq_push_consumer_free(std::ptr::null_mut());
    }

    #[test]
    fn shutdown_inside_own_listener_is_refused() {
        let c = new_consumer();
        let s = unsafe { shared(c) }.unwrap();
        {
            let _scope = s.state.callback_scope();
            assert_eq!(
                code(rmq_push_consumer_shutdown(c)),
                rmq_err_t::RMQ_ERR_INVALID_STATE
            );
        }
        assert!(!s.shut_down.load(Ordering::SeqCst));
        drop(s);
        rmq_push_consumer_free(c);
    }
}
