// C glue of the Go binding (glue.c).
#ifndef RMQ_GO_GLUE_H
#define RMQ_GO_GLUE_H

#include <stddef.h>
#include <stdint.h>

#include "rocketmq.h"

typedef struct {
	const char *topic;
	const uint8_t *body;
	size_t body_len;
	const char *msg_id;
	const char *offset_msg_id;
	const char *born_host;
	const char *store_host;
	int64_t queue_offset;
	int64_t commit_log_offset;
	int64_t born_timestamp;
	int64_t store_timestamp;
	int64_t prepared_transaction_offset;
	int32_t queue_id;
	int32_t reconsume_times;
	int32_t flag;
	int32_t sys_flag;
	int32_t body_crc;
	int32_t store_size;
	size_t property_count;
} glue_view_t;

typedef struct {
	const char *msg_id;
	const char *offset_msg_id;
	const char *topic;
	const char *broker_name;
	const char *transaction_id;
	int64_t queue_offset;
	int32_t queue_id;
	int32_t status;
	int32_t transaction_state;
} glue_result_t;

typedef struct {
	int32_t code;
	int32_t response_code;
	int retriable;
	const char *name;
	const char *message;
} glue_error_t;

rmq_error_t *glue_message_build(const char *packed, int npairs, const uint8_t *body, size_t body_len,
                                int32_t flag, rmq_message_t **out);
void glue_view_read(const rmq_message_view_t *v, glue_view_t *o);
void glue_result_read(const rmq_send_result_t *r, glue_result_t *o);
void glue_error_read(const rmq_error_t *e, glue_error_t *o);
rmq_error_t *glue_send_async(rmq_producer_t *p, const rmq_message_t *m, uintptr_t h);
rmq_error_t *glue_send_with_selector(rmq_producer_t *p, const rmq_message_t *m, uintptr_t h,
                                     rmq_send_result_t **r);
rmq_error_t *glue_tx_producer_new(rmq_config_t *cfg, uintptr_t h, rmq_transaction_producer_t **out);
rmq_error_t *glue_tx_send(rmq_transaction_producer_t *p, const rmq_message_t *m, uintptr_t arg,
                          rmq_send_result_t **r);
rmq_error_t *glue_subscribe(rmq_push_consumer_t *c, const char *topic, const char *expr, int sql, int orderly,
                            uintptr_t h);
void glue_set_log_callback(uintptr_t h);
rmq_error_t *glue_config_set_allocate(rmq_config_t *cfg, uintptr_t h);
const rmq_message_view_t *glue_view_at(rmq_message_view_t **views, size_t i);
const rmq_message_queue_t *glue_queue_at(rmq_message_queue_t **qs, size_t i);

#endif
