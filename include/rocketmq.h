/*
 * librocketmq: the native C API of an Apache RocketMQ client.
 *
 * Conventions: functions are prefixed rmq_, types rmq_..._t, constants RMQ_.
 * Fallible functions return an rmq_error_t* (NULL on success) that the caller frees
 * with rmq_error_free(). Freeing NULL is always a no-op.
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


#ifdef __cplusplus
extern "C" {
#endif // __cplusplus

// The library version as a static NUL-terminated string ("MAJOR.MINOR.PATCH").
// Never NULL; the string lives as long as the library is loaded.
const char *rmq_version(void);

#ifdef __cplusplus
}  // extern "C"
#endif  // __cplusplus

#endif  /* ROCKETMQ_H */
