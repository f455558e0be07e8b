/* Generated from src/ffi/compat/producer.rs by scripts/gen-compat-headers. Do not edit by hand. */
/*
 * librocketmq: the rocketmq-client-cpp C API.
 *
 * `CProducer.h`: producers (normal, orderly, transactional) and every send.
 *
 * Lifecycle: `Create*Producer`, setters, `StartProducer`, sends,
 * `ShutdownProducer`, `DestroyProducer`. Settings are read at
 * `StartProducer`; a producer may be started again after a shutdown.
 * Handles may be used from several threads at once.
 */

#ifndef __C_PRODUCER_H__
#define __C_PRODUCER_H__

#include "CCommon.h"
#include "CBatchMessage.h"
#include "CMQException.h"
#include "CMessage.h"
#include "CMessageExt.h"
#include "CSendResult.h"
#include "CTransactionStatus.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A producer handle. */
typedef struct CProducer CProducer;

/*
 * Chooses the queue of an ordered send: returns an index in [0, size).
 * Runs on the calling thread, inside the send (again on a retry).
 */
typedef int (*QueueSelectorCallback)(int size, CMessage* msg, void* arg);

/* Success of `SendMessageAsync` / `SendMessageOrderlyAsync`; runs on a library thread. */
typedef void (*CSendSuccessCallback)(CSendResult result);

/* Failure of `SendMessageAsync` / `SendMessageOrderlyAsync`; runs on a library thread. */
typedef void (*CSendExceptionCallback)(CMQException e);

/* Success of `SendAsync`, with the caller's message and user data; runs on a library thread. */
typedef void (*COnSendSuccessCallback)(CSendResult result, CMessage* msg, void* userData);

/* Failure of `SendAsync`, with the caller's message and user data; runs on a library thread. */
typedef void (*COnSendExceptionCallback)(CMQException e, CMessage* msg, void* userData);

/*
 * Answers the broker's check of a half message; runs on the producer's
 * checker thread; `msg` is valid during the call only.
 */
typedef CTransactionStatus (*CLocalTransactionCheckerCallback)(CProducer* producer, CMessageExt* msg, void* data);

/*
 * Runs the local transaction of `SendMessageTransaction` on the calling
 * thread, with the caller's own message and user data.
 */
typedef CTransactionStatus (*CLocalTransactionExecutorCallback)(CProducer* producer, CMessage* msg, void* data);

/*
 * Creates a producer of `groupId` ("" means DEFAULT_PRODUCER, which cannot
 * be started). NULL if `groupId` is NULL. Nothing connects before `StartProducer`.
 */
CProducer* CreateProducer(const char* groupId);

/* Creates a producer meant for ordered sends; it behaves as `CreateProducer`. */
CProducer* CreateOrderlyProducer(const char* groupId);

/*
 * Creates a transaction producer. `callback` (may be NULL: every check then
 * answers UNKNOWN) answers the broker's checks of half messages and gets
 * `userData` as its last argument; the producer passed to the transaction
 * callbacks is the handle returned here. NULL if `groupId` is NULL.
 * Unlike rocketmq-client-cpp, the executor of `SendMessageTransaction` runs
 * even when `callback` is NULL.
 */
CProducer* CreateTransactionProducer(const char* groupId, CLocalTransactionCheckerCallback callback, void* userData);

/*
 * Shuts the producer down if it is running, then frees it; no transaction
 * callback runs after this returns. NULL_POINTER for NULL;
 * PRODUCER_START_FAILED (and nothing freed) when called inside one of this
 * producer's transaction callbacks.
 */
int DestroyProducer(CProducer* producer);

/*
 * Starts the producer (routes are fetched at the first send). OK when
 * already running; PRODUCER_START_FAILED with the reason otherwise (no name
 * server address, invalid group, TLS requested, ...).
 */
int StartProducer(CProducer* producer);

/*
 * Stops the producer after its in-flight sends (OK when not running).
 * PRODUCER_START_FAILED if it could not be stopped, or when called inside
 * one of this producer's transaction callbacks (which would wait for itself).
 */
int ShutdownProducer(CProducer* producer);

/* The library version text (static); "DefaultVersion" for NULL. */
const char* ShowProducerVersion(CProducer* producer);

/* Sets the name servers, "host:port;host:port" (a leading "http://" is ignored). */
int SetProducerNameServerAddress(CProducer* producer, const char* namesrv);

/*
 * Stores a name server lookup domain. Lookup through it is not supported:
 * `StartProducer` fails if no name server address is set.
 */
int SetProducerNameServerDomain(CProducer* producer, const char* domain);

/* Replaces the group (takes effect at the next start). */
int SetProducerGroupName(CProducer* producer, const char* groupName);

/*
 * Sets the instance name (default "DEFAULT": an instance of its own).
 * Producers with the same other instance name share connections.
 */
int SetProducerInstanceName(CProducer* producer, const char* instanceName);

/*
 * Sets the ACL access key and secret key that sign every request (both
 * empty: no signing). `onsChannel` is accepted and ignored.
 */
int SetProducerSessionCredentials(CProducer* producer, const char* accessKey, const char* secretKey, const char* onsChannel);

/* Accepted for compatibility; the library writes no log files. */
int SetProducerLogPath(CProducer* producer, const char* logPath);

/* Accepted for compatibility (process-wide); the library writes no log files. */
int SetProducerLogFileNumAndSize(CProducer* producer, int fileNum, long fileSize);

/* Sets the process-wide log level (kept; the library writes no log files). */
int SetProducerLogLevel(CProducer* producer, CLogLevel level);

/* Sets the send timeout in ms, retries included (default 3000; <= 0 keeps the default). */
int SetProducerSendMsgTimeout(CProducer* producer, int timeout);

/*
 * Sets the zlib level of compressed bodies (default 5; -1 means 5; other
 * values are clamped to 0..9).
 */
int SetProducerCompressLevel(CProducer* producer, int level);

/* Sets the largest body accepted, in bytes (default 4 MiB; <= 0 keeps the default). */
int SetProducerMaxMessageSize(CProducer* producer, int size);

/* Accepted for compatibility: message traces are not published. */
int SetProducerMessageTrace(CProducer* producer, CTraceModel openTrace);

/*
 * Non-zero requests TLS, which this library does not offer: `StartProducer`
 * then fails rather than connecting in plain text.
 */
int SetProducerSsl(CProducer* producer, int enableSsl);

/* Stores the TLS property file path (see `SetProducerSsl`). */
int SetProducerSslPropertyFile(CProducer* producer, const char* sslPropertyFile);

/*
 * Sends and waits for the broker (up to 5 attempts within the send
 * timeout); fills `*result`. NULL_POINTER for a NULL argument;
 * PRODUCER_SEND_SYNC_FAILED with the reason otherwise. Works on every kind
 * of producer, transactional ones included.
 */
int SendMessageSync(CProducer* producer, CMessage* msg, CSendResult* result);

/*
 * Sends a batch (every message of one topic, none delayed) as one request;
 * fills `*result` (msgId: the ids joined by commas). NULL_POINTER for a NULL
 * argument; PRODUCER_SEND_SYNC_FAILED with the reason otherwise.
 */
int SendBatchMessage(CProducer* producer, CBatchMessage* msg, CSendResult* result);

/*
 * Starts an async send. On OK exactly one of the callbacks runs later, on a
 * library thread. NULL_POINTER for a NULL argument (both callbacks are
 * required); PRODUCER_SEND_ASYNC_FAILED if the send could not start.
 */
int SendMessageAsync(CProducer* producer, CMessage* msg, CSendSuccessCallback cSendSuccessCallback, CSendExceptionCallback cSendExceptionCallback);

/*
 * Starts an async send whose callbacks also receive `msg` and `userData`
 * (keep `msg` alive until a callback ran). On OK exactly one callback runs
 * later, on a library thread. NULL_POINTER for a NULL argument (both
 * callbacks are required); PRODUCER_SEND_ASYNC_FAILED if the send could not start.
 */
int SendAsync(CProducer* producer, CMessage* msg, COnSendSuccessCallback cSendSuccessCallback, COnSendExceptionCallback cSendExceptionCallback, void* userData);

/*
 * Sends without waiting for the broker (one attempt). NULL_POINTER for a
 * NULL argument; PRODUCER_SEND_ONEWAY_FAILED with the reason otherwise.
 */
int SendMessageOneway(CProducer* producer, CMessage* msg);

/*
 * Sends one way to the queue `selector` picks. NULL_POINTER for a NULL
 * argument; PRODUCER_SEND_ONEWAY_FAILED with the reason otherwise (also for
 * a selector answer outside [0, size)).
 */
int SendMessageOnewayOrderly(CProducer* producer, CMessage* msg, QueueSelectorCallback selector, void* arg);

/*
 * Sends to the queue `callback` picks and waits for the broker; a failed
 * attempt that may succeed on retry is retried up to `autoRetryTimes` times
 * (the selector is asked again). Fills `*result`. NULL_POINTER for a NULL
 * argument; PRODUCER_SEND_ORDERLY_FAILED with the reason otherwise (also for
 * a selector answer outside [0, size), where rocketmq-client-cpp read out of bounds).
 */
int SendMessageOrderly(CProducer* producer, CMessage* msg, QueueSelectorCallback callback, void* arg, int autoRetryTimes, CSendResult* result);

/*
 * Asks `callback` for a queue (on the calling thread), then sends to it
 * asynchronously; on OK exactly one of the callbacks runs later on a library
 * thread. NULL_POINTER for a NULL argument; PRODUCER_SEND_ORDERLYASYNC_FAILED
 * if the send could not start.
 */
int SendMessageOrderlyAsync(CProducer* producer, CMessage* msg, QueueSelectorCallback callback, void* arg, CSendSuccessCallback cSendSuccessCallback, CSendExceptionCallback cSendExceptionCallback);

/*
 * Sends to the queue chosen by the hash of `shardingKey` (the Java client's
 * String hash, so every client puts a key on the same queue) with one retry;
 * fills `*result`. NULL_POINTER for a NULL argument;
 * PRODUCER_SEND_ORDERLY_FAILED with the reason otherwise.
 */
int SendMessageOrderlyByShardingKey(CProducer* producer, CMessage* msg, const char* shardingKey, CSendResult* result);

/*
 * Sends `msg` as a half message, runs `callback(producer, msg, userData)` on
 * the calling thread, and commits, rolls back or (UNKNOWN) leaves the
 * message to the broker's check. Fills `*result`. NULL_POINTER for a NULL
 * argument; PRODUCER_SEND_TRANSACTION_FAILED with the reason otherwise,
 * also when `producer` is not a transaction producer (rocketmq-client-cpp crashed).
 */
int SendMessageTransaction(CProducer* producer, CMessage* msg, CLocalTransactionExecutorCallback callback, void* userData, CSendResult* result);

#ifdef __cplusplus
}
#endif

#endif /* __C_PRODUCER_H__ */
