/* Generated from src/ffi/compat/message_queue.rs by scripts/gen-compat-headers. Do not edit by hand. */
/*
 * librocketmq: the rocketmq-client-cpp C API.
 *
 * `CMessageQueue.h`: a queue, as returned by `FetchSubscriptionMessageQueues`.
 */

#ifndef __C_MESSAGE_QUEUE_H__
#define __C_MESSAGE_QUEUE_H__

#include "CCommon.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A message queue: NUL-terminated, zero-filled topic and broker name, and the queue id. */
typedef struct _CMessageQueue_ {
  char topic[MAX_TOPIC_LENGTH];
  char brokerName[MAX_BROKER_NAME_ID_LENGTH];
  int queueId;
} CMessageQueue;

#ifdef __cplusplus
}
#endif

#endif /* __C_MESSAGE_QUEUE_H__ */
