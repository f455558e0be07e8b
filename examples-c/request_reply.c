/*
 * Request-reply: sends requests to a topic a responder serves and checks each
 * reply's body and metadata; then a request nobody answers times out.
 *
 * Usage: request_reply TOPIC [COUNT] [self]. The responder (started first,
 * e.g. by run.sh: `cargo run --example reply_responder -- TOPIC COUNT`)
 * replies "reply to <request body>" to each of COUNT requests, then exits.
 * With "self", this program is its own responder: a push consumer whose
 * listener builds each reply with rmq_message_new_reply and sends it.
 */
#include "common.h"

#include <stdatomic.h>

static rmq_producer_t *responder_producer;
static atomic_int replies_sent = 0;

/* The responder's listener: answers every request. */
static int32_t answer(void *u, const rmq_message_view_t *const *msgs, size_t n, int32_t *ack) {
    (void)u;
    (void)ack;
    for (size_t i = 0; i < n; i++) {
        if (rmq_message_view_property(msgs[i], "CORRELATION_ID") == NULL) continue; /* not a request */
        size_t len = 0;
        const uint8_t *body = rmq_message_view_body(msgs[i], &len);
        char text[160];
        int tlen = snprintf(text, sizeof text, "reply to %.*s", (int)len, (const char *)body);
        rmq_message_t *reply = NULL;
        rmq_error_t *e = rmq_message_new_reply(msgs[i], (const uint8_t *)text, (size_t)tlen, &reply);
        if (e != NULL) {
            fprintf(stderr, "rmq_message_new_reply: %s\n", rmq_error_message(e));
            rmq_error_free(e);
            return RMQ_RECONSUME_LATER;
        }
        rmq_send_result_t *r = NULL;
        e = rmq_producer_send_sync(responder_producer, reply, &r);
        rmq_message_free(reply);
        if (e != NULL) {
            fprintf(stderr, "sending a reply: %s\n", rmq_error_message(e));
            rmq_error_free(e);
            return RMQ_RECONSUME_LATER;
        }
        rmq_send_result_free(r);
        atomic_fetch_add(&replies_sent, 1);
    }
    return RMQ_CONSUME_SUCCESS;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s TOPIC [COUNT]\n", argv[0]);
        return 2;
    }
    const char *topic = argv[1];
    int count = argc > 2 ? atoi(argv[2]) : 3;
    int self = argc > 3 && strcmp(argv[3], "self") == 0;
    rmq_producer_t *p = started_producer("c_request_group");
    rmq_push_consumer_t *responder = NULL;
    if (self) {
        /* A view that is not a request gives a clear error. */
        rmq_message_t *none = NULL;
        EXPECT(code_of(rmq_message_new_reply(NULL, NULL, 0, &none)) == RMQ_ERR_NULL_ARG);
        EXPECT(code_of(rmq_message_new_reply_to("c", "id", "client", "3000", NULL, 0, NULL)) == RMQ_ERR_NULL_ARG);
        EXPECT(code_of(rmq_message_new_reply_to("", "id", "client", "3000", NULL, 0, &none)) == RMQ_ERR_INVALID_ARG);
        responder_producer = started_producer("c_responder_group");
        char group[96];
        unique_name(group, sizeof group, "c_responder");
        check(rmq_push_consumer_new(consumer_config(group), &responder), "rmq_push_consumer_new");
        check(rmq_push_consumer_subscribe(responder, topic, "*", answer, NULL, NULL), "subscribe");
        /* The topic exists (a first plain message creates it) and the
           responder owns its queues before the first request. */
        rmq_message_t *warm = text_message(topic, "not a request");
        rmq_send_result_t *wr = NULL;
        check(rmq_producer_send_sync(p, warm, &wr), "warm-up send");
        rmq_send_result_free(wr);
        rmq_message_free(warm);
        check(rmq_push_consumer_start(responder), "rmq_push_consumer_start");
        size_t owned = 0;
        for (int t = 0; t < 300 && owned == 0; t++) {
            rmq_message_queue_t **qs = NULL;
            check(rmq_push_consumer_assigned_queues(responder, &qs, &owned), "assigned queues");
            rmq_message_queues_free(qs, owned);
            if (owned == 0) sleep_ms(100);
        }
        EXPECT(owned > 0);
    }

    for (int i = 0; i < count; i++) {
        char body[64], expected[96];
        snprintf(body, sizeof body, "ping %d from %ld", i, (long)getpid());
        snprintf(expected, sizeof expected, "reply to %s", body);
        rmq_message_t *m = text_message(topic, body);
        rmq_message_view_t *reply = NULL;
        check(rmq_producer_request(p, m, 20000, &reply), "rmq_producer_request");
        size_t len = 0;
        const uint8_t *got = rmq_message_view_body(reply, &len);
        EXPECT(len == strlen(expected) && got != NULL && memcmp(got, expected, len) == 0);
        EXPECT(strlen(rmq_message_view_msg_id(reply)) > 0);
        EXPECT(strlen(rmq_message_view_offset_msg_id(reply)) == 32);
        EXPECT(rmq_message_view_store_timestamp(reply) > 0);
        EXPECT(rmq_message_view_born_timestamp(reply) > 0);
        EXPECT(rmq_message_view_queue_offset(reply) >= 0);
        EXPECT(strchr(rmq_message_view_store_host(reply), ':') != NULL);
        EXPECT(strchr(rmq_message_view_born_host(reply), ':') != NULL);
        EXPECT(rmq_message_view_property(reply, "CORRELATION_ID") != NULL);
        /* Every property can be listed, and a clone outlives the original. */
        size_t n = rmq_message_view_property_count(reply);
        EXPECT(n > 0);
        for (size_t k = 0; k < n; k++) {
            const char *name = NULL, *value = NULL;
            EXPECT(rmq_message_view_property_at(reply, k, &name, &value));
            EXPECT(name != NULL && value != NULL);
        }
        /* NULL arguments next to a real view give the documented defaults. */
        const char *v0 = NULL;
        EXPECT(rmq_message_view_property(reply, NULL) == NULL);
        EXPECT(!rmq_message_view_property_at(reply, 0, NULL, &v0));
        EXPECT(!rmq_message_view_property_at(reply, n, &v0, &v0));
        EXPECT(rmq_message_view_body(reply, NULL) == got);
        rmq_message_view_t *keep = rmq_message_view_clone(reply);
        rmq_message_view_free(reply);
        printf("reply %d: %.*s (topic %s)\n", i, (int)len, (const char *)rmq_message_view_body(keep, NULL),
               rmq_message_view_topic(keep));
        rmq_message_view_free(keep);
        rmq_message_free(m);
    }

    if (self) {
        /* The reply can arrive before the responder's send returns. */
        for (int t = 0; t < 100 && atomic_load(&replies_sent) < count; t++) sleep_ms(50);
        EXPECT(atomic_load(&replies_sent) == count);
        check(rmq_push_consumer_shutdown(responder), "rmq_push_consumer_shutdown");
        rmq_push_consumer_free(responder);
        check(rmq_producer_shutdown(responder_producer), "rmq_producer_shutdown");
        rmq_producer_free(responder_producer);
    }

    /* The responder is gone: a short request times out. */
    rmq_message_t *m = text_message(topic, "nobody answers");
    rmq_message_view_t *reply = NULL;
    rmq_error_t *e = rmq_producer_request(p, m, 1000, &reply);
    EXPECT(rmq_error_code(e) == RMQ_ERR_TIMEOUT);
    EXPECT(rmq_error_retriable(e));
    EXPECT(reply == NULL);
    rmq_error_free(e);
    rmq_message_free(m);

    check(rmq_producer_shutdown(p), "rmq_producer_shutdown");
    rmq_producer_free(p);
    return finish("request_reply");
}
