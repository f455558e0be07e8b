//! The one error type of the engine.

use std::fmt;

/// What went wrong, in broad classes a caller can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// A caller passed something invalid (bad name, empty body, NULL, ...).
    InvalidArgument,
    /// Bytes on the wire could not be decoded (bad frame, bad header, bad message).
    Protocol,
    /// Connecting, reading or writing a socket failed, or the connection closed.
    Network,
    /// No answer within the time allowed.
    Timeout,
    /// The server answered with a non-success response code.
    Broker,
    /// The client has no route (topic unknown to the name servers, no broker address).
    NoRoute,
    /// The object was used before `start`.
    NotStarted,
    /// The object was shut down.
    ShutDown,
    /// A bound on in-flight work was reached and the configuration says fail.
    Busy,
    /// Compression or decompression failed.
    Compression,
    /// Anything else, including I/O on local files.
    Internal,
}

impl ErrorKind {
    /// Stable lower-case name, used in messages and by the C API.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidArgument => "invalid argument",
            ErrorKind::Protocol => "protocol error",
            ErrorKind::Network => "network error",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Broker => "broker error",
            ErrorKind::NoRoute => "no route",
            ErrorKind::NotStarted => "not started",
            ErrorKind::ShutDown => "shut down",
            ErrorKind::Busy => "busy",
            ErrorKind::Compression => "compression error",
            ErrorKind::Internal => "internal error",
        }
    }
}

/// An engine error: a kind, a human-readable message, the server's response
/// code and remark when there is one, and whether a retry may help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    response_code: Option<i32>,
    retriable: bool,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A new error of `kind`; retriable defaults by kind (network and timeout are).
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        let retriable = matches!(kind, ErrorKind::Network | ErrorKind::Timeout);
        Error {
            kind,
            message: message.into(),
            response_code: None,
            retriable,
        }
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidArgument, message)
    }
    pub fn protocol(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Protocol, message)
    }
    pub fn network(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Network, message)
    }
    pub fn timeout(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Timeout, message)
    }
    /// An error response from a server: `code` and its `remark`.
    pub fn broker(code: i32, remark: Option<&str>) -> Self {
        let mut e = Self::new(
            ErrorKind::Broker,
            format!(
                "server answered {} ({}): {}",
                code,
                crate::protocol::codes::response_code_name(code),
                remark.unwrap_or("")
            ),
        );
        e.response_code = Some(code);
        e
    }
    pub fn with_retriable(mut self, retriable: bool) -> Self {
        self.retriable = retriable;
        self
    }
    pub fn with_response_code(mut self, code: i32) -> Self {
        self.response_code = Some(code);
        self
    }
    /// Prefixes the message with context, keeping everything else.
    pub fn context(mut self, ctx: impl fmt::Display) -> Self {
        self.message = format!("{ctx}: {}", self.message);
        self
    }
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
    pub fn message(&self) -> &str {
        &self.message
    }
    pub fn response_code(&self) -> Option<i32> {
        self.response_code
    }
    pub fn is_retriable(&self) -> bool {
        self.retriable
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.as_str(), self.message)
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        match e.kind() {
            std::io::ErrorKind::TimedOut => Error::timeout(e.to_string()),
            _ => Error::network(e.to_string()),
        }
    }
}
