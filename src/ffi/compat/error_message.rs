//! `CErrorMessage.h`: the text of the last failure on the calling thread.
// c:header CErrorMessage.h __C_ERROR_MESSAGE_H__
// c:include CCommon.h

use std::ffi::c_char;

use super::boundary;

/// Returns the text of the most recent failure recorded on the calling thread
/// (every non-OK return records one). Never NULL: "" before the first failure.
/// Not cleared by successful calls. The pointer stays valid until the next
/// failure is recorded on the same thread; do not free it.
#[no_mangle]
pub extern "C" fn GetLatestErrorMessage() -> *const c_char {
    boundary::last_error()
}
