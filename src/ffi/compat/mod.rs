//! The drop-in C API of rocketmq-client-cpp (`include/rocketmq/C*.h`): the
//! same function names, struct layouts, enum values and return codes, as a
//! translation onto the engine.
//!
//! Each module with a `c:header` marker is the source of one header; the
//! headers are generated from these declarations by `scripts/gen-compat-headers`
//! (`--check` fails when a committed header is stale). `boundary` is internal.
//!
//! Where this API deliberately differs from rocketmq-client-cpp:
//! - NULL string arguments, a negative `SetByteMessageBody` length, a NULL
//!   `Subscribe` topic or expression, a NULL `Pull` queue: NULL_POINTER (or
//!   E_BROKER_TIMEOUT) instead of a crash.
//! - A queue selector answer outside `[0, size)`: the send fails instead of
//!   reading out of bounds. `SendMessageTransaction` on a producer not made by
//!   `CreateTransactionProducer`: PRODUCER_SEND_TRANSACTION_FAILED instead of a crash.
//! - The transaction executor runs even when the producer has no checker.
//! - Every non-OK return records an error text (the C++ library skipped a few).
//! - `Destroy*` shuts a running object down first; `ShutdownProducer` and
//!   `DestroyProducer` inside the producer's own transaction callbacks fail
//!   instead of deadlocking or freeing memory in use.
//! - `ReleasePullResult` on an already released result frees nothing.
//! - `FetchSubscriptionMessageQueues` reports a failed route lookup
//!   (PULLCONSUMER_FETCH_MQ_FAILED) instead of OK with no queues.
//! - `SetPushConsumerMaxCacheMessageSizeInMb` is implemented (OK, not 500).
//! - `GetMessageStoreHost` / `GetMessageBornHost` return a string owned by the
//!   message (the C++ library returned a dangling pointer).
//! - Defaults: the largest body is 4 MiB (C++: 128 KiB); batch message ids
//!   are joined by commas, cut after the last whole id that fits the 256 bytes.
//! - The default instance name gives every producer its own client instance,
//!   so two started producers of one group in one process do not conflict.
//! - Not supported, reported at start: TLS (`Set*Ssl`), name server lookup by
//!   domain without an address. Accepted and ignored: log path, log file
//!   rotation (no log files are written), message trace, the ACL channel.
//! - `ShowPushConsumerVersion` / `ShowPullConsumerVersion` return a constant
//!   string (not a buffer rewritten at each creation).
//! - `StartPushConsumer` fails without any `Subscribe` (the C++ library
//!   started a consumer of nothing); `Subscribe` also works on a running consumer.
//! - `Unregister*` on a running consumer detaches the callback (messages are
//!   delivered again later) instead of leaving freed memory in use;
//!   `ShutdownPushConsumer` / `DestroyPushConsumer` inside the consumer's own
//!   callback fail instead of waiting for themselves.
#![allow(non_snake_case, non_upper_case_globals, clippy::missing_safety_doc)]

pub mod batch_message;
mod boundary;
pub mod common;
pub mod error_message;
pub mod message;
pub mod message_ext;
pub mod message_queue;
pub mod mq_exception;
pub mod producer;
pub mod pull_consumer;
pub mod pull_result;
pub mod push_consumer;
pub mod send_result;
pub mod transaction_status;
