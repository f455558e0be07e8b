//! `CBatchMessage.h`: batches of messages for `SendBatchMessage`.
// c:header CBatchMessage.h __C_BATCHMESSAGE_H__
// c:include CCommon.h
// c:include CMessage.h

use std::ffi::c_int;

use super::boundary::{guard, set_error};
use super::common::{NULL_POINTER, OK};
use super::message::CMessage;

// c:opaque
/// A batch: copies of the messages added to it.
#[derive(Debug, Default)]
pub struct CBatchMessage {
    pub(crate) msgs: Vec<CMessage>,
}

/// Creates an empty batch owned by the caller (free with `DestroyBatchMessage`). Never NULL.
#[no_mangle]
pub extern "C" fn CreateBatchMessage() -> *mut CBatchMessage {
    guard(std::ptr::null_mut(), || {
        Box::into_raw(Box::<CBatchMessage>::default())
    })
}

/// Adds a copy of `msg` to the batch; the caller keeps `msg`. NULL_POINTER if
/// either argument is NULL.
#[no_mangle]
pub unsafe extern "C" fn AddMessage(batchMsg: *mut CBatchMessage, msg: *mut CMessage) -> c_int {
    guard(NULL_POINTER, || {
        let (Some(b), Some(m)) = (batchMsg.as_mut(), msg.as_ref()) else {
            set_error("AddMessage: the batch or the message is NULL");
            return NULL_POINTER;
        };
        b.msgs.push(m.clone());
        OK
    })
}

/// Frees the batch and its copies. NULL_POINTER for NULL.
#[no_mangle]
pub unsafe extern "C" fn DestroyBatchMessage(batchMsg: *mut CBatchMessage) -> c_int {
    guard(NULL_POINTER, || {
        if batchMsg.is_null() {
            set_error("DestroyBatchMessage: the batch is NULL");
            return NULL_POINTER;
        }
        drop(Box::from_raw(batchMsg));
        OK
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::compat::message::{CreateMessage, DestroyMessage, SetMessageBody};

    #[test]
    fn add_copies_the_message() {
        unsafe {
            let b = CreateBatchMessage();
            let m = CreateMessage(c"T".as_ptr());
            SetMessageBody(m, c"one".as_ptr());
            assert_eq!(AddMessage(b, m), OK);
            DestroyMessage(m);
            let batch = &*b;
            assert_eq!(batch.msgs.len(), 1);
            assert_eq!(&batch.msgs[0].body_bytes()[..], b"one");
            assert_eq!(AddMessage(b, std::ptr::null_mut()), NULL_POINTER);
            assert_eq!(AddMessage(std::ptr::null_mut(), m), NULL_POINTER);
            assert_eq!(DestroyBatchMessage(b), OK);
            assert_eq!(DestroyBatchMessage(std::ptr::null_mut()), NULL_POINTER);
        }
    }
}
