//! `rmq_message_queue_t`: one queue of a topic (topic, broker name, queue id).

use std::ffi::{c_char, CString};

use super::boundary::{arg_str, check_out, fallible, free_box, infallible, write_out};
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
        if queues.is_null() {
            return;
        }
        // SAFETY: the array came from `rmq_producer_queues` with this count
        // (a boxed slice), and is not used again (header contract).
        let all = unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(queues, count)) };
        for q in all.iter() {
            // SAFETY: each element is an owned queue of that array.
            unsafe { free_box(*q) };
        }
    })
}

/// `queues` as a C array of owned queues.
pub(crate) fn queue_array(queues: Vec<MessageQueue>) -> (*mut *mut rmq_message_queue_t, usize) {
    let all: Box<[*mut rmq_message_queue_t]> = queues
        .into_iter()
        .map(|q| Box::into_raw(Box::new(rmq_message_queue_t::new(q))))
        .collect();
    let n = all.len();
    (Box::into_raw(all).cast(), n)
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
        let (arr, n) = queue_array(vec![MessageQueue::default(), MessageQueue::default()]);
        assert_eq!(n, 2);
        rmq_message_queues_free(arr, n);
        let (arr, n) = queue_array(vec![]);
        rmq_message_queues_free(arr, n);
        rmq_message_queues_free(std::ptr::null_mut(), 0);
    }
}
