//! `CCommon.h`: status codes, log levels, message and trace models, limits.
// c:header CCommon.h __C_COMMON_H__
// c:raw #ifndef ROCKETMQCLIENT_API
// c:raw #define ROCKETMQCLIENT_API
// c:raw #endif

use std::ffi::c_int;

// c:define
pub const MAX_MESSAGE_ID_LENGTH: usize = 256;
// c:define
pub const MAX_TOPIC_LENGTH: usize = 512;
// c:define
pub const MAX_BROKER_NAME_ID_LENGTH: usize = 256;
// c:define
pub const MAX_SDK_VERSION_LENGTH: usize = 256;
// c:define
pub const DEFAULT_SDK_VERSION: &str = "DefaultVersion";

// c:enum _CStatus_
/// Status codes returned (as `int`) by the API functions.
pub type CStatus = c_int;
pub const OK: CStatus = 0;
/// A required pointer argument was NULL (also returned for a few invalid values, see each function).
pub const NULL_POINTER: CStatus = 1;
pub const MALLOC_FAILED: CStatus = 2;
pub const PRODUCER_ERROR_CODE_START: CStatus = 10;
pub const PRODUCER_START_FAILED: CStatus = 10;
pub const PRODUCER_SEND_SYNC_FAILED: CStatus = 11;
pub const PRODUCER_SEND_ONEWAY_FAILED: CStatus = 12;
pub const PRODUCER_SEND_ORDERLY_FAILED: CStatus = 13;
pub const PRODUCER_SEND_ASYNC_FAILED: CStatus = 14;
pub const PRODUCER_SEND_ORDERLYASYNC_FAILED: CStatus = 15;
pub const PRODUCER_SEND_TRANSACTION_FAILED: CStatus = 16;
pub const PUSHCONSUMER_ERROR_CODE_START: CStatus = 20;
pub const PUSHCONSUMER_START_FAILED: CStatus = 20;
pub const PULLCONSUMER_ERROR_CODE_START: CStatus = 30;
pub const PULLCONSUMER_START_FAILED: CStatus = 30;
pub const PULLCONSUMER_FETCH_MQ_FAILED: CStatus = 31;
pub const PULLCONSUMER_FETCH_MESSAGE_FAILED: CStatus = 32;
pub const Not_Support: CStatus = 500;
pub const NOT_SUPPORT_NOW: CStatus = -1;
// c:end

// c:enum _CLogLevel_
/// Log levels. The library keeps the setting; it writes no log files.
pub type CLogLevel = c_int;
pub const E_LOG_LEVEL_FATAL: CLogLevel = 1;
pub const E_LOG_LEVEL_ERROR: CLogLevel = 2;
pub const E_LOG_LEVEL_WARN: CLogLevel = 3;
pub const E_LOG_LEVEL_INFO: CLogLevel = 4;
pub const E_LOG_LEVEL_DEBUG: CLogLevel = 5;
pub const E_LOG_LEVEL_TRACE: CLogLevel = 6;
pub const E_LOG_LEVEL_LEVEL_NUM: CLogLevel = 7;
// c:end

// c:enum _CMessageModel_
/// Push consumer message models.
pub type CMessageModel = c_int;
pub const BROADCASTING: CMessageModel = 0;
pub const CLUSTERING: CMessageModel = 1;
// c:end

// c:enum _CTraceModel_
/// Message trace switch.
pub type CTraceModel = c_int;
pub const OPEN: CTraceModel = 0;
pub const CLOSE: CTraceModel = 1;
// c:end

/// Process-wide log settings, kept for the `Set*Log*` functions.
pub(crate) mod log_settings {
    use std::sync::atomic::{AtomicI32, AtomicI64, Ordering};

    static LEVEL: AtomicI32 = AtomicI32::new(super::E_LOG_LEVEL_INFO);
    static FILE_NUM: AtomicI32 = AtomicI32::new(3);
    static FILE_SIZE_MB: AtomicI64 = AtomicI64::new(100);

    pub(crate) fn set_level(level: i32) {
        LEVEL.store(level, Ordering::Relaxed);
    }
    // `c_long` is i64 here but i32 on 32-bit targets.
    #[allow(clippy::useless_conversion)]
    pub(crate) fn set_files(num: i32, size: std::ffi::c_long) {
        FILE_NUM.store(num, Ordering::Relaxed);
        FILE_SIZE_MB.store(size.into(), Ordering::Relaxed);
    }
    #[cfg(test)]
    pub(crate) fn level() -> i32 {
        LEVEL.load(Ordering::Relaxed)
    }
}

/// The version text of `Show*Version`, NUL-terminated.
const VERSION_TEXT: &str = concat!(
    "RUST CORE VERSION: ",
    env!("CARGO_PKG_VERSION"),
    ", librocketmq (rocketmq-client-cpp C API)\0"
);

/// `VERSION_TEXT` for C callers: lives as long as the process.
pub(crate) fn version_text() -> *const std::ffi::c_char {
    std::ffi::CStr::from_bytes_with_nul(VERSION_TEXT.as_bytes())
        .map_or(std::ptr::null(), |s| s.as_ptr())
}

/// The consumers' `Show*Version`: the version text, NULL for a NULL client.
pub(crate) fn version_or_null<T>(client: *const T) -> *const std::ffi::c_char {
    super::boundary::client_guard(std::ptr::null(), || {
        if client.is_null() {
            std::ptr::null()
        } else {
            version_text()
        }
    })
}
