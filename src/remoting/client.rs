//! `RemotingClient`: connections by address, requests with timeouts, hooks,
//! name server failover and the processors for requests servers send us.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use parking_lot::{Mutex, RwLock};
use tokio::runtime::Handle;
use tokio::sync::OnceCell;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::config::RemotingConfig;
use super::connection::{Connection, OnClose};
use super::hook::RpcHook;
use super::namesrv::{self, NameServers};
use super::processor::{ConnContext, RequestProcessor};
use crate::protocol::command::{FLAG_ONEWAY, FLAG_RESPONSE};
use crate::protocol::RemotingCommand;
use crate::{Error, ErrorKind, Result};

/// The opaque of every request this process sends; it wraps like Java's.
static NEXT_OPAQUE: AtomicI32 = AtomicI32::new(0);

fn next_opaque() -> i32 {
    NEXT_OPAQUE.fetch_add(1, Ordering::Relaxed)
}

/// One address's connection: being set up (empty), up, or failed to set up.
/// Concurrent first uses of an address all wait on the same cell.
#[derive(Default)]
struct Slot {
    cell: OnceCell<Result<Arc<Connection>>>,
}

impl Slot {
    /// Connecting or connected; false once closed or failed.
    fn usable(&self) -> bool {
        match self.cell.get() {
            None => true,
            Some(Ok(c)) => !c.is_closed(),
            Some(Err(_)) => false,
        }
    }
    fn connection(&self) -> Option<&Arc<Connection>> {
        match self.cell.get() {
            Some(Ok(c)) => Some(c),
            _ => None,
        }
    }
}

/// Aborts a task when dropped (a cancelled connect must not leave a socket behind).
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

struct Inner {
    ctx: Arc<ConnContext>,
    handle: Handle,
    table: Mutex<HashMap<String, Arc<Slot>>>,
    hooks: RwLock<Vec<Arc<dyn RpcHook>>>,
    namesrv: NameServers,
    shut_down: AtomicBool,
}

impl Inner {
    /// Removes `addr`'s slot if it still holds the connection `id`.
    fn forget_connection(&self, addr: &str, id: u64) {
        let removed = {
            let mut table = self.table.lock();
            match table.get(addr) {
                Some(s) if s.connection().map(|c| c.id()) == Some(id) => table.remove(addr),
                _ => None,
            }
        };
        drop(removed);
    }

    /// Removes `addr`'s slot if it is still `slot`.
    fn forget_slot(&self, addr: &str, slot: &Arc<Slot>) {
        let removed = {
            let mut table = self.table.lock();
            match table.get(addr) {
                Some(s) if Arc::ptr_eq(s, slot) => table.remove(addr),
                _ => None,
            }
        };
        drop(removed);
    }
}

/// The transport of a client: cheap to clone, all clones share connections.
///
/// Its futures must run inside a tokio runtime; connections and server
/// requests run as tasks on the runtime the client was created with.
#[derive(Clone)]
pub struct RemotingClient {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for RemotingClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemotingClient")
            .field("config", &self.inner.ctx.config)
            .field("connections", &self.inner.table.lock().len())
            .finish()
    }
}

fn shut_down_error() -> Error {
    Error::new(ErrorKind::ShutDown, "the remoting client is shut down")
}

/// `timeout` from now; an enormous timeout means about thirty years.
fn deadline_after(timeout: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(timeout)
        .unwrap_or_else(|| now + Duration::from_secs(30 * 365 * 86_400))
}

fn timeout_error(addr: &str, code: i32, timeout: Duration) -> Error {
    Error::timeout(format!(
        "request code {code} to {addr} timed out after {} ms",
        timeout.as_millis()
    ))
}

impl RemotingClient {
    /// A client on the process-wide runtime.
    pub fn new(config: RemotingConfig) -> Result<Self> {
        Self::with_handle(config, crate::runtime::handle())
    }

    /// A client whose tasks run on the runtime of `handle`.
    pub fn with_handle(config: RemotingConfig, handle: Handle) -> Result<Self> {
        config.validate()?;
        Ok(RemotingClient {
            inner: Arc::new(Inner {
                ctx: Arc::new(ConnContext::new(config)),
                handle,
                table: Mutex::new(HashMap::new()),
                hooks: RwLock::new(Vec::new()),
                namesrv: NameServers::default(),
                shut_down: AtomicBool::new(false),
            }),
        })
    }

    pub fn config(&self) -> &RemotingConfig {
        &self.inner.ctx.config
    }

    /// Adds a hook run on every request sent, after those already registered.
    pub fn register_hook(&self, hook: Arc<dyn RpcHook>) {
        self.inner.hooks.write().push(hook);
    }

    /// Sets the processor of requests with `code` sent by servers (replacing any).
    pub fn register_processor(&self, code: i32, processor: Arc<dyn RequestProcessor>) {
        self.inner.ctx.processors.write().insert(code, processor);
    }

    /// `addr`, or its VIP channel when the config enables VIP channels and the
    /// caller allows it for this request (never for heartbeats and unregisters).
    pub fn broker_addr<'a>(&self, addr: &'a str, vip_allowed: bool) -> Cow<'a, str> {
        namesrv::maybe_vip(addr, vip_allowed && self.config().vip_channel)
    }

    /// Whether an open connection to `addr` exists now.
    pub fn is_connected(&self, addr: &str) -> bool {
        let table = self.inner.table.lock();
        table
            .get(addr)
            .and_then(|s| s.connection())
            .is_some_and(|c| !c.is_closed())
    }

    /// How many requests to `addr` wait for a response.
    pub fn pending_requests(&self, addr: &str) -> usize {
        let table = self.inner.table.lock();
        table
            .get(addr)
            .and_then(|s| s.connection())
            .map_or(0, |c| c.pending_len())
    }

    pub fn is_shut_down(&self) -> bool {
        self.inner.shut_down.load(Ordering::SeqCst)
    }

    /// Closes the connection to `addr`; its pending requests fail with a network error.
    pub fn close(&self, addr: &str) {
        let slot = self.inner.table.lock().remove(addr);
        if let Some(c) = slot.as_ref().and_then(|s| s.connection()) {
            c.close(Error::network(format!(
                "the connection to {addr} was closed by the client"
            )));
        }
    }

    /// Closes every connection, failing pending requests; later requests fail
    /// with [`ErrorKind::ShutDown`]. Idempotent.
    pub fn shutdown(&self) {
        self.inner.shut_down.store(true, Ordering::SeqCst);
        let slots: Vec<Arc<Slot>> = self.inner.table.lock().drain().map(|(_, s)| s).collect();
        for s in &slots {
            if let Some(c) = s.connection() {
                c.close(shut_down_error());
            }
        }
    }

    fn check_open(&self) -> Result<()> {
        if self.is_shut_down() {
            Err(shut_down_error())
        } else {
            Ok(())
        }
    }

    /// The connection to `addr`, connecting if there is none.
    async fn connection(&self, addr: &str) -> Result<Arc<Connection>> {
        let (slot, stale) = {
            let mut table = self.inner.table.lock();
            match table.get(addr) {
                Some(s) if s.usable() => (s.clone(), None),
                _ => {
                    let s = Arc::new(Slot::default());
                    let stale = table.insert(addr.to_owned(), s.clone());
                    (s, stale)
                }
            }
        };
        drop(stale);
        let res = slot.cell.get_or_init(|| self.connect(addr)).await;
        match res {
            Ok(c) => {
                if self.is_shut_down() {
                    c.close(shut_down_error());
                    return Err(shut_down_error());
                }
                Ok(c.clone())
            }
            Err(e) => {
                // The next use tries again.
                self.inner.forget_slot(addr, &slot);
                Err(e.clone())
            }
        }
    }

    async fn connect(&self, addr: &str) -> Result<Arc<Connection>> {
        let weak: Weak<Inner> = Arc::downgrade(&self.inner);
        let key = addr.to_owned();
        let on_close: OnClose = Box::new(move |id| {
            if let Some(inner) = weak.upgrade() {
                inner.forget_connection(&key, id);
            }
        });
        let task = self.inner.handle.spawn(Connection::connect(
            addr.to_owned(),
            self.inner.ctx.clone(),
            on_close,
        ));
        let mut task = AbortOnDrop(task);
        match (&mut task.0).await {
            Ok(r) => r.map(Arc::new),
            Err(e) => Err(Error::new(
                ErrorKind::Internal,
                format!("connecting to {addr} failed: {e}"),
            )),
        }
    }

    /// Stamps a request: opaque, language, version, serialization, hooks.
    fn prepare(&self, addr: &str, req: &mut RemotingCommand, oneway: bool) -> Result<()> {
        if addr.is_empty() {
            return Err(Error::invalid("the server address is empty"));
        }
        let cfg = self.config();
        req.opaque = next_opaque();
        req.language = cfg.language;
        req.version = cfg.version;
        req.serialize_type = cfg.serialize_type;
        req.flag &= !FLAG_RESPONSE;
        if oneway {
            req.flag |= FLAG_ONEWAY;
        } else {
            req.flag &= !FLAG_ONEWAY;
        }
        for hook in self.inner.hooks.read().iter() {
            hook.before_request(addr, req)?;
        }
        Ok(())
    }

    /// Sends `req` to `addr` and waits for its response, all within `timeout`
    /// (connecting included). A timeout is [`ErrorKind::Timeout`]; a failed
    /// connect or a lost connection is [`ErrorKind::Network`].
    pub async fn invoke(
        &self,
        addr: &str,
        mut req: RemotingCommand,
        timeout: Duration,
    ) -> Result<RemotingCommand> {
        self.check_open()?;
        let deadline = deadline_after(timeout);
        self.prepare(addr, &mut req, false)?;
        let code = req.code;
        let conn = match tokio::time::timeout_at(deadline, self.connection(addr)).await {
            Ok(c) => c?,
            Err(_) => return Err(timeout_error(addr, code, timeout)),
        };
        let mut resp = conn.request(req, deadline, timeout).await?;
        for hook in self.inner.hooks.read().iter() {
            hook.after_response(addr, code, &mut resp)?;
        }
        Ok(resp)
    }

    /// Sends `req` to `addr` as a oneway request (flag bit 1) and returns once
    /// it is written; no response is expected.
    pub async fn invoke_oneway(
        &self,
        addr: &str,
        mut req: RemotingCommand,
        timeout: Duration,
    ) -> Result<()> {
        self.check_open()?;
        let deadline = deadline_after(timeout);
        self.prepare(addr, &mut req, true)?;
        let code = req.code;
        let conn = match tokio::time::timeout_at(deadline, self.connection(addr)).await {
            Ok(c) => c?,
            Err(_) => return Err(timeout_error(addr, code, timeout)),
        };
        conn.send_oneway(req, deadline, timeout).await
    }

    /// Like [`invoke`](Self::invoke), run as a task on the client's runtime;
    /// `callback` gets the result exactly once (a shut-down error if the
    /// runtime drops the task). It runs on a runtime worker and must not block.
    pub fn invoke_callback<F>(
        &self,
        addr: &str,
        req: RemotingCommand,
        timeout: Duration,
        callback: F,
    ) where
        F: FnOnce(Result<RemotingCommand>) + Send + 'static,
    {
        let this = self.clone();
        let addr = addr.to_owned();
        let mut once = CallOnce(Some(callback));
        self.inner.handle.spawn(async move {
            let result = this.invoke(&addr, req, timeout).await;
            once.call(result);
        });
    }

    /// Replaces the name server list (`"host:port;host:port"`).
    pub fn set_namesrv_addrs(&self, list: &str) -> Result<()> {
        let addrs = namesrv::parse_namesrv_addrs(list)?;
        self.inner.namesrv.set(addrs);
        Ok(())
    }

    pub fn namesrv_addrs(&self) -> Vec<String> {
        self.inner.namesrv.list().as_ref().clone()
    }

    /// The name server used by the next [`invoke_namesrv`](Self::invoke_namesrv).
    pub fn current_namesrv(&self) -> Option<String> {
        self.inner.namesrv.current()
    }

    /// Sends `req` to the current name server. On a network error or a
    /// timeout the next addresses are tried in turn, each with `timeout`;
    /// the one that answers becomes current.
    pub async fn invoke_namesrv(
        &self,
        req: RemotingCommand,
        timeout: Duration,
    ) -> Result<RemotingCommand> {
        self.check_open()?;
        let list = self.inner.namesrv.list();
        if list.is_empty() {
            return Err(Error::invalid("no name server address is set"));
        }
        let n = list.len();
        let start = self.inner.namesrv.current_index() % n;
        let mut req = Some(req);
        let mut last_err = None;
        for i in 0..n {
            let idx = (start + i) % n;
            let attempt = if i + 1 < n { req.clone() } else { req.take() };
            let Some(attempt) = attempt else { break };
            match self.invoke(&list[idx], attempt, timeout).await {
                Ok(resp) => {
                    self.inner.namesrv.set_current(idx);
                    return Ok(resp);
                }
                Err(e) if matches!(e.kind(), ErrorKind::Network | ErrorKind::Timeout) => {
                    self.inner.namesrv.set_current((idx + 1) % n);
                    last_err = Some(e);
                }
                Err(e) => return Err(e),
            }
        }
        let e = last_err.unwrap_or_else(|| Error::network("no name server answered"));
        Err(if n > 1 {
            e.context(format!("all {n} name servers failed; last"))
        } else {
            e
        })
    }
}

/// Calls its function once: with the result, or with a shut-down error when
/// dropped unused.
struct CallOnce<F: FnOnce(Result<RemotingCommand>)>(Option<F>);

impl<F: FnOnce(Result<RemotingCommand>)> CallOnce<F> {
    fn call(&mut self, r: Result<RemotingCommand>) {
        if let Some(f) = self.0.take() {
            f(r);
        }
    }
}

impl<F: FnOnce(Result<RemotingCommand>)> Drop for CallOnce<F> {
    fn drop(&mut self) {
        self.call(Err(Error::new(
            ErrorKind::ShutDown,
            "the request was dropped: its runtime is shutting down",
        )));
    }
}
