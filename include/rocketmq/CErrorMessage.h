/* Generated from src/ffi/compat/error_message.rs by scripts/gen-compat-headers. Do not edit by hand. */
/*
 * librocketmq: the rocketmq-client-cpp C API.
 *
 * `CErrorMessage.h`: the text of the last failure on the calling thread.
 */

#ifndef __C_ERROR_MESSAGE_H__
#define __C_ERROR_MESSAGE_H__

#include "CCommon.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Returns the text of the most recent failure recorded on the calling thread
 * (every non-OK return records one). Never NULL: "" before the first failure.
 * Not cleared by successful calls. The pointer stays valid until the next
 * failure is recorded on the same thread; do not free it.
 */
const char* GetLatestErrorMessage(void);

#ifdef __cplusplus
}
#endif

#endif /* __C_ERROR_MESSAGE_H__ */
