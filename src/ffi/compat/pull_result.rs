//! `CPullResult.h`: the result of `Pull`, returned and released by value.
// c:header CPullResult.h __C_PULL_RESULT_H__
// c:include CCommon.h
// c:include CMessageExt.h

use std::ffi::{c_int, c_longlong, c_void};

use super::message_ext::CMessageExt;

// c:enum E_CPullStatus
/// The outcome of a pull. E_BROKER_TIMEOUT also reports a failed pull or invalid arguments.
pub type CPullStatus = c_int;
pub const E_FOUND: CPullStatus = 0;
pub const E_NO_NEW_MSG: CPullStatus = 1;
pub const E_NO_MATCHED_MSG: CPullStatus = 2;
pub const E_OFFSET_ILLEGAL: CPullStatus = 3;
pub const E_BROKER_TIMEOUT: CPullStatus = 4;
// c:end

// c:struct _CPullResult_
/// A pull result. For E_FOUND, `msgFoundList` holds `size` messages valid
/// until `ReleasePullResult`; `pData` is the library's owner of them.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct CPullResult {
    pub pullStatus: CPullStatus,
    pub nextBeginOffset: c_longlong,
    pub minOffset: c_longlong,
    pub maxOffset: c_longlong,
    pub msgFoundList: *mut *mut CMessageExt,
    pub size: c_int,
    pub pData: *mut c_void,
}

impl CPullResult {
    pub(crate) fn zeroed(status: CPullStatus) -> Self {
        CPullResult {
            pullStatus: status,
            nextBeginOffset: 0,
            minOffset: 0,
            maxOffset: 0,
            msgFoundList: std::ptr::null_mut(),
            size: 0,
            pData: std::ptr::null_mut(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_matches_the_c_header() {
        assert_eq!(std::mem::size_of::<CPullResult>(), 56);
        assert_eq!(std::mem::align_of::<CPullResult>(), 8);
        assert_eq!(std::mem::offset_of!(CPullResult, nextBeginOffset), 8);
        assert_eq!(std::mem::offset_of!(CPullResult, msgFoundList), 32);
        assert_eq!(std::mem::offset_of!(CPullResult, size), 40);
        assert_eq!(std::mem::offset_of!(CPullResult, pData), 48);
        assert_eq!(CPullResult::zeroed(E_BROKER_TIMEOUT).pullStatus, 4);
    }
}
