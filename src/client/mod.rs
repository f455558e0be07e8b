//! The shared client instance: name servers, topic routes, the broker table,
//! heartbeats, scheduled tasks, and the requests brokers send to clients.

pub mod config;
pub mod instance;

pub use config::{ClientConfig, Credentials};
pub use instance::{ClientInstance, ConsumerHandle, ProducerHandle};
