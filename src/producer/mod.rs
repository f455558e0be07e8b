//! Producer building blocks, pure and synchronous.
//!
//! - [`fault`]: latency-based broker fault tolerance;
//! - [`selector`]: queue choice for normal and ordered sends.

pub mod fault;
pub mod selector;
