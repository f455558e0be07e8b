/*
 * The misuse suite: every function with NULL for each pointer argument, use
 * after shutdown, shutting down twice, shutting down and freeing inside the
 * handle's own callbacks (send callbacks and consumer listeners), freeing with
 * async sends in flight, callbacks and listeners that block or send. Each
 * case checks the result the header documents: an error or a documented
 * default, never a crash, a hang or a leak.
 */

#include "common.h"

#include <pthread.h>
#include <sys/wait.h>
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
static int32_t take_all(void *u, const char *g, const char *cid, const rmq_message_queue_t *const *q, size_t n,
                        const char *const *cids, size_t ncids, uint8_t *mine) {
    (void)u;
    (void)g;
    (void)cid;
    (void)q;
    (void)cids;
    (void)ncids;
    for (size_t i = 0; i < n; i++) mine[i] = 1;
    return 0;
}

static void null_arguments(rmq_producer_t *p) {
    /* config */
    rmq_config_t *cfg = rmq_config_new();
    EXPECT(code_of(rmq_config_set(NULL, "group", "g")) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_config_set(cfg, NULL, "g")) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_config_set(cfg, "group", NULL)) == RMQ_ERR_NULL_ARG);
    /* an allocation strategy: NULL config refused (user data not freed); a
       replaced one and the config's own are freed exactly once */
    {
        int before = atomic_load(&freed_count);
        EXPECT(code_of(rmq_config_set_allocate(NULL, take_all, NULL, count_free)) == RMQ_ERR_NULL_ARG);
        rmq_config_t *acfg = rmq_config_new();
        EXPECT(rmq_config_set_allocate(acfg, take_all, NULL, count_free) == NULL);
        EXPECT(rmq_config_set_allocate(acfg, take_all, NULL, count_free) == NULL);
        EXPECT(atomic_load(&freed_count) == before + 1);
        EXPECT(rmq_config_set_allocate(acfg, NULL, NULL, NULL) == NULL);
        EXPECT(atomic_load(&freed_count) == before + 2);
        EXPECT(rmq_config_set_allocate(acfg, take_all, NULL, count_free) == NULL);
        rmq_config_free(acfg);
        EXPECT(atomic_load(&freed_count) == before + 3);
    }
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
    atomic_int hold; /* callbacks wait while it is set (at most 15 s), then block block_ms */
    int block_ms;
};

static void counting_cb(void *u, const rmq_send_result_t *r, const rmq_error_t *e) {
    struct cb_state *s = u;
    if ((r == NULL) == (e == NULL)) atomic_fetch_add(&s->errors, 100); /* exactly one must be set */
    if (r != NULL) atomic_fetch_add(&s->ok, 1);
    if (e != NULL) atomic_fetch_add(&s->errors, 1);
    for (int waited = 0; atomic_load(&s->hold) && waited < 15000; waited += 5) sleep_ms(5);
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
    atomic_store(&s.hold, 1); /* the callbacks block until the sync send below is done */
    long long t0 = now_ms();
    for (int i = 0; i < 2; i++) check(rmq_producer_send_async(s.p, m, counting_cb, &s, counting_free), "async");
    EXPECT(now_ms() - t0 < 1000); /* submitting does not wait for callbacks */
    sleep_ms(200);                /* the first callback is now blocked */
    long long t1 = now_ms();
    r = NULL;
    check(rmq_producer_send_sync(s.p, m, &r), "sync send while a callback blocks");
    /* I/O does not wait for the callback thread: the send is done while the callbacks are held
       (had it waited for them, it would have taken the 15 s hold). */
    EXPECT(atomic_load(&s.calls) == 0);
    EXPECT(now_ms() - t1 < 10000);
    rmq_send_result_free(r);
    long long t2 = now_ms();
    atomic_store(&s.hold, 0); /* now each callback blocks for a second */
    wait_for(&s.frees, 2, 20000);
    EXPECT(atomic_load(&s.calls) == 2);
    EXPECT(atomic_load(&s.ok) == 2);
    EXPECT(now_ms() - t2 >= 1900); /* callbacks run one after another */
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

/* ----- consumers ------------------------------------------------------------------ */

static int32_t noop_consume(void *u, const rmq_message_view_t *const *msgs, size_t n, int32_t *ack) {
    (void)u;
    (void)msgs;
    (void)n;
    (void)ack;
    return RMQ_CONSUME_SUCCESS;
}
static int32_t noop_orderly(void *u, const rmq_message_view_t *const *msgs, size_t n) {
    (void)u;
    (void)msgs;
    (void)n;
    return RMQ_ORDERLY_SUCCESS;
}

/* A push consumer of a new group on `t`, from the first offset. */
static rmq_push_consumer_t *new_push_consumer(const char *group_prefix, const char *threads) {
    char group[128];
    unique_name(group, sizeof group, group_prefix);
    rmq_config_t *cfg = consumer_config(group);
    check(rmq_config_set(cfg, "consume.thread.count", threads), "config consume.thread.count");
    rmq_push_consumer_t *c = NULL;
    check(rmq_push_consumer_new(cfg, &c), "rmq_push_consumer_new");
    return c;
}

static rmq_pull_consumer_t *new_pull_consumer(const char *group_prefix) {
    char group[128];
    unique_name(group, sizeof group, group_prefix);
    rmq_pull_consumer_t *c = NULL;
    check(rmq_pull_consumer_new(consumer_config(group), &c), "rmq_pull_consumer_new");
    return c;
}

static void consumer_null_arguments(void) {
    int freed_before = atomic_load(&freed_count);
    rmq_push_consumer_t *c = NULL;
    EXPECT(code_of(rmq_push_consumer_new(NULL, &c)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_push_consumer_new(consumer_config("g"), NULL)) == RMQ_ERR_NULL_ARG); /* config consumed */
    EXPECT(c == NULL);
    c = new_push_consumer("c_misuse_null_push", "1");
    EXPECT(code_of(rmq_push_consumer_subscribe(NULL, topic, "*", noop_consume, NULL, count_free)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_push_consumer_subscribe(c, NULL, "*", noop_consume, NULL, count_free)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_push_consumer_subscribe(c, topic, NULL, noop_consume, NULL, count_free)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_push_consumer_subscribe(c, topic, "*", NULL, NULL, count_free)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_push_consumer_subscribe_sql92(NULL, topic, "a > 1", noop_consume, NULL, count_free)) ==
           RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_push_consumer_subscribe_sql92(c, NULL, "a > 1", noop_consume, NULL, count_free)) ==
           RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_push_consumer_subscribe_sql92(c, topic, NULL, noop_consume, NULL, count_free)) ==
           RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_push_consumer_subscribe_sql92(c, topic, "a > 1", NULL, NULL, count_free)) ==
           RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_push_consumer_subscribe_orderly(NULL, topic, "*", noop_orderly, NULL, count_free)) ==
           RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_push_consumer_subscribe_orderly(c, NULL, "*", noop_orderly, NULL, count_free)) ==
           RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_push_consumer_subscribe_orderly(c, topic, NULL, noop_orderly, NULL, count_free)) ==
           RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_push_consumer_subscribe_orderly(c, topic, "*", NULL, NULL, count_free)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_push_consumer_subscribe_orderly_sql92(NULL, topic, "a > 1", noop_orderly, NULL,
                                                             count_free)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_push_consumer_subscribe_orderly_sql92(c, NULL, "a > 1", noop_orderly, NULL, count_free)) ==
           RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_push_consumer_subscribe_orderly_sql92(c, topic, NULL, noop_orderly, NULL, count_free)) ==
           RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_push_consumer_subscribe_orderly_sql92(c, topic, "a > 1", NULL, NULL, count_free)) ==
           RMQ_ERR_NULL_ARG);
    EXPECT(atomic_load(&freed_count) == freed_before); /* errors leave user data to the caller */
    EXPECT(code_of(rmq_push_consumer_unsubscribe(NULL, topic)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_push_consumer_unsubscribe(c, NULL)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_push_consumer_start(NULL)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_push_consumer_pause(NULL)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_push_consumer_resume(NULL)) == RMQ_ERR_NULL_ARG);
    rmq_message_queue_t **qs = NULL;
    size_t n = 0;
    EXPECT(code_of(rmq_push_consumer_assigned_queues(NULL, &qs, &n)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_push_consumer_assigned_queues(c, NULL, &n)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_push_consumer_assigned_queues(c, &qs, NULL)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_push_consumer_shutdown(NULL)) == RMQ_ERR_NULL_ARG);
    rmq_push_consumer_free(NULL);
    rmq_push_consumer_free(c); /* never started */
    section("NULL: push consumer");

    rmq_pull_consumer_t *pc = NULL;
    EXPECT(code_of(rmq_pull_consumer_new(NULL, &pc)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_new(consumer_config("g"), NULL)) == RMQ_ERR_NULL_ARG);
    EXPECT(pc == NULL);
    pc = new_pull_consumer("c_misuse_null_pull");
    rmq_message_queue_t *q = NULL;
    check(rmq_message_queue_new(topic, "broker-a", 0, &q), "queue new");
    const rmq_message_queue_t *one[1] = {q};
    const rmq_message_queue_t *hole[1] = {NULL};
    EXPECT(code_of(rmq_pull_consumer_subscribe(NULL, topic, "*")) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_subscribe(pc, NULL, "*")) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_subscribe(pc, topic, NULL)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_subscribe_sql92(NULL, topic, "a > 1")) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_subscribe_sql92(pc, NULL, "a > 1")) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_subscribe_sql92(pc, topic, NULL)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_unsubscribe(NULL, topic)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_unsubscribe(pc, NULL)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_assign(NULL, one, 1)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_assign(pc, NULL, 1)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_assign(pc, hole, 1)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_start(NULL)) == RMQ_ERR_NULL_ARG);
    rmq_message_view_t **msgs = NULL;
    EXPECT(code_of(rmq_pull_consumer_poll(NULL, 0, &msgs, &n)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_poll(pc, 0, NULL, &n)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_poll(pc, 0, &msgs, NULL)) == RMQ_ERR_NULL_ARG);
    rmq_message_views_free(NULL, 0);
    rmq_message_views_free(NULL, 5);
    EXPECT(code_of(rmq_pull_consumer_seek(NULL, q, 0)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_seek(pc, NULL, 0)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_seek_to_beginning(NULL, q)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_seek_to_beginning(pc, NULL)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_seek_to_end(NULL, q)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_seek_to_end(pc, NULL)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_seek_to_timestamp(NULL, q, 0)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_seek_to_timestamp(pc, NULL, 0)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_commit(NULL)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_commit_offset(NULL, q, 0)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_commit_offset(pc, NULL, 0)) == RMQ_ERR_NULL_ARG);
    int64_t off = 0;
    EXPECT(code_of(rmq_pull_consumer_committed(NULL, q, &off)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_committed(pc, NULL, &off)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_committed(pc, q, NULL)) == RMQ_ERR_NULL_ARG);
    rmq_pull_info_t info;
    EXPECT(code_of(rmq_pull_consumer_pull_from(NULL, q, "*", 0, 1, 100, &info, &msgs, &n)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_pull_from(pc, NULL, "*", 0, 1, 100, &info, &msgs, &n)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_pull_from(pc, q, "*", 0, 1, 100, NULL, &msgs, &n)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_pull_from(pc, q, "*", 0, 1, 100, &info, NULL, &n)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_pull_from(pc, q, "*", 0, 1, 100, &info, &msgs, NULL)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_pause(NULL, one, 1)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_pause(pc, NULL, 1)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_pause(pc, hole, 1)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_resume(NULL, one, 1)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_resume(pc, NULL, 1)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_resume(pc, hole, 1)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_fetch_queues(NULL, topic, &qs, &n)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_fetch_queues(pc, NULL, &qs, &n)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_fetch_queues(pc, topic, NULL, &n)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_fetch_queues(pc, topic, &qs, NULL)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_assignment(NULL, &qs, &n)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_assignment(pc, NULL, &n)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_assignment(pc, &qs, NULL)) == RMQ_ERR_NULL_ARG);
    EXPECT(code_of(rmq_pull_consumer_shutdown(NULL)) == RMQ_ERR_NULL_ARG);
    EXPECT(msgs == NULL && qs == NULL);
    rmq_pull_consumer_free(NULL);
    rmq_pull_consumer_free(pc); /* never started */
    rmq_message_queue_free(q);
    section("NULL: lite pull consumer");
}

static void consumer_bad_values(void) {
    rmq_config_t *cfg = rmq_config_new();
    EXPECT(code_of(rmq_config_set(cfg, "consume.thread.count", "0")) == RMQ_ERR_INVALID_ARG);
    EXPECT(code_of(rmq_config_set(cfg, "message.model", "sometimes")) == RMQ_ERR_INVALID_ARG);
    EXPECT(code_of(rmq_config_set(cfg, "consume.from.where", "middle")) == RMQ_ERR_INVALID_ARG);
    EXPECT(code_of(rmq_config_set(cfg, "allocate.strategy", "RANDOM")) == RMQ_ERR_INVALID_ARG);
    EXPECT(code_of(rmq_config_set(cfg, "auto.commit", "maybe")) == RMQ_ERR_INVALID_ARG);
    rmq_push_consumer_t *c = NULL;
    EXPECT(code_of(rmq_push_consumer_new(cfg, &c)) == RMQ_ERR_INVALID_ARG); /* no namesrv.addr, no group */
    cfg = consumer_config("c_misuse_bad");
    check(rmq_config_set(cfg, "consume.batch.size", "5000"), "set"); /* checked by the constructor */
    EXPECT(code_of(rmq_push_consumer_new(cfg, &c)) == RMQ_ERR_INVALID_ARG);
    EXPECT(c == NULL);

    c = new_push_consumer("c_misuse_bad_push", "1");
    EXPECT(code_of(rmq_push_consumer_start(c)) == RMQ_ERR_INVALID_ARG); /* nothing subscribed */
    EXPECT(code_of(rmq_push_consumer_subscribe(c, "bad topic!", "*", noop_consume, NULL, NULL)) ==
           RMQ_ERR_INVALID_ARG);
    check(rmq_push_consumer_subscribe(c, topic, "*", noop_consume, NULL, NULL), "subscribe");
    /* All concurrent or all orderly. */
    EXPECT(code_of(rmq_push_consumer_subscribe_orderly(c, "c_misuse_other", "*", noop_orderly, NULL, count_free)) ==
           RMQ_ERR_INVALID_ARG);
    rmq_push_consumer_free(c);

    rmq_pull_consumer_t *pc = new_pull_consumer("c_misuse_bad_pull");
    rmq_message_view_t **msgs = NULL;
    size_t n = 0;
    EXPECT(code_of(rmq_pull_consumer_poll(pc, 10, &msgs, &n)) == RMQ_ERR_NOT_STARTED);
    EXPECT(code_of(rmq_pull_consumer_poll(pc, -1, &msgs, &n)) == RMQ_ERR_INVALID_ARG);
    rmq_message_queue_t *q = NULL;
    check(rmq_message_queue_new(topic, "broker-a", 0, &q), "queue new");
    rmq_pull_info_t info;
    EXPECT(code_of(rmq_pull_consumer_pull_from(pc, q, "*", 0, 1, 100, &info, &msgs, &n)) == RMQ_ERR_NOT_STARTED);
    const rmq_message_queue_t *one[1] = {q};
    check(rmq_pull_consumer_assign(pc, one, 1), "assign");
    EXPECT(code_of(rmq_pull_consumer_subscribe(pc, topic, "*")) == RMQ_ERR_INVALID_ARG); /* no mixing */
    rmq_pull_consumer_free(pc);
    rmq_message_queue_free(q);
    section("consumers: bad values");
}

static void consumer_use_after_shutdown(void) {
    int freed_before = atomic_load(&freed_count);
    rmq_push_consumer_t *c = new_push_consumer("c_misuse_life_push", "1");
    check(rmq_push_consumer_subscribe(c, topic, "*", noop_consume, NULL, count_free), "subscribe");
    check(rmq_push_consumer_start(c), "start");
    check(rmq_push_consumer_start(c), "start twice");
    check(rmq_push_consumer_shutdown(c), "shutdown");
    check(rmq_push_consumer_shutdown(c), "shutdown twice");
    EXPECT(code_of(rmq_push_consumer_start(c)) == RMQ_ERR_SHUT_DOWN);
    EXPECT(code_of(rmq_push_consumer_subscribe(c, topic, "*", noop_consume, NULL, count_free)) == RMQ_ERR_SHUT_DOWN);
    EXPECT(code_of(rmq_push_consumer_unsubscribe(c, topic)) == RMQ_ERR_SHUT_DOWN);
    EXPECT(code_of(rmq_push_consumer_pause(c)) == RMQ_ERR_SHUT_DOWN);
    EXPECT(code_of(rmq_push_consumer_resume(c)) == RMQ_ERR_SHUT_DOWN);
    rmq_message_queue_t **qs = NULL;
    size_t n = 0;
    EXPECT(code_of(rmq_push_consumer_assigned_queues(c, &qs, &n)) == RMQ_ERR_SHUT_DOWN);
    EXPECT(atomic_load(&freed_count) == freed_before); /* until free */
    rmq_push_consumer_free(c);
    EXPECT(atomic_load(&freed_count) == freed_before + 1);

    rmq_pull_consumer_t *pc = new_pull_consumer("c_misuse_life_pull");
    check(rmq_pull_consumer_subscribe(pc, topic, "*"), "subscribe");
    check(rmq_pull_consumer_start(pc), "start");
    check(rmq_pull_consumer_start(pc), "start twice");
    check(rmq_pull_consumer_shutdown(pc), "shutdown");
    check(rmq_pull_consumer_shutdown(pc), "shutdown twice");
    rmq_message_queue_t *q = NULL;
    check(rmq_message_queue_new(topic, "broker-a", 0, &q), "queue new");
    const rmq_message_queue_t *one[1] = {q};
    rmq_message_view_t **msgs = NULL;
    int64_t off = 0;
    rmq_pull_info_t info;
    EXPECT(code_of(rmq_pull_consumer_start(pc)) == RMQ_ERR_SHUT_DOWN);
    EXPECT(code_of(rmq_pull_consumer_subscribe(pc, topic, "*")) == RMQ_ERR_SHUT_DOWN);
    EXPECT(code_of(rmq_pull_consumer_unsubscribe(pc, topic)) == RMQ_ERR_SHUT_DOWN);
    EXPECT(code_of(rmq_pull_consumer_assign(pc, one, 1)) == RMQ_ERR_SHUT_DOWN);
    EXPECT(code_of(rmq_pull_consumer_poll(pc, 10, &msgs, &n)) == RMQ_ERR_SHUT_DOWN);
    EXPECT(code_of(rmq_pull_consumer_pull_from(pc, q, "*", 0, 1, 100, &info, &msgs, &n)) == RMQ_ERR_SHUT_DOWN);
    EXPECT(code_of(rmq_pull_consumer_seek(pc, q, 0)) == RMQ_ERR_SHUT_DOWN);
    EXPECT(code_of(rmq_pull_consumer_seek_to_beginning(pc, q)) == RMQ_ERR_SHUT_DOWN);
    EXPECT(code_of(rmq_pull_consumer_seek_to_end(pc, q)) == RMQ_ERR_SHUT_DOWN);
    EXPECT(code_of(rmq_pull_consumer_seek_to_timestamp(pc, q, 0)) == RMQ_ERR_SHUT_DOWN);
    EXPECT(code_of(rmq_pull_consumer_commit(pc)) == RMQ_ERR_SHUT_DOWN);
    EXPECT(code_of(rmq_pull_consumer_commit_offset(pc, q, 0)) == RMQ_ERR_SHUT_DOWN);
    EXPECT(code_of(rmq_pull_consumer_committed(pc, q, &off)) == RMQ_ERR_SHUT_DOWN);
    EXPECT(code_of(rmq_pull_consumer_pause(pc, one, 1)) == RMQ_ERR_SHUT_DOWN);
    EXPECT(code_of(rmq_pull_consumer_resume(pc, one, 1)) == RMQ_ERR_SHUT_DOWN);
    EXPECT(code_of(rmq_pull_consumer_fetch_queues(pc, topic, &qs, &n)) == RMQ_ERR_SHUT_DOWN);
    EXPECT(code_of(rmq_pull_consumer_assignment(pc, &qs, &n)) == RMQ_ERR_SHUT_DOWN);
    EXPECT(msgs == NULL && qs == NULL);
    rmq_pull_consumer_free(pc);
    rmq_message_queue_free(q);
    section("consumers: use after shutdown, shutdown twice");
}

struct listener_state {
    rmq_push_consumer_t *c;
    rmq_producer_t *p;
    const char *send_topic;
    int block_ms;
    atomic_int calls;
    atomic_int frees;
    atomic_int shutdown_code;
    atomic_int slow_free;
    atomic_int blocking;      /* a listener is blocking now */
    atomic_int wait_for_other; /* "m 0" blocks until another message was consumed meanwhile */
    atomic_int done_while_blocked;
    atomic_int sent_ok;
    atomic_int send_errors;
    atomic_int async_ok;
    atomic_int async_calls;
    atomic_int async_frees;
};

static void listener_free(void *u) {
    struct listener_state *s = u;
    atomic_fetch_add(&s->frees, 1);
}

/* A topic of its own with `n` messages in it. */
static void fresh_topic(rmq_producer_t *p, char *t, size_t len, const char *prefix, int n) {
    unique_name(t, len, prefix);
    send_numbered(p, t, "m", n);
}

static int32_t shutdown_in_listener(void *u, const rmq_message_view_t *const *msgs, size_t n, int32_t *ack) {
    struct listener_state *s = u;
    (void)msgs;
    (void)n;
    (void)ack;
    if (atomic_fetch_add(&s->calls, 1) == 0) atomic_store(&s->shutdown_code, code_of(rmq_push_consumer_shutdown(s->c)));
    return RMQ_CONSUME_SUCCESS;
}

static void consumer_shutdown_in_own_listener(rmq_producer_t *p) {
    char t[128];
    fresh_topic(p, t, sizeof t, "c_misuse_cshut", 1);
    struct listener_state s;
    memset(&s, 0, sizeof s);
    atomic_store(&s.shutdown_code, -1);
    s.c = new_push_consumer("c_misuse_cshut", "2");
    check(rmq_push_consumer_subscribe(s.c, t, "*", shutdown_in_listener, &s, listener_free), "subscribe");
    check(rmq_push_consumer_start(s.c), "start");
    wait_for(&s.calls, 1, 30000);
    for (int waited = 0; atomic_load(&s.shutdown_code) == -1 && waited < 10000; waited += 5) sleep_ms(5);
    EXPECT(atomic_load(&s.shutdown_code) == RMQ_ERR_INVALID_STATE);
    /* The consumer still works after the refused shutdown. */
    send_numbered(p, t, "m", 1);
    wait_for(&s.calls, 2, 30000);
    EXPECT(atomic_load(&s.calls) == 2);
    check(rmq_push_consumer_shutdown(s.c), "shutdown");
    EXPECT(atomic_load(&s.frees) == 0);
    rmq_push_consumer_free(s.c);
    EXPECT(atomic_load(&s.frees) == 1);
    section("shutdown inside its own listener");
}

static int32_t free_in_listener(void *u, const rmq_message_view_t *const *msgs, size_t n, int32_t *ack) {
    struct listener_state *s = u;
    (void)msgs;
    (void)n;
    (void)ack;
    if (atomic_fetch_add(&s->calls, 1) == 0) {
        long long t0 = now_ms();
        rmq_push_consumer_free(s->c); /* returns at once; the release finishes after this listener */
        if (now_ms() - t0 > 500) atomic_store(&s->slow_free, 1);
    }
    return RMQ_CONSUME_SUCCESS;
}

static void consumer_free_in_own_listener(rmq_producer_t *p) {
    char t[128];
    fresh_topic(p, t, sizeof t, "c_misuse_cfree", 1);
    struct listener_state s;
    memset(&s, 0, sizeof s);
    s.c = new_push_consumer("c_misuse_cfree", "2");
    check(rmq_push_consumer_subscribe(s.c, t, "*", free_in_listener, &s, listener_free), "subscribe");
    check(rmq_push_consumer_start(s.c), "start");
    wait_for(&s.frees, 1, 30000);
    EXPECT(atomic_load(&s.calls) >= 1);
    EXPECT(atomic_load(&s.slow_free) == 0);
    EXPECT(atomic_load(&s.frees) == 1);
    sleep_ms(300); /* let the release thread finish before the process looks for leaks */
    section("free inside its own listener");
}

static int32_t blocking_listener(void *u, const rmq_message_view_t *const *msgs, size_t n, int32_t *ack) {
    struct listener_state *s = u;
    (void)n;
    (void)ack;
    if (body_number(msgs[0], "m") == 0) {
        atomic_store(&s->blocking, 1);
        if (atomic_load(&s->wait_for_other)) {
            for (int waited = 0; atomic_load(&s->done_while_blocked) == 0 && waited < 15000; waited += 5)
                sleep_ms(5);
        } else {
            sleep_ms(s->block_ms);
        }
        atomic_store(&s->blocking, 0);
    } else if (atomic_load(&s->blocking)) {
        atomic_fetch_add(&s->done_while_blocked, 1);
    }
    atomic_fetch_add(&s->calls, 1);
    return RMQ_CONSUME_SUCCESS;
}

static void consumer_blocking_listener(rmq_producer_t *p) {
    char t[128];
    fresh_topic(p, t, sizeof t, "c_misuse_cblock", 1); /* "m 0": its listener blocks */
    struct listener_state s;
    memset(&s, 0, sizeof s);
    s.block_ms = 1000;
    atomic_store(&s.wait_for_other, 1);
    s.c = new_push_consumer("c_misuse_cblock", "2");
    check(rmq_push_consumer_subscribe(s.c, t, "*", blocking_listener, &s, listener_free), "subscribe");
    check(rmq_push_consumer_start(s.c), "start");
    wait_for(&s.blocking, 1, 30000);
    rmq_message_t *m = text_message(t, "m 1");
    rmq_send_result_t *r = NULL;
    check(rmq_producer_send_sync(p, m, &r), "send while the listener blocks");
    rmq_send_result_free(r);
    rmq_message_free(m);
    wait_for(&s.calls, 2, 30000);
    EXPECT(atomic_load(&s.calls) == 2);
    /* Message 0 blocked one consume thread; the other consumed message 1 meanwhile. */
    EXPECT(atomic_load(&s.done_while_blocked) == 1);
    /* A shutdown waits for a blocking listener (shutdown.timeout.ms is 10 s). */
    atomic_store(&s.wait_for_other, 0);
    send_numbered(p, t, "m", 1); /* "m 0" again: blocks for a second */
    wait_for(&s.blocking, 1, 30000);
    long long t0 = now_ms();
    check(rmq_push_consumer_shutdown(s.c), "shutdown while a listener blocks");
    long long took = now_ms() - t0;
    EXPECT(atomic_load(&s.calls) == 3);
    EXPECT(took >= 300 && took < 5000);
    printf("  shutdown waited %lld ms for the blocking listener\n", took);
    rmq_push_consumer_free(s.c);
    EXPECT(atomic_load(&s.frees) == 1);
    section("a listener that blocks for a second");
}

static void listener_async_cb(void *u, const rmq_send_result_t *r, const rmq_error_t *e) {
    struct listener_state *s = u;
    (void)e;
    if (r != NULL) atomic_fetch_add(&s->async_ok, 1);
    atomic_fetch_add(&s->async_calls, 1);
}
static void listener_async_free(void *u) {
    struct listener_state *s = u;
    atomic_fetch_add(&s->async_frees, 1);
}

static int32_t sending_listener(void *u, const rmq_message_view_t *const *msgs, size_t n, int32_t *ack) {
    struct listener_state *s = u;
    (void)msgs;
    (void)n;
    (void)ack;
    rmq_message_t *m = text_message(s->send_topic, "sent from a listener");
    rmq_send_result_t *r = NULL;
    rmq_error_t *e = rmq_producer_send_sync(s->p, m, &r);
    if (e == NULL && rmq_send_result_status(r) == RMQ_SEND_OK)
        atomic_fetch_add(&s->sent_ok, 1);
    else
        atomic_fetch_add(&s->send_errors, 1);
    rmq_error_free(e);
    rmq_send_result_free(r);
    e = rmq_producer_send_async(s->p, m, listener_async_cb, s, listener_async_free);
    if (e != NULL) atomic_fetch_add(&s->send_errors, 1);
    rmq_error_free(e);
    rmq_message_free(m);
    atomic_fetch_add(&s->calls, 1);
    return RMQ_CONSUME_SUCCESS;
}

static void consumer_listener_that_sends(rmq_producer_t *p) {
    char t[128];
    fresh_topic(p, t, sizeof t, "c_misuse_csend", 2);
    struct listener_state s;
    memset(&s, 0, sizeof s);
    s.p = p;
    s.send_topic = topic;
    s.c = new_push_consumer("c_misuse_csend", "2");
    check(rmq_push_consumer_subscribe(s.c, t, "*", sending_listener, &s, listener_free), "subscribe");
    check(rmq_push_consumer_start(s.c), "start");
    wait_for(&s.async_frees, 2, 30000);
    EXPECT(atomic_load(&s.calls) == 2);
    EXPECT(atomic_load(&s.sent_ok) == 2);
    EXPECT(atomic_load(&s.send_errors) == 0);
    EXPECT(atomic_load(&s.async_calls) == 2);
    EXPECT(atomic_load(&s.async_ok) == 2);
    check(rmq_push_consumer_shutdown(s.c), "shutdown");
    rmq_push_consumer_free(s.c);
    EXPECT(atomic_load(&s.frees) == 1);
    section("a listener that sends (sync and async)");
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

/* fork(): in the child, the parent's handles and new clients fail at once
   with RMQ_ERR_INVALID_STATE and freeing returns at once (the library's
   threads stayed in the parent); the parent carries on. */
static void used_in_forked_child(rmq_producer_t *p) {
    section("handles used in a forked child");
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(20); /* a hang kills the child: a failure */
        int bad = 0;
        rmq_message_t *m = text_message(topic, "from the child");
        rmq_send_result_t *r = NULL;
        rmq_error_t *e = rmq_producer_send_sync(p, m, &r);
        if (rmq_error_code(e) != RMQ_ERR_INVALID_STATE || r != NULL) bad |= 1;
        rmq_error_free(e);
        rmq_producer_t *p2 = NULL;
        e = rmq_producer_new(producer_config("c_misuse_child"), &p2);
        if (rmq_error_code(e) != RMQ_ERR_INVALID_STATE || p2 != NULL) bad |= 2;
        rmq_error_free(e);
        rmq_producer_free(p);
        rmq_message_free(m);
        /* Report through exec: the child's memory still holds the parent's
           other threads' data, which a leak checker at _exit would blame. */
        char code[16];
        snprintf(code, sizeof code, "exit %d", bad);
        execl("/bin/sh", "sh", "-c", code, (char *)NULL);
        _exit(100);
    }
    EXPECT(pid > 0);
    int status = 0;
    EXPECT(waitpid(pid, &status, 0) == pid);
    EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fprintf(stderr, "  child: exited=%d status=%d signal=%d\n", WIFEXITED(status), WEXITSTATUS(status),
                WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    /* The parent's producer still works. */
    rmq_message_t *m = text_message(topic, "after the fork");
    rmq_send_result_t *r = NULL;
    check(rmq_producer_send_sync(p, m, &r), "send after fork");
    rmq_send_result_free(r);
    rmq_message_free(m);
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
    consumer_null_arguments();
    consumer_bad_values();
    consumer_use_after_shutdown();
    consumer_shutdown_in_own_listener(p);
    consumer_free_in_own_listener(p);
    consumer_blocking_listener(p);
    consumer_listener_that_sends(p);
    log_callback();
    used_in_forked_child(p);

    check(rmq_producer_shutdown(p), "shutdown");
    rmq_producer_free(p);
    return finish("misuse");
}
