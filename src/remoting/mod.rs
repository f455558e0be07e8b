//! The tokio transport.
