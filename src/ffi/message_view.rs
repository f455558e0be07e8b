//! `rmq_message_view_t`: a received message, read-only. Views handed to
//! callbacks are borrowed for the call; `rmq_message_view_clone` keeps one.

use std::ffi::c_char;
use std::sync::Arc;

use super::boundary::{arg_str, free_box, infallible};
use super::cstr::{LazyCStr, LazyProps};
use crate::protocol::message::MessageExt;

/// A received message with its broker metadata. Read-only and thread-safe;
/// strings and bytes returned by its getters are borrowed and valid until
/// the view is freed (or, for a view borrowed by a callback, until the
/// callback returns).
#[allow(non_camel_case_types)]
pub struct rmq_message_view_t {
    ext: Arc<MessageExt>,
    topic: LazyCStr,
    msg_id: LazyCStr,
    offset_msg_id: LazyCStr,
    born_host: LazyCStr,
    store_host: LazyCStr,
    props: LazyProps,
}

impl rmq_message_view_t {
    pub(crate) fn new(ext: Arc<MessageExt>) -> rmq_message_view_t {
        rmq_message_view_t {
            ext,
            topic: LazyCStr::default(),
            msg_id: LazyCStr::default(),
            offset_msg_id: LazyCStr::default(),
            born_host: LazyCStr::default(),
            store_host: LazyCStr::default(),
            props: LazyProps::default(),
        }
    }
}

impl rmq_message_view_t {
    pub(crate) fn ext(&self) -> &MessageExt {
        &self.ext
    }
}

/// Runs `f` on a non-NULL view, or returns `default`.
fn with<R>(v: *const rmq_message_view_t, default: R, f: impl FnOnce(&rmq_message_view_t) -> R) -> R
where
    R: Copy,
{
    infallible(default, || {
        // SAFETY: NULL or a live view (header contract).
        unsafe { v.as_ref() }.map_or(default, f)
    })
}

const NUL: *const c_char = std::ptr::null();

/// The topic (borrowed); NULL for a NULL view.
#[no_mangle]
pub extern "C" fn rmq_message_view_topic(v: *const rmq_message_view_t) -> *const c_char {
    with(v, NUL, |v| v.topic.get(|| v.ext.topic.clone()))
}

/// The property `name` (borrowed), system properties included; NULL when
/// unset or when an argument is NULL or not UTF-8.
#[no_mangle]
pub extern "C" fn rmq_message_view_property(
    v: *const rmq_message_view_t,
    name: *const c_char,
) -> *const c_char {
    with(v, NUL, |v| {
        // SAFETY: NULL or a NUL-terminated string (header contract).
        match unsafe { arg_str(name, "name") } {
            Ok(name) => v.props.get(&v.ext.properties, name),
            Err(_) => NUL,
        }
    })
}

/// The tags (borrowed), or NULL when none.
#[no_mangle]
pub extern "C" fn rmq_message_view_tags(v: *const rmq_message_view_t) -> *const c_char {
    rmq_message_view_property(v, c"TAGS".as_ptr())
}

/// The keys, space-separated (borrowed), or NULL when none.
#[no_mangle]
pub extern "C" fn rmq_message_view_keys(v: *const rmq_message_view_t) -> *const c_char {
    rmq_message_view_property(v, c"KEYS".as_ptr())
}

/// The body (borrowed) and its length in `*len` (`len` may be NULL). NULL
/// with `*len` = 0 for an empty body or a NULL view.
#[no_mangle]
pub extern "C" fn rmq_message_view_body(
    v: *const rmq_message_view_t,
    len: *mut usize,
) -> *const u8 {
    infallible(std::ptr::null(), || {
        // SAFETY: NULL or a live view (header contract).
        let body = unsafe { v.as_ref() }.map_or(&[][..], |v| &v.ext.body[..]);
        if !len.is_null() {
            // SAFETY: a non-NULL `len` is writable (header contract).
            unsafe { *len = body.len() };
        }
        if body.is_empty() {
            std::ptr::null()
        } else {
            body.as_ptr()
        }
    })
}

/// The message id: the client's unique key (`UNIQ_KEY`) when set, otherwise
/// the offset message id (borrowed); NULL for a NULL view.
#[no_mangle]
pub extern "C" fn rmq_message_view_msg_id(v: *const rmq_message_view_t) -> *const c_char {
    with(v, NUL, |v| v.msg_id.get(|| v.ext.msg_id().into_owned()))
}

/// The broker's offset message id (store host and commit log offset, hex; borrowed).
#[no_mangle]
pub extern "C" fn rmq_message_view_offset_msg_id(v: *const rmq_message_view_t) -> *const c_char {
    with(v, NUL, |v| v.offset_msg_id.get(|| v.ext.offset_msg_id()))
}

/// The queue id; -1 for a NULL view.
#[no_mangle]
pub extern "C" fn rmq_message_view_queue_id(v: *const rmq_message_view_t) -> i32 {
    with(v, -1, |v| v.ext.queue_id)
}

/// The offset in its queue; -1 for a NULL view.
#[no_mangle]
pub extern "C" fn rmq_message_view_queue_offset(v: *const rmq_message_view_t) -> i64 {
    with(v, -1, |v| v.ext.queue_offset)
}

/// The offset in the broker's commit log; -1 for a NULL view.
#[no_mangle]
pub extern "C" fn rmq_message_view_commit_log_offset(v: *const rmq_message_view_t) -> i64 {
    with(v, -1, |v| v.ext.commit_log_offset)
}

/// When the producer created it, ms since the Unix epoch; 0 for a NULL view.
#[no_mangle]
pub extern "C" fn rmq_message_view_born_timestamp(v: *const rmq_message_view_t) -> i64 {
    with(v, 0, |v| v.ext.born_timestamp)
}

/// When the broker stored it, ms since the Unix epoch; 0 for a NULL view.
#[no_mangle]
pub extern "C" fn rmq_message_view_store_timestamp(v: *const rmq_message_view_t) -> i64 {
    with(v, 0, |v| v.ext.store_timestamp)
}

/// The producer's address, "ip:port" (borrowed); NULL for a NULL view.
#[no_mangle]
pub extern "C" fn rmq_message_view_born_host(v: *const rmq_message_view_t) -> *const c_char {
    with(v, NUL, |v| v.born_host.get(|| v.ext.born_host.to_string()))
}

/// The storing broker's address, "ip:port" (borrowed); NULL for a NULL view.
#[no_mangle]
pub extern "C" fn rmq_message_view_store_host(v: *const rmq_message_view_t) -> *const c_char {
    with(v, NUL, |v| {
        v.store_host.get(|| v.ext.store_host.to_string())
    })
}

/// How many times it was redelivered to consumers; 0 for a NULL view.
#[no_mangle]
pub extern "C" fn rmq_message_view_reconsume_times(v: *const rmq_message_view_t) -> i32 {
    with(v, 0, |v| v.ext.reconsume_times)
}

/// The user flag; 0 for a NULL view.
#[no_mangle]
pub extern "C" fn rmq_message_view_flag(v: *const rmq_message_view_t) -> i32 {
    with(v, 0, |v| v.ext.flag)
}

/// The system flag (compression, transaction bits); 0 for a NULL view.
#[no_mangle]
pub extern "C" fn rmq_message_view_sys_flag(v: *const rmq_message_view_t) -> i32 {
    with(v, 0, |v| v.ext.sys_flag)
}

/// The CRC32 of the stored body (31 bits); 0 for a NULL view.
#[no_mangle]
pub extern "C" fn rmq_message_view_body_crc(v: *const rmq_message_view_t) -> i32 {
    with(v, 0, |v| v.ext.body_crc)
}

/// The size of the stored record in bytes; 0 for a NULL view.
#[no_mangle]
pub extern "C" fn rmq_message_view_store_size(v: *const rmq_message_view_t) -> i32 {
    with(v, 0, |v| v.ext.store_size)
}

/// The prepared-transaction offset of a transactional message; 0 for a NULL view.
#[no_mangle]
pub extern "C" fn rmq_message_view_prepared_transaction_offset(
    v: *const rmq_message_view_t,
) -> i64 {
    with(v, 0, |v| v.ext.prepared_transaction_offset)
}

/// The number of properties (system and user); 0 for a NULL view.
#[no_mangle]
pub extern "C" fn rmq_message_view_property_count(v: *const rmq_message_view_t) -> usize {
    with(v, 0, |v| v.props.all(&v.ext.properties).len())
}

/// The property at `index` (0 <= index < count, in name order): writes borrowed
/// name and value pointers and returns true; false (nothing written) for an
/// index out of range or a NULL argument.
#[no_mangle]
pub extern "C" fn rmq_message_view_property_at(
    v: *const rmq_message_view_t,
    index: usize,
    name: *mut *const c_char,
    value: *mut *const c_char,
) -> bool {
    with(v, false, |v| {
        if name.is_null() || value.is_null() {
            return false;
        }
        match v.props.all(&v.ext.properties).get(index) {
            Some((k, val)) => {
                // SAFETY: both outputs checked non-NULL, writable (header contract).
                unsafe {
                    *name = k.as_ptr();
                    *value = val.as_ptr();
                }
                true
            }
            None => false,
        }
    })
}

/// An owned copy of `v` that outlives any callback; free it with
/// `rmq_message_view_free`. NULL for a NULL view.
#[no_mangle]
pub extern "C" fn rmq_message_view_clone(v: *const rmq_message_view_t) -> *mut rmq_message_view_t {
    infallible(std::ptr::null_mut(), || {
        // SAFETY: NULL or a live view (header contract).
        unsafe { v.as_ref() }.map_or(std::ptr::null_mut(), |v| {
            Box::into_raw(Box::new(rmq_message_view_t::new(v.ext.clone())))
        })
    })
}

/// Frees an owned view (from `rmq_producer_request` or `rmq_message_view_clone`).
/// NULL is a no-op. Never free a view borrowed by a callback.
#[no_mangle]
pub extern "C" fn rmq_message_view_free(v: *mut rmq_message_view_t) {
    infallible((), || {
        // SAFETY: NULL or an owned view, not used again (header contract).
        unsafe { free_box(v) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    fn s(p: *const c_char) -> String {
        unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned()
    }

    #[test]
    fn every_getter() {
        let mut ext = MessageExt {
            topic: "T".into(),
            queue_id: 3,
            queue_offset: 42,
            commit_log_offset: 1000,
            born_timestamp: 11,
            store_timestamp: 12,
            reconsume_times: 2,
            flag: 5,
            body: bytes::Bytes::from_static(b"body"),
            born_host: "10.0.0.1:5555".parse().unwrap(),
            store_host: "127.0.0.1:10911".parse().unwrap(),
            ..Default::default()
        };
        ext.set_property("TAGS", "TagA");
        ext.set_property("KEYS", "k1 k2");
        ext.set_property("UNIQ_KEY", "ABC");
        let v = Box::into_raw(Box::new(rmq_message_view_t::new(Arc::new(ext))));
        assert_eq!(s(rmq_message_view_topic(v)), "T");
        assert_eq!(s(rmq_message_view_tags(v)), "TagA");
        assert_eq!(s(rmq_message_view_keys(v)), "k1 k2");
        assert_eq!(s(rmq_message_view_msg_id(v)), "ABC");
        assert_eq!(s(rmq_message_view_offset_msg_id(v)).len(), 32);
        assert_eq!(s(rmq_message_view_born_host(v)), "10.0.0.1:5555");
        assert_eq!(s(rmq_message_view_store_host(v)), "127.0.0.1:10911");
        assert_eq!(rmq_message_view_queue_id(v), 3);
        assert_eq!(rmq_message_view_queue_offset(v), 42);
        assert_eq!(rmq_message_view_commit_log_offset(v), 1000);
        assert_eq!(rmq_message_view_born_timestamp(v), 11);
        assert_eq!(rmq_message_view_store_timestamp(v), 12);
        assert_eq!(rmq_message_view_reconsume_times(v), 2);
        assert_eq!(rmq_message_view_flag(v), 5);
        let mut len = 0;
        let b = rmq_message_view_body(v, &mut len);
        assert_eq!(unsafe { std::slice::from_raw_parts(b, len) }, b"body");
        assert_eq!(rmq_message_view_property_count(v), 3);
        let (mut n, mut val) = (std::ptr::null(), std::ptr::null());
        assert!(rmq_message_view_property_at(v, 0, &mut n, &mut val));
        assert_eq!((s(n), s(val)), ("KEYS".to_owned(), "k1 k2".to_owned()));
        assert!(!rmq_message_view_property_at(v, 3, &mut n, &mut val));
        assert!(!rmq_message_view_property_at(
            v,
            0,
            std::ptr::null_mut(),
            &mut val
        ));
        let c = rmq_message_view_clone(v);
        rmq_message_view_free(v);
        assert_eq!(s(rmq_message_view_topic(c)), "T");
        rmq_message_view_free(c);
    }

    #[test]
    fn null_views_give_defaults() {
        let n = std::ptr::null();
        assert!(rmq_message_view_topic(n).is_null());
        assert!(rmq_message_view_property(n, c"TAGS".as_ptr()).is_null());
        assert_eq!(rmq_message_view_queue_id(n), -1);
        assert_eq!(rmq_message_view_queue_offset(n), -1);
        assert_eq!(rmq_message_view_property_count(n), 0);
        assert!(rmq_message_view_clone(n).is_null());
        let mut len = 1;
        assert!(rmq_message_view_body(n, &mut len).is_null());
        assert_eq!(len, 0);
        rmq_message_view_free(std::ptr::null_mut());
    }
}
