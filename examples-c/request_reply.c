/*
 * Request-reply: sends requests to a topic a responder serves and checks each
 * reply's body and metadata; then a request nobody answers times out.
 *
 * Usage: request_reply TOPIC [COUNT]. The responder (started first, e.g. by
 * run.sh: `cargo run --example reply_responder -- TOPIC COUNT`) replies
 * "reply to <request body>" to each of COUNT requests, then exits.
 */
#include "common.h"

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s TOPIC [COUNT]\n", argv[0]);
        return 2;
    }
    const char *topic = argv[1];
    int count = argc > 2 ? atoi(argv[2]) : 3;
    rmq_producer_t *p = started_producer("c_request_group");

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
        rmq_message_view_t *keep = rmq_message_view_clone(reply);
        rmq_message_view_free(reply);
        printf("reply %d: %.*s (topic %s)\n", i, (int)len, (const char *)rmq_message_view_body(keep, NULL),
               rmq_message_view_topic(keep));
        rmq_message_view_free(keep);
        rmq_message_free(m);
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
