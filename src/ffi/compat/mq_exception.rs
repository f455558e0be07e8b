//! `CMQException.h`: the error handed by value to async send callbacks.
// c:header CMQException.h __C_MQEXCEPTION_H__
// c:include CCommon.h

use std::ffi::{c_char, c_int};

use super::boundary::fill_array;
use crate::{Error, ErrorKind};

// c:define
pub const MAX_EXEPTION_MSG_LENGTH: usize = 512;
// c:define
pub const MAX_EXEPTION_FILE_LENGTH: usize = 256;
// c:define
pub const MAX_EXEPTION_TYPE_LENGTH: usize = 128;

// c:struct _CMQException_
/// A failure passed by value to `CSendExceptionCallback` / `COnSendExceptionCallback`.
/// `error` is the broker's response code when the broker refused the request,
/// otherwise the status code of the failed call family. Every array is
/// NUL-terminated and zero-filled; `type` holds the exception class name.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct CMQException {
    pub error: c_int,
    pub line: c_int,
    pub file: [c_char; MAX_EXEPTION_FILE_LENGTH],
    pub msg: [c_char; MAX_EXEPTION_MSG_LENGTH],
    pub r#type: [c_char; MAX_EXEPTION_TYPE_LENGTH],
}

impl CMQException {
    /// The exception for `err`, with `code` when the broker gave none.
    pub(crate) fn from_error(err: &Error, code: c_int) -> Self {
        let mut e = CMQException {
            error: err.response_code().unwrap_or(code),
            line: 0,
            file: [0; MAX_EXEPTION_FILE_LENGTH],
            msg: [0; MAX_EXEPTION_MSG_LENGTH],
            r#type: [0; MAX_EXEPTION_TYPE_LENGTH],
        };
        fill_array(&mut e.file, "librocketmq");
        fill_array(&mut e.msg, &err.to_string());
        let ty = match err.kind() {
            ErrorKind::Broker => "MQBrokerException",
            _ => "MQClientException",
        };
        fill_array(&mut e.r#type, ty);
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn layout_matches_the_c_header() {
        assert_eq!(std::mem::size_of::<CMQException>(), 904);
        assert_eq!(std::mem::align_of::<CMQException>(), 4);
        assert_eq!(std::mem::offset_of!(CMQException, file), 8);
        assert_eq!(std::mem::offset_of!(CMQException, msg), 264);
        assert_eq!(std::mem::offset_of!(CMQException, r#type), 776);
    }

    #[test]
    fn from_error_fills_fields() {
        let e = CMQException::from_error(&Error::broker(17, Some("topic not exist")), 14);
        assert_eq!(e.error, 17);
        let msg = unsafe { CStr::from_ptr(e.msg.as_ptr()) }.to_str().unwrap();
        assert!(msg.contains("topic not exist"), "{msg}");
        let ty = unsafe { CStr::from_ptr(e.r#type.as_ptr()) }
            .to_str()
            .unwrap();
        assert_eq!(ty, "MQBrokerException");
        let e = CMQException::from_error(&Error::timeout("late"), 14);
        assert_eq!(e.error, 14);
        assert_eq!(e.msg[MAX_EXEPTION_MSG_LENGTH - 1], 0);
    }
}
