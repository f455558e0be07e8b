//! Producer settings (Java's `DefaultMQProducer`), with Java's defaults.

use std::time::Duration;

use super::fault::FaultConfig;
use crate::client::ClientConfig;
use crate::common::validate;
use crate::protocol::compress::CompressionType;
use crate::{Error, Result};

/// What an async send does when the in-flight bound is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BackPressure {
    /// Wait until in-flight sends complete (the caller's thread blocks).
    #[default]
    Wait,
    /// Fail the send at once with [`ErrorKind::Busy`](crate::ErrorKind::Busy).
    Fail,
}

/// Producer settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProducerConfig {
    pub client: ClientConfig,
    /// The producer group (Java: must not be `DEFAULT_PRODUCER`).
    pub group: String,
    /// Total time a send may take, retries included (Java `sendMsgTimeout`, 3 s).
    pub send_timeout: Duration,
    /// Time one attempt may take; `None` gives each attempt what is left of
    /// the total (Java `sendMsgMaxTimeoutPerRequest`, off).
    pub attempt_timeout: Option<Duration>,
    /// Extra attempts of a sync or async send after a retriable failure (Java: 2).
    /// Oneway sends never retry.
    pub retry_times: u32,
    /// Also retry, on another broker, when the broker stored the message
    /// without flushing or replicating it (Java: off).
    pub retry_another_broker_when_not_store_ok: bool,
    /// Bodies of at least this many bytes are compressed (Java: 4096).
    pub compress_over: usize,
    pub compress_type: CompressionType,
    /// Compression level (zlib 0..=9, zstd 1..=22; lz4 ignores it). Java: 5.
    pub compress_level: i32,
    /// The largest body accepted (Java: 4 MiB).
    pub max_message_size: usize,
    /// Topic producers auto-create from (Java: `TBW102`).
    pub create_topic_key: String,
    /// Queues of an auto-created topic (Java: 4).
    pub default_topic_queue_nums: i32,
    /// Latency fault tolerance (off by default, as in Java).
    pub fault: FaultConfig,
    /// Async sends in flight at most (Java `backPressureForAsyncSendNum`: 1024… we allow more).
    pub max_inflight_async: usize,
    /// Bytes of async sends in flight at most (Java: 100 MiB).
    pub max_inflight_bytes: usize,
    pub back_pressure: BackPressure,
    /// Use the short V2 send header (Java default); V1 otherwise.
    pub send_header_v2: bool,
}

impl Default for ProducerConfig {
    fn default() -> Self {
        ProducerConfig {
            client: ClientConfig::default(),
            group: String::new(),
            send_timeout: Duration::from_secs(3),
            attempt_timeout: None,
            retry_times: 2,
            retry_another_broker_when_not_store_ok: false,
            compress_over: 4096,
            compress_type: CompressionType::Zlib,
            compress_level: 5,
            max_message_size: validate::DEFAULT_MAX_MESSAGE_SIZE,
            create_topic_key: crate::common::names::DEFAULT_TOPIC.to_owned(),
            default_topic_queue_nums: 4,
            fault: FaultConfig::default(),
            max_inflight_async: 10_000,
            max_inflight_bytes: 100 * 1024 * 1024,
            back_pressure: BackPressure::Wait,
            send_header_v2: true,
        }
    }
}

impl ProducerConfig {
    /// Settings for `group` on the given name servers.
    pub fn new(namesrv_addr: impl Into<String>, group: impl Into<String>) -> Self {
        ProducerConfig {
            client: ClientConfig::new(namesrv_addr),
            group: group.into(),
            ..Default::default()
        }
    }

    /// Checks every setting, with a clear error for the first bad one.
    pub fn validate(&self) -> Result<()> {
        self.client.validate()?;
        validate::check_producer_group(&self.group)?;
        if self.send_timeout.is_zero() {
            return Err(Error::invalid("the send timeout must be positive"));
        }
        if self.attempt_timeout.is_some_and(|d| d.is_zero()) {
            return Err(Error::invalid("the attempt timeout must be positive"));
        }
        if self.max_message_size == 0 || self.max_message_size > 1024 * 1024 * 1024 {
            return Err(Error::invalid(format!(
                "max message size {} is out of range (1 byte to 1 GiB)",
                self.max_message_size
            )));
        }
        let level_ok = match self.compress_type {
            CompressionType::Zlib => (0..=9).contains(&self.compress_level),
            CompressionType::Zstd => (-7..=22).contains(&self.compress_level),
            CompressionType::Lz4 => true,
        };
        if !level_ok {
            return Err(Error::invalid(format!(
                "compression level {} is out of range for {}",
                self.compress_level,
                self.compress_type.name()
            )));
        }
        if self.default_topic_queue_nums <= 0 {
            return Err(Error::invalid(
                "the default topic queue count must be positive",
            ));
        }
        if self.max_inflight_async == 0 || self.max_inflight_bytes == 0 {
            return Err(Error::invalid("the in-flight bounds must be positive"));
        }
        Ok(())
    }
}
