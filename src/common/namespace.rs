//! Namespace v1: resources are wrapped client-side as `{ns}%{resource}`;
//! retry and dead-letter topics as `%RETRY%{ns}%{group}` and
//! `%DLQ%{ns}%{group}`. System topics and `CID_RMQ_SYS_` groups are never
//! wrapped. Same rules as Java's `NamespaceUtil`.

use super::names::{
    is_dlq_topic, is_retry_topic, is_sys_consumer_group, DLQ_GROUP_TOPIC_PREFIX,
    RETRY_GROUP_TOPIC_PREFIX,
};
use super::validate::is_system_topic;

/// Separator between the namespace and the resource.
pub const NAMESPACE_SEPARATOR: char = '%';

/// Whether `resource` is a system topic or a system consumer group.
pub fn is_system_resource(resource: &str) -> bool {
    !resource.is_empty() && (is_system_topic(resource) || is_sys_consumer_group(resource))
}

/// `resource` without a leading `%RETRY%` or `%DLQ%`.
pub fn without_retry_and_dlq(resource: &str) -> &str {
    resource
        .strip_prefix(RETRY_GROUP_TOPIC_PREFIX)
        .or_else(|| resource.strip_prefix(DLQ_GROUP_TOPIC_PREFIX))
        .unwrap_or(resource)
}

fn retry_or_dlq_prefix(resource: &str) -> &'static str {
    if is_retry_topic(resource) {
        RETRY_GROUP_TOPIC_PREFIX
    } else if is_dlq_topic(resource) {
        DLQ_GROUP_TOPIC_PREFIX
    } else {
        ""
    }
}

/// Whether `resource` (after any retry/DLQ prefix) already starts with `{namespace}%`.
pub fn is_already_wrapped(resource: &str, namespace: &str) -> bool {
    if namespace.is_empty() || resource.is_empty() || is_system_resource(resource) {
        return false;
    }
    without_retry_and_dlq(resource)
        .strip_prefix(namespace)
        .is_some_and(|rest| rest.starts_with(NAMESPACE_SEPARATOR))
}

/// Wraps `resource` in `namespace`, keeping a retry/DLQ prefix in front.
/// Unchanged when either is empty, for system resources, and when already wrapped.
pub fn wrap(namespace: &str, resource: &str) -> String {
    if namespace.is_empty()
        || resource.is_empty()
        || is_system_resource(resource)
        || is_already_wrapped(resource, namespace)
    {
        return resource.to_string();
    }
    format!(
        "{}{namespace}{NAMESPACE_SEPARATOR}{}",
        retry_or_dlq_prefix(resource),
        without_retry_and_dlq(resource)
    )
}

/// The retry topic of `group` in `namespace`: `%RETRY%` + `wrap(namespace, group)`.
pub fn wrap_retry(namespace: &str, group: &str) -> String {
    format!("{RETRY_GROUP_TOPIC_PREFIX}{}", wrap(namespace, group))
}

/// The dead-letter topic of `group` in `namespace`: `%DLQ%` + `wrap(namespace, group)`.
pub fn wrap_dlq(namespace: &str, group: &str) -> String {
    format!("{DLQ_GROUP_TOPIC_PREFIX}{}", wrap(namespace, group))
}

/// Removes whatever namespace `resource` carries: the text up to the first
/// `%` after any retry/DLQ prefix, if that `%` is not the first character.
/// System resources are returned unchanged.
pub fn without_namespace(resource: &str) -> String {
    if resource.is_empty() || is_system_resource(resource) {
        return resource.to_string();
    }
    let bare = without_retry_and_dlq(resource);
    match bare.find(NAMESPACE_SEPARATOR) {
        Some(i) if i > 0 => format!("{}{}", retry_or_dlq_prefix(resource), &bare[i + 1..]),
        _ => resource.to_string(),
    }
}

/// Removes `namespace` from `resource` only when `resource` is wrapped in it.
pub fn without_namespace_of(resource: &str, namespace: &str) -> String {
    if resource.is_empty() || namespace.is_empty() {
        return resource.to_string();
    }
    let wrapped = without_retry_and_dlq(resource)
        .strip_prefix(namespace)
        .is_some_and(|rest| rest.starts_with(NAMESPACE_SEPARATOR));
    if wrapped {
        without_namespace(resource)
    } else {
        resource.to_string()
    }
}

/// The namespace `resource` carries, or `""`.
pub fn namespace_of(resource: &str) -> &str {
    if resource.is_empty() || is_system_resource(resource) {
        return "";
    }
    let bare = without_retry_and_dlq(resource);
    match bare.find(NAMESPACE_SEPARATOR) {
        Some(i) if i > 0 => &bare[..i],
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn wraps() {
        assert_eq!(wrap("ns", "Topic"), "ns%Topic");
        assert_eq!(wrap("ns", "%RETRY%G"), "%RETRY%ns%G");
        assert_eq!(wrap("ns", "%DLQ%G"), "%DLQ%ns%G");
        assert_eq!(wrap("", "Topic"), "Topic");
        assert_eq!(wrap("ns", ""), "");
        // Idempotent.
        assert_eq!(wrap("ns", "ns%Topic"), "ns%Topic");
        assert_eq!(wrap("ns", "%RETRY%ns%G"), "%RETRY%ns%G");
        // Another namespace is wrapped again.
        assert_eq!(wrap("ns", "other%Topic"), "ns%other%Topic");
        // System resources never.
        assert_eq!(wrap("ns", "TBW102"), "TBW102");
        assert_eq!(wrap("ns", "RMQ_SYS_TRACE_TOPIC"), "RMQ_SYS_TRACE_TOPIC");
        assert_eq!(wrap("ns", "rmq_sys_x"), "rmq_sys_x");
        assert_eq!(wrap("ns", "CID_RMQ_SYS_TRANS"), "CID_RMQ_SYS_TRANS");
        // The retry topic of a system group is not itself a system resource.
        assert_eq!(
            wrap("ns", "%RETRY%CID_RMQ_SYS_X"),
            "%RETRY%ns%CID_RMQ_SYS_X"
        );
        assert_eq!(wrap_retry("ns", "G"), "%RETRY%ns%G");
        assert_eq!(wrap_dlq("ns", "G"), "%DLQ%ns%G");
        assert_eq!(wrap_retry("", "G"), "%RETRY%G");
        assert_eq!(wrap_retry("ns", "CID_RMQ_SYS_X"), "%RETRY%CID_RMQ_SYS_X");
    }

    #[test]
    fn unwraps() {
        assert_eq!(without_namespace("ns%Topic"), "Topic");
        assert_eq!(without_namespace("%RETRY%ns%G"), "%RETRY%G");
        assert_eq!(without_namespace("%DLQ%ns%G"), "%DLQ%G");
        assert_eq!(without_namespace("Topic"), "Topic");
        assert_eq!(without_namespace("%RETRY%G"), "%RETRY%G");
        assert_eq!(without_namespace("%x"), "%x");
        assert_eq!(without_namespace("a%b%c"), "b%c");
        assert_eq!(without_namespace("TBW102"), "TBW102");
        assert_eq!(without_namespace(""), "");
        assert_eq!(without_namespace_of("ns%Topic", "ns"), "Topic");
        assert_eq!(without_namespace_of("ns%Topic", ""), "ns%Topic");
        assert_eq!(without_namespace_of("%RETRY%ns2%G", "ns3"), "%RETRY%ns2%G");
        assert_eq!(without_namespace_of("%RETRY%ns1%G", "ns1"), "%RETRY%G");
        assert_eq!(without_namespace_of("nsx%T", "ns"), "nsx%T");
        assert_eq!(namespace_of("ns%Topic"), "ns");
        assert_eq!(namespace_of("%DLQ%ns%G"), "ns");
        assert_eq!(namespace_of("Topic"), "");
        assert_eq!(namespace_of("SCHEDULE_TOPIC_XXXX"), "");
        assert!(is_already_wrapped("%RETRY%ns%G", "ns"));
        assert!(!is_already_wrapped("nsG", "ns"));
    }

    proptest! {
        #[test]
        fn wrap_round_trips(ns in "ns[a-zA-Z0-9_-]{0,10}", res in "(%RETRY%|%DLQ%)?[a-zA-Z0-9_-]{1,20}") {
            let w = wrap(&ns, &res);
            prop_assert_eq!(wrap(&ns, &w), w.clone());
            if is_system_resource(&res) {
                prop_assert_eq!(&w, &res);
            } else {
                prop_assert!(is_already_wrapped(&w, &ns));
                prop_assert_eq!(namespace_of(&w), ns.as_str());
                prop_assert_eq!(without_namespace_of(&w, &ns), res.clone());
                prop_assert_eq!(without_namespace(&w), res);
            }
        }
    }
}
