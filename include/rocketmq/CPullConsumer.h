/* Generated from src/ffi/compat/pull_consumer.rs by scripts/gen-compat-headers. Do not edit by hand. */
/*
 * librocketmq: the rocketmq-client-cpp C API.
 *
 * `CPullConsumer.h`: pull consumers: the caller lists a topic's queues and
 * pulls from the offsets it chooses; it keeps its offsets itself.
 */

#ifndef __C_PULL_CONSUMER_H__
#define __C_PULL_CONSUMER_H__

#include "CCommon.h"
#include "CMessageExt.h"
#include "CMessageQueue.h"
#include "CPullResult.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A pull consumer handle. */
typedef struct CPullConsumer CPullConsumer;

/* Creates a pull consumer of `groupId`. NULL if `groupId` is NULL. */
CPullConsumer* CreatePullConsumer(const char* groupId);

/* Shuts the consumer down if needed and frees it. NULL_POINTER for NULL. */
int DestroyPullConsumer(CPullConsumer* consumer);

/*
 * Starts the consumer (needed before FetchSubscriptionMessageQueues and
 * Pull; OK when already running). PULLCONSUMER_START_FAILED with the reason
 * otherwise (no name server address, invalid group, TLS requested, ...).
 */
int StartPullConsumer(CPullConsumer* consumer);

/* Stops the consumer; OK (also when not running). */
int ShutdownPullConsumer(CPullConsumer* consumer);

/* The library version text; NULL for a NULL consumer. */
const char* ShowPullConsumerVersion(CPullConsumer* consumer);

/* Replaces the group. NULL_POINTER if either argument is NULL. */
int SetPullConsumerGroupID(CPullConsumer* consumer, const char* groupId);

/* The group, valid until the next SetPullConsumerGroupID; NULL for a NULL consumer. */
const char* GetPullConsumerGroupID(CPullConsumer* consumer);

/* Sets the name servers, "host:port;host:port". */
int SetPullConsumerNameServerAddress(CPullConsumer* consumer, const char* namesrv);

/* Stores a name server lookup domain (lookup through it is not supported). */
int SetPullConsumerNameServerDomain(CPullConsumer* consumer, const char* domain);

/* Sets the ACL keys (both empty: no signing); `channel` is ignored. */
int SetPullConsumerSessionCredentials(CPullConsumer* consumer, const char* accessKey, const char* secretKey, const char* channel);

/* Accepted for compatibility; the library writes no log files. */
int SetPullConsumerLogPath(CPullConsumer* consumer, const char* logPath);

/* Accepted for compatibility (process-wide); the library writes no log files. */
int SetPullConsumerLogFileNumAndSize(CPullConsumer* consumer, int fileNum, long fileSize);

/* Sets the process-wide log level (kept; the library writes no log files). */
int SetPullConsumerLogLevel(CPullConsumer* consumer, CLogLevel level);

/* Non-zero requests TLS, which this library does not offer (start then fails). */
int SetPullConsumerSsl(CPullConsumer* consumer, int enableSsl);

/* Stores the TLS property file path. */
int SetPullConsumerSslPropertyFile(CPullConsumer* consumer, const char* sslPropertyFile);

/*
 * Returns the readable queues of `topic` (looked up at the name server) in
 * `*mqs`, an array of `*size` queues to free with
 * `ReleaseSubscriptionMessageQueue` (never NULL on OK, even when empty).
 * NULL_POINTER for a NULL argument. On failure `*mqs` is NULL, `*size` 0
 * and the result PULLCONSUMER_FETCH_MQ_FAILED with the reason, also for a
 * failed route lookup (rocketmq-client-cpp answered OK with no queues).
 */
int FetchSubscriptionMessageQueues(CPullConsumer* consumer, const char* topic, CMessageQueue** mqs, int* size);

/* Frees an array returned by `FetchSubscriptionMessageQueues`. NULL_POINTER for NULL. */
int ReleaseSubscriptionMessageQueue(CMessageQueue* mqs);

/*
 * Pulls up to `maxNums` messages of `mq` from `offset` matching the tag
 * expression ("*", "TagA || TagB"), without waiting at the broker (10 s
 * timeout). Offsets are not committed. Failures (NULL arguments, offset < 0,
 * maxNums <= 0, a consumer not started, network or broker errors) give
 * E_BROKER_TIMEOUT and a recorded error. Release every result with
 * `ReleasePullResult`.
 */
CPullResult Pull(CPullConsumer* consumer, const CMessageQueue* mq, const char* subExpression, long long offset, int maxNums);

/*
 * Frees the messages of a found result. NULL_POINTER (freeing nothing) for
 * results without messages and for a result already released.
 */
int ReleasePullResult(CPullResult pullResult);

#ifdef __cplusplus
}
#endif

#endif /* __C_PULL_CONSUMER_H__ */
