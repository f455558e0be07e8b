//! Settings of the transport.

use std::time::Duration;

use crate::protocol::command::DEFAULT_VERSION;
use crate::protocol::frame::DEFAULT_MAX_FRAME;
use crate::protocol::{LanguageCode, SerializeType};
use crate::{Error, Result};

/// Settings of a [`RemotingClient`](super::RemotingClient).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemotingConfig {
    /// How long a TCP connect may take (Java: 3 s).
    pub connect_timeout: Duration,
    /// The largest frame accepted from or sent to a server (`total_len`).
    pub max_frame: usize,
    /// How the headers of our commands are serialized (JSON by default).
    pub serialize_type: SerializeType,
    /// The language announced on every command we send.
    pub language: LanguageCode,
    /// The version (`MQVersion` ordinal) announced on every command we send.
    pub version: i32,
    /// Whether brokers are reached on their VIP port (port − 2) where the
    /// caller allows it. Off by default, as in Java since 4.5.1.
    pub vip_channel: bool,
    /// A connection with nothing read, nothing written and no request pending
    /// for this long is closed (Java: 120 s). `None` keeps idle connections.
    pub idle_timeout: Option<Duration>,
    /// How many commands may wait for a connection's writer before senders
    /// wait in turn.
    pub write_queue: usize,
}

impl Default for RemotingConfig {
    fn default() -> Self {
        RemotingConfig {
            connect_timeout: Duration::from_secs(3),
            max_frame: DEFAULT_MAX_FRAME,
            serialize_type: SerializeType::Json,
            language: LanguageCode::default(),
            version: DEFAULT_VERSION,
            vip_channel: false,
            idle_timeout: Some(Duration::from_secs(120)),
            write_queue: 16 * 1024,
        }
    }
}

impl RemotingConfig {
    /// Checks that every setting is usable.
    pub fn validate(&self) -> Result<()> {
        if self.connect_timeout.is_zero() {
            return Err(Error::invalid("the connect timeout must be positive"));
        }
        // A frame must at least hold the header length word and a small header.
        if self.max_frame < 64 || self.max_frame > i32::MAX as usize {
            return Err(Error::invalid(format!(
                "the maximum frame size must be between 64 and {} bytes, not {}",
                i32::MAX,
                self.max_frame
            )));
        }
        if matches!(self.idle_timeout, Some(d) if d.is_zero()) {
            return Err(Error::invalid(
                "the idle timeout must be positive (or unset)",
            ));
        }
        if self.write_queue == 0 {
            return Err(Error::invalid(
                "the write queue must hold at least one command",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_like_java() {
        let c = RemotingConfig::default();
        c.validate().unwrap();
        assert_eq!(c.connect_timeout, Duration::from_secs(3));
        assert_eq!(c.max_frame, 16 * 1024 * 1024);
        assert_eq!(c.serialize_type, SerializeType::Json);
        assert!(!c.vip_channel);
    }

    #[test]
    fn invalid_settings_are_refused() {
        for c in [
            RemotingConfig {
                connect_timeout: Duration::ZERO,
                ..Default::default()
            },
            RemotingConfig {
                max_frame: 3,
                ..Default::default()
            },
            RemotingConfig {
                idle_timeout: Some(Duration::ZERO),
                ..Default::default()
            },
            RemotingConfig {
                write_queue: 0,
                ..Default::default()
            },
        ] {
            assert_eq!(
                c.validate().unwrap_err().kind(),
                crate::ErrorKind::InvalidArgument
            );
        }
    }
}
