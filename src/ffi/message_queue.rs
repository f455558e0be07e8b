//! `rmq_message_queue_t`: one queue of a topic (topic, broker name, queue id).

use std::ffi::{c_char, CString};

use super::boundary::{
    arg_str, check_out, fallible, free_box, free_boxes, infallible, write_array, write_out,
};
use super::cstr::c_string;
use super::error::rmq_error_t;
use crate::protocol::MessageQueue;

/// A queue: topic, broker name and queue id. Immutable and thread-safe.
#[allow(non_camel_case_types)]
pub struct rmq_message_queue_t {
    pub(crate) mq: MessageQueue,
    topic: CString,
    broker_name: CString,
}

impl rmq_message_queue_t {
    pub(crate) fn new(mq: MessageQueue) -> rmq_message_queue_t {
        rmq_message_queue_t {
            topic: c_string(&mq.topic),
            broker_name: c_string(&mq.broker_name),
            mq,
        }
    }
}

/// Creates a queue (strings copied). On success writes an owned queue to
/// `*out`; free it with `rmq_message_queue_free`. Fails for a negative queue id.
#[no_mangle]
pub extern "C" fn rmq_message_queue_new(
    topic: *const c_char,
    broker_name: *const c_char,
    queue_id: i32,
    out: *mut *mut rmq_message_queue_t,
) -> *mut rmq_error_t {
    fallible(|| {
        check_out(out, "out")?;
        // SAFETY: NULL or NUL-terminated strings (header contract).
        let (topic, broker) = unsafe {
            (
                arg_str(topic, "topic")?,
                arg_str(broker_name, "broker_name")?,
            )
        };
        if queue_id < 0 {
            return Err(rmq_error_t::invalid("the queue id must not be negative"));
        }
        let q = rmq_message_queue_t::new(MessageQueue {
            topic: topic.to_owned(),
            broker_name: broker.to_owned(),
            queue_id,
        });
        // SAFETY: `out` was checked.
        unsafe { write_out(out, Box::new(q)) };
        Ok(())
    })
}

/// The topic (borrowed from `q`); NULL for NULL.
#[no_mangle]
pub extern "C" fn rmq_message_queue_topic(q: *const rmq_message_queue_t) -> *const c_char {
    infallible(std::ptr::null(), || {
        // SAFETY: NULL or a live queue (header contract).
        unsafe { q.as_ref() }.map_or(std::ptr::null(), |q| q.topic.as_ptr())
    })
}

/// The broker name (borrowed from `q`); NULL for NULL.
#[no_mangle]
pub extern "C" fn rmq_message_queue_broker_name(q: *const rmq_message_queue_t) -> *const c_char {
    infallible(std::ptr::null(), || {
        // SAFETY: NULL or a live queue (header contract).
        unsafe { q.as_ref() }.map_or(std::ptr::null(), |q| q.broker_name.as_ptr())
    })
}

/// The queue id; -1 for NULL.
#[no_mangle]
pub extern "C" fn rmq_message_queue_queue_id(q: *const rmq_message_queue_t) -> i32 {
    infallible(-1, || {
        // SAFETY: NULL or a live queue (header contract).
        unsafe { q.as_ref() }.map_or(-1, |q| q.mq.queue_id)
    })
}

/// Frees a queue. NULL is a no-op. Never free a queue borrowed by a callback.
#[no_mangle]
pub extern "C" fn rmq_message_queue_free(q: *mut rmq_message_queue_t) {
    infallible((), || {
        // SAFETY: NULL or an owned queue, not used again (header contract).
        unsafe { free_box(q) }
    })
}

/// Frees an array of `count` queues from `rmq_producer_queues` (or another
/// function that returns a queue array), and the queues in it. NULL is a no-op.
#[no_mangle]
pub extern "C" fn rmq_message_queues_free(queues: *mut *mut rmq_message_queue_t, count: usize) {
    infallible((), || {
        // SAFETY: NULL or an array of owned queues from `write_queues` with
        // this count, not used again (header contract).
        unsafe { free_boxes(queues, count) }
    })
}

/// Writes `all` as an owned array of owned queues to `*queues` and its
/// length to `*count`; `rmq_message_queues_free` frees it.
///
/// # Safety
/// Both outputs were checked with `check_array_out` and are writable.
pub(crate) unsafe fn write_queues(
    all: Vec<MessageQueue>,
    queues: *mut *mut *mut rmq_message_queue_t,
    count: *mut usize,
) {
    write_array(owned(all), queues, count);
}

fn owned(queues: Vec<MessageQueue>) -> Vec<*mut rmq_message_queue_t> {
    queues
        .into_iter()
        .map(|q| Box::into_raw(Box::new(rmq_message_queue_t::new(q))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn new_getters_free() {
        let mut q = std::ptr::null_mut();
        let e = rmq_message_queue_new(c"T".as_ptr(), c"broker-a".as_ptr(), 2, &mut q);
        assert!(e.is_null());
        assert_eq!(
            unsafe { CStr::from_ptr(rmq_message_queue_topic(q)) }.to_bytes(),
            b"T"
        );
        assert_eq!(
            unsafe { CStr::from_ptr(rmq_message_queue_broker_name(q)) }.to_bytes(),
            b"broker-a"
        );
        assert_eq!(rmq_message_queue_queue_id(q), 2);
        rmq_message_queue_free(q);
        let e = rmq_message_queue_new(c"T".as_ptr(), c"b".as_ptr(), -1, &mut q);
        assert!(!e.is_null());
        super::super::error::rmq_error_free(e);
        let (mut arr, mut n) = (std::ptr::null_mut(), 0);
        unsafe { write_queues(vec![MessageQueue::default(); 2], &mut arr, &mut n) };
        assert_eq!(n, 2);
        rmq_message_queues_free(arr, n);
        unsafe { write_queues(vec![], &mut arr, &mut n) };
        assert!(!arr.is_null());
        assert_eq!(n, 0);
        rmq_message_queues_free(arr, n);
        rmq_message_queues_free(std::ptr::null_mut(), 0);
    }
}
