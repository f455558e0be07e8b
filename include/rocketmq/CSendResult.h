/* Generated from src/ffi/compat/send_result.rs by scripts/gen-compat-headers. Do not edit by hand. */
/*
 * librocketmq: the rocketmq-client-cpp C API.
 *
 * `CSendResult.h`: the result of a send.
 */

#ifndef __C_SEND_RESULT_H__
#define __C_SEND_RESULT_H__

#include "CCommon.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How the broker stored the message. */
typedef enum E_CSendStatus_ {
  E_SEND_OK = 0,
  E_SEND_FLUSH_DISK_TIMEOUT = 1,
  E_SEND_FLUSH_SLAVE_TIMEOUT = 2,
  E_SEND_SLAVE_NOT_AVAILABLE = 3
} CSendStatus;

/*
 * A send result: status, the client message id (UNIQ_KEY; for a batch the
 * ids joined by commas, cut after the last whole id that fits) and the
 * queue offset the broker assigned.
 */
typedef struct _SendResult_ {
  CSendStatus sendStatus;
  char msgId[MAX_MESSAGE_ID_LENGTH];
  long long offset;
} CSendResult;

#ifdef __cplusplus
}
#endif

#endif /* __C_SEND_RESULT_H__ */
