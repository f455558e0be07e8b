//! `CSendResult.h`: the result of a send.
// c:header CSendResult.h __C_SEND_RESULT_H__
// c:include CCommon.h

use std::ffi::{c_char, c_int, c_longlong};

use super::boundary::fill_array;
use super::common::MAX_MESSAGE_ID_LENGTH;
use crate::producer::{SendResult, SendStatus};

// c:enum E_CSendStatus_
/// How the broker stored the message.
pub type CSendStatus = c_int;
pub const E_SEND_OK: CSendStatus = 0;
pub const E_SEND_FLUSH_DISK_TIMEOUT: CSendStatus = 1;
pub const E_SEND_FLUSH_SLAVE_TIMEOUT: CSendStatus = 2;
pub const E_SEND_SLAVE_NOT_AVAILABLE: CSendStatus = 3;
// c:end

// c:struct _SendResult_
/// A send result: status, the client message id (UNIQ_KEY; for a batch the
/// ids joined by commas, cut after the last whole id that fits) and the
/// queue offset the broker assigned.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct CSendResult {
    pub sendStatus: CSendStatus,
    pub msgId: [c_char; MAX_MESSAGE_ID_LENGTH],
    pub offset: c_longlong,
}

impl CSendResult {
    pub(crate) fn zeroed() -> Self {
        CSendResult {
            sendStatus: E_SEND_OK,
            msgId: [0; MAX_MESSAGE_ID_LENGTH],
            offset: 0,
        }
    }

    pub(crate) fn from_result(r: &SendResult) -> Self {
        let mut out = CSendResult::zeroed();
        out.sendStatus = match r.status {
            SendStatus::SendOk => E_SEND_OK,
            SendStatus::FlushDiskTimeout => E_SEND_FLUSH_DISK_TIMEOUT,
            SendStatus::FlushSlaveTimeout => E_SEND_FLUSH_SLAVE_TIMEOUT,
            SendStatus::SlaveNotAvailable => E_SEND_SLAVE_NOT_AVAILABLE,
        };
        let mut id = r.msg_id.as_str();
        while id.len() >= MAX_MESSAGE_ID_LENGTH {
            match id.rfind(',') {
                Some(i) => id = &id[..i],
                None => break,
            }
        }
        fill_array(&mut out.msgId, id);
        out.offset = r.queue_offset;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::MessageQueue;
    use std::ffi::CStr;

    fn result(id: &str, status: SendStatus) -> SendResult {
        SendResult {
            status,
            msg_id: id.into(),
            offset_msg_id: String::new(),
            queue: MessageQueue::new("T", "b", 0),
            queue_offset: 42,
            transaction_id: None,
            region_id: String::new(),
            trace_on: false,
        }
    }

    #[test]
    fn layout_matches_the_c_header() {
        assert_eq!(std::mem::size_of::<CSendResult>(), 272);
        assert_eq!(std::mem::align_of::<CSendResult>(), 8);
        assert_eq!(std::mem::offset_of!(CSendResult, msgId), 4);
        assert_eq!(std::mem::offset_of!(CSendResult, offset), 264);
    }

    #[test]
    fn converts_status_id_and_offset() {
        let c = CSendResult::from_result(&result("AB12", SendStatus::FlushSlaveTimeout));
        assert_eq!(c.sendStatus, E_SEND_FLUSH_SLAVE_TIMEOUT);
        assert_eq!(c.offset, 42);
        let id = unsafe { CStr::from_ptr(c.msgId.as_ptr()) }
            .to_str()
            .unwrap();
        assert_eq!(id, "AB12");
    }

    #[test]
    fn long_batch_ids_are_cut_at_a_whole_id() {
        let one = "0123456789ABCDEF0123456789ABCDEF";
        let ids = [one; 10].join(",");
        let c = CSendResult::from_result(&result(&ids, SendStatus::SendOk));
        let id = unsafe { CStr::from_ptr(c.msgId.as_ptr()) }
            .to_str()
            .unwrap();
        assert!(id.len() < MAX_MESSAGE_ID_LENGTH);
        assert_eq!(id, [one; 7].join(","));
    }
}
