//! `CPushConsumer.h`: push consumers.
//!
//! The handle keeps every setting, subscription and callback. Starting it
//! needs the push consumer engine, which this build does not have yet:
//! `StartPushConsumer` reports PUSHCONSUMER_START_FAILED with the reason.
// c:header CPushConsumer.h __C_PUSH_CONSUMER_H__
// c:include CCommon.h
// c:include CMessageExt.h

use std::collections::BTreeMap;
use std::ffi::{c_char, c_int, c_long, CString};

use parking_lot::Mutex;

use super::boundary::{fail, guard, opt_str, set_error, to_cstring};
use super::common::*;
use super::message_ext::CMessageExt;

// c:opaque
/// A push consumer handle.
pub struct CPushConsumer {
    pub(crate) settings: Mutex<PushSettings>,
}

// c:enum E_CConsumeStatus
/// What a message callback returns.
pub type CConsumeStatus = c_int;
pub const E_CONSUME_SUCCESS: CConsumeStatus = 0;
pub const E_RECONSUME_LATER: CConsumeStatus = 1;
// c:end

// c:callback
/// Consumes one message; returns E_CONSUME_SUCCESS or E_RECONSUME_LATER.
/// Runs on a library consume thread; `msg` is valid during the call only.
pub type MessageCallBack =
    unsafe extern "C" fn(consumer: *mut CPushConsumer, msg: *mut CMessageExt) -> c_int;

/// Settings gathered by the setters.
#[allow(dead_code)]
#[derive(Debug)]
pub(crate) struct PushSettings {
    pub(crate) group: CString,
    pub(crate) namesrv: String,
    pub(crate) namesrv_domain: String,
    pub(crate) instance_name: String,
    pub(crate) credentials: Option<(String, String)>,
    pub(crate) subscriptions: BTreeMap<String, String>,
    pub(crate) callback: Option<(MessageCallBack, bool)>,
    pub(crate) thread_count: i32,
    pub(crate) batch_max_size: i32,
    pub(crate) max_cache_count: i32,
    pub(crate) max_cache_mb: i32,
    pub(crate) model: CMessageModel,
    pub(crate) trace: bool,
    pub(crate) ssl: bool,
    pub(crate) ssl_property_file: String,
}

impl CPushConsumer {
    fn new(group: &str) -> Self {
        let threads = std::thread::available_parallelism().map_or(4, |n| n.get() as i32);
        CPushConsumer {
            settings: Mutex::new(PushSettings {
                group: to_cstring(group),
                namesrv: std::env::var("NAMESRV_ADDR").unwrap_or_default(),
                namesrv_domain: String::new(),
                instance_name: crate::client::config::DEFAULT_INSTANCE_NAME.to_owned(),
                credentials: None,
                subscriptions: BTreeMap::new(),
                callback: None,
                thread_count: threads,
                batch_max_size: 1,
                max_cache_count: 1000,
                max_cache_mb: 0,
                model: CLUSTERING,
                trace: false,
                ssl: false,
                ssl_property_file: "/etc/rocketmq/tls.properties".to_owned(),
            }),
        }
    }
}

unsafe fn consumer_ref<'a>(c: *mut CPushConsumer, what: &str) -> Option<&'a CPushConsumer> {
    let r = c.as_ref();
    if r.is_none() {
        set_error(format!("{what}: the consumer is NULL"));
    }
    r
}

unsafe fn set(
    c: *mut CPushConsumer,
    what: &str,
    f: impl FnOnce(&mut PushSettings) -> c_int,
) -> c_int {
    guard(NULL_POINTER, || {
        let Some(c) = consumer_ref(c, what) else {
            return NULL_POINTER;
        };
        f(&mut c.settings.lock())
    })
}

unsafe fn set_str(
    c: *mut CPushConsumer,
    value: *const c_char,
    what: &str,
    f: impl FnOnce(&mut PushSettings, String),
) -> c_int {
    match opt_str(value) {
        Some(v) => set(c, what, |s| {
            f(s, v.into_owned());
            OK
        }),
        None => fail(NULL_POINTER, format!("{what}: the value is NULL")),
    }
}

/// Creates a push consumer of `groupId` (model CLUSTERING, consuming from the
/// last offset). NULL if `groupId` is NULL.
#[no_mangle]
pub unsafe extern "C" fn CreatePushConsumer(groupId: *const c_char) -> *mut CPushConsumer {
    guard(std::ptr::null_mut(), || {
        let Some(g) = opt_str(groupId) else {
            set_error("CreatePushConsumer: the group id is NULL");
            return std::ptr::null_mut();
        };
        Box::into_raw(Box::new(CPushConsumer::new(&g)))
    })
}

/// Shuts the consumer down if it is running, then frees it. NULL_POINTER for NULL.
#[no_mangle]
pub unsafe extern "C" fn DestroyPushConsumer(consumer: *mut CPushConsumer) -> c_int {
    guard(NULL_POINTER, || {
        if consumer.is_null() {
            return fail(NULL_POINTER, "DestroyPushConsumer: the consumer is NULL");
        }
        drop(Box::from_raw(consumer));
        OK
    })
}

/// Starts consuming. PUSHCONSUMER_START_FAILED with the reason when no
/// message callback is registered, and in this build always: the push
/// consumer engine is not available yet.
#[no_mangle]
pub unsafe extern "C" fn StartPushConsumer(consumer: *mut CPushConsumer) -> c_int {
    guard(PUSHCONSUMER_START_FAILED, || {
        let Some(c) = consumer_ref(consumer, "StartPushConsumer") else {
            return NULL_POINTER;
        };
        if c.settings.lock().callback.is_none() {
            return fail(
                PUSHCONSUMER_START_FAILED,
                "starting the push consumer failed: messageListener is null (call RegisterMessageCallback first)",
            );
        }
        fail(
            PUSHCONSUMER_START_FAILED,
            "starting the push consumer failed: the push consumer is not available in this build yet",
        )
    })
}

/// Stops consuming; OK (also when not running).
#[no_mangle]
pub unsafe extern "C" fn ShutdownPushConsumer(consumer: *mut CPushConsumer) -> c_int {
    set(consumer, "ShutdownPushConsumer", |_| OK)
}

/// The library version text; NULL for a NULL consumer.
#[no_mangle]
pub unsafe extern "C" fn ShowPushConsumerVersion(consumer: *mut CPushConsumer) -> *const c_char {
    static VERSION: once_cell::sync::Lazy<CString> =
        once_cell::sync::Lazy::new(|| CString::new(VERSION_TEXT).unwrap_or_default());
    guard(std::ptr::null(), || {
        if consumer.is_null() {
            std::ptr::null()
        } else {
            VERSION.as_ptr()
        }
    })
}

/// Replaces the group. NULL_POINTER if either argument is NULL.
#[no_mangle]
pub unsafe extern "C" fn SetPushConsumerGroupID(
    consumer: *mut CPushConsumer,
    groupId: *const c_char,
) -> c_int {
    set_str(consumer, groupId, "SetPushConsumerGroupID", |s, v| {
        s.group = to_cstring(&v)
    })
}

/// The group, valid until the next SetPushConsumerGroupID; NULL for a NULL consumer.
#[no_mangle]
pub unsafe extern "C" fn GetPushConsumerGroupID(consumer: *mut CPushConsumer) -> *const c_char {
    guard(std::ptr::null(), || {
        consumer
            .as_ref()
            .map_or(std::ptr::null(), |c| c.settings.lock().group.as_ptr())
    })
}

/// Sets the name servers, "host:port;host:port".
#[no_mangle]
pub unsafe extern "C" fn SetPushConsumerNameServerAddress(
    consumer: *mut CPushConsumer,
    namesrv: *const c_char,
) -> c_int {
    set_str(
        consumer,
        namesrv,
        "SetPushConsumerNameServerAddress",
        |s, v| s.namesrv = v,
    )
}

/// Stores a name server lookup domain (lookup through it is not supported).
#[no_mangle]
pub unsafe extern "C" fn SetPushConsumerNameServerDomain(
    consumer: *mut CPushConsumer,
    domain: *const c_char,
) -> c_int {
    set_str(
        consumer,
        domain,
        "SetPushConsumerNameServerDomain",
        |s, v| s.namesrv_domain = v,
    )
}

/// Subscribes `topic` with a tag expression ("*", "TagA || TagB"); a second
/// call for a topic replaces its expression. NULL_POINTER if any argument is
/// NULL (rocketmq-client-cpp crashed on a NULL topic or expression).
#[no_mangle]
pub unsafe extern "C" fn Subscribe(
    consumer: *mut CPushConsumer,
    topic: *const c_char,
    expression: *const c_char,
) -> c_int {
    let (Some(t), Some(e)) = (opt_str(topic), opt_str(expression)) else {
        return fail(
            NULL_POINTER,
            "Subscribe: the topic or the expression is NULL",
        );
    };
    set(consumer, "Subscribe", |s| {
        s.subscriptions.insert(t.into_owned(), e.into_owned());
        OK
    })
}

/// Registers an orderly callback (replacing any callback). NULL_POINTER if an argument is NULL.
#[no_mangle]
pub unsafe extern "C" fn RegisterMessageCallbackOrderly(
    consumer: *mut CPushConsumer,
    pCallback: Option<MessageCallBack>,
) -> c_int {
    let Some(cb) = pCallback else {
        return fail(
            NULL_POINTER,
            "RegisterMessageCallbackOrderly: the callback is NULL",
        );
    };
    set(consumer, "RegisterMessageCallbackOrderly", |s| {
        s.callback = Some((cb, true));
        OK
    })
}

/// Registers a concurrent callback (replacing any callback). NULL_POINTER if an argument is NULL.
#[no_mangle]
pub unsafe extern "C" fn RegisterMessageCallback(
    consumer: *mut CPushConsumer,
    pCallback: Option<MessageCallBack>,
) -> c_int {
    let Some(cb) = pCallback else {
        return fail(
            NULL_POINTER,
            "RegisterMessageCallback: the callback is NULL",
        );
    };
    set(consumer, "RegisterMessageCallback", |s| {
        s.callback = Some((cb, false));
        OK
    })
}

/// Removes an orderly callback (no-op if none).
#[no_mangle]
pub unsafe extern "C" fn UnregisterMessageCallbackOrderly(consumer: *mut CPushConsumer) -> c_int {
    set(consumer, "UnregisterMessageCallbackOrderly", |s| {
        if matches!(s.callback, Some((_, true))) {
            s.callback = None;
        }
        OK
    })
}

/// Removes a concurrent callback (no-op if none).
#[no_mangle]
pub unsafe extern "C" fn UnregisterMessageCallback(consumer: *mut CPushConsumer) -> c_int {
    set(consumer, "UnregisterMessageCallback", |s| {
        if matches!(s.callback, Some((_, false))) {
            s.callback = None;
        }
        OK
    })
}

/// Sets the consume thread count; 0 gives NULL_POINTER (as in
/// rocketmq-client-cpp), negative values are ignored.
#[no_mangle]
pub unsafe extern "C" fn SetPushConsumerThreadCount(
    consumer: *mut CPushConsumer,
    threadCount: c_int,
) -> c_int {
    set(consumer, "SetPushConsumerThreadCount", |s| {
        if threadCount == 0 {
            return fail(
                NULL_POINTER,
                "SetPushConsumerThreadCount: the thread count is 0",
            );
        }
        if threadCount > 0 {
            s.thread_count = threadCount;
        }
        OK
    })
}

/// Sets the most messages per callback batch; 0 gives NULL_POINTER, negative values are ignored.
#[no_mangle]
pub unsafe extern "C" fn SetPushConsumerMessageBatchMaxSize(
    consumer: *mut CPushConsumer,
    batchSize: c_int,
) -> c_int {
    set(consumer, "SetPushConsumerMessageBatchMaxSize", |s| {
        if batchSize == 0 {
            return fail(
                NULL_POINTER,
                "SetPushConsumerMessageBatchMaxSize: the batch size is 0",
            );
        }
        if batchSize > 0 {
            s.batch_max_size = batchSize;
        }
        OK
    })
}

/// Sets the instance name (default "DEFAULT").
#[no_mangle]
pub unsafe extern "C" fn SetPushConsumerInstanceName(
    consumer: *mut CPushConsumer,
    instanceName: *const c_char,
) -> c_int {
    set_str(
        consumer,
        instanceName,
        "SetPushConsumerInstanceName",
        |s, v| s.instance_name = v,
    )
}

/// Sets the ACL keys (both empty: no signing); `channel` is ignored.
#[no_mangle]
pub unsafe extern "C" fn SetPushConsumerSessionCredentials(
    consumer: *mut CPushConsumer,
    accessKey: *const c_char,
    secretKey: *const c_char,
    channel: *const c_char,
) -> c_int {
    let (Some(ak), Some(sk), Some(_)) = (opt_str(accessKey), opt_str(secretKey), opt_str(channel))
    else {
        return fail(
            NULL_POINTER,
            "SetPushConsumerSessionCredentials: an argument is NULL",
        );
    };
    set(consumer, "SetPushConsumerSessionCredentials", |s| {
        s.credentials = if ak.is_empty() && sk.is_empty() {
            None
        } else {
            Some((ak.into_owned(), sk.into_owned()))
        };
        OK
    })
}

/// Accepted for compatibility; the library writes no log files.
#[no_mangle]
pub unsafe extern "C" fn SetPushConsumerLogPath(
    consumer: *mut CPushConsumer,
    logPath: *const c_char,
) -> c_int {
    let _ = logPath;
    set(consumer, "SetPushConsumerLogPath", |_| OK)
}

/// Accepted for compatibility (process-wide); the library writes no log files.
#[no_mangle]
pub unsafe extern "C" fn SetPushConsumerLogFileNumAndSize(
    consumer: *mut CPushConsumer,
    fileNum: c_int,
    fileSize: c_long,
) -> c_int {
    set(consumer, "SetPushConsumerLogFileNumAndSize", |_| {
        log_settings::set_files(fileNum, fileSize);
        OK
    })
}

/// Sets the process-wide log level (kept; the library writes no log files).
#[no_mangle]
pub unsafe extern "C" fn SetPushConsumerLogLevel(
    consumer: *mut CPushConsumer,
    level: CLogLevel,
) -> c_int {
    set(consumer, "SetPushConsumerLogLevel", |_| {
        log_settings::set_level(level);
        OK
    })
}

/// Sets BROADCASTING or CLUSTERING (any other value counts as CLUSTERING).
#[no_mangle]
pub unsafe extern "C" fn SetPushConsumerMessageModel(
    consumer: *mut CPushConsumer,
    messageModel: CMessageModel,
) -> c_int {
    set(consumer, "SetPushConsumerMessageModel", |s| {
        s.model = if messageModel == BROADCASTING {
            BROADCASTING
        } else {
            CLUSTERING
        };
        OK
    })
}

/// Sets the most messages cached per queue; <= 0 gives NULL_POINTER, values
/// of 65535 and more are ignored.
#[no_mangle]
pub unsafe extern "C" fn SetPushConsumerMaxCacheMessageSize(
    consumer: *mut CPushConsumer,
    maxCacheSize: c_int,
) -> c_int {
    set(consumer, "SetPushConsumerMaxCacheMessageSize", |s| {
        if maxCacheSize <= 0 {
            return fail(
                NULL_POINTER,
                "SetPushConsumerMaxCacheMessageSize: the size must be positive",
            );
        }
        if maxCacheSize < 65535 {
            s.max_cache_count = maxCacheSize;
        }
        OK
    })
}

/// Sets the most MiB of messages cached per queue; <= 0 gives NULL_POINTER.
/// Returns OK (rocketmq-client-cpp did not implement it and returned Not_Support).
#[no_mangle]
pub unsafe extern "C" fn SetPushConsumerMaxCacheMessageSizeInMb(
    consumer: *mut CPushConsumer,
    maxCacheSizeInMb: c_int,
) -> c_int {
    set(consumer, "SetPushConsumerMaxCacheMessageSizeInMb", |s| {
        if maxCacheSizeInMb <= 0 {
            return fail(
                NULL_POINTER,
                "SetPushConsumerMaxCacheMessageSizeInMb: the size must be positive",
            );
        }
        s.max_cache_mb = maxCacheSizeInMb;
        OK
    })
}

/// Accepted for compatibility: message traces are not published.
#[no_mangle]
pub unsafe extern "C" fn SetPushConsumerMessageTrace(
    consumer: *mut CPushConsumer,
    openTrace: CTraceModel,
) -> c_int {
    set(consumer, "SetPushConsumerMessageTrace", |s| {
        s.trace = openTrace == OPEN;
        OK
    })
}

/// Non-zero requests TLS, which this library does not offer (start then fails).
#[no_mangle]
pub unsafe extern "C" fn SetPushConsumerSsl(
    consumer: *mut CPushConsumer,
    enableSsl: c_int,
) -> c_int {
    set(consumer, "SetPushConsumerSsl", |s| {
        s.ssl = enableSsl != 0;
        OK
    })
}

/// Stores the TLS property file path.
#[no_mangle]
pub unsafe extern "C" fn SetPushConsumerSslPropertyFile(
    consumer: *mut CPushConsumer,
    sslPropertyFile: *const c_char,
) -> c_int {
    set_str(
        consumer,
        sslPropertyFile,
        "SetPushConsumerSslPropertyFile",
        |s, v| s.ssl_property_file = v,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    unsafe extern "C" fn cb(_c: *mut CPushConsumer, _m: *mut CMessageExt) -> c_int {
        E_CONSUME_SUCCESS
    }

    #[test]
    fn settings_and_start_without_callback() {
        unsafe {
            let c = CreatePushConsumer(c"compat_push_group".as_ptr());
            assert!(!c.is_null());
            assert_eq!(
                CStr::from_ptr(GetPushConsumerGroupID(c)).to_str().unwrap(),
                "compat_push_group"
            );
            assert_eq!(SetPushConsumerMessageModel(c, CLUSTERING), OK);
            assert_eq!(
                SetPushConsumerNameServerAddress(c, c"127.0.0.1:9876".as_ptr()),
                OK
            );
            assert_eq!(StartPushConsumer(c), PUSHCONSUMER_START_FAILED);
            assert_eq!(SetPushConsumerThreadCount(c, 0), NULL_POINTER);
            assert_eq!(SetPushConsumerThreadCount(c, 3), OK);
            assert_eq!(SetPushConsumerMessageBatchMaxSize(c, 0), NULL_POINTER);
            assert_eq!(SetPushConsumerMessageBatchMaxSize(c, 1), OK);
            assert_eq!(SetPushConsumerMaxCacheMessageSize(c, 1000), OK);
            assert_eq!(SetPushConsumerMaxCacheMessageSize(c, 0), NULL_POINTER);
            assert_eq!(SetPushConsumerMaxCacheMessageSizeInMb(c, 16), OK);
            assert_eq!(Subscribe(c, c"T".as_ptr(), c"*".as_ptr()), OK);
            assert_eq!(Subscribe(c, c"T".as_ptr(), std::ptr::null()), NULL_POINTER);
            assert_eq!(RegisterMessageCallback(c, Some(cb)), OK);
            assert_eq!(RegisterMessageCallback(c, None), NULL_POINTER);
            assert_eq!(SetPushConsumerGroupID(c, c"g2".as_ptr()), OK);
            assert_eq!(
                CStr::from_ptr(GetPushConsumerGroupID(c)).to_str().unwrap(),
                "g2"
            );
            assert!(!ShowPushConsumerVersion(c).is_null());
            assert!(ShowPushConsumerVersion(std::ptr::null_mut()).is_null());
            assert_eq!(UnregisterMessageCallbackOrderly(c), OK);
            assert!((*c).settings.lock().callback.is_some());
            assert_eq!(UnregisterMessageCallback(c), OK);
            assert!((*c).settings.lock().callback.is_none());
            assert_eq!(ShutdownPushConsumer(c), OK);
            assert_eq!(DestroyPushConsumer(c), OK);
            assert!(CreatePushConsumer(std::ptr::null()).is_null());
            assert_eq!(ShutdownPushConsumer(std::ptr::null_mut()), NULL_POINTER);
        }
    }
}
