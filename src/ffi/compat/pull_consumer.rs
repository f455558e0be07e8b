//! `CPullConsumer.h`: pull consumers: the caller lists a topic's queues and
//! pulls from the offsets it chooses; it keeps its offsets itself.
// c:header CPullConsumer.h __C_PULL_CONSUMER_H__
// c:include CCommon.h
// c:include CMessageExt.h
// c:include CMessageQueue.h
// c:include CPullResult.h

use std::collections::HashSet;
use std::ffi::{c_char, c_int, c_long, c_longlong, c_void, CString};
use std::sync::Arc;
use std::time::Duration;

use once_cell::sync::Lazy;
use parking_lot::{Mutex, RwLock};

use super::boundary::{client_guard, fail, opt_str, set_error, to_cstring};
use super::common::*;
use super::message::CMessage;
use super::message_ext::CMessageExt;
use super::message_queue::CMessageQueue;
use super::pull_result::*;
use crate::client::{ClientConfig, ClientInstance, ConsumerHandle, Credentials};
use crate::common::filter::FilterExpression;
use crate::consumer::pull_api::{self, PullStatus};
use crate::protocol::body::heartbeat::{ConsumeType, ConsumerData, MessageModel};
use crate::protocol::body::route::subscribe_queues;

/// Settings gathered by the setters.
#[derive(Debug)]
pub(crate) struct PullSettings {
    pub(crate) group: CString,
    pub(crate) namesrv: String,
    pub(crate) namesrv_domain: String,
    pub(crate) credentials: Option<(String, String)>,
    pub(crate) ssl: bool,
    pub(crate) ssl_property_file: String,
}

// c:opaque
/// A pull consumer handle.
pub struct CPullConsumer {
    settings: Mutex<PullSettings>,
    running: RwLock<Option<Arc<Running>>>,
    lifecycle: Mutex<()>,
}

/// A started pull consumer: its client instance and group.
struct Running {
    instance: Arc<ClientInstance>,
    group: String,
}

/// The group as the client instance announces it (pulls driven by the caller).
struct PullGroup(String);

impl ConsumerHandle for PullGroup {
    fn group(&self) -> String {
        self.0.clone()
    }
    fn consumer_data(&self) -> ConsumerData {
        ConsumerData {
            consume_type: ConsumeType::Actively,
            group_name: self.0.clone(),
            message_model: MessageModel::Clustering,
            ..Default::default()
        }
    }
    fn subscribed_topics(&self) -> Vec<String> {
        Vec::new()
    }
}

/// Timeout of one `Pull` (no waiting at the broker).
const PULL_TIMEOUT: Duration = Duration::from_secs(10);

/// The messages of a found pull result, owned by the library until `ReleasePullResult`.
pub(crate) struct PullData {
    msgs: Vec<CMessage>,
}

/// Owners handed out in `pData` and not yet released (guards against double release).
static LIVE_PULL_DATA: Lazy<Mutex<HashSet<usize>>> = Lazy::new(|| Mutex::new(HashSet::new()));

/// A found result holding `msgs`: the list is `malloc`ed, `pData` owns the messages.
pub(crate) fn found_result(
    msgs: Vec<CMessage>,
    next_begin: i64,
    min: i64,
    max: i64,
) -> CPullResult {
    let mut r = CPullResult::zeroed(E_FOUND);
    r.nextBeginOffset = next_begin;
    r.minOffset = min;
    r.maxOffset = max;
    if msgs.is_empty() {
        return r;
    }
    let mut data = Box::new(PullData { msgs });
    let n = data.msgs.len();
    // SAFETY: malloc of n pointers; checked for NULL below.
    let list = unsafe { libc::malloc(n * std::mem::size_of::<*mut CMessageExt>()) }
        .cast::<*mut CMessageExt>();
    if list.is_null() {
        return CPullResult::zeroed(E_BROKER_TIMEOUT);
    }
    for (i, m) in data.msgs.iter_mut().enumerate() {
        // SAFETY: i < n, inside the allocation.
        unsafe { list.add(i).write(m as *mut CMessage) };
    }
    let owner = Box::into_raw(data);
    LIVE_PULL_DATA.lock().insert(owner as usize);
    r.msgFoundList = list;
    r.size = c_int::try_from(n).unwrap_or(c_int::MAX);
    r.pData = owner.cast::<c_void>();
    r
}

impl CPullConsumer {
    fn new(group: &str) -> Self {
        CPullConsumer {
            settings: Mutex::new(PullSettings {
                group: to_cstring(group),
                namesrv: std::env::var("NAMESRV_ADDR").unwrap_or_default(),
                namesrv_domain: String::new(),
                credentials: None,
                ssl: false,
                ssl_property_file: "/etc/rocketmq/tls.properties".to_owned(),
            }),
            running: RwLock::new(None),
            lifecycle: Mutex::new(()),
        }
    }

    fn start(&self) -> Result<(), String> {
        let _g = self.lifecycle.lock();
        if self.running.read().is_some() {
            return Ok(());
        }
        let (config, group) = {
            let s = self.settings.lock();
            if s.ssl {
                return Err(format!(
                    "TLS was requested (SetPullConsumerSsl, property file {}) but this library connects without TLS",
                    s.ssl_property_file
                ));
            }
            let namesrv = s.namesrv.trim();
            let namesrv = namesrv.strip_prefix("http://").unwrap_or(namesrv);
            if namesrv.is_empty() && !s.namesrv_domain.is_empty() {
                return Err(format!(
                    "no name server address: looking name servers up through the domain {} is not supported; call SetPullConsumerNameServerAddress",
                    s.namesrv_domain
                ));
            }
            let mut c = ClientConfig::new(namesrv);
            c.credentials = s
                .credentials
                .as_ref()
                .map(|(ak, sk)| Credentials::new(ak.as_str(), sk.as_str()));
            let mut group = s.group.to_string_lossy().into_owned();
            if group.is_empty() {
                group = crate::common::names::DEFAULT_CONSUMER_GROUP.to_owned();
            }
            (c, group)
        };
        crate::common::validate::check_consumer_group(&group).map_err(|e| e.to_string())?;
        let instance = ClientInstance::acquire(&config).map_err(|e| e.to_string())?;
        instance
            .register_consumer(Arc::new(PullGroup(group.clone())))
            .map_err(|e| e.to_string())?;
        *self.running.write() = Some(Arc::new(Running { instance, group }));
        Ok(())
    }

    fn shutdown(&self) -> Result<(), String> {
        let _g = self.lifecycle.lock();
        let running = self.running.write().take();
        if let Some(r) = running {
            crate::runtime::block_on(r.instance.unregister_consumer(&r.group))
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    fn running(&self) -> Result<Arc<Running>, String> {
        self.running
            .read()
            .clone()
            .ok_or_else(|| "the pull consumer is not started (call StartPullConsumer first)".into())
    }
}

unsafe fn set(c: *mut CPullConsumer, what: &str, f: impl FnOnce(&mut PullSettings)) -> c_int {
    client_guard(NULL_POINTER, || {
        let Some(c) = c.as_ref() else {
            return fail(NULL_POINTER, format!("{what}: the consumer is NULL"));
        };
        f(&mut c.settings.lock());
        OK
    })
}

unsafe fn set_str(
    c: *mut CPullConsumer,
    value: *const c_char,
    what: &str,
    f: impl FnOnce(&mut PullSettings, String),
) -> c_int {
    match opt_str(value) {
        Some(v) => set(c, what, |s| f(s, v.into_owned())),
        None => fail(NULL_POINTER, format!("{what}: the value is NULL")),
    }
}

/// Creates a pull consumer of `groupId`. NULL if `groupId` is NULL.
#[no_mangle]
pub unsafe extern "C" fn CreatePullConsumer(groupId: *const c_char) -> *mut CPullConsumer {
    client_guard(std::ptr::null_mut(), || {
        let Some(g) = opt_str(groupId) else {
            set_error("CreatePullConsumer: the group id is NULL");
            return std::ptr::null_mut();
        };
        crate::ffi::signals::init();
        Box::into_raw(Box::new(CPullConsumer::new(&g)))
    })
}

/// Shuts the consumer down if needed and frees it. NULL_POINTER for NULL.
#[no_mangle]
pub unsafe extern "C" fn DestroyPullConsumer(consumer: *mut CPullConsumer) -> c_int {
    client_guard(NULL_POINTER, || {
        let Some(c) = consumer.as_ref() else {
            return fail(NULL_POINTER, "DestroyPullConsumer: the consumer is NULL");
        };
        let _ = c.shutdown();
        drop(Box::from_raw(consumer));
        OK
    })
}

/// Starts the consumer (needed before FetchSubscriptionMessageQueues and
/// Pull; OK when already running). PULLCONSUMER_START_FAILED with the reason
/// otherwise (no name server address, invalid group, TLS requested, ...).
#[no_mangle]
pub unsafe extern "C" fn StartPullConsumer(consumer: *mut CPullConsumer) -> c_int {
    client_guard(PULLCONSUMER_START_FAILED, || {
        let Some(c) = consumer.as_ref() else {
            return fail(NULL_POINTER, "StartPullConsumer: the consumer is NULL");
        };
        match c.start() {
            Ok(()) => OK,
            Err(e) => fail(
                PULLCONSUMER_START_FAILED,
                format!("starting the pull consumer failed: {e}"),
            ),
        }
    })
}

/// Stops the consumer; OK (also when not running).
#[no_mangle]
pub unsafe extern "C" fn ShutdownPullConsumer(consumer: *mut CPullConsumer) -> c_int {
    client_guard(NULL_POINTER, || {
        let Some(c) = consumer.as_ref() else {
            return fail(NULL_POINTER, "ShutdownPullConsumer: the consumer is NULL");
        };
        match c.shutdown() {
            Ok(()) => OK,
            Err(e) => fail(
                PULLCONSUMER_START_FAILED,
                format!("ShutdownPullConsumer: {e}"),
            ),
        }
    })
}

/// The library version text; NULL for a NULL consumer.
#[no_mangle]
pub unsafe extern "C" fn ShowPullConsumerVersion(consumer: *mut CPullConsumer) -> *const c_char {
    version_or_null(consumer)
}

/// Replaces the group. NULL_POINTER if either argument is NULL.
#[no_mangle]
pub unsafe extern "C" fn SetPullConsumerGroupID(
    consumer: *mut CPullConsumer,
    groupId: *const c_char,
) -> c_int {
    set_str(consumer, groupId, "SetPullConsumerGroupID", |s, v| {
        s.group = to_cstring(&v)
    })
}

/// The group, valid until the next SetPullConsumerGroupID; NULL for a NULL consumer.
#[no_mangle]
pub unsafe extern "C" fn GetPullConsumerGroupID(consumer: *mut CPullConsumer) -> *const c_char {
    client_guard(std::ptr::null(), || {
        consumer
            .as_ref()
            .map_or(std::ptr::null(), |c| c.settings.lock().group.as_ptr())
    })
}

/// Sets the name servers, "host:port;host:port".
#[no_mangle]
pub unsafe extern "C" fn SetPullConsumerNameServerAddress(
    consumer: *mut CPullConsumer,
    namesrv: *const c_char,
) -> c_int {
    set_str(
        consumer,
        namesrv,
        "SetPullConsumerNameServerAddress",
        |s, v| s.namesrv = v,
    )
}

/// Stores a name server lookup domain (lookup through it is not supported).
#[no_mangle]
pub unsafe extern "C" fn SetPullConsumerNameServerDomain(
    consumer: *mut CPullConsumer,
    domain: *const c_char,
) -> c_int {
    set_str(
        consumer,
        domain,
        "SetPullConsumerNameServerDomain",
        |s, v| s.namesrv_domain = v,
    )
}

/// Sets the ACL keys (both empty: no signing); `channel` is ignored.
#[no_mangle]
pub unsafe extern "C" fn SetPullConsumerSessionCredentials(
    consumer: *mut CPullConsumer,
    accessKey: *const c_char,
    secretKey: *const c_char,
    channel: *const c_char,
) -> c_int {
    let (Some(ak), Some(sk), Some(_)) = (opt_str(accessKey), opt_str(secretKey), opt_str(channel))
    else {
        return fail(
            NULL_POINTER,
            "SetPullConsumerSessionCredentials: an argument is NULL",
        );
    };
    set(consumer, "SetPullConsumerSessionCredentials", |s| {
        s.credentials = if ak.is_empty() && sk.is_empty() {
            None
        } else {
            Some((ak.into_owned(), sk.into_owned()))
        };
    })
}

/// Accepted for compatibility; the library writes no log files.
#[no_mangle]
pub unsafe extern "C" fn SetPullConsumerLogPath(
    consumer: *mut CPullConsumer,
    logPath: *const c_char,
) -> c_int {
    let _ = logPath;
    set(consumer, "SetPullConsumerLogPath", |_| {})
}

/// Accepted for compatibility (process-wide); the library writes no log files.
#[no_mangle]
pub unsafe extern "C" fn SetPullConsumerLogFileNumAndSize(
    consumer: *mut CPullConsumer,
    fileNum: c_int,
    fileSize: c_long,
) -> c_int {
    set(consumer, "SetPullConsumerLogFileNumAndSize", |_| {
        log_settings::set_files(fileNum, fileSize)
    })
}

/// Sets the process-wide log level (kept; the library writes no log files).
#[no_mangle]
pub unsafe extern "C" fn SetPullConsumerLogLevel(
    consumer: *mut CPullConsumer,
    level: CLogLevel,
) -> c_int {
    set(consumer, "SetPullConsumerLogLevel", |_| {
        log_settings::set_level(level)
    })
}

/// Non-zero requests TLS, which this library does not offer (start then fails).
#[no_mangle]
pub unsafe extern "C" fn SetPullConsumerSsl(
    consumer: *mut CPullConsumer,
    enableSsl: c_int,
) -> c_int {
    set(consumer, "SetPullConsumerSsl", |s| s.ssl = enableSsl != 0)
}

/// Stores the TLS property file path.
#[no_mangle]
pub unsafe extern "C" fn SetPullConsumerSslPropertyFile(
    consumer: *mut CPullConsumer,
    sslPropertyFile: *const c_char,
) -> c_int {
    set_str(
        consumer,
        sslPropertyFile,
        "SetPullConsumerSslPropertyFile",
        |s, v| s.ssl_property_file = v,
    )
}

/// Returns the readable queues of `topic` (looked up at the name server) in
/// `*mqs`, an array of `*size` queues to free with
/// `ReleaseSubscriptionMessageQueue` (never NULL on OK, even when empty).
/// NULL_POINTER for a NULL argument. On failure `*mqs` is NULL, `*size` 0
/// and the result PULLCONSUMER_FETCH_MQ_FAILED with the reason, also for a
/// failed route lookup (rocketmq-client-cpp answered OK with no queues).
#[no_mangle]
pub unsafe extern "C" fn FetchSubscriptionMessageQueues(
    consumer: *mut CPullConsumer,
    topic: *const c_char,
    mqs: *mut *mut CMessageQueue,
    size: *mut c_int,
) -> c_int {
    const W: &str = "FetchSubscriptionMessageQueues";
    client_guard(PULLCONSUMER_FETCH_MQ_FAILED, || {
        if !mqs.is_null() {
            mqs.write(std::ptr::null_mut());
        }
        if !size.is_null() {
            size.write(0);
        }
        let (Some(c), Some(topic), false, false) = (
            consumer.as_ref(),
            opt_str(topic),
            mqs.is_null(),
            size.is_null(),
        ) else {
            return fail(NULL_POINTER, format!("{W}: an argument is NULL"));
        };
        let running = match c.running() {
            Ok(r) => r,
            Err(e) => return fail(PULLCONSUMER_FETCH_MQ_FAILED, format!("{W}: {e}")),
        };
        let route =
            match crate::runtime::block_on(running.instance.fetch_route(&topic)).and_then(|r| r) {
                Ok(r) => r,
                Err(e) => {
                    return fail(
                        PULLCONSUMER_FETCH_MQ_FAILED,
                        format!("{W}: no route for {topic}: {e}"),
                    )
                }
            };
        let queues = subscribe_queues(&topic, &running.instance.store_route(&topic, route));
        let n = queues.len();
        let array =
            libc::malloc(n.max(1) * std::mem::size_of::<CMessageQueue>()).cast::<CMessageQueue>();
        if array.is_null() {
            return fail(MALLOC_FAILED, format!("{W}: out of memory"));
        }
        for (i, q) in queues.iter().enumerate() {
            array.add(i).write(CMessageQueue::from_queue(q));
        }
        mqs.write(array);
        size.write(c_int::try_from(n).unwrap_or(c_int::MAX));
        OK
    })
}

/// Frees an array returned by `FetchSubscriptionMessageQueues`. NULL_POINTER for NULL.
#[no_mangle]
pub unsafe extern "C" fn ReleaseSubscriptionMessageQueue(mqs: *mut CMessageQueue) -> c_int {
    client_guard(NULL_POINTER, || {
        if mqs.is_null() {
            return fail(
                NULL_POINTER,
                "ReleaseSubscriptionMessageQueue: the array is NULL",
            );
        }
        libc::free(mqs.cast());
        OK
    })
}

/// Pulls up to `maxNums` messages of `mq` from `offset` matching the tag
/// expression ("*", "TagA || TagB"), without waiting at the broker (10 s
/// timeout). Offsets are not committed. Failures (NULL arguments, offset < 0,
/// maxNums <= 0, a consumer not started, network or broker errors) give
/// E_BROKER_TIMEOUT and a recorded error. Release every result with
/// `ReleasePullResult`.
#[no_mangle]
pub unsafe extern "C" fn Pull(
    consumer: *mut CPullConsumer,
    mq: *const CMessageQueue,
    subExpression: *const c_char,
    offset: c_longlong,
    maxNums: c_int,
) -> CPullResult {
    let timeout = CPullResult::zeroed(E_BROKER_TIMEOUT);
    client_guard(timeout, || {
        let (Some(c), Some(mq), Some(expr)) =
            (consumer.as_ref(), mq.as_ref(), opt_str(subExpression))
        else {
            set_error("Pull: an argument is NULL");
            return timeout;
        };
        if offset < 0 || maxNums <= 0 {
            set_error(format!(
                "Pull: invalid offset {offset} or maxNums {maxNums}"
            ));
            return timeout;
        }
        let running = match c.running() {
            Ok(r) => r,
            Err(e) => {
                set_error(format!("Pull: {e}"));
                return timeout;
            }
        };
        let queue = mq.to_queue();
        let pulled = FilterExpression::tag(&expr).and_then(|filter| {
            crate::runtime::block_on(pull_api::pull_once(
                &running.instance,
                &running.group,
                &queue,
                &filter,
                offset,
                maxNums,
                PULL_TIMEOUT,
            ))?
        });
        let r = match pulled {
            Ok(r) => r,
            Err(e) => {
                set_error(format!("pulling from {queue} failed: {e}"));
                return timeout;
            }
        };
        if r.status == PullStatus::Found {
            let msgs = r.msgs.iter().map(CMessage::from_ext).collect();
            return found_result(msgs, r.next_begin_offset, r.min_offset, r.max_offset);
        }
        let mut out = CPullResult::zeroed(match r.status {
            PullStatus::NoNewMsg => E_NO_NEW_MSG,
            PullStatus::NoMatchedMsg => E_NO_MATCHED_MSG,
            PullStatus::OffsetIllegal => E_OFFSET_ILLEGAL,
            PullStatus::Found => E_FOUND,
        });
        out.nextBeginOffset = r.next_begin_offset;
        out.minOffset = r.min_offset;
        out.maxOffset = r.max_offset;
        out
    })
}

/// Frees the messages of a found result. NULL_POINTER (freeing nothing) for
/// results without messages and for a result already released.
#[no_mangle]
pub unsafe extern "C" fn ReleasePullResult(pullResult: CPullResult) -> c_int {
    client_guard(NULL_POINTER, || {
        let owner = pullResult.pData as usize;
        if pullResult.size == 0
            || pullResult.msgFoundList.is_null()
            || owner == 0
            || !LIVE_PULL_DATA.lock().remove(&owner)
        {
            return fail(
                NULL_POINTER,
                "ReleasePullResult: the result holds no messages",
            );
        }
        drop(Box::from_raw(owner as *mut PullData));
        libc::free(pullResult.msgFoundList.cast());
        OK
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn settings_and_operations_before_start() {
        unsafe {
            let c = CreatePullConsumer(c"compat_pull_group".as_ptr());
            assert!(!c.is_null());
            assert_eq!(
                SetPullConsumerNameServerAddress(c, c"127.0.0.1:9876".as_ptr()),
                OK
            );
            assert_eq!(SetPullConsumerLogLevel(c, E_LOG_LEVEL_INFO), OK);
            assert_eq!(SetPullConsumerGroupID(c, c"g".as_ptr()), OK);
            assert_eq!(
                CStr::from_ptr(GetPullConsumerGroupID(c)).to_str().unwrap(),
                "g"
            );
            SetPullConsumerNameServerAddress(c, c"".as_ptr());
            SetPullConsumerNameServerDomain(c, c"jmenv.example".as_ptr());
            assert_eq!(StartPullConsumer(c), PULLCONSUMER_START_FAILED);
            let mut mqs: *mut CMessageQueue = std::ptr::null_mut();
            let mut size = 7;
            assert_eq!(
                FetchSubscriptionMessageQueues(c, c"T".as_ptr(), &mut mqs, &mut size),
                PULLCONSUMER_FETCH_MQ_FAILED
            );
            assert!(mqs.is_null());
            assert_eq!(size, 0);
            let r = Pull(c, std::ptr::null(), c"*".as_ptr(), 0, 32);
            assert_eq!(r.pullStatus, E_BROKER_TIMEOUT);
            let q = CMessageQueue::from_queue(&crate::protocol::MessageQueue::new("T", "b", 0));
            let r = Pull(c, &q, c"*".as_ptr(), 0, 32);
            assert_eq!(r.pullStatus, E_BROKER_TIMEOUT, "not started");
            let r = Pull(c, &q, c"*".as_ptr(), -1, 32);
            assert_eq!(r.pullStatus, E_BROKER_TIMEOUT);
            assert_eq!(ReleasePullResult(r), NULL_POINTER);
            assert_eq!(
                ReleaseSubscriptionMessageQueue(std::ptr::null_mut()),
                NULL_POINTER
            );
            assert_eq!(ShutdownPullConsumer(c), OK);
            assert_eq!(DestroyPullConsumer(c), OK);
        }
    }

    #[test]
    fn found_results_are_released_once() {
        let msgs = vec![CMessage::new("T"), CMessage::new("T")];
        let r = found_result(msgs, 5, 0, 9);
        assert_eq!(r.size, 2);
        unsafe {
            let first = *r.msgFoundList;
            assert_eq!(
                CStr::from_ptr(crate::ffi::compat::message_ext::GetMessageTopic(first))
                    .to_str()
                    .unwrap(),
                "T"
            );
            let copy = r;
            assert_eq!(ReleasePullResult(r), OK);
            assert_eq!(ReleasePullResult(copy), NULL_POINTER);
        }
        let empty = found_result(Vec::new(), 1, 0, 1);
        assert_eq!(unsafe { ReleasePullResult(empty) }, NULL_POINTER);
    }
}
