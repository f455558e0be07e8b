//! The drop-in C API of rocketmq-client-cpp (`include/rocketmq/C*.h`): the
//! same function names, struct layouts, enum values and return codes, as a
//! translation onto the engine.
//!
//! Each module with a `c:header` marker is the source of one header; the
//! headers are generated from these declarations by `scripts/gen-compat-headers`.
//! `boundary` and `object` are internal.
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
