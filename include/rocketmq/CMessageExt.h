/* Generated from src/ffi/compat/message_ext.rs by scripts/gen-compat-headers. Do not edit by hand. */
/*
 * librocketmq: the rocketmq-client-cpp C API.
 *
 * `CMessageExt.h`: read-only views of received messages.
 *
 * A `CMessageExt*` is handed out by the library (transaction check-back
 * callbacks, push consumer callbacks, pull results) and is valid only as long
 * as documented there. These getters also accept a plain `CMessage*`; the
 * broker-side fields are then 0 and the strings "".
 */

#ifndef __C_MESSAGE_EXT_H__
#define __C_MESSAGE_EXT_H__

#include "CCommon.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A received message (the same object type as `CMessage`). */
typedef struct CMessageExt CMessageExt;

/* The topic; NULL for a NULL handle. */
const char* GetMessageTopic(CMessageExt* msgExt);

/* The tags (property TAGS), "" when absent; NULL for a NULL handle. */
const char* GetMessageTags(CMessageExt* msgExt);

/* The keys (property KEYS), "" when absent; NULL for a NULL handle. */
const char* GetMessageKeys(CMessageExt* msgExt);

/* The body (decompressed) followed by a NUL; NULL for a NULL handle. */
const char* GetMessageBody(CMessageExt* msgExt);

/* The body length in bytes; 0 for a NULL handle. */
int GetMessageBodyLength(CMessageExt* msgExt);

/* The property `key`, "" when absent; NULL for a NULL handle or key. */
const char* GetMessageProperty(CMessageExt* msgExt, const char* key);

/*
 * The client message id (property UNIQ_KEY, else the broker's offset id);
 * "" for a plain outgoing message; NULL for a NULL handle.
 */
const char* GetMessageId(CMessageExt* msgExt);

/* The delay level (atoi of DELAY), 0 when absent; 1 (NULL_POINTER) for a NULL handle. */
int GetMessageDelayTimeLevel(CMessageExt* msgExt);

/* The queue id; 1 (NULL_POINTER) for a NULL handle. */
int GetMessageQueueId(CMessageExt* msgExt);

/* How many times the message was redelivered; 1 (NULL_POINTER) for a NULL handle. */
int GetMessageReconsumeTimes(CMessageExt* msgExt);

/* The stored record size; 1 (NULL_POINTER) for a NULL handle. */
int GetMessageStoreSize(CMessageExt* msgExt);

/* Born time, ms since the epoch; 1 (NULL_POINTER) for a NULL handle. */
long long GetMessageBornTimestamp(CMessageExt* msgExt);

/* Store time, ms since the epoch; 1 (NULL_POINTER) for a NULL handle. */
long long GetMessageStoreTimestamp(CMessageExt* msgExt);

/* The offset in its queue; 1 (NULL_POINTER) for a NULL handle. */
long long GetMessageQueueOffset(CMessageExt* msgExt);

/* The commit log offset; 1 (NULL_POINTER) for a NULL handle. */
long long GetMessageCommitLogOffset(CMessageExt* msgExt);

/* The prepared transaction offset; 1 (NULL_POINTER) for a NULL handle. */
long long GetMessagePreparedTransactionOffset(CMessageExt* msgExt);

/*
 * The storing broker's IP address (no port), owned by the message; ""
 * for a plain outgoing message; NULL for a NULL handle.
 */
const char* GetMessageStoreHost(CMessageExt* msg);

/*
 * The producer's IP address (no port), owned by the message; "" for a
 * plain outgoing message; NULL for a NULL handle.
 */
const char* GetMessageBornHost(CMessageExt* msg);

#ifdef __cplusplus
}
#endif

#endif /* __C_MESSAGE_EXT_H__ */
