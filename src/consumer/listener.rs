//! Message listeners and their results, and consume hooks.

use std::sync::Arc;
use std::time::Duration;

use crate::protocol::message::MessageExt;
use crate::protocol::MessageQueue;

/// The result of a concurrent listener.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConsumeConcurrentlyStatus {
    /// Consumed (up to the context's ack index).
    ConsumeSuccess,
    /// Deliver the messages again later.
    ReconsumeLater,
}

/// What a concurrent listener can read and set.
#[derive(Debug, Clone)]
pub struct ConsumeConcurrentlyContext {
    /// The queue the messages come from.
    pub queue: MessageQueue,
    /// Delay level of the redelivery: 0 lets the broker choose (3 + reconsume
    /// times), -1 sends the messages straight to the dead-letter queue.
    pub delay_level_when_next_consume: i32,
    /// On success, the index of the last consumed message; the following
    /// ones are redelivered. Defaults to the whole batch.
    pub ack_index: i32,
}

impl ConsumeConcurrentlyContext {
    /// A context with the defaults for `queue`.
    pub fn new(queue: MessageQueue) -> Self {
        ConsumeConcurrentlyContext {
            queue,
            delay_level_when_next_consume: 0,
            ack_index: i32::MAX,
        }
    }
}

/// The result of an orderly listener.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConsumeOrderlyStatus {
    /// Consumed; the offset moves past the batch.
    Success,
    /// Stop the queue for a moment and deliver the batch again.
    SuspendCurrentQueueAMoment,
}

/// What an orderly listener can read and set.
#[derive(Debug, Clone)]
pub struct ConsumeOrderlyContext {
    /// The queue the messages come from.
    pub queue: MessageQueue,
    /// How long to suspend the queue on `SuspendCurrentQueueAMoment`; the
    /// consumer's setting when `None`.
    pub suspend_current_queue_time: Option<Duration>,
}

impl ConsumeOrderlyContext {
    /// A context with the defaults for `queue`.
    pub fn new(queue: MessageQueue) -> Self {
        ConsumeOrderlyContext {
            queue,
            suspend_current_queue_time: None,
        }
    }
}

/// Consumes messages in any order, on several threads at once.
pub trait ConcurrentlyListener: Send + Sync + 'static {
    /// Consumes a batch; runs on a consume thread.
    fn consume(
        &self,
        msgs: &[MessageExt],
        ctx: &mut ConsumeConcurrentlyContext,
    ) -> ConsumeConcurrentlyStatus;
}

impl<F> ConcurrentlyListener for F
where
    F: Fn(&[MessageExt], &mut ConsumeConcurrentlyContext) -> ConsumeConcurrentlyStatus
        + Send
        + Sync
        + 'static,
{
    fn consume(
        &self,
        msgs: &[MessageExt],
        ctx: &mut ConsumeConcurrentlyContext,
    ) -> ConsumeConcurrentlyStatus {
        self(msgs, ctx)
    }
}

/// Consumes the messages of each queue in queue order, one thread per queue.
pub trait OrderlyListener: Send + Sync + 'static {
    /// Consumes a batch of one queue, in order; runs on a consume thread.
    fn consume(&self, msgs: &[MessageExt], ctx: &mut ConsumeOrderlyContext)
        -> ConsumeOrderlyStatus;
}

impl<F> OrderlyListener for F
where
    F: Fn(&[MessageExt], &mut ConsumeOrderlyContext) -> ConsumeOrderlyStatus
        + Send
        + Sync
        + 'static,
{
    fn consume(
        &self,
        msgs: &[MessageExt],
        ctx: &mut ConsumeOrderlyContext,
    ) -> ConsumeOrderlyStatus {
        self(msgs, ctx)
    }
}

/// The listener of one subscription.
#[derive(Clone)]
pub enum MessageListener {
    /// Messages in any order.
    Concurrently(Arc<dyn ConcurrentlyListener>),
    /// Messages of a queue in queue order.
    Orderly(Arc<dyn OrderlyListener>),
}

impl std::fmt::Debug for MessageListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.is_orderly() {
            "MessageListener::Orderly"
        } else {
            "MessageListener::Concurrently"
        })
    }
}

impl MessageListener {
    /// A concurrent listener.
    pub fn concurrently(l: impl ConcurrentlyListener) -> Self {
        MessageListener::Concurrently(Arc::new(l))
    }
    /// An orderly listener.
    pub fn orderly(l: impl OrderlyListener) -> Self {
        MessageListener::Orderly(Arc::new(l))
    }
    /// Whether the listener is orderly.
    pub fn is_orderly(&self) -> bool {
        matches!(self, MessageListener::Orderly(_))
    }
}

/// What a consume hook sees.
#[derive(Debug)]
pub struct ConsumeHookContext<'a> {
    /// The consumer group.
    pub group: &'a str,
    /// The queue the messages come from.
    pub queue: &'a MessageQueue,
    /// The messages, as the listener sees them.
    pub msgs: &'a [MessageExt],
    /// After consumption: whether it succeeded.
    pub success: Option<bool>,
    /// After consumption: time spent in the listener.
    pub elapsed: Option<Duration>,
}

/// Called around every listener call, on the consume thread. A panicking
/// hook is contained.
pub trait ConsumeHook: Send + Sync {
    /// The hook's name.
    fn name(&self) -> &str;
    /// Before the listener.
    fn before_consume(&self, _ctx: &ConsumeHookContext<'_>) {}
    /// After the listener.
    fn after_consume(&self, _ctx: &ConsumeHookContext<'_>) {}
}

/// Decides, after the tag check, whether a pulled message reaches the
/// listener (Java's filter-message hook). Runs on a runtime worker: it must
/// be quick and must not block.
pub trait FilterMessageHook: Send + Sync {
    /// The hook's name.
    fn name(&self) -> &str;
    /// True to keep the message.
    fn filter(&self, queue: &MessageQueue, msg: &MessageExt) -> bool;
}
