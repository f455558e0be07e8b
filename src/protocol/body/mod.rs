//! JSON bodies, tolerant of the fastjson dialect Java servers write.
//!
//! - [`fastjson`]: normalizing fastjson output, object-keyed maps, lenient numbers;
//! - [`route`]: topic routes, cluster info, topic lists, publish/subscribe queues;
//! - [`heartbeat`]: heartbeat data, subscriptions, consumer enums;
//! - [`lock`]: batch lock and unlock of queues;
//! - [`consumer`]: consumer lists, offset resets, status, running info, connections;
//! - [`assignment`]: 5.x queue assignment and request mode;
//! - [`pop`]: 5.x batch acknowledgement.
//!
//! Field names are Java's; fields Java leaves null are omitted; unknown
//! fields are ignored; missing fields take their defaults.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::Result;

pub mod assignment;
pub mod consumer;
pub mod fastjson;
pub mod heartbeat;
pub mod lock;
pub mod pop;
pub mod route;

pub use assignment::*;
pub use consumer::*;
pub use heartbeat::*;
pub use lock::*;
pub use pop::*;
pub use route::*;

/// A command body in JSON.
pub trait JsonBody: Serialize + DeserializeOwned {
    /// Parses a body: standard JSON or fastjson output.
    fn decode(bytes: &[u8]) -> Result<Self> {
        fastjson::from_slice(bytes)
    }
    /// The body as Java expects it (object-keyed maps where Java has them).
    fn encode(&self) -> Result<Vec<u8>> {
        serde_json::to_vec(self).map_err(fastjson::ser_error)
    }
}
