// C glue of the Go binding: builds and reads objects in one call, and
// passes runtime/cgo handles (uintptr_t) as the callbacks' user data.
#include <stdlib.h>
#include <string.h>

#include "glue.h"
#include "_cgo_export.h"

// A message from one packed buffer: "topic\0" then npairs of "name\0value\0".
// Tags, keys, delay, delivery time and sharding key go to their setters.
rmq_error_t *glue_message_build(const char *packed, int npairs, const uint8_t *body,
                                       size_t body_len, int32_t flag, rmq_message_t **out) {
	rmq_message_t *m = NULL;
	rmq_error_t *e = rmq_message_new(packed, &m);
	if (e != NULL) return e;
	const char *p = packed + strlen(packed) + 1;
	if (body_len > 0 && (e = rmq_message_set_body(m, body, body_len)) != NULL) goto fail;
	if (flag != 0 && (e = rmq_message_set_flag(m, flag)) != NULL) goto fail;
	for (int i = 0; i < npairs; i++) {
		const char *k = p;
		p += strlen(p) + 1;
		const char *v = p;
		p += strlen(p) + 1;
		if (strcmp(k, "TAGS") == 0) e = rmq_message_set_tags(m, v);
		else if (strcmp(k, "KEYS") == 0) e = rmq_message_set_keys(m, v);
		else if (strcmp(k, "DELAY") == 0) e = rmq_message_set_delay_level(m, (int32_t)strtol(v, NULL, 10));
		else if (strcmp(k, "TIMER_DELIVER_MS") == 0) e = rmq_message_set_delivery_time(m, strtoll(v, NULL, 10));
		else if (strcmp(k, "SHARDING_KEY") == 0) e = rmq_message_set_sharding_key(m, v);
		else e = rmq_message_set_property(m, k, v);
		if (e != NULL) goto fail;
	}
	*out = m;
	return NULL;
fail:
	rmq_message_free(m);
	return e;
}

void glue_view_read(const rmq_message_view_t *v, glue_view_t *o) {
	o->topic = rmq_message_view_topic(v);
	o->body = rmq_message_view_body(v, &o->body_len);
	o->msg_id = rmq_message_view_msg_id(v);
	o->offset_msg_id = rmq_message_view_offset_msg_id(v);
	o->born_host = rmq_message_view_born_host(v);
	o->store_host = rmq_message_view_store_host(v);
	o->queue_offset = rmq_message_view_queue_offset(v);
	o->commit_log_offset = rmq_message_view_commit_log_offset(v);
	o->born_timestamp = rmq_message_view_born_timestamp(v);
	o->store_timestamp = rmq_message_view_store_timestamp(v);
	o->prepared_transaction_offset = rmq_message_view_prepared_transaction_offset(v);
	o->queue_id = rmq_message_view_queue_id(v);
	o->reconsume_times = rmq_message_view_reconsume_times(v);
	o->flag = rmq_message_view_flag(v);
	o->sys_flag = rmq_message_view_sys_flag(v);
	o->body_crc = rmq_message_view_body_crc(v);
	o->store_size = rmq_message_view_store_size(v);
	o->property_count = rmq_message_view_property_count(v);
}

void glue_result_read(const rmq_send_result_t *r, glue_result_t *o) {
	o->msg_id = rmq_send_result_msg_id(r);
	o->offset_msg_id = rmq_send_result_offset_msg_id(r);
	o->topic = rmq_send_result_topic(r);
	o->broker_name = rmq_send_result_broker_name(r);
	o->transaction_id = rmq_send_result_transaction_id(r);
	o->queue_offset = rmq_send_result_queue_offset(r);
	o->queue_id = rmq_send_result_queue_id(r);
	o->status = rmq_send_result_status(r);
	o->transaction_state = rmq_send_result_transaction_state(r);
}

void glue_error_read(const rmq_error_t *e, glue_error_t *o) {
	o->code = rmq_error_code(e);
	o->response_code = rmq_error_response_code(e);
	o->retriable = rmq_error_retriable(e);
	o->name = rmq_err_name(o->code);
	o->message = rmq_error_message(e);
}

// Handles cross as uintptr_t and become the callbacks' void *user_data here.
rmq_error_t *glue_send_async(rmq_producer_t *p, const rmq_message_t *m, uintptr_t h) {
	return rmq_producer_send_async(p, m, (rmq_send_cb)goSendCb, (void *)h, NULL);
}

rmq_error_t *glue_send_with_selector(rmq_producer_t *p, const rmq_message_t *m, uintptr_t h,
                                            rmq_send_result_t **r) {
	return rmq_producer_send_with_selector(p, m, (rmq_queue_selector_cb)goSelect, (void *)h, r);
}

rmq_error_t *glue_tx_producer_new(rmq_config_t *cfg, uintptr_t h, rmq_transaction_producer_t **out) {
	return rmq_transaction_producer_new(cfg, (rmq_transaction_execute_cb)goTxExecute,
	                                    (rmq_transaction_check_cb)goTxCheck, (void *)h, goFreeHandle, out);
}

rmq_error_t *glue_tx_send(rmq_transaction_producer_t *p, const rmq_message_t *m, uintptr_t arg,
                                 rmq_send_result_t **r) {
	return rmq_transaction_producer_send_in_transaction(p, m, (void *)arg, r);
}

rmq_error_t *glue_subscribe(rmq_push_consumer_t *c, const char *topic, const char *expr, int sql,
                                   int orderly, uintptr_t h) {
	if (orderly) {
		rmq_consume_orderly_cb f = (rmq_consume_orderly_cb)goConsumeOrderly;
		return sql ? rmq_push_consumer_subscribe_orderly_sql92(c, topic, expr, f, (void *)h, goFreeHandle)
		           : rmq_push_consumer_subscribe_orderly(c, topic, expr, f, (void *)h, goFreeHandle);
	}
	rmq_consume_cb f = (rmq_consume_cb)goConsume;
	return sql ? rmq_push_consumer_subscribe_sql92(c, topic, expr, f, (void *)h, goFreeHandle)
	           : rmq_push_consumer_subscribe(c, topic, expr, f, (void *)h, goFreeHandle);
}

rmq_error_t *glue_config_set_allocate(rmq_config_t *cfg, uintptr_t h) {
	return rmq_config_set_allocate(cfg, (rmq_allocate_cb)goAllocate, (void *)h, goFreeHandle);
}

void glue_set_log_callback(uintptr_t h) {
	rmq_set_log_callback((rmq_log_cb)goLog, (void *)h, goFreeHandle);
}

const rmq_message_view_t *glue_view_at(rmq_message_view_t **views, size_t i) { return views[i]; }
const rmq_message_queue_t *glue_queue_at(rmq_message_queue_t **qs, size_t i) { return qs[i]; }
