/* Generated from src/ffi/compat/mq_exception.rs by scripts/gen-compat-headers. Do not edit by hand. */
/*
 * librocketmq: the rocketmq-client-cpp C API.
 *
 * `CMQException.h`: the error handed by value to async send callbacks.
 */

#ifndef __C_MQEXCEPTION_H__
#define __C_MQEXCEPTION_H__

#include "CCommon.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MAX_EXEPTION_MSG_LENGTH 512

#define MAX_EXEPTION_FILE_LENGTH 256

#define MAX_EXEPTION_TYPE_LENGTH 128

/*
 * A failure passed by value to `CSendExceptionCallback` / `COnSendExceptionCallback`.
 * `error` is the broker's response code when the broker refused the request,
 * otherwise the status code of the failed call family. Every array is
 * NUL-terminated and zero-filled; `type` holds the exception class name.
 */
typedef struct _CMQException_ {
  int error;
  int line;
  char file[MAX_EXEPTION_FILE_LENGTH];
  char msg[MAX_EXEPTION_MSG_LENGTH];
  char type[MAX_EXEPTION_TYPE_LENGTH];
} CMQException;

#ifdef __cplusplus
}
#endif

#endif /* __C_MQEXCEPTION_H__ */
