/*
 * Synchronous sends: ten messages with tags, keys and properties, each result
 * checked; a oneway send; a send to a queue chosen from the topic's queues.
 */
#include "common.h"

int main(void) {
    char topic[128];
    unique_name(topic, sizeof topic, "c_sync");
    rmq_producer_t *p = started_producer("c_sync_group");

    long long last_offset[64];
    for (int i = 0; i < 64; i++) last_offset[i] = -1;
    for (int i = 0; i < 10; i++) {
        char body[64], keys[64];
        snprintf(body, sizeof body, "hello %d", i);
        snprintf(keys, sizeof keys, "key-%d k2-%d", i, i);
        rmq_message_t *m = text_message(topic, body);
        check(rmq_message_set_tags(m, "TagA"), "set tags");
        check(rmq_message_set_keys(m, keys), "set keys");
        check(rmq_message_set_property(m, "index", body), "set property");
        rmq_send_result_t *r = NULL;
        check(rmq_producer_send_sync(p, m, &r), "rmq_producer_send_sync");
        expect_ok_result(r, topic);
        int q = rmq_send_result_queue_id(r);
        if (q >= 0 && q < 64) {
            /* Offsets grow within a queue. */
            EXPECT(rmq_send_result_queue_offset(r) > last_offset[q]);
            last_offset[q] = rmq_send_result_queue_offset(r);
        }
        printf("sent %s -> %s queue %d offset %lld\n", body, rmq_send_result_broker_name(r), q,
               (long long)rmq_send_result_queue_offset(r));
        rmq_send_result_free(r);
        rmq_message_free(m);
    }

    rmq_message_t *oneway = text_message(topic, "oneway");
    check(rmq_producer_send_oneway(p, oneway), "rmq_producer_send_oneway");
    rmq_message_free(oneway);

    rmq_message_queue_t **queues = NULL;
    size_t count = 0;
    check(rmq_producer_queues(p, topic, &queues, &count), "rmq_producer_queues");
    EXPECT(count > 0);
    if (count > 0) {
        rmq_message_queue_t *last = queues[count - 1];
        EXPECT(strcmp(rmq_message_queue_topic(last), topic) == 0);
        rmq_message_t *m = text_message(topic, "to a queue");
        rmq_send_result_t *r = NULL;
        check(rmq_producer_send_to_queue(p, m, last, &r), "rmq_producer_send_to_queue");
        expect_ok_result(r, topic);
        EXPECT(rmq_send_result_queue_id(r) == rmq_message_queue_queue_id(last));
        EXPECT(strcmp(rmq_send_result_broker_name(r), rmq_message_queue_broker_name(last)) == 0);
        rmq_send_result_free(r);
        rmq_message_free(m);
    }
    rmq_message_queues_free(queues, count);

    check(rmq_producer_shutdown(p), "rmq_producer_shutdown");
    rmq_producer_free(p);
    return finish("producer_sync");
}
