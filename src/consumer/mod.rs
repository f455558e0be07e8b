//! The consumer engine.
//!
//! - [`allocate`]: queue allocation strategies for rebalancing;
//! - [`offset_store`]: consumer offsets on the brokers or in a local file.

pub mod allocate;
pub mod offset_store;
