//! Requests that servers send to us (flag bit 0 clear): dispatch by code to
//! registered processors, each run as its own task.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use parking_lot::RwLock;
use tokio::sync::mpsc;

use super::config::RemotingConfig;
use super::connection::Outbound;
use crate::protocol::codes::response::{REQUEST_CODE_NOT_SUPPORTED, SYSTEM_ERROR};
use crate::protocol::command::FLAG_ONEWAY;
use crate::protocol::command::FLAG_RESPONSE;
use crate::protocol::RemotingCommand;
use crate::Result;

/// What a processor returns: the response to send, or `None` for no response.
pub type ProcessorFuture =
    Pin<Box<dyn Future<Output = Result<Option<RemotingCommand>>> + Send + 'static>>;

/// Handles one request code sent by servers. The returned future runs as a
/// task on the transport's runtime, so it must not block; an error becomes a
/// `SYSTEM_ERROR` response with the error's message as remark. The transport
/// sets the response's opaque and flag; oneway requests get no response.
pub trait RequestProcessor: Send + Sync {
    /// Processes `request`, received from `remote_addr`.
    fn process(&self, remote_addr: &str, request: RemotingCommand) -> ProcessorFuture;
}

/// A processor made of a closure: see [`processor_fn`].
pub struct FnProcessor<F>(pub F);

impl<F, Fut> RequestProcessor for FnProcessor<F>
where
    F: Fn(String, RemotingCommand) -> Fut + Send + Sync,
    Fut: Future<Output = Result<Option<RemotingCommand>>> + Send + 'static,
{
    fn process(&self, remote_addr: &str, request: RemotingCommand) -> ProcessorFuture {
        Box::pin((self.0)(remote_addr.to_owned(), request))
    }
}

/// Wraps `f(remote_addr, request)` as a processor.
pub fn processor_fn<F, Fut>(f: F) -> Arc<dyn RequestProcessor>
where
    F: Fn(String, RemotingCommand) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Option<RemotingCommand>>> + Send + 'static,
{
    Arc::new(FnProcessor(f))
}

/// What every connection of a client shares: settings and processors.
pub(crate) struct ConnContext {
    pub(crate) config: RemotingConfig,
    pub(crate) processors: RwLock<HashMap<i32, Arc<dyn RequestProcessor>>>,
}

impl ConnContext {
    pub(crate) fn new(config: RemotingConfig) -> Self {
        ConnContext {
            config,
            processors: RwLock::new(HashMap::new()),
        }
    }
}

/// Serves `req` from `addr` in a new task; the reply, if any, goes to `tx`.
pub(crate) fn dispatch(
    ctx: Arc<ConnContext>,
    addr: String,
    req: RemotingCommand,
    tx: mpsc::Sender<Outbound>,
) {
    tokio::spawn(async move {
        let (opaque, code, oneway) = (req.opaque, req.code, req.is_oneway());
        let processor = ctx.processors.read().get(&code).cloned();
        let reply = match processor {
            None => Some(RemotingCommand::response(
                REQUEST_CODE_NOT_SUPPORTED,
                Some(format!("request type {code} not supported")),
            )),
            Some(p) => {
                // A task of its own, so that a panic is seen here as an error.
                match tokio::spawn(async move { p.process(&addr, req).await }).await {
                    Ok(Ok(reply)) => reply,
                    Ok(Err(e)) => Some(RemotingCommand::response(
                        SYSTEM_ERROR,
                        Some(e.message().to_owned()),
                    )),
                    Err(e) => Some(RemotingCommand::response(
                        SYSTEM_ERROR,
                        Some(if e.is_panic() {
                            format!("processing request code {code} panicked")
                        } else {
                            format!("processing request code {code} was cancelled")
                        }),
                    )),
                }
            }
        };
        if oneway {
            return;
        }
        if let Some(mut resp) = reply {
            let cfg = &ctx.config;
            resp.opaque = opaque;
            resp.flag = (resp.flag | FLAG_RESPONSE) & !FLAG_ONEWAY;
            resp.language = cfg.language;
            resp.version = cfg.version;
            resp.serialize_type = cfg.serialize_type;
            // Fails only when the connection is gone: nobody to answer then.
            let _ = tx
                .send(Outbound {
                    cmd: resp,
                    written: None,
                })
                .await;
        }
    });
}
