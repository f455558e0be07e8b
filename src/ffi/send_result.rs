//! `rmq_send_result_t`: what a successful send returns.

use std::ffi::c_char;

use super::boundary::{free_box, infallible};
use super::cstr::LazyCStr;
use crate::producer::{LocalTransactionState, SendResult, SendStatus};

/// How the broker stored a message.
#[allow(non_camel_case_types, clippy::enum_variant_names)]
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum rmq_send_status_t {
    /// Stored.
    RMQ_SEND_OK = 0,
    /// Stored, but flushing to disk timed out (synchronous flush brokers).
    RMQ_SEND_FLUSH_DISK_TIMEOUT = 1,
    /// Stored, but replicating to the slave timed out (synchronous replication).
    RMQ_SEND_FLUSH_SLAVE_TIMEOUT = 2,
    /// Stored, but no slave was available (synchronous replication).
    RMQ_SEND_SLAVE_NOT_AVAILABLE = 3,
}

/// The outcome of a local transaction, returned by the execute and check
/// callbacks of a transaction producer. Any other value counts as unknown.
#[allow(non_camel_case_types)]
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum rmq_transaction_state_t {
    /// Not known yet: the broker will ask the check callback later.
    RMQ_TRANSACTION_UNKNOWN = 0,
    /// Commit: consumers get the message.
    RMQ_TRANSACTION_COMMIT = 1,
    /// Roll back: the message is dropped.
    RMQ_TRANSACTION_ROLLBACK = 2,
}

impl rmq_transaction_state_t {
    pub(crate) fn of(s: LocalTransactionState) -> Self {
        match s {
            LocalTransactionState::Commit => rmq_transaction_state_t::RMQ_TRANSACTION_COMMIT,
            LocalTransactionState::Rollback => rmq_transaction_state_t::RMQ_TRANSACTION_ROLLBACK,
            LocalTransactionState::Unknown => rmq_transaction_state_t::RMQ_TRANSACTION_UNKNOWN,
        }
    }
}

/// A send result. Read-only and thread-safe; its strings are borrowed and
/// valid until it is freed (or, in a callback, until the callback returns).
#[allow(non_camel_case_types)]
pub struct rmq_send_result_t {
    r: SendResult,
    tx_state: Option<LocalTransactionState>,
    msg_id: LazyCStr,
    offset_msg_id: LazyCStr,
    topic: LazyCStr,
    broker_name: LazyCStr,
    transaction_id: LazyCStr,
}

impl rmq_send_result_t {
    pub(crate) fn new(r: SendResult, tx_state: Option<LocalTransactionState>) -> rmq_send_result_t {
        rmq_send_result_t {
            r,
            tx_state,
            msg_id: LazyCStr::default(),
            offset_msg_id: LazyCStr::default(),
            topic: LazyCStr::default(),
            broker_name: LazyCStr::default(),
            transaction_id: LazyCStr::default(),
        }
    }
}

fn with<R: Copy>(
    r: *const rmq_send_result_t,
    default: R,
    f: impl FnOnce(&rmq_send_result_t) -> R,
) -> R {
    infallible(default, || {
        // SAFETY: NULL or a live result (header contract).
        unsafe { r.as_ref() }.map_or(default, f)
    })
}

const NUL: *const c_char = std::ptr::null();

/// The store status; `RMQ_SEND_OK` for NULL.
#[no_mangle]
pub extern "C" fn rmq_send_result_status(r: *const rmq_send_result_t) -> rmq_send_status_t {
    with(r, rmq_send_status_t::RMQ_SEND_OK, |r| match r.r.status {
        SendStatus::SendOk => rmq_send_status_t::RMQ_SEND_OK,
        SendStatus::FlushDiskTimeout => rmq_send_status_t::RMQ_SEND_FLUSH_DISK_TIMEOUT,
        SendStatus::FlushSlaveTimeout => rmq_send_status_t::RMQ_SEND_FLUSH_SLAVE_TIMEOUT,
        SendStatus::SlaveNotAvailable => rmq_send_status_t::RMQ_SEND_SLAVE_NOT_AVAILABLE,
    })
}

/// The message id (the client's unique key; comma-separated for a batch), borrowed.
#[no_mangle]
pub extern "C" fn rmq_send_result_msg_id(r: *const rmq_send_result_t) -> *const c_char {
    with(r, NUL, |r| r.msg_id.get(|| r.r.msg_id.clone()))
}

/// The broker's offset message id (comma-separated for a batch), borrowed.
#[no_mangle]
pub extern "C" fn rmq_send_result_offset_msg_id(r: *const rmq_send_result_t) -> *const c_char {
    with(r, NUL, |r| {
        r.offset_msg_id.get(|| r.r.offset_msg_id.clone())
    })
}

/// The topic the message was stored in (without namespace), borrowed.
#[no_mangle]
pub extern "C" fn rmq_send_result_topic(r: *const rmq_send_result_t) -> *const c_char {
    with(r, NUL, |r| r.topic.get(|| r.r.queue.topic.clone()))
}

/// The name of the broker that stored it, borrowed.
#[no_mangle]
pub extern "C" fn rmq_send_result_broker_name(r: *const rmq_send_result_t) -> *const c_char {
    with(r, NUL, |r| {
        r.broker_name.get(|| r.r.queue.broker_name.clone())
    })
}

/// The queue id; -1 for NULL.
#[no_mangle]
pub extern "C" fn rmq_send_result_queue_id(r: *const rmq_send_result_t) -> i32 {
    with(r, -1, |r| r.r.queue.queue_id)
}

/// The offset in the queue (of the first message, for a batch); -1 for NULL.
#[no_mangle]
pub extern "C" fn rmq_send_result_queue_offset(r: *const rmq_send_result_t) -> i64 {
    with(r, -1, |r| r.r.queue_offset)
}

/// The transaction id the broker returned (brokers return one for every
/// send; it identifies the transaction of a transactional send), borrowed;
/// NULL when there was none.
#[no_mangle]
pub extern "C" fn rmq_send_result_transaction_id(r: *const rmq_send_result_t) -> *const c_char {
    with(r, NUL, |r| match &r.r.transaction_id {
        Some(t) => r.transaction_id.get(|| t.clone()),
        None => NUL,
    })
}

/// The state the local transaction ended in, for a result of
/// `rmq_transaction_producer_send_in_transaction`; `RMQ_TRANSACTION_UNKNOWN`
/// for other results and for NULL.
#[no_mangle]
pub extern "C" fn rmq_send_result_transaction_state(
    r: *const rmq_send_result_t,
) -> rmq_transaction_state_t {
    with(r, rmq_transaction_state_t::RMQ_TRANSACTION_UNKNOWN, |r| {
        r.tx_state.map_or(
            rmq_transaction_state_t::RMQ_TRANSACTION_UNKNOWN,
            rmq_transaction_state_t::of,
        )
    })
}

/// Frees a result. NULL is a no-op. Never free a result borrowed by a callback.
#[no_mangle]
pub extern "C" fn rmq_send_result_free(r: *mut rmq_send_result_t) {
    infallible((), || {
        // SAFETY: NULL or an owned result, not used again (header contract).
        unsafe { free_box(r) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::MessageQueue;
    use std::ffi::CStr;

    #[test]
    fn getters() {
        let sr = SendResult {
            status: SendStatus::FlushDiskTimeout,
            msg_id: "M".into(),
            offset_msg_id: "O".into(),
            queue: MessageQueue {
                topic: "T".into(),
                broker_name: "broker-a".into(),
                queue_id: 1,
            },
            queue_offset: 9,
            transaction_id: Some("X".into()),
            region_id: String::new(),
            trace_on: false,
        };
        let r = Box::into_raw(Box::new(rmq_send_result_t::new(
            sr,
            Some(LocalTransactionState::Commit),
        )));
        let s = |p: *const c_char| unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned();
        assert_eq!(
            rmq_send_result_status(r),
            rmq_send_status_t::RMQ_SEND_FLUSH_DISK_TIMEOUT
        );
        assert_eq!(s(rmq_send_result_msg_id(r)), "M");
        assert_eq!(s(rmq_send_result_offset_msg_id(r)), "O");
        assert_eq!(s(rmq_send_result_topic(r)), "T");
        assert_eq!(s(rmq_send_result_broker_name(r)), "broker-a");
        assert_eq!(s(rmq_send_result_transaction_id(r)), "X");
        assert_eq!(rmq_send_result_queue_id(r), 1);
        assert_eq!(rmq_send_result_queue_offset(r), 9);
        assert_eq!(
            rmq_send_result_transaction_state(r),
            rmq_transaction_state_t::RMQ_TRANSACTION_COMMIT
        );
        rmq_send_result_free(r);
        assert!(rmq_send_result_msg_id(std::ptr::null()).is_null());
        assert_eq!(rmq_send_result_queue_offset(std::ptr::null()), -1);
        rmq_send_result_free(std::ptr::null_mut());
    }
}
