//! The producer engine.
//!
//! - [`Producer`]: sync, async, oneway, batch, ordered and to-queue sends,
//!   request-reply, retries with fault avoidance, compression, hooks;
//! - [`TransactionProducer`]: half messages, local transactions, check-back;
//! - [`fault`]: latency-based broker fault tolerance;
//! - [`selector`]: queue choice for normal and ordered sends.

pub mod config;
mod default;
pub mod fault;
pub mod hooks;
pub mod result;
pub mod selector;
pub mod transaction;

pub use config::{BackPressure, ProducerConfig};
pub use default::{reply_message, Producer, PublishInfo};
pub use hooks::{ForbiddenHook, SendContext, SendHook};
pub use result::{SendResult, SendStatus};
pub use transaction::{
    LocalTransactionState, TransactionListener, TransactionProducer, TransactionSendResult,
};
