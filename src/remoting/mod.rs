//! The tokio transport: connections, request/response matching, timeouts,
//! hooks (ACL signing, namespace) and requests that servers send to us.
//!
//! - [`RemotingClient`]: one connection per address, `invoke`, `invoke_oneway`,
//!   `invoke_callback`, name server failover, processors for server requests;
//! - [`RemotingConfig`]: timeouts, frame limit, header serialization, VIP channel;
//! - [`hook`]: [`RpcHook`], [`AclHook`], [`NamespaceV2Hook`];
//! - [`namesrv`]: address lists, validation and VIP ports.
//!
//! Nothing here blocks a runtime worker.

mod client;
mod config;
mod connection;
pub mod hook;
pub mod namesrv;
mod processor;

pub use client::RemotingClient;
pub use config::RemotingConfig;
pub use hook::{AclHook, NamespaceV2Hook, RpcHook};
pub use namesrv::{parse_namesrv_addrs, vip_addr};
pub use processor::{processor_fn, FnProcessor, ProcessorFuture, RequestProcessor};
