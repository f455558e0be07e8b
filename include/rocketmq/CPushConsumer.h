/* Generated from src/ffi/compat/push_consumer.rs by scripts/gen-compat-headers. Do not edit by hand. */
/*
 * librocketmq: the rocketmq-client-cpp C API.
 *
 * `CPushConsumer.h`: push consumers.
 *
 * Lifecycle: `CreatePushConsumer`, setters, `Subscribe`,
 * `RegisterMessageCallback[Orderly]`, `StartPushConsumer`,
 * `ShutdownPushConsumer`, `DestroyPushConsumer`. Settings are read at start;
 * a consumer may be started again after a shutdown.
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

/*
 * Shuts the consumer down if it is running, then frees it; its callback is
 * not called after this returns. NULL_POINTER for NULL;
 * PUSHCONSUMER_START_FAILED (nothing freed) inside its own message callback.
 */
int DestroyPushConsumer(CPushConsumer* consumer);

/*
 * Starts consuming (OK when already running): in clustering mode the group
 * shares the queues and failed messages come back through the group's retry
 * topic; offsets start at the last one for a new group. Delivery starts
 * asynchronously. PUSHCONSUMER_START_FAILED with the reason when no message
 * callback is registered, when nothing is subscribed (rocketmq-client-cpp
 * started anyway), for an invalid group or setting, or when TLS is requested.
 */
int StartPushConsumer(CPushConsumer* consumer);

/*
 * Stops pulling, waits (up to 10 s) for running callbacks, persists offsets
 * and unregisters; OK, also when not running. PUSHCONSUMER_START_FAILED
 * inside the consumer's own message callback (it would wait for itself).
 */
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
 * call for a topic replaces its expression. Also takes effect on a running
 * consumer (PUSHCONSUMER_START_FAILED if the running consumer refuses it).
 * NULL_POINTER if any argument is NULL (rocketmq-client-cpp crashed on a
 * NULL topic or expression).
 */
int Subscribe(CPushConsumer* consumer, const char* topic, const char* expression);

/*
 * Registers an orderly callback (replacing any callback): the messages of a
 * queue come one at a time, in order, with the queue locked at the broker;
 * a non-zero answer suspends the queue for 1 s and delivers the message
 * again. NULL_POINTER if an argument is NULL.
 */
int RegisterMessageCallbackOrderly(CPushConsumer* consumer, MessageCallBack pCallback);

/*
 * Registers a concurrent callback (replacing any callback), called once per
 * message on the consume threads; a non-zero answer sends the message's
 * whole batch back for redelivery (RECONSUME_LATER). NULL_POINTER if an
 * argument is NULL.
 */
int RegisterMessageCallback(CPushConsumer* consumer, MessageCallBack pCallback);

/*
 * Removes an orderly callback (no-op if none). A running consumer stays
 * running and gets every further message delivered again later.
 */
int UnregisterMessageCallbackOrderly(CPushConsumer* consumer);

/*
 * Removes a concurrent callback (no-op if none). A running consumer stays
 * running and gets every further message delivered again later.
 */
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
