/*
 * Orderly push consumer: sends KEYS x PER_KEY messages with
 * rmq_producer_send_orderly (one queue per key), consumes them with an
 * orderly listener and checks, per queue, that offsets come in order with no
 * gap and no repeat and that two batches of one queue never run at once;
 * per key, that the steps come in order. The first batch is refused once
 * (RMQ_SUSPEND_CURRENT_QUEUE_A_MOMENT) and must come again, unchanged, first.
 */
#include "common.h"

#include <pthread.h>
#include <stdatomic.h>

#define KEYS 4
#define PER_KEY 25
#define TOTAL (KEYS * PER_KEY)
#define MAX_QUEUES 64

struct state {
    pthread_mutex_t mu;
    const char *topic;
    atomic_int busy[MAX_QUEUES];
    long long next_offset[MAX_QUEUES]; /* -1: nothing consumed from the queue yet */
    int next_step[KEYS];
    int consumed;
    int calls;
    int overlaps;
    int out_of_order;
    int bad;
    int suspended;             /* 1 once a batch was refused */
    int suspended_queue;
    long long suspended_offset;
    int redelivered_first;     /* the refused batch came again first on its queue */
    atomic_int frees;
};

static int32_t on_orderly(void *user_data, const rmq_message_view_t *const *msgs, size_t count) {
    struct state *s = user_data;
    if (count == 0) return RMQ_ORDERLY_SUCCESS;
    int q = rmq_message_view_queue_id(msgs[0]);
    if (q < 0 || q >= MAX_QUEUES) {
        pthread_mutex_lock(&s->mu);
        s->bad++;
        pthread_mutex_unlock(&s->mu);
        return RMQ_ORDERLY_SUCCESS;
    }
    if (atomic_exchange(&s->busy[q], 1) == 1) {
        pthread_mutex_lock(&s->mu);
        s->overlaps++;
        pthread_mutex_unlock(&s->mu);
    }
    sleep_ms(2); /* widen the window in which an overlap would be seen */
    int32_t status = RMQ_ORDERLY_SUCCESS;
    pthread_mutex_lock(&s->mu);
    s->calls++;
    long long first = rmq_message_view_queue_offset(msgs[0]);
    if (s->suspended == 1 && q == s->suspended_queue) {
        s->suspended = 2;
        if (first == s->suspended_offset) s->redelivered_first = 1;
    }
    if (s->suspended == 0) {
        s->suspended = 1;
        s->suspended_queue = q;
        s->suspended_offset = first;
        status = RMQ_SUSPEND_CURRENT_QUEUE_A_MOMENT;
    } else {
        for (size_t i = 0; i < count; i++) {
            const rmq_message_view_t *v = msgs[i];
            long long off = rmq_message_view_queue_offset(v);
            int n = body_number(v, "orderly");
            if (rmq_message_view_queue_id(v) != q || n < 0 || n >= TOTAL ||
                strcmp(rmq_message_view_topic(v), s->topic) != 0) {
                s->bad++;
                continue;
            }
            if (s->next_offset[q] >= 0 && off != s->next_offset[q]) s->out_of_order++;
            s->next_offset[q] = off + 1;
            int k = n / PER_KEY, step = n % PER_KEY;
            if (step != s->next_step[k]) s->out_of_order++;
            s->next_step[k] = step + 1;
            s->consumed++;
        }
    }
    pthread_mutex_unlock(&s->mu);
    atomic_store(&s->busy[q], 0);
    return status;
}

static void on_free(void *user_data) {
    struct state *s = user_data;
    atomic_fetch_add(&s->frees, 1);
}

static int consumed(struct state *s) {
    pthread_mutex_lock(&s->mu);
    int n = s->consumed;
    pthread_mutex_unlock(&s->mu);
    return n;
}

int main(void) {
    char topic[128], group[128];
    unique_name(topic, sizeof topic, "c_push_orderly");
    unique_name(group, sizeof group, "c_push_orderly_group");

    rmq_producer_t *p = started_producer("c_push_orderly_producer");
    for (int step = 0; step < PER_KEY; step++) {
        for (int k = 0; k < KEYS; k++) {
            char key[32], body[64];
            snprintf(key, sizeof key, "order-%d", k);
            snprintf(body, sizeof body, "orderly %d", k * PER_KEY + step);
            rmq_message_t *m = text_message(topic, body);
            rmq_send_result_t *r = NULL;
            check(rmq_producer_send_orderly(p, m, key, &r), "rmq_producer_send_orderly");
            rmq_send_result_free(r);
            rmq_message_free(m);
        }
    }
    printf("sent %d messages, %d keys, to %s\n", TOTAL, KEYS, topic);

    struct state s;
    memset(&s, 0, sizeof s);
    pthread_mutex_init(&s.mu, NULL);
    s.topic = topic;
    for (int q = 0; q < MAX_QUEUES; q++) {
        atomic_init(&s.busy[q], 0);
        s.next_offset[q] = -1;
    }
    atomic_init(&s.frees, 0);

    rmq_config_t *cfg = consumer_config(group);
    check(rmq_config_set(cfg, "consume.batch.size", "4"), "config consume.batch.size");
    check(rmq_config_set(cfg, "consume.thread.count", "4"), "config consume.thread.count");
    check(rmq_config_set(cfg, "suspend.current.queue.time.ms", "100"), "config suspend time");
    rmq_push_consumer_t *c = NULL;
    check(rmq_push_consumer_new(cfg, &c), "rmq_push_consumer_new");
    check(rmq_push_consumer_subscribe_orderly(c, topic, "*", on_orderly, &s, on_free),
          "rmq_push_consumer_subscribe_orderly");
    check(rmq_push_consumer_start(c), "rmq_push_consumer_start");

    long long t0 = mono_ms();
    while (consumed(&s) < TOTAL && mono_ms() - t0 < 90000) sleep_ms(50);
    long long took = mono_ms() - t0;
    sleep_ms(1000); /* anything delivered twice would show up now */

    rmq_message_queue_t **queues = NULL;
    size_t nq = 0;
    check(rmq_push_consumer_assigned_queues(c, &queues, &nq), "rmq_push_consumer_assigned_queues");
    size_t of_topic = 0;
    for (size_t i = 0; i < nq; i++) {
        const char *t = rmq_message_queue_topic(queues[i]);
        if (strcmp(t, topic) == 0)
            of_topic++;
        else
            EXPECT(strncmp(t, "%RETRY%", 7) == 0); /* the group's retry topic */
    }
    EXPECT(of_topic > 0);
    rmq_message_queues_free(queues, nq);

    check(rmq_push_consumer_shutdown(c), "rmq_push_consumer_shutdown");
    rmq_push_consumer_free(c);
    EXPECT(atomic_load(&s.frees) == 1);

    printf("consumed %d/%d in %lld ms: %d listener calls, %d out of order, %d overlapping, %d bad\n",
           s.consumed, TOTAL, took, s.calls, s.out_of_order, s.overlaps, s.bad);
    printf("refused batch at queue %d offset %lld came again first: %s\n", s.suspended_queue,
           s.suspended_offset, s.redelivered_first ? "yes" : "no");
    EXPECT(s.consumed == TOTAL);
    EXPECT(s.out_of_order == 0);
    EXPECT(s.overlaps == 0);
    EXPECT(s.bad == 0);
    EXPECT(s.redelivered_first == 1);
    for (int k = 0; k < KEYS; k++) EXPECT(s.next_step[k] == PER_KEY);

    check(rmq_producer_shutdown(p), "rmq_producer_shutdown");
    rmq_producer_free(p);
    pthread_mutex_destroy(&s.mu);
    return finish("push_consumer_orderly");
}
