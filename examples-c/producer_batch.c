/*
 * Batch sends: ten messages in one request, one result with ten ids; a batch
 * mixing topics is refused.
 */
#include "common.h"

#define N 10

int main(void) {
    char topic[128], other[128];
    unique_name(topic, sizeof topic, "c_batch");
    unique_name(other, sizeof other, "c_batch_other");
    rmq_producer_t *p = started_producer("c_batch_group");

    rmq_message_t *msgs[N];
    for (int i = 0; i < N; i++) {
        char body[64], keys[32];
        snprintf(body, sizeof body, "batch item %d", i);
        snprintf(keys, sizeof keys, "bkey-%d", i);
        msgs[i] = text_message(topic, body);
        check(rmq_message_set_keys(msgs[i], keys), "set keys");
    }
    rmq_send_result_t *r = NULL;
    check(rmq_producer_send_batch(p, (const rmq_message_t *const *)msgs, N, &r), "rmq_producer_send_batch");
    EXPECT(rmq_send_result_status(r) == RMQ_SEND_OK);
    EXPECT(strcmp(rmq_send_result_topic(r), topic) == 0);
    /* One id per message, comma-separated. */
    const char *ids = rmq_send_result_msg_id(r);
    int commas = 0;
    for (const char *c = ids; *c; c++) commas += (*c == ',');
    EXPECT(commas == N - 1);
    EXPECT(strlen(ids) == (size_t)(N * 32 + N - 1));
    printf("batch stored at %s queue %d offset %lld\n", rmq_send_result_broker_name(r),
           rmq_send_result_queue_id(r), (long long)rmq_send_result_queue_offset(r));
    rmq_send_result_free(r);

    /* A second batch lands after the first in the same queue or elsewhere, and works again. */
    r = NULL;
    check(rmq_producer_send_batch(p, (const rmq_message_t *const *)msgs, N, &r), "second batch");
    EXPECT(rmq_send_result_status(r) == RMQ_SEND_OK);
    rmq_send_result_free(r);

    /* Mixed topics: refused before anything is sent. */
    rmq_message_t *stray = text_message(other, "wrong topic");
    rmq_message_t *mixed[2] = {msgs[0], stray};
    r = NULL;
    EXPECT(code_of(rmq_producer_send_batch(p, (const rmq_message_t *const *)mixed, 2, &r)) == RMQ_ERR_INVALID_ARG);
    EXPECT(r == NULL);
    /* An empty batch too. */
    EXPECT(code_of(rmq_producer_send_batch(p, (const rmq_message_t *const *)msgs, 0, &r)) == RMQ_ERR_INVALID_ARG);
    rmq_message_free(stray);

    for (int i = 0; i < N; i++) rmq_message_free(msgs[i]);
    check(rmq_producer_shutdown(p), "rmq_producer_shutdown");
    rmq_producer_free(p);
    return finish("producer_batch");
}
