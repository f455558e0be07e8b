/* Generated from src/ffi/compat/message.rs by scripts/gen-compat-headers. Do not edit by hand. */
/*
 * librocketmq: the rocketmq-client-cpp C API.
 *
 * `CMessage.h`: outgoing messages owned by the caller.
 *
 * One Rust object stands behind both `CMessage*` and `CMessageExt*`, so the
 * `GetMessage*` getters of `CMessageExt.h` also accept a plain `CMessage*`.
 */

#ifndef __C_MESSAGE_H__
#define __C_MESSAGE_H__

#include "CCommon.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A message: outgoing (created by `CreateMessage`) or received (handed to a
 * callback as `CMessageExt*`).
 */
typedef struct CMessage CMessage;

/*
 * Creates an outgoing message for `topic` (NULL means ""). The caller owns it
 * and frees it with `DestroyMessage`. Never NULL.
 */
CMessage* CreateMessage(const char* topic);

/* Frees a message created by `CreateMessage`. NULL_POINTER for NULL. */
int DestroyMessage(CMessage* msg);

/* Replaces the topic. NULL_POINTER if either argument is NULL. */
int SetMessageTopic(CMessage* msg, const char* topic);

/*
 * Sets the tags (property TAGS; "" removes them). NULL_POINTER if either
 * argument is NULL (the C++ library crashed on a NULL value).
 */
int SetMessageTags(CMessage* msg, const char* tags);

/*
 * Sets the keys (property KEYS, space-separated for several; "" removes
 * them). NULL_POINTER if either argument is NULL.
 */
int SetMessageKeys(CMessage* msg, const char* keys);

/*
 * Sets the body from a NUL-terminated string (its length is strlen(body)).
 * NULL_POINTER if either argument is NULL.
 */
int SetMessageBody(CMessage* msg, const char* body);

/*
 * Sets the body to exactly `len` bytes (which may contain NULs).
 * NULL_POINTER if `msg` or `body` is NULL or `len` is negative (the C++
 * library crashed on a negative length).
 */
int SetByteMessageBody(CMessage* msg, const char* body, int len);

/*
 * Sets (or replaces) the property `key` to `value`. NULL_POINTER if any
 * argument is NULL.
 */
int SetMessageProperty(CMessage* msg, const char* key, const char* value);

/*
 * Sets the delay level (property DELAY, stored even for 0; the broker treats
 * levels <= 0 as no delay). NULL_POINTER for a NULL message.
 */
int SetDelayTimeLevel(CMessage* msg, int level);

/* The topic; NULL only for a NULL message. Valid until the message changes or is freed. */
const char* GetOriginMessageTopic(CMessage* msg);

/* The tags, "" when unset; NULL only for a NULL message. */
const char* GetOriginMessageTags(CMessage* msg);

/* The keys, "" when unset; NULL only for a NULL message. */
const char* GetOriginMessageKeys(CMessage* msg);

/*
 * The body bytes followed by a NUL (use GetOriginMessageBodyLength for
 * bodies containing NULs); NULL only for a NULL message.
 */
const char* GetOriginMessageBody(CMessage* msg);

/* The body length in bytes; 0 for a NULL message. */
int GetOriginMessageBodyLength(CMessage* msg);

/* The property `key`, "" when absent; NULL for a NULL message or key. */
const char* GetOriginMessageProperty(CMessage* msg, const char* key);

/* The delay level (atoi of DELAY), 0 when unset; -1 for a NULL message. */
int GetOriginDelayTimeLevel(CMessage* msg);

#ifdef __cplusplus
}
#endif

#endif /* __C_MESSAGE_H__ */
