/*
 * The misuse suite: every function with NULL for each pointer argument, use
 * after shutdown, shutting down twice, shutting down and freeing inside the
 * handle's own callbacks, freeing with async sends in flight, callbacks that
 * block or send. Each case checks the result the header documents: an error
 * or a documented default, never a crash, a hang or a leak.
 */

#include "common.h"

#include <pthread.h>
#include <stdatomic.h>

static char topic[128];

static int section_failures = 0;
static void section(const char *name) {
    printf("%-44s %s\n", name, failures == section_failures ? "ok" : "FAILED");
    section_failures = failures;
}

/* ----- NULL arguments ----------------------------------------------------------- */

static void noop_send_cb(void *u, const rmq_send_result_t *r, const rmq_error_t *e) {
    (void)u;
    (void)r;
    (void)e;
}
static atomic_int freed_count = 0;
static void count_free(void *u) {
    (void)u;
    atomic_fetch_add(&freed_count, 1);
}
static size_t select_first(void *u, const rmq_message_t *m, const rmq_message_queue_t *const *q, size_t n) {
    (void)u;
    (void)m;
    (void)q;
    (void)n;
    return 0;
}
static int32_t tx_exec(void *u, const rmq_message_t *m, void *arg) {
    (void)u;
    (void)m;
    (void)arg;
    return RMQ_TRANSACTION_COMMIT;
}
static int32_t tx_check(void *u, const rmq_message_view_t *m) {
    (void)u;
    (void)m;
    return RMQ_TRANSACTION_COMMIT;
}

static void null_arguments(rmq_producer_t *p) {
    /* config */
    rmq_config_t *cfg = rmq_config_new();
    EXPECT(code_of(rmq_config_set(NULL, "group", "g")) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_config_set(cfg, NULL, "g")) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_config_set(cfg, "group", NULL)) == RMQ_ERR_NULL_ARG);
    EXPECT(rmq_config_get(NULL, "group") == NULL);
    EXPECT(rmq_config_get(cfg, NULL) == NULL);
    rmq_config_free(cfg);
    rmq_config_free(NULL);
    section("NULL: config");

    /* errors */
    EXPECT(rmq_error_code(NULL) == RMQ_OK);
    EXPECT(strcmp(rmq_error_message(NULL), "") == 0);
    EXPECT(rmq_error_response_code(NULL) == 0);
    EXPECT(!rmq_error_retriable(NULL));
    rmq_error_free(NULL);
    EXPECT(rmq_err_name(-1) == NULL);
    EXPECT(strcmp(rmq_err_name(RMQ_ERR_NULL_ARG), "RMQ_ERR_NULL_ARG") == 0);
    section("NULL: errors");

    /* messages */
    rmq_message_t *m = NULL;
    EXPECT(code_of(rmq_message_new(NULL, &m)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_message_new(topic, NULL)) == RMQ_ERR_NULL_ARG);
    EXPECT(m == NULL);
    m = text_message(topic, "x");
    EXPECT(code_of(rmq_message_set_body(NULL, (const uint8_t *)"x", 1)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_message_set_body(m, NULL, 1)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_message_set_tags(NULL, "t")) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_message_set_tags(m, NULL)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_message_set_keys(NULL, "k")) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_message_set_keys(m, NULL)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_message_set_property(NULL, "a", "b")) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_message_set_property(m, NULL, "b")) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_message_set_property(m, "a", NULL)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_message_set_delay_level(NULL, 1)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_message_set_delivery_time(NULL, 1)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_message_set_sharding_key(NULL, "s")) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_message_set_sharding_key(m, NULL)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_message_set_flag(NULL, 1)) == RMQ_ERR_NULL_ARG);
    EXPECT(rmq_message_topic(NULL) == NULL);
    EXPECT(rmq_message_transaction_id(NULL) == NULL);
    EXPECT(rmq_message_property(NULL, "TAGS") == NULL);
    EXPECT(rmq_message_property(m, NULL) == NULL);
    EXPECT(rmq_message_tags(NULL) == NULL);
    EXPECT(rmq_message_keys(NULL) == NULL);
    size_t len = 99;
    EXPECT(rmq_message_body(NULL, &len) == NULL && len == 0);
    EXPECT(rmq_message_body(m, NULL) != NULL);
    EXPECT(code_of(rmq_message_set_body(m, NULL, 0)) == RMQ_OK); /* NULL + 0 = empty */
    rmq_message_free(NULL);
    section("NULL: messages");

    /* queues */
    rmq_message_queue_t *q = NULL;
    EXPECT(code_of(rmq_message_queue_new(NULL, "b", 0, &q)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_message_queue_new(topic, NULL, 0, &q)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_message_queue_new(topic, "b", 0, NULL)) == RMQ_ERR_NULL_ARG);
    EXPECT(rmq_message_queue_topic(NULL) == NULL);
    EXPECT(rmq_message_queue_broker_name(NULL) == NULL);
    EXPECT(rmq_message_queue_queue_id(NULL) == -1);
    rmq_message_queue_free(NULL);
    rmq_message_queues_free(NULL, 0);
    check(rmq_message_queue_new(topic, "broker-a", 0, &q), "queue new");
    section("NULL: queues");

    /* views and results */
    const char *name = NULL, *value = NULL;
    EXPECT(rmq_message_view_topic(NULL) == NULL);
    EXPECT(rmq_message_view_tags(NULL) == NULL);
    EXPECT(rmq_message_view_keys(NULL) == NULL);
    EXPECT(rmq_message_view_property(NULL, "TAGS") == NULL);
    EXPECT(rmq_message_view_body(NULL, &len) == NULL && len == 0);
    EXPECT(rmq_message_view_msg_id(NULL) == NULL);
    EXPECT(rmq_message_view_offset_msg_id(NULL) == NULL);
    EXPECT(rmq_message_view_queue_id(NULL) == -1);
    EXPECT(rmq_message_view_queue_offset(NULL) == -1);
    EXPECT(rmq_message_view_commit_log_offset(NULL) == -1);
    EXPECT(rmq_message_view_born_timestamp(NULL) == 0);
    EXPECT(rmq_message_view_store_timestamp(NULL) == 0);
    EXPECT(rmq_message_view_born_host(NULL) == NULL);
    EXPECT(rmq_message_view_store_host(NULL) == NULL);
    EXPECT(rmq_message_view_reconsume_times(NULL) == 0);
    EXPECT(rmq_message_view_flag(NULL) == 0);
    EXPECT(rmq_message_view_sys_flag(NULL) == 0);
    EXPECT(rmq_message_view_body_crc(NULL) == 0);
    EXPECT(rmq_message_view_store_size(NULL) == 0);
    EXPECT(rmq_message_view_prepared_transaction_offset(NULL) == 0);
    EXPECT(rmq_message_view_property_count(NULL) == 0);
    EXPECT(!rmq_message_view_property_at(NULL, 0, &name, &value));
    EXPECT(rmq_message_view_clone(NULL) == NULL);
    rmq_message_view_free(NULL);
    EXPECT(rmq_send_result_status(NULL) == RMQ_SEND_OK);
    EXPECT(rmq_send_result_msg_id(NULL) == NULL);
    EXPECT(rmq_send_result_offset_msg_id(NULL) == NULL);
    EXPECT(rmq_send_result_topic(NULL) == NULL);
    EXPECT(rmq_send_result_broker_name(NULL) == NULL);
    EXPECT(rmq_send_result_queue_id(NULL) == -1);
    EXPECT(rmq_send_result_queue_offset(NULL) == -1);
    EXPECT(rmq_send_result_transaction_id(NULL) == NULL);
    EXPECT(rmq_send_result_transaction_state(NULL) == RMQ_TRANSACTION_UNKNOWN);
    rmq_send_result_free(NULL);
    section("NULL: views and send results");

    /* producer */
    rmq_producer_t *np = NULL;
    EXPECT(code_of(rmq_producer_new(NULL, &np)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_producer_new(producer_config("g"), NULL)) == RMQ_ERR_NULL_ARG); /* config consumed */
    EXPECT(np == NULL);
    EXPECT(code_of(rmq_producer_start(NULL)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_producer_shutdown(NULL)) == RMQ_ERR_NULL_ARG);
    rmq_producer_free(NULL);
    rmq_send_result_t *r = NULL;
    rmq_message_view_t *v = NULL;
    check(rmq_message_set_body(m, (const uint8_t *)"x", 1), "set body");
    EXPECT(code_of(rmq_producer_send_sync(NULL, m, &r)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_producer_send_sync(p, NULL, &r)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_producer_send_sync(p, m, NULL)) == RMQ_ERR_NULL_ARG);
    int freed_before = atomic_load(&freed_count);
    EXPECT(code_of(rmq_producer_send_async(NULL, m, noop_send_cb, NULL, count_free)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_producer_send_async(p, NULL, noop_send_cb, NULL, count_free)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_producer_send_async(p, m, NULL, NULL, count_free)) == RMQ_ERR_NULL_ARG);
    EXPECT(atomic_load(&freed_count) == freed_before); /* errors leave user data to the caller */
    EXPECT(code_of(rmq_producer_send_oneway(NULL, m)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_producer_send_oneway(p, NULL)) == RMQ_ERR_NULL_ARG);
    const rmq_message_t *one[1] = {m};
    const rmq_message_t *hole[1] = {NULL};
    EXPECT(code_of(rmq_producer_send_batch(NULL, one, 1, &r)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_producer_send_batch(p, NULL, 1, &r)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_producer_send_batch(p, one, 1, NULL)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_producer_send_batch(p, hole, 1, &r)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_producer_send_orderly(NULL, m, "k", &r)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_producer_send_orderly(p, NULL, "k", &r)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_producer_send_orderly(p, m, NULL, &r)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_producer_send_orderly(p, m, "k", NULL)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_producer_send_with_selector(NULL, m, select_first, NULL, &r)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_producer_send_with_selector(p, NULL, select_first, NULL, &r)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_producer_send_with_selector(p, m, NULL, NULL, &r)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_producer_send_with_selector(p, m, select_first, NULL, NULL)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_producer_send_to_queue(NULL, m, q, &r)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_producer_send_to_queue(p, NULL, q, &r)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_producer_send_to_queue(p, m, NULL, &r)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_producer_send_to_queue(p, m, q, NULL)) == RMQ_ERR_NULL_ARG);
    rmq_message_queue_t **qs = NULL;
    size_t n = 0;
    EXPECT(code_of(rmq_producer_queues(NULL, topic, &qs, &n)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_producer_queues(p, NULL, &qs, &n)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_producer_queues(p, topic, NULL, &n)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_producer_queues(p, topic, &qs, NULL)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_producer_request(NULL, m, 1000, &v)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_producer_request(p, NULL, 1000, &v)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_producer_request(p, m, 1000, NULL)) == RMQ_ERR_NULL_ARG);
    EXPECT(r == NULL && v == NULL && qs == NULL);
    section("NULL: producer");

    /* transaction producer: free_user_data runs once even when the constructor fails */
    rmq_transaction_producer_t *tp = NULL;
    freed_before = atomic_load(&freed_count);
    EXPECT(code_of(rmq_transaction_producer_new(NULL, tx_exec, tx_check, NULL, count_free, &tp)) ==
           RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_transaction_producer_new(producer_config("g"), NULL, tx_check, NULL, count_free, &tp)) ==
           RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_transaction_producer_new(producer_config("g"), tx_exec, NULL, NULL, count_free, &tp)) ==
           RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_transaction_producer_new(producer_config("g"), tx_exec, tx_check, NULL, count_free, NULL)) ==
           RMQ_ERR_NULL_ARG);
    EXPECT(atomic_load(&freed_count) == freed_before + 4);
    EXPECT(tp == NULL);
    EXPECT(code_of(rmq_transaction_producer_start(NULL)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_transaction_producer_send_in_transaction(NULL, m, NULL, &r)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_transaction_producer_shutdown(NULL)) == RMQ_ERR_NULL_ARG);
    rmq_transaction_producer_free(NULL);
    char group[128];
    unique_name(group, sizeof group, "c_misuse_tx");
    check(rmq_transaction_producer_new(producer_config(group), tx_exec, tx_check, NULL, NULL, &tp), "tx new");
    EXPECT(code_of(rmq_transaction_producer_send_in_transaction(tp, NULL, NULL, &r)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_transaction_producer_send_in_transaction(tp, m, NULL, NULL)) == RMQ_ERR_NULL_ARG);
    /* not started */
    EXPECT(code_of(rmq_transaction_producer_send_in_transaction(tp, m, NULL, &r)) == RMQ_ERR_NOT_STARTED);
    rmq_transaction_producer_free(tp);
    section("NULL: transaction producer");

    /* log: NULL callback restores stderr and finalizes the user data at once */
    freed_before = atomic_load(&freed_count);
    rmq_set_log_callback(NULL, NULL, count_free);
    EXPECT(atomic_load(&freed_count) == freed_before + 1);
    rmq_set_log_callback(NULL, NULL, NULL);
    EXPECT(rmq_version() != NULL);
    section("NULL: log and version");

    rmq_message_queue_free(q);
    rmq_message_free(m);
}

/* ----- bad values ---------------------------------------------------------------- */

static void bad_values(rmq_producer_t *p) {
    rmq_config_t *cfg = rmq_config_new();
    EXPECT(code_of(rmq_config_set(cfg, "no.such.key", "1")) == RMQ_ERR_UNKNOWN_CONFIG);
    EXPECT(code_of(rmq_config_set(cfg, "send.timeout.ms", "soon")) == RMQ_ERR_INVALID_ARG);
    EXPECT(code_of(rmq_config_set(cfg, "compress.type", "rar")) == RMQ_ERR_INVALID_ARG);
    const char bad_utf8[] = {(char)0xff, (char)0xfe, 0};
    EXPECT(code_of(rmq_config_set(cfg, "group", bad_utf8)) == RMQ_ERR_INVALID_ARG);
    rmq_producer_t *np = NULL;
    EXPECT(code_of(rmq_producer_new(cfg, &np)) == RMQ_ERR_INVALID_ARG); /* no namesrv.addr; cfg consumed */
    EXPECT(code_of(rmq_set_log_level(42)) == RMQ_ERR_INVALID_ARG);
    rmq_message_t *m = NULL;
    EXPECT(code_of(rmq_message_new(bad_utf8, &m)) == RMQ_ERR_INVALID_ARG);
    m = text_message(topic, "x");
    EXPECT(code_of(rmq_message_set_property(m, "UNIQ_KEY", "mine")) == RMQ_ERR_INVALID_ARG);
    EXPECT(code_of(rmq_message_set_delay_level(m, 19)) == RMQ_ERR_INVALID_ARG);
    EXPECT(code_of(rmq_message_set_delivery_time(m, -5)) == RMQ_ERR_INVALID_ARG);
    rmq_send_result_t *r = NULL;
    rmq_message_view_t *v = NULL;
    EXPECT(code_of(rmq_producer_request(p, m, 0, &v)) == RMQ_ERR_INVALID_ARG);
    rmq_message_t *empty = NULL;
    check(rmq_message_new(topic, &empty), "message new");
    EXPECT(code_of(rmq_producer_send_sync(p, empty, &r)) == RMQ_ERR_INVALID_ARG); /* no body */
    rmq_message_t *badtopic = text_message("bad topic!", "x");
    EXPECT(code_of(rmq_producer_send_sync(p, badtopic, &r)) == RMQ_ERR_INVALID_ARG);
    EXPECT(RMQ_VERSION_NUMBER == rmq_version_number());
    rmq_message_free(badtopic);
    rmq_message_free(empty);
    rmq_message_free(m);
    section("bad values");
}

/* ----- lifecycle ------------------------------------------------------------------ */

static void use_after_shutdown(void) {
    rmq_producer_t *p = NULL;
    char group[128];
    unique_name(group, sizeof group, "c_misuse_life");
    check(rmq_producer_new(producer_config(group), &p), "new");
    rmq_message_t *m = text_message(topic, "late");
    rmq_send_result_t *r = NULL;
    EXPECT(code_of(rmq_producer_send_sync(p, m, &r)) == RMQ_ERR_NOT_STARTED);
    check(rmq_producer_start(p), "start");
    check(rmq_producer_start(p), "start twice");
    check(rmq_producer_shutdown(p), "shutdown");
    check(rmq_producer_shutdown(p), "shutdown twice");
    EXPECT(code_of(rmq_producer_start(p)) == RMQ_ERR_SHUT_DOWN);
    EXPECT(code_of(rmq_producer_send_sync(p, m, &r)) == RMQ_ERR_SHUT_DOWN);
    EXPECT(code_of(rmq_producer_send_async(p, m, noop_send_cb, NULL, NULL)) == RMQ_ERR_SHUT_DOWN);
    EXPECT(code_of(rmq_producer_send_oneway(p, m)) == RMQ_ERR_SHUT_DOWN);
    const rmq_message_t *one[1] = {m};
    EXPECT(code_of(rmq_producer_send_batch(p, one, 1, &r)) == RMQ_ERR_SHUT_DOWN);
    EXPECT(code_of(rmq_producer_send_orderly(p, m, "k", &r)) == RMQ_ERR_SHUT_DOWN);
    EXPECT(code_of(rmq_producer_send_with_selector(p, m, select_first, NULL, &r)) == RMQ_ERR_SHUT_DOWN);
    rmq_message_queue_t *q = NULL;
    check(rmq_message_queue_new(topic, "broker-a", 0, &q), "queue");
    EXPECT(code_of(rmq_producer_send_to_queue(p, m, q, &r)) == RMQ_ERR_SHUT_DOWN);
    rmq_message_queue_t **qs = NULL;
    size_t n = 0;
    EXPECT(code_of(rmq_producer_queues(p, topic, &qs, &n)) == RMQ_ERR_SHUT_DOWN);
    rmq_message_view_t *v = NULL;
    EXPECT(code_of(rmq_producer_request(p, m, 1000, &v)) == RMQ_ERR_SHUT_DOWN);
    EXPECT(r == NULL);
    rmq_message_queue_free(q);
    rmq_message_free(m);
    rmq_producer_free(p);
    section("use after shutdown, shutdown twice");
}

/* ----- callbacks ------------------------------------------------------------------ */

struct cb_state {
    rmq_producer_t *p;
    atomic_int calls;
    atomic_int frees;
    atomic_int ok;
    atomic_int errors;
    atomic_int shutdown_code;
    atomic_int nested_ok;
    atomic_int nested_calls;
    atomic_int nested_frees;
    int block_ms;
};

static void counting_cb(void *u, const rmq_send_result_t *r, const rmq_error_t *e) {
    struct cb_state *s = u;
    if ((r == NULL) == (e == NULL)) atomic_fetch_add(&s->errors, 100); /* exactly one must be set */
    if (r != NULL) atomic_fetch_add(&s->ok, 1);
    if (e != NULL) atomic_fetch_add(&s->errors, 1);
    if (s->block_ms > 0) sleep_ms(s->block_ms);
    atomic_fetch_add(&s->calls, 1);
}
static void counting_free(void *u) {
    struct cb_state *s = u;
    atomic_fetch_add(&s->frees, 1);
}

static void wait_for(atomic_int *v, int want, int ms) {
    for (int waited = 0; atomic_load(v) < want && waited < ms; waited += 5) sleep_ms(5);
}

static void shutdown_in_callback_cb(void *u, const rmq_send_result_t *r, const rmq_error_t *e) {
    struct cb_state *s = u;
    (void)r;
    (void)e;
    atomic_store(&s->shutdown_code, code_of(rmq_producer_shutdown(s->p)));
    atomic_fetch_add(&s->calls, 1);
}

static void shutdown_in_own_callback(void) {
    struct cb_state s = {0};
    s.p = started_producer("c_misuse_cbshut");
    rmq_message_t *m = text_message(topic, "shutdown inside");
    check(rmq_producer_send_async(s.p, m, shutdown_in_callback_cb, &s, counting_free), "async");
    wait_for(&s.frees, 1, 20000);
    EXPECT(atomic_load(&s.calls) == 1);
    EXPECT(atomic_load(&s.shutdown_code) == RMQ_ERR_INVALID_STATE);
    EXPECT(atomic_load(&s.frees) == 1);
    /* The producer still works after the refused shutdown. */
    rmq_send_result_t *r = NULL;
    check(rmq_producer_send_sync(s.p, m, &r), "send after refused shutdown");
    rmq_send_result_free(r);
    check(rmq_producer_shutdown(s.p), "shutdown");
    rmq_producer_free(s.p);
    rmq_message_free(m);
    section("shutdown inside its own send callback");
}

static atomic_int selector_shutdown_code = 0;
static size_t shutdown_in_selector(void *u, const rmq_message_t *m, const rmq_message_queue_t *const *q, size_t n) {
    (void)m;
    (void)q;
    (void)n;
    atomic_store(&selector_shutdown_code, code_of(rmq_producer_shutdown((rmq_producer_t *)u)));
    return 0;
}

static atomic_int tx_shutdown_code = 0;
static int32_t tx_exec_shutdown(void *u, const rmq_message_t *m, void *arg) {
    (void)m;
    (void)u;
    atomic_store(&tx_shutdown_code, code_of(rmq_transaction_producer_shutdown((rmq_transaction_producer_t *)arg)));
    return RMQ_TRANSACTION_ROLLBACK;
}

static void shutdown_in_other_callbacks(void) {
    rmq_producer_t *p = started_producer("c_misuse_selshut");
    rmq_message_t *m = text_message(topic, "selector shutdown");
    rmq_send_result_t *r = NULL;
    check(rmq_producer_send_with_selector(p, m, shutdown_in_selector, p, &r), "selector send");
    EXPECT(atomic_load(&selector_shutdown_code) == RMQ_ERR_INVALID_STATE);
    EXPECT(rmq_send_result_status(r) == RMQ_SEND_OK);
    rmq_send_result_free(r);
    rmq_producer_free(p);

    char group[128];
    unique_name(group, sizeof group, "c_misuse_txshut");
    rmq_transaction_producer_t *tp = NULL;
    check(rmq_transaction_producer_new(producer_config(group), tx_exec_shutdown, tx_check, NULL, NULL, &tp),
          "tx new");
    check(rmq_transaction_producer_start(tp), "tx start");
    r = NULL;
    check(rmq_transaction_producer_send_in_transaction(tp, m, tp, &r), "tx send");
    EXPECT(atomic_load(&tx_shutdown_code) == RMQ_ERR_INVALID_STATE);
    EXPECT(rmq_send_result_transaction_state(r) == RMQ_TRANSACTION_ROLLBACK);
    rmq_send_result_free(r);
    rmq_transaction_producer_free(tp);
    rmq_message_free(m);
    section("shutdown inside selector / execute callback");
}

static void free_with_sends_in_flight(void) {
    enum { N = 300 };
    struct cb_state s = {0};
    s.p = started_producer("c_misuse_inflight");
    rmq_message_t *m = text_message(topic, "in flight");
    for (int i = 0; i < N; i++) check(rmq_producer_send_async(s.p, m, counting_cb, &s, counting_free), "async");
    rmq_producer_free(s.p); /* no shutdown first */
    /* Documented: by the time free returns, every callback ran exactly once and
       every free_user_data was called. */
    EXPECT(atomic_load(&s.calls) == N);
    EXPECT(atomic_load(&s.frees) == N);
    EXPECT(atomic_load(&s.ok) + atomic_load(&s.errors) == N);
    printf("  %d callbacks (%d ok, %d errors), %d frees at free's return\n", atomic_load(&s.calls),
           atomic_load(&s.ok), atomic_load(&s.errors), atomic_load(&s.frees));
    rmq_message_free(m);
    section("free with async sends in flight");
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void blocking_callback(void) {
    struct cb_state s = {0};
    s.block_ms = 1000;
    s.p = started_producer("c_misuse_block");
    rmq_message_t *m = text_message(topic, "slow callback");
    rmq_send_result_t *r = NULL;
    check(rmq_producer_send_sync(s.p, m, &r), "warm-up");
    rmq_send_result_free(r);
    long long t0 = now_ms();
    for (int i = 0; i < 2; i++) check(rmq_producer_send_async(s.p, m, counting_cb, &s, counting_free), "async");
    EXPECT(now_ms() - t0 < 1000); /* submitting does not wait for callbacks */
    sleep_ms(200);                /* the first callback is now sleeping */
    long long t1 = now_ms();
    r = NULL;
    check(rmq_producer_send_sync(s.p, m, &r), "sync send while a callback blocks");
    EXPECT(now_ms() - t1 < 900); /* I/O does not wait for the callback thread */
    rmq_send_result_free(r);
    wait_for(&s.frees, 2, 20000);
    EXPECT(atomic_load(&s.calls) == 2);
    EXPECT(atomic_load(&s.ok) == 2);
    EXPECT(now_ms() - t0 >= 1900); /* callbacks run one after another */
    check(rmq_producer_shutdown(s.p), "shutdown");
    rmq_producer_free(s.p);
    rmq_message_free(m);
    section("a callback that blocks for a second");
}

static void nested_cb(void *u, const rmq_send_result_t *r, const rmq_error_t *e) {
    struct cb_state *s = u;
    (void)e;
    if (r != NULL) atomic_fetch_add(&s->nested_ok, 1);
    atomic_fetch_add(&s->nested_calls, 1);
}
static void nested_free(void *u) {
    struct cb_state *s = u;
    atomic_fetch_add(&s->nested_frees, 1);
}

static void sending_cb(void *u, const rmq_send_result_t *r0, const rmq_error_t *e0) {
    struct cb_state *s = u;
    (void)r0;
    (void)e0;
    rmq_message_t *m = text_message(topic, "sent from a callback");
    rmq_send_result_t *r = NULL;
    rmq_error_t *e = rmq_producer_send_sync(s->p, m, &r);
    if (e == NULL && rmq_send_result_status(r) == RMQ_SEND_OK) atomic_fetch_add(&s->ok, 1);
    rmq_error_free(e);
    rmq_send_result_free(r);
    e = rmq_producer_send_async(s->p, m, nested_cb, s, nested_free);
    if (e != NULL) atomic_fetch_add(&s->errors, 1);
    rmq_error_free(e);
    rmq_message_free(m);
    atomic_fetch_add(&s->calls, 1);
}

static void callback_that_sends(void) {
    struct cb_state s = {0};
    s.p = started_producer("c_misuse_cbsend");
    rmq_message_t *m = text_message(topic, "first");
    check(rmq_producer_send_async(s.p, m, sending_cb, &s, counting_free), "async");
    wait_for(&s.nested_frees, 1, 20000);
    EXPECT(atomic_load(&s.calls) == 1);
    EXPECT(atomic_load(&s.ok) == 1);
    EXPECT(atomic_load(&s.errors) == 0);
    EXPECT(atomic_load(&s.nested_calls) == 1);
    EXPECT(atomic_load(&s.nested_ok) == 1);
    EXPECT(atomic_load(&s.frees) == 1);
    check(rmq_producer_shutdown(s.p), "shutdown");
    rmq_producer_free(s.p);
    rmq_message_free(m);
    section("a callback that sends (sync and async)");
}

static void free_in_callback_cb(void *u, const rmq_send_result_t *r, const rmq_error_t *e) {
    struct cb_state *s = u;
    (void)r;
    (void)e;
    long long t0 = now_ms();
    rmq_producer_free(s->p); /* returns at once; the release finishes after this callback */
    if (now_ms() - t0 > 500) atomic_fetch_add(&s->errors, 1);
    atomic_fetch_add(&s->calls, 1);
}

static void free_in_own_callback(void) {
    struct cb_state s = {0};
    s.p = started_producer("c_misuse_cbfree");
    rmq_message_t *m = text_message(topic, "free inside");
    check(rmq_producer_send_async(s.p, m, free_in_callback_cb, &s, counting_free), "async");
    wait_for(&s.frees, 1, 20000);
    EXPECT(atomic_load(&s.calls) == 1);
    EXPECT(atomic_load(&s.errors) == 0);
    EXPECT(atomic_load(&s.frees) == 1);
    sleep_ms(300); /* let the release thread finish before the process looks for leaks */
    rmq_message_free(m);
    section("free inside its own callback");
}

/* ----- log callback --------------------------------------------------------------- */

static atomic_int log_lines = 0;
static atomic_int log_frees = 0;
static void on_log(void *u, rmq_log_level_t level, const char *target, const char *message) {
    (void)u;
    if (level >= RMQ_LOG_ERROR && level <= RMQ_LOG_TRACE && target != NULL && message != NULL &&
        strcmp(target, "producer") == 0)
        atomic_fetch_add(&log_lines, 1);
}
static void on_log_free(void *u) {
    (void)u;
    atomic_fetch_add(&log_frees, 1);
}

static void log_callback(void) {
    check(rmq_set_log_level(RMQ_LOG_INFO), "log level");
    EXPECT(rmq_log_level() == RMQ_LOG_INFO);
    rmq_set_log_callback(on_log, NULL, on_log_free);
    rmq_producer_t *p = started_producer("c_misuse_log"); /* logs "started" */
    rmq_producer_free(p);                                 /* logs "shut down" */
    EXPECT(atomic_load(&log_lines) >= 2);
    rmq_set_log_callback(NULL, NULL, NULL);
    EXPECT(atomic_load(&log_frees) == 1);
    check(rmq_set_log_level(RMQ_LOG_WARN), "log level");
    section("log level and log callback");
}

int main(void) {
    unique_name(topic, sizeof topic, "c_misuse");
    rmq_producer_t *p = started_producer("c_misuse_main");
    rmq_message_t *m = text_message(topic, "create the topic");
    rmq_send_result_t *r = NULL;
    check(rmq_producer_send_sync(p, m, &r), "first send");
    rmq_send_result_free(r);
    rmq_message_free(m);

    null_arguments(p);
    bad_values(p);
    use_after_shutdown();
    shutdown_in_own_callback();
    shutdown_in_other_callbacks();
    free_with_sends_in_flight();
    blocking_callback();
    callback_that_sends();
    free_in_own_callback();
    log_callback();

    check(rmq_producer_shutdown(p), "shutdown");
    rmq_producer_free(p);
    return finish("misuse");
}
