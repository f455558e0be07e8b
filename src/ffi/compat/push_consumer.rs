//! `CPushConsumer.h`: push consumers.
//!
//! Lifecycle: `CreatePushConsumer`, setters, `Subscribe`,
//! `RegisterMessageCallback[Orderly]`, `StartPushConsumer`,
//! `ShutdownPushConsumer`, `DestroyPushConsumer`. Settings are read at start;
//! a consumer may be started again after a shutdown.
// c:header CPushConsumer.h __C_PUSH_CONSUMER_H__
// c:include CCommon.h
// c:include CMessageExt.h

use std::collections::BTreeMap;
use std::ffi::{c_char, c_int, c_long, CString};
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};

use super::boundary::{client_guard, fail, opt_str, set_error, to_cstring, SendPtr};
use super::common::*;
use super::message::CMessage;
use super::message_ext::CMessageExt;
use crate::client::Credentials;
use crate::consumer::{
    ConsumeConcurrentlyContext, ConsumeConcurrentlyStatus, ConsumeOrderlyContext,
    ConsumeOrderlyStatus, MessageListener, PushConsumer, PushConsumerConfig,
};
use crate::protocol::body::heartbeat::MessageModel;
use crate::protocol::message::MessageExt;

// c:opaque
/// A push consumer handle.
pub struct CPushConsumer {
    settings: Mutex<PushSettings>,
    /// The registered callback (and whether it is orderly), read at each
    /// message: unregistering detaches a running consumer.
    callback: Arc<RwLock<Option<(MessageCallBack, bool)>>>,
    engine: RwLock<Option<PushConsumer>>,
    lifecycle: Mutex<()>,
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
#[derive(Debug)]
pub(crate) struct PushSettings {
    pub(crate) group: CString,
    pub(crate) namesrv: String,
    pub(crate) namesrv_domain: String,
    pub(crate) instance_name: String,
    pub(crate) credentials: Option<(String, String)>,
    pub(crate) subscriptions: BTreeMap<String, String>,
    pub(crate) thread_count: i32,
    pub(crate) batch_max_size: i32,
    pub(crate) max_cache_count: i32,
    pub(crate) max_cache_mb: i32,
    pub(crate) model: CMessageModel,
    pub(crate) trace: bool,
    pub(crate) ssl: bool,
    pub(crate) ssl_property_file: String,
}

impl PushSettings {
    fn to_config(&self) -> Result<PushConsumerConfig, String> {
        if self.ssl {
            return Err(format!(
                "TLS was requested (SetPushConsumerSsl, property file {}) but this library connects without TLS",
                self.ssl_property_file
            ));
        }
        let namesrv = self.namesrv.trim();
        let namesrv = namesrv.strip_prefix("http://").unwrap_or(namesrv);
        if namesrv.is_empty() && !self.namesrv_domain.is_empty() {
            return Err(format!(
                "no name server address: looking name servers up through the domain {} is not supported; call SetPushConsumerNameServerAddress",
                self.namesrv_domain
            ));
        }
        let mut group = self.group.to_string_lossy().into_owned();
        if group.is_empty() {
            group = crate::common::names::DEFAULT_CONSUMER_GROUP.to_owned();
        }
        let mut c = PushConsumerConfig::new(namesrv, group);
        c.client.instance_name = self.instance_name.clone();
        c.client.credentials = self
            .credentials
            .as_ref()
            .map(|(ak, sk)| Credentials::new(ak.as_str(), sk.as_str()));
        c.message_model = if self.model == BROADCASTING {
            MessageModel::Broadcasting
        } else {
            MessageModel::Clustering
        };
        c.consume_thread_count = self.thread_count.clamp(1, 1000) as usize;
        c.consume_batch_size = self.batch_max_size.clamp(1, 1024) as usize;
        c.pull_threshold_for_queue = self.max_cache_count.clamp(1, 65535) as usize;
        if self.max_cache_mb > 0 {
            c.pull_threshold_size_for_queue = self.max_cache_mb.clamp(1, 1024) as usize;
        }
        c.validate().map_err(|e| e.to_string())?;
        Ok(c)
    }
}

/// The engine listener calling the C callback once per message.
fn listener(
    callback: Arc<RwLock<Option<(MessageCallBack, bool)>>>,
    handle: SendPtr,
    orderly: bool,
) -> MessageListener {
    // True when every message was consumed.
    let consume = move |msgs: &[MessageExt]| -> bool {
        msgs.iter().all(|m| {
            let Some((cb, _)) = *callback.read() else {
                return false;
            };
            let mut view = CMessage::from_ext(m);
            // SAFETY: the callback is the caller's; `view` lives through the call.
            let status = unsafe { cb(handle.get(), &mut view) };
            status == E_CONSUME_SUCCESS
        })
    };
    if orderly {
        MessageListener::orderly(move |msgs: &[MessageExt], _: &mut ConsumeOrderlyContext| {
            if consume(msgs) {
                ConsumeOrderlyStatus::Success
            } else {
                ConsumeOrderlyStatus::SuspendCurrentQueueAMoment
            }
        })
    } else {
        MessageListener::concurrently(
            move |msgs: &[MessageExt], _: &mut ConsumeConcurrentlyContext| {
                if consume(msgs) {
                    ConsumeConcurrentlyStatus::ConsumeSuccess
                } else {
                    ConsumeConcurrentlyStatus::ReconsumeLater
                }
            },
        )
    }
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
                thread_count: threads,
                batch_max_size: 1,
                max_cache_count: 1000,
                max_cache_mb: 0,
                model: CLUSTERING,
                trace: false,
                ssl: false,
                ssl_property_file: "/etc/rocketmq/tls.properties".to_owned(),
            }),
            callback: Arc::new(RwLock::new(None)),
            engine: RwLock::new(None),
            lifecycle: Mutex::new(()),
        }
    }

    fn in_own_callback(&self) -> bool {
        self.engine
            .read()
            .as_ref()
            .is_some_and(|e| e.inner.in_own_listener())
    }

    fn start(&self, handle: *mut CPushConsumer) -> Result<(), String> {
        let _g = self.lifecycle.lock();
        if self.engine.read().is_some() {
            return Ok(());
        }
        let Some((_, orderly)) = *self.callback.read() else {
            return Err("messageListener is null (call RegisterMessageCallback first)".into());
        };
        let (config, subs) = {
            let s = self.settings.lock();
            (s.to_config()?, s.subscriptions.clone())
        };
        if subs.is_empty() {
            return Err("no subscription (call Subscribe first)".into());
        }
        let consumer = PushConsumer::new(config).map_err(|e| e.to_string())?;
        let l = listener(self.callback.clone(), SendPtr::new(handle), orderly);
        for (topic, expr) in &subs {
            consumer
                .subscribe(topic, expr, l.clone())
                .map_err(|e| e.to_string())?;
        }
        consumer.start().map_err(|e| e.to_string())?;
        *self.engine.write() = Some(consumer);
        Ok(())
    }

    fn shutdown(&self) -> Result<(), String> {
        if self.in_own_callback() {
            return Err("called inside this consumer's own message callback".into());
        }
        let _g = self.lifecycle.lock();
        let engine = self.engine.write().take();
        match engine {
            None => Ok(()),
            Some(e) => e.shutdown_blocking().map(|_| ()).map_err(|e| e.to_string()),
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
    client_guard(NULL_POINTER, || {
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
    client_guard(std::ptr::null_mut(), || {
        let Some(g) = opt_str(groupId) else {
            set_error("CreatePushConsumer: the group id is NULL");
            return std::ptr::null_mut();
        };
        crate::ffi::signals::init();
        Box::into_raw(Box::new(CPushConsumer::new(&g)))
    })
}

/// Shuts the consumer down if it is running, then frees it; its callback is
/// not called after this returns. NULL_POINTER for NULL;
/// PUSHCONSUMER_START_FAILED (nothing freed) inside its own message callback.
#[no_mangle]
pub unsafe extern "C" fn DestroyPushConsumer(consumer: *mut CPushConsumer) -> c_int {
    client_guard(NULL_POINTER, || {
        let Some(c) = consumer_ref(consumer, "DestroyPushConsumer") else {
            return NULL_POINTER;
        };
        if let Err(e) = c.shutdown() {
            return fail(
                PUSHCONSUMER_START_FAILED,
                format!("DestroyPushConsumer: {e}"),
            );
        }
        *c.callback.write() = None;
        drop(Box::from_raw(consumer));
        OK
    })
}

/// Starts consuming (OK when already running): in clustering mode the group
/// shares the queues and failed messages come back through the group's retry
/// topic; offsets start at the last one for a new group. Delivery starts
/// asynchronously. PUSHCONSUMER_START_FAILED with the reason when no message
/// callback is registered, when nothing is subscribed (rocketmq-client-cpp
/// started anyway), for an invalid group or setting, or when TLS is requested.
#[no_mangle]
pub unsafe extern "C" fn StartPushConsumer(consumer: *mut CPushConsumer) -> c_int {
    client_guard(PUSHCONSUMER_START_FAILED, || {
        let Some(c) = consumer_ref(consumer, "StartPushConsumer") else {
            return NULL_POINTER;
        };
        match c.start(consumer) {
            Ok(()) => OK,
            Err(e) => fail(
                PUSHCONSUMER_START_FAILED,
                format!("starting the push consumer failed: {e}"),
            ),
        }
    })
}

/// Stops pulling, waits (up to 10 s) for running callbacks, persists offsets
/// and unregisters; OK, also when not running. PUSHCONSUMER_START_FAILED
/// inside the consumer's own message callback (it would wait for itself).
#[no_mangle]
pub unsafe extern "C" fn ShutdownPushConsumer(consumer: *mut CPushConsumer) -> c_int {
    client_guard(PUSHCONSUMER_START_FAILED, || {
        let Some(c) = consumer_ref(consumer, "ShutdownPushConsumer") else {
            return NULL_POINTER;
        };
        match c.shutdown() {
            Ok(()) => OK,
            Err(e) => fail(
                PUSHCONSUMER_START_FAILED,
                format!("ShutdownPushConsumer: {e}"),
            ),
        }
    })
}

/// The library version text; NULL for a NULL consumer.
#[no_mangle]
pub unsafe extern "C" fn ShowPushConsumerVersion(consumer: *mut CPushConsumer) -> *const c_char {
    version_or_null(consumer)
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
    client_guard(std::ptr::null(), || {
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
/// call for a topic replaces its expression. Also takes effect on a running
/// consumer (PUSHCONSUMER_START_FAILED if the running consumer refuses it).
/// NULL_POINTER if any argument is NULL (rocketmq-client-cpp crashed on a
/// NULL topic or expression).
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
    client_guard(NULL_POINTER, || {
        let Some(c) = consumer_ref(consumer, "Subscribe") else {
            return NULL_POINTER;
        };
        c.settings
            .lock()
            .subscriptions
            .insert(t.to_string(), e.to_string());
        let running = c.engine.read().clone();
        if let Some(engine) = running {
            let l = listener(
                c.callback.clone(),
                SendPtr::new(consumer),
                engine.inner.is_orderly(),
            );
            if let Err(err) = engine.subscribe(&t, &e, l) {
                return fail(PUSHCONSUMER_START_FAILED, format!("Subscribe: {err}"));
            }
        }
        OK
    })
}

/// Shared body of the callback registration functions.
unsafe fn set_callback(
    consumer: *mut CPushConsumer,
    what: &str,
    f: impl FnOnce(&mut Option<(MessageCallBack, bool)>),
) -> c_int {
    client_guard(NULL_POINTER, || {
        let Some(c) = consumer_ref(consumer, what) else {
            return NULL_POINTER;
        };
        f(&mut c.callback.write());
        OK
    })
}

/// Registers an orderly callback (replacing any callback): the messages of a
/// queue come one at a time, in order, with the queue locked at the broker;
/// a non-zero answer suspends the queue for 1 s and delivers the message
/// again. NULL_POINTER if an argument is NULL.
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
    set_callback(consumer, "RegisterMessageCallbackOrderly", |s| {
        *s = Some((cb, true))
    })
}

/// Registers a concurrent callback (replacing any callback), called once per
/// message on the consume threads; a non-zero answer sends the message's
/// whole batch back for redelivery (RECONSUME_LATER). NULL_POINTER if an
/// argument is NULL.
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
    set_callback(consumer, "RegisterMessageCallback", |s| {
        *s = Some((cb, false))
    })
}

/// Removes an orderly callback (no-op if none). A running consumer stays
/// running and gets every further message delivered again later.
#[no_mangle]
pub unsafe extern "C" fn UnregisterMessageCallbackOrderly(consumer: *mut CPushConsumer) -> c_int {
    set_callback(consumer, "UnregisterMessageCallbackOrderly", |s| {
        if matches!(s, Some((_, true))) {
            *s = None;
        }
    })
}

/// Removes a concurrent callback (no-op if none). A running consumer stays
/// running and gets every further message delivered again later.
#[no_mangle]
pub unsafe extern "C" fn UnregisterMessageCallback(consumer: *mut CPushConsumer) -> c_int {
    set_callback(consumer, "UnregisterMessageCallback", |s| {
        if matches!(s, Some((_, false))) {
            *s = None;
        }
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
            assert!((*c).callback.read().is_some());
            assert_eq!(UnregisterMessageCallback(c), OK);
            assert!((*c).callback.read().is_none());
            assert_eq!(ShutdownPushConsumer(c), OK);
            assert_eq!(DestroyPushConsumer(c), OK);
            assert!(CreatePushConsumer(std::ptr::null()).is_null());
            assert_eq!(ShutdownPushConsumer(std::ptr::null_mut()), NULL_POINTER);
        }
    }
}
