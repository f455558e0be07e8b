//! The log level and the log callback.

use std::ffi::{c_char, c_void};
use std::sync::Arc;

use super::boundary::{fallible, infallible};
use super::cstr::c_string;
use super::error::rmq_error_t;
use super::userdata::{rmq_free_cb, UserData};
use crate::log::{self, Level};

/// Log levels: a level logs itself and every more important one.
#[allow(non_camel_case_types)]
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum rmq_log_level_t {
    /// Nothing is logged.
    RMQ_LOG_OFF = 0,
    RMQ_LOG_ERROR = 1,
    /// The default: warnings and errors.
    RMQ_LOG_WARN = 2,
    RMQ_LOG_INFO = 3,
    RMQ_LOG_DEBUG = 4,
    RMQ_LOG_TRACE = 5,
}

impl rmq_log_level_t {
    fn of(l: Level) -> rmq_log_level_t {
        match l {
            Level::Off => rmq_log_level_t::RMQ_LOG_OFF,
            Level::Error => rmq_log_level_t::RMQ_LOG_ERROR,
            Level::Warn => rmq_log_level_t::RMQ_LOG_WARN,
            Level::Info => rmq_log_level_t::RMQ_LOG_INFO,
            Level::Debug => rmq_log_level_t::RMQ_LOG_DEBUG,
            Level::Trace => rmq_log_level_t::RMQ_LOG_TRACE,
        }
    }
}

/// Receives a log line: the level, the part of the library it comes from
/// (e.g. "producer") and the message, both NUL-terminated and valid only
/// during the call. Called from any library or application thread, possibly
/// concurrently; it must be thread-safe, return quickly and not call `rmq_`
/// functions (lines logged meanwhile on the same thread go to stderr).
#[allow(non_camel_case_types)]
pub type rmq_log_cb = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        level: rmq_log_level_t,
        target: *const c_char,
        message: *const c_char,
    ),
>;

/// Sets the most detailed level logged (an `RMQ_LOG_*` value; default
/// `RMQ_LOG_WARN`). Fails with `RMQ_ERR_INVALID_ARG` for other values.
#[no_mangle]
pub extern "C" fn rmq_set_log_level(level: i32) -> *mut rmq_error_t {
    fallible(|| {
        let l = Level::from_i32(level).ok_or_else(|| {
            rmq_error_t::invalid(format!("log level {level} is not an RMQ_LOG_* value"))
        })?;
        log::set_level(l);
        Ok(())
    })
}

/// The most detailed level logged.
#[no_mangle]
pub extern "C" fn rmq_log_level() -> rmq_log_level_t {
    infallible(rmq_log_level_t::RMQ_LOG_WARN, || {
        rmq_log_level_t::of(log::level())
    })
}

/// Sends log lines to `cb` with `user_data` instead of stderr; NULL `cb`
/// restores stderr. Replaces any earlier callback: the earlier
/// `free_user_data` (if not NULL) is called exactly once, after the earlier
/// callback's last call, on whichever thread finishes with it. With NULL `cb`,
/// `free_user_data(user_data)` (if not NULL) is called at once. Log lines
/// never contain message bodies or secrets.
#[no_mangle]
pub extern "C" fn rmq_set_log_callback(
    cb: rmq_log_cb,
    user_data: *mut c_void,
    free_user_data: rmq_free_cb,
) {
    infallible((), || {
        let ud = UserData::new(user_data, free_user_data);
        match cb {
            None => {
                drop(ud);
                log::set_sink(None);
            }
            Some(f) => {
                log::set_sink(Some(Arc::new(move |level, target, message| {
                    let (t, m) = (c_string(target), c_string(message));
                    // SAFETY: the callback contract above; strings live for the call.
                    unsafe { f(ud.ptr(), rmq_log_level_t::of(level), t.as_ptr(), m.as_ptr()) }
                })));
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_levels_are_refused() {
        let e = rmq_set_log_level(9);
        assert!(!e.is_null());
        super::super::error::rmq_error_free(e);
        let e = rmq_set_log_level(-1);
        assert!(!e.is_null());
        super::super::error::rmq_error_free(e);
    }
}
