//! `CMessage.h`: outgoing messages owned by the caller.
//!
//! One Rust object stands behind both `CMessage*` and `CMessageExt*`, so the
//! `GetMessage*` getters of `CMessageExt.h` also accept a plain `CMessage*`.
// c:header CMessage.h __C_MESSAGE_H__
// c:include CCommon.h

use std::collections::BTreeMap;
use std::ffi::{c_char, c_int, CStr, CString};
use std::net::SocketAddr;

use bytes::Bytes;

use super::boundary::{atoi, guard, opt_str, set_error, to_cstring};
use super::common::{NULL_POINTER, OK};
use crate::protocol::message::{property, Message, MessageExt};

/// The static empty string handed out for absent fields.
pub(crate) const EMPTY: &CStr = c"";

/// What a received message has besides topic, properties and body.
#[derive(Clone, Debug)]
pub(crate) struct ExtInfo {
    pub(crate) queue_id: i32,
    pub(crate) reconsume_times: i32,
    pub(crate) store_size: i32,
    pub(crate) born_timestamp: i64,
    pub(crate) store_timestamp: i64,
    pub(crate) queue_offset: i64,
    pub(crate) commit_log_offset: i64,
    pub(crate) prepared_transaction_offset: i64,
    pub(crate) msg_id: CString,
    pub(crate) store_host: CString,
    pub(crate) born_host: CString,
}

// c:opaque
/// A message: outgoing (created by `CreateMessage`) or received (handed to a
/// callback as `CMessageExt*`).
#[derive(Clone, Debug)]
pub struct CMessage {
    pub(crate) topic: CString,
    pub(crate) props: BTreeMap<String, CString>,
    /// The body followed by one NUL byte that is not part of it.
    body: Bytes,
    pub(crate) ext: Option<Box<ExtInfo>>,
}

fn ip_only(addr: &SocketAddr) -> CString {
    to_cstring(&addr.ip().to_string())
}

impl CMessage {
    /// An empty outgoing message for `topic` (WAIT=true, as every new message).
    pub(crate) fn new(topic: &str) -> Self {
        let mut m = CMessage {
            topic: to_cstring(topic),
            props: BTreeMap::new(),
            body: Bytes::from_static(b"\0"),
            ext: None,
        };
        m.set_property(property::WAIT, "true");
        m
    }

    /// A received message, with its broker-side fields.
    pub(crate) fn from_ext(m: &MessageExt) -> Self {
        let mut out = CMessage {
            topic: to_cstring(&m.topic),
            props: m
                .properties
                .iter()
                .map(|(k, v)| (k.clone(), to_cstring(v)))
                .collect(),
            body: Bytes::new(),
            ext: Some(Box::new(ExtInfo {
                queue_id: m.queue_id,
                reconsume_times: m.reconsume_times,
                store_size: m.store_size,
                born_timestamp: m.born_timestamp,
                store_timestamp: m.store_timestamp,
                queue_offset: m.queue_offset,
                commit_log_offset: m.commit_log_offset,
                prepared_transaction_offset: m.prepared_transaction_offset,
                msg_id: to_cstring(&m.msg_id()),
                store_host: ip_only(&m.store_host),
                born_host: ip_only(&m.born_host),
            })),
        };
        out.set_body(&m.body);
        out
    }

    /// The engine message to send (a cheap copy: the body is shared).
    pub(crate) fn to_message(&self) -> Message {
        Message {
            topic: self.topic.to_string_lossy().into_owned(),
            flag: 0,
            properties: self
                .props
                .iter()
                .map(|(k, v)| (k.clone(), v.to_string_lossy().into_owned()))
                .collect(),
            body: self.body_bytes(),
            transaction_id: None,
        }
    }

    pub(crate) fn set_topic(&mut self, topic: &str) {
        self.topic = to_cstring(topic);
    }

    /// Sets or replaces a property; an empty value removes TAGS and KEYS.
    pub(crate) fn set_property(&mut self, key: &str, value: &str) {
        if value.is_empty() && (key == property::TAGS || key == property::KEYS) {
            self.props.remove(key);
        } else {
            self.props.insert(key.to_owned(), to_cstring(value));
        }
    }

    pub(crate) fn set_body(&mut self, body: &[u8]) {
        let mut v = Vec::with_capacity(body.len() + 1);
        v.extend_from_slice(body);
        v.push(0);
        self.body = Bytes::from(v);
    }

    pub(crate) fn body_len(&self) -> usize {
        self.body.len().saturating_sub(1)
    }

    pub(crate) fn body_bytes(&self) -> Bytes {
        self.body.slice(..self.body_len())
    }

    /// The body followed by a NUL, as a C pointer.
    pub(crate) fn body_ptr(&self) -> *const c_char {
        if self.body.is_empty() {
            EMPTY.as_ptr()
        } else {
            self.body.as_ptr().cast()
        }
    }

    /// A property as a C string; `""` when absent.
    pub(crate) fn property_ptr(&self, key: &str) -> *const c_char {
        self.props.get(key).map_or(EMPTY.as_ptr(), |v| v.as_ptr())
    }

    /// `atoi` of the DELAY property, 0 when absent.
    pub(crate) fn delay_level(&self) -> i32 {
        self.props
            .get(property::DELAY)
            .map_or(0, |v| atoi(&v.to_string_lossy()))
    }
}

/// Shared body of the string setters: NULL checks, then `f`.
unsafe fn set_with(
    msg: *mut CMessage,
    value: *const c_char,
    what: &str,
    f: impl FnOnce(&mut CMessage, &str),
) -> c_int {
    guard(NULL_POINTER, || {
        let Some(m) = msg.as_mut() else {
            set_error(format!("{what}: the message is NULL"));
            return NULL_POINTER;
        };
        let Some(v) = opt_str(value) else {
            set_error(format!("{what}: the value is NULL"));
            return NULL_POINTER;
        };
        f(m, &v);
        OK
    })
}

/// Creates an outgoing message for `topic` (NULL means ""). The caller owns it
/// and frees it with `DestroyMessage`. Never NULL.
#[no_mangle]
pub unsafe extern "C" fn CreateMessage(topic: *const c_char) -> *mut CMessage {
    guard(std::ptr::null_mut(), || {
        let topic = opt_str(topic).unwrap_or_default();
        Box::into_raw(Box::new(CMessage::new(&topic)))
    })
}

/// Frees a message created by `CreateMessage`. NULL_POINTER for NULL.
#[no_mangle]
pub unsafe extern "C" fn DestroyMessage(msg: *mut CMessage) -> c_int {
    guard(NULL_POINTER, || {
        if msg.is_null() {
            set_error("DestroyMessage: the message is NULL");
            return NULL_POINTER;
        }
        drop(Box::from_raw(msg));
        OK
    })
}

/// Replaces the topic. NULL_POINTER if either argument is NULL.
#[no_mangle]
pub unsafe extern "C" fn SetMessageTopic(msg: *mut CMessage, topic: *const c_char) -> c_int {
    set_with(msg, topic, "SetMessageTopic", |m, v| m.set_topic(v))
}

/// Sets the tags (property TAGS; "" removes them). NULL_POINTER if either
/// argument is NULL (the C++ library crashed on a NULL value).
#[no_mangle]
pub unsafe extern "C" fn SetMessageTags(msg: *mut CMessage, tags: *const c_char) -> c_int {
    set_with(msg, tags, "SetMessageTags", |m, v| {
        m.set_property(property::TAGS, v)
    })
}

/// Sets the keys (property KEYS, space-separated for several; "" removes
/// them). NULL_POINTER if either argument is NULL.
#[no_mangle]
pub unsafe extern "C" fn SetMessageKeys(msg: *mut CMessage, keys: *const c_char) -> c_int {
    set_with(msg, keys, "SetMessageKeys", |m, v| {
        m.set_property(property::KEYS, v)
    })
}

/// Sets the body from a NUL-terminated string (its length is strlen(body)).
/// NULL_POINTER if either argument is NULL.
#[no_mangle]
pub unsafe extern "C" fn SetMessageBody(msg: *mut CMessage, body: *const c_char) -> c_int {
    guard(NULL_POINTER, || {
        let Some(m) = msg.as_mut() else {
            set_error("SetMessageBody: the message is NULL");
            return NULL_POINTER;
        };
        if body.is_null() {
            set_error("SetMessageBody: the body is NULL");
            return NULL_POINTER;
        }
        m.set_body(CStr::from_ptr(body).to_bytes());
        OK
    })
}

/// Sets the body to exactly `len` bytes (which may contain NULs).
/// NULL_POINTER if `msg` or `body` is NULL or `len` is negative (the C++
/// library crashed on a negative length).
#[no_mangle]
pub unsafe extern "C" fn SetByteMessageBody(
    msg: *mut CMessage,
    body: *const c_char,
    len: c_int,
) -> c_int {
    guard(NULL_POINTER, || {
        let Some(m) = msg.as_mut() else {
            set_error("SetByteMessageBody: the message is NULL");
            return NULL_POINTER;
        };
        if body.is_null() && len != 0 {
            set_error("SetByteMessageBody: the body is NULL");
            return NULL_POINTER;
        }
        let Ok(len) = usize::try_from(len) else {
            set_error(format!("SetByteMessageBody: negative length {len}"));
            return NULL_POINTER;
        };
        let bytes = if len == 0 {
            &[][..]
        } else {
            std::slice::from_raw_parts(body.cast::<u8>(), len)
        };
        m.set_body(bytes);
        OK
    })
}

/// Sets (or replaces) the property `key` to `value`. NULL_POINTER if any
/// argument is NULL.
#[no_mangle]
pub unsafe extern "C" fn SetMessageProperty(
    msg: *mut CMessage,
    key: *const c_char,
    value: *const c_char,
) -> c_int {
    guard(NULL_POINTER, || {
        let Some(k) = opt_str(key) else {
            set_error("SetMessageProperty: the key is NULL");
            return NULL_POINTER;
        };
        set_with(msg, value, "SetMessageProperty", |m, v| {
            m.set_property(&k, v)
        })
    })
}

/// Sets the delay level (property DELAY, stored even for 0; the broker treats
/// levels <= 0 as no delay). NULL_POINTER for a NULL message.
#[no_mangle]
pub unsafe extern "C" fn SetDelayTimeLevel(msg: *mut CMessage, level: c_int) -> c_int {
    guard(NULL_POINTER, || {
        let Some(m) = msg.as_mut() else {
            set_error("SetDelayTimeLevel: the message is NULL");
            return NULL_POINTER;
        };
        m.set_property(property::DELAY, &level.to_string());
        OK
    })
}

/// The topic; NULL only for a NULL message. Valid until the message changes or is freed.
#[no_mangle]
pub unsafe extern "C" fn GetOriginMessageTopic(msg: *mut CMessage) -> *const c_char {
    guard(std::ptr::null(), || {
        msg.as_ref().map_or(std::ptr::null(), |m| m.topic.as_ptr())
    })
}

/// The tags, "" when unset; NULL only for a NULL message.
#[no_mangle]
pub unsafe extern "C" fn GetOriginMessageTags(msg: *mut CMessage) -> *const c_char {
    guard(std::ptr::null(), || {
        msg.as_ref()
            .map_or(std::ptr::null(), |m| m.property_ptr(property::TAGS))
    })
}

/// The keys, "" when unset; NULL only for a NULL message.
#[no_mangle]
pub unsafe extern "C" fn GetOriginMessageKeys(msg: *mut CMessage) -> *const c_char {
    guard(std::ptr::null(), || {
        msg.as_ref()
            .map_or(std::ptr::null(), |m| m.property_ptr(property::KEYS))
    })
}

/// The body bytes followed by a NUL (use GetOriginMessageBodyLength for
/// bodies containing NULs); NULL only for a NULL message.
#[no_mangle]
pub unsafe extern "C" fn GetOriginMessageBody(msg: *mut CMessage) -> *const c_char {
    guard(std::ptr::null(), || {
        msg.as_ref().map_or(std::ptr::null(), |m| m.body_ptr())
    })
}

/// The body length in bytes; 0 for a NULL message.
#[no_mangle]
pub unsafe extern "C" fn GetOriginMessageBodyLength(msg: *mut CMessage) -> c_int {
    guard(0, || {
        msg.as_ref()
            .map_or(0, |m| c_int::try_from(m.body_len()).unwrap_or(c_int::MAX))
    })
}

/// The property `key`, "" when absent; NULL for a NULL message or key.
#[no_mangle]
pub unsafe extern "C" fn GetOriginMessageProperty(
    msg: *mut CMessage,
    key: *const c_char,
) -> *const c_char {
    guard(std::ptr::null(), || {
        let (Some(m), Some(k)) = (msg.as_ref(), opt_str(key)) else {
            return std::ptr::null();
        };
        m.property_ptr(&k)
    })
}

/// The delay level (atoi of DELAY), 0 when unset; -1 for a NULL message.
#[no_mangle]
pub unsafe extern "C" fn GetOriginDelayTimeLevel(msg: *mut CMessage) -> c_int {
    guard(-1, || msg.as_ref().map_or(-1, |m| m.delay_level()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(p: *const c_char) -> String {
        assert!(!p.is_null());
        unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned()
    }

    #[test]
    fn round_trip_through_the_c_functions() {
        unsafe {
            let m = CreateMessage(c"T1".as_ptr());
            assert_eq!(SetMessageTags(m, c"TagA".as_ptr()), OK);
            assert_eq!(SetMessageKeys(m, c"k1 k2".as_ptr()), OK);
            assert_eq!(SetMessageBody(m, c"hello".as_ptr()), OK);
            assert_eq!(SetMessageProperty(m, c"p".as_ptr(), c"v".as_ptr()), OK);
            assert_eq!(SetDelayTimeLevel(m, 3), OK);
            assert_eq!(s(GetOriginMessageTopic(m)), "T1");
            assert_eq!(s(GetOriginMessageTags(m)), "TagA");
            assert_eq!(s(GetOriginMessageKeys(m)), "k1 k2");
            assert_eq!(s(GetOriginMessageBody(m)), "hello");
            assert_eq!(GetOriginMessageBodyLength(m), 5);
            assert_eq!(s(GetOriginMessageProperty(m, c"p".as_ptr())), "v");
            assert_eq!(s(GetOriginMessageProperty(m, c"absent".as_ptr())), "");
            assert_eq!(GetOriginDelayTimeLevel(m), 3);
            assert_eq!(SetMessageTopic(m, c"T2".as_ptr()), OK);
            assert_eq!(s(GetOriginMessageTopic(m)), "T2");
            let engine = (*m).to_message();
            assert_eq!(engine.topic, "T2");
            assert_eq!(engine.tags(), Some("TagA"));
            assert_eq!(engine.keys(), vec!["k1", "k2"]);
            assert_eq!(engine.property("p"), Some("v"));
            assert_eq!(engine.delay_level(), 3);
            assert!(engine.wait_store_msg_ok());
            assert_eq!(&engine.body[..], b"hello");
            assert_eq!(DestroyMessage(m), OK);
        }
    }

    #[test]
    fn byte_bodies_keep_nuls() {
        unsafe {
            let m = CreateMessage(std::ptr::null());
            assert_eq!(s(GetOriginMessageTopic(m)), "");
            let body = [b'a', 0, b'b'];
            assert_eq!(SetByteMessageBody(m, body.as_ptr().cast(), 3), OK);
            assert_eq!(GetOriginMessageBodyLength(m), 3);
            let p = GetOriginMessageBody(m).cast::<u8>();
            assert_eq!(std::slice::from_raw_parts(p, 4), &[b'a', 0, b'b', 0]);
            assert_eq!(
                SetByteMessageBody(m, body.as_ptr().cast(), -1),
                NULL_POINTER
            );
            assert_eq!(SetByteMessageBody(m, std::ptr::null(), 0), OK);
            assert_eq!(GetOriginMessageBodyLength(m), 0);
            assert_eq!(s(GetOriginMessageBody(m)), "");
            DestroyMessage(m);
        }
    }

    #[test]
    fn null_arguments_are_errors_not_crashes() {
        unsafe {
            let null = std::ptr::null_mut();
            assert_eq!(DestroyMessage(null), NULL_POINTER);
            assert_eq!(SetMessageTags(null, c"x".as_ptr()), NULL_POINTER);
            let m = CreateMessage(c"T".as_ptr());
            assert_eq!(SetMessageTags(m, std::ptr::null()), NULL_POINTER);
            assert_eq!(SetMessageKeys(m, std::ptr::null()), NULL_POINTER);
            assert_eq!(SetMessageBody(m, std::ptr::null()), NULL_POINTER);
            assert_eq!(SetMessageTopic(m, std::ptr::null()), NULL_POINTER);
            assert_eq!(
                SetMessageProperty(m, std::ptr::null(), c"v".as_ptr()),
                NULL_POINTER
            );
            assert_eq!(
                SetMessageProperty(m, c"k".as_ptr(), std::ptr::null()),
                NULL_POINTER
            );
            assert!(GetOriginMessageTopic(null).is_null());
            assert!(GetOriginMessageBody(null).is_null());
            assert_eq!(GetOriginMessageBodyLength(null), 0);
            assert_eq!(GetOriginDelayTimeLevel(null), -1);
            assert_eq!(GetOriginDelayTimeLevel(m), 0);
            DestroyMessage(m);
        }
    }

    #[test]
    fn empty_tags_and_keys_are_removed() {
        let mut m = CMessage::new("T");
        m.set_property(property::TAGS, "a");
        m.set_property(property::TAGS, "");
        m.set_property(property::KEYS, "");
        assert!(!m.props.contains_key(property::TAGS));
        assert!(!m.props.contains_key(property::KEYS));
    }
}
