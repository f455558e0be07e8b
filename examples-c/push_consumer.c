/*
 * Push consumer: sends N tagged messages (and some with a tag the
 * subscription leaves out), consumes them in batches with a concurrent
 * listener, acknowledges only half of one batch (the rest comes again
 * through the retry topic), and checks that every message was acknowledged
 * exactly once, that the filtered tag never came, and that listeners ran on
 * library threads.
 */
#include "common.h"

#include <pthread.h>
#include <stdatomic.h>

#define N 100
#define SKIPPED 10

struct state {
    pthread_mutex_t mu;
    const char *topic;
    pthread_t main_thread;
    int acked[N];
    int acked_distinct;
    int calls;
    size_t max_batch;
    int bad;
    int on_main_thread;
    int partial_done;
    int withheld;
    int redelivered_acked;
    rmq_message_view_t *kept;
    atomic_int frees;
};

static int32_t on_messages(void *user_data, const rmq_message_view_t *const *msgs, size_t count,
                           int32_t *ack_index) {
    struct state *s = user_data;
    pthread_mutex_lock(&s->mu);
    s->calls++;
    if (pthread_equal(pthread_self(), s->main_thread)) s->on_main_thread++;
    if (count > s->max_batch) s->max_batch = count;
    if (count == 0 || *ack_index != (int32_t)count - 1) s->bad++;
    int32_t ack = (int32_t)count - 1;
    if (!s->partial_done && count >= 2) {
        /* Consume the first half only: the rest is delivered again later. */
        ack = (int32_t)(count / 2) - 1;
        s->partial_done = 1;
        s->withheld = (int)(count - count / 2);
    }
    for (size_t i = 0; i < count; i++) {
        const rmq_message_view_t *v = msgs[i];
        int k = body_number(v, "push");
        const char *tags = rmq_message_view_tags(v);
        if (k < 0 || k >= N || strcmp(rmq_message_view_topic(v), s->topic) != 0 || tags == NULL ||
            strcmp(tags, k % 2 == 0 ? "TagA" : "TagB") != 0) {
            s->bad++;
            continue;
        }
        if ((int32_t)i > ack) continue;
        if (s->acked[k]++ == 0) s->acked_distinct++;
        if (rmq_message_view_reconsume_times(v) > 0) s->redelivered_acked++;
    }
    /* A view kept past the call must be cloned. */
    if (s->kept == NULL) s->kept = rmq_message_view_clone(msgs[0]);
    *ack_index = ack;
    pthread_mutex_unlock(&s->mu);
    return RMQ_CONSUME_SUCCESS;
}

static void on_free(void *user_data) {
    struct state *s = user_data;
    atomic_fetch_add(&s->frees, 1);
}

static int acked_distinct(struct state *s) {
    pthread_mutex_lock(&s->mu);
    int n = s->acked_distinct;
    pthread_mutex_unlock(&s->mu);
    return n;
}

int main(void) {
    char topic[128], group[128];
    unique_name(topic, sizeof topic, "c_push");
    unique_name(group, sizeof group, "c_push_group");

    rmq_producer_t *p = started_producer("c_push_producer");
    for (int i = 0; i < N + SKIPPED; i++) {
        char body[64];
        snprintf(body, sizeof body, "%s %d", i < N ? "push" : "skip", i);
        rmq_message_t *m = text_message(topic, body);
        check(rmq_message_set_tags(m, i >= N ? "TagC" : i % 2 == 0 ? "TagA" : "TagB"), "set tags");
        rmq_send_result_t *r = NULL;
        check(rmq_producer_send_sync(p, m, &r), "rmq_producer_send_sync");
        rmq_send_result_free(r);
        rmq_message_free(m);
    }
    printf("sent %d messages (%d to be filtered out) to %s\n", N + SKIPPED, SKIPPED, topic);

    struct state s;
    memset(&s, 0, sizeof s);
    pthread_mutex_init(&s.mu, NULL);
    s.topic = topic;
    s.main_thread = pthread_self();
    atomic_init(&s.frees, 0);

    rmq_config_t *cfg = consumer_config(group);
    check(rmq_config_set(cfg, "consume.batch.size", "8"), "config consume.batch.size");
    check(rmq_config_set(cfg, "consume.thread.count", "4"), "config consume.thread.count");
    rmq_push_consumer_t *c = NULL;
    check(rmq_push_consumer_new(cfg, &c), "rmq_push_consumer_new");
    check(rmq_push_consumer_subscribe(c, topic, "TagA || TagB", on_messages, &s, on_free),
          "rmq_push_consumer_subscribe");
    check(rmq_push_consumer_start(c), "rmq_push_consumer_start");

    long long t0 = mono_ms();
    while (acked_distinct(&s) < N && mono_ms() - t0 < 90000) sleep_ms(50);
    long long took = mono_ms() - t0;
    sleep_ms(1500); /* anything delivered twice would show up now */

    check(rmq_push_consumer_shutdown(c), "rmq_push_consumer_shutdown");
    EXPECT(atomic_load(&s.frees) == 0); /* the user data lives until free */
    rmq_push_consumer_free(c);
    EXPECT(atomic_load(&s.frees) == 1);

    int missing = 0, duplicates = 0;
    for (int k = 0; k < N; k++) {
        if (s.acked[k] == 0) missing++;
        if (s.acked[k] > 1) duplicates++;
    }
    printf("acknowledged %d/%d in %lld ms: %d listener calls, largest batch %zu, %d missing, %d duplicates\n",
           s.acked_distinct, N, took, s.calls, s.max_batch, missing, duplicates);
    printf("partial acknowledgement: %d withheld, %d acknowledged on redelivery\n", s.withheld,
           s.redelivered_acked);
    EXPECT(missing == 0);
    EXPECT(duplicates == 0);
    EXPECT(s.bad == 0);
    EXPECT(s.on_main_thread == 0);
    EXPECT(s.max_batch > 1 && s.max_batch <= 8);
    EXPECT(s.partial_done);
    EXPECT(s.withheld > 0 && s.redelivered_acked == s.withheld);
    EXPECT(s.kept != NULL && strcmp(rmq_message_view_topic(s.kept), topic) == 0);
    EXPECT(body_number(s.kept, "push") >= 0);
    rmq_message_view_free(s.kept);

    check(rmq_producer_shutdown(p), "rmq_producer_shutdown");
    rmq_producer_free(p);
    pthread_mutex_destroy(&s.mu);
    return finish("push_consumer");
}
