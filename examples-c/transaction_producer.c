/*
 * Transactions: a committed, a rolled-back and an unknown local transaction;
 * the broker checks the unknown one back and the check callback commits it.
 * The check runs on the library's checker thread, not the sender's.
 */

#include "common.h"

#include <pthread.h>
#include <stdatomic.h>

struct tx_ctx {
    atomic_int executes;
    atomic_int checks;
    atomic_int checks_on_main;
    atomic_int freed;
    atomic_int bad;
    pthread_t main_thread;
};

static struct tx_ctx ctx;

static int32_t decision_of(const char *d) {
    if (d == NULL) return -1;
    if (strcmp(d, "commit") == 0) return RMQ_TRANSACTION_COMMIT;
    if (strcmp(d, "rollback") == 0) return RMQ_TRANSACTION_ROLLBACK;
    return RMQ_TRANSACTION_UNKNOWN;
}

static int32_t execute(void *user_data, const rmq_message_t *msg, void *arg) {
    struct tx_ctx *c = user_data;
    atomic_fetch_add(&c->executes, 1);
    if (arg != (void *)&ctx || rmq_message_transaction_id(msg) == NULL ||
        !pthread_equal(pthread_self(), c->main_thread))
        atomic_fetch_add(&c->bad, 1);
    return decision_of(rmq_message_property(msg, "decision"));
}

static int32_t check_back(void *user_data, const rmq_message_view_t *msg) {
    struct tx_ctx *c = user_data;
    atomic_fetch_add(&c->checks, 1);
    if (pthread_equal(pthread_self(), c->main_thread)) atomic_fetch_add(&c->checks_on_main, 1);
    const char *d = rmq_message_view_property(msg, "decision");
    /* Only the unknown one should be asked about; commit it now. */
    if (d == NULL || strcmp(d, "unknown") != 0) atomic_fetch_add(&c->bad, 1);
    return RMQ_TRANSACTION_COMMIT;
}

static void free_ctx(void *user_data) {
    struct tx_ctx *c = user_data;
    atomic_fetch_add(&c->freed, 1);
}

int main(void) {
    char topic[128], group[128];
    unique_name(topic, sizeof topic, "c_tx");
    unique_name(group, sizeof group, "c_tx_group");
    ctx.main_thread = pthread_self();

    rmq_transaction_producer_t *p = NULL;
    check(rmq_transaction_producer_new(producer_config(group), execute, check_back, &ctx, free_ctx, &p),
          "rmq_transaction_producer_new");
    check(rmq_transaction_producer_start(p), "rmq_transaction_producer_start");

    const char *decisions[3] = {"commit", "rollback", "unknown"};
    for (int i = 0; i < 3; i++) {
        char body[64];
        snprintf(body, sizeof body, "tx-%s", decisions[i]);
        rmq_message_t *m = text_message(topic, body);
        check(rmq_message_set_property(m, "decision", decisions[i]), "set property");
        rmq_send_result_t *r = NULL;
        check(rmq_transaction_producer_send_in_transaction(p, m, &ctx, &r), "send_in_transaction");
        expect_ok_result(r, topic);
        EXPECT(rmq_send_result_transaction_id(r) != NULL);
        EXPECT(rmq_send_result_transaction_state(r) == decision_of(decisions[i]));
        printf("%s: state %d, transaction %s\n", body, rmq_send_result_transaction_state(r),
               rmq_send_result_transaction_id(r));
        rmq_send_result_free(r);
        rmq_message_free(m);
    }
    /* Delayed messages cannot be transactional. */
    rmq_message_t *delayed = text_message(topic, "delayed");
    check(rmq_message_set_delay_level(delayed, 2), "set delay");
    rmq_send_result_t *r = NULL;
    EXPECT(code_of(rmq_transaction_producer_send_in_transaction(p, delayed, NULL, &r)) == RMQ_ERR_INVALID_ARG);
    rmq_message_free(delayed);

    /* The broker checks the unknown transaction back after a few seconds. */
    for (int waited = 0; atomic_load(&ctx.checks) == 0 && waited < 60000; waited += 50) sleep_ms(50);
    printf("%d execute(s), %d check(s)\n", atomic_load(&ctx.executes), atomic_load(&ctx.checks));
    EXPECT(atomic_load(&ctx.executes) == 3);
    EXPECT(atomic_load(&ctx.checks) >= 1);
    EXPECT(atomic_load(&ctx.checks_on_main) == 0);
    EXPECT(atomic_load(&ctx.bad) == 0);

    check(rmq_transaction_producer_shutdown(p), "rmq_transaction_producer_shutdown");
    check(rmq_transaction_producer_shutdown(p), "second shutdown");
    EXPECT(code_of(rmq_transaction_producer_start(p)) == RMQ_ERR_SHUT_DOWN);
    EXPECT(atomic_load(&ctx.freed) == 0);
    rmq_transaction_producer_free(p);
    EXPECT(atomic_load(&ctx.freed) == 1);
    return finish("transaction_producer");
}
