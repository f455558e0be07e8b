//! `rmq_config_t`: string settings consumed by constructors. Each role has a
//! table of the keys it understands; adding a role (consumers) means adding a
//! table and listing it in [`ROLES`].

use std::ffi::{c_char, CString};
use std::time::Duration;

use super::boundary::{arg_mut, arg_ref, arg_str, fallible, free_box, infallible};
use super::cstr::c_string;
use super::error::{rmq_err_t, rmq_error_t, FfiResult};
use crate::client::{ClientConfig, Credentials};
use crate::producer::fault::LatencyTable;
use crate::producer::{BackPressure, ProducerConfig};
use crate::protocol::compress::CompressionType;
use crate::protocol::{LanguageCode, SerializeType};

/// A set of string settings (`key` = `value`) for a producer (consumers later).
/// Not thread-safe: build it on one thread. Constructors take ownership of it,
/// whether they succeed or not.
#[allow(non_camel_case_types)]
pub struct rmq_config_t {
    /// In the order first set; a later set of the same key replaces the value.
    settings: Vec<(String, CString)>,
}

impl rmq_config_t {
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

fn table_check<T: Default>(table: &[Setting<T>], key: &str, value: &str) -> Result<(), String> {
    match table.iter().find(|s| s.key == key) {
        Some(s) => (s.apply)(&mut T::default(), value),
        None => Ok(()),
    }
}

/// Every role's keys. The client keys apply to every role.
pub(crate) static ROLES: &[Role] = &[
    Role {
        name: "client",
        has: |k| table_has(CLIENT_SETTINGS, k),
        check: |k, v| table_check(CLIENT_SETTINGS, k, v),
    },
    Role {
        name: "producer",
        has: |k| table_has(PRODUCER_SETTINGS, k),
        check: |k, v| table_check(PRODUCER_SETTINGS, k, v),
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
    for (key, value) in cfg.settings() {
        let used = apply(CLIENT_SETTINGS, &mut pc.client, key, value)?
            || apply(PRODUCER_SETTINGS, &mut pc, key, value)?;
        if !used {
            crate::log::warn(
                "config",
                format_args!("setting {key} does not apply to a producer; ignored"),
            );
        }
    }
    if pc.client.namesrv_addr.is_empty() {
        return Err(rmq_error_t::invalid(
            "the setting namesrv.addr (name servers, host:port;host:port) is required",
        ));
    }
    if pc.group.is_empty() {
        return Err(rmq_error_t::invalid(
            "the setting group (the producer group) is required",
        ));
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

/// Every key of every table (for documentation checks).
#[cfg(test)]
pub(crate) fn all_keys() -> Vec<&'static str> {
    CLIENT_SETTINGS
        .iter()
        .map(|s| s.key)
        .chain(PRODUCER_SETTINGS.iter().map(|s| s.key))
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
