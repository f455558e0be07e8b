//! Consumer building blocks, pure and synchronous.
//!
//! - [`allocate`]: queue allocation strategies for rebalancing.

pub mod allocate;
