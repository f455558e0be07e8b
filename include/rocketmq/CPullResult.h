/* Generated from src/ffi/compat/pull_result.rs by scripts/gen-compat-headers. Do not edit by hand. */
/*
 * librocketmq: the rocketmq-client-cpp C API.
 *
 * `CPullResult.h`: the result of `Pull`, returned and released by value.
 */

#ifndef __C_PULL_RESULT_H__
#define __C_PULL_RESULT_H__

#include "CCommon.h"
#include "CMessageExt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The outcome of a pull. E_BROKER_TIMEOUT also reports a failed pull or invalid arguments. */
typedef enum E_CPullStatus {
  E_FOUND = 0,
  E_NO_NEW_MSG = 1,
  E_NO_MATCHED_MSG = 2,
  E_OFFSET_ILLEGAL = 3,
  E_BROKER_TIMEOUT = 4
} CPullStatus;

/*
 * A pull result. For E_FOUND, `msgFoundList` holds `size` messages valid
 * until `ReleasePullResult`; `pData` is the library's owner of them.
 */
typedef struct _CPullResult_ {
  CPullStatus pullStatus;
  long long nextBeginOffset;
  long long minOffset;
  long long maxOffset;
  CMessageExt** msgFoundList;
  int size;
  void* pData;
} CPullResult;

#ifdef __cplusplus
}
#endif

#endif /* __C_PULL_RESULT_H__ */
