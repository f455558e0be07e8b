//! `CMessageQueue.h`: a queue, as returned by `FetchSubscriptionMessageQueues`.
// c:header CMessageQueue.h __C_MESSAGE_QUEUE_H__
// c:include CCommon.h

use std::ffi::{c_char, c_int};

use super::boundary::fill_array;
use super::common::{MAX_BROKER_NAME_ID_LENGTH, MAX_TOPIC_LENGTH};
use crate::protocol::MessageQueue;

// c:struct _CMessageQueue_
/// A message queue: NUL-terminated, zero-filled topic and broker name, and the queue id.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct CMessageQueue {
    pub topic: [c_char; MAX_TOPIC_LENGTH],
    pub brokerName: [c_char; MAX_BROKER_NAME_ID_LENGTH],
    pub queueId: c_int,
}

impl CMessageQueue {
    pub(crate) fn from_queue(q: &MessageQueue) -> Self {
        let mut out = CMessageQueue {
            topic: [0; MAX_TOPIC_LENGTH],
            brokerName: [0; MAX_BROKER_NAME_ID_LENGTH],
            queueId: q.queue_id,
        };
        fill_array(&mut out.topic, &q.topic);
        fill_array(&mut out.brokerName, &q.broker_name);
        out
    }

    /// The engine queue; the arrays are read up to their first NUL (or their end).
    pub(crate) fn to_queue(self) -> MessageQueue {
        fn text(a: &[c_char]) -> String {
            let bytes: Vec<u8> = a
                .iter()
                .take_while(|&&c| c != 0)
                .map(|&c| c as u8)
                .collect();
            String::from_utf8_lossy(&bytes).into_owned()
        }
        MessageQueue::new(text(&self.topic), text(&self.brokerName), self.queueId)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_matches_the_c_header() {
        assert_eq!(std::mem::size_of::<CMessageQueue>(), 772);
        assert_eq!(std::mem::align_of::<CMessageQueue>(), 4);
        assert_eq!(std::mem::offset_of!(CMessageQueue, brokerName), 512);
        assert_eq!(std::mem::offset_of!(CMessageQueue, queueId), 768);
    }

    #[test]
    fn round_trips_a_queue() {
        let q = MessageQueue::new("TopicA", "broker-a", 3);
        let c = CMessageQueue::from_queue(&q);
        assert_eq!(c.to_queue(), q);
        let mut full = c;
        full.topic = [b'x' as c_char; MAX_TOPIC_LENGTH];
        assert_eq!(full.to_queue().topic.len(), MAX_TOPIC_LENGTH);
    }
}
