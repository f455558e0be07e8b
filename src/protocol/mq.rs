//! `MessageQueue`: one queue of a topic on one broker.

use serde::{Deserialize, Serialize};

/// A queue: topic, broker name and queue id. Orders by topic, then broker
/// name, then queue id, as Java's `MessageQueue.compareTo` does. Its JSON form
/// is `{"brokerName":..,"queueId":..,"topic":..}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
pub struct MessageQueue {
    pub topic: String,
    #[serde(rename = "brokerName")]
    pub broker_name: String,
    #[serde(rename = "queueId")]
    pub queue_id: i32,
}

impl MessageQueue {
    pub fn new(topic: impl Into<String>, broker_name: impl Into<String>, queue_id: i32) -> Self {
        MessageQueue {
            topic: topic.into(),
            broker_name: broker_name.into(),
            queue_id,
        }
    }
}

impl std::fmt::Display for MessageQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "MessageQueue [topic={}, brokerName={}, queueId={}]",
            self.topic, self.broker_name, self.queue_id
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordering_and_json() {
        let mut v = [
            MessageQueue::new("b", "x", 0),
            MessageQueue::new("a", "y", 1),
            MessageQueue::new("a", "y", 0),
            MessageQueue::new("a", "x", 5),
        ];
        v.sort();
        assert_eq!(v[0], MessageQueue::new("a", "x", 5));
        assert_eq!(v[1], MessageQueue::new("a", "y", 0));
        assert_eq!(v[3], MessageQueue::new("b", "x", 0));
        let j = serde_json::to_string(&v[0]).unwrap();
        assert_eq!(j, r#"{"topic":"a","brokerName":"x","queueId":5}"#);
        let back: MessageQueue =
            serde_json::from_str(r#"{"brokerName":"x","queueId":5,"topic":"a"}"#).unwrap();
        assert_eq!(back, v[0]);
    }
}
