//! Settings shared by every producer and consumer of a client instance.

use std::time::Duration;

use crate::protocol::frame::DEFAULT_MAX_FRAME;
use crate::protocol::{LanguageCode, SerializeType};
use crate::remoting::namesrv::parse_namesrv_addrs;
use crate::remoting::RemotingConfig;
use crate::{Error, Result};

/// Access key, secret key and optional security token for ACL request signing.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Credentials {
    pub access_key: String,
    pub secret_key: String,
    pub security_token: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print secrets.
        f.debug_struct("Credentials")
            .field("access_key", &self.access_key)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    pub fn new(access_key: impl Into<String>, secret_key: impl Into<String>) -> Self {
        Credentials {
            access_key: access_key.into(),
            secret_key: secret_key.into(),
            security_token: None,
        }
    }
}

/// The instance name that means "give me an instance of my own".
pub const DEFAULT_INSTANCE_NAME: &str = "DEFAULT";

/// Client settings (Java's `ClientConfig`), with Java's defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// Name servers, `host:port;host:port`.
    pub namesrv_addr: String,
    /// Clients with the same IP, instance name, name servers and credentials
    /// share one instance. `DEFAULT` becomes `pid#nanos`, an instance of its own.
    pub instance_name: String,
    /// The IP in the client id; found from the host's interfaces when `None`.
    pub client_ip: Option<String>,
    pub unit_name: Option<String>,
    /// Namespace v1: resources are wrapped client-side as `{ns}%{name}`.
    pub namespace: Option<String>,
    /// Namespace v2 (5.x): sent as `ns`/`nsd` on every request, no wrapping.
    pub namespace_v2: Option<String>,
    pub credentials: Option<Credentials>,
    /// Send to brokers' VIP port (port − 2). Off by default.
    pub vip_channel: bool,
    /// Header serialization of our requests.
    pub serialize_type: SerializeType,
    pub language: LanguageCode,
    /// Topic route refresh (Java: 30 s).
    pub route_refresh_interval: Duration,
    /// Heartbeat to every broker (Java: 30 s).
    pub heartbeat_interval: Duration,
    /// Consumer offset persistence (Java: 5 s).
    pub persist_offset_interval: Duration,
    /// Timeout of management calls: routes, heartbeats, offsets (Java: 3 s).
    pub api_timeout: Duration,
    pub connect_timeout: Duration,
    /// Largest frame accepted or sent.
    pub max_frame: usize,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            namesrv_addr: String::new(),
            instance_name: DEFAULT_INSTANCE_NAME.to_owned(),
            client_ip: None,
            unit_name: None,
            namespace: None,
            namespace_v2: None,
            credentials: None,
            vip_channel: false,
            serialize_type: SerializeType::Json,
            language: LanguageCode::default(),
            route_refresh_interval: Duration::from_secs(30),
            heartbeat_interval: Duration::from_secs(30),
            persist_offset_interval: Duration::from_secs(5),
            api_timeout: Duration::from_secs(3),
            connect_timeout: Duration::from_secs(3),
            max_frame: DEFAULT_MAX_FRAME,
        }
    }
}

impl ClientConfig {
    /// A configuration for the given name servers, other settings default.
    pub fn new(namesrv_addr: impl Into<String>) -> Self {
        ClientConfig {
            namesrv_addr: namesrv_addr.into(),
            ..Default::default()
        }
    }

    /// Checks every setting, with a clear error for the first bad one.
    pub fn validate(&self) -> Result<()> {
        if self.namesrv_addr.trim().is_empty() {
            return Err(Error::invalid(
                "no name server address: set namesrv_addr (host:port;host:port)",
            ));
        }
        parse_namesrv_addrs(&self.namesrv_addr)?;
        if self.instance_name.trim().is_empty() {
            return Err(Error::invalid("the instance name is empty"));
        }
        for (what, d) in [
            ("route refresh interval", self.route_refresh_interval),
            ("heartbeat interval", self.heartbeat_interval),
            ("offset persist interval", self.persist_offset_interval),
            ("API timeout", self.api_timeout),
            ("connect timeout", self.connect_timeout),
        ] {
            if d.is_zero() {
                return Err(Error::invalid(format!("the {what} must be positive")));
            }
        }
        if let Some(c) = &self.credentials {
            if c.access_key.is_empty() || c.secret_key.is_empty() {
                return Err(Error::invalid(
                    "credentials need an access key and a secret key",
                ));
            }
        }
        self.remoting_config().validate()
    }

    /// The client IP used in the client id.
    pub fn resolved_client_ip(&self) -> String {
        self.client_ip
            .clone()
            .unwrap_or_else(|| crate::protocol::msg_id::client_ip().to_string())
    }

    /// `DEFAULT` replaced by `pid#nanos`, as the Java client does at start.
    pub fn resolved_instance_name(&self) -> String {
        if self.instance_name == DEFAULT_INSTANCE_NAME {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            format!("{}#{}", std::process::id(), nanos)
        } else {
            self.instance_name.clone()
        }
    }

    /// The transport settings these client settings imply.
    pub fn remoting_config(&self) -> RemotingConfig {
        RemotingConfig {
            connect_timeout: self.connect_timeout,
            max_frame: self.max_frame,
            serialize_type: self.serialize_type,
            language: self.language,
            vip_channel: self.vip_channel,
            ..RemotingConfig::default()
        }
    }
}

/// Makes a client id safe to use as one path component (local offset files).
pub fn path_safe(client_id: &str) -> String {
    client_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@' | '#') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation() {
        assert!(ClientConfig::default().validate().is_err());
        assert!(ClientConfig::new("127.0.0.1:9876").validate().is_ok());
        assert!(ClientConfig::new("127.0.0.1:9876;127.0.0.2:9876")
            .validate()
            .is_ok());
        assert!(ClientConfig::new("nonsense").validate().is_err());
        let mut c = ClientConfig::new("127.0.0.1:9876");
        c.heartbeat_interval = Duration::ZERO;
        assert!(c.validate().is_err());
    }

    #[test]
    fn default_instance_name_is_unique() {
        let c = ClientConfig::new("127.0.0.1:9876");
        let a = c.resolved_instance_name();
        assert!(a.starts_with(&format!("{}#", std::process::id())));
        let mut named = c.clone();
        named.instance_name = "orders".into();
        assert_eq!(named.resolved_instance_name(), "orders");
    }

    #[test]
    fn path_safety() {
        assert_eq!(path_safe("10.0.0.1@123#456"), "10.0.0.1@123#456");
        assert_eq!(path_safe("::1@a/b:c"), "__1@a_b_c");
    }

    #[test]
    fn credentials_never_print_secrets() {
        let c = Credentials::new("ak", "super-secret");
        assert!(!format!("{c:?}").contains("super-secret"));
    }
}
