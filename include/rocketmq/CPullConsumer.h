/* Generated from src/ffi/compat/pull_consumer.rs by scripts/gen-compat-headers. Do not edit by hand. */
/*
 * librocketmq: the rocketmq-client-cpp C API.
 *
 * `CPullConsumer.h`: pull consumers (the caller picks queues and offsets).
 *
 * The handle keeps its settings. Starting, fetching queues and pulling need
 * the consumer engine, which this build does not have yet: they report
 * PULLCONSUMER_START_FAILED, PULLCONSUMER_FETCH_MQ_FAILED and E_BROKER_TIMEOUT
 * with the reason.
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
 * Starts the consumer. In this build: PULLCONSUMER_START_FAILED (the engine
 * is not available yet).
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
 * Returns the readable queues of `topic` in `*mqs` (an array of `*size`
 * queues to free with `ReleaseSubscriptionMessageQueue`). NULL_POINTER for
 * a NULL argument. On failure `*mqs` is NULL, `*size` 0 and the result
 * PULLCONSUMER_FETCH_MQ_FAILED (rocketmq-client-cpp returned OK with no
 * queues when the route lookup failed). In this build it always fails: the
 * engine is not available yet.
 */
int FetchSubscriptionMessageQueues(CPullConsumer* consumer, const char* topic, CMessageQueue** mqs, int* size);

/* Frees an array returned by `FetchSubscriptionMessageQueues`. NULL_POINTER for NULL. */
int ReleaseSubscriptionMessageQueue(CMessageQueue* mqs);

/*
 * Pulls up to `maxNums` messages of `mq` from `offset` matching the tag
 * expression, without waiting at the broker. Failures (NULL arguments,
 * offset < 0, maxNums <= 0, network errors) give E_BROKER_TIMEOUT and a
 * recorded error. In this build it always fails: the engine is not available yet.
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
