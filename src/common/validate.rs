//! Client-side checks of topics, groups and message bodies, with the same
//! rules and limits as the Java client.

use super::java::{java_is_blank, java_len};
use super::names::*;
use crate::{Error, Result};

/// Longest topic name, in UTF-16 code units.
pub const TOPIC_MAX_LENGTH: usize = 127;
/// Longest group name, in UTF-16 code units.
pub const GROUP_MAX_LENGTH: usize = 120;
/// Default largest message body (4 MiB).
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 4_194_304;
/// The character rule for topic and group names.
pub const VALID_NAME_PATTERN: &str = "^[%|a-zA-Z0-9_-]+$";

/// Topics the Java `TopicValidator` treats as system topics (besides any name
/// starting with `rmq_sys_`).
pub const SYSTEM_TOPICS: [&str; 10] = [
    AUTO_CREATE_TOPIC_KEY_TOPIC,
    RMQ_SYS_SCHEDULE_TOPIC,
    RMQ_SYS_BENCHMARK_TOPIC,
    RMQ_SYS_TRANS_HALF_TOPIC,
    RMQ_SYS_TRACE_TOPIC,
    RMQ_SYS_TRANS_OP_HALF_TOPIC,
    RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC,
    RMQ_SYS_SELF_TEST_TOPIC,
    RMQ_SYS_OFFSET_MOVED_EVENT,
    RMQ_SYS_ROCKSDB_OFFSET_TOPIC,
];

/// Topics a client may not send to. `TBW102`, the trace topic and `rmq_sys_`
/// topics are system topics but are not in this set.
pub const NOT_ALLOWED_SEND_TOPICS: [&str; 6] = [
    RMQ_SYS_SCHEDULE_TOPIC,
    RMQ_SYS_TRANS_HALF_TOPIC,
    RMQ_SYS_TRANS_OP_HALF_TOPIC,
    RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC,
    RMQ_SYS_SELF_TEST_TOPIC,
    RMQ_SYS_OFFSET_MOVED_EVENT,
];

/// Whether every character is in `[%|a-zA-Z0-9_-]`.
pub fn has_valid_name_chars(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'%' | b'|' | b'_' | b'-'))
}

/// Whether `topic` is a system topic (the fixed set, or the `rmq_sys_` prefix).
pub fn is_system_topic(topic: &str) -> bool {
    SYSTEM_TOPICS.contains(&topic) || topic.starts_with(SYSTEM_TOPIC_PREFIX)
}

/// Whether sending to `topic` is forbidden.
pub fn is_not_allowed_send_topic(topic: &str) -> bool {
    NOT_ALLOWED_SEND_TOPICS.contains(&topic)
}

/// Topic name rules: non-blank, at most 127 characters, `^[%|a-zA-Z0-9_-]+$`.
pub fn check_topic(topic: &str) -> Result<()> {
    if java_is_blank(topic) {
        return Err(Error::invalid("the specified topic is blank"));
    }
    if java_len(topic) > TOPIC_MAX_LENGTH {
        return Err(Error::invalid(format!(
            "the specified topic [{topic}] is longer than the topic max length {TOPIC_MAX_LENGTH}"
        )));
    }
    if !has_valid_name_chars(topic) {
        return Err(Error::invalid(format!(
            "the specified topic [{topic}] contains illegal characters, allowing only {VALID_NAME_PATTERN}"
        )));
    }
    Ok(())
}

/// [`check_topic`] plus the send restriction: sending to the topics of
/// [`NOT_ALLOWED_SEND_TOPICS`] is forbidden.
pub fn check_send_topic(topic: &str) -> Result<()> {
    check_topic(topic)?;
    if is_not_allowed_send_topic(topic) {
        return Err(Error::invalid(format!(
            "sending message to topic [{topic}] is forbidden"
        )));
    }
    Ok(())
}

/// Fails when `topic` is a system topic (e.g. when creating a topic).
pub fn check_not_system_topic(topic: &str) -> Result<()> {
    if is_system_topic(topic) {
        return Err(Error::invalid(format!(
            "the topic [{topic}] conflicts with a system topic"
        )));
    }
    Ok(())
}

/// Group name rules: non-blank, at most 120 characters, `^[%|a-zA-Z0-9_-]+$`.
pub fn check_group(group: &str) -> Result<()> {
    if java_is_blank(group) {
        return Err(Error::invalid("the specified group is blank"));
    }
    if java_len(group) > GROUP_MAX_LENGTH {
        return Err(Error::invalid(format!(
            "the specified group [{group}] is longer than the group max length {GROUP_MAX_LENGTH}"
        )));
    }
    if !has_valid_name_chars(group) {
        return Err(Error::invalid(format!(
            "the specified group [{group}] contains illegal characters, allowing only {VALID_NAME_PATTERN}"
        )));
    }
    Ok(())
}

/// [`check_group`], and the group may not be `DEFAULT_PRODUCER`.
pub fn check_producer_group(group: &str) -> Result<()> {
    check_group(group)?;
    if group == DEFAULT_PRODUCER_GROUP {
        return Err(Error::invalid(format!(
            "producer group can not be {DEFAULT_PRODUCER_GROUP}, please specify another one"
        )));
    }
    Ok(())
}

/// [`check_group`], and the group may not be `DEFAULT_CONSUMER`.
pub fn check_consumer_group(group: &str) -> Result<()> {
    check_group(group)?;
    if group == DEFAULT_CONSUMER_GROUP {
        return Err(Error::invalid(format!(
            "consumer group can not be {DEFAULT_CONSUMER_GROUP}, please specify another one"
        )));
    }
    Ok(())
}

/// A message body must be non-empty and at most `max_size` bytes.
pub fn check_body(body: &[u8], max_size: usize) -> Result<()> {
    if body.is_empty() {
        return Err(Error::invalid("the message body length is zero"));
    }
    if body.len() > max_size {
        return Err(Error::invalid(format!(
            "the message body size {} is over the max value {max_size}",
            body.len()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use proptest::prelude::*;

    fn msg(r: Result<()>) -> String {
        let e = r.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        e.message().to_string()
    }

    #[test]
    fn topics() {
        check_topic("TopicA").unwrap();
        check_topic("a-b_c|d%e09").unwrap();
        check_topic(&"t".repeat(127)).unwrap();
        assert!(msg(check_topic("")).contains("blank"));
        assert!(msg(check_topic(" \t")).contains("blank"));
        assert!(msg(check_topic(&"t".repeat(128))).contains("longer"));
        assert!(msg(check_topic("a b")).contains("[a b]"));
        assert!(msg(check_topic("a.b")).contains("illegal"));
        assert!(msg(check_topic("t\u{e9}")).contains("illegal"));
        // 64 non-BMP characters are 128 UTF-16 units: the length rule fires first.
        assert!(msg(check_topic(&"\u{1F600}".repeat(64))).contains("longer"));
    }

    #[test]
    fn send_topics() {
        for t in NOT_ALLOWED_SEND_TOPICS {
            assert!(msg(check_send_topic(t)).contains("forbidden"), "{t}");
        }
        // System topics that sends may still target, as in the Java client.
        check_send_topic("TBW102").unwrap();
        check_send_topic("RMQ_SYS_TRACE_TOPIC").unwrap();
        check_send_topic("rmq_sys_x").unwrap();
        check_send_topic("TopicA").unwrap();
    }

    #[test]
    fn system_topics() {
        for t in SYSTEM_TOPICS {
            assert!(is_system_topic(t));
            assert!(check_not_system_topic(t).is_err());
        }
        assert!(is_system_topic("rmq_sys_SYNC_BROKER_MEMBER_x"));
        assert!(!is_system_topic("RMQ_SYS_other"));
        assert!(!is_system_topic("TopicA"));
        check_not_system_topic("TopicA").unwrap();
    }

    #[test]
    fn groups() {
        check_group("CG").unwrap();
        check_group(&"g".repeat(120)).unwrap();
        assert!(msg(check_group("")).contains("blank"));
        assert!(msg(check_group(&"g".repeat(121))).contains("longer"));
        assert!(msg(check_group("g/1")).contains("[g/1]"));
        assert!(msg(check_producer_group("DEFAULT_PRODUCER")).contains("DEFAULT_PRODUCER"));
        check_producer_group("DEFAULT_CONSUMER").unwrap();
        check_producer_group("CLIENT_INNER_PRODUCER").unwrap();
        assert!(msg(check_consumer_group("DEFAULT_CONSUMER")).contains("DEFAULT_CONSUMER"));
        check_consumer_group("DEFAULT_PRODUCER").unwrap();
    }

    #[test]
    fn bodies() {
        check_body(b"x", DEFAULT_MAX_MESSAGE_SIZE).unwrap();
        check_body(
            &vec![0u8; DEFAULT_MAX_MESSAGE_SIZE],
            DEFAULT_MAX_MESSAGE_SIZE,
        )
        .unwrap();
        assert!(msg(check_body(b"", DEFAULT_MAX_MESSAGE_SIZE)).contains("zero"));
        let big = vec![0u8; DEFAULT_MAX_MESSAGE_SIZE + 1];
        assert!(msg(check_body(&big, DEFAULT_MAX_MESSAGE_SIZE)).contains("4194304"));
        assert!(msg(check_body(b"abc", 2)).contains("over"));
    }

    proptest! {
        #[test]
        fn topic_rule_matches_regex(s in prop_oneof!["\\PC{0,140}", "[a-zA-Z0-9%|_ .-]{0,130}"]) {
            let expect = !s.is_empty()
                && java_len(&s) <= TOPIC_MAX_LENGTH
                && s.chars().all(|c| c.is_ascii_alphanumeric() || "%|_-".contains(c));
            prop_assert_eq!(check_topic(&s).is_ok(), expect);
            let gexpect = expect && java_len(&s) <= GROUP_MAX_LENGTH;
            prop_assert_eq!(check_group(&s).is_ok(), gexpect);
        }
    }
}
