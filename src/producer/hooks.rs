//! Send hooks (observe every attempt; cannot break a send) and forbidden
//! hooks (may veto a send with an error).

use crate::protocol::message::Message;
use crate::protocol::MessageQueue;
use crate::{Error, Result};

/// What a hook sees of one send attempt.
#[derive(Debug)]
pub struct SendContext<'a> {
    pub group: &'a str,
    pub message: &'a Message,
    pub queue: &'a MessageQueue,
    pub broker_addr: &'a str,
    /// Set for `after_send`.
    pub result: Option<&'a std::result::Result<super::SendResult, Error>>,
    pub cost_ms: u64,
}

/// Observes sends. A panicking hook is contained: the send goes on.
pub trait SendHook: Send + Sync {
    fn name(&self) -> &str;
    fn before_send(&self, _ctx: &SendContext<'_>) {}
    fn after_send(&self, _ctx: &SendContext<'_>) {}
}

/// Vetoes sends: an error returned here fails the send with that error.
pub trait ForbiddenHook: Send + Sync {
    fn name(&self) -> &str;
    fn check(&self, ctx: &SendContext<'_>) -> Result<()>;
}

pub(crate) fn run_contained(f: impl FnOnce()) {
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
}
