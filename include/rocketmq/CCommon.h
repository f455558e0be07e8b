/* Generated from src/ffi/compat/common.rs by scripts/gen-compat-headers. Do not edit by hand. */
/*
 * librocketmq: the rocketmq-client-cpp C API.
 *
 * `CCommon.h`: status codes, log levels, message and trace models, limits.
 */

#ifndef __C_COMMON_H__
#define __C_COMMON_H__

#ifdef __cplusplus
extern "C" {
#endif

#ifndef ROCKETMQCLIENT_API
#define ROCKETMQCLIENT_API
#endif
#define MAX_MESSAGE_ID_LENGTH 256

#define MAX_TOPIC_LENGTH 512

#define MAX_BROKER_NAME_ID_LENGTH 256

#define MAX_SDK_VERSION_LENGTH 256

#define DEFAULT_SDK_VERSION "DefaultVersion"

/* Status codes returned (as `int`) by the API functions. */
typedef enum _CStatus_ {
  OK = 0,
  /* A required pointer argument was NULL (also returned for a few invalid values, see each function). */
  NULL_POINTER = 1,
  MALLOC_FAILED = 2,
  PRODUCER_ERROR_CODE_START = 10,
  PRODUCER_START_FAILED = 10,
  PRODUCER_SEND_SYNC_FAILED = 11,
  PRODUCER_SEND_ONEWAY_FAILED = 12,
  PRODUCER_SEND_ORDERLY_FAILED = 13,
  PRODUCER_SEND_ASYNC_FAILED = 14,
  PRODUCER_SEND_ORDERLYASYNC_FAILED = 15,
  PRODUCER_SEND_TRANSACTION_FAILED = 16,
  PUSHCONSUMER_ERROR_CODE_START = 20,
  PUSHCONSUMER_START_FAILED = 20,
  PULLCONSUMER_ERROR_CODE_START = 30,
  PULLCONSUMER_START_FAILED = 30,
  PULLCONSUMER_FETCH_MQ_FAILED = 31,
  PULLCONSUMER_FETCH_MESSAGE_FAILED = 32,
  Not_Support = 500,
  NOT_SUPPORT_NOW = -1
} CStatus;

/* Log levels. The library keeps the setting; it writes no log files. */
typedef enum _CLogLevel_ {
  E_LOG_LEVEL_FATAL = 1,
  E_LOG_LEVEL_ERROR = 2,
  E_LOG_LEVEL_WARN = 3,
  E_LOG_LEVEL_INFO = 4,
  E_LOG_LEVEL_DEBUG = 5,
  E_LOG_LEVEL_TRACE = 6,
  E_LOG_LEVEL_LEVEL_NUM = 7
} CLogLevel;

/* Push consumer message models. */
typedef enum _CMessageModel_ {
  BROADCASTING = 0,
  CLUSTERING = 1
} CMessageModel;

/* Message trace switch. */
typedef enum _CTraceModel_ {
  OPEN = 0,
  CLOSE = 1
} CTraceModel;

#ifdef __cplusplus
}
#endif

#endif /* __C_COMMON_H__ */
