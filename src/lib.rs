//! librocketmq: an Apache RocketMQ client engine (remoting protocol, 4.x and 5.x brokers)
//! with a C ABI on top.
//!
//! Layers, each knowing only the one below it:
//! - [`protocol`]: pure and synchronous frames, headers, codes, messages and ids;
//! - [`remoting`]: the tokio transport (connections, request/response matching, hooks);
//! - `ffi`: the `extern "C"` API, the only module allowed to use `unsafe`.
#![deny(unsafe_code)]

pub mod admin;
pub mod client;
pub mod common;
pub mod consumer;
pub mod error;
pub mod log;
pub mod producer;
pub mod protocol;
pub mod remoting;
pub mod runtime;

pub mod ffi;

pub use error::{Error, ErrorKind, Result};
