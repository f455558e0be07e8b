//! Consumer headers: pull, consumer offsets, queue offsets, send-back.

use super::BoundaryType;

command_header! {
    /// PULL_MESSAGE (11) and LITE_PULL_MESSAGE (361).
    pub struct PullMessageRequestHeader [rpc] {
        logical: Option<bool> => opt "lo",
        consumer_group: String => req "consumerGroup",
        topic: String => req "topic",
        queue_id: i32 => req "queueId",
        queue_offset: i64 => req "queueOffset",
        max_msg_nums: i32 => req "maxMsgNums",
        /// Pull sysFlag bits.
        sys_flag: i32 => req "sysFlag",
        commit_offset: i64 => req "commitOffset",
        suspend_timeout_millis: i64 => req "suspendTimeoutMillis",
        subscription: Option<String> => opt "subscription",
        sub_version: i64 => req "subVersion",
        /// `TAG` or `SQL92`.
        expression_type: Option<String> => opt "expressionType",
        max_msg_bytes: Option<i32> => opt "maxMsgBytes",
        request_source: Option<i32> => opt "requestSource",
        /// The Java name is misspelt.
        proxy_froward_client_id: Option<String> => opt "proxyFrowardClientId",
    }
}

command_header! {
    /// The response to a pull.
    pub struct PullMessageResponseHeader {
        suggest_which_broker_id: i64 => req "suggestWhichBrokerId",
        next_begin_offset: i64 => req "nextBeginOffset",
        min_offset: i64 => req "minOffset",
        max_offset: i64 => req "maxOffset",
        /// Static topics: add to each message's queue offset.
        offset_delta: Option<i64> => opt "offsetDelta",
        topic_sys_flag: Option<i32> => opt "topicSysFlag",
        group_sys_flag: Option<i32> => opt "groupSysFlag",
        forbidden_type: Option<i32> => opt "forbiddenType",
    }
}

command_header! {
    /// QUERY_CONSUMER_OFFSET (14).
    pub struct QueryConsumerOffsetRequestHeader [rpc] {
        logical: Option<bool> => opt "lo",
        consumer_group: String => req "consumerGroup",
        topic: String => req "topic",
        queue_id: i32 => req "queueId",
        set_zero_if_not_found: Option<bool> => opt "setZeroIfNotFound",
    }
}

command_header! {
    /// The response to QUERY_CONSUMER_OFFSET.
    pub struct QueryConsumerOffsetResponseHeader {
        offset: i64 => req "offset",
    }
}

command_header! {
    /// UPDATE_CONSUMER_OFFSET (15).
    pub struct UpdateConsumerOffsetRequestHeader [rpc] {
        logical: Option<bool> => opt "lo",
        consumer_group: String => req "consumerGroup",
        topic: String => req "topic",
        queue_id: i32 => req "queueId",
        commit_offset: i64 => req "commitOffset",
    }
}

command_header! {
    /// GET_MAX_OFFSET (30).
    pub struct GetMaxOffsetRequestHeader [rpc] {
        logical: Option<bool> => opt "lo",
        topic: String => req "topic",
        queue_id: i32 => req "queueId",
        /// Committed (replicated) max offset only; Java default true.
        committed: bool => def "committed" = true,
    }
}

command_header! {
    /// The response to GET_MAX_OFFSET.
    pub struct GetMaxOffsetResponseHeader {
        offset: i64 => req "offset",
    }
}

command_header! {
    /// GET_MIN_OFFSET (31).
    pub struct GetMinOffsetRequestHeader [rpc] {
        logical: Option<bool> => opt "lo",
        topic: String => req "topic",
        queue_id: i32 => req "queueId",
    }
}

command_header! {
    /// The response to GET_MIN_OFFSET.
    pub struct GetMinOffsetResponseHeader {
        offset: i64 => req "offset",
    }
}

command_header! {
    /// SEARCH_OFFSET_BY_TIMESTAMP (29).
    pub struct SearchOffsetRequestHeader [rpc] {
        logical: Option<bool> => opt "lo",
        topic: String => req "topic",
        queue_id: i32 => req "queueId",
        /// Milliseconds since the epoch.
        timestamp: i64 => req "timestamp",
        boundary_type: Option<BoundaryType> => opt "boundaryType",
    }
}

command_header! {
    /// The response to SEARCH_OFFSET_BY_TIMESTAMP.
    pub struct SearchOffsetResponseHeader {
        offset: i64 => req "offset",
    }
}

command_header! {
    /// GET_EARLIEST_MSG_STORETIME (32).
    pub struct GetEarliestMsgStoretimeRequestHeader [rpc] {
        logical: Option<bool> => opt "lo",
        topic: String => req "topic",
        queue_id: i32 => req "queueId",
    }
}

command_header! {
    /// The response to GET_EARLIEST_MSG_STORETIME.
    pub struct GetEarliestMsgStoretimeResponseHeader {
        timestamp: i64 => req "timestamp",
    }
}

command_header! {
    /// CONSUMER_SEND_MSG_BACK (36).
    pub struct ConsumerSendMsgBackRequestHeader [rpc] {
        /// The message's commit-log offset.
        offset: i64 => req "offset",
        group: String => req "group",
        delay_level: i32 => req "delayLevel",
        origin_msg_id: Option<String> => opt "originMsgId",
        origin_topic: Option<String> => opt "originTopic",
        unit_mode: bool => def "unitMode" = false,
        max_reconsume_times: Option<i32> => opt "maxReconsumeTimes",
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::roundtrip_tests;
    use super::super::{CommandHeader, RpcBase};
    use super::*;
    use crate::protocol::ExtFields;

    #[test]
    fn pull_golden() {
        let h = PullMessageRequestHeader {
            rpc: RpcBase::with_broker("broker-a"),
            consumer_group: "CG".into(),
            topic: "T".into(),
            queue_id: 1,
            queue_offset: 100,
            max_msg_nums: 32,
            sys_flag: 3,
            commit_offset: 90,
            suspend_timeout_millis: 15000,
            subscription: Some("*".into()),
            sub_version: 1_700_000_000_000,
            expression_type: Some("TAG".into()),
            ..Default::default()
        };
        assert_eq!(
            h.to_ext().sorted(),
            vec![
                ("bname", "broker-a"),
                ("commitOffset", "90"),
                ("consumerGroup", "CG"),
                ("expressionType", "TAG"),
                ("maxMsgNums", "32"),
                ("queueId", "1"),
                ("queueOffset", "100"),
                ("subVersion", "1700000000000"),
                ("subscription", "*"),
                ("suspendTimeoutMillis", "15000"),
                ("sysFlag", "3"),
                ("topic", "T"),
            ]
        );
    }

    #[test]
    fn pull_response_from_broker() {
        let ext: ExtFields = [
            ("suggestWhichBrokerId", "0"),
            ("nextBeginOffset", "132"),
            ("minOffset", "0"),
            ("maxOffset", "200"),
            ("topicSysFlag", "0"),
            ("groupSysFlag", "0"),
        ]
        .into_iter()
        .collect();
        let r = PullMessageResponseHeader::read_from(&ext).unwrap();
        assert_eq!(r.next_begin_offset, 132);
        assert_eq!(r.offset_delta, None);
        assert_eq!(r.topic_sys_flag, Some(0));
        let mut bad = ext.clone();
        bad.remove("maxOffset");
        let e = PullMessageResponseHeader::read_from(&bad).unwrap_err();
        assert!(e.message().contains("maxOffset"), "{e}");
    }

    #[test]
    fn search_and_max_offset_golden() {
        let h = SearchOffsetRequestHeader {
            topic: "T".into(),
            queue_id: 0,
            timestamp: 1234,
            boundary_type: Some(BoundaryType::Upper),
            ..Default::default()
        };
        assert_eq!(
            h.to_ext().sorted(),
            vec![
                ("boundaryType", "UPPER"),
                ("queueId", "0"),
                ("timestamp", "1234"),
                ("topic", "T")
            ]
        );
        let m = GetMaxOffsetRequestHeader::default();
        assert!(m.committed);
        let ext: ExtFields = [("topic", "T"), ("queueId", "2")].into_iter().collect();
        assert!(
            GetMaxOffsetRequestHeader::read_from(&ext)
                .unwrap()
                .committed
        );
        assert_eq!(m.to_ext().get("committed"), Some("true"));
    }

    #[test]
    fn send_back_golden() {
        let h = ConsumerSendMsgBackRequestHeader {
            rpc: RpcBase::with_broker("b"),
            offset: 4096,
            group: "CG".into(),
            delay_level: 0,
            origin_msg_id: Some("M".into()),
            origin_topic: Some("T".into()),
            unit_mode: false,
            max_reconsume_times: Some(16),
        };
        assert_eq!(
            h.to_ext().sorted(),
            vec![
                ("bname", "b"),
                ("delayLevel", "0"),
                ("group", "CG"),
                ("maxReconsumeTimes", "16"),
                ("offset", "4096"),
                ("originMsgId", "M"),
                ("originTopic", "T"),
                ("unitMode", "false"),
            ]
        );
    }

    roundtrip_tests! {
        roundtrip_pull: PullMessageRequestHeader,
        roundtrip_pull_response: PullMessageResponseHeader,
        roundtrip_query_offset: QueryConsumerOffsetRequestHeader,
        roundtrip_query_offset_response: QueryConsumerOffsetResponseHeader,
        roundtrip_update_offset: UpdateConsumerOffsetRequestHeader,
        roundtrip_max_offset: GetMaxOffsetRequestHeader,
        roundtrip_max_offset_response: GetMaxOffsetResponseHeader,
        roundtrip_min_offset: GetMinOffsetRequestHeader,
        roundtrip_min_offset_response: GetMinOffsetResponseHeader,
        roundtrip_search_offset: SearchOffsetRequestHeader,
        roundtrip_search_offset_response: SearchOffsetResponseHeader,
        roundtrip_earliest: GetEarliestMsgStoretimeRequestHeader,
        roundtrip_earliest_response: GetEarliestMsgStoretimeResponseHeader,
        roundtrip_send_back: ConsumerSendMsgBackRequestHeader,
    }
}
