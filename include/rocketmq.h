/*
 * librocketmq: the native C API of an Apache RocketMQ client.
 *
 * Conventions
 * - Functions are prefixed rmq_, types rmq_..._t, constants RMQ_. Handles are opaque.
 * - Errors: a fallible function returns an rmq_error_t * (NULL on success) that the
 *   caller owns and frees with rmq_error_free(). There is no thread-local "last error".
 * - Ownership: rmq_X_new() writes an owned object to its last argument (outputs are
 *   written only on success); rmq_X_free() frees it and accepts NULL. Constructors that
 *   take an rmq_config_t * take ownership of it whether they succeed or fail.
 * - Inputs are copied before the call returns. Strings are NUL-terminated UTF-8 (invalid
 *   UTF-8 is an error); byte buffers are pointer plus length (NULL with length 0 is empty).
 * - Getters return borrowed pointers, valid while their object lives (for mutable
 *   objects: until the next change). Nothing returned needs free() from libc.
 * - NULL for a pointer argument gives RMQ_ERR_NULL_ARG, or for functions that cannot
 *   fail the documented default (NULL, 0, -1 or false); never a crash.
 * - Panics inside the library become RMQ_ERR_PANIC; the handle involved is unusable
 *   from then on (every later call on it returns RMQ_ERR_PANIC; free still works).
 *
 * Threads and callbacks
 * - Producers and consumers are thread-safe; configs and messages are used by one
 *   thread at a time.
 * - The library does its I/O on its own threads, with SIGPIPE blocked there.
 * - Each callback's documentation says on which thread it runs and how long its
 *   arguments live. Async send completions run on the library's callback thread, never
 *   on an I/O thread; queue selectors and transaction execute callbacks run on the
 *   calling thread; transaction checks run on the producer's checker thread; push
 *   consumer listeners run on the consumer's consume threads; the log callback may run
 *   on any thread. Lite pull consumers have no callbacks: poll runs on the caller's thread.
 * - Callbacks may call rmq_ functions (sends included) but not the shutdown of the
 *   handle serving them (RMQ_ERR_INVALID_STATE); a free called from a callback returns
 *   at once and completes on a library thread after the callback returns.
 * - Every (fn, user_data, free_user_data) registration calls free_user_data exactly once.
 *
 * Versions: RMQ_VERSION_NUMBER here, rmq_version_number() at run time; no ABI
 * stability before 1.0 (the SONAME is librocketmq.so.0).
 */

#ifndef ROCKETMQ_H
#define ROCKETMQ_H

/* Generated from the Rust sources by cbindgen (make headers). Do not edit by hand. */

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#define RMQ_VERSION_MAJOR 0
#define RMQ_VERSION_MINOR 1
#define RMQ_VERSION_PATCH 0
/* MAJOR << 16 | MINOR << 8 | PATCH, as rmq_version_number() returns. */
#define RMQ_VERSION_NUMBER ((RMQ_VERSION_MAJOR << 16) | (RMQ_VERSION_MINOR << 8) | RMQ_VERSION_PATCH)


// What an orderly listener returns. Any other value counts as
// `RMQ_SUSPEND_CURRENT_QUEUE_A_MOMENT`.
enum rmq_consume_orderly_status_t
#ifdef __cplusplus
  : int32_t
#endif // __cplusplus
 {
  // Consumed; the queue's offset moves past the batch.
  RMQ_ORDERLY_SUCCESS = 0,
  // Stop the queue for `suspend.current.queue.time.ms` and deliver the
  // same batch again (past `max.reconsume.times` it goes to the dead-letter queue).
  RMQ_SUSPEND_CURRENT_QUEUE_A_MOMENT = 1,
};
#ifndef __cplusplus
typedef int32_t rmq_consume_orderly_status_t;
#endif // __cplusplus

// What a concurrent listener returns. Any other value counts as
// `RMQ_RECONSUME_LATER`.
enum rmq_consume_status_t
#ifdef __cplusplus
  : int32_t
#endif // __cplusplus
 {
  // Consumed, up to `*ack_index`.
  RMQ_CONSUME_SUCCESS = 0,
  // Deliver the whole batch again later (clustering: sent back to the
  // broker's retry topic; broadcasting: dropped).
  RMQ_RECONSUME_LATER = 1,
};
#ifndef __cplusplus
typedef int32_t rmq_consume_status_t;
#endif // __cplusplus

// Error codes. Values are stable and only ever appended.
enum rmq_err_t
#ifdef __cplusplus
  : int32_t
#endif // __cplusplus
 {
  // No error (what `rmq_error_code(NULL)` returns).
  RMQ_OK = 0,
  // An argument is invalid (bad name, bad value, out of range, not UTF-8).
  RMQ_ERR_INVALID_ARG = 1,
  // A pointer argument that must not be NULL was NULL.
  RMQ_ERR_NULL_ARG = 2,
  // `rmq_config_set` was given a key it does not know.
  RMQ_ERR_UNKNOWN_CONFIG = 3,
  // The call is not allowed now (e.g. shutting a producer down from its own callback).
  RMQ_ERR_INVALID_STATE = 4,
  // The producer was not started.
  RMQ_ERR_NOT_STARTED = 5,
  // The producer was shut down.
  RMQ_ERR_SHUT_DOWN = 6,
  // A bound on in-flight work was reached (`back.pressure` = `fail`).
  RMQ_ERR_BUSY = 7,
  // No answer within the time allowed.
  RMQ_ERR_TIMEOUT = 8,
  // Connecting, reading or writing failed.
  RMQ_ERR_NETWORK = 9,
  // No route to the topic (unknown to the name servers, no writable queue).
  RMQ_ERR_NO_ROUTE = 10,
  // The broker or name server answered with an error; see `rmq_error_response_code`.
  RMQ_ERR_BROKER = 11,
  // Bytes from the network could not be decoded.
  RMQ_ERR_PROTOCOL = 12,
  // Compressing or decompressing a body failed.
  RMQ_ERR_COMPRESSION = 13,
  // Anything else.
  RMQ_ERR_INTERNAL = 14,
  // The library panicked (a bug); the handle involved is unusable from now on.
  RMQ_ERR_PANIC = 15,
};
#ifndef __cplusplus
typedef int32_t rmq_err_t;
#endif // __cplusplus

// Log levels: a level logs itself and every more important one.
enum rmq_log_level_t
#ifdef __cplusplus
  : int32_t
#endif // __cplusplus
 {
  // Nothing is logged.
  RMQ_LOG_OFF = 0,
  RMQ_LOG_ERROR = 1,
  // The default: warnings and errors.
  RMQ_LOG_WARN = 2,
  RMQ_LOG_INFO = 3,
  RMQ_LOG_DEBUG = 4,
  RMQ_LOG_TRACE = 5,
};
#ifndef __cplusplus
typedef int32_t rmq_log_level_t;
#endif // __cplusplus

// How a one-shot pull (`rmq_pull_consumer_pull_from`) ended.
enum rmq_pull_status_t
#ifdef __cplusplus
  : int32_t
#endif // __cplusplus
 {
  // Messages were found (the expression may have filtered all of them out).
  RMQ_PULL_FOUND = 0,
  // No message at the offset yet.
  RMQ_PULL_NO_NEW_MSG = 1,
  // Messages exist there, but none matched the expression.
  RMQ_PULL_NO_MATCHED_MSG = 2,
  // The offset is outside the queue's stored messages.
  RMQ_PULL_OFFSET_ILLEGAL = 3,
};
#ifndef __cplusplus
typedef int32_t rmq_pull_status_t;
#endif // __cplusplus

// How the broker stored a message.
enum rmq_send_status_t
#ifdef __cplusplus
  : int32_t
#endif // __cplusplus
 {
  // Stored.
  RMQ_SEND_OK = 0,
  // Stored, but flushing to disk timed out (synchronous flush brokers).
  RMQ_SEND_FLUSH_DISK_TIMEOUT = 1,
  // Stored, but replicating to the slave timed out (synchronous replication).
  RMQ_SEND_FLUSH_SLAVE_TIMEOUT = 2,
  // Stored, but no slave was available (synchronous replication).
  RMQ_SEND_SLAVE_NOT_AVAILABLE = 3,
};
#ifndef __cplusplus
typedef int32_t rmq_send_status_t;
#endif // __cplusplus

// The outcome of a local transaction, returned by the execute and check
// callbacks of a transaction producer. Any other value counts as unknown.
enum rmq_transaction_state_t
#ifdef __cplusplus
  : int32_t
#endif // __cplusplus
 {
  // Not known yet: the broker will ask the check callback later.
  RMQ_TRANSACTION_UNKNOWN = 0,
  // Commit: consumers get the message.
  RMQ_TRANSACTION_COMMIT = 1,
  // Roll back: the message is dropped.
  RMQ_TRANSACTION_ROLLBACK = 2,
};
#ifndef __cplusplus
typedef int32_t rmq_transaction_state_t;
#endif // __cplusplus

// An admin client: creates and deletes topics on the brokers and name
// servers of its config. Thread-safe.
typedef struct rmq_admin_t rmq_admin_t;

// A set of string settings (`key` = `value`) for a producer or a consumer.
// Not thread-safe: build it on one thread. Constructors take ownership of it,
// whether they succeed or not.
typedef struct rmq_config_t rmq_config_t;

// An error: a code, a message, the server's response code when there is one,
// and whether retrying may help. Owned by whoever received it; free it with
// `rmq_error_free`. Errors passed to callbacks are borrowed for the call.
typedef struct rmq_error_t rmq_error_t;

// A queue: topic, broker name and queue id. Immutable and thread-safe.
typedef struct rmq_message_queue_t rmq_message_queue_t;

// A message to send: topic, body, tags, keys, properties. Not thread-safe:
// use it from one thread at a time. Strings returned by its getters are
// borrowed and valid until the message is changed or freed.
typedef struct rmq_message_t rmq_message_t;

// A received message with its broker metadata. Read-only and thread-safe;
// strings and bytes returned by its getters are borrowed and valid until
// the view is freed (or, for a view borrowed by a callback, until the
// callback returns).
typedef struct rmq_message_view_t rmq_message_view_t;

// A producer. Thread-safe: any thread may use it at the same time, except
// that `rmq_producer_free` must not race with other calls on it.
typedef struct rmq_producer_t rmq_producer_t;

// A lite pull consumer: the library pulls in the background and
// `rmq_pull_consumer_poll` hands the messages out on the caller's thread.
// Thread-safe (calls may come from any thread at the same time), except
// that `rmq_pull_consumer_free` must not race with other calls on it. No
// callbacks.
typedef struct rmq_pull_consumer_t rmq_pull_consumer_t;

// A push consumer. Thread-safe: any thread may use it at the same time,
// except that `rmq_push_consumer_free` must not race with other calls on it.
typedef struct rmq_push_consumer_t rmq_push_consumer_t;

// A send result. Read-only and thread-safe; its strings are borrowed and
// valid until it is freed (or, in a callback, until the callback returns).
typedef struct rmq_send_result_t rmq_send_result_t;

// A transaction producer. Thread-safe like `rmq_producer_t`.
typedef struct rmq_transaction_producer_t rmq_transaction_producer_t;

// Chooses the queues of a topic this consumer owns, for clustering
// consumers: sets `mine[i]` to 1 for each queue `queues[i]` it should own and
// leaves the others 0 (`mine` starts all 0). `queues` (`queue_count` borrowed
// queues, sorted by broker name then queue id) and `consumer_ids`
// (`consumer_count` ids of the group's consumers, sorted, `current_id`
// among them when this consumer is registered) are valid during the call
// only. Returns 0; any other value is a failure: the consumer keeps its
// queues and tries again soon. Every consumer of the group must make the
// same choice for the same input, or queues are consumed twice or not at
// all. Runs on a library thread that is not a network thread; it should
// return quickly and must not call `rmq_*_shutdown` or `rmq_*_free` of the
// consumer it serves.
typedef int32_t (*rmq_allocate_cb)(void *user_data,
                                   const char *group,
                                   const char *current_id,
                                   const struct rmq_message_queue_t *const *queues,
                                   size_t queue_count,
                                   const char *const *consumer_ids,
                                   size_t consumer_count,
                                   uint8_t *mine);

// A finalizer for user data: called exactly once when the library is done with it.
typedef void (*rmq_free_cb)(void *user_data);

// Receives a log line: the level, the part of the library it comes from
// (e.g. "producer") and the message, both NUL-terminated and valid only
// during the call. Called from any library or application thread, possibly
// concurrently; it must be thread-safe, return quickly and not call `rmq_`
// functions (lines logged meanwhile on the same thread go to stderr).
typedef void (*rmq_log_cb)(void *user_data,
                           rmq_log_level_t level,
                           const char *target,
                           const char *message);

// Completion of an async send: exactly one of `result` and `error` is not
// NULL; both are borrowed for the duration of the call. Runs on the
// library's callback thread (one thread for every producer, callbacks in
// completion order), never on an I/O thread.
typedef void (*rmq_send_cb)(void *user_data,
                            const struct rmq_send_result_t *result,
                            const struct rmq_error_t *error);

// Chooses the queue of `rmq_producer_send_with_selector`: returns an index
// in `0..count`. `msg` is the message being sent; `queues` holds `count`
// borrowed queues; all are valid only during the call, which happens on the
// thread that called `rmq_producer_send_with_selector`, before it returns.
typedef size_t (*rmq_queue_selector_cb)(void *user_data,
                                        const struct rmq_message_t *msg,
                                        const struct rmq_message_queue_t *const *queues,
                                        size_t count);

// The status and offsets of a one-shot pull.
typedef struct rmq_pull_info_t {
  // How the pull ended.
  rmq_pull_status_t status;
  // The offset to pull next.
  int64_t next_begin_offset;
  // The queue's first stored offset.
  int64_t min_offset;
  // One past the queue's last stored offset.
  int64_t max_offset;
} rmq_pull_info_t;

// A concurrent listener: consumes `count` (>= 1, at most
// `consume.batch.size`) messages of one queue and returns an
// `rmq_consume_status_t`. `msgs` and the views in it are borrowed for the
// call only (keep one with `rmq_message_view_clone`). `*ack_index` starts at
// `count - 1`; on `RMQ_CONSUME_SUCCESS` the listener may lower it to the
// index of the last message it consumed (-1: none), and the messages after
// it are delivered again as with `RMQ_RECONSUME_LATER`. Runs on one of the
// consumer's consume threads (`consume.thread.count` threads owned by the
// library), several batches at once; a batch that the broker asks to
// consume directly runs on a library thread of its own. It may call any
// `rmq_` function, sends included, except `rmq_push_consumer_shutdown` of
// its own consumer (`RMQ_ERR_INVALID_STATE`); blocking in it holds back only
// its thread.
typedef int32_t (*rmq_consume_cb)(void *user_data,
                                  const struct rmq_message_view_t *const *msgs,
                                  size_t count,
                                  int32_t *ack_index);

// An orderly listener: consumes `count` (>= 1) messages of one queue, in
// queue order, and returns an `rmq_consume_orderly_status_t`. `msgs` and
// the views in it are borrowed for the call only. Runs on one of the
// consumer's consume threads; the batches of one queue never run at the
// same time and come in queue order (clustering: only while this consumer
// holds the queue's lock on its broker). Same rules as `rmq_consume_cb`
// otherwise.
typedef int32_t (*rmq_consume_orderly_cb)(void *user_data,
                                          const struct rmq_message_view_t *const *msgs,
                                          size_t count);

// Runs the local transaction of a half message the broker stored: returns
// an `RMQ_TRANSACTION_*` value (anything else counts as unknown). `msg` is
// the message as sent (`rmq_message_transaction_id` gives the transaction
// id the broker assigned) and `arg` the pointer given to
// `rmq_transaction_producer_send_in_transaction`; `msg` is borrowed for the
// call. Runs on the thread that called `..._send_in_transaction`.
typedef int32_t (*rmq_transaction_execute_cb)(void *user_data,
                                              const struct rmq_message_t *msg,
                                              void *arg);

// Answers the broker's question about a half message whose outcome was
// unknown: returns an `RMQ_TRANSACTION_*` value (anything else counts as
// unknown). `msg` is borrowed for the call. Runs on the producer's checker
// thread (one per transaction producer, checks in order).
typedef int32_t (*rmq_transaction_check_cb)(void *user_data, const struct rmq_message_view_t *msg);

#ifdef __cplusplus
extern "C" {
#endif // __cplusplus

// Creates an admin client from `config` (taken, whether this succeeds or
// not), which needs `namesrv.addr` and may carry credentials and a
// namespace; other keys are ignored with a warning. On success writes an
// owned admin to `*out`; free it with `rmq_admin_free`.
struct rmq_error_t *rmq_admin_new(struct rmq_config_t *config, struct rmq_admin_t **out);

// Creates (or updates) `topic` on the broker at `broker_addr`
// (`host:port`), or, when `broker_addr` is NULL, on every master broker of
// `cluster`. `read_queue_nums` and `write_queue_nums` are 1..=1024 (Java
// and v2 use 8), `perm` the permission bits (6: read and write),
// `topic_filter_type` NULL (`SINGLE_TAG`) or `MULTI_TAG`, `topic_sys_flag`
// usually 0. The name servers learn the route from the broker within a
// moment.
struct rmq_error_t *rmq_admin_create_topic(struct rmq_admin_t *admin,
                                           const char *broker_addr,
                                           const char *cluster,
                                           const char *topic,
                                           int32_t read_queue_nums,
                                           int32_t write_queue_nums,
                                           int32_t perm,
                                           const char *topic_filter_type,
                                           int32_t topic_sys_flag,
                                           bool order);

// Deletes `topic` from the brokers and the name servers: with
// `broker_addr`, from that broker; else with `cluster`, from every master
// of that cluster; else from every master broker in the topic's route. Then
// from every name server (only `cluster`'s route when `cluster` is given).
// Deleting a topic nobody knows succeeds.
struct rmq_error_t *rmq_admin_delete_topic(struct rmq_admin_t *admin,
                                           const char *topic,
                                           const char *broker_addr,
                                           const char *cluster);

// The writable queues of `topic` (from its route, fetched now). On success
// writes an owned array of `*count` owned queues to `*queues`; free it with
// `rmq_message_queues_free(*queues, *count)`. A topic the name servers do
// not know fails with `RMQ_ERR_NO_ROUTE`.
struct rmq_error_t *rmq_admin_publish_queues(struct rmq_admin_t *admin,
                                             const char *topic,
                                             struct rmq_message_queue_t ***queues,
                                             size_t *count);

// Every topic the name servers know. On success writes an owned array of
// `*count` owned strings to `*topics`; free it with
// `rmq_strings_free(*topics, *count)`.
struct rmq_error_t *rmq_admin_topic_list(struct rmq_admin_t *admin, char ***topics, size_t *count);

// The names of the clusters whose brokers serve `topic`. On success writes
// an owned array of `*count` owned strings to `*clusters`; free it with
// `rmq_strings_free(*clusters, *count)`.
struct rmq_error_t *rmq_admin_topic_clusters(struct rmq_admin_t *admin,
                                             const char *topic,
                                             char ***clusters,
                                             size_t *count);

// Frees an array of `count` strings returned by the library (and the
// strings). NULL is a no-op.
void rmq_strings_free(char **strings, size_t count);

// Closes the admin's connections and frees it. NULL is a no-op.
void rmq_admin_free(struct rmq_admin_t *admin);

// Makes the consumers built from `cfg` share queues with `allocate` (see
// `rmq_allocate_cb`) instead of the `allocate.strategy` setting; clustering
// only (broadcasting consumers own every queue). `user_data` is passed to
// every call; `free_user_data` (may be NULL) is called with it exactly once
// when no consumer built from `cfg`, nor `cfg`, uses it any more (also when
// a later call replaces it). A NULL `allocate` removes the strategy. When
// this returns an error nothing changed and `free_user_data` is not called.
struct rmq_error_t *rmq_config_set_allocate(struct rmq_config_t *cfg,
                                            rmq_allocate_cb allocate,
                                            void *user_data,
                                            rmq_free_cb free_user_data);

// A new, empty configuration. Never NULL (except when out of memory, which aborts).
// Free it with `rmq_config_free` unless a constructor took it.
struct rmq_config_t *rmq_config_new(void);

// Sets `key` to `value` (both NUL-terminated UTF-8, copied). A later set of
// the same key replaces the value. Fails with `RMQ_ERR_UNKNOWN_CONFIG` for a
// key no role knows and `RMQ_ERR_INVALID_ARG` for a value the key does not
// accept; `cfg` is unchanged then. An empty value unsets optional keys.
//
// Client keys (every role):
// - `namesrv.addr` (required): name servers, `host:port;host:port`
// - `instance.name`: clients sharing IP, instance name and name servers share
//   connections; `DEFAULT` (the default) gives each client its own
// - `client.ip`: the IP in the client id (default: found from the interfaces)
// - `unit.name`, `namespace` (v1, names wrapped as `ns%name`), `namespace.v2` (5.x)
// - `access.key`, `secret.key`, `security.token`: ACL credentials (both keys or neither)
// - `vip.channel` (`false`): send through brokers' VIP port
// - `serialize.type` (`json` | `rocketmq`): request header encoding
// - `language` (`OTHER`): the language code sent to servers (`CPP`, `GO`, ...)
// - `route.refresh.interval.ms` (30000), `heartbeat.interval.ms` (30000),
//   `persist.offset.interval.ms` (5000), `api.timeout.ms` (3000),
//   `connect.timeout.ms` (3000), `max.frame.bytes` (16777216)
//
// Producer keys:
// - `group` (required): the producer group
// - `send.timeout.ms` (3000): total time of a send, retries included
// - `attempt.timeout.ms` (0, off): time of one attempt
// - `retry.times` (2): extra attempts after a retriable failure (sync and async)
// - `retry.another.broker.when.not.store.ok` (`false`)
// - `compress.threshold.bytes` (4096), `compress.type` (`zlib` | `lz4` | `zstd`),
//   `compress.level` (5)
// - `max.message.bytes` (4194304)
// - `create.topic.key` (`TBW102`), `default.topic.queue.nums` (4)
// - `send.latency.fault.enable` (`false`), `start.detector.enable` (`false`),
//   `detect.interval.ms` (2000), `detect.timeout.ms` (200), `latency.table` (`v5` | `v4`)
// - `max.inflight.async` (10000), `max.inflight.bytes` (104857600): bounds on async sends
// - `back.pressure` (`wait` | `fail`): what an async send does at those bounds
// - `send.header.v2` (`true`): the short send header
//
// Push consumer keys (`rmq_push_consumer_new`):
// - `group` (required): the consumer group
// - `message.model` (`clustering` | `broadcasting`)
// - `consume.from.where` (`last_offset` | `first_offset` | `timestamp`): where a
//   group with no stored offset starts; `consume.timestamp`: for `timestamp`, ms
//   since the Unix epoch (default: half an hour before the start)
// - `allocate.strategy` (`AVG` | `AVG_BY_CIRCLE` | `CONSISTENT_HASH`): how the
//   group shares queues (`rmq_config_set_allocate` sets a strategy of your own)
// - `consume.thread.count` (20): threads running listeners (1..=1000)
// - `consume.batch.size` (1): most messages per listener call (1..=1024)
// - `pull.batch.size` (32): most messages per pull (1..=1024);
//   `pull.batch.size.bytes` (262144): most bytes per pull (5.x brokers)
// - `pull.interval.ms` (0): pause between pulls of a queue
// - `pull.threshold.for.queue` (1000), `pull.threshold.size.for.queue` (100, MiB):
//   cached per queue before pulling pauses
// - `pull.threshold.for.topic`, `pull.threshold.size.for.topic` (MiB): cached per
//   topic, shared by its queues (0 or empty: off, the default)
// - `consume.concurrently.max.span` (2000): largest offset span cached per queue
// - `max.reconsume.times` (-1: 16 concurrently, unlimited orderly): deliveries
//   before the dead-letter queue
// - `suspend.current.queue.time.ms` (1000): orderly pause after a failed batch
// - `consume.timeout.ms` (900000): messages in a listener longer are sent back
// - `rebalance.interval.ms` (20000), `lock.interval.ms` (20000, orderly)
// - `broker.suspend.max.time.ms` (15000), `pull.timeout.ms` (30000): long polling
// - `post.subscription.when.pull` (`false`)
// - `shutdown.timeout.ms` (10000): how long shutdown waits for listeners
// - `queue.drain.timeout.ms` (5000): how long a queue moving to another
//   consumer waits for its listeners
// - `local.offset.dir` (`~/.rocketmq_offsets`): broadcasting offset files
//
// Lite pull consumer keys (`rmq_pull_consumer_new`): `group` (required),
// `message.model`, `consume.from.where`, `consume.timestamp`,
// `allocate.strategy`, `local.offset.dir` as above, and:
// - `pull.batch.size` (10): most messages per pull and per poll
// - `pull.threshold.for.all` (10000), `pull.threshold.for.queue` (1000),
//   `pull.threshold.size.for.queue` (100, MiB): buffered before pulling pauses
// - `auto.commit` (`true`), `auto.commit.interval.ms` (5000, at least 1000)
// - `broker.suspend.max.time.ms` (20000), `pull.timeout.ms` (30000)
// - `pull.delay.on.error.ms` (1000), `rebalance.interval.ms` (20000)
//
// Booleans accept `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`.
struct rmq_error_t *rmq_config_set(struct rmq_config_t *cfg, const char *key, const char *value);

// The value `key` was set to, borrowed from `cfg` until `cfg` is changed or
// freed; NULL when unset or when an argument is NULL or not UTF-8.
const char *rmq_config_get(const struct rmq_config_t *cfg, const char *key);

// Frees a configuration no constructor took. NULL is a no-op.
void rmq_config_free(struct rmq_config_t *cfg);

// The code of `error`; `RMQ_OK` for NULL.
rmq_err_t rmq_error_code(const struct rmq_error_t *error);

// The message of `error`: NUL-terminated UTF-8, borrowed from `error` and
// valid until it is freed. Never NULL: "" for a NULL error.
const char *rmq_error_message(const struct rmq_error_t *error);

// The response code the broker or name server answered with (RocketMQ
// `ResponseCode`), or 0 when the error did not come from a server or for NULL.
int32_t rmq_error_response_code(const struct rmq_error_t *error);

// Whether retrying the same call may succeed (timeouts, network errors,
// some broker answers). False for NULL.
bool rmq_error_retriable(const struct rmq_error_t *error);

// Frees an error returned by this library. NULL is a no-op. Never free an
// error passed to a callback: it is borrowed.
void rmq_error_free(struct rmq_error_t *error);

// The name of an error code ("RMQ_ERR_TIMEOUT"), a static string; NULL for
// a value that is not a code.
const char *rmq_err_name(int32_t code);

// Sets the most detailed level logged (an `RMQ_LOG_*` value; default
// `RMQ_LOG_WARN`). Fails with `RMQ_ERR_INVALID_ARG` for other values.
struct rmq_error_t *rmq_set_log_level(int32_t level);

// The most detailed level logged.
rmq_log_level_t rmq_log_level(void);

// Sends log lines to `cb` with `user_data` instead of stderr; NULL `cb`
// restores stderr. Replaces any earlier callback: the earlier
// `free_user_data` (if not NULL) is called exactly once, after the earlier
// callback's last call, on whichever thread finishes with it. With NULL `cb`,
// `free_user_data(user_data)` (if not NULL) is called at once. Log lines
// never contain message bodies or secrets.
void rmq_set_log_callback(rmq_log_cb cb, void *user_data, rmq_free_cb free_user_data);

// Creates a message for `topic` (NUL-terminated UTF-8, copied) with an empty
// body; the topic's validity is checked when it is sent. On success writes
// an owned message to `*out` (free it with `rmq_message_free`).
struct rmq_error_t *rmq_message_new(const char *topic, struct rmq_message_t **out);

// Creates the reply to a request message (`request`, as a responder
// received it): to the request cluster's reply topic, carrying the
// request's correlation id, reply-to client and time to live, with a copy
// of `len` bytes at `body`. Send it with any producer's send functions; the
// requester's `rmq_producer_request` returns it. Fails with
// `RMQ_ERR_INVALID_ARG` when `request` is not a request. On success writes
// an owned message to `*out` (free it with `rmq_message_free`).
struct rmq_error_t *rmq_message_new_reply(const struct rmq_message_view_t *request,
                                          const uint8_t *body,
                                          size_t len,
                                          struct rmq_message_t **out);

// As `rmq_message_new_reply`, from the request's properties `CLUSTER`,
// `CORRELATION_ID`, `REPLY_TO_CLIENT` and `TTL` (each NUL-terminated, not
// empty), for bindings that keep received messages as copies.
struct rmq_error_t *rmq_message_new_reply_to(const char *cluster,
                                             const char *correlation_id,
                                             const char *reply_to_client,
                                             const char *ttl,
                                             const uint8_t *body,
                                             size_t len,
                                             struct rmq_message_t **out);

// Sets the body to a copy of `len` bytes at `body`. NULL with `len` 0 is an
// empty body (which a send rejects: RocketMQ needs a body).
struct rmq_error_t *rmq_message_set_body(struct rmq_message_t *msg,
                                         const uint8_t *body,
                                         size_t len);

// Sets the tags (one tag, used by consumers' tag filters); "" removes them.
struct rmq_error_t *rmq_message_set_tags(struct rmq_message_t *msg, const char *tags);

// Sets the keys (for lookups by key), several separated by spaces; "" removes them.
struct rmq_error_t *rmq_message_set_keys(struct rmq_message_t *msg, const char *keys);

// Sets the user property `name` to `value` (copied). Fails for a name the
// system reserves, a blank name or value, or the characters 0x01 or 0x02.
struct rmq_error_t *rmq_message_set_property(struct rmq_message_t *msg,
                                             const char *name,
                                             const char *value);

// Sets the delay level (1 = 1 s ... 18 = 2 h with the broker's default levels);
// 0 removes it. Fails outside 0..=18.
struct rmq_error_t *rmq_message_set_delay_level(struct rmq_message_t *msg, int32_t level);

// Sets the time the message becomes visible, in milliseconds since the Unix
// epoch (5.x brokers' timer messages). Fails for a negative time.
struct rmq_error_t *rmq_message_set_delivery_time(struct rmq_message_t *msg, int64_t epoch_ms);

// Sets the sharding key (ordered sends by sharding key); "" removes it.
struct rmq_error_t *rmq_message_set_sharding_key(struct rmq_message_t *msg, const char *key);

// Sets the user flag, carried as is.
struct rmq_error_t *rmq_message_set_flag(struct rmq_message_t *msg, int32_t flag);

// The topic (borrowed), or NULL for a NULL message.
const char *rmq_message_topic(const struct rmq_message_t *msg);

// The transaction id the broker assigned (borrowed): set on the message
// passed to a transaction producer's execute callback; NULL otherwise.
const char *rmq_message_transaction_id(const struct rmq_message_t *msg);

// The property `name` (system properties included, e.g. `TAGS`, `KEYS`,
// `UNIQ_KEY`), borrowed; NULL when unset or when an argument is NULL or not UTF-8.
const char *rmq_message_property(const struct rmq_message_t *msg, const char *name);

// The tags (borrowed), or NULL when none.
const char *rmq_message_tags(const struct rmq_message_t *msg);

// The keys, space-separated (borrowed), or NULL when none.
const char *rmq_message_keys(const struct rmq_message_t *msg);

// The body (borrowed) and its length in `*len`. Returns NULL with `*len` = 0
// for an empty body or a NULL message; `len` may be NULL.
const uint8_t *rmq_message_body(const struct rmq_message_t *msg, size_t *len);

// Frees a message. NULL is a no-op.
void rmq_message_free(struct rmq_message_t *msg);

// Creates a queue (strings copied). On success writes an owned queue to
// `*out`; free it with `rmq_message_queue_free`. Fails for a negative queue id.
struct rmq_error_t *rmq_message_queue_new(const char *topic,
                                          const char *broker_name,
                                          int32_t queue_id,
                                          struct rmq_message_queue_t **out);

// The topic (borrowed from `q`); NULL for NULL.
const char *rmq_message_queue_topic(const struct rmq_message_queue_t *q);

// The broker name (borrowed from `q`); NULL for NULL.
const char *rmq_message_queue_broker_name(const struct rmq_message_queue_t *q);

// The queue id; -1 for NULL.
int32_t rmq_message_queue_queue_id(const struct rmq_message_queue_t *q);

// Frees a queue. NULL is a no-op. Never free a queue borrowed by a callback.
void rmq_message_queue_free(struct rmq_message_queue_t *q);

// Frees an array of `count` queues from `rmq_producer_queues` (or another
// function that returns a queue array), and the queues in it. NULL is a no-op.
void rmq_message_queues_free(struct rmq_message_queue_t **queues, size_t count);

// The topic (borrowed); NULL for a NULL view.
const char *rmq_message_view_topic(const struct rmq_message_view_t *v);

// The property `name` (borrowed), system properties included; NULL when
// unset or when an argument is NULL or not UTF-8.
const char *rmq_message_view_property(const struct rmq_message_view_t *v, const char *name);

// The tags (borrowed), or NULL when none.
const char *rmq_message_view_tags(const struct rmq_message_view_t *v);

// The keys, space-separated (borrowed), or NULL when none.
const char *rmq_message_view_keys(const struct rmq_message_view_t *v);

// The body (borrowed) and its length in `*len` (`len` may be NULL). NULL
// with `*len` = 0 for an empty body or a NULL view.
const uint8_t *rmq_message_view_body(const struct rmq_message_view_t *v, size_t *len);

// The message id: the client's unique key (`UNIQ_KEY`) when set, otherwise
// the offset message id (borrowed); NULL for a NULL view.
const char *rmq_message_view_msg_id(const struct rmq_message_view_t *v);

// The broker's offset message id (store host and commit log offset, hex; borrowed).
const char *rmq_message_view_offset_msg_id(const struct rmq_message_view_t *v);

// The queue id; -1 for a NULL view.
int32_t rmq_message_view_queue_id(const struct rmq_message_view_t *v);

// The offset in its queue; -1 for a NULL view.
int64_t rmq_message_view_queue_offset(const struct rmq_message_view_t *v);

// The offset in the broker's commit log; -1 for a NULL view.
int64_t rmq_message_view_commit_log_offset(const struct rmq_message_view_t *v);

// When the producer created it, ms since the Unix epoch; 0 for a NULL view.
int64_t rmq_message_view_born_timestamp(const struct rmq_message_view_t *v);

// When the broker stored it, ms since the Unix epoch; 0 for a NULL view.
int64_t rmq_message_view_store_timestamp(const struct rmq_message_view_t *v);

// The producer's address, "ip:port" (borrowed); NULL for a NULL view.
const char *rmq_message_view_born_host(const struct rmq_message_view_t *v);

// The storing broker's address, "ip:port" (borrowed); NULL for a NULL view.
const char *rmq_message_view_store_host(const struct rmq_message_view_t *v);

// How many times it was redelivered to consumers; 0 for a NULL view.
int32_t rmq_message_view_reconsume_times(const struct rmq_message_view_t *v);

// The user flag; 0 for a NULL view.
int32_t rmq_message_view_flag(const struct rmq_message_view_t *v);

// The system flag (compression, transaction bits); 0 for a NULL view.
int32_t rmq_message_view_sys_flag(const struct rmq_message_view_t *v);

// The CRC32 of the stored body (31 bits); 0 for a NULL view.
int32_t rmq_message_view_body_crc(const struct rmq_message_view_t *v);

// The size of the stored record in bytes; 0 for a NULL view.
int32_t rmq_message_view_store_size(const struct rmq_message_view_t *v);

// The prepared-transaction offset of a transactional message; 0 for a NULL view.
int64_t rmq_message_view_prepared_transaction_offset(const struct rmq_message_view_t *v);

// The number of properties (system and user); 0 for a NULL view.
size_t rmq_message_view_property_count(const struct rmq_message_view_t *v);

// The property at `index` (0 <= index < count, in name order): writes borrowed
// name and value pointers and returns true; false (nothing written) for an
// index out of range or a NULL argument.
bool rmq_message_view_property_at(const struct rmq_message_view_t *v,
                                  size_t index,
                                  const char **name,
                                  const char **value);

// An owned copy of `v` that outlives any callback; free it with
// `rmq_message_view_free`. NULL for a NULL view.
struct rmq_message_view_t *rmq_message_view_clone(const struct rmq_message_view_t *v);

// Frees an owned view (from `rmq_producer_request` or `rmq_message_view_clone`).
// NULL is a no-op. Never free a view borrowed by a callback.
void rmq_message_view_free(struct rmq_message_view_t *v);

// Creates a producer from `config`, which it takes ownership of whether it
// succeeds or fails (the caller must not use or free it afterwards). The
// settings `namesrv.addr` and `group` are required (see `rmq_config_set`).
// On success writes an owned producer to `*out` (not started; free it with
// `rmq_producer_free`).
struct rmq_error_t *rmq_producer_new(struct rmq_config_t *config, struct rmq_producer_t **out);

// Starts the producer: connects to the name servers and registers the
// group. Starting a started producer is OK; a shut-down one gives
// `RMQ_ERR_SHUT_DOWN`.
struct rmq_error_t *rmq_producer_start(struct rmq_producer_t *producer);

// Shuts the producer down: stops accepting sends, waits (up to the send
// timeout) for async sends in flight, unregisters from the brokers, then
// waits until every async send's callback has returned (except when called
// from a callback of another producer, where it does not wait for
// callbacks). Sends still in flight after the wait fail with an error passed
// to their callback. Shutting down twice is OK. Called from one of this
// producer's own callbacks it fails with `RMQ_ERR_INVALID_STATE` (it would
// wait for itself). Afterwards every call but `rmq_producer_free` and
// `rmq_producer_shutdown` fails with `RMQ_ERR_SHUT_DOWN`.
struct rmq_error_t *rmq_producer_shutdown(struct rmq_producer_t *producer);

// Shuts the producer down if needed (as `rmq_producer_shutdown`) and frees
// it. Every async send still in flight gets its callback exactly once
// (with an error if it could not complete) before this returns, and every
// `free_user_data` has been called. Called from a callback (any producer's),
// it returns at once and the shutdown and release happen on a library
// thread once the callback returns. NULL is a no-op.
void rmq_producer_free(struct rmq_producer_t *producer);

// Sends `msg` (copied; the caller keeps it) and waits for the broker's
// answer, retrying retriable failures on another broker within the send
// timeout. On success writes an owned result to `*result` (free it with
// `rmq_send_result_free`).
struct rmq_error_t *rmq_producer_send_sync(struct rmq_producer_t *producer,
                                           const struct rmq_message_t *msg,
                                           struct rmq_send_result_t **result);

// Sends `msg` (copied) without waiting. `callback` (not NULL) is called
// exactly once with the outcome, on the library's callback thread, never
// before this function is called and never on the caller's thread; then
// `free_user_data(user_data)` is called (when not NULL) on that thread.
// `user_data` may be NULL. When the in-flight bounds are reached, this waits
// (`back.pressure` = `wait`) or fails with `RMQ_ERR_BUSY` (`fail`). When
// this returns an error, neither `callback` nor `free_user_data` is called.
// Callbacks may call any `rmq_` function, including sends, but should not
// block for long: callbacks of every producer share the thread.
struct rmq_error_t *rmq_producer_send_async(struct rmq_producer_t *producer,
                                            const struct rmq_message_t *msg,
                                            rmq_send_cb callback,
                                            void *user_data,
                                            rmq_free_cb free_user_data);

// Sends `msg` (copied) without waiting for an answer and without retries.
struct rmq_error_t *rmq_producer_send_oneway(struct rmq_producer_t *producer,
                                             const struct rmq_message_t *msg);

// Sends `count` messages (copied) as one batch: same topic, no delays, at
// least one. On success writes one owned result to `*result`; its message
// ids are comma-separated.
struct rmq_error_t *rmq_producer_send_batch(struct rmq_producer_t *producer,
                                            const struct rmq_message_t *const *msgs,
                                            size_t count,
                                            struct rmq_send_result_t **result);

// Sends `msg` (copied) to the queue chosen by the hash of `key` (Java's
// `String.hashCode`, as `SelectMessageQueueByHash`): messages with the same
// key go to the same queue, in order. No retry on another queue.
struct rmq_error_t *rmq_producer_send_orderly(struct rmq_producer_t *producer,
                                              const struct rmq_message_t *msg,
                                              const char *key,
                                              struct rmq_send_result_t **result);

// Sends `msg` (copied) to the queue `selector` (not NULL) chooses; see
// `rmq_queue_selector_cb`. `user_data` is passed to it and not kept. An
// index out of range fails with `RMQ_ERR_INVALID_ARG`. No retry on another queue.
struct rmq_error_t *rmq_producer_send_with_selector(struct rmq_producer_t *producer,
                                                    const struct rmq_message_t *msg,
                                                    rmq_queue_selector_cb selector,
                                                    void *user_data,
                                                    struct rmq_send_result_t **result);

// Sends `msg` (copied) to `queue`, which must be a writable queue of the
// message's topic (see `rmq_producer_queues`).
struct rmq_error_t *rmq_producer_send_to_queue(struct rmq_producer_t *producer,
                                               const struct rmq_message_t *msg,
                                               const struct rmq_message_queue_t *queue,
                                               struct rmq_send_result_t **result);

// The writable queues of `topic`, fetching its route if needed. On success
// writes an owned array of `*count` owned queues to `*queues`; free it with
// `rmq_message_queues_free(*queues, *count)`.
struct rmq_error_t *rmq_producer_queues(struct rmq_producer_t *producer,
                                        const char *topic,
                                        struct rmq_message_queue_t ***queues,
                                        size_t *count);

// Sends `msg` (copied) as a request and waits up to `timeout_ms` (> 0) for
// the reply, which a responder sends to the request's reply topic. On
// success writes the owned reply to `*reply` (free it with
// `rmq_message_view_free`). No reply in time: `RMQ_ERR_TIMEOUT`.
struct rmq_error_t *rmq_producer_request(struct rmq_producer_t *producer,
                                         const struct rmq_message_t *msg,
                                         int64_t timeout_ms,
                                         struct rmq_message_view_t **reply);

// Creates a lite pull consumer from `config`, which it takes ownership of
// whether it succeeds or fails (the caller must not use or free it
// afterwards). The settings `namesrv.addr` and `group` are required; the
// consumer keys are listed at `rmq_config_set`. On success writes an owned
// consumer to `*out` (not started: subscribe or assign, then start it;
// free it with `rmq_pull_consumer_free`).
struct rmq_error_t *rmq_pull_consumer_new(struct rmq_config_t *config,
                                          struct rmq_pull_consumer_t **out);

// Subscribes `topic` with a tag expression (`*`, `TagA || TagB`): its
// queues are shared within the group by rebalancing. Subscribing again
// replaces the expression. Cannot be mixed with `rmq_pull_consumer_assign`
// (`RMQ_ERR_INVALID_ARG`). Allowed before and after start.
struct rmq_error_t *rmq_pull_consumer_subscribe(struct rmq_pull_consumer_t *consumer,
                                                const char *topic,
                                                const char *expression);

// As `rmq_pull_consumer_subscribe`, with an SQL92 expression over message
// properties; the broker needs `enablePropertyFilter=true`.
struct rmq_error_t *rmq_pull_consumer_subscribe_sql92(struct rmq_pull_consumer_t *consumer,
                                                      const char *topic,
                                                      const char *sql);

// Stops consuming `topic` (subscribe mode; a topic not subscribed is OK).
struct rmq_error_t *rmq_pull_consumer_unsubscribe(struct rmq_pull_consumer_t *consumer,
                                                  const char *topic);

// Consumes exactly the `count` queues of `queues` (copied; NULL with 0
// assigns none), replacing any earlier assignment; no rebalancing. Cannot
// be mixed with `rmq_pull_consumer_subscribe` (`RMQ_ERR_INVALID_ARG`).
// Allowed before and after start.
struct rmq_error_t *rmq_pull_consumer_assign(struct rmq_pull_consumer_t *consumer,
                                             const struct rmq_message_queue_t *const *queues,
                                             size_t count);

// Starts: connects, registers the group and starts pulling. Starting a
// started consumer is OK; a shut-down one gives `RMQ_ERR_SHUT_DOWN`.
struct rmq_error_t *rmq_pull_consumer_start(struct rmq_pull_consumer_t *consumer);

// Waits up to `timeout_ms` (>= 0) for messages on the calling thread and
// hands out the next batch (at most `pull.batch.size` messages of one
// queue, in queue order). Writes an owned array of `*count` owned views to
// `*msgs` (NULL and 0 when nothing came in time); free the array and its
// views with one `rmq_message_views_free(*msgs, *count)` (never free one of
// its views alone; clone a view to keep it longer). With `auto.commit` the
// offsets of what earlier polls returned are committed now and then.
// Not started: `RMQ_ERR_NOT_STARTED`.
struct rmq_error_t *rmq_pull_consumer_poll(struct rmq_pull_consumer_t *consumer,
                                           int64_t timeout_ms,
                                           struct rmq_message_view_t ***msgs,
                                           size_t *count);

// Pulls once from `queue` (any queue of a topic, consumed by this consumer
// or not; see `rmq_pull_consumer_fetch_queues`) at `offset` (>= 0): up to
// `max_nums` (> 0; the broker caps it) messages matching the tag
// `expression` (NULL: the consumer's subscription of the queue's topic, tags
// or SQL92, or `*` for a topic it does not subscribe), waiting up to
// `timeout_ms` (> 0) on the calling thread. Outside the consumer's buffering: nothing is committed and `poll`
// is not affected. Writes the status and offsets to `*info` and an owned
// array of `*count` owned views to `*msgs` (NULL and 0 without messages);
// free it with `rmq_message_views_free(*msgs, *count)`. Needs a started
// consumer (`RMQ_ERR_NOT_STARTED`).
struct rmq_error_t *rmq_pull_consumer_pull_from(struct rmq_pull_consumer_t *consumer,
                                                const struct rmq_message_queue_t *queue,
                                                const char *expression,
                                                int64_t offset,
                                                int32_t max_nums,
                                                int64_t timeout_ms,
                                                struct rmq_pull_info_t *info,
                                                struct rmq_message_view_t ***msgs,
                                                size_t *count);

// Frees an array of `count` views from `rmq_pull_consumer_poll` and the
// views in it. NULL is a no-op.
void rmq_message_views_free(struct rmq_message_view_t **msgs, size_t count);

// Continues `queue` (one the consumer consumes now) at `offset`, which
// must lie within the queue's stored messages (`RMQ_ERR_INVALID_ARG`
// otherwise); messages of the queue polled but not yet returned are dropped.
struct rmq_error_t *rmq_pull_consumer_seek(struct rmq_pull_consumer_t *consumer,
                                           const struct rmq_message_queue_t *queue,
                                           int64_t offset);

// Continues `queue` at its first stored message (see `rmq_pull_consumer_seek`).
struct rmq_error_t *rmq_pull_consumer_seek_to_beginning(struct rmq_pull_consumer_t *consumer,
                                                        const struct rmq_message_queue_t *queue);

// Continues `queue` after its last stored message (see `rmq_pull_consumer_seek`).
struct rmq_error_t *rmq_pull_consumer_seek_to_end(struct rmq_pull_consumer_t *consumer,
                                                  const struct rmq_message_queue_t *queue);

// Continues `queue` at its first message stored at or after
// `timestamp_ms` (ms since the Unix epoch; see `rmq_pull_consumer_seek`).
struct rmq_error_t *rmq_pull_consumer_seek_to_timestamp(struct rmq_pull_consumer_t *consumer,
                                                        const struct rmq_message_queue_t *queue,
                                                        int64_t timestamp_ms);

// Looks up, without moving the consumer, the offset of `queue`'s first
// message stored at or after `timestamp_ms` (ms since the Unix epoch) and
// writes it to `*offset` (the queue's end when every message is older).
struct rmq_error_t *rmq_pull_consumer_offset_for_timestamp(struct rmq_pull_consumer_t *consumer,
                                                           const struct rmq_message_queue_t *queue,
                                                           int64_t timestamp_ms,
                                                           int64_t *offset);

// Commits the offsets of everything polled so far and waits until the
// broker (or, broadcasting, the local file) has them.
struct rmq_error_t *rmq_pull_consumer_commit(struct rmq_pull_consumer_t *consumer);

// Commits `offset` (>= 0, the next offset to consume) for `queue` and
// waits until the broker (or the local file) has it.
struct rmq_error_t *rmq_pull_consumer_commit_offset(struct rmq_pull_consumer_t *consumer,
                                                    const struct rmq_message_queue_t *queue,
                                                    int64_t offset);

// Reads the committed offset of `queue` from where it is stored (the
// broker, or the local file) into `*offset`: the next offset to consume,
// or -1 when nothing was committed.
struct rmq_error_t *rmq_pull_consumer_committed(struct rmq_pull_consumer_t *consumer,
                                                const struct rmq_message_queue_t *queue,
                                                int64_t *offset);

// Stops pulling the `count` queues of `queues` (copied); `poll` skips
// their messages until they are resumed. Queues not consumed now are ignored.
struct rmq_error_t *rmq_pull_consumer_pause(struct rmq_pull_consumer_t *consumer,
                                            const struct rmq_message_queue_t *const *queues,
                                            size_t count);

// Resumes the `count` queues of `queues` (copied). Queues not paused or
// not consumed now are ignored.
struct rmq_error_t *rmq_pull_consumer_resume(struct rmq_pull_consumer_t *consumer,
                                             const struct rmq_message_queue_t *const *queues,
                                             size_t count);

// The queues of `topic` from its route (needs a started consumer). On
// success writes an owned array of `*count` owned queues to `*queues`;
// free it with `rmq_message_queues_free(*queues, *count)`.
struct rmq_error_t *rmq_pull_consumer_fetch_queues(struct rmq_pull_consumer_t *consumer,
                                                   const char *topic,
                                                   struct rmq_message_queue_t ***queues,
                                                   size_t *count);

// The queues the consumer consumes now (assigned, or from rebalancing). On
// success writes an owned array of `*count` owned queues to `*queues`;
// free it with `rmq_message_queues_free(*queues, *count)`.
struct rmq_error_t *rmq_pull_consumer_assignment(struct rmq_pull_consumer_t *consumer,
                                                 struct rmq_message_queue_t ***queues,
                                                 size_t *count);

// Shuts the consumer down: stops pulling, commits (with `auto.commit`)
// and waits for the commit, unregisters the group. Messages pulled but
// not returned by a poll are dropped (and delivered again later). Shutting
// down twice is OK. Afterwards every call but `rmq_pull_consumer_shutdown`
// and `rmq_pull_consumer_free` fails with `RMQ_ERR_SHUT_DOWN`; a poll
// waiting on another thread returns with no messages.
struct rmq_error_t *rmq_pull_consumer_shutdown(struct rmq_pull_consumer_t *consumer);

// Shuts the consumer down if needed and frees it. Called from a callback
// of another handle, it returns at once and the shutdown happens on a
// library thread. NULL is a no-op.
void rmq_pull_consumer_free(struct rmq_pull_consumer_t *consumer);

// Inside a concurrent listener (`rmq_consume_cb`), on its thread: the
// delay level of the messages of this call that go back to the broker
// (`RMQ_RECONSUME_LATER`, or past `*ack_index`): 0 lets the broker choose
// (3 + reconsume times, the default), 1 to 18 a delay level, -1 sends them
// straight to the dead-letter queue. Anywhere else: `RMQ_ERR_INVALID_STATE`.
struct rmq_error_t *rmq_consume_set_delay_level(int32_t level);

// Inside an orderly listener (`rmq_consume_orderly_cb`), on its thread: how
// long (ms, > 0) the queue pauses if this call returns
// `RMQ_SUSPEND_CURRENT_QUEUE_A_MOMENT`, instead of
// `suspend.current.queue.time.ms`. Anywhere else: `RMQ_ERR_INVALID_STATE`.
struct rmq_error_t *rmq_consume_set_suspend_time_ms(int64_t ms);

// Creates a push consumer from `config`, which it takes ownership of
// whether it succeeds or fails (the caller must not use or free it
// afterwards). The settings `namesrv.addr` and `group` are required; the
// consumer keys are listed at `rmq_config_set`. On success writes an owned
// consumer to `*out` (not started; subscribe, then start it; free it with
// `rmq_push_consumer_free`).
struct rmq_error_t *rmq_push_consumer_new(struct rmq_config_t *config,
                                          struct rmq_push_consumer_t **out);

// Subscribes `topic` with a tag expression (`*` for every message, `TagA`,
// `TagA || TagB`) and a concurrent listener (not NULL; see
// `rmq_consume_cb`). Subscribing a topic again replaces its expression and
// listener; every listener of a consumer must be concurrent, or every one
// orderly. Allowed before and after `rmq_push_consumer_start`. The library
// keeps `user_data` and calls `free_user_data(user_data)` (when not NULL)
// exactly once, from `rmq_push_consumer_free` after the subscription's last
// listener call returned (also for a replaced or removed subscription).
// When this returns an error, the listener is never called and
// `free_user_data` is not called.
struct rmq_error_t *rmq_push_consumer_subscribe(struct rmq_push_consumer_t *consumer,
                                                const char *topic,
                                                const char *expression,
                                                rmq_consume_cb listener,
                                                void *user_data,
                                                rmq_free_cb free_user_data);

// As `rmq_push_consumer_subscribe`, with an SQL92 expression over message
// properties (`a > 5 AND b = 'x'`); the broker needs `enablePropertyFilter=true`.
struct rmq_error_t *rmq_push_consumer_subscribe_sql92(struct rmq_push_consumer_t *consumer,
                                                      const char *topic,
                                                      const char *sql,
                                                      rmq_consume_cb listener,
                                                      void *user_data,
                                                      rmq_free_cb free_user_data);

// As `rmq_push_consumer_subscribe`, with an orderly listener (not NULL; see
// `rmq_consume_orderly_cb`): the messages of each queue are consumed in
// queue order, one batch of a queue at a time.
struct rmq_error_t *rmq_push_consumer_subscribe_orderly(struct rmq_push_consumer_t *consumer,
                                                        const char *topic,
                                                        const char *expression,
                                                        rmq_consume_orderly_cb listener,
                                                        void *user_data,
                                                        rmq_free_cb free_user_data);

// As `rmq_push_consumer_subscribe_orderly`, with an SQL92 expression.
struct rmq_error_t *rmq_push_consumer_subscribe_orderly_sql92(struct rmq_push_consumer_t *consumer,
                                                              const char *topic,
                                                              const char *sql,
                                                              rmq_consume_orderly_cb listener,
                                                              void *user_data,
                                                              rmq_free_cb free_user_data);

// Stops consuming `topic` (a topic not subscribed is OK): its listener is
// not called again once the calls already running return, and its queues
// are released at the next rebalance. The subscription's user data is
// finalized by `rmq_push_consumer_free`.
struct rmq_error_t *rmq_push_consumer_unsubscribe(struct rmq_push_consumer_t *consumer,
                                                  const char *topic);

// Starts consuming: connects, registers the group, and starts pulling and
// rebalancing. At least one subscription is needed (`RMQ_ERR_INVALID_ARG`
// otherwise). Starting a started consumer is OK; a shut-down one gives
// `RMQ_ERR_SHUT_DOWN`.
struct rmq_error_t *rmq_push_consumer_start(struct rmq_push_consumer_t *consumer);

// Stops pulling at once (messages already fetched are still consumed).
// Pausing twice is OK.
struct rmq_error_t *rmq_push_consumer_pause(struct rmq_push_consumer_t *consumer);

// Resumes pulling after `rmq_push_consumer_pause`. Resuming a consumer that
// is not paused is OK.
struct rmq_error_t *rmq_push_consumer_resume(struct rmq_push_consumer_t *consumer);

// The queues the consumer owns now (after rebalancing), those of the
// group's retry topic (`%RETRY%` + group, clustering) included. On success writes
// an owned array of `*count` owned queues to `*queues`; free it with
// `rmq_message_queues_free(*queues, *count)`.
struct rmq_error_t *rmq_push_consumer_assigned_queues(struct rmq_push_consumer_t *consumer,
                                                      struct rmq_message_queue_t ***queues,
                                                      size_t *count);

// Shuts the consumer down within `shutdown.timeout.ms`: stops pulling,
// waits for running listener calls, writes the consumed offsets, unlocks
// orderly queues, unregisters the group and joins the consume threads.
// Messages fetched but not consumed are not committed and are delivered
// again (to this group). The consumer is shut down even when this returns
// an error: `RMQ_ERR_TIMEOUT` when listeners were still running at the
// deadline, `RMQ_ERR_NETWORK` when offsets could not be written. Shutting
// down twice is OK (the second call reports the first one's outcome).
// Called from one of this consumer's own listeners it fails with
// `RMQ_ERR_INVALID_STATE` (it would wait for itself) and changes nothing.
// Afterwards every call but `rmq_push_consumer_shutdown` and
// `rmq_push_consumer_free` fails with `RMQ_ERR_SHUT_DOWN`.
struct rmq_error_t *rmq_push_consumer_shutdown(struct rmq_push_consumer_t *consumer);

// Shuts the consumer down if needed (as `rmq_push_consumer_shutdown`) and
// frees it; then calls every subscription's `free_user_data`. No listener
// runs after this returns (it waits for running ones). Called from a
// listener (any consumer's) or another callback, it returns at once and the
// shutdown and release happen on a library thread once the callback
// returns. NULL is a no-op.
void rmq_push_consumer_free(struct rmq_push_consumer_t *consumer);

// The store status; `RMQ_SEND_OK` for NULL.
rmq_send_status_t rmq_send_result_status(const struct rmq_send_result_t *r);

// The message id (the client's unique key; comma-separated for a batch), borrowed.
const char *rmq_send_result_msg_id(const struct rmq_send_result_t *r);

// The broker's offset message id (comma-separated for a batch), borrowed.
const char *rmq_send_result_offset_msg_id(const struct rmq_send_result_t *r);

// The topic the message was stored in (without namespace), borrowed.
const char *rmq_send_result_topic(const struct rmq_send_result_t *r);

// The name of the broker that stored it, borrowed.
const char *rmq_send_result_broker_name(const struct rmq_send_result_t *r);

// The queue id; -1 for NULL.
int32_t rmq_send_result_queue_id(const struct rmq_send_result_t *r);

// The offset in the queue (of the first message, for a batch); -1 for NULL.
int64_t rmq_send_result_queue_offset(const struct rmq_send_result_t *r);

// The transaction id the broker returned (brokers return one for every
// send; it identifies the transaction of a transactional send), borrowed;
// NULL when there was none.
const char *rmq_send_result_transaction_id(const struct rmq_send_result_t *r);

// The state the local transaction ended in, for a result of
// `rmq_transaction_producer_send_in_transaction`; `RMQ_TRANSACTION_UNKNOWN`
// for other results and for NULL.
rmq_transaction_state_t rmq_send_result_transaction_state(const struct rmq_send_result_t *r);

// Frees a result. NULL is a no-op. Never free a result borrowed by a callback.
void rmq_send_result_free(struct rmq_send_result_t *r);

// Creates a transaction producer from `config` (taken over whether this
// succeeds or fails; see `rmq_producer_new`) with its two callbacks (not
// NULL) and their `user_data`. `free_user_data(user_data)` (when not NULL)
// is called exactly once: by `rmq_transaction_producer_free` after the last
// callback returned, or before this returns when it fails. On success
// writes an owned producer to `*out` (not started).
struct rmq_error_t *rmq_transaction_producer_new(struct rmq_config_t *config,
                                                 rmq_transaction_execute_cb execute,
                                                 rmq_transaction_check_cb check,
                                                 void *user_data,
                                                 rmq_free_cb free_user_data,
                                                 struct rmq_transaction_producer_t **out);

// Starts the transaction producer (see `rmq_producer_start`).
struct rmq_error_t *rmq_transaction_producer_start(struct rmq_transaction_producer_t *producer);

// Sends `msg` (copied) as a half message, runs the execute callback with
// `arg` (on this thread), then commits, rolls back or leaves the outcome to
// the check callback. Delayed messages are refused. On success writes an
// owned result to `*result`; `rmq_send_result_transaction_state` tells the
// local transaction's outcome. A half message stored with a status other
// than `RMQ_SEND_OK` is rolled back without calling the execute callback;
// a failed send returns its error.
struct rmq_error_t *rmq_transaction_producer_send_in_transaction(struct rmq_transaction_producer_t *producer,
                                                                 const struct rmq_message_t *msg,
                                                                 void *arg,
                                                                 struct rmq_send_result_t **result);

// Shuts the transaction producer down (see `rmq_producer_shutdown`) and
// stops its checker thread after the checks already queued. Twice is OK.
// From one of its own callbacks: `RMQ_ERR_INVALID_STATE`.
struct rmq_error_t *rmq_transaction_producer_shutdown(struct rmq_transaction_producer_t *producer);

// Shuts down if needed and frees the transaction producer; then calls
// `free_user_data`. No callback runs after this returns. Called from a
// callback, it returns at once and the rest happens on a library thread
// once the callback returns. NULL is a no-op.
void rmq_transaction_producer_free(struct rmq_transaction_producer_t *producer);

// The library version as a static NUL-terminated string ("MAJOR.MINOR.PATCH").
// Never NULL; the string lives as long as the library is loaded.
const char *rmq_version(void);

// The library version as a number, `MAJOR << 16 | MINOR << 8 | PATCH`, the
// same packing as `RMQ_VERSION_NUMBER` (compare the two to catch a header
// that does not match the library).
uint32_t rmq_version_number(void);

#ifdef __cplusplus
}  // extern "C"
#endif  // __cplusplus

#endif  /* ROCKETMQ_H */
