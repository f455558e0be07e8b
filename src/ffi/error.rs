//! Error objects: `rmq_error_t` and the `rmq_err_t` codes.

use std::ffi::{c_char, CString};

use super::boundary::{free_box, infallible};
use super::cstr::c_string;
use crate::{Error, ErrorKind};

/// Error codes. Values are stable and only ever appended.
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum rmq_err_t {
    /// No error (what `rmq_error_code(NULL)` returns).
    RMQ_OK = 0,
    /// An argument is invalid (bad name, bad value, out of range, not UTF-8).
    RMQ_ERR_INVALID_ARG = 1,
    /// A pointer argument that must not be NULL was NULL.
    RMQ_ERR_NULL_ARG = 2,
    /// `rmq_config_set` was given a key it does not know.
    RMQ_ERR_UNKNOWN_CONFIG = 3,
    /// The call is not allowed now (e.g. shutting a producer down from its own callback).
    RMQ_ERR_INVALID_STATE = 4,
    /// The producer was not started.
    RMQ_ERR_NOT_STARTED = 5,
    /// The producer was shut down.
    RMQ_ERR_SHUT_DOWN = 6,
    /// A bound on in-flight work was reached (`back.pressure` = `fail`).
    RMQ_ERR_BUSY = 7,
    /// No answer within the time allowed.
    RMQ_ERR_TIMEOUT = 8,
    /// Connecting, reading or writing failed.
    RMQ_ERR_NETWORK = 9,
    /// No route to the topic (unknown to the name servers, no writable queue).
    RMQ_ERR_NO_ROUTE = 10,
    /// The broker or name server answered with an error; see `rmq_error_response_code`.
    RMQ_ERR_BROKER = 11,
    /// Bytes from the network could not be decoded.
    RMQ_ERR_PROTOCOL = 12,
    /// Compressing or decompressing a body failed.
    RMQ_ERR_COMPRESSION = 13,
    /// Anything else.
    RMQ_ERR_INTERNAL = 14,
    /// The library panicked (a bug); the handle involved is unusable from now on.
    RMQ_ERR_PANIC = 15,
}

impl rmq_err_t {
    fn name(self) -> &'static str {
        match self {
            rmq_err_t::RMQ_OK => "RMQ_OK",
            rmq_err_t::RMQ_ERR_INVALID_ARG => "RMQ_ERR_INVALID_ARG",
            rmq_err_t::RMQ_ERR_NULL_ARG => "RMQ_ERR_NULL_ARG",
            rmq_err_t::RMQ_ERR_UNKNOWN_CONFIG => "RMQ_ERR_UNKNOWN_CONFIG",
            rmq_err_t::RMQ_ERR_INVALID_STATE => "RMQ_ERR_INVALID_STATE",
            rmq_err_t::RMQ_ERR_NOT_STARTED => "RMQ_ERR_NOT_STARTED",
            rmq_err_t::RMQ_ERR_SHUT_DOWN => "RMQ_ERR_SHUT_DOWN",
            rmq_err_t::RMQ_ERR_BUSY => "RMQ_ERR_BUSY",
            rmq_err_t::RMQ_ERR_TIMEOUT => "RMQ_ERR_TIMEOUT",
            rmq_err_t::RMQ_ERR_NETWORK => "RMQ_ERR_NETWORK",
            rmq_err_t::RMQ_ERR_NO_ROUTE => "RMQ_ERR_NO_ROUTE",
            rmq_err_t::RMQ_ERR_BROKER => "RMQ_ERR_BROKER",
            rmq_err_t::RMQ_ERR_PROTOCOL => "RMQ_ERR_PROTOCOL",
            rmq_err_t::RMQ_ERR_COMPRESSION => "RMQ_ERR_COMPRESSION",
            rmq_err_t::RMQ_ERR_INTERNAL => "RMQ_ERR_INTERNAL",
            rmq_err_t::RMQ_ERR_PANIC => "RMQ_ERR_PANIC",
        }
    }

    const ALL: [rmq_err_t; 16] = [
        rmq_err_t::RMQ_OK,
        rmq_err_t::RMQ_ERR_INVALID_ARG,
        rmq_err_t::RMQ_ERR_NULL_ARG,
        rmq_err_t::RMQ_ERR_UNKNOWN_CONFIG,
        rmq_err_t::RMQ_ERR_INVALID_STATE,
        rmq_err_t::RMQ_ERR_NOT_STARTED,
        rmq_err_t::RMQ_ERR_SHUT_DOWN,
        rmq_err_t::RMQ_ERR_BUSY,
        rmq_err_t::RMQ_ERR_TIMEOUT,
        rmq_err_t::RMQ_ERR_NETWORK,
        rmq_err_t::RMQ_ERR_NO_ROUTE,
        rmq_err_t::RMQ_ERR_BROKER,
        rmq_err_t::RMQ_ERR_PROTOCOL,
        rmq_err_t::RMQ_ERR_COMPRESSION,
        rmq_err_t::RMQ_ERR_INTERNAL,
        rmq_err_t::RMQ_ERR_PANIC,
    ];

    fn of_kind(kind: ErrorKind) -> rmq_err_t {
        match kind {
            ErrorKind::InvalidArgument => rmq_err_t::RMQ_ERR_INVALID_ARG,
            ErrorKind::Protocol => rmq_err_t::RMQ_ERR_PROTOCOL,
            ErrorKind::Network => rmq_err_t::RMQ_ERR_NETWORK,
            ErrorKind::Timeout => rmq_err_t::RMQ_ERR_TIMEOUT,
            ErrorKind::Broker => rmq_err_t::RMQ_ERR_BROKER,
            ErrorKind::NoRoute => rmq_err_t::RMQ_ERR_NO_ROUTE,
            ErrorKind::NotStarted => rmq_err_t::RMQ_ERR_NOT_STARTED,
            ErrorKind::ShutDown => rmq_err_t::RMQ_ERR_SHUT_DOWN,
            ErrorKind::Busy => rmq_err_t::RMQ_ERR_BUSY,
            ErrorKind::Compression => rmq_err_t::RMQ_ERR_COMPRESSION,
            ErrorKind::Internal => rmq_err_t::RMQ_ERR_INTERNAL,
        }
    }
}

/// An error: a code, a message, the server's response code when there is one,
/// and whether retrying may help. Owned by whoever received it; free it with
/// `rmq_error_free`. Errors passed to callbacks are borrowed for the call.
#[allow(non_camel_case_types)]
#[derive(Debug)]
pub struct rmq_error_t {
    code: rmq_err_t,
    message: CString,
    response_code: i32,
    retriable: bool,
}

/// The result type of the C API's internals: errors are ready to hand to C.
pub(crate) type FfiResult<T> = Result<T, Box<rmq_error_t>>;

impl rmq_error_t {
    pub(crate) fn new(code: rmq_err_t, message: impl Into<String>) -> Box<rmq_error_t> {
        Box::new(rmq_error_t {
            code,
            message: c_string(&message.into()),
            response_code: 0,
            retriable: false,
        })
    }

    pub(crate) fn null_arg(name: &str) -> Box<rmq_error_t> {
        Self::new(rmq_err_t::RMQ_ERR_NULL_ARG, format!("{name} is NULL"))
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Box<rmq_error_t> {
        Self::new(rmq_err_t::RMQ_ERR_INVALID_ARG, message)
    }

    pub(crate) fn invalid_state(message: impl Into<String>) -> Box<rmq_error_t> {
        Self::new(rmq_err_t::RMQ_ERR_INVALID_STATE, message)
    }

    pub(crate) fn panicked() -> Box<rmq_error_t> {
        Self::new(
            rmq_err_t::RMQ_ERR_PANIC,
            "the library panicked (a bug); the handle is unusable",
        )
    }

    #[cfg(test)]
    pub(crate) fn code(&self) -> rmq_err_t {
        self.code
    }

    #[cfg(test)]
    pub(crate) fn message_str(&self) -> &str {
        self.message.to_str().unwrap_or("")
    }
}

impl From<Error> for Box<rmq_error_t> {
    fn from(e: Error) -> Self {
        Box::new(rmq_error_t {
            code: rmq_err_t::of_kind(e.kind()),
            message: c_string(&e.to_string()),
            response_code: e.response_code().unwrap_or(0),
            retriable: e.is_retriable(),
        })
    }
}

/// The code of `error`; `RMQ_OK` for NULL.
#[no_mangle]
pub extern "C" fn rmq_error_code(error: *const rmq_error_t) -> rmq_err_t {
    infallible(rmq_err_t::RMQ_ERR_PANIC, || {
        // SAFETY: NULL or an error made by this library (header contract).
        unsafe { error.as_ref() }.map_or(rmq_err_t::RMQ_OK, |e| e.code)
    })
}

/// The message of `error`: NUL-terminated UTF-8, borrowed from `error` and
/// valid until it is freed. Never NULL: "" for a NULL error.
#[no_mangle]
pub extern "C" fn rmq_error_message(error: *const rmq_error_t) -> *const c_char {
    infallible(c"".as_ptr(), || {
        // SAFETY: NULL or an error made by this library (header contract).
        unsafe { error.as_ref() }.map_or(c"".as_ptr(), |e| e.message.as_ptr())
    })
}

/// The response code the broker or name server answered with (RocketMQ
/// `ResponseCode`), or 0 when the error did not come from a server or for NULL.
#[no_mangle]
pub extern "C" fn rmq_error_response_code(error: *const rmq_error_t) -> i32 {
    infallible(0, || {
        // SAFETY: NULL or an error made by this library (header contract).
        unsafe { error.as_ref() }.map_or(0, |e| e.response_code)
    })
}

/// Whether retrying the same call may succeed (timeouts, network errors,
/// some broker answers). False for NULL.
#[no_mangle]
pub extern "C" fn rmq_error_retriable(error: *const rmq_error_t) -> bool {
    infallible(false, || {
        // SAFETY: NULL or an error made by this library (header contract).
        unsafe { error.as_ref() }.is_some_and(|e| e.retriable)
    })
}

/// Frees an error returned by this library. NULL is a no-op. Never free an
/// error passed to a callback: it is borrowed.
#[no_mangle]
pub extern "C" fn rmq_error_free(error: *mut rmq_error_t) {
    infallible((), || {
        // SAFETY: NULL or an owned error from this library, not used again (header contract).
        unsafe { free_box(error) }
    })
}

/// The name of an error code ("RMQ_ERR_TIMEOUT"), a static string; NULL for
/// a value that is not a code.
#[no_mangle]
pub extern "C" fn rmq_err_name(code: i32) -> *const c_char {
    infallible(std::ptr::null(), || {
        rmq_err_t::ALL
            .iter()
            .find(|c| **c as i32 == code)
            .map_or(std::ptr::null(), |c| {
                // The names are ASCII without NUL; leak-free statics built once.
                static NAMES: once_cell::sync::Lazy<Vec<CString>> =
                    once_cell::sync::Lazy::new(|| {
                        rmq_err_t::ALL.iter().map(|c| c_string(c.name())).collect()
                    });
                NAMES[*c as usize].as_ptr()
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn engine_errors_keep_kind_code_and_retriable() {
        let e: Box<rmq_error_t> = Error::broker(17, Some("topic not exist")).into();
        let p = Box::into_raw(e);
        assert_eq!(rmq_error_code(p), rmq_err_t::RMQ_ERR_BROKER);
        assert_eq!(rmq_error_response_code(p), 17);
        assert!(!rmq_error_retriable(p));
        let msg = unsafe { CStr::from_ptr(rmq_error_message(p)) }
            .to_str()
            .unwrap();
        assert!(msg.contains("topic not exist"), "{msg}");
        rmq_error_free(p);
        let t = Box::into_raw(Box::<rmq_error_t>::from(Error::timeout("slow")));
        assert_eq!(rmq_error_code(t), rmq_err_t::RMQ_ERR_TIMEOUT);
        assert!(rmq_error_retriable(t));
        rmq_error_free(t);
    }

    #[test]
    fn null_errors_have_defaults() {
        assert_eq!(rmq_error_code(std::ptr::null()), rmq_err_t::RMQ_OK);
        assert_eq!(
            unsafe { CStr::from_ptr(rmq_error_message(std::ptr::null())) }.to_bytes(),
            b""
        );
        assert_eq!(rmq_error_response_code(std::ptr::null()), 0);
        assert!(!rmq_error_retriable(std::ptr::null()));
        rmq_error_free(std::ptr::null_mut());
    }

    #[test]
    fn every_code_has_its_name() {
        for (i, c) in rmq_err_t::ALL.iter().enumerate() {
            assert_eq!(*c as usize, i);
            let n = unsafe { CStr::from_ptr(rmq_err_name(*c as i32)) };
            assert_eq!(n.to_str().unwrap(), c.name());
        }
        assert!(rmq_err_name(99).is_null());
        assert!(rmq_err_name(-1).is_null());
    }
}
