//! `CProducer.h`: producers (normal, orderly, transactional) and every send.
//!
//! Lifecycle: `Create*Producer`, setters, `StartProducer`, sends,
//! `ShutdownProducer`, `DestroyProducer`. Settings are read at
//! `StartProducer`; a producer may be started again after a shutdown.
//! Handles may be used from several threads at once.
// c:header CProducer.h __C_PRODUCER_H__
// c:include CCommon.h
// c:include CBatchMessage.h
// c:include CMQException.h
// c:include CMessage.h
// c:include CMessageExt.h
// c:include CSendResult.h
// c:include CTransactionStatus.h

use std::ffi::{c_char, c_int, c_long, c_void, CStr};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::{Mutex, RwLock};

use super::batch_message::CBatchMessage;
use super::boundary::{client_guard, fail, opt_str, set_error, SendPtr};
use super::common::*;
use super::message::CMessage;
use super::message_ext::CMessageExt;
use super::mq_exception::CMQException;
use super::send_result::CSendResult;
use super::transaction_status::{to_state, CTransactionStatus};
use crate::client::Credentials;
use crate::common::names::DEFAULT_PRODUCER_GROUP;
use crate::producer::selector::{QueueSelector, SelectArg, SelectByHash, SelectContext};
use crate::producer::{
    LocalTransactionState, Producer, ProducerConfig, SendResult, TransactionListener,
    TransactionProducer,
};
use crate::protocol::message::{property, Message, MessageExt};
use crate::protocol::MessageQueue;
use crate::{Error, ErrorKind};

// c:opaque
/// A producer handle.
pub struct CProducer {
    kind: Kind,
    settings: Mutex<Settings>,
    engine: RwLock<Option<Engine>>,
    lifecycle: Mutex<()>,
}

// c:callback
/// Chooses the queue of an ordered send: returns an index in [0, size).
/// Runs on the calling thread, inside the send (again on a retry).
pub type QueueSelectorCallback =
    unsafe extern "C" fn(size: c_int, msg: *mut CMessage, arg: *mut c_void) -> c_int;
// c:callback
/// Success of `SendMessageAsync` / `SendMessageOrderlyAsync`; runs on a library thread.
pub type CSendSuccessCallback = unsafe extern "C" fn(result: CSendResult);
// c:callback
/// Failure of `SendMessageAsync` / `SendMessageOrderlyAsync`; runs on a library thread.
pub type CSendExceptionCallback = unsafe extern "C" fn(e: CMQException);
// c:callback
/// Success of `SendAsync`, with the caller's message and user data; runs on a library thread.
pub type COnSendSuccessCallback =
    unsafe extern "C" fn(result: CSendResult, msg: *mut CMessage, userData: *mut c_void);
// c:callback
/// Failure of `SendAsync`, with the caller's message and user data; runs on a library thread.
pub type COnSendExceptionCallback =
    unsafe extern "C" fn(e: CMQException, msg: *mut CMessage, userData: *mut c_void);
// c:callback
/// Answers the broker's check of a half message; runs on the producer's
/// checker thread; `msg` is valid during the call only.
pub type CLocalTransactionCheckerCallback = unsafe extern "C" fn(
    producer: *mut CProducer,
    msg: *mut CMessageExt,
    data: *mut c_void,
) -> CTransactionStatus;
// c:callback
/// Runs the local transaction of `SendMessageTransaction` on the calling
/// thread, with the caller's own message and user data.
pub type CLocalTransactionExecutorCallback = unsafe extern "C" fn(
    producer: *mut CProducer,
    msg: *mut CMessage,
    data: *mut c_void,
) -> CTransactionStatus;

/// Settings gathered by the setters, read at start.
#[derive(Clone, Debug)]
struct Settings {
    group: String,
    namesrv: String,
    namesrv_domain: String,
    instance_name: String,
    credentials: Option<(String, String)>,
    send_timeout_ms: i32,
    compress_level: i32,
    compress_over: i32,
    max_message_size: i32,
    trace: bool,
    ssl: bool,
    ssl_property_file: String,
}

impl Settings {
    fn new(group: &str) -> Self {
        Settings {
            group: group.to_owned(),
            namesrv: std::env::var("NAMESRV_ADDR").unwrap_or_default(),
            namesrv_domain: String::new(),
            instance_name: crate::client::config::DEFAULT_INSTANCE_NAME.to_owned(),
            credentials: None,
            send_timeout_ms: 3000,
            compress_level: 5,
            compress_over: 4096,
            max_message_size: 0,
            trace: false,
            ssl: false,
            ssl_property_file: "/etc/rocketmq/tls.properties".to_owned(),
        }
    }

    fn to_config(&self) -> Result<ProducerConfig, String> {
        if self.ssl {
            return Err(format!(
                "TLS was requested (SetProducerSsl, property file {}) but this library connects without TLS",
                self.ssl_property_file
            ));
        }
        let namesrv = self.namesrv.trim();
        let namesrv = namesrv.strip_prefix("http://").unwrap_or(namesrv);
        if namesrv.is_empty() && !self.namesrv_domain.is_empty() {
            return Err(format!(
                "no name server address: looking name servers up through the domain {} is not supported; call SetProducerNameServerAddress",
                self.namesrv_domain
            ));
        }
        let mut c = ProducerConfig::new(namesrv, self.group.as_str());
        if c.group.is_empty() {
            c.group = DEFAULT_PRODUCER_GROUP.to_owned();
        }
        c.client.instance_name = self.instance_name.clone();
        c.client.credentials = self
            .credentials
            .as_ref()
            .map(|(ak, sk)| Credentials::new(ak.as_str(), sk.as_str()));
        if self.send_timeout_ms > 0 {
            c.send_timeout = Duration::from_millis(self.send_timeout_ms as u64);
        }
        c.compress_level = match self.compress_level {
            -1 => 5,
            l => l.clamp(0, 9),
        };
        c.compress_over = self.compress_over.max(0) as usize;
        if self.max_message_size > 0 {
            c.max_message_size = self.max_message_size as usize;
        }
        // rocketmq-client-cpp: 5 attempts for a sync send, and a send the
        // broker did not store OK is tried again.
        c.retry_times = 4;
        c.retry_another_broker_when_not_store_ok = true;
        c.validate().map_err(|e| e.to_string())?;
        Ok(c)
    }
}

/// The transaction side of a transaction producer.
struct TxShared {
    checker: Option<CLocalTransactionCheckerCallback>,
    user_data: SendPtr,
    /// False once the handle is being destroyed: no callback starts after that.
    alive: RwLock<bool>,
}

enum Kind {
    Normal,
    Orderly,
    Transaction(Arc<TxShared>),
}

#[derive(Clone)]
enum Engine {
    Plain(Producer),
    Tx(TransactionProducer),
}

impl Engine {
    fn producer(&self) -> &Producer {
        match self {
            Engine::Plain(p) => p,
            Engine::Tx(t) => t.producer(),
        }
    }
}

thread_local! {
    /// The producer whose transaction callback runs on this thread (0: none).
    static IN_TX_CALLBACK: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Runs a transaction callback of `handle`, marking the thread meanwhile.
fn in_callback<R>(handle: SendPtr, f: impl FnOnce() -> R) -> R {
    let previous = IN_TX_CALLBACK.with(|c| c.replace(handle.0));
    let r = f();
    IN_TX_CALLBACK.with(|c| c.set(previous));
    r
}

/// Whether the calling thread is inside a transaction callback of `handle`.
fn inside_own_callback(handle: *mut CProducer) -> bool {
    IN_TX_CALLBACK.with(|c| c.get()) == handle as usize
}

/// The user's per-call executor, passed to the engine through its `arg`.
struct ExecCtx {
    executor: CLocalTransactionExecutorCallback,
    msg: SendPtr,
    user_data: SendPtr,
}

struct CompatListener {
    tx: Arc<TxShared>,
    handle: SendPtr,
}

impl TransactionListener for CompatListener {
    fn execute_local_transaction(&self, _msg: &Message, arg: usize) -> LocalTransactionState {
        // SAFETY: `arg` is the address of the ExecCtx that SendMessageTransaction
        // keeps alive while the engine runs this, synchronously, on its thread.
        let ctx = unsafe { &*(arg as *const ExecCtx) };
        let status = in_callback(self.handle, || unsafe {
            (ctx.executor)(
                self.handle.get(),
                ctx.msg.get(),
                ctx.user_data.get::<c_void>(),
            )
        });
        to_state(status)
    }

    fn check_local_transaction(&self, msg: &MessageExt) -> LocalTransactionState {
        let alive = self.tx.alive.read();
        let (true, Some(checker)) = (*alive, self.tx.checker) else {
            return LocalTransactionState::Unknown;
        };
        let mut view = CMessage::from_ext(msg);
        let status = in_callback(self.handle, || unsafe {
            checker(
                self.handle.get(),
                &mut view,
                self.tx.user_data.get::<c_void>(),
            )
        });
        to_state(status)
    }
}

impl CProducer {
    fn new(group: &str, kind: Kind) -> Self {
        CProducer {
            kind,
            settings: Mutex::new(Settings::new(group)),
            engine: RwLock::new(None),
            lifecycle: Mutex::new(()),
        }
    }

    fn start(&self, handle: *mut CProducer) -> Result<(), String> {
        let _g = self.lifecycle.lock();
        if self.engine.read().is_some() {
            return Ok(());
        }
        let config = self.settings.lock().to_config()?;
        let engine = match &self.kind {
            Kind::Transaction(tx) => {
                let listener = Arc::new(CompatListener {
                    tx: tx.clone(),
                    handle: SendPtr::new(handle),
                });
                Engine::Tx(TransactionProducer::new(config, listener).map_err(|e| e.to_string())?)
            }
            Kind::Normal | Kind::Orderly => {
                Engine::Plain(Producer::new(config).map_err(|e| e.to_string())?)
            }
        };
        engine.producer().start().map_err(|e| e.to_string())?;
        *self.engine.write() = Some(engine);
        Ok(())
    }

    fn shutdown(&self) -> Result<(), String> {
        let _g = self.lifecycle.lock();
        let engine = self.engine.write().take();
        match engine {
            None => Ok(()),
            Some(Engine::Plain(p)) => p.shutdown_blocking().map_err(|e| e.to_string()),
            Some(Engine::Tx(t)) => t.shutdown_blocking().map_err(|e| e.to_string()),
        }
    }

    fn running(&self) -> Result<Engine, String> {
        self.engine
            .read()
            .clone()
            .ok_or_else(|| "the producer is not started (call StartProducer first)".to_owned())
    }
}

fn retriable(e: &Error) -> bool {
    match e.kind() {
        ErrorKind::Network | ErrorKind::Timeout | ErrorKind::NoRoute => true,
        ErrorKind::Broker => e.is_retriable(),
        _ => false,
    }
}

/// An ordered-send selector that asks the user's callback.
struct CSelector {
    callback: QueueSelectorCallback,
    msg: SendPtr,
    arg: SendPtr,
}

impl QueueSelector for CSelector {
    fn select(&self, queues: &[MessageQueue], _ctx: &SelectContext<'_>) -> crate::Result<usize> {
        let n = c_int::try_from(queues.len()).unwrap_or(c_int::MAX);
        let i = unsafe { (self.callback)(n, self.msg.get(), self.arg.get::<c_void>()) };
        usize::try_from(i)
            .ok()
            .filter(|&i| i < queues.len())
            .ok_or_else(|| {
                Error::invalid(format!(
                    "the queue selector returned {i}; it must be in [0, {n})"
                ))
            })
    }
}

/// Runs an ordered send up to `1 + retries` times while it fails retriably.
fn send_ordered(
    engine: &Producer,
    msg: &CMessage,
    selector: &dyn QueueSelector,
    arg: Option<SelectArg<'_>>,
    retries: c_int,
) -> crate::Result<SendResult> {
    let attempts = retries.clamp(0, 15) + 1;
    let mut last = None;
    for _ in 0..attempts {
        match crate::runtime::block_on(engine.send_with_selector(msg.to_message(), selector, arg))?
        {
            Ok(r) => return Ok(r),
            Err(e) if retriable(&e) => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| Error::invalid("no attempt was made")))
}

unsafe fn producer_ref<'a>(p: *mut CProducer, what: &str) -> Option<&'a CProducer> {
    let r = p.as_ref();
    if r.is_none() {
        set_error(format!("{what}: the producer is NULL"));
    }
    r
}

fn create(group: *const c_char, kind: Kind) -> *mut CProducer {
    client_guard(std::ptr::null_mut(), || {
        // SAFETY: the caller passes NULL or a NUL-terminated string.
        let Some(g) = (unsafe { opt_str(group) }) else {
            set_error("the group id is NULL");
            return std::ptr::null_mut();
        };
        crate::ffi::signals::init();
        Box::into_raw(Box::new(CProducer::new(&g, kind)))
    })
}

/// Creates a producer of `groupId` ("" means DEFAULT_PRODUCER, which cannot
/// be started). NULL if `groupId` is NULL. Nothing connects before `StartProducer`.
#[no_mangle]
pub unsafe extern "C" fn CreateProducer(groupId: *const c_char) -> *mut CProducer {
    create(groupId, Kind::Normal)
}

/// Creates a producer meant for ordered sends; it behaves as `CreateProducer`.
#[no_mangle]
pub unsafe extern "C" fn CreateOrderlyProducer(groupId: *const c_char) -> *mut CProducer {
    create(groupId, Kind::Orderly)
}

/// Creates a transaction producer. `callback` (may be NULL: every check then
/// answers UNKNOWN) answers the broker's checks of half messages and gets
/// `userData` as its last argument; the producer passed to the transaction
/// callbacks is the handle returned here. NULL if `groupId` is NULL.
/// Unlike rocketmq-client-cpp, the executor of `SendMessageTransaction` runs
/// even when `callback` is NULL.
#[no_mangle]
pub unsafe extern "C" fn CreateTransactionProducer(
    groupId: *const c_char,
    callback: Option<CLocalTransactionCheckerCallback>,
    userData: *mut c_void,
) -> *mut CProducer {
    let tx = Arc::new(TxShared {
        checker: callback,
        user_data: SendPtr::new(userData),
        alive: RwLock::new(true),
    });
    create(groupId, Kind::Transaction(tx))
}

/// Shuts the producer down if it is running, then frees it; no transaction
/// callback runs after this returns. NULL_POINTER for NULL;
/// PRODUCER_START_FAILED (and nothing freed) when called inside one of this
/// producer's transaction callbacks.
#[no_mangle]
pub unsafe extern "C" fn DestroyProducer(producer: *mut CProducer) -> c_int {
    client_guard(NULL_POINTER, || {
        let Some(p) = producer_ref(producer, "DestroyProducer") else {
            return NULL_POINTER;
        };
        if inside_own_callback(producer) {
            return fail(
                PRODUCER_START_FAILED,
                "DestroyProducer: called inside one of this producer's transaction callbacks",
            );
        }
        if let Kind::Transaction(tx) = &p.kind {
            *tx.alive.write() = false;
        }
        let _ = p.shutdown();
        drop(Box::from_raw(producer));
        OK
    })
}

/// Starts the producer (routes are fetched at the first send). OK when
/// already running; PRODUCER_START_FAILED with the reason otherwise (no name
/// server address, invalid group, TLS requested, ...).
#[no_mangle]
pub unsafe extern "C" fn StartProducer(producer: *mut CProducer) -> c_int {
    client_guard(PRODUCER_START_FAILED, || {
        let Some(p) = producer_ref(producer, "StartProducer") else {
            return NULL_POINTER;
        };
        match p.start(producer) {
            Ok(()) => OK,
            Err(e) => fail(
                PRODUCER_START_FAILED,
                format!("starting the producer failed: {e}"),
            ),
        }
    })
}

/// Stops the producer after its in-flight sends (OK when not running).
/// PRODUCER_START_FAILED if it could not be stopped, or when called inside
/// one of this producer's transaction callbacks (which would wait for itself).
#[no_mangle]
pub unsafe extern "C" fn ShutdownProducer(producer: *mut CProducer) -> c_int {
    client_guard(PRODUCER_START_FAILED, || {
        let Some(p) = producer_ref(producer, "ShutdownProducer") else {
            return NULL_POINTER;
        };
        if inside_own_callback(producer) {
            return fail(
                PRODUCER_START_FAILED,
                "ShutdownProducer: called inside one of this producer's transaction callbacks",
            );
        }
        match p.shutdown() {
            Ok(()) => OK,
            Err(e) => fail(
                PRODUCER_START_FAILED,
                format!("shutting down the producer failed: {e}"),
            ),
        }
    })
}

/// The library version text (static); "DefaultVersion" for NULL.
#[no_mangle]
pub unsafe extern "C" fn ShowProducerVersion(producer: *mut CProducer) -> *const c_char {
    const DEFAULT: &CStr = c"DefaultVersion";
    client_guard(DEFAULT.as_ptr(), || {
        producer
            .as_ref()
            .map_or(DEFAULT.as_ptr(), |_| version_text())
    })
}

/// Shared body of the setters: NULL checks, then `f` on the settings.
unsafe fn set(producer: *mut CProducer, what: &str, f: impl FnOnce(&mut Settings)) -> c_int {
    client_guard(NULL_POINTER, || {
        let Some(p) = producer_ref(producer, what) else {
            return NULL_POINTER;
        };
        f(&mut p.settings.lock());
        OK
    })
}

/// Shared body of the string setters.
unsafe fn set_str(
    producer: *mut CProducer,
    value: *const c_char,
    what: &str,
    f: impl FnOnce(&mut Settings, String),
) -> c_int {
    match opt_str(value) {
        Some(v) => set(producer, what, |s| f(s, v.into_owned())),
        None => fail(NULL_POINTER, format!("{what}: the value is NULL")),
    }
}

/// Sets the name servers, "host:port;host:port" (a leading "http://" is ignored).
#[no_mangle]
pub unsafe extern "C" fn SetProducerNameServerAddress(
    producer: *mut CProducer,
    namesrv: *const c_char,
) -> c_int {
    set_str(producer, namesrv, "SetProducerNameServerAddress", |s, v| {
        s.namesrv = v
    })
}

/// Stores a name server lookup domain. Lookup through it is not supported:
/// `StartProducer` fails if no name server address is set.
#[no_mangle]
pub unsafe extern "C" fn SetProducerNameServerDomain(
    producer: *mut CProducer,
    domain: *const c_char,
) -> c_int {
    set_str(producer, domain, "SetProducerNameServerDomain", |s, v| {
        s.namesrv_domain = v
    })
}

/// Replaces the group (takes effect at the next start).
#[no_mangle]
pub unsafe extern "C" fn SetProducerGroupName(
    producer: *mut CProducer,
    groupName: *const c_char,
) -> c_int {
    set_str(producer, groupName, "SetProducerGroupName", |s, v| {
        s.group = v
    })
}

/// Sets the instance name (default "DEFAULT": an instance of its own).
/// Producers with the same other instance name share connections.
#[no_mangle]
pub unsafe extern "C" fn SetProducerInstanceName(
    producer: *mut CProducer,
    instanceName: *const c_char,
) -> c_int {
    set_str(producer, instanceName, "SetProducerInstanceName", |s, v| {
        s.instance_name = v
    })
}

/// Sets the ACL access key and secret key that sign every request (both
/// empty: no signing). `onsChannel` is accepted and ignored.
#[no_mangle]
pub unsafe extern "C" fn SetProducerSessionCredentials(
    producer: *mut CProducer,
    accessKey: *const c_char,
    secretKey: *const c_char,
    onsChannel: *const c_char,
) -> c_int {
    let (Some(ak), Some(sk), Some(_)) =
        (opt_str(accessKey), opt_str(secretKey), opt_str(onsChannel))
    else {
        return fail(
            NULL_POINTER,
            "SetProducerSessionCredentials: an argument is NULL",
        );
    };
    set(producer, "SetProducerSessionCredentials", |s| {
        s.credentials = if ak.is_empty() && sk.is_empty() {
            None
        } else {
            Some((ak.into_owned(), sk.into_owned()))
        };
    })
}

/// Accepted for compatibility; the library writes no log files.
#[no_mangle]
pub unsafe extern "C" fn SetProducerLogPath(
    producer: *mut CProducer,
    logPath: *const c_char,
) -> c_int {
    let _ = logPath;
    set(producer, "SetProducerLogPath", |_| {})
}

/// Accepted for compatibility (process-wide); the library writes no log files.
#[no_mangle]
pub unsafe extern "C" fn SetProducerLogFileNumAndSize(
    producer: *mut CProducer,
    fileNum: c_int,
    fileSize: c_long,
) -> c_int {
    set(producer, "SetProducerLogFileNumAndSize", |_| {
        log_settings::set_files(fileNum, fileSize)
    })
}

/// Sets the process-wide log level (kept; the library writes no log files).
#[no_mangle]
pub unsafe extern "C" fn SetProducerLogLevel(producer: *mut CProducer, level: CLogLevel) -> c_int {
    set(producer, "SetProducerLogLevel", |_| {
        log_settings::set_level(level)
    })
}

/// Sets the send timeout in ms, retries included (default 3000; <= 0 keeps the default).
#[no_mangle]
pub unsafe extern "C" fn SetProducerSendMsgTimeout(
    producer: *mut CProducer,
    timeout: c_int,
) -> c_int {
    set(producer, "SetProducerSendMsgTimeout", |s| {
        s.send_timeout_ms = timeout
    })
}

/// Sets the zlib level of compressed bodies (default 5; -1 means 5; other
/// values are clamped to 0..9).
#[no_mangle]
pub unsafe extern "C" fn SetProducerCompressLevel(producer: *mut CProducer, level: c_int) -> c_int {
    set(producer, "SetProducerCompressLevel", |s| {
        s.compress_level = level
    })
}

/// Sets the largest body accepted, in bytes (default 4 MiB; <= 0 keeps the default).
#[no_mangle]
pub unsafe extern "C" fn SetProducerMaxMessageSize(producer: *mut CProducer, size: c_int) -> c_int {
    set(producer, "SetProducerMaxMessageSize", |s| {
        s.max_message_size = size
    })
}

/// Accepted for compatibility: message traces are not published.
#[no_mangle]
pub unsafe extern "C" fn SetProducerMessageTrace(
    producer: *mut CProducer,
    openTrace: CTraceModel,
) -> c_int {
    set(producer, "SetProducerMessageTrace", |s| {
        s.trace = openTrace == OPEN
    })
}

/// Non-zero requests TLS, which this library does not offer: `StartProducer`
/// then fails rather than connecting in plain text.
#[no_mangle]
pub unsafe extern "C" fn SetProducerSsl(producer: *mut CProducer, enableSsl: c_int) -> c_int {
    set(producer, "SetProducerSsl", |s| s.ssl = enableSsl != 0)
}

/// Stores the TLS property file path (see `SetProducerSsl`).
#[no_mangle]
pub unsafe extern "C" fn SetProducerSslPropertyFile(
    producer: *mut CProducer,
    sslPropertyFile: *const c_char,
) -> c_int {
    set_str(
        producer,
        sslPropertyFile,
        "SetProducerSslPropertyFile",
        |s, v| s.ssl_property_file = v,
    )
}

// c:hidden
/// Bodies larger than `howmuch` bytes are compressed (default 4096). Exported
/// but declared in no header, as in rocketmq-client-cpp.
#[no_mangle]
pub unsafe extern "C" fn SetProducerCompressMsgBodyOverHowmuch(
    producer: *mut CProducer,
    howmuch: c_int,
) -> c_int {
    set(producer, "SetProducerCompressMsgBodyOverHowmuch", |s| {
        s.compress_over = howmuch
    })
}

/// Checks the producer and message of a send and finds the running engine.
unsafe fn begin<'a>(
    producer: *mut CProducer,
    msg: *mut CMessage,
    what: &str,
    code: c_int,
) -> Result<(Engine, &'a CMessage), c_int> {
    let Some(p) = producer_ref(producer, what) else {
        return Err(NULL_POINTER);
    };
    let Some(m) = msg.as_ref() else {
        return Err(fail(NULL_POINTER, format!("{what}: the message is NULL")));
    };
    let engine = p
        .running()
        .map_err(|e| fail(code, format!("{what}: {e}")))?;
    Ok((engine, m))
}

fn report(what: &str, code: c_int, e: Error) -> c_int {
    fail(code, format!("{what} failed: {e}"))
}

/// Sends and waits for the broker (up to 5 attempts within the send
/// timeout); fills `*result`. NULL_POINTER for a NULL argument;
/// PRODUCER_SEND_SYNC_FAILED with the reason otherwise. Works on every kind
/// of producer, transactional ones included.
#[no_mangle]
pub unsafe extern "C" fn SendMessageSync(
    producer: *mut CProducer,
    msg: *mut CMessage,
    result: *mut CSendResult,
) -> c_int {
    const W: &str = "SendMessageSync";
    client_guard(PRODUCER_SEND_SYNC_FAILED, || {
        if result.is_null() {
            return fail(NULL_POINTER, "SendMessageSync: the result is NULL");
        }
        let (engine, m) = match begin(producer, msg, W, PRODUCER_SEND_SYNC_FAILED) {
            Ok(v) => v,
            Err(code) => return code,
        };
        match engine.producer().send_blocking(m.to_message()) {
            Ok(r) => {
                result.write(CSendResult::from_result(&r));
                OK
            }
            Err(e) => report(W, PRODUCER_SEND_SYNC_FAILED, e),
        }
    })
}

/// Sends a batch (every message of one topic, none delayed) as one request;
/// fills `*result` (msgId: the ids joined by commas). NULL_POINTER for a NULL
/// argument; PRODUCER_SEND_SYNC_FAILED with the reason otherwise.
#[no_mangle]
pub unsafe extern "C" fn SendBatchMessage(
    producer: *mut CProducer,
    msg: *mut CBatchMessage,
    result: *mut CSendResult,
) -> c_int {
    const W: &str = "SendBatchMessage";
    client_guard(PRODUCER_SEND_SYNC_FAILED, || {
        let Some(p) = producer_ref(producer, W) else {
            return NULL_POINTER;
        };
        let (Some(batch), false) = (msg.as_ref(), result.is_null()) else {
            return fail(
                NULL_POINTER,
                "SendBatchMessage: the batch or the result is NULL",
            );
        };
        let engine = match p.running() {
            Ok(e) => e,
            Err(e) => return fail(PRODUCER_SEND_SYNC_FAILED, format!("{W}: {e}")),
        };
        let msgs = batch.msgs.iter().map(CMessage::to_message).collect();
        match crate::runtime::block_on(engine.producer().send_batch(msgs)).and_then(|r| r) {
            Ok(r) => {
                result.write(CSendResult::from_result(&r));
                OK
            }
            Err(e) => report(W, PRODUCER_SEND_SYNC_FAILED, e),
        }
    })
}

/// Starts an async send. On OK exactly one of the callbacks runs later, on a
/// library thread. NULL_POINTER for a NULL argument (both callbacks are
/// required); PRODUCER_SEND_ASYNC_FAILED if the send could not start.
#[no_mangle]
pub unsafe extern "C" fn SendMessageAsync(
    producer: *mut CProducer,
    msg: *mut CMessage,
    cSendSuccessCallback: Option<CSendSuccessCallback>,
    cSendExceptionCallback: Option<CSendExceptionCallback>,
) -> c_int {
    const W: &str = "SendMessageAsync";
    client_guard(PRODUCER_SEND_ASYNC_FAILED, || {
        let (Some(ok_cb), Some(err_cb)) = (cSendSuccessCallback, cSendExceptionCallback) else {
            return fail(NULL_POINTER, "SendMessageAsync: a callback is NULL");
        };
        let (engine, m) = match begin(producer, msg, W, PRODUCER_SEND_ASYNC_FAILED) {
            Ok(v) => v,
            Err(code) => return code,
        };
        let sent = engine
            .producer()
            .send_async(m.to_message(), move |r| match r {
                Ok(r) => unsafe { ok_cb(CSendResult::from_result(&r)) },
                Err(e) => unsafe {
                    err_cb(CMQException::from_error(&e, PRODUCER_SEND_ASYNC_FAILED))
                },
            });
        match sent {
            Ok(()) => OK,
            Err(e) => report(W, PRODUCER_SEND_ASYNC_FAILED, e),
        }
    })
}

/// Starts an async send whose callbacks also receive `msg` and `userData`
/// (keep `msg` alive until a callback ran). On OK exactly one callback runs
/// later, on a library thread. NULL_POINTER for a NULL argument (both
/// callbacks are required); PRODUCER_SEND_ASYNC_FAILED if the send could not start.
#[no_mangle]
pub unsafe extern "C" fn SendAsync(
    producer: *mut CProducer,
    msg: *mut CMessage,
    cSendSuccessCallback: Option<COnSendSuccessCallback>,
    cSendExceptionCallback: Option<COnSendExceptionCallback>,
    userData: *mut c_void,
) -> c_int {
    const W: &str = "SendAsync";
    client_guard(PRODUCER_SEND_ASYNC_FAILED, || {
        let (Some(ok_cb), Some(err_cb)) = (cSendSuccessCallback, cSendExceptionCallback) else {
            return fail(NULL_POINTER, "SendAsync: a callback is NULL");
        };
        let (engine, m) = match begin(producer, msg, W, PRODUCER_SEND_ASYNC_FAILED) {
            Ok(v) => v,
            Err(code) => return code,
        };
        let (mp, ud) = (SendPtr::new(msg), SendPtr::new(userData));
        let sent = engine
            .producer()
            .send_async(m.to_message(), move |r| match r {
                Ok(r) => unsafe { ok_cb(CSendResult::from_result(&r), mp.get(), ud.get()) },
                Err(e) => unsafe {
                    err_cb(
                        CMQException::from_error(&e, PRODUCER_SEND_ASYNC_FAILED),
                        mp.get(),
                        ud.get(),
                    )
                },
            });
        match sent {
            Ok(()) => OK,
            Err(e) => report(W, PRODUCER_SEND_ASYNC_FAILED, e),
        }
    })
}

/// Sends without waiting for the broker (one attempt). NULL_POINTER for a
/// NULL argument; PRODUCER_SEND_ONEWAY_FAILED with the reason otherwise.
#[no_mangle]
pub unsafe extern "C" fn SendMessageOneway(producer: *mut CProducer, msg: *mut CMessage) -> c_int {
    const W: &str = "SendMessageOneway";
    client_guard(PRODUCER_SEND_ONEWAY_FAILED, || {
        let (engine, m) = match begin(producer, msg, W, PRODUCER_SEND_ONEWAY_FAILED) {
            Ok(v) => v,
            Err(code) => return code,
        };
        match crate::runtime::block_on(engine.producer().send_oneway(m.to_message()))
            .and_then(|r| r)
        {
            Ok(()) => OK,
            Err(e) => report(W, PRODUCER_SEND_ONEWAY_FAILED, e),
        }
    })
}

/// Sends one way to the queue `selector` picks. NULL_POINTER for a NULL
/// argument; PRODUCER_SEND_ONEWAY_FAILED with the reason otherwise (also for
/// a selector answer outside [0, size)).
#[no_mangle]
pub unsafe extern "C" fn SendMessageOnewayOrderly(
    producer: *mut CProducer,
    msg: *mut CMessage,
    selector: Option<QueueSelectorCallback>,
    arg: *mut c_void,
) -> c_int {
    const W: &str = "SendMessageOnewayOrderly";
    client_guard(PRODUCER_SEND_ONEWAY_FAILED, || {
        let Some(callback) = selector else {
            return fail(
                NULL_POINTER,
                "SendMessageOnewayOrderly: the selector is NULL",
            );
        };
        let (engine, m) = match begin(producer, msg, W, PRODUCER_SEND_ONEWAY_FAILED) {
            Ok(v) => v,
            Err(code) => return code,
        };
        let sel = CSelector {
            callback,
            msg: SendPtr::new(msg),
            arg: SendPtr::new(arg),
        };
        let fut = engine
            .producer()
            .send_oneway_with_selector(m.to_message(), &sel, None);
        match crate::runtime::block_on(fut).and_then(|r| r) {
            Ok(()) => OK,
            Err(e) => report(W, PRODUCER_SEND_ONEWAY_FAILED, e),
        }
    })
}

/// Sends to the queue `callback` picks and waits for the broker; a failed
/// attempt that may succeed on retry is retried up to `autoRetryTimes` times
/// (the selector is asked again). Fills `*result`. NULL_POINTER for a NULL
/// argument; PRODUCER_SEND_ORDERLY_FAILED with the reason otherwise (also for
/// a selector answer outside [0, size), where rocketmq-client-cpp read out of bounds).
#[no_mangle]
pub unsafe extern "C" fn SendMessageOrderly(
    producer: *mut CProducer,
    msg: *mut CMessage,
    callback: Option<QueueSelectorCallback>,
    arg: *mut c_void,
    autoRetryTimes: c_int,
    result: *mut CSendResult,
) -> c_int {
    const W: &str = "SendMessageOrderly";
    client_guard(PRODUCER_SEND_ORDERLY_FAILED, || {
        let (Some(callback), false) = (callback, result.is_null()) else {
            return fail(
                NULL_POINTER,
                "SendMessageOrderly: the selector or the result is NULL",
            );
        };
        let (engine, m) = match begin(producer, msg, W, PRODUCER_SEND_ORDERLY_FAILED) {
            Ok(v) => v,
            Err(code) => return code,
        };
        let sel = CSelector {
            callback,
            msg: SendPtr::new(msg),
            arg: SendPtr::new(arg),
        };
        match send_ordered(engine.producer(), m, &sel, None, autoRetryTimes) {
            Ok(r) => {
                result.write(CSendResult::from_result(&r));
                OK
            }
            Err(e) => report(W, PRODUCER_SEND_ORDERLY_FAILED, e),
        }
    })
}

/// Asks `callback` for a queue (on the calling thread), then sends to it
/// asynchronously; on OK exactly one of the callbacks runs later on a library
/// thread. NULL_POINTER for a NULL argument; PRODUCER_SEND_ORDERLYASYNC_FAILED
/// if the send could not start.
#[no_mangle]
pub unsafe extern "C" fn SendMessageOrderlyAsync(
    producer: *mut CProducer,
    msg: *mut CMessage,
    callback: Option<QueueSelectorCallback>,
    arg: *mut c_void,
    cSendSuccessCallback: Option<CSendSuccessCallback>,
    cSendExceptionCallback: Option<CSendExceptionCallback>,
) -> c_int {
    const W: &str = "SendMessageOrderlyAsync";
    const CODE: c_int = PRODUCER_SEND_ORDERLYASYNC_FAILED;
    client_guard(CODE, || {
        let (Some(callback), Some(ok_cb), Some(err_cb)) =
            (callback, cSendSuccessCallback, cSendExceptionCallback)
        else {
            return fail(NULL_POINTER, "SendMessageOrderlyAsync: a callback is NULL");
        };
        let (engine, m) = match begin(producer, msg, W, CODE) {
            Ok(v) => v,
            Err(code) => return code,
        };
        let message = m.to_message();
        let sel = CSelector {
            callback,
            msg: SendPtr::new(msg),
            arg: SendPtr::new(arg),
        };
        let queues =
            match crate::runtime::block_on(engine.producer().publish_queues(&message.topic))
                .and_then(|r| r)
            {
                Ok(q) => q,
                Err(e) => return report(W, CODE, e),
            };
        let queue = match crate::producer::selector::select_with(
            &sel,
            &queues,
            &SelectContext::default(),
        ) {
            Ok(q) => q.clone(),
            Err(e) => return report(W, CODE, e),
        };
        let sent = engine
            .producer()
            .send_async_with(message, Some(queue), move |r| match r {
                Ok(r) => unsafe { ok_cb(CSendResult::from_result(&r)) },
                Err(e) => unsafe { err_cb(CMQException::from_error(&e, CODE)) },
            });
        match sent {
            Ok(()) => OK,
            Err(e) => report(W, CODE, e),
        }
    })
}

/// Sends to the queue chosen by the hash of `shardingKey` (the Java client's
/// String hash, so every client puts a key on the same queue) with one retry;
/// fills `*result`. NULL_POINTER for a NULL argument;
/// PRODUCER_SEND_ORDERLY_FAILED with the reason otherwise.
#[no_mangle]
pub unsafe extern "C" fn SendMessageOrderlyByShardingKey(
    producer: *mut CProducer,
    msg: *mut CMessage,
    shardingKey: *const c_char,
    result: *mut CSendResult,
) -> c_int {
    const W: &str = "SendMessageOrderlyByShardingKey";
    client_guard(PRODUCER_SEND_ORDERLY_FAILED, || {
        let (Some(key), false) = (opt_str(shardingKey), result.is_null()) else {
            return fail(
                NULL_POINTER,
                format!("{W}: the sharding key or the result is NULL"),
            );
        };
        let (engine, m) = match begin(producer, msg, W, PRODUCER_SEND_ORDERLY_FAILED) {
            Ok(v) => v,
            Err(code) => return code,
        };
        match send_ordered(
            engine.producer(),
            m,
            &SelectByHash,
            Some(SelectArg::Str(&key)),
            1,
        ) {
            Ok(r) => {
                result.write(CSendResult::from_result(&r));
                OK
            }
            Err(e) => report(W, PRODUCER_SEND_ORDERLY_FAILED, e),
        }
    })
}

/// Sends `msg` as a half message, runs `callback(producer, msg, userData)` on
/// the calling thread, and commits, rolls back or (UNKNOWN) leaves the
/// message to the broker's check. Fills `*result`. NULL_POINTER for a NULL
/// argument; PRODUCER_SEND_TRANSACTION_FAILED with the reason otherwise,
/// also when `producer` is not a transaction producer (rocketmq-client-cpp crashed).
#[no_mangle]
pub unsafe extern "C" fn SendMessageTransaction(
    producer: *mut CProducer,
    msg: *mut CMessage,
    callback: Option<CLocalTransactionExecutorCallback>,
    userData: *mut c_void,
    result: *mut CSendResult,
) -> c_int {
    const W: &str = "SendMessageTransaction";
    const CODE: c_int = PRODUCER_SEND_TRANSACTION_FAILED;
    client_guard(CODE, || {
        let (Some(executor), false) = (callback, result.is_null()) else {
            return fail(
                NULL_POINTER,
                format!("{W}: the callback or the result is NULL"),
            );
        };
        let (engine, m) = match begin(producer, msg, W, CODE) {
            Ok(v) => v,
            Err(code) => return code,
        };
        let Engine::Tx(tp) = engine else {
            return fail(
                CODE,
                format!("{W}: the producer was not created by CreateTransactionProducer"),
            );
        };
        let ctx = ExecCtx {
            executor,
            msg: SendPtr::new(msg),
            user_data: SendPtr::new(userData),
        };
        // The executor sees the caller's message carrying the id it is sent
        // with (GetMessageId); the message is left as it was afterwards.
        let mut outgoing = m.to_message();
        let had_key = outgoing.unique_key().is_some();
        if !had_key {
            let key = crate::protocol::msg_id::new_unique_key();
            (*msg).set_property(property::UNIQ_KEY, &key);
            outgoing.set_unique_key(key);
        }
        let sent = tp.send_message_in_transaction(outgoing, &ctx as *const ExecCtx as usize);
        if !had_key {
            (*msg).props.remove(property::UNIQ_KEY);
        }
        match sent {
            Ok(r) => {
                result.write(CSendResult::from_result(&r.send));
                OK
            }
            Err(e) => report(W, CODE, e),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::compat::message::{CreateMessage, DestroyMessage, SetMessageBody};

    #[test]
    fn setters_without_a_broker() {
        unsafe {
            let p = CreateProducer(c"compat_unit_group".as_ptr());
            assert!(!p.is_null());
            assert_eq!(SetProducerNameServerAddress(p, c"127.0.0.1:9".as_ptr()), OK);
            assert_eq!(
                SetProducerNameServerDomain(p, c"example.invalid".as_ptr()),
                OK
            );
            assert_eq!(SetProducerGroupName(p, c"compat_unit_group2".as_ptr()), OK);
            assert_eq!(SetProducerInstanceName(p, c"unit".as_ptr()), OK);
            assert_eq!(
                SetProducerSessionCredentials(p, c"AK".as_ptr(), c"SK".as_ptr(), c"Cloud".as_ptr()),
                OK
            );
            assert_eq!(SetProducerLogPath(p, c"/rocketmq/log".as_ptr()), OK);
            assert_eq!(SetProducerLogFileNumAndSize(p, 16, 1 << 20), OK);
            assert_eq!(SetProducerLogLevel(p, E_LOG_LEVEL_DEBUG), OK);
            assert_eq!(log_settings::level(), E_LOG_LEVEL_DEBUG);
            assert_eq!(SetProducerSendMsgTimeout(p, 30), OK);
            assert_eq!(SetProducerCompressLevel(p, 4), OK);
            assert_eq!(SetProducerMaxMessageSize(p, 1024), OK);
            assert_eq!(SetProducerMessageTrace(p, CLOSE), OK);
            assert_eq!(SetProducerCompressMsgBodyOverHowmuch(p, 100), OK);
            assert_eq!(SetProducerSslPropertyFile(p, c"/tmp/x".as_ptr()), OK);
            let c = (*p).settings.lock().to_config().unwrap();
            assert_eq!(c.group, "compat_unit_group2");
            assert_eq!(c.client.namesrv_addr, "127.0.0.1:9");
            assert_eq!(c.client.instance_name, "unit");
            assert_eq!(c.send_timeout, Duration::from_millis(30));
            assert_eq!(c.compress_level, 4);
            assert_eq!(c.compress_over, 100);
            assert_eq!(c.max_message_size, 1024);
            assert_eq!(c.client.credentials.unwrap().access_key, "AK");
            assert!(!ShowProducerVersion(p).is_null());
            assert_eq!(SetProducerGroupName(p, std::ptr::null()), NULL_POINTER);
            assert_eq!(SetProducerLogLevel(std::ptr::null_mut(), 1), NULL_POINTER);
            assert_eq!(DestroyProducer(p), OK);
            assert_eq!(DestroyProducer(std::ptr::null_mut()), NULL_POINTER);
            assert!(CreateProducer(std::ptr::null()).is_null());
            assert!(
                CreateTransactionProducer(std::ptr::null(), None, std::ptr::null_mut()).is_null()
            );
        }
    }

    #[test]
    fn no_shutdown_or_destroy_inside_own_transaction_callbacks() {
        unsafe {
            let p =
                CreateTransactionProducer(c"compat_unit_tx".as_ptr(), None, std::ptr::null_mut());
            let other = CreateProducer(c"compat_unit_other".as_ptr());
            in_callback(SendPtr::new(p), || {
                assert_eq!(ShutdownProducer(p), PRODUCER_START_FAILED);
                assert_eq!(DestroyProducer(p), PRODUCER_START_FAILED);
                assert_eq!(DestroyProducer(other), OK);
            });
            assert_eq!(DestroyProducer(p), OK);
        }
    }

    #[test]
    fn start_failures_are_reported() {
        unsafe {
            let p = CreateProducer(c"compat_unit_nostart".as_ptr());
            SetProducerNameServerAddress(p, c"".as_ptr());
            SetProducerNameServerDomain(p, c"jmenv.example".as_ptr());
            assert_eq!(StartProducer(p), PRODUCER_START_FAILED);
            let text = CStr::from_ptr(crate::ffi::compat::error_message::GetLatestErrorMessage());
            assert!(text.to_str().unwrap().contains("domain"), "{text:?}");
            SetProducerNameServerAddress(p, c"127.0.0.1:9".as_ptr());
            SetProducerSsl(p, 1);
            assert_eq!(StartProducer(p), PRODUCER_START_FAILED);
            SetProducerSsl(p, 0);
            SetProducerGroupName(p, c"".as_ptr());
            assert_eq!(StartProducer(p), PRODUCER_START_FAILED);
            // Shutting down a producer that never started is fine.
            assert_eq!(ShutdownProducer(p), OK);
            DestroyProducer(p);
        }
    }

    #[test]
    fn sends_need_a_started_producer_and_arguments() {
        unsafe {
            let p = CreateProducer(c"compat_unit_sends".as_ptr());
            let m = CreateMessage(c"T".as_ptr());
            SetMessageBody(m, c"x".as_ptr());
            let mut r = CSendResult::zeroed();
            assert_eq!(SendMessageSync(p, m, &mut r), PRODUCER_SEND_SYNC_FAILED);
            assert_eq!(SendMessageSync(p, m, std::ptr::null_mut()), NULL_POINTER);
            assert_eq!(
                SendMessageSync(p, std::ptr::null_mut(), &mut r),
                NULL_POINTER
            );
            assert_eq!(SendMessageOneway(p, m), PRODUCER_SEND_ONEWAY_FAILED);
            assert_eq!(SendMessageAsync(p, m, None, None), NULL_POINTER);
            assert_eq!(
                SendMessageOrderlyByShardingKey(p, m, c"k".as_ptr(), &mut r),
                PRODUCER_SEND_ORDERLY_FAILED
            );
            assert_eq!(
                SendMessageTransaction(p, m, None, std::ptr::null_mut(), &mut r),
                NULL_POINTER
            );
            DestroyMessage(m);
            DestroyProducer(p);
        }
    }
}
