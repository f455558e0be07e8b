/* Generated from src/ffi/compat/batch_message.rs by scripts/gen-compat-headers. Do not edit by hand. */
/*
 * librocketmq: the rocketmq-client-cpp C API.
 *
 * `CBatchMessage.h`: batches of messages for `SendBatchMessage`.
 */

#ifndef __C_BATCHMESSAGE_H__
#define __C_BATCHMESSAGE_H__

#include "CCommon.h"
#include "CMessage.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A batch: copies of the messages added to it. */
typedef struct CBatchMessage CBatchMessage;

/* Creates an empty batch owned by the caller (free with `DestroyBatchMessage`). Never NULL. */
CBatchMessage* CreateBatchMessage(void);

/*
 * Adds a copy of `msg` to the batch; the caller keeps `msg`. NULL_POINTER if
 * either argument is NULL.
 */
int AddMessage(CBatchMessage* batchMsg, CMessage* msg);

/* Frees the batch and its copies. NULL_POINTER for NULL. */
int DestroyBatchMessage(CBatchMessage* batchMsg);

#ifdef __cplusplus
}
#endif

#endif /* __C_BATCHMESSAGE_H__ */
