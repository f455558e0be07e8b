//! The consumer engine.
//!
//! - [`PushConsumer`]: long-polling pulls, listeners on library threads
//!   (concurrently or orderly), rebalancing, offsets, send-back, broker requests;
//! - [`LitePullConsumer`]: background pulls handed out by `poll` on the caller's
//!   thread; subscribe or assign, seek, commit;
//! - [`allocate`]: queue allocation strategies for rebalancing;
//! - [`offset_store`]: consumer offsets on the brokers or in a local file;
//! - [`pull_api`]: one pull and the queue offset queries;
//! - [`rebalance`]: consumer lists, allocation, queue locks;
//! - [`process_queue`]: the per-queue message cache.

pub mod allocate;
mod consume_concurrently;
mod consume_orderly;
pub mod listener;
pub mod offset_store;
pub mod pool;
pub mod process_queue;
pub mod pull;
pub mod pull_api;
mod pull_service;
pub mod push;
pub mod rebalance;

pub use listener::{
    ConcurrentlyListener, ConsumeConcurrentlyContext, ConsumeConcurrentlyStatus, ConsumeHook,
    ConsumeHookContext, ConsumeOrderlyContext, ConsumeOrderlyStatus, FilterMessageHook,
    MessageListener, OrderlyListener,
};
pub use pull::{LitePullConsumer, LitePullConsumerConfig};
pub use push::{PushConsumer, PushConsumerConfig, ShutdownReport};
