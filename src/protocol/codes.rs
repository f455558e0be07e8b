//! Request and response codes of the remoting protocol (Java `RequestCode`,
//! `ResponseCode` and `RemotingSysResponseCode`).

macro_rules! codes {
    ($(#[$m:meta])* $modname:ident, $fname:ident { $($name:ident = $val:expr,)* }) => {
        $(#[$m])*
        pub mod $modname {
            $(pub const $name: i32 = $val;)*
            /// Every code of this table with its Java name.
            pub const ALL: &[(i32, &str)] = &[$(($val, stringify!($name)),)*];
        }
        /// The Java name of a code, or `"UNKNOWN"`.
        pub fn $fname(code: i32) -> &'static str {
            $modname::ALL.iter().find(|(c, _)| *c == code).map(|(_, n)| *n).unwrap_or("UNKNOWN")
        }
    };
}

codes!(
    /// Request codes.
    request, request_code_name {
    SEND_MESSAGE = 10,
    PULL_MESSAGE = 11,
    QUERY_MESSAGE = 12,
    QUERY_BROKER_OFFSET = 13,
    QUERY_CONSUMER_OFFSET = 14,
    UPDATE_CONSUMER_OFFSET = 15,
    UPDATE_AND_CREATE_TOPIC = 17,
    UPDATE_AND_CREATE_TOPIC_LIST = 18,
    GET_ALL_TOPIC_CONFIG = 21,
    GET_TOPIC_CONFIG_LIST = 22,
    GET_TOPIC_NAME_LIST = 23,
    UPDATE_BROKER_CONFIG = 25,
    GET_BROKER_CONFIG = 26,
    TRIGGER_DELETE_FILES = 27,
    GET_BROKER_RUNTIME_INFO = 28,
    SEARCH_OFFSET_BY_TIMESTAMP = 29,
    GET_MAX_OFFSET = 30,
    GET_MIN_OFFSET = 31,
    GET_EARLIEST_MSG_STORETIME = 32,
    VIEW_MESSAGE_BY_ID = 33,
    HEART_BEAT = 34,
    UNREGISTER_CLIENT = 35,
    CONSUMER_SEND_MSG_BACK = 36,
    END_TRANSACTION = 37,
    GET_CONSUMER_LIST_BY_GROUP = 38,
    CHECK_TRANSACTION_STATE = 39,
    NOTIFY_CONSUMER_IDS_CHANGED = 40,
    LOCK_BATCH_MQ = 41,
    UNLOCK_BATCH_MQ = 42,
    GET_ALL_CONSUMER_OFFSET = 43,
    GET_ALL_DELAY_OFFSET = 45,
    CHECK_CLIENT_CONFIG = 46,
    PUT_KV_CONFIG = 100,
    GET_KV_CONFIG = 101,
    DELETE_KV_CONFIG = 102,
    REGISTER_BROKER = 103,
    UNREGISTER_BROKER = 104,
    GET_ROUTEINFO_BY_TOPIC = 105,
    GET_BROKER_CLUSTER_INFO = 106,
    UPDATE_AND_CREATE_SUBSCRIPTIONGROUP = 200,
    GET_ALL_SUBSCRIPTIONGROUP_CONFIG = 201,
    GET_TOPIC_STATS_INFO = 202,
    GET_CONSUMER_CONNECTION_LIST = 203,
    GET_PRODUCER_CONNECTION_LIST = 204,
    WIPE_WRITE_PERM_OF_BROKER = 205,
    GET_ALL_TOPIC_LIST_FROM_NAMESERVER = 206,
    DELETE_SUBSCRIPTIONGROUP = 207,
    GET_CONSUME_STATS = 208,
    DELETE_TOPIC_IN_BROKER = 215,
    DELETE_TOPIC_IN_NAMESRV = 216,
    RESET_CONSUMER_CLIENT_OFFSET = 220,
    GET_CONSUMER_STATUS_FROM_CLIENT = 221,
    INVOKE_BROKER_TO_RESET_OFFSET = 222,
    INVOKE_BROKER_TO_GET_CONSUMER_STATUS = 223,
    GET_TOPICS_BY_CLUSTER = 224,
    GET_CONSUMER_RUNNING_INFO = 307,
    CONSUME_MESSAGE_DIRECTLY = 309,
    SEND_MESSAGE_V2 = 310,
    SEND_BATCH_MESSAGE = 320,
    RESUME_CHECK_HALF_MESSAGE = 323,
    SEND_REPLY_MESSAGE = 324,
    SEND_REPLY_MESSAGE_V2 = 325,
    PUSH_REPLY_MESSAGE_TO_CLIENT = 326,
    GET_TOPIC_CONFIG = 351,
    LITE_PULL_MESSAGE = 361,
    RECALL_MESSAGE = 370,
    QUERY_ASSIGNMENT = 400,
    SET_MESSAGE_REQUEST_MODE = 401,
    GET_ALL_MESSAGE_REQUEST_MODE = 402,
    UPDATE_AND_CREATE_STATIC_TOPIC = 513,
    AUTH_CREATE_USER = 3001,
    AUTH_UPDATE_USER = 3002,
    AUTH_DELETE_USER = 3003,
    AUTH_GET_USER = 3004,
    AUTH_LIST_USER = 3005,
    AUTH_CREATE_ACL = 3006,
    AUTH_UPDATE_ACL = 3007,
    AUTH_DELETE_ACL = 3008,
    AUTH_GET_ACL = 3009,
    AUTH_LIST_ACL = 3010,
    POP_MESSAGE = 200050,
    ACK_MESSAGE = 200051,
    PEEK_MESSAGE = 200052,
    CHANGE_MESSAGE_INVISIBLETIME = 200053,
    NOTIFICATION = 200054,
    POLLING_INFO = 200055,
    POP_ROLLBACK = 200056,
    BATCH_ACK_MESSAGE = 200151,
});

codes!(
    /// Response codes (system and broker).
    response, response_code_name {
    SUCCESS = 0,
    SYSTEM_ERROR = 1,
    SYSTEM_BUSY = 2,
    REQUEST_CODE_NOT_SUPPORTED = 3,
    TRANSACTION_FAILED = 4,
    FLUSH_DISK_TIMEOUT = 10,
    SLAVE_NOT_AVAILABLE = 11,
    FLUSH_SLAVE_TIMEOUT = 12,
    MESSAGE_ILLEGAL = 13,
    SERVICE_NOT_AVAILABLE = 14,
    VERSION_NOT_SUPPORTED = 15,
    NO_PERMISSION = 16,
    TOPIC_NOT_EXIST = 17,
    TOPIC_EXIST_ALREADY = 18,
    PULL_NOT_FOUND = 19,
    PULL_RETRY_IMMEDIATELY = 20,
    PULL_OFFSET_MOVED = 21,
    QUERY_NOT_FOUND = 22,
    SUBSCRIPTION_PARSE_FAILED = 23,
    SUBSCRIPTION_NOT_EXIST = 24,
    SUBSCRIPTION_NOT_LATEST = 25,
    SUBSCRIPTION_GROUP_NOT_EXIST = 26,
    FILTER_DATA_NOT_EXIST = 27,
    FILTER_DATA_NOT_LATEST = 28,
    INVALID_PARAMETER = 29,
    TRANSACTION_SHOULD_COMMIT = 200,
    TRANSACTION_SHOULD_ROLLBACK = 201,
    TRANSACTION_STATE_UNKNOW = 202,
    TRANSACTION_STATE_GROUP_WRONG = 203,
    NO_BUYER_ID = 204,
    NOT_IN_CURRENT_UNIT = 205,
    CONSUMER_NOT_ONLINE = 206,
    CONSUME_MSG_TIMEOUT = 207,
    NO_MESSAGE = 208,
    POLLING_FULL = 209,
    POLLING_TIMEOUT = 210,
    BROKER_NOT_EXIST = 211,
    BROKER_DISPATCH_NOT_COMPLETE = 212,
    BROADCAST_CONSUMPTION = 213,
    FLOW_CONTROL = 215,
    NOT_LEADER_FOR_QUEUE = 501,
    ILLEGAL_OPERATION = 604,
    GO_AWAY = 1500,
    CONTROLLER_FENCED_MASTER_EPOCH = 2000,
    CONTROLLER_FENCED_SYNC_STATE_SET_EPOCH = 2001,
    CONTROLLER_INVALID_MASTER = 2002,
    CONTROLLER_INVALID_REPLICAS = 2003,
    CONTROLLER_MASTER_NOT_AVAILABLE = 2004,
    CONTROLLER_INVALID_REQUEST = 2005,
    CONTROLLER_BROKER_NOT_ALIVE = 2006,
    CONTROLLER_NOT_LEADER = 2007,
    CONTROLLER_BROKER_METADATA_NOT_EXIST = 2008,
    CONTROLLER_INVALID_CLEAN_BROKER_METADATA = 2009,
    CONTROLLER_BROKER_NEED_TO_BE_REGISTERED = 2010,
    CONTROLLER_MASTER_STILL_EXIST = 2011,
    CONTROLLER_ELECT_MASTER_FAILED = 2012,
    CONTROLLER_ALTER_SYNC_STATE_SET_FAILED = 2013,
    CONTROLLER_BROKER_ID_INVALID = 2014,
    CONTROLLER_JRAFT_INTERNAL_ERROR = 2015,
    CONTROLLER_BROKER_LIVE_INFO_NOT_EXISTS = 2016,
    USER_NOT_EXIST = 3001,
    POLICY_NOT_EXIST = 3002,
});

/// Client-internal codes (never on the wire), as the Java client numbers them.
pub mod internal {
    pub const RPC_UNKNOWN: i32 = -1000;
    pub const RPC_ADDR_IS_NULL: i32 = -1002;
    pub const RPC_SEND_TO_CHANNEL_FAILED: i32 = -1004;
    pub const RPC_TIME_OUT: i32 = -1006;
}

/// Response codes after which the Java producer retries a send on another broker.
pub const SEND_RETRIABLE_CODES: &[i32] = &[
    response::TOPIC_NOT_EXIST,
    response::SERVICE_NOT_AVAILABLE,
    response::SYSTEM_ERROR,
    response::SYSTEM_BUSY,
    response::NO_PERMISSION,
    response::NO_BUYER_ID,
    response::NOT_IN_CURRENT_UNIT,
    response::GO_AWAY,
];

/// True for codes that cannot travel in a ROCKETMQ binary header (16-bit code field).
pub fn needs_json_header(code: i32) -> bool {
    code > i16::MAX as i32 || code < i16::MIN as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_values() {
        assert_eq!(request::SEND_MESSAGE_V2, 310);
        assert_eq!(request_code_name(105), "GET_ROUTEINFO_BY_TOPIC");
        assert_eq!(response_code_name(22), "QUERY_NOT_FOUND");
        assert_eq!(response_code_name(99999), "UNKNOWN");
        assert!(needs_json_header(request::POP_MESSAGE));
        assert!(!needs_json_header(request::PULL_MESSAGE));
    }

    #[test]
    fn no_duplicate_values() {
        for table in [request::ALL, response::ALL] {
            let mut v: Vec<i32> = table.iter().map(|(c, _)| *c).collect();
            v.sort();
            let n = v.len();
            v.dedup();
            assert_eq!(n, v.len());
        }
    }
}
