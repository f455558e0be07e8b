/* Generated from src/ffi/compat/push_consumer.rs by scripts/gen-compat-headers. Do not edit by hand. */
/*
 * librocketmq: the rocketmq-client-cpp C API.
 *
 * `CPushConsumer.h`: push consumers.
 *
 * The handle keeps every setting, subscription and callback. Starting it
 * needs the push consumer engine, which this build does not have yet:
 * `StartPushConsumer` reports PUSHCONSUMER_START_FAILED with the reason.
 */

#ifndef __C_PUSH_CONSUMER_H__
#define __C_PUSH_CONSUMER_H__

#include "CCommon.h"
#include "CMessageExt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A push consumer handle. */
typedef struct CPushConsumer CPushConsumer;

/* What a message callback returns. */
typedef enum E_CConsumeStatus {
  E_CONSUME_SUCCESS = 0,
  E_RECONSUME_LATER = 1
} CConsumeStatus;

/*
 * Consumes one message; returns E_CONSUME_SUCCESS or E_RECONSUME_LATER.
 * Runs on a library consume thread; `msg` is valid during the call only.
 */
typedef int (*MessageCallBack)(CPushConsumer* consumer, CMessageExt* msg);

/*
 * Creates a push consumer of `groupId` (model CLUSTERING, consuming from the
 * last offset). NULL if `groupId` is NULL.
 */
CPushConsumer* CreatePushConsumer(const char* groupId);

/* Shuts the consumer down if it is running, then frees it. NULL_POINTER for NULL. */
int DestroyPushConsumer(CPushConsumer* consumer);

/*
 * Starts consuming. PUSHCONSUMER_START_FAILED with the reason when no
 * message callback is registered, and in this build always: the push
 * consumer engine is not available yet.
 */
int StartPushConsumer(CPushConsumer* consumer);

/* Stops consuming; OK (also when not running). */
int ShutdownPushConsumer(CPushConsumer* consumer);

/* The library version text; NULL for a NULL consumer. */
const char* ShowPushConsumerVersion(CPushConsumer* consumer);

/* Replaces the group. NULL_POINTER if either argument is NULL. */
int SetPushConsumerGroupID(CPushConsumer* consumer, const char* groupId);

/* The group, valid until the next SetPushConsumerGroupID; NULL for a NULL consumer. */
const char* GetPushConsumerGroupID(CPushConsumer* consumer);

/* Sets the name servers, "host:port;host:port". */
int SetPushConsumerNameServerAddress(CPushConsumer* consumer, const char* namesrv);

/* Stores a name server lookup domain (lookup through it is not supported). */
int SetPushConsumerNameServerDomain(CPushConsumer* consumer, const char* domain);

/*
 * Subscribes `topic` with a tag expression ("*", "TagA || TagB"); a second
 * call for a topic replaces its expression. NULL_POINTER if any argument is
 * NULL (rocketmq-client-cpp crashed on a NULL topic or expression).
 */
int Subscribe(CPushConsumer* consumer, const char* topic, const char* expression);

/* Registers an orderly callback (replacing any callback). NULL_POINTER if an argument is NULL. */
int RegisterMessageCallbackOrderly(CPushConsumer* consumer, MessageCallBack pCallback);

/* Registers a concurrent callback (replacing any callback). NULL_POINTER if an argument is NULL. */
int RegisterMessageCallback(CPushConsumer* consumer, MessageCallBack pCallback);

/* Removes an orderly callback (no-op if none). */
int UnregisterMessageCallbackOrderly(CPushConsumer* consumer);

/* Removes a concurrent callback (no-op if none). */
int UnregisterMessageCallback(CPushConsumer* consumer);

/*
 * Sets the consume thread count; 0 gives NULL_POINTER (as in
 * rocketmq-client-cpp), negative values are ignored.
 */
int SetPushConsumerThreadCount(CPushConsumer* consumer, int threadCount);

/* Sets the most messages per callback batch; 0 gives NULL_POINTER, negative values are ignored. */
int SetPushConsumerMessageBatchMaxSize(CPushConsumer* consumer, int batchSize);

/* Sets the instance name (default "DEFAULT"). */
int SetPushConsumerInstanceName(CPushConsumer* consumer, const char* instanceName);

/* Sets the ACL keys (both empty: no signing); `channel` is ignored. */
int SetPushConsumerSessionCredentials(CPushConsumer* consumer, const char* accessKey, const char* secretKey, const char* channel);

/* Accepted for compatibility; the library writes no log files. */
int SetPushConsumerLogPath(CPushConsumer* consumer, const char* logPath);

/* Accepted for compatibility (process-wide); the library writes no log files. */
int SetPushConsumerLogFileNumAndSize(CPushConsumer* consumer, int fileNum, long fileSize);

/* Sets the process-wide log level (kept; the library writes no log files). */
int SetPushConsumerLogLevel(CPushConsumer* consumer, CLogLevel level);

/* Sets BROADCASTING or CLUSTERING (any other value counts as CLUSTERING). */
int SetPushConsumerMessageModel(CPushConsumer* consumer, CMessageModel messageModel);

/*
 * Sets the most messages cached per queue; <= 0 gives NULL_POINTER, values
 * of 65535 and more are ignored.
 */
int SetPushConsumerMaxCacheMessageSize(CPushConsumer* consumer, int maxCacheSize);

/*
 * Sets the most MiB of messages cached per queue; <= 0 gives NULL_POINTER.
 * Returns OK (rocketmq-client-cpp did not implement it and returned Not_Support).
 */
int SetPushConsumerMaxCacheMessageSizeInMb(CPushConsumer* consumer, int maxCacheSizeInMb);

/* Accepted for compatibility: message traces are not published. */
int SetPushConsumerMessageTrace(CPushConsumer* consumer, CTraceModel openTrace);

/* Non-zero requests TLS, which this library does not offer (start then fails). */
int SetPushConsumerSsl(CPushConsumer* consumer, int enableSsl);

/* Stores the TLS property file path. */
int SetPushConsumerSslPropertyFile(CPushConsumer* consumer, const char* sslPropertyFile);

#ifdef __cplusplus
}
#endif

#endif /* __C_PUSH_CONSUMER_H__ */
