//! `CTransactionStatus.h`: what transaction callbacks return.
// c:header CTransactionStatus.h __C_TRANSACTION_STATUS_H__

use std::ffi::c_int;

use crate::producer::LocalTransactionState;

// c:enum E_CTransactionStatus
/// The state of a local transaction. Any value other than 0 or 1 returned by
/// a callback counts as UNKNOWN.
pub type CTransactionStatus = c_int;
pub const E_COMMIT_TRANSACTION: CTransactionStatus = 0;
pub const E_ROLLBACK_TRANSACTION: CTransactionStatus = 1;
pub const E_UNKNOWN_TRANSACTION: CTransactionStatus = 2;
// c:end

/// The engine state of a callback's answer.
pub(crate) fn to_state(status: CTransactionStatus) -> LocalTransactionState {
    match status {
        E_COMMIT_TRANSACTION => LocalTransactionState::Commit,
        E_ROLLBACK_TRANSACTION => LocalTransactionState::Rollback,
        _ => LocalTransactionState::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_other_value_is_unknown() {
        assert_eq!(to_state(0), LocalTransactionState::Commit);
        assert_eq!(to_state(1), LocalTransactionState::Rollback);
        assert_eq!(to_state(2), LocalTransactionState::Unknown);
        assert_eq!(to_state(-5), LocalTransactionState::Unknown);
        assert_eq!(to_state(77), LocalTransactionState::Unknown);
    }
}
