//! The C ABI (`include/rocketmq.h`). The only module allowed to use `unsafe`.
//!
//! One file per C object family; `boundary` (panic boundary, argument
//! checks), `handle` (state shared by long-lived handles), `userdata`,
//! `cstr` and `signals` are the infrastructure they share.
#![allow(unsafe_code)]
// The exports take raw pointers by design; their contract is in the header.
#![allow(clippy::not_unsafe_ptr_arg_deref)]

mod boundary;
mod cstr;
mod handle;
mod signals;
mod userdata;

/// The drop-in C API of rocketmq-client-cpp (its own headers under include/rocketmq/).
/// cbindgen:ignore
pub mod compat;

pub mod admin;
pub mod allocate;
pub mod config;
pub mod error;
pub mod log;
pub mod message;
pub mod message_queue;
pub mod message_view;
pub mod producer;
pub mod pull_consumer;
pub mod push_consumer;
pub mod send_result;
pub mod transaction;
pub mod version;

pub use userdata::rmq_free_cb;
