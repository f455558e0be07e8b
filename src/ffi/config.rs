//! `rmq_config_t`: string settings consumed by constructors. Each role has a
//! table of the keys it understands; adding a role means adding a table and
//! listing it in [`ROLES`].

use std::ffi::{c_char, CString};
use std::time::Duration;

use super::boundary::{
    arg_mut, arg_ref, arg_str, check_out, fallible, free_box, infallible, write_out,
};
use super::cstr::c_string;
use super::error::{rmq_err_t, rmq_error_t, FfiResult};
use crate::client::{ClientConfig, Credentials};
use crate::consumer::{LitePullConsumerConfig, PushConsumerConfig};
use crate::producer::fault::LatencyTable;
use crate::producer::{BackPressure, ProducerConfig};
use crate::protocol::body::heartbeat::{ConsumeFromWhere, MessageModel};
use crate::protocol::compress::CompressionType;
use crate::protocol::{LanguageCode, SerializeType};

/// A set of string settings (`key` = `value`) for a producer or a consumer.
/// Not thread-safe: build it on one thread. Constructors take ownership of it,
/// whether they succeed or not.
#[allow(non_camel_case_types)]
pub struct rmq_config_t {
    /// In the order first set; a later set of the same key replaces the value.
    settings: Vec<(String, CString)>,
    /// A strategy from `rmq_config_set_allocate`, preferred to `allocate.strategy`.
    allocate: Option<std::sync::Arc<dyn crate::consumer::allocate::AllocateStrategy>>,
}

impl rmq_config_t {
    pub(crate) fn set_allocate(
        &mut self,
        s: Option<std::sync::Arc<dyn crate::consumer::allocate::AllocateStrategy>>,
    ) {
        self.allocate = s;
    }

    pub(crate) fn allocate(
        &self,
    ) -> Option<std::sync::Arc<dyn crate::consumer::allocate::AllocateStrategy>> {
        self.allocate.clone()
    }

    pub(crate) fn settings(&self) -> impl Iterator<Item = (&str, &str)> {
        self.settings
            .iter()
            .map(|(k, v)| (k.as_str(), v.to_str().unwrap_or("")))
    }
}

/// One key of a role: applies a value to the role's settings, or says why it cannot.
pub(crate) struct Setting<T> {
    pub(crate) key: &'static str,
    pub(crate) apply: fn(&mut T, &str) -> Result<(), String>,
}

/// A role's keys, checked against a scratch default so errors show at `rmq_config_set`.
pub(crate) struct Role {
    pub(crate) name: &'static str,
    pub(crate) has: fn(&str) -> bool,
    pub(crate) check: fn(&str, &str) -> Result<(), String>,
}

fn table_has<T>(table: &[Setting<T>], key: &str) -> bool {
    table.iter().any(|s| s.key == key)
}

fn table_check<T>(
    table: &[Setting<T>],
    key: &str,
    value: &str,
    scratch: impl FnOnce() -> T,
) -> Result<(), String> {
    match table.iter().find(|s| s.key == key) {
        Some(s) => (s.apply)(&mut scratch(), value),
        None => Ok(()),
    }
}

/// Every role's keys. The client keys apply to every role.
pub(crate) static ROLES: &[Role] = &[
    Role {
        name: "client",
        has: |k| table_has(CLIENT_SETTINGS, k),
        check: |k, v| table_check(CLIENT_SETTINGS, k, v, ClientConfig::default),
    },
    Role {
        name: "producer",
        has: |k| table_has(PRODUCER_SETTINGS, k),
        check: |k, v| table_check(PRODUCER_SETTINGS, k, v, ProducerConfig::default),
    },
    Role {
        name: "push consumer",
        has: |k| table_has(PUSH_CONSUMER_SETTINGS, k),
        check: |k, v| {
            table_check(PUSH_CONSUMER_SETTINGS, k, v, || {
                PushConsumerConfig::new(String::new(), String::new())
            })
        },
    },
    Role {
        name: "lite pull consumer",
        has: |k| table_has(PULL_CONSUMER_SETTINGS, k),
        check: |k, v| {
            table_check(PULL_CONSUMER_SETTINGS, k, v, || {
                LitePullConsumerConfig::new(String::new(), String::new())
            })
        },
    },
];

// ----- value parsers --------------------------------------------------------------

fn parse_bool(v: &str) -> Result<bool, String> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(format!("expected true or false, got {v:?}")),
    }
}

fn parse_num<T: std::str::FromStr>(v: &str, what: &str) -> Result<T, String> {
    v.trim()
        .parse()
        .map_err(|_| format!("expected {what}, got {v:?}"))
}

fn parse_ms(v: &str) -> Result<Duration, String> {
    let ms: u64 = parse_num(v, "a positive number of milliseconds")?;
    if ms == 0 {
        return Err("expected a positive number of milliseconds, got 0".into());
    }
    Ok(Duration::from_millis(ms))
}

fn parse_size(v: &str) -> Result<usize, String> {
    let n: usize = parse_num(v, "a positive number")?;
    if n == 0 {
        return Err("expected a positive number, got 0".into());
    }
    Ok(n)
}

fn non_empty(v: &str) -> Result<String, String> {
    let t = v.trim();
    if t.is_empty() {
        Err("expected a non-empty value".into())
    } else {
        Ok(t.to_owned())
    }
}

/// Empty means "unset".
fn optional(v: &str) -> Option<String> {
    let t = v.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

fn credentials(c: &mut ClientConfig) -> &mut Credentials {
    c.credentials
        .get_or_insert_with(|| Credentials::new(String::new(), String::new()))
}

// ----- the tables ------------------------------------------------------------------

macro_rules! setting {
    ($key:literal, |$c:ident, $v:ident| $body:expr) => {
        Setting {
            key: $key,
            apply: |$c, $v| {
                $body;
                Ok(())
            },
        }
    };
}

/// Keys of every client (producers and consumers).
pub(crate) static CLIENT_SETTINGS: &[Setting<ClientConfig>] = &[
    setting!("namesrv.addr", |c, v| {
        crate::remoting::parse_namesrv_addrs(v).map_err(|e| e.message().to_owned())?;
        c.namesrv_addr = v.trim().to_owned()
    }),
    setting!("instance.name", |c, v| c.instance_name = non_empty(v)?),
    setting!("client.ip", |c, v| {
        if let Some(ip) = optional(v) {
            ip.parse::<std::net::IpAddr>()
                .map_err(|_| format!("expected an IP address, got {v:?}"))?;
        }
        c.client_ip = optional(v)
    }),
    setting!("unit.name", |c, v| c.unit_name = optional(v)),
    setting!("namespace", |c, v| c.namespace = optional(v)),
    setting!("namespace.v2", |c, v| c.namespace_v2 = optional(v)),
    setting!("access.key", |c, v| credentials(c).access_key =
        non_empty(v)?),
    setting!("secret.key", |c, v| credentials(c).secret_key =
        non_empty(v)?),
    setting!("security.token", |c, v| credentials(c).security_token =
        optional(v)),
    setting!("vip.channel", |c, v| c.vip_channel = parse_bool(v)?),
    setting!("serialize.type", |c, v| {
        c.serialize_type = match v.trim().to_ascii_lowercase().as_str() {
            "json" => SerializeType::Json,
            "rocketmq" => SerializeType::RocketMq,
            _ => return Err(format!("expected json or rocketmq, got {v:?}")),
        }
    }),
    setting!("language", |c, v| {
        c.language = LanguageCode::from_name(&v.trim().to_ascii_uppercase()).ok_or_else(|| {
            format!("expected a RocketMQ language name such as CPP, GO or OTHER, got {v:?}")
        })?
    }),
    setting!("route.refresh.interval.ms", |c, v| c
        .route_refresh_interval =
        parse_ms(v)?),
    setting!("heartbeat.interval.ms", |c, v| c.heartbeat_interval =
        parse_ms(v)?),
    setting!("persist.offset.interval.ms", |c, v| c
        .persist_offset_interval =
        parse_ms(v)?),
    setting!("api.timeout.ms", |c, v| c.api_timeout = parse_ms(v)?),
    setting!("connect.timeout.ms", |c, v| c.connect_timeout =
        parse_ms(v)?),
    setting!("max.frame.bytes", |c, v| c.max_frame = parse_size(v)?),
];

/// Keys of producers (and transaction producers).
pub(crate) static PRODUCER_SETTINGS: &[Setting<ProducerConfig>] = &[
    setting!("group", |c, v| c.group = non_empty(v)?),
    setting!("send.timeout.ms", |c, v| c.send_timeout = parse_ms(v)?),
    setting!("attempt.timeout.ms", |c, v| {
        let ms: u64 = parse_num(v, "a number of milliseconds (0: off)")?;
        c.attempt_timeout = (ms > 0).then(|| Duration::from_millis(ms))
    }),
    setting!("retry.times", |c, v| c.retry_times =
        parse_num(v, "a count of retries")?),
    setting!("retry.another.broker.when.not.store.ok", |c, v| {
        c.retry_another_broker_when_not_store_ok = parse_bool(v)?
    }),
    setting!("compress.threshold.bytes", |c, v| c.compress_over =
        parse_num(v, "a number of bytes")?),
    setting!("compress.type", |c, v| {
        c.compress_type = CompressionType::from_name(v)
            .ok_or_else(|| format!("expected zlib, lz4 or zstd, got {v:?}"))?
    }),
    setting!("compress.level", |c, v| c.compress_level =
        parse_num(v, "a compression level")?),
    setting!("max.message.bytes", |c, v| c.max_message_size =
        parse_size(v)?),
    setting!("create.topic.key", |c, v| c.create_topic_key =
        non_empty(v)?),
    setting!("default.topic.queue.nums", |c, v| {
        let n: i32 = parse_num(v, "a positive number of queues")?;
        if n <= 0 {
            return Err(format!("expected a positive number of queues, got {v:?}"));
        }
        c.default_topic_queue_nums = n
    }),
    setting!("send.latency.fault.enable", |c, v| c
        .fault
        .send_latency_enable =
        parse_bool(v)?),
    setting!("start.detector.enable", |c, v| c
        .fault
        .start_detector_enable =
        parse_bool(v)?),
    setting!("detect.interval.ms", |c, v| {
        c.fault.detect_interval_ms = parse_ms(v)?.as_millis() as i64
    }),
    setting!("detect.timeout.ms", |c, v| {
        c.fault.detect_timeout_ms = parse_ms(v)?.as_millis() as i64
    }),
    setting!("latency.table", |c, v| {
        c.fault.table = match v.trim().to_ascii_lowercase().as_str() {
            "v4" => LatencyTable::v4(),
            "v5" => LatencyTable::v5(),
            _ => return Err(format!("expected v4 or v5, got {v:?}")),
        }
    }),
    setting!("max.inflight.async", |c, v| c.max_inflight_async =
        parse_size(v)?),
    setting!("max.inflight.bytes", |c, v| c.max_inflight_bytes =
        parse_size(v)?),
    setting!("back.pressure", |c, v| {
        c.back_pressure = match v.trim().to_ascii_lowercase().as_str() {
            "wait" => BackPressure::Wait,
            "fail" => BackPressure::Fail,
            _ => return Err(format!("expected wait or fail, got {v:?}")),
        }
    }),
    setting!("send.header.v2", |c, v| c.send_header_v2 = parse_bool(v)?),
];

fn parse_model(v: &str) -> Result<MessageModel, String> {
    match v.trim().to_ascii_lowercase().as_str() {
        "clustering" => Ok(MessageModel::Clustering),
        "broadcasting" => Ok(MessageModel::Broadcasting),
        _ => Err(format!("expected clustering or broadcasting, got {v:?}")),
    }
}

/// `last_offset`, `first_offset`, `timestamp`, or the Java names
/// (`CONSUME_FROM_LAST_OFFSET`, ...), in any case.
fn parse_from_where(v: &str) -> Result<ConsumeFromWhere, String> {
    let t = v.trim().to_ascii_lowercase();
    let t = t.strip_prefix("consume_from_").unwrap_or(&t);
    match t {
        "last_offset" => Ok(ConsumeFromWhere::LastOffset),
        "first_offset" => Ok(ConsumeFromWhere::FirstOffset),
        "timestamp" => Ok(ConsumeFromWhere::Timestamp),
        _ => Err(format!(
            "expected last_offset, first_offset or timestamp, got {v:?}"
        )),
    }
}

/// Ms since the epoch; empty unsets.
fn parse_timestamp(v: &str) -> Result<Option<i64>, String> {
    if v.trim().is_empty() {
        return Ok(None);
    }
    let ms: i64 = parse_num(v, "milliseconds since the Unix epoch")?;
    if ms < 0 {
        return Err(format!(
            "expected milliseconds since the Unix epoch, got {v:?}"
        ));
    }
    Ok(Some(ms))
}

fn parse_strategy(
    v: &str,
) -> Result<std::sync::Arc<dyn crate::consumer::allocate::AllocateStrategy>, String> {
    crate::consumer::allocate::strategy_by_name(&v.trim().to_ascii_uppercase())
        .map_err(|e| e.message().to_owned())
}

fn parse_i32_positive(v: &str) -> Result<i32, String> {
    let n: i32 = parse_num(v, "a positive number")?;
    if n <= 0 {
        return Err(format!("expected a positive number, got {v:?}"));
    }
    Ok(n)
}

/// Milliseconds, 0 allowed.
fn parse_ms_or_zero(v: &str) -> Result<Duration, String> {
    Ok(Duration::from_millis(parse_num(
        v,
        "a number of milliseconds",
    )?))
}

/// A positive number; 0 or empty means off.
fn parse_optional_size(v: &str) -> Result<Option<usize>, String> {
    if v.trim().is_empty() {
        return Ok(None);
    }
    let n: usize = parse_num(v, "a number (0: off)")?;
    Ok((n > 0).then_some(n))
}

/// The keys push and lite pull consumers share (their configs name these
/// fields alike), followed by a role's own keys.
macro_rules! consumer_settings {
    ($($own:expr),* $(,)?) => {
        &[
            setting!("group", |c, v| c.group = non_empty(v)?),
            setting!("message.model", |c, v| c.message_model = parse_model(v)?),
            setting!("consume.from.where", |c, v| c.consume_from_where =
                parse_from_where(v)?),
            setting!("consume.timestamp", |c, v| c.consume_timestamp =
                parse_timestamp(v)?),
            setting!("allocate.strategy", |c, v| c.allocate_strategy =
                parse_strategy(v)?),
            setting!("pull.batch.size", |c, v| c.pull_batch_size =
                parse_i32_positive(v)?),
            setting!("pull.threshold.for.queue", |c, v| c
                .pull_threshold_for_queue =
                parse_size(v)?),
            setting!("pull.threshold.size.for.queue", |c, v| c
                .pull_threshold_size_for_queue =
                parse_size(v)?),
            setting!("broker.suspend.max.time.ms", |c, v| c
                .broker_suspend_max_time =
                parse_ms(v)?),
            setting!("pull.timeout.ms", |c, v| c.pull_timeout = parse_ms(v)?),
            setting!("rebalance.interval.ms", |c, v| c.rebalance_interval =
                parse_ms(v)?),
            setting!("local.offset.dir", |c, v| c.local_offset_dir =
                optional(v).map(Into::into)),
            $($own),*
        ]
    };
}

/// Keys of push consumers.
pub(crate) static PUSH_CONSUMER_SETTINGS: &[Setting<PushConsumerConfig>] = consumer_settings![
    setting!("consume.thread.count", |c, v| c.consume_thread_count =
        parse_size(v)?),
    setting!("consume.batch.size", |c, v| c.consume_batch_size =
        parse_size(v)?),
    setting!("pull.batch.size.bytes", |c, v| c.pull_batch_size_in_bytes =
        parse_i32_positive(v)?),
    setting!("pull.interval.ms", |c, v| c.pull_interval =
        parse_ms_or_zero(v)?),
    setting!("pull.threshold.for.topic", |c, v| c
        .pull_threshold_for_topic =
        parse_optional_size(v)?),
    setting!("pull.threshold.size.for.topic", |c, v| c
        .pull_threshold_size_for_topic =
        parse_optional_size(v)?),
    setting!("consume.concurrently.max.span", |c, v| {
        c.consume_concurrently_max_span = parse_i32_positive(v)? as i64
    }),
    setting!("max.reconsume.times", |c, v| {
        c.max_reconsume_times = if v.trim().is_empty() {
            None
        } else {
            let n: i32 = parse_num(v, "a number of deliveries (-1: the default)")?;
            if n < -1 {
                return Err(format!("expected -1 or more, got {v:?}"));
            }
            (n >= 0).then_some(n)
        }
    }),
    setting!("suspend.current.queue.time.ms", |c, v| c
        .suspend_current_queue_time =
        parse_ms(v)?),
    setting!("consume.timeout.ms", |c, v| c.consume_timeout =
        parse_ms(v)?),
    setting!("lock.interval.ms", |c, v| c.lock_interval = parse_ms(v)?),
    setting!("post.subscription.when.pull", |c, v| c
        .post_subscription_when_pull =
        parse_bool(v)?),
    setting!("shutdown.timeout.ms", |c, v| c.shutdown_timeout =
        parse_ms(v)?),
    setting!("queue.drain.timeout.ms", |c, v| c.queue_drain_timeout =
        parse_ms(v)?),
];

/// Keys of lite pull consumers.
pub(crate) static PULL_CONSUMER_SETTINGS: &[Setting<LitePullConsumerConfig>] = consumer_settings![
    setting!("pull.threshold.for.all", |c, v| c.pull_threshold_for_all =
        parse_size(v)?),
    setting!("auto.commit", |c, v| c.auto_commit = parse_bool(v)?),
    setting!("auto.commit.interval.ms", |c, v| c.auto_commit_interval =
        parse_ms(v)?),
    setting!("pull.delay.on.error.ms", |c, v| c.pull_delay_on_error =
        parse_ms_or_zero(v)?),
];

fn apply<T>(table: &[Setting<T>], target: &mut T, key: &str, value: &str) -> FfiResult<bool> {
    match table.iter().find(|s| s.key == key) {
        Some(s) => (s.apply)(target, value)
            .map(|()| true)
            .map_err(|why| rmq_error_t::invalid(format!("setting {key}: {why}"))),
        None => Ok(false),
    }
}

/// The producer settings of `cfg`; keys of other roles are ignored with a warning.
pub(crate) fn producer_config(cfg: &rmq_config_t) -> FfiResult<ProducerConfig> {
    let mut pc = ProducerConfig::default();
    apply_all(
        cfg,
        |c| &mut c.client,
        PRODUCER_SETTINGS,
        &mut pc,
        "producer",
    )?;
    require_client(&pc.client, &pc.group, "producer")?;
    Ok(pc)
}

/// The client settings of `cfg` for an admin client; other keys are ignored
/// with a warning.
pub(crate) fn admin_config(cfg: &rmq_config_t) -> FfiResult<ClientConfig> {
    let mut c = ClientConfig::default();
    apply_all(cfg, |c| c, &[], &mut c, "an admin client")?;
    require_client(&c, "-", "admin")?;
    Ok(c)
}

/// Checks the settings every client needs.
fn require_client(client: &ClientConfig, group: &str, what: &str) -> FfiResult<()> {
    if client.namesrv_addr.is_empty() {
        return Err(rmq_error_t::invalid(
            "the setting namesrv.addr (name servers, host:port;host:port) is required",
        ));
    }
    if group.is_empty() {
        return Err(rmq_error_t::invalid(format!(
            "the setting group (the {what} group) is required"
        )));
    }
    Ok(())
}

/// Applies the client keys and a role's keys of `cfg` to `target`; other
/// keys are ignored with a warning naming `what`.
fn apply_all<T>(
    cfg: &rmq_config_t,
    client: fn(&mut T) -> &mut ClientConfig,
    table: &[Setting<T>],
    target: &mut T,
    what: &str,
) -> FfiResult<()> {
    for (key, value) in cfg.settings() {
        let used = apply(CLIENT_SETTINGS, client(target), key, value)?
            || apply(table, target, key, value)?;
        if !used {
            crate::log::warn(
                "config",
                format_args!("setting {key} does not apply to {what}; ignored"),
            );
        }
    }
    Ok(())
}

/// The push consumer settings of `cfg`; keys of other roles are ignored with a warning.
pub(crate) fn push_consumer_config(cfg: &rmq_config_t) -> FfiResult<PushConsumerConfig> {
    let mut pc = PushConsumerConfig::new(String::new(), String::new());
    apply_all(
        cfg,
        |c| &mut c.client,
        PUSH_CONSUMER_SETTINGS,
        &mut pc,
        "a push consumer",
    )?;
    require_client(&pc.client, &pc.group, "consumer")?;
    if let Some(a) = cfg.allocate() {
        pc.allocate_strategy = a;
    }
    Ok(pc)
}

/// The lite pull consumer settings of `cfg`; keys of other roles are ignored with a warning.
pub(crate) fn pull_consumer_config(cfg: &rmq_config_t) -> FfiResult<LitePullConsumerConfig> {
    let mut pc = LitePullConsumerConfig::new(String::new(), String::new());
    apply_all(
        cfg,
        |c| &mut c.client,
        PULL_CONSUMER_SETTINGS,
        &mut pc,
        "a lite pull consumer",
    )?;
    require_client(&pc.client, &pc.group, "consumer")?;
    if let Some(a) = cfg.allocate() {
        pc.allocate_strategy = a;
    }
    Ok(pc)
}

/// A new, empty configuration. Never NULL (except when out of memory, which aborts).
/// Free it with `rmq_config_free` unless a constructor took it.
#[no_mangle]
pub extern "C" fn rmq_config_new() -> *mut rmq_config_t {
    infallible(std::ptr::null_mut(), || {
        Box::into_raw(Box::new(rmq_config_t {
            settings: Vec::new(),
            allocate: None,
        }))
    })
}

/// Sets `key` to `value` (both NUL-terminated UTF-8, copied). A later set of
/// the same key replaces the value. Fails with `RMQ_ERR_UNKNOWN_CONFIG` for a
/// key no role knows and `RMQ_ERR_INVALID_ARG` for a value the key does not
/// accept; `cfg` is unchanged then. An empty value unsets optional keys.
///
/// Client keys (every role):
/// - `namesrv.addr` (required): name servers, `host:port;host:port`
/// - `instance.name`: clients sharing IP, instance name and name servers share
///   connections; `DEFAULT` (the default) gives each client its own
/// - `client.ip`: the IP in the client id (default: found from the interfaces)
/// - `unit.name`, `namespace` (v1, names wrapped as `ns%name`), `namespace.v2` (5.x)
/// - `access.key`, `secret.key`, `security.token`: ACL credentials (both keys or neither)
/// - `vip.channel` (`false`): send through brokers' VIP port
/// - `serialize.type` (`json` | `rocketmq`): request header encoding
/// - `language` (`OTHER`): the language code sent to servers (`CPP`, `GO`, ...)
/// - `route.refresh.interval.ms` (30000), `heartbeat.interval.ms` (30000),
///   `persist.offset.interval.ms` (5000), `api.timeout.ms` (3000),
///   `connect.timeout.ms` (3000), `max.frame.bytes` (16777216)
///
/// Producer keys:
/// - `group` (required): the producer group
/// - `send.timeout.ms` (3000): total time of a send, retries included
/// - `attempt.timeout.ms` (0, off): time of one attempt
/// - `retry.times` (2): extra attempts after a retriable failure (sync and async)
/// - `retry.another.broker.when.not.store.ok` (`false`)
/// - `compress.threshold.bytes` (4096), `compress.type` (`zlib` | `lz4` | `zstd`),
///   `compress.level` (5)
/// - `max.message.bytes` (4194304)
/// - `create.topic.key` (`TBW102`), `default.topic.queue.nums` (4)
/// - `send.latency.fault.enable` (`false`), `start.detector.enable` (`false`),
///   `detect.interval.ms` (2000), `detect.timeout.ms` (200), `latency.table` (`v5` | `v4`)
/// - `max.inflight.async` (10000), `max.inflight.bytes` (104857600): bounds on async sends
/// - `back.pressure` (`wait` | `fail`): what an async send does at those bounds
/// - `send.header.v2` (`true`): the short send header
///
/// Push consumer keys (`rmq_push_consumer_new`):
/// - `group` (required): the consumer group
/// - `message.model` (`clustering` | `broadcasting`)
/// - `consume.from.where` (`last_offset` | `first_offset` | `timestamp`): where a
///   group with no stored offset starts; `consume.timestamp`: for `timestamp`, ms
///   since the Unix epoch (default: half an hour before the start)
/// - `allocate.strategy` (`AVG` | `AVG_BY_CIRCLE` | `CONSISTENT_HASH`): how the
///   group shares queues (`rmq_config_set_allocate` sets a strategy of your own)
/// - `consume.thread.count` (20): threads running listeners (1..=1000)
/// - `consume.batch.size` (1): most messages per listener call (1..=1024)
/// - `pull.batch.size` (32): most messages per pull (1..=1024);
///   `pull.batch.size.bytes` (262144): most bytes per pull (5.x brokers)
/// - `pull.interval.ms` (0): pause between pulls of a queue
/// - `pull.threshold.for.queue` (1000), `pull.threshold.size.for.queue` (100, MiB):
///   cached per queue before pulling pauses
/// - `pull.threshold.for.topic`, `pull.threshold.size.for.topic` (MiB): cached per
///   topic, shared by its queues (0 or empty: off, the default)
/// - `consume.concurrently.max.span` (2000): largest offset span cached per queue
/// - `max.reconsume.times` (-1: 16 concurrently, unlimited orderly): deliveries
///   before the dead-letter queue
/// - `suspend.current.queue.time.ms` (1000): orderly pause after a failed batch
/// - `consume.timeout.ms` (900000): messages in a listener longer are sent back
/// - `rebalance.interval.ms` (20000), `lock.interval.ms` (20000, orderly)
/// - `broker.suspend.max.time.ms` (15000), `pull.timeout.ms` (30000): long polling
/// - `post.subscription.when.pull` (`false`)
/// - `shutdown.timeout.ms` (10000): how long shutdown waits for listeners
/// - `queue.drain.timeout.ms` (5000): how long a queue moving to another
///   consumer waits for its listeners
/// - `local.offset.dir` (`~/.rocketmq_offsets`): broadcasting offset files
///
/// Lite pull consumer keys (`rmq_pull_consumer_new`): `group` (required),
/// `message.model`, `consume.from.where`, `consume.timestamp`,
/// `allocate.strategy`, `local.offset.dir` as above, and:
/// - `pull.batch.size` (10): most messages per pull and per poll
/// - `pull.threshold.for.all` (10000), `pull.threshold.for.queue` (1000),
///   `pull.threshold.size.for.queue` (100, MiB): buffered before pulling pauses
/// - `auto.commit` (`true`), `auto.commit.interval.ms` (5000, at least 1000)
/// - `broker.suspend.max.time.ms` (20000), `pull.timeout.ms` (30000)
/// - `pull.delay.on.error.ms` (1000), `rebalance.interval.ms` (20000)
///
/// Booleans accept `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`.
#[no_mangle]
pub extern "C" fn rmq_config_set(
    cfg: *mut rmq_config_t,
    key: *const c_char,
    value: *const c_char,
) -> *mut rmq_error_t {
    fallible(|| {
        // SAFETY: the header requires live, NUL-terminated arguments or NULL.
        let (cfg, key, value) = unsafe {
            (
                arg_mut(cfg, "cfg")?,
                arg_str(key, "key")?,
                arg_str(value, "value")?,
            )
        };
        let role = ROLES.iter().find(|r| (r.has)(key)).ok_or_else(|| {
            rmq_error_t::new(
                rmq_err_t::RMQ_ERR_UNKNOWN_CONFIG,
                format!("unknown setting {key:?}"),
            )
        })?;
        (role.check)(key, value).map_err(|why| {
            rmq_error_t::invalid(format!("setting {key} ({} setting): {why}", role.name))
        })?;
        let v = c_string(value);
        match cfg.settings.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = v,
            None => cfg.settings.push((key.to_owned(), v)),
        }
        Ok(())
    })
}

/// The value `key` was set to, borrowed from `cfg` until `cfg` is changed or
/// freed; NULL when unset or when an argument is NULL or not UTF-8.
#[no_mangle]
pub extern "C" fn rmq_config_get(cfg: *const rmq_config_t, key: *const c_char) -> *const c_char {
    infallible(std::ptr::null(), || {
        // SAFETY: the header requires live arguments or NULL.
        let (Ok(cfg), Ok(key)) = (unsafe { arg_ref(cfg, "cfg") }, unsafe {
            arg_str(key, "key")
        }) else {
            return std::ptr::null();
        };
        cfg.settings
            .iter()
            .find(|(k, _)| k == key)
            .map_or(std::ptr::null(), |(_, v)| v.as_ptr())
    })
}

/// Frees a configuration no constructor took. NULL is a no-op.
#[no_mangle]
pub extern "C" fn rmq_config_free(cfg: *mut rmq_config_t) {
    infallible((), || {
        // SAFETY: NULL or an owned config, not used again (header contract).
        unsafe { free_box(cfg) }
    })
}

/// Takes ownership of a config passed to a constructor (NULL stays NULL).
///
/// # Safety
/// `cfg` is NULL or an owned config that the caller will not use again.
pub(crate) unsafe fn take(cfg: *mut rmq_config_t) -> Option<Box<rmq_config_t>> {
    (!cfg.is_null()).then(|| Box::from_raw(cfg))
}

/// What every constructor does around building its handle: takes `config`
/// (owned whatever happens), checks `out`, refuses in a forked child, keeps
/// SIGPIPE off the library's threads, builds the handle from the settings
/// with `build` and writes it, owned, to `*out`. `build` is dropped unrun
/// when a check fails.
pub(crate) fn construct<H>(
    config: *mut rmq_config_t,
    out: *mut *mut H,
    build: impl FnOnce(&rmq_config_t) -> FfiResult<H>,
) -> *mut rmq_error_t {
    fallible(|| {
        // SAFETY: NULL or an owned config handed over (every constructor's
        // header contract).
        let cfg = unsafe { take(config) };
        check_out(out, "out")?;
        let cfg = cfg.ok_or_else(|| rmq_error_t::null_arg("config"))?;
        super::handle::check_not_forked()?;
        super::signals::init();
        let handle = build(&cfg)?;
        // SAFETY: `out` was checked.
        unsafe { write_out(out, Box::new(handle)) };
        Ok(())
    })
}

/// Every key of every table (for documentation checks).
#[cfg(test)]
pub(crate) fn all_keys() -> Vec<&'static str> {
    CLIENT_SETTINGS
        .iter()
        .map(|s| s.key)
        .chain(PRODUCER_SETTINGS.iter().map(|s| s.key))
        .chain(PUSH_CONSUMER_SETTINGS.iter().map(|s| s.key))
        .chain(PULL_CONSUMER_SETTINGS.iter().map(|s| s.key))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    fn set(cfg: *mut rmq_config_t, k: &CStr, v: &CStr) -> Result<(), (rmq_err_t, String)> {
        let e = rmq_config_set(cfg, k.as_ptr(), v.as_ptr());
        if e.is_null() {
            return Ok(());
        }
        let r = unsafe { ((*e).code(), (*e).message_str().to_owned()) };
        super::super::error::rmq_error_free(e);
        Err(r)
    }

    #[test]
    fn keys_values_and_errors() {
        let cfg = rmq_config_new();
        set(cfg, c"namesrv.addr", c"127.0.0.1:9876").unwrap();
        set(cfg, c"group", c"g1").unwrap();
        set(cfg, c"send.timeout.ms", c"5000").unwrap();
        set(cfg, c"compress.type", c"ZSTD").unwrap();
        set(cfg, c"back.pressure", c"fail").unwrap();
        set(cfg, c"access.key", c"ak").unwrap();
        set(cfg, c"secret.key", c"sk").unwrap();
        set(cfg, c"group", c"g2").unwrap();
        let (code, msg) = set(cfg, c"no.such.key", c"1").unwrap_err();
        assert_eq!(code, rmq_err_t::RMQ_ERR_UNKNOWN_CONFIG);
        assert!(msg.contains("no.such.key"));
        let (code, msg) = set(cfg, c"send.timeout.ms", c"soon").unwrap_err();
        assert_eq!(code, rmq_err_t::RMQ_ERR_INVALID_ARG);
        assert!(
            msg.contains("send.timeout.ms") && msg.contains("soon"),
            "{msg}"
        );
        assert!(set(cfg, c"send.timeout.ms", c"0").is_err());
        assert!(set(cfg, c"vip.channel", c"maybe").is_err());
        assert!(set(cfg, c"namesrv.addr", c"nonsense").is_err());
        assert!(set(cfg, c"client.ip", c"not-an-ip").is_err());
        let got = rmq_config_get(cfg, c"group".as_ptr());
        assert_eq!(unsafe { CStr::from_ptr(got) }.to_bytes(), b"g2");
        assert!(rmq_config_get(cfg, c"retry.times".as_ptr()).is_null());
        let pc = producer_config(unsafe { &*cfg }).unwrap();
        assert_eq!(pc.group, "g2");
        assert_eq!(pc.send_timeout, Duration::from_secs(5));
        assert_eq!(pc.compress_type, CompressionType::Zstd);
        assert_eq!(pc.back_pressure, BackPressure::Fail);
        assert_eq!(pc.client.credentials.as_ref().unwrap().secret_key, "sk");
        pc.validate().unwrap();
        rmq_config_free(cfg);
    }

    #[test]
    fn null_and_bad_utf8_arguments_are_errors() {
        let cfg = rmq_config_new();
        for (c, k, v) in [
            (std::ptr::null_mut(), c"group".as_ptr(), c"g".as_ptr()),
            (cfg, std::ptr::null(), c"g".as_ptr()),
            (cfg, c"group".as_ptr(), std::ptr::null()),
        ] {
            let e = rmq_config_set(c, k, v);
            assert_eq!(unsafe { (*e).code() }, rmq_err_t::RMQ_ERR_NULL_ARG);
            super::super::error::rmq_error_free(e);
        }
        let bad = [0xffu8, 0xfe, 0];
        let e = rmq_config_set(cfg, c"group".as_ptr(), bad.as_ptr().cast());
        assert_eq!(unsafe { (*e).code() }, rmq_err_t::RMQ_ERR_INVALID_ARG);
        super::super::error::rmq_error_free(e);
        assert!(rmq_config_get(std::ptr::null(), c"group".as_ptr()).is_null());
        assert!(rmq_config_get(cfg, std::ptr::null()).is_null());
        rmq_config_free(cfg);
        rmq_config_free(std::ptr::null_mut());
    }

    #[test]
    fn required_settings() {
        let cfg = rmq_config_new();
        let e = producer_config(unsafe { &*cfg }).unwrap_err();
        assert!(e.message_str().contains("namesrv.addr"));
        set(cfg, c"namesrv.addr", c"127.0.0.1:9876").unwrap();
        let e = producer_config(unsafe { &*cfg }).unwrap_err();
        assert!(e.message_str().contains("group"));
        rmq_config_free(cfg);
    }

    #[test]
    fn consumer_keys() {
        let cfg = rmq_config_new();
        set(cfg, c"namesrv.addr", c"127.0.0.1:9876").unwrap();
        set(cfg, c"group", c"cg").unwrap();
        set(cfg, c"message.model", c"BROADCASTING").unwrap();
        set(cfg, c"consume.from.where", c"CONSUME_FROM_TIMESTAMP").unwrap();
        set(cfg, c"consume.timestamp", c"1700000000000").unwrap();
        set(cfg, c"allocate.strategy", c"avg_by_circle").unwrap();
        set(cfg, c"consume.thread.count", c"4").unwrap();
        set(cfg, c"consume.batch.size", c"8").unwrap();
        set(cfg, c"pull.batch.size", c"16").unwrap();
        set(cfg, c"pull.interval.ms", c"0").unwrap();
        set(cfg, c"pull.threshold.for.topic", c"0").unwrap();
        set(cfg, c"pull.threshold.size.for.topic", c"50").unwrap();
        set(cfg, c"max.reconsume.times", c"-1").unwrap();
        set(cfg, c"suspend.current.queue.time.ms", c"200").unwrap();
        set(cfg, c"shutdown.timeout.ms", c"3000").unwrap();
        set(cfg, c"local.offset.dir", c"/tmp/offsets").unwrap();
        set(cfg, c"auto.commit", c"off").unwrap();
        set(cfg, c"pull.threshold.for.all", c"500").unwrap();
        for (k, v) in [
            (c"message.model", c"sometimes"),
            (c"consume.from.where", c"middle"),
            (c"consume.timestamp", c"-3"),
            (c"allocate.strategy", c"CONFIG"),
            (c"allocate.strategy", c"RANDOM"),
            (c"consume.thread.count", c"0"),
            (c"pull.batch.size", c"-1"),
            (c"max.reconsume.times", c"-2"),
            (c"auto.commit", c"maybe"),
        ] {
            let (code, msg) = set(cfg, k, v).unwrap_err();
            assert_eq!(code, rmq_err_t::RMQ_ERR_INVALID_ARG, "{k:?}");
            assert!(msg.contains(k.to_str().unwrap()), "{msg}");
        }
        let push = push_consumer_config(unsafe { &*cfg }).unwrap();
        assert_eq!(push.group, "cg");
        assert_eq!(push.message_model, MessageModel::Broadcasting);
        assert_eq!(push.consume_from_where, ConsumeFromWhere::Timestamp);
        assert_eq!(push.consume_timestamp, Some(1_700_000_000_000));
        assert_eq!(push.allocate_strategy.name(), "AVG_BY_CIRCLE");
        assert_eq!(push.consume_thread_count, 4);
        assert_eq!(push.consume_batch_size, 8);
        assert_eq!(push.pull_batch_size, 16);
        assert_eq!(push.pull_threshold_for_topic, None);
        assert_eq!(push.pull_threshold_size_for_topic, Some(50));
        assert_eq!(push.max_reconsume_times, None);
        assert_eq!(push.suspend_current_queue_time, Duration::from_millis(200));
        assert_eq!(push.shutdown_timeout, Duration::from_secs(3));
        assert_eq!(
            push.local_offset_dir.as_deref(),
            Some(std::path::Path::new("/tmp/offsets"))
        );
        push.validate().unwrap();
        let pull = pull_consumer_config(unsafe { &*cfg }).unwrap();
        assert!(!pull.auto_commit);
        assert_eq!(pull.pull_threshold_for_all, 500);
        assert_eq!(pull.pull_batch_size, 16);
        assert_eq!(pull.message_model, MessageModel::Broadcasting);
        pull.validate().unwrap();
        rmq_config_free(cfg);
        let cfg = rmq_config_new();
        set(cfg, c"namesrv.addr", c"127.0.0.1:9876").unwrap();
        let e = push_consumer_config(unsafe { &*cfg }).unwrap_err();
        assert!(e.message_str().contains("group"));
        rmq_config_free(cfg);
    }

    #[test]
    fn every_key_is_documented_in_the_header() {
        let header = include_str!("../../include/rocketmq.h");
        for key in all_keys() {
            assert!(
                header.contains(&format!("`{key}`")),
                "{key} is not documented in rocketmq.h"
            );
        }
    }
}
