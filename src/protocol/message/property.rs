//! Message property keys (`MessageConst`) and the reserved-name set.

/// User keys, separated by [`KEY_SEPARATOR`].
pub const KEYS: &str = "KEYS";
/// Tag.
pub const TAGS: &str = "TAGS";
/// Whether the broker answers only after the message is stored (`"true"`/`"false"`; absent means true).
pub const WAIT: &str = "WAIT";
/// Delay level (1..=18 on a default broker).
pub const DELAY: &str = "DELAY";
/// Original topic of a retried message.
pub const RETRY_TOPIC: &str = "RETRY_TOPIC";
/// Real topic of a half or delayed message (set by the broker).
pub const REAL_TOPIC: &str = "REAL_TOPIC";
/// Real queue id of a half or delayed message (set by the broker).
pub const REAL_QID: &str = "REAL_QID";
/// `"true"` on half (prepared) transactional messages.
pub const TRAN_MSG: &str = "TRAN_MSG";
/// Producer group of a transactional message.
pub const PGROUP: &str = "PGROUP";
/// Queue minimum offset, set by the consumer after a pull.
pub const MIN_OFFSET: &str = "MIN_OFFSET";
/// Queue maximum offset, set by the consumer after a pull.
pub const MAX_OFFSET: &str = "MAX_OFFSET";
/// Buyer id.
pub const BUYER_ID: &str = "BUYER_ID";
/// Original message id of a retried message.
pub const ORIGIN_MESSAGE_ID: &str = "ORIGIN_MESSAGE_ID";
/// Transfer flag.
pub const TRANSFER_FLAG: &str = "TRANSFER_FLAG";
/// Correction flag.
pub const CORRECTION_FLAG: &str = "CORRECTION_FLAG";
/// MQ2 flag.
pub const MQ2_FLAG: &str = "MQ2_FLAG";
/// Retry count carried when a message is sent back for retry.
pub const RECONSUME_TIME: &str = "RECONSUME_TIME";
/// Region of the message (also a send-response field).
pub const MSG_REGION: &str = "MSG_REGION";
/// Trace switch (also a send-response field).
pub const TRACE_ON: &str = "TRACE_ON";
/// Client message id (unique key).
pub const UNIQ_KEY: &str = "UNIQ_KEY";
/// Extended unique info.
pub const EXTEND_UNIQ_INFO: &str = "EXTEND_UNIQ_INFO";
/// Maximum reconsume times of a message.
pub const MAX_RECONSUME_TIMES: &str = "MAX_RECONSUME_TIMES";
/// Time consumption started (epoch ms), set by the consumer.
pub const CONSUME_START_TIME: &str = "CONSUME_START_TIME";
/// Number of inner messages (batch consume queue).
pub const INNER_NUM: &str = "INNER_NUM";
/// Base queue offset of inner messages (batch consume queue).
pub const INNER_BASE: &str = "INNER_BASE";
/// Duplicate info.
pub const DUP_INFO: &str = "DUP_INFO";
/// Transaction check delay in seconds.
pub const CHECK_IMMUNITY_TIME_IN_SECONDS: &str = "CHECK_IMMUNITY_TIME_IN_SECONDS";
/// Queue offset of the half message.
pub const TRAN_PREPARED_QUEUE_OFFSET: &str = "TRAN_PREPARED_QUEUE_OFFSET";
/// Transaction id.
pub const TRANSACTION_ID: &str = "__transactionId__";
/// Number of transaction checks so far.
pub const TRANSACTION_CHECK_TIMES: &str = "TRANSACTION_CHECK_TIMES";
/// Producer instance id (namespace).
pub const INSTANCE_ID: &str = "INSTANCE_ID";
/// Request-reply correlation id.
pub const CORRELATION_ID: &str = "CORRELATION_ID";
/// Request-reply: the requester's client id.
pub const REPLY_TO_CLIENT: &str = "REPLY_TO_CLIENT";
/// Request-reply timeout (ms).
pub const TTL: &str = "TTL";
/// Request-reply: arrival time at the requester.
pub const ARRIVE_TIME: &str = "ARRIVE_TIME";
/// Request-reply: time the broker pushed the reply.
pub const PUSH_REPLY_TIME: &str = "PUSH_REPLY_TIME";
/// Broker cluster name, set by the broker on stored messages.
pub const CLUSTER: &str = "CLUSTER";
/// Message type (`"reply"` marks a reply message).
pub const MSG_TYPE: &str = "MSG_TYPE";
/// Pop checkpoint handle.
pub const POP_CK: &str = "POP_CK";
/// Pop checkpoint offset.
pub const POP_CK_OFFSET: &str = "POP_CK_OFFSET";
/// Time of the first pop.
pub const FIRST_POP_TIME: &str = "1ST_POP_TIME";
/// Sharding key (ordered messages).
pub const SHARDING_KEY: &str = "__SHARDINGKEY";
/// Forward queue id.
pub const FORWARD_QUEUE_ID: &str = "PROPERTY_FORWARD_QUEUE_ID";
/// Redirect.
pub const REDIRECT: &str = "REDIRECT";
/// LMQ queue list (`,`-separated).
pub const INNER_MULTI_DISPATCH: &str = "INNER_MULTI_DISPATCH";
/// LMQ queue offsets.
pub const INNER_MULTI_QUEUE_OFFSET: &str = "INNER_MULTI_QUEUE_OFFSET";
/// Trace context.
pub const TRACE_CONTEXT: &str = "TRACE_CONTEXT";
/// Timer message: relative delay in seconds (5.x).
pub const TIMER_DELAY_SEC: &str = "TIMER_DELAY_SEC";
/// Timer message: relative delay in ms (5.x).
pub const TIMER_DELAY_MS: &str = "TIMER_DELAY_MS";
/// Timer message: absolute delivery time, epoch ms (5.x).
pub const TIMER_DELIVER_MS: &str = "TIMER_DELIVER_MS";
/// Timer internals (set by the broker).
pub const TIMER_ENQUEUE_MS: &str = "TIMER_ENQUEUE_MS";
/// Timer internals (set by the broker).
pub const TIMER_DEQUEUE_MS: &str = "TIMER_DEQUEUE_MS";
/// Timer internals (set by the broker).
pub const TIMER_ROLL_TIMES: &str = "TIMER_ROLL_TIMES";
/// Timer internals (set by the broker).
pub const TIMER_OUT_MS: &str = "TIMER_OUT_MS";
/// Timer internals (set by the broker).
pub const TIMER_DEL_UNIQKEY: &str = "TIMER_DEL_UNIQKEY";
/// Timer internals (set by the broker).
pub const TIMER_DELAY_LEVEL: &str = "TIMER_DELAY_LEVEL";
/// Born host.
pub const BORN_HOST: &str = "__BORNHOST";
/// Born timestamp.
pub const BORN_TIMESTAMP: &str = "BORN_TIMESTAMP";
/// Prefix of transient properties, which the broker never stores.
pub const TRANSIENT_PREFIX: &str = "__RMQ.TRANSIENT.";
/// Transient: topic sysFlag.
pub const TRANSIENT_TOPIC_CONFIG: &str = "__RMQ.TRANSIENT.TOPIC_SYS_FLAG";
/// Transient: group sysFlag.
pub const TRANSIENT_GROUP_CONFIG: &str = "__RMQ.TRANSIENT.GROUP_SYS_FLAG";
/// Body CRC written by a broker with the CRC option on.
pub const CRC32: &str = "__CRC32#";
/// Original topic of a dead-letter message.
pub const DLQ_ORIGIN_TOPIC: &str = "DLQ_ORIGIN_TOPIC";
/// Original message id of a dead-letter message.
pub const DLQ_ORIGIN_MESSAGE_ID: &str = "DLQ_ORIGIN_MESSAGE_ID";
/// Absolute delivery time of some hosted services; Apache brokers do not schedule on it
/// (use [`TIMER_DELIVER_MS`]).
pub const START_DELIVER_TIME: &str = "__STARTDELIVERTIME";

/// Separator of the keys in [`KEYS`].
pub const KEY_SEPARATOR: &str = " ";

/// The names a user property may not use (`MessageConst.STRING_HASH_SET`).
pub const RESERVED: &[&str] = &[
    TRACE_ON,
    MSG_REGION,
    KEYS,
    TAGS,
    WAIT,
    DELAY,
    RETRY_TOPIC,
    REAL_TOPIC,
    REAL_QID,
    TRAN_MSG,
    PGROUP,
    MIN_OFFSET,
    MAX_OFFSET,
    BUYER_ID,
    ORIGIN_MESSAGE_ID,
    TRANSFER_FLAG,
    CORRECTION_FLAG,
    MQ2_FLAG,
    RECONSUME_TIME,
    UNIQ_KEY,
    MAX_RECONSUME_TIMES,
    CONSUME_START_TIME,
    POP_CK,
    POP_CK_OFFSET,
    FIRST_POP_TIME,
    TRAN_PREPARED_QUEUE_OFFSET,
    DUP_INFO,
    EXTEND_UNIQ_INFO,
    INSTANCE_ID,
    CORRELATION_ID,
    REPLY_TO_CLIENT,
    TTL,
    ARRIVE_TIME,
    PUSH_REPLY_TIME,
    CLUSTER,
    MSG_TYPE,
    INNER_MULTI_QUEUE_OFFSET,
    TIMER_DELAY_MS,
    TIMER_DELAY_SEC,
    TIMER_DELIVER_MS,
    TIMER_ENQUEUE_MS,
    TIMER_DEQUEUE_MS,
    TIMER_ROLL_TIMES,
    TIMER_OUT_MS,
    TIMER_DEL_UNIQKEY,
    TIMER_DELAY_LEVEL,
    BORN_HOST,
    BORN_TIMESTAMP,
    DLQ_ORIGIN_TOPIC,
    DLQ_ORIGIN_MESSAGE_ID,
    CRC32,
];

/// Whether `name` is reserved for the system (in [`RESERVED`]).
pub fn is_reserved(name: &str) -> bool {
    RESERVED.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_set() {
        assert_eq!(RESERVED.len(), 51);
        let mut sorted = RESERVED.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 51, "no duplicates");
        for k in [
            "KEYS",
            "TAGS",
            "WAIT",
            "UNIQ_KEY",
            "__CRC32#",
            "TIMER_DELAY_MS",
            "1ST_POP_TIME",
        ] {
            assert!(is_reserved(k), "{k}");
        }
        // Not reserved: a user may set these.
        for k in [
            SHARDING_KEY,
            TRANSACTION_ID,
            INNER_NUM,
            INNER_BASE,
            TRACE_CONTEXT,
            START_DELIVER_TIME,
            "a",
        ] {
            assert!(!is_reserved(k), "{k}");
        }
        assert_eq!(
            TRANSIENT_TOPIC_CONFIG,
            format!("{TRANSIENT_PREFIX}TOPIC_SYS_FLAG")
        );
        assert_eq!(
            TRANSIENT_GROUP_CONFIG,
            format!("{TRANSIENT_PREFIX}GROUP_SYS_FLAG")
        );
    }
}
