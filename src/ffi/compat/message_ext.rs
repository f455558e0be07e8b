//! `CMessageExt.h`: read-only views of received messages.
//!
//! A `CMessageExt*` is handed out by the library (transaction check-back
//! callbacks, push consumer callbacks, pull results) and is valid only as long
//! as documented there. These getters also accept a plain `CMessage*`; the
//! broker-side fields are then 0 and the strings "".
// c:header CMessageExt.h __C_MESSAGE_EXT_H__
// c:include CCommon.h

use std::ffi::{c_char, c_int, c_longlong};

use super::boundary::guard;
use super::common::NULL_POINTER;
use super::message::{CMessage, ExtInfo, EMPTY};
use crate::protocol::message::property;

// c:opaque
/// A received message (the same object type as `CMessage`).
pub type CMessageExt = CMessage;

unsafe fn string(
    msg: *mut CMessageExt,
    f: impl FnOnce(&CMessage) -> *const c_char,
) -> *const c_char {
    guard(std::ptr::null(), || {
        msg.as_ref().map_or(std::ptr::null(), f)
    })
}

unsafe fn ext_int<T: From<i32>>(msg: *mut CMessageExt, f: impl FnOnce(&ExtInfo) -> T) -> T {
    guard(T::from(NULL_POINTER), || match msg.as_ref() {
        None => T::from(NULL_POINTER),
        Some(m) => m.ext.as_deref().map_or(T::from(0), f),
    })
}

/// The topic; NULL for a NULL handle.
#[no_mangle]
pub unsafe extern "C" fn GetMessageTopic(msgExt: *mut CMessageExt) -> *const c_char {
    string(msgExt, |m| m.topic.as_ptr())
}

/// The tags (property TAGS), "" when absent; NULL for a NULL handle.
#[no_mangle]
pub unsafe extern "C" fn GetMessageTags(msgExt: *mut CMessageExt) -> *const c_char {
    string(msgExt, |m| m.property_ptr(property::TAGS))
}

/// The keys (property KEYS), "" when absent; NULL for a NULL handle.
#[no_mangle]
pub unsafe extern "C" fn GetMessageKeys(msgExt: *mut CMessageExt) -> *const c_char {
    string(msgExt, |m| m.property_ptr(property::KEYS))
}

/// The body (decompressed) followed by a NUL; NULL for a NULL handle.
#[no_mangle]
pub unsafe extern "C" fn GetMessageBody(msgExt: *mut CMessageExt) -> *const c_char {
    string(msgExt, |m| m.body_ptr())
}

/// The body length in bytes; 0 for a NULL handle.
#[no_mangle]
pub unsafe extern "C" fn GetMessageBodyLength(msgExt: *mut CMessageExt) -> c_int {
    guard(0, || {
        msgExt
            .as_ref()
            .map_or(0, |m| c_int::try_from(m.body_len()).unwrap_or(c_int::MAX))
    })
}

/// The property `key`, "" when absent; NULL for a NULL handle or key.
#[no_mangle]
pub unsafe extern "C" fn GetMessageProperty(
    msgExt: *mut CMessageExt,
    key: *const c_char,
) -> *const c_char {
    super::message::GetOriginMessageProperty(msgExt, key)
}

/// The client message id (property UNIQ_KEY, else the broker's offset id);
/// "" for a plain outgoing message; NULL for a NULL handle.
#[no_mangle]
pub unsafe extern "C" fn GetMessageId(msgExt: *mut CMessageExt) -> *const c_char {
    string(msgExt, |m| match &m.ext {
        Some(e) => e.msg_id.as_ptr(),
        None => m.property_ptr(property::UNIQ_KEY),
    })
}

/// The delay level (atoi of DELAY), 0 when absent; 1 (NULL_POINTER) for a NULL handle.
#[no_mangle]
pub unsafe extern "C" fn GetMessageDelayTimeLevel(msgExt: *mut CMessageExt) -> c_int {
    guard(NULL_POINTER, || {
        msgExt.as_ref().map_or(NULL_POINTER, |m| m.delay_level())
    })
}

/// The queue id; 1 (NULL_POINTER) for a NULL handle.
#[no_mangle]
pub unsafe extern "C" fn GetMessageQueueId(msgExt: *mut CMessageExt) -> c_int {
    ext_int(msgExt, |e| e.queue_id)
}

/// How many times the message was redelivered; 1 (NULL_POINTER) for a NULL handle.
#[no_mangle]
pub unsafe extern "C" fn GetMessageReconsumeTimes(msgExt: *mut CMessageExt) -> c_int {
    ext_int(msgExt, |e| e.reconsume_times)
}

/// The stored record size; 1 (NULL_POINTER) for a NULL handle.
#[no_mangle]
pub unsafe extern "C" fn GetMessageStoreSize(msgExt: *mut CMessageExt) -> c_int {
    ext_int(msgExt, |e| e.store_size)
}

/// Born time, ms since the epoch; 1 (NULL_POINTER) for a NULL handle.
#[no_mangle]
pub unsafe extern "C" fn GetMessageBornTimestamp(msgExt: *mut CMessageExt) -> c_longlong {
    ext_int(msgExt, |e| e.born_timestamp)
}

/// Store time, ms since the epoch; 1 (NULL_POINTER) for a NULL handle.
#[no_mangle]
pub unsafe extern "C" fn GetMessageStoreTimestamp(msgExt: *mut CMessageExt) -> c_longlong {
    ext_int(msgExt, |e| e.store_timestamp)
}

/// The offset in its queue; 1 (NULL_POINTER) for a NULL handle.
#[no_mangle]
pub unsafe extern "C" fn GetMessageQueueOffset(msgExt: *mut CMessageExt) -> c_longlong {
    ext_int(msgExt, |e| e.queue_offset)
}

/// The commit log offset; 1 (NULL_POINTER) for a NULL handle.
#[no_mangle]
pub unsafe extern "C" fn GetMessageCommitLogOffset(msgExt: *mut CMessageExt) -> c_longlong {
    ext_int(msgExt, |e| e.commit_log_offset)
}

/// The prepared transaction offset; 1 (NULL_POINTER) for a NULL handle.
#[no_mangle]
pub unsafe extern "C" fn GetMessagePreparedTransactionOffset(
    msgExt: *mut CMessageExt,
) -> c_longlong {
    ext_int(msgExt, |e| e.prepared_transaction_offset)
}

/// The storing broker's IP address (no port), owned by the message; ""
/// for a plain outgoing message; NULL for a NULL handle.
#[no_mangle]
pub unsafe extern "C" fn GetMessageStoreHost(msg: *mut CMessageExt) -> *const c_char {
    string(msg, |m| {
        m.ext
            .as_ref()
            .map_or(EMPTY.as_ptr(), |e| e.store_host.as_ptr())
    })
}

/// The producer's IP address (no port), owned by the message; "" for a
/// plain outgoing message; NULL for a NULL handle.
#[no_mangle]
pub unsafe extern "C" fn GetMessageBornHost(msg: *mut CMessageExt) -> *const c_char {
    string(msg, |m| {
        m.ext
            .as_ref()
            .map_or(EMPTY.as_ptr(), |e| e.born_host.as_ptr())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::message::MessageExt;
    use std::ffi::CStr;

    fn s(p: *const c_char) -> String {
        assert!(!p.is_null());
        unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned()
    }

    #[test]
    fn getters_read_a_received_message() {
        let mut e = MessageExt {
            topic: "T".into(),
            queue_id: 3,
            reconsume_times: 2,
            store_size: 120,
            born_timestamp: 11,
            store_timestamp: 12,
            queue_offset: 13,
            commit_log_offset: 14,
            prepared_transaction_offset: 15,
            born_host: "10.0.0.1:5555".parse().unwrap(),
            store_host: "10.0.0.2:10911".parse().unwrap(),
            body: bytes::Bytes::from_static(b"XXXX"),
            ..Default::default()
        };
        e.set_property("TAGS", "tg");
        e.set_property("KEYS", "k");
        e.set_property("UNIQ_KEY", "ABCD");
        e.set_property("DELAY", "2");
        e.set_property("property", "test");
        let mut m = CMessage::from_ext(&e);
        let p: *mut CMessageExt = &mut m;
        unsafe {
            assert_eq!(s(GetMessageTopic(p)), "T");
            assert_eq!(s(GetMessageTags(p)), "tg");
            assert_eq!(s(GetMessageKeys(p)), "k");
            assert_eq!(s(GetMessageBody(p)), "XXXX");
            assert_eq!(GetMessageBodyLength(p), 4);
            assert_eq!(s(GetMessageProperty(p, c"property".as_ptr())), "test");
            assert_eq!(s(GetMessageId(p)), "ABCD");
            assert_eq!(GetMessageDelayTimeLevel(p), 2);
            assert_eq!(GetMessageQueueId(p), 3);
            assert_eq!(GetMessageReconsumeTimes(p), 2);
            assert_eq!(GetMessageStoreSize(p), 120);
            assert_eq!(GetMessageBornTimestamp(p), 11);
            assert_eq!(GetMessageStoreTimestamp(p), 12);
            assert_eq!(GetMessageQueueOffset(p), 13);
            assert_eq!(GetMessageCommitLogOffset(p), 14);
            assert_eq!(GetMessagePreparedTransactionOffset(p), 15);
            assert_eq!(s(GetMessageStoreHost(p)), "10.0.0.2");
            assert_eq!(s(GetMessageBornHost(p)), "10.0.0.1");
        }
        // Without UNIQ_KEY the id is the broker's offset id.
        e.properties.remove("UNIQ_KEY");
        let mut m = CMessage::from_ext(&e);
        let id = unsafe { s(GetMessageId(&mut m)) };
        assert_eq!(id, e.offset_msg_id());
    }

    #[test]
    fn plain_messages_and_null_handles() {
        let mut m = CMessage::new("T");
        m.set_body(b"b");
        let p: *mut CMessageExt = &mut m;
        let null: *mut CMessageExt = std::ptr::null_mut();
        unsafe {
            assert_eq!(s(GetMessageBody(p)), "b");
            assert_eq!(s(GetMessageId(p)), "");
            assert_eq!(GetMessageQueueId(p), 0);
            assert_eq!(GetMessageQueueOffset(p), 0);
            assert_eq!(s(GetMessageStoreHost(p)), "");
            assert!(GetMessageTopic(null).is_null());
            assert!(GetMessageId(null).is_null());
            assert!(GetMessageStoreHost(null).is_null());
            assert_eq!(GetMessageQueueId(null), 1);
            assert_eq!(GetMessageDelayTimeLevel(null), 1);
            assert_eq!(GetMessageCommitLogOffset(null), 1);
            assert_eq!(GetMessageBodyLength(null), 0);
        }
    }
}
