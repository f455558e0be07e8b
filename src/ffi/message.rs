//! `rmq_message_t`: an outgoing message, built by the caller and copied by
//! every send, so it can be reused or freed as soon as a send call returns.

use std::ffi::c_char;

use bytes::Bytes;

use super::boundary::{
    arg_bytes, arg_mut, arg_ref, arg_str, check_out, fallible, free_box, infallible, write_out,
};
use super::cstr::{LazyCStr, LazyProps};
use super::error::{rmq_error_t, FfiResult};
use super::message_view::rmq_message_view_t;
use crate::common::delay;
use crate::producer::reply_message;
use crate::protocol::message::{property, Message};

/// A message to send: topic, body, tags, keys, properties. Not thread-safe:
/// use it from one thread at a time. Strings returned by its getters are
/// borrowed and valid until the message is changed or freed.
#[allow(non_camel_case_types)]
pub struct rmq_message_t {
    pub(crate) msg: Message,
    topic: LazyCStr,
    transaction_id: LazyCStr,
    props: LazyProps,
}

impl rmq_message_t {
    pub(crate) fn new(msg: Message) -> rmq_message_t {
        rmq_message_t {
            msg,
            topic: LazyCStr::default(),
            transaction_id: LazyCStr::default(),
            props: LazyProps::default(),
        }
    }

    fn edit(&mut self, f: impl FnOnce(&mut Message) -> FfiResult<()>) -> FfiResult<()> {
        f(&mut self.msg)?;
        self.topic = LazyCStr::default();
        self.transaction_id = LazyCStr::default();
        self.props = LazyProps::default();
        Ok(())
    }
}

/// The message behind a checked `const rmq_message_t *`, copied for sending.
///
/// # Safety
/// `msg` is NULL or a live message.
pub(crate) unsafe fn message_arg(msg: *const rmq_message_t, name: &str) -> FfiResult<Message> {
    Ok(arg_ref(msg, name)?.msg.clone())
}

fn edit(
    msg: *mut rmq_message_t,
    f: impl FnOnce(&mut Message) -> FfiResult<()>,
) -> *mut rmq_error_t {
    fallible(|| {
        // SAFETY: NULL or a live message used by one thread (header contract).
        unsafe { arg_mut(msg, "msg")? }.edit(f)
    })
}

/// Creates a message for `topic` (NUL-terminated UTF-8, copied) with an empty
/// body; the topic's validity is checked when it is sent. On success writes
/// an owned message to `*out` (free it with `rmq_message_free`).
#[no_mangle]
pub extern "C" fn rmq_message_new(
    topic: *const c_char,
    out: *mut *mut rmq_message_t,
) -> *mut rmq_error_t {
    fallible(|| {
        check_out(out, "out")?;
        // SAFETY: NULL or a NUL-terminated string (header contract).
        let topic = unsafe { arg_str(topic, "topic")? };
        let m = rmq_message_t::new(Message::new(topic, Bytes::new()));
        // SAFETY: `out` was checked.
        unsafe { write_out(out, Box::new(m)) };
        Ok(())
    })
}

/// Creates the reply to a request message (`request`, as a responder
/// received it): to the request cluster's reply topic, carrying the
/// request's correlation id, reply-to client and time to live, with a copy
/// of `len` bytes at `body`. Send it with any producer's send functions; the
/// requester's `rmq_producer_request` returns it. Fails with
/// `RMQ_ERR_INVALID_ARG` when `request` is not a request. On success writes
/// an owned message to `*out` (free it with `rmq_message_free`).
#[no_mangle]
pub extern "C" fn rmq_message_new_reply(
    request: *const rmq_message_view_t,
    body: *const u8,
    len: usize,
    out: *mut *mut rmq_message_t,
) -> *mut rmq_error_t {
    fallible(|| {
        check_out(out, "out")?;
        // SAFETY: NULL or a live view (header contract).
        let request = unsafe { arg_ref(request, "request")? };
        // SAFETY: NULL or `len` readable bytes (header contract).
        let body = Bytes::copy_from_slice(unsafe { arg_bytes(body, len, "body")? });
        let ext = request.ext();
        let reply = reply_message(|k| ext.property(k).map(str::to_owned), body)?;
        // SAFETY: `out` was checked.
        unsafe { write_out(out, Box::new(rmq_message_t::new(reply))) };
        Ok(())
    })
}

/// As `rmq_message_new_reply`, from the request's properties `CLUSTER`,
/// `CORRELATION_ID`, `REPLY_TO_CLIENT` and `TTL` (each NUL-terminated, not
/// empty), for bindings that keep received messages as copies.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn rmq_message_new_reply_to(
    cluster: *const c_char,
    correlation_id: *const c_char,
    reply_to_client: *const c_char,
    ttl: *const c_char,
    body: *const u8,
    len: usize,
    out: *mut *mut rmq_message_t,
) -> *mut rmq_error_t {
    fallible(|| {
        check_out(out, "out")?;
        // SAFETY: NULL or NUL-terminated strings and `len` readable bytes
        // (header contract).
        let (cluster, correlation_id, reply_to_client, ttl, body) = unsafe {
            (
                arg_str(cluster, "cluster")?,
                arg_str(correlation_id, "correlation_id")?,
                arg_str(reply_to_client, "reply_to_client")?,
                arg_str(ttl, "ttl")?,
                Bytes::copy_from_slice(arg_bytes(body, len, "body")?),
            )
        };
        let reply = reply_message(
            |k| {
                let v = match k {
                    property::CLUSTER => cluster,
                    property::CORRELATION_ID => correlation_id,
                    property::REPLY_TO_CLIENT => reply_to_client,
                    property::TTL => ttl,
                    _ => return None,
                };
                Some(v.to_owned())
            },
            body,
        )?;
        // SAFETY: `out` was checked.
        unsafe { write_out(out, Box::new(rmq_message_t::new(reply))) };
        Ok(())
    })
}

/// Sets the body to a copy of `len` bytes at `body`. NULL with `len` 0 is an
/// empty body (which a send rejects: RocketMQ needs a body).
#[no_mangle]
pub extern "C" fn rmq_message_set_body(
    msg: *mut rmq_message_t,
    body: *const u8,
    len: usize,
) -> *mut rmq_error_t {
    edit(msg, |m| {
        // SAFETY: NULL or `len` readable bytes (header contract).
        m.body = Bytes::copy_from_slice(unsafe { arg_bytes(body, len, "body")? });
        Ok(())
    })
}

/// Sets the tags (one tag, used by consumers' tag filters); "" removes them.
#[no_mangle]
pub extern "C" fn rmq_message_set_tags(
    msg: *mut rmq_message_t,
    tags: *const c_char,
) -> *mut rmq_error_t {
    edit(msg, |m| {
        // SAFETY: NULL or a NUL-terminated string (header contract).
        m.set_tags(unsafe { arg_str(tags, "tags")? });
        Ok(())
    })
}

/// Sets the keys (for lookups by key), several separated by spaces; "" removes them.
#[no_mangle]
pub extern "C" fn rmq_message_set_keys(
    msg: *mut rmq_message_t,
    keys: *const c_char,
) -> *mut rmq_error_t {
    edit(msg, |m| {
        // SAFETY: NULL or a NUL-terminated string (header contract).
        let keys = unsafe { arg_str(keys, "keys")? };
        m.set_keys(keys.split(' ').filter(|k| !k.is_empty()));
        Ok(())
    })
}

/// Sets the user property `name` to `value` (copied). Fails for a name the
/// system reserves, a blank name or value, or the characters 0x01 or 0x02.
#[no_mangle]
pub extern "C" fn rmq_message_set_property(
    msg: *mut rmq_message_t,
    name: *const c_char,
    value: *const c_char,
) -> *mut rmq_error_t {
    edit(msg, |m| {
        // SAFETY: NULL or NUL-terminated strings (header contract).
        let (name, value) = unsafe { (arg_str(name, "name")?, arg_str(value, "value")?) };
        m.put_user_property(name, value)?;
        Ok(())
    })
}

/// Sets the delay level (1 = 1 s ... 18 = 2 h with the broker's default levels);
/// 0 removes it. Fails outside 0..=18.
#[no_mangle]
pub extern "C" fn rmq_message_set_delay_level(
    msg: *mut rmq_message_t,
    level: i32,
) -> *mut rmq_error_t {
    edit(msg, |m| {
        if level == 0 {
            m.remove_property(crate::protocol::message::property::DELAY);
        } else {
            delay::check_delay_level(level)?;
            m.set_delay_level(level);
        }
        Ok(())
    })
}

/// Sets the time the message becomes visible, in milliseconds since the Unix
/// epoch (5.x brokers' timer messages). Fails for a negative time.
#[no_mangle]
pub extern "C" fn rmq_message_set_delivery_time(
    msg: *mut rmq_message_t,
    epoch_ms: i64,
) -> *mut rmq_error_t {
    edit(msg, |m| {
        if epoch_ms < 0 {
            return Err(rmq_error_t::invalid(
                "the delivery time must not be negative",
            ));
        }
        m.set_deliver_time_ms(epoch_ms);
        Ok(())
    })
}

/// Sets the sharding key (ordered sends by sharding key); "" removes it.
#[no_mangle]
pub extern "C" fn rmq_message_set_sharding_key(
    msg: *mut rmq_message_t,
    key: *const c_char,
) -> *mut rmq_error_t {
    edit(msg, |m| {
        // SAFETY: NULL or a NUL-terminated string (header contract).
        let key = unsafe { arg_str(key, "key")? };
        if key.is_empty() {
            m.remove_property(crate::protocol::message::property::SHARDING_KEY);
        } else {
            m.set_sharding_key(key);
        }
        Ok(())
    })
}

/// Sets the user flag, carried as is.
#[no_mangle]
pub extern "C" fn rmq_message_set_flag(msg: *mut rmq_message_t, flag: i32) -> *mut rmq_error_t {
    edit(msg, |m| {
        m.flag = flag;
        Ok(())
    })
}

/// The topic (borrowed), or NULL for a NULL message.
#[no_mangle]
pub extern "C" fn rmq_message_topic(msg: *const rmq_message_t) -> *const c_char {
    infallible(std::ptr::null(), || {
        // SAFETY: NULL or a live message (header contract).
        unsafe { msg.as_ref() }.map_or(std::ptr::null(), |m| m.topic.get(|| m.msg.topic.clone()))
    })
}

/// The transaction id the broker assigned (borrowed): set on the message
/// passed to a transaction producer's execute callback; NULL otherwise.
#[no_mangle]
pub extern "C" fn rmq_message_transaction_id(msg: *const rmq_message_t) -> *const c_char {
    infallible(std::ptr::null(), || {
        // SAFETY: NULL or a live message (header contract).
        match unsafe { msg.as_ref() } {
            Some(m) => match &m.msg.transaction_id {
                Some(t) => m.transaction_id.get(|| t.clone()),
                None => std::ptr::null(),
            },
            None => std::ptr::null(),
        }
    })
}

/// The property `name` (system properties included, e.g. `TAGS`, `KEYS`,
/// `UNIQ_KEY`), borrowed; NULL when unset or when an argument is NULL or not UTF-8.
#[no_mangle]
pub extern "C" fn rmq_message_property(
    msg: *const rmq_message_t,
    name: *const c_char,
) -> *const c_char {
    infallible(std::ptr::null(), || {
        // SAFETY: NULL or live arguments (header contract).
        match unsafe { (msg.as_ref(), arg_str(name, "name")) } {
            (Some(m), Ok(name)) => m.props.get(&m.msg.properties, name),
            _ => std::ptr::null(),
        }
    })
}

/// The tags (borrowed), or NULL when none.
#[no_mangle]
pub extern "C" fn rmq_message_tags(msg: *const rmq_message_t) -> *const c_char {
    rmq_message_property(msg, c"TAGS".as_ptr())
}

/// The keys, space-separated (borrowed), or NULL when none.
#[no_mangle]
pub extern "C" fn rmq_message_keys(msg: *const rmq_message_t) -> *const c_char {
    rmq_message_property(msg, c"KEYS".as_ptr())
}

/// The body (borrowed) and its length in `*len`. Returns NULL with `*len` = 0
/// for an empty body or a NULL message; `len` may be NULL.
#[no_mangle]
pub extern "C" fn rmq_message_body(msg: *const rmq_message_t, len: *mut usize) -> *const u8 {
    infallible(std::ptr::null(), || {
        // SAFETY: NULL or a live message (header contract).
        let body = unsafe { msg.as_ref() }.map_or(&[][..], |m| &m.msg.body[..]);
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

/// Frees a message. NULL is a no-op.
#[no_mangle]
pub extern "C" fn rmq_message_free(msg: *mut rmq_message_t) {
    infallible((), || {
        // SAFETY: NULL or an owned message, not used again (header contract).
        unsafe { free_box(msg) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    fn ok(e: *mut rmq_error_t) {
        assert!(e.is_null(), "{}", unsafe { (*e).message_str() });
    }

    #[test]
    fn build_and_read_back() {
        let mut m = std::ptr::null_mut();
        ok(rmq_message_new(c"T".as_ptr(), &mut m));
        ok(rmq_message_set_body(m, b"hello".as_ptr(), 5));
        ok(rmq_message_set_tags(m, c"TagA".as_ptr()));
        ok(rmq_message_set_keys(m, c"k1 k2".as_ptr()));
        ok(rmq_message_set_property(
            m,
            c"color".as_ptr(),
            c"blue".as_ptr(),
        ));
        ok(rmq_message_set_delay_level(m, 3));
        ok(rmq_message_set_sharding_key(m, c"shard".as_ptr()));
        ok(rmq_message_set_flag(m, 7));
        let s = |p: *const c_char| unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned();
        assert_eq!(s(rmq_message_topic(m)), "T");
        assert_eq!(s(rmq_message_tags(m)), "TagA");
        assert_eq!(s(rmq_message_keys(m)), "k1 k2");
        assert_eq!(s(rmq_message_property(m, c"color".as_ptr())), "blue");
        assert_eq!(s(rmq_message_property(m, c"DELAY".as_ptr())), "3");
        let mut len = 0usize;
        let b = rmq_message_body(m, &mut len);
        assert_eq!(unsafe { std::slice::from_raw_parts(b, len) }, b"hello");
        // Changes after a getter are seen by the next getter.
        ok(rmq_message_set_tags(m, c"".as_ptr()));
        assert!(rmq_message_tags(m).is_null());
        ok(rmq_message_set_delay_level(m, 0));
        assert!(rmq_message_property(m, c"DELAY".as_ptr()).is_null());
        assert_eq!(unsafe { &*m }.msg.flag, 7);
        rmq_message_free(m);
    }

    #[test]
    fn bad_input_is_refused() {
        let mut m = std::ptr::null_mut();
        let e = rmq_message_new(std::ptr::null(), &mut m);
        assert!(!e.is_null());
        super::super::error::rmq_error_free(e);
        let e = rmq_message_new(c"T".as_ptr(), std::ptr::null_mut());
        assert!(!e.is_null());
        super::super::error::rmq_error_free(e);
        ok(rmq_message_new(c"T".as_ptr(), &mut m));
        for e in [
            rmq_message_set_body(m, std::ptr::null(), 3),
            rmq_message_set_property(m, c"UNIQ_KEY".as_ptr(), c"x".as_ptr()),
            rmq_message_set_property(m, c" ".as_ptr(), c"x".as_ptr()),
            rmq_message_set_delay_level(m, 99),
            rmq_message_set_delivery_time(m, -1),
            rmq_message_set_tags(std::ptr::null_mut(), c"x".as_ptr()),
        ] {
            assert!(!e.is_null());
            super::super::error::rmq_error_free(e);
        }
        ok(rmq_message_set_body(m, std::ptr::null(), 0));
        let mut len = 9usize;
        assert!(rmq_message_body(m, &mut len).is_null());
        assert_eq!(len, 0);
        assert!(rmq_message_topic(std::ptr::null()).is_null());
        rmq_message_free(m);
        rmq_message_free(std::ptr::null_mut());
    }
}
