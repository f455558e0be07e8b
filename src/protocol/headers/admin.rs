//! Admin headers: creating and deleting topics on brokers.

command_header! {
    /// UPDATE_AND_CREATE_TOPIC (17).
    pub struct CreateTopicRequestHeader [rpc] {
        logical: Option<bool> => opt "lo",
        topic: String => req "topic",
        default_topic: String => req "defaultTopic" = "TBW102".to_owned(),
        read_queue_nums: i32 => req "readQueueNums" = 16,
        write_queue_nums: i32 => req "writeQueueNums" = 16,
        /// Permission bits (default 6 = read and write).
        perm: i32 => req "perm" = 6,
        /// `SINGLE_TAG` or `MULTI_TAG`.
        topic_filter_type: String => req "topicFilterType" = "SINGLE_TAG".to_owned(),
        topic_sys_flag: Option<i32> => opt "topicSysFlag",
        order: bool => req "order" = false,
        /// `+key=value,...` (`+` adds, `-` deletes).
        attributes: Option<String> => opt "attributes",
        force: Option<bool> => opt "force",
    }
}

command_header! {
    /// DELETE_TOPIC_IN_BROKER (215).
    pub struct DeleteTopicRequestHeader [rpc] {
        logical: Option<bool> => opt "lo",
        topic: String => req "topic",
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::roundtrip_tests;
    use super::super::CommandHeader;
    use super::*;

    #[test]
    fn create_topic_golden() {
        let h = CreateTopicRequestHeader {
            topic: "T".into(),
            read_queue_nums: 8,
            write_queue_nums: 8,
            ..Default::default()
        };
        assert_eq!(
            h.to_ext().sorted(),
            vec![
                ("defaultTopic", "TBW102"),
                ("order", "false"),
                ("perm", "6"),
                ("readQueueNums", "8"),
                ("topic", "T"),
                ("topicFilterType", "SINGLE_TAG"),
                ("writeQueueNums", "8"),
            ]
        );
    }

    #[test]
    fn delete_topic_golden() {
        let h = DeleteTopicRequestHeader {
            topic: "T".into(),
            ..Default::default()
        };
        assert_eq!(h.to_ext().sorted(), vec![("topic", "T")]);
    }

    roundtrip_tests! {
        roundtrip_create_topic: CreateTopicRequestHeader,
        roundtrip_delete_topic: DeleteTopicRequestHeader,
    }
}
