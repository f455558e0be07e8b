//! Typed custom headers.
