//! The RocketMQ remoting protocol: pure and synchronous. No sockets, no async.
//!
//! - [`frame`]: length-prefixed frames with a maximum-size guard;
//! - [`command`]: `RemotingCommand` and its two header serializations
//!   ([`header_json`], [`header_binary`]);
//! - [`codes`]: request and response codes;
//! - [`headers`]: one typed struct per custom header;
//! - [`body`]: the JSON bodies (routes, heartbeats, locks, running info, ...);
//! - [`message`]: properties, message encoding and decoding, batches;
//! - [`msg_id`]: offset message ids and unique keys;
//! - [`compress`]: zlib, lz4 frame and zstd.

pub mod body;
pub mod codes;
pub mod command;
pub mod compress;
pub mod ext;
pub mod frame;
pub mod header_binary;
pub mod header_json;
pub mod headers;
pub mod message;
pub mod mq;
pub mod msg_id;

pub use command::{LanguageCode, RemotingCommand, SerializeType};
pub use ext::ExtFields;
pub use mq::MessageQueue;
