//! 5.x pop-consumption headers: pop, ack, change invisible time,
//! notification, peek, polling info.

command_header! {
    /// POP_MESSAGE (200050).
    pub struct PopMessageRequestHeader [rpc] {
        logical: Option<bool> => opt "lo",
        consumer_group: String => req "consumerGroup",
        topic: String => req "topic",
        /// -1: every queue of the broker.
        queue_id: i32 => req "queueId",
        max_msg_nums: i32 => req "maxMsgNums",
        invisible_time: i64 => req "invisibleTime",
        poll_time: i64 => req "pollTime",
        born_time: i64 => req "bornTime",
        /// 0 = MIN, 1 = MAX.
        init_mode: i32 => req "initMode",
        exp_type: Option<String> => opt "expType",
        exp: Option<String> => opt "exp",
        order: Option<bool> => opt "order",
        attempt_id: Option<String> => opt "attemptId",
    }
}

command_header! {
    /// The response to POP_MESSAGE.
    pub struct PopMessageResponseHeader {
        pop_time: i64 => req "popTime",
        invisible_time: i64 => req "invisibleTime",
        revive_qid: i32 => req "reviveQid",
        rest_num: i64 => req "restNum",
        start_offset_info: Option<String> => opt "startOffsetInfo",
        msg_offset_info: Option<String> => opt "msgOffsetInfo",
        order_count_info: Option<String> => opt "orderCountInfo",
    }
}

command_header! {
    /// ACK_MESSAGE (200051).
    pub struct AckMessageRequestHeader [rpc] {
        logical: Option<bool> => opt "lo",
        consumer_group: String => req "consumerGroup",
        topic: String => req "topic",
        queue_id: i32 => req "queueId",
        /// The `POP_CK` handle.
        extra_info: String => req "extraInfo",
        offset: i64 => req "offset",
    }
}

command_header! {
    /// CHANGE_MESSAGE_INVISIBLETIME (200053).
    pub struct ChangeInvisibleTimeRequestHeader [rpc] {
        logical: Option<bool> => opt "lo",
        consumer_group: String => req "consumerGroup",
        topic: String => req "topic",
        queue_id: i32 => req "queueId",
        extra_info: String => req "extraInfo",
        offset: i64 => req "offset",
        invisible_time: i64 => req "invisibleTime",
    }
}

command_header! {
    /// The response to CHANGE_MESSAGE_INVISIBLETIME.
    pub struct ChangeInvisibleTimeResponseHeader {
        pop_time: i64 => req "popTime",
        invisible_time: i64 => req "invisibleTime",
        revive_qid: i32 => req "reviveQid",
    }
}

command_header! {
    /// NOTIFICATION (200054).
    pub struct NotificationRequestHeader [rpc] {
        logical: Option<bool> => opt "lo",
        consumer_group: String => req "consumerGroup",
        topic: String => req "topic",
        queue_id: i32 => req "queueId",
        poll_time: i64 => req "pollTime",
        born_time: i64 => req "bornTime",
        order: Option<bool> => opt "order",
        attempt_id: Option<String> => opt "attemptId",
    }
}

command_header! {
    /// The response to NOTIFICATION.
    pub struct NotificationResponseHeader {
        has_msg: bool => req "hasMsg",
        polling_full: bool => def "pollingFull" = false,
    }
}

command_header! {
    /// PEEK_MESSAGE (200052).
    pub struct PeekMessageRequestHeader [rpc] {
        logical: Option<bool> => opt "lo",
        topic: String => req "topic",
        queue_id: i32 => req "queueId",
        max_msg_nums: i32 => req "maxMsgNums",
        consumer_group: String => req "consumerGroup",
    }
}

command_header! {
    /// POLLING_INFO (200055).
    pub struct PollingInfoRequestHeader [rpc] {
        logical: Option<bool> => opt "lo",
        consumer_group: String => req "consumerGroup",
        topic: String => req "topic",
        queue_id: i32 => req "queueId",
    }
}

command_header! {
    /// The response to POLLING_INFO.
    pub struct PollingInfoResponseHeader {
        polling_num: i32 => req "pollingNum",
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::roundtrip_tests;
    use super::super::{CommandHeader, RpcBase};
    use super::*;
    use crate::protocol::ExtFields;

    #[test]
    fn pop_golden() {
        let h = PopMessageRequestHeader {
            rpc: RpcBase::with_broker("broker-a"),
            consumer_group: "CG".into(),
            topic: "T".into(),
            queue_id: -1,
            max_msg_nums: 32,
            invisible_time: 60000,
            poll_time: 15000,
            born_time: 1_700_000_000_000,
            init_mode: 0,
            exp_type: Some("TAG".into()),
            exp: Some("*".into()),
            order: Some(false),
            ..Default::default()
        };
        assert_eq!(
            h.to_ext().sorted(),
            vec![
                ("bname", "broker-a"),
                ("bornTime", "1700000000000"),
                ("consumerGroup", "CG"),
                ("exp", "*"),
                ("expType", "TAG"),
                ("initMode", "0"),
                ("invisibleTime", "60000"),
                ("maxMsgNums", "32"),
                ("order", "false"),
                ("pollTime", "15000"),
                ("queueId", "-1"),
                ("topic", "T"),
            ]
        );
    }

    #[test]
    fn pop_response_from_broker() {
        let ext: ExtFields = [
            ("popTime", "1700000000000"),
            ("invisibleTime", "60000"),
            ("reviveQid", "3"),
            ("restNum", "0"),
            ("startOffsetInfo", "0 1 100"),
            ("msgOffsetInfo", "0 1 100,101"),
        ]
        .into_iter()
        .collect();
        let r = PopMessageResponseHeader::read_from(&ext).unwrap();
        assert_eq!(r.revive_qid, 3);
        assert_eq!(r.msg_offset_info.as_deref(), Some("0 1 100,101"));
        assert_eq!(r.order_count_info, None);
    }

    #[test]
    fn ack_and_notification_golden() {
        let h = AckMessageRequestHeader {
            consumer_group: "CG".into(),
            topic: "T".into(),
            queue_id: 1,
            extra_info: "0 1 2 3 0 b 1 7".into(),
            offset: 7,
            ..Default::default()
        };
        assert_eq!(
            h.to_ext().sorted(),
            vec![
                ("consumerGroup", "CG"),
                ("extraInfo", "0 1 2 3 0 b 1 7"),
                ("offset", "7"),
                ("queueId", "1"),
                ("topic", "T"),
            ]
        );
        let ext: ExtFields = [("hasMsg", "true")].into_iter().collect();
        let r = NotificationResponseHeader::read_from(&ext).unwrap();
        assert!(r.has_msg && !r.polling_full);
    }

    roundtrip_tests! {
        roundtrip_pop: PopMessageRequestHeader,
        roundtrip_pop_response: PopMessageResponseHeader,
        roundtrip_ack: AckMessageRequestHeader,
        roundtrip_change_invisible: ChangeInvisibleTimeRequestHeader,
        roundtrip_change_invisible_response: ChangeInvisibleTimeResponseHeader,
        roundtrip_notification: NotificationRequestHeader,
        roundtrip_notification_response: NotificationResponseHeader,
        roundtrip_peek: PeekMessageRequestHeader,
        roundtrip_polling_info: PollingInfoRequestHeader,
        roundtrip_polling_info_response: PollingInfoResponseHeader,
    }
}
