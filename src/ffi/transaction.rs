//! `rmq_transaction_producer_t`: the transaction producer.

use std::ffi::c_void;
use std::sync::Arc;

use parking_lot::RwLock;

use super::boundary::{arg_ref, check_out, fallible, infallible, write_out};
use super::config::{self, producer_config, rmq_config_t};
use super::error::{rmq_error_t, FfiResult};
use super::handle::{release, HandleState};
use super::message::{message_arg, rmq_message_t};
use super::message_view::rmq_message_view_t;
use super::send_result::{rmq_send_result_t, rmq_transaction_state_t};
use super::userdata::{rmq_free_cb, UserData};
use crate::producer::{LocalTransactionState, TransactionListener, TransactionProducer};
use crate::protocol::message::{Message, MessageExt};

/// A transaction producer. Thread-safe like `rmq_producer_t`.
#[allow(non_camel_case_types)]
pub struct rmq_transaction_producer_t {
    shared: Arc<Shared>,
}

struct Shared {
    tp: TransactionProducer,
    listener: Arc<CListener>,
    state: Arc<HandleState>,
}

/// Runs the local transaction of a half message the broker stored: returns
/// an `RMQ_TRANSACTION_*` value (anything else counts as unknown). `msg` is
/// the message as sent (`rmq_message_transaction_id` gives the transaction
/// id the broker assigned) and `arg` the pointer given to
/// `rmq_transaction_producer_send_in_transaction`; `msg` is borrowed for the
/// call. Runs on the thread that called `..._send_in_transaction`.
#[allow(non_camel_case_types)]
pub type rmq_transaction_execute_cb = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        msg: *const rmq_message_t,
        arg: *mut c_void,
    ) -> i32,
>;

/// Answers the broker's question about a half message whose outcome was
/// unknown: returns an `RMQ_TRANSACTION_*` value (anything else counts as
/// unknown). `msg` is borrowed for the call. Runs on the producer's checker
/// thread (one per transaction producer, checks in order).
#[allow(non_camel_case_types)]
pub type rmq_transaction_check_cb =
    Option<unsafe extern "C" fn(user_data: *mut c_void, msg: *const rmq_message_view_t) -> i32>;

type ExecuteFn = unsafe extern "C" fn(*mut c_void, *const rmq_message_t, *mut c_void) -> i32;
type CheckFn = unsafe extern "C" fn(*mut c_void, *const rmq_message_view_t) -> i32;

fn state_of(v: i32) -> LocalTransactionState {
    match v {
        x if x == rmq_transaction_state_t::RMQ_TRANSACTION_COMMIT as i32 => {
            LocalTransactionState::Commit
        }
        x if x == rmq_transaction_state_t::RMQ_TRANSACTION_ROLLBACK as i32 => {
            LocalTransactionState::Rollback
        }
        _ => LocalTransactionState::Unknown,
    }
}

/// The C callbacks as the engine's listener. The user data is taken out
/// (and finalized) at free; callbacks after that answer "unknown".
struct CListener {
    execute: ExecuteFn,
    check: CheckFn,
    user_data: RwLock<Option<UserData>>,
    state: Arc<HandleState>,
}

impl TransactionListener for CListener {
    fn execute_local_transaction(&self, msg: &Message, arg: usize) -> LocalTransactionState {
        let ud = self.user_data.read_recursive();
        let Some(ud) = ud.as_ref() else {
            return LocalTransactionState::Unknown;
        };
        let m = rmq_message_t::new(msg.clone());
        let _scope = self.state.callback_scope();
        // SAFETY: the contract of `rmq_transaction_execute_cb`.
        state_of(unsafe { (self.execute)(ud.ptr(), &m, arg as *mut c_void) })
    }

    fn check_local_transaction(&self, msg: &MessageExt) -> LocalTransactionState {
        let ud = self.user_data.read_recursive();
        let Some(ud) = ud.as_ref() else {
            return LocalTransactionState::Unknown;
        };
        let v = rmq_message_view_t::new(Arc::new(msg.clone()));
        let _scope = self.state.callback_scope();
        // SAFETY: the contract of `rmq_transaction_check_cb`.
        state_of(unsafe { (self.check)(ud.ptr(), &v) })
    }
}

/// # Safety
/// `p` is NULL or a live transaction producer.
unsafe fn shared(p: *const rmq_transaction_producer_t) -> FfiResult<Arc<Shared>> {
    Ok(arg_ref(p, "producer")?.shared.clone())
}

fn call(
    p: *const rmq_transaction_producer_t,
    f: impl FnOnce(&Shared) -> FfiResult<()>,
) -> *mut rmq_error_t {
    fallible(|| {
        // SAFETY: NULL or a live transaction producer (header contract).
        let s = unsafe { shared(p)? };
        s.state.run(|| f(&s))
    })
}

/// Creates a transaction producer from `config` (taken over whether this
/// succeeds or fails; see `rmq_producer_new`) with its two callbacks (not
/// NULL) and their `user_data`. `free_user_data(user_data)` (when not NULL)
/// is called exactly once: by `rmq_transaction_producer_free` after the last
/// callback returned, or before this returns when it fails. On success
/// writes an owned producer to `*out` (not started).
#[no_mangle]
pub extern "C" fn rmq_transaction_producer_new(
    config: *mut rmq_config_t,
    execute: rmq_transaction_execute_cb,
    check: rmq_transaction_check_cb,
    user_data: *mut c_void,
    free_user_data: rmq_free_cb,
    out: *mut *mut rmq_transaction_producer_t,
) -> *mut rmq_error_t {
    // Dropped with the closure (calling `free_user_data`) when a check fails.
    let ud = UserData::new(user_data, free_user_data);
    config::construct(config, out, move |cfg| {
        let execute = execute.ok_or_else(|| rmq_error_t::null_arg("execute"))?;
        let check = check.ok_or_else(|| rmq_error_t::null_arg("check"))?;
        let pc = producer_config(cfg)?;
        let state = HandleState::new();
        let listener = Arc::new(CListener {
            execute,
            check,
            user_data: RwLock::new(Some(ud)),
            state: state.clone(),
        });
        let tp = TransactionProducer::new(pc, listener.clone())?;
        Ok(rmq_transaction_producer_t {
            shared: Arc::new(Shared {
                tp,
                listener,
                state,
            }),
        })
    })
}

/// Starts the transaction producer (see `rmq_producer_start`).
#[no_mangle]
pub extern "C" fn rmq_transaction_producer_start(
    producer: *mut rmq_transaction_producer_t,
) -> *mut rmq_error_t {
    call(producer, |s| Ok(s.tp.start()?))
}

/// Sends `msg` (copied) as a half message, runs the execute callback with
/// `arg` (on this thread), then commits, rolls back or leaves the outcome to
/// the check callback. Delayed messages are refused. On success writes an
/// owned result to `*result`; `rmq_send_result_transaction_state` tells the
/// local transaction's outcome. A half message stored with a status other
/// than `RMQ_SEND_OK` is rolled back without calling the execute callback;
/// a failed send returns its error.
#[no_mangle]
pub extern "C" fn rmq_transaction_producer_send_in_transaction(
    producer: *mut rmq_transaction_producer_t,
    msg: *const rmq_message_t,
    arg: *mut c_void,
    result: *mut *mut rmq_send_result_t,
) -> *mut rmq_error_t {
    call(producer, |s| {
        check_out(result, "result")?;
        // SAFETY: NULL or a live message (header contract).
        let msg = unsafe { message_arg(msg, "msg")? };
        let r = s.tp.send_message_in_transaction(msg, arg as usize)?;
        // SAFETY: `result` was checked.
        unsafe {
            write_out(
                result,
                Box::new(rmq_send_result_t::new(r.send, Some(r.state))),
            )
        };
        Ok(())
    })
}

/// Shuts the transaction producer down (see `rmq_producer_shutdown`) and
/// stops its checker thread after the checks already queued. Twice is OK.
/// From one of its own callbacks: `RMQ_ERR_INVALID_STATE`.
#[no_mangle]
pub extern "C" fn rmq_transaction_producer_shutdown(
    producer: *mut rmq_transaction_producer_t,
) -> *mut rmq_error_t {
    call(producer, |s| {
        if s.state.in_own_callback() {
            return Err(rmq_error_t::invalid_state(
                "rmq_transaction_producer_shutdown was called from one of its own callbacks; call it from another thread",
            ));
        }
        Ok(s.tp.shutdown_blocking()?)
    })
}

/// Shuts down if needed and frees the transaction producer; then calls
/// `free_user_data`. No callback runs after this returns. Called from a
/// callback, it returns at once and the rest happens on a library thread
/// once the callback returns. NULL is a no-op.
#[no_mangle]
pub extern "C" fn rmq_transaction_producer_free(producer: *mut rmq_transaction_producer_t) {
    infallible((), || {
        if producer.is_null() {
            return;
        }
        // SAFETY: an owned producer, not used again (header contract).
        let shared = unsafe { Box::from_raw(producer) }.shared;
        release(move || {
            let _ = shared.tp.shutdown_blocking();
            let ud = shared.listener.user_data.write().take();
            drop(ud);
        });
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::config::{rmq_config_new, rmq_config_set};
    use crate::ffi::error::{rmq_err_t, rmq_error_free};
    use std::sync::atomic::{AtomicUsize, Ordering};

    static FREED: AtomicUsize = AtomicUsize::new(0);

    unsafe extern "C" fn exec(_: *mut c_void, _: *const rmq_message_t, _: *mut c_void) -> i32 {
        1
    }
    unsafe extern "C" fn chk(_: *mut c_void, _: *const rmq_message_view_t) -> i32 {
        77
    }
    unsafe extern "C" fn free_ud(_: *mut c_void) {
        FREED.fetch_add(1, Ordering::SeqCst);
    }

    fn cfg() -> *mut rmq_config_t {
        let c = rmq_config_new();
        for (k, v) in [
            (c"namesrv.addr", c"127.0.0.1:9"),
            (c"group", c"ffi_tx_unit"),
        ] {
            assert!(rmq_config_set(c, k.as_ptr(), v.as_ptr()).is_null());
        }
        c
    }

    #[test]
    fn user_data_is_freed_exactly_once_on_every_path() {
        let before = FREED.load(Ordering::SeqCst);
        // Failure: a NULL callback; the user data is finalized at once.
        let mut p = std::ptr::null_mut();
        let e = rmq_transaction_producer_new(
            cfg(),
            Some(exec),
            None,
            std::ptr::null_mut(),
            Some(free_ud),
            &mut p,
        );
        assert_eq!(unsafe { (*e).code() }, rmq_err_t::RMQ_ERR_NULL_ARG);
        rmq_error_free(e);
        assert_eq!(FREED.load(Ordering::SeqCst), before + 1);
        // Success, then free.
        let e = rmq_transaction_producer_new(
            cfg(),
            Some(exec),
            Some(chk),
            std::ptr::null_mut(),
            Some(free_ud),
            &mut p,
        );
        assert!(e.is_null());
        let s = unsafe { shared(p) }.unwrap();
        let m = MessageExt::default();
        assert_eq!(
            s.listener.check_local_transaction(&m),
            LocalTransactionState::Unknown
        );
        assert_eq!(
            s.listener
                .execute_local_transaction(&Message::new("T", "b"), 0),
            LocalTransactionState::Commit
        );
        drop(s);
        rmq_transaction_producer_free(p);
        assert_eq!(FREED.load(Ordering::SeqCst), before + 2);
        assert_eq!(state_of(2), LocalTransactionState::Rollback);
    }
}
