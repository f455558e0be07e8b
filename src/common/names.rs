//! Well-known names: retry and dead-letter prefixes, inner groups, system
//! topics, and the helpers that build or recognise them.

/// Prefix of a consumer group's retry topic.
pub const RETRY_GROUP_TOPIC_PREFIX: &str = "%RETRY%";
/// Prefix of a consumer group's dead-letter topic.
pub const DLQ_GROUP_TOPIC_PREFIX: &str = "%DLQ%";
/// Prefix of light message queues.
pub const LMQ_PREFIX: &str = "%LMQ%";
/// The topic whose route is used to auto-create topics.
pub const AUTO_CREATE_TOPIC_KEY_TOPIC: &str = "TBW102";
/// Alias of [`AUTO_CREATE_TOPIC_KEY_TOPIC`], the producer's default `createTopicKey`.
pub const DEFAULT_TOPIC: &str = AUTO_CREATE_TOPIC_KEY_TOPIC;

/// The client's inner producer group (used to send messages back).
pub const CLIENT_INNER_PRODUCER_GROUP: &str = "CLIENT_INNER_PRODUCER";
/// The default producer group, which a producer may not use.
pub const DEFAULT_PRODUCER_GROUP: &str = "DEFAULT_PRODUCER";
/// The default consumer group, which a consumer may not use.
pub const DEFAULT_CONSUMER_GROUP: &str = "DEFAULT_CONSUMER";
/// The group of admin tools.
pub const TOOLS_CONSUMER_GROUP: &str = "TOOLS_CONSUMER";
/// Prefix of system consumer groups.
pub const CID_RMQ_SYS_PREFIX: &str = "CID_RMQ_SYS_";

/// Prefix of system topics.
pub const SYSTEM_TOPIC_PREFIX: &str = "rmq_sys_";
pub const RMQ_SYS_SCHEDULE_TOPIC: &str = "SCHEDULE_TOPIC_XXXX";
pub const RMQ_SYS_BENCHMARK_TOPIC: &str = "BenchmarkTest";
pub const RMQ_SYS_TRANS_HALF_TOPIC: &str = "RMQ_SYS_TRANS_HALF_TOPIC";
pub const RMQ_SYS_TRACE_TOPIC: &str = "RMQ_SYS_TRACE_TOPIC";
pub const RMQ_SYS_TRANS_OP_HALF_TOPIC: &str = "RMQ_SYS_TRANS_OP_HALF_TOPIC";
pub const RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC: &str = "TRANS_CHECK_MAX_TIME_TOPIC";
pub const RMQ_SYS_SELF_TEST_TOPIC: &str = "SELF_TEST_TOPIC";
pub const RMQ_SYS_OFFSET_MOVED_EVENT: &str = "OFFSET_MOVED_EVENT";
pub const RMQ_SYS_ROCKSDB_OFFSET_TOPIC: &str = "CHECKPOINT_TOPIC";

/// Suffix of a cluster's reply topic: `{cluster}_REPLY_TOPIC`.
pub const REPLY_TOPIC_SUFFIX: &str = "_REPLY_TOPIC";

/// Broker id of a master.
pub const MASTER_ID: i64 = 0;

/// `%RETRY%{group}`.
pub fn retry_topic(group: &str) -> String {
    format!("{RETRY_GROUP_TOPIC_PREFIX}{group}")
}

/// `%DLQ%{group}`.
pub fn dlq_topic(group: &str) -> String {
    format!("{DLQ_GROUP_TOPIC_PREFIX}{group}")
}

/// `{cluster}_REPLY_TOPIC`.
pub fn reply_topic(cluster: &str) -> String {
    format!("{cluster}{REPLY_TOPIC_SUFFIX}")
}

/// Whether `topic` starts with `%RETRY%`.
pub fn is_retry_topic(topic: &str) -> bool {
    topic.starts_with(RETRY_GROUP_TOPIC_PREFIX)
}

/// Whether `topic` starts with `%DLQ%`.
pub fn is_dlq_topic(topic: &str) -> bool {
    topic.starts_with(DLQ_GROUP_TOPIC_PREFIX)
}

/// Whether `topic` starts with `%LMQ%`.
pub fn is_lmq(topic: &str) -> bool {
    topic.starts_with(LMQ_PREFIX)
}

/// Whether `group` starts with `CID_RMQ_SYS_`.
pub fn is_sys_consumer_group(group: &str) -> bool {
    group.starts_with(CID_RMQ_SYS_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_and_recognises_names() {
        assert_eq!(retry_topic("CG"), "%RETRY%CG");
        assert_eq!(dlq_topic("CG"), "%DLQ%CG");
        assert_eq!(reply_topic("DefaultCluster"), "DefaultCluster_REPLY_TOPIC");
        assert!(is_retry_topic("%RETRY%CG"));
        assert!(!is_retry_topic("%DLQ%CG"));
        assert!(is_dlq_topic("%DLQ%CG"));
        assert!(!is_dlq_topic("CG"));
        assert!(is_lmq("%LMQ%x"));
        assert!(is_sys_consumer_group("CID_RMQ_SYS_TRANS"));
        assert!(!is_sys_consumer_group("CID_RMQ"));
        assert_eq!(DEFAULT_TOPIC, "TBW102");
        assert_eq!(MASTER_ID, 0);
    }
}
