/*
 * Asynchronous sends: 200 messages, each with its own user data; every
 * callback must run exactly once with a good result, on a thread other than
 * the sender's, and every user data must be finalized exactly once.
 */

#include "common.h"

#include <pthread.h>
#include <stdatomic.h>

#define N 200

struct send_ctx {
    int index;
    const char *topic;
};

static atomic_int callbacks = 0;
static atomic_int good = 0;
static atomic_int freed = 0;
static atomic_int on_main_thread = 0;
static pthread_t main_thread;

static void on_sent(void *user_data, const rmq_send_result_t *result, const rmq_error_t *error) {
    struct send_ctx *ctx = user_data;
    if (pthread_equal(pthread_self(), main_thread)) atomic_fetch_add(&on_main_thread, 1);
    if (error != NULL) {
        fprintf(stderr, "send %d failed: %s\n", ctx->index, rmq_error_message(error));
    } else if (result != NULL && rmq_send_result_status(result) == RMQ_SEND_OK &&
               strcmp(rmq_send_result_topic(result), ctx->topic) == 0 &&
               strlen(rmq_send_result_msg_id(result)) == 32) {
        atomic_fetch_add(&good, 1);
    }
    atomic_fetch_add(&callbacks, 1);
}

static void free_ctx(void *user_data) {
    free(user_data);
    atomic_fetch_add(&freed, 1);
}

int main(void) {
    char topic[128];
    unique_name(topic, sizeof topic, "c_async");
    main_thread = pthread_self();
    rmq_producer_t *p = started_producer("c_async_group");

    /* The first send creates the topic; then the async ones. */
    rmq_message_t *first = text_message(topic, "first");
    rmq_send_result_t *r = NULL;
    check(rmq_producer_send_sync(p, first, &r), "first send");
    rmq_send_result_free(r);
    rmq_message_free(first);

    for (int i = 0; i < N; i++) {
        char body[64];
        snprintf(body, sizeof body, "async %d", i);
        rmq_message_t *m = text_message(topic, body);
        struct send_ctx *ctx = malloc(sizeof *ctx);
        ctx->index = i;
        ctx->topic = topic;
        check(rmq_producer_send_async(p, m, on_sent, ctx, free_ctx), "rmq_producer_send_async");
        rmq_message_free(m); /* the send copied it */
    }
    for (int waited = 0; atomic_load(&freed) < N && waited < 30000; waited += 10) sleep_ms(10);

    EXPECT(atomic_load(&callbacks) == N);
    EXPECT(atomic_load(&good) == N);
    EXPECT(atomic_load(&freed) == N);
    EXPECT(atomic_load(&on_main_thread) == 0);
    printf("%d callbacks, %d good, %d user data freed\n", atomic_load(&callbacks),
           atomic_load(&good), atomic_load(&freed));

    check(rmq_producer_shutdown(p), "rmq_producer_shutdown");
    rmq_producer_free(p);
    return finish("producer_async");
}
