//! Client-management headers: heartbeat, unregister, consumer lists, the
//! broker-to-client requests, and message query/view.

command_header! {
    /// HEART_BEAT (34): only the base fields; the body is `HeartbeatData`.
    pub struct HeartbeatRequestHeader [rpc] {}
}

command_header! {
    /// UNREGISTER_CLIENT (35).
    pub struct UnregisterClientRequestHeader [rpc] {
        /// Note the capital `ID` on the wire.
        client_id: String => req "clientID",
        producer_group: Option<String> => opt "producerGroup",
        consumer_group: Option<String> => opt "consumerGroup",
    }
}

command_header! {
    /// GET_CONSUMER_LIST_BY_GROUP (38).
    pub struct GetConsumerListByGroupRequestHeader [rpc] {
        consumer_group: String => req "consumerGroup",
    }
}

command_header! {
    /// NOTIFY_CONSUMER_IDS_CHANGED (40), broker to client, oneway.
    pub struct NotifyConsumerIdsChangedRequestHeader [rpc] {
        consumer_group: String => req "consumerGroup",
    }
}

command_header! {
    /// RESET_CONSUMER_CLIENT_OFFSET (220), broker to client, oneway.
    pub struct ResetOffsetRequestHeader [rpc] {
        logical: Option<bool> => opt "lo",
        topic: String => req "topic",
        group: String => req "group",
        /// -1: every queue.
        queue_id: i32 => def "queueId" = -1,
        offset: Option<i64> => opt "offset",
        timestamp: i64 => req "timestamp",
        /// The Java field is literally `isForce`.
        is_force: bool => req "isForce",
    }
}

command_header! {
    /// GET_CONSUMER_STATUS_FROM_CLIENT (221), broker to client.
    pub struct GetConsumerStatusRequestHeader [rpc] {
        logical: Option<bool> => opt "lo",
        topic: String => req "topic",
        group: String => req "group",
        client_addr: Option<String> => opt "clientAddr",
    }
}

command_header! {
    /// GET_CONSUMER_RUNNING_INFO (307), broker to client.
    pub struct GetConsumerRunningInfoRequestHeader [rpc] {
        consumer_group: String => req "consumerGroup",
        client_id: String => req "clientId",
        jstack_enable: bool => def "jstackEnable" = false,
    }
}

command_header! {
    /// CONSUME_MESSAGE_DIRECTLY (309), broker to client.
    pub struct ConsumeMessageDirectlyResultRequestHeader [rpc] {
        logical: Option<bool> => opt "lo",
        consumer_group: String => req "consumerGroup",
        client_id: Option<String> => opt "clientId",
        msg_id: Option<String> => opt "msgId",
        /// `brokerName`, distinct from the base `bname`.
        broker_name: Option<String> => opt "brokerName",
        topic: Option<String> => opt "topic",
        topic_sys_flag: Option<i32> => opt "topicSysFlag",
        group_sys_flag: Option<i32> => opt "groupSysFlag",
    }
}

command_header! {
    /// GET_CONSUMER_CONNECTION_LIST (203).
    pub struct GetConsumerConnectionListRequestHeader [rpc] {
        consumer_group: String => req "consumerGroup",
    }
}

command_header! {
    /// VIEW_MESSAGE_BY_ID (33).
    pub struct ViewMessageRequestHeader {
        topic: Option<String> => opt "topic",
        /// Commit-log offset.
        offset: i64 => req "offset",
    }
}

command_header! {
    /// QUERY_MESSAGE (12), by key or by unique key.
    pub struct QueryMessageRequestHeader [rpc] {
        logical: Option<bool> => opt "lo",
        topic: String => req "topic",
        key: String => req "key",
        max_num: i32 => req "maxNum",
        begin_timestamp: i64 => req "beginTimestamp",
        end_timestamp: i64 => req "endTimestamp",
        /// Extra ext field: `true` queries by `UNIQ_KEY`, `false` by `KEYS`.
        unique_key_query: Option<bool> => opt "_UNIQUE_KEY_QUERY",
    }
}

command_header! {
    /// The response to QUERY_MESSAGE.
    pub struct QueryMessageResponseHeader {
        index_last_update_timestamp: i64 => req "indexLastUpdateTimestamp",
        index_last_update_phyoffset: i64 => req "indexLastUpdatePhyoffset",
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::roundtrip_tests;
    use super::super::{CommandHeader, RpcBase};
    use super::*;
    use crate::protocol::ExtFields;

    #[test]
    fn heartbeat_header_has_only_base_fields() {
        assert!(HeartbeatRequestHeader::default().to_ext().is_empty());
        let h = HeartbeatRequestHeader {
            rpc: RpcBase {
                namespace: Some("n".into()),
                namespaced: Some(true),
                ..Default::default()
            },
        };
        assert_eq!(h.to_ext().sorted(), vec![("ns", "n"), ("nsd", "true")]);
    }

    #[test]
    fn unregister_golden() {
        let h = UnregisterClientRequestHeader {
            client_id: "10.0.0.5@123".into(),
            producer_group: Some("PG".into()),
            ..Default::default()
        };
        assert_eq!(
            h.to_ext().sorted(),
            vec![("clientID", "10.0.0.5@123"), ("producerGroup", "PG")]
        );
    }

    #[test]
    fn reset_offset_from_broker() {
        let ext: ExtFields = [
            ("topic", "T"),
            ("group", "G"),
            ("timestamp", "1700000000000"),
            ("isForce", "true"),
        ]
        .into_iter()
        .collect();
        let h = ResetOffsetRequestHeader::read_from(&ext).unwrap();
        assert!(h.is_force);
        assert_eq!(h.queue_id, -1);
        assert_eq!(h.offset, None);
        let mut bad = ext.clone();
        bad.remove("isForce");
        let e = ResetOffsetRequestHeader::read_from(&bad).unwrap_err();
        assert!(
            e.message()
                .contains("ResetOffsetRequestHeader: the custom field isForce is missing"),
            "{e}"
        );
    }

    #[test]
    fn running_info_from_broker() {
        let ext: ExtFields = [
            ("consumerGroup", "CG"),
            ("clientId", "c1"),
            ("jstackEnable", "false"),
        ]
        .into_iter()
        .collect();
        let h = GetConsumerRunningInfoRequestHeader::read_from(&ext).unwrap();
        assert_eq!(h.client_id, "c1");
        assert!(!h.jstack_enable);
    }

    #[test]
    fn query_message_golden() {
        let h = QueryMessageRequestHeader {
            topic: "T".into(),
            key: "k".into(),
            max_num: 32,
            begin_timestamp: 0,
            end_timestamp: i64::MAX,
            unique_key_query: Some(true),
            ..Default::default()
        };
        assert_eq!(
            h.to_ext().sorted(),
            vec![
                ("_UNIQUE_KEY_QUERY", "true"),
                ("beginTimestamp", "0"),
                ("endTimestamp", "9223372036854775807"),
                ("key", "k"),
                ("maxNum", "32"),
                ("topic", "T"),
            ]
        );
    }

    roundtrip_tests! {
        roundtrip_heartbeat: HeartbeatRequestHeader,
        roundtrip_unregister: UnregisterClientRequestHeader,
        roundtrip_consumer_list: GetConsumerListByGroupRequestHeader,
        roundtrip_notify_ids_changed: NotifyConsumerIdsChangedRequestHeader,
        roundtrip_reset_offset: ResetOffsetRequestHeader,
        roundtrip_consumer_status: GetConsumerStatusRequestHeader,
        roundtrip_running_info: GetConsumerRunningInfoRequestHeader,
        roundtrip_consume_directly: ConsumeMessageDirectlyResultRequestHeader,
        roundtrip_connection_list: GetConsumerConnectionListRequestHeader,
        roundtrip_view_message: ViewMessageRequestHeader,
        roundtrip_query_message: QueryMessageRequestHeader,
        roundtrip_query_message_response: QueryMessageResponseHeader,
    }
}
