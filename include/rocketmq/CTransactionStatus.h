/* Generated from src/ffi/compat/transaction_status.rs by scripts/gen-compat-headers. Do not edit by hand. */
/*
 * librocketmq: the rocketmq-client-cpp C API.
 *
 * `CTransactionStatus.h`: what transaction callbacks return.
 */

#ifndef __C_TRANSACTION_STATUS_H__
#define __C_TRANSACTION_STATUS_H__

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The state of a local transaction. Any value other than 0 or 1 returned by
 * a callback counts as UNKNOWN.
 */
typedef enum E_CTransactionStatus {
  E_COMMIT_TRANSACTION = 0,
  E_ROLLBACK_TRANSACTION = 1,
  E_UNKNOWN_TRANSACTION = 2
} CTransactionStatus;

#ifdef __cplusplus
}
#endif

#endif /* __C_TRANSACTION_STATUS_H__ */
