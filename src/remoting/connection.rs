//! One TCP connection to a server: a reader task that decodes frames, a writer
//! task that coalesces queued frames into one socket write, and the table of
//! requests waiting for their response.
//!
//! When the socket dies (read error, end of stream, write error, a frame over
//! the maximum or one that cannot be decoded) every pending request fails at
//! once, the connection is marked closed and its owner is told so that the
//! next use connects again.
//!
//! Broken pipes: a write to a socket the peer has closed must not raise
//! SIGPIPE, which would kill a C, Go or Python host that did not ignore it.
//! All writes here go through `AsyncWriteExt::write_all` on one contiguous
//! buffer. Tokio turns that into `poll_write`, mio into
//! `std::net::TcpStream::write`, and std (`sys/net/connection/socket`) into
//! `send(fd, buf, len, MSG_NOSIGNAL)` on Linux, Android and the BSDs; on Apple
//! platforms std and mio set `SO_NOSIGPIPE` on every socket they create.
//! Vectored writes take another path (`writev`, which has no such flag), so
//! this module never uses them: no `write_vectored` and no `write_all_buf`
//! (which goes vectored on a `TcpStream`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::BytesMut;
use parking_lot::Mutex;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio::task::AbortHandle;
use tokio::time::Instant;

use super::processor::{self, ConnContext};
use crate::protocol::frame::{encode_frame, FrameDecoder};
use crate::protocol::RemotingCommand;
use crate::{Error, Result};

type ResponseTx = oneshot::Sender<Result<RemotingCommand>>;

/// Called once when a connection closes by itself, with the connection's id.
pub(crate) type OnClose = Box<dyn FnOnce(u64) + Send>;

const SHARDS: usize = 16;
/// Read buffer growth step, and the free space below which it grows.
const READ_CHUNK: usize = 64 * 1024;
const MIN_READ_SPACE: usize = 8 * 1024;
/// The writer stops taking queued frames into one write above this size.
const COALESCE_LIMIT: usize = 1024 * 1024;
/// A write buffer that grew beyond this is released after use.
const KEEP_WRITE_BUFFER: usize = 4 * 1024 * 1024;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Requests waiting for a response, by opaque: a few independently locked
/// shards, each lock held only for one map operation (never across an await).
struct PendingTable {
    shards: [Mutex<HashMap<i32, ResponseTx>>; SHARDS],
}

impl PendingTable {
    fn new() -> Self {
        PendingTable {
            shards: std::array::from_fn(|_| Mutex::new(HashMap::new())),
        }
    }
    fn shard(&self, opaque: i32) -> &Mutex<HashMap<i32, ResponseTx>> {
        &self.shards[(opaque as u32 as usize) % SHARDS]
    }
    fn insert(&self, opaque: i32, tx: ResponseTx) -> Option<ResponseTx> {
        self.shard(opaque).lock().insert(opaque, tx)
    }
    fn remove(&self, opaque: i32) -> Option<ResponseTx> {
        self.shard(opaque).lock().remove(&opaque)
    }
    fn drain(&self) -> Vec<ResponseTx> {
        let mut out = Vec::new();
        for s in &self.shards {
            out.extend(s.lock().drain().map(|(_, tx)| tx));
        }
        out
    }
    fn len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().len()).sum()
    }
}

/// A command for the writer; `written` (oneway requests) learns how the write went.
pub(crate) struct Outbound {
    pub(crate) cmd: RemotingCommand,
    pub(crate) written: Option<oneshot::Sender<Result<()>>>,
}

/// What the connection's tasks and its handle share.
struct State {
    id: u64,
    addr: String,
    pending: PendingTable,
    closed: AtomicBool,
    reason: OnceLock<Error>,
    tasks: Mutex<Vec<AbortHandle>>,
    on_close: Mutex<Option<OnClose>>,
    epoch: Instant,
    /// Milliseconds since `epoch` of the last successful read or write.
    last_activity: AtomicU64,
}

impl State {
    fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    /// Marks the connection closed, fails every pending request with `err`,
    /// stops both tasks (dropping the socket) and, when `notify`, tells the owner.
    fn close(&self, err: Error, notify: bool) {
        if self.closed.swap(true, Ordering::SeqCst) {
            return;
        }
        let _ = self.reason.set(err.clone());
        for tx in self.pending.drain() {
            let _ = tx.send(Err(err.clone()));
        }
        for t in self.tasks.lock().drain(..) {
            t.abort();
        }
        let on_close = self.on_close.lock().take();
        if notify {
            if let Some(f) = on_close {
                f(self.id);
            }
        }
    }

    fn closed_error(&self) -> Error {
        self.reason
            .get()
            .cloned()
            .unwrap_or_else(|| Error::network(format!("the connection to {} is closed", self.addr)))
    }

    fn touch(&self) {
        let ms = self.epoch.elapsed().as_millis() as u64;
        self.last_activity.store(ms, Ordering::Relaxed);
    }

    /// True when nothing moved for `idle` and no request waits for an answer.
    fn is_idle(&self, idle: Duration) -> bool {
        let now = self.epoch.elapsed().as_millis() as u64;
        let last = self.last_activity.load(Ordering::Relaxed);
        now.saturating_sub(last) >= idle.as_millis() as u64 && self.pending.len() == 0
    }
}

/// Removes a request's pending entry when the request ends in any way
/// (answered, timed out, failed or dropped by its caller).
struct PendingGuard<'a> {
    state: &'a State,
    opaque: i32,
}

impl Drop for PendingGuard<'_> {
    fn drop(&mut self) {
        self.state.pending.remove(self.opaque);
    }
}

/// A handle on one open (or closed) connection. Dropping the last handle
/// closes the socket.
pub(crate) struct Connection {
    state: Arc<State>,
    tx: mpsc::Sender<Outbound>,
}

impl Connection {
    /// Connects to `addr` and starts the reader and writer tasks on the
    /// current runtime.
    pub(crate) async fn connect(
        addr: String,
        ctx: Arc<ConnContext>,
        on_close: OnClose,
    ) -> Result<Connection> {
        let connect_timeout = ctx.config.connect_timeout;
        let stream =
            match tokio::time::timeout(connect_timeout, TcpStream::connect(addr.as_str())).await {
                Err(_) => {
                    return Err(Error::network(format!(
                        "connect to {addr} timed out after {} ms",
                        connect_timeout.as_millis()
                    )))
                }
                Ok(Err(e)) => return Err(Error::network(format!("connect to {addr} failed: {e}"))),
                Ok(Ok(s)) => s,
            };
        stream
            .set_nodelay(true)
            .map_err(|e| Error::network(format!("setting TCP_NODELAY on {addr} failed: {e}")))?;
        let (rd, wr) = stream.into_split();
        let (tx, rx) = mpsc::channel(ctx.config.write_queue);
        let state = Arc::new(State {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            addr,
            pending: PendingTable::new(),
            closed: AtomicBool::new(false),
            reason: OnceLock::new(),
            tasks: Mutex::new(Vec::new()),
            on_close: Mutex::new(Some(on_close)),
            epoch: Instant::now(),
            last_activity: AtomicU64::new(0),
        });
        let max_frame = ctx.config.max_frame;
        let writer = tokio::spawn(write_loop(state.clone(), rx, wr, max_frame));
        let reader = tokio::spawn(read_loop(state.clone(), ctx, rd, tx.clone()));
        state
            .tasks
            .lock()
            .extend([writer.abort_handle(), reader.abort_handle()]);
        if state.is_closed() {
            // Closed before the handles were stored: stop the tasks here.
            writer.abort();
            reader.abort();
        }
        Ok(Connection { state, tx })
    }

    pub(crate) fn id(&self) -> u64 {
        self.state.id
    }
    pub(crate) fn is_closed(&self) -> bool {
        self.state.is_closed()
    }
    pub(crate) fn pending_len(&self) -> usize {
        self.state.pending.len()
    }

    /// Closes the connection, failing pending requests with `err`.
    pub(crate) fn close(&self, err: Error) {
        self.state.close(err, true);
    }

    fn timeout_error(&self, req_code: i32, opaque: i32, timeout: Duration) -> Error {
        Error::timeout(format!(
            "no response from {} within {} ms (request code {req_code}, opaque {opaque})",
            self.state.addr,
            timeout.as_millis()
        ))
    }

    /// Sends `req` and waits for the response with the same opaque until `deadline`.
    pub(crate) async fn request(
        &self,
        req: RemotingCommand,
        deadline: Instant,
        timeout: Duration,
    ) -> Result<RemotingCommand> {
        let (opaque, code) = (req.opaque, req.code);
        let (tx, rx) = oneshot::channel();
        if let Some(old) = self.state.pending.insert(opaque, tx) {
            let _ = old.send(Err(Error::network(format!("opaque {opaque} was reused"))));
        }
        let _guard = PendingGuard {
            state: &self.state,
            opaque,
        };
        // Checked after inserting: either this sees the close, or the close
        // sees the entry and fails it.
        if self.state.is_closed() {
            return Err(self.state.closed_error());
        }
        let out = Outbound {
            cmd: req,
            written: None,
        };
        match tokio::time::timeout_at(deadline, self.tx.send(out)).await {
            Err(_) => return Err(self.timeout_error(code, opaque, timeout)),
            Ok(Err(_)) => return Err(self.state.closed_error()),
            Ok(Ok(())) => {}
        }
        match tokio::time::timeout_at(deadline, rx).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(self.state.closed_error()),
            Err(_) => Err(self.timeout_error(code, opaque, timeout)),
        }
    }

    /// Queues `cmd` (a oneway request) and waits until it is written.
    pub(crate) async fn send_oneway(
        &self,
        cmd: RemotingCommand,
        deadline: Instant,
        timeout: Duration,
    ) -> Result<()> {
        let (opaque, code) = (cmd.opaque, cmd.code);
        if self.state.is_closed() {
            return Err(self.state.closed_error());
        }
        let (tx, rx) = oneshot::channel();
        let out = Outbound {
            cmd,
            written: Some(tx),
        };
        let wait = async {
            self.tx
                .send(out)
                .await
                .map_err(|_| self.state.closed_error())?;
            rx.await.map_err(|_| self.state.closed_error())?
        };
        match tokio::time::timeout_at(deadline, wait).await {
            Ok(r) => r,
            Err(_) => Err(Error::timeout(format!(
                "oneway request to {} not written within {} ms (request code {code}, opaque {opaque})",
                self.state.addr,
                timeout.as_millis()
            ))),
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        // The owner is dropping its handle: nobody to notify.
        let err = Error::network(format!("the connection to {} was dropped", self.state.addr));
        self.state.close(err, false);
    }
}

/// Handles every complete frame in `buf`.
fn drain_frames(
    state: &State,
    ctx: &Arc<ConnContext>,
    decoder: &FrameDecoder,
    buf: &mut BytesMut,
    tx: &mpsc::Sender<Outbound>,
) -> Result<()> {
    while let Some(cmd) = decoder.decode(buf)? {
        if cmd.is_response() {
            // A response to a request that already timed out finds no entry and is dropped.
            if let Some(waiter) = state.pending.remove(cmd.opaque) {
                let _ = waiter.send(Ok(cmd));
            }
        } else {
            // Flag bit 0 clear: a request from the server, whatever its opaque.
            processor::dispatch(ctx.clone(), state.addr.clone(), cmd, tx.clone());
        }
    }
    Ok(())
}

async fn read_loop(
    state: Arc<State>,
    ctx: Arc<ConnContext>,
    mut rd: OwnedReadHalf,
    tx: mpsc::Sender<Outbound>,
) {
    let decoder = FrameDecoder::new(ctx.config.max_frame);
    let idle = ctx.config.idle_timeout;
    let mut buf = BytesMut::with_capacity(READ_CHUNK);
    let err = loop {
        if let Err(e) = drain_frames(&state, &ctx, &decoder, &mut buf, &tx) {
            break Error::network(format!("connection to {} closed: {e}", state.addr));
        }
        if buf.capacity() - buf.len() < MIN_READ_SPACE {
            buf.reserve(READ_CHUNK);
        }
        let read = rd.read_buf(&mut buf);
        let res = match idle {
            None => read.await,
            // `read_buf` is cancel safe: a timed-out read consumed nothing.
            Some(idle) => match tokio::time::timeout(idle, read).await {
                Ok(r) => r,
                Err(_) => {
                    if state.is_idle(idle) {
                        break Error::network(format!(
                            "connection to {} closed after {} ms idle",
                            state.addr,
                            idle.as_millis()
                        ));
                    }
                    continue;
                }
            },
        };
        match res {
            Ok(0) => {
                break Error::network(format!("connection to {} closed by the peer", state.addr))
            }
            Ok(_) => state.touch(),
            Err(e) => break Error::network(format!("read from {} failed: {e}", state.addr)),
        }
    };
    state.close(err, true);
}

/// Encodes one queued command onto `buf`. A command that cannot be encoded
/// (e.g. over the maximum frame) fails alone; the connection stays up.
fn encode_one(
    state: &State,
    out: Outbound,
    max_frame: usize,
    buf: &mut BytesMut,
    acks: &mut Vec<oneshot::Sender<Result<()>>>,
) {
    match encode_frame(&out.cmd, max_frame, buf) {
        Ok(()) => {
            if let Some(ack) = out.written {
                acks.push(ack);
            }
        }
        Err(e) => {
            let e = e.context(format!("request to {} not sent", state.addr));
            if let Some(ack) = out.written {
                let _ = ack.send(Err(e));
            } else if !out.cmd.is_response() {
                if let Some(waiter) = state.pending.remove(out.cmd.opaque) {
                    let _ = waiter.send(Err(e));
                }
            }
        }
    }
}

async fn write_loop(
    state: Arc<State>,
    mut rx: mpsc::Receiver<Outbound>,
    mut wr: OwnedWriteHalf,
    max_frame: usize,
) {
    let mut buf = BytesMut::with_capacity(READ_CHUNK);
    let mut acks = Vec::new();
    while let Some(first) = rx.recv().await {
        encode_one(&state, first, max_frame, &mut buf, &mut acks);
        // Everything already queued goes out in the same write.
        while buf.len() < COALESCE_LIMIT {
            match rx.try_recv() {
                Ok(out) => encode_one(&state, out, max_frame, &mut buf, &mut acks),
                Err(_) => break,
            }
        }
        if buf.is_empty() {
            continue;
        }
        let res = wr.write_all(&buf).await;
        buf.clear();
        match res {
            Ok(()) => {
                state.touch();
                for ack in acks.drain(..) {
                    let _ = ack.send(Ok(()));
                }
            }
            Err(e) => {
                let err = Error::network(format!("write to {} failed: {e}", state.addr));
                for ack in acks.drain(..) {
                    let _ = ack.send(Err(err.clone()));
                }
                state.close(err, true);
                return;
            }
        }
        if buf.capacity() > KEEP_WRITE_BUFFER {
            buf = BytesMut::with_capacity(READ_CHUNK);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_table_shards_negative_opaques() {
        let t = PendingTable::new();
        let mut rxs = Vec::new();
        for o in [i32::MIN, -1, 0, 1, 15, 16, i32::MAX] {
            let (tx, rx) = oneshot::channel();
            assert!(t.insert(o, tx).is_none());
            rxs.push(rx);
        }
        assert_eq!(t.len(), 7);
        assert!(t.remove(-1).is_some());
        assert!(t.remove(-1).is_none());
        assert_eq!(t.drain().len(), 6);
        assert_eq!(t.len(), 0);
    }
}
