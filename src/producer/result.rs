//! What a send returns.

use crate::protocol::MessageQueue;

/// How the broker stored a message (codes 0, 10, 12, 11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendStatus {
    SendOk,
    FlushDiskTimeout,
    FlushSlaveTimeout,
    SlaveNotAvailable,
}

impl SendStatus {
    /// The status of a send response code, or `None` when the code is an error.
    pub fn from_code(code: i32) -> Option<Self> {
        use crate::protocol::codes::response::*;
        match code {
            SUCCESS => Some(SendStatus::SendOk),
            FLUSH_DISK_TIMEOUT => Some(SendStatus::FlushDiskTimeout),
            FLUSH_SLAVE_TIMEOUT => Some(SendStatus::FlushSlaveTimeout),
            SLAVE_NOT_AVAILABLE => Some(SendStatus::SlaveNotAvailable),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            SendStatus::SendOk => "SEND_OK",
            SendStatus::FlushDiskTimeout => "FLUSH_DISK_TIMEOUT",
            SendStatus::FlushSlaveTimeout => "FLUSH_SLAVE_TIMEOUT",
            SendStatus::SlaveNotAvailable => "SLAVE_NOT_AVAILABLE",
        }
    }
}

/// The result of a successful send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendResult {
    pub status: SendStatus,
    /// The client message id (`UNIQ_KEY`); comma-joined for a batch.
    pub msg_id: String,
    /// The broker's offset message id; comma-joined for a batch.
    pub offset_msg_id: String,
    /// The queue, with the topic as the user named it (no namespace).
    pub queue: MessageQueue,
    pub queue_offset: i64,
    pub transaction_id: Option<String>,
    pub region_id: String,
    pub trace_on: bool,
}
