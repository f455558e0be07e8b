//! Pure helpers shared by producers and consumers: Java-compatible hashing and
//! string splitting, tag expressions, name validation, namespaces, well-known
//! names, delay levels, and an injectable clock and random source.

pub mod clock;
pub mod delay;
pub mod filter;
pub mod java;
pub mod names;
pub mod namespace;
pub mod rng;
pub mod validate;
