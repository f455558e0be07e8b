/*
 * Ordered sends: messages with the same key land on one queue with growing
 * offsets; a selector callback chooses queues and the results agree.
 */
#include "common.h"

#define KEYS 3
#define PER_KEY 10

struct pick {
    int calls;
    int last_queue_id;
    const char *topic;
    int bad;
};

/* Picks queue (number of calls so far) % count and remembers its id. */
static size_t pick_queue(void *user_data, const rmq_message_t *msg, const rmq_message_queue_t *const *queues,
                         size_t count) {
    struct pick *pk = user_data;
    if (count == 0 || strcmp(rmq_message_topic(msg), pk->topic) != 0) pk->bad++;
    size_t i = (size_t)pk->calls % (count == 0 ? 1 : count);
    if (strcmp(rmq_message_queue_topic(queues[i]), pk->topic) != 0) pk->bad++;
    pk->last_queue_id = rmq_message_queue_queue_id(queues[i]);
    pk->calls++;
    return i;
}

static size_t out_of_range(void *user_data, const rmq_message_t *msg, const rmq_message_queue_t *const *queues,
                           size_t count) {
    (void)user_data;
    (void)msg;
    (void)queues;
    return count + 5;
}

int main(void) {
    char topic[128];
    unique_name(topic, sizeof topic, "c_orderly");
    rmq_producer_t *p = started_producer("c_orderly_group");

    int queue_of_key[KEYS];
    long long last_offset[KEYS];
    for (int k = 0; k < KEYS; k++) {
        queue_of_key[k] = -1;
        last_offset[k] = -1;
    }
    for (int i = 0; i < PER_KEY; i++) {
        for (int k = 0; k < KEYS; k++) {
            char key[32], body[64];
            snprintf(key, sizeof key, "order-%d", k);
            snprintf(body, sizeof body, "%s step %d", key, i);
            rmq_message_t *m = text_message(topic, body);
            rmq_send_result_t *r = NULL;
            check(rmq_producer_send_orderly(p, m, key, &r), "rmq_producer_send_orderly");
            expect_ok_result(r, topic);
            int q = rmq_send_result_queue_id(r);
            if (queue_of_key[k] < 0) queue_of_key[k] = q;
            EXPECT(q == queue_of_key[k]);
            EXPECT(rmq_send_result_queue_offset(r) > last_offset[k]);
            last_offset[k] = rmq_send_result_queue_offset(r);
            rmq_send_result_free(r);
            rmq_message_free(m);
        }
    }
    for (int k = 0; k < KEYS; k++) printf("key order-%d -> queue %d\n", k, queue_of_key[k]);

    struct pick pk = {0, -1, topic, 0};
    for (int i = 0; i < 8; i++) {
        rmq_message_t *m = text_message(topic, "selected");
        rmq_send_result_t *r = NULL;
        check(rmq_producer_send_with_selector(p, m, pick_queue, &pk, &r), "rmq_producer_send_with_selector");
        expect_ok_result(r, topic);
        EXPECT(rmq_send_result_queue_id(r) == pk.last_queue_id);
        rmq_send_result_free(r);
        rmq_message_free(m);
    }
    EXPECT(pk.calls == 8);
    EXPECT(pk.bad == 0);

    rmq_message_t *m = text_message(topic, "nowhere");
    rmq_send_result_t *r = NULL;
    EXPECT(code_of(rmq_producer_send_with_selector(p, m, out_of_range, NULL, &r)) == RMQ_ERR_INVALID_ARG);
    EXPECT(r == NULL);
    rmq_message_free(m);

    check(rmq_producer_shutdown(p), "rmq_producer_shutdown");
    rmq_producer_free(p);
    return finish("producer_orderly");
}
