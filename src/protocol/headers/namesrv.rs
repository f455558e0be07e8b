//! Name server headers: routes, KV config, topics by cluster, topic deletion.

command_header! {
    /// GET_ROUTEINFO_BY_TOPIC (105).
    pub struct GetRouteInfoRequestHeader [rpc] {
        logical: Option<bool> => opt "lo",
        topic: String => req "topic",
        /// Ask for standard JSON (quoted map keys); name server 4.9.4+.
        accept_standard_json_only: Option<bool> => opt "acceptStandardJsonOnly",
    }
}

command_header! {
    /// GET_KV_CONFIG (101).
    pub struct GetKVConfigRequestHeader {
        namespace: String => req "namespace",
        key: String => req "key",
    }
}

command_header! {
    /// The response to GET_KV_CONFIG.
    pub struct GetKVConfigResponseHeader {
        value: Option<String> => opt "value",
    }
}

command_header! {
    /// GET_TOPICS_BY_CLUSTER (224).
    pub struct GetTopicsByClusterRequestHeader {
        cluster: String => req "cluster",
    }
}

command_header! {
    /// DELETE_TOPIC_IN_NAMESRV (216).
    pub struct DeleteTopicFromNamesrvRequestHeader [rpc] {
        logical: Option<bool> => opt "lo",
        topic: String => req "topic",
        cluster_name: Option<String> => opt "clusterName",
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::roundtrip_tests;
    use super::super::CommandHeader;
    use super::*;
    use crate::protocol::ExtFields;

    #[test]
    fn route_golden() {
        let h = GetRouteInfoRequestHeader {
            topic: "TopicA".into(),
            accept_standard_json_only: Some(true),
            ..Default::default()
        };
        assert_eq!(
            h.to_ext().sorted(),
            vec![("acceptStandardJsonOnly", "true"), ("topic", "TopicA")]
        );
        let e = GetRouteInfoRequestHeader::read_from(&ExtFields::new()).unwrap_err();
        assert!(
            e.message()
                .contains("GetRouteInfoRequestHeader: the custom field topic is missing"),
            "{e}"
        );
    }

    #[test]
    fn kv_golden() {
        let h = GetKVConfigRequestHeader {
            namespace: "ORDER_TOPIC_CONFIG".into(),
            key: "T".into(),
        };
        assert_eq!(
            h.to_ext().sorted(),
            vec![("key", "T"), ("namespace", "ORDER_TOPIC_CONFIG")]
        );
        assert_eq!(
            GetKVConfigResponseHeader::read_from(&ExtFields::new())
                .unwrap()
                .value,
            None
        );
    }

    roundtrip_tests! {
        roundtrip_route: GetRouteInfoRequestHeader,
        roundtrip_kv: GetKVConfigRequestHeader,
        roundtrip_kv_response: GetKVConfigResponseHeader,
        roundtrip_topics_by_cluster: GetTopicsByClusterRequestHeader,
        roundtrip_delete_from_namesrv: DeleteTopicFromNamesrvRequestHeader,
    }
}
