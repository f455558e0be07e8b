/*
 * Producer benchmark through the C API, the counterpart of
 * `cargo run --release --example producer_bench`: sends N messages of a given
 * size with K threads (sync, oneway) or from one thread (async), and prints
 * msgs/s and client CPU seconds per 100k messages.
 *
 * bench_producer --mode sync --count 100000 --size 1024 --concurrency 16
 */

#include "common.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/resource.h>

static const char *mode = "sync";
static long count = 100000;
static long size = 1024;
static long concurrency = 16;
static char topic[160];
static rmq_producer_t *producer;
static uint8_t *body;
static atomic_long failed = 0;
static atomic_long done = 0;

static void *sender(void *arg) {
    long n = (long)(intptr_t)arg;
    int oneway = strcmp(mode, "oneway") == 0;
    rmq_message_t *m = NULL;
    check(rmq_message_new(topic, &m), "message");
    check(rmq_message_set_body(m, body, (size_t)size), "body");
    for (long i = 0; i < n; i++) {
        rmq_error_t *e;
        if (oneway) {
            e = rmq_producer_send_oneway(producer, m);
        } else {
            rmq_send_result_t *r = NULL;
            e = rmq_producer_send_sync(producer, m, &r);
            rmq_send_result_free(r);
        }
        if (e != NULL) atomic_fetch_add(&failed, 1);
        rmq_error_free(e);
    }
    rmq_message_free(m);
    return NULL;
}

static void on_sent(void *u, const rmq_send_result_t *r, const rmq_error_t *e) {
    (void)u;
    (void)r;
    if (e != NULL) atomic_fetch_add(&failed, 1);
    atomic_fetch_add(&done, 1);
}

static double cpu_seconds(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    const char *given_topic = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--mode") == 0) mode = argv[i + 1];
        else if (strcmp(argv[i], "--count") == 0) count = atol(argv[i + 1]);
        else if (strcmp(argv[i], "--size") == 0) size = atol(argv[i + 1]);
        else if (strcmp(argv[i], "--concurrency") == 0) concurrency = atol(argv[i + 1]);
        else if (strcmp(argv[i], "--topic") == 0) given_topic = argv[i + 1];
        else {
            fprintf(stderr, "unknown argument %s\n", argv[i]);
            return 2;
        }
    }
    if (count <= 0 || size <= 0 || concurrency <= 0) return 2;
    if (given_topic != NULL) snprintf(topic, sizeof topic, "%s", given_topic);
    else unique_name(topic, sizeof topic, "CBenchTopic");

    char group[128];
    unique_name(group, sizeof group, "c_bench_producer");
    rmq_config_t *cfg = rmq_config_new();
    check(rmq_config_set(cfg, "namesrv.addr", namesrv()), "namesrv.addr");
    check(rmq_config_set(cfg, "group", group), "group");
    check(rmq_config_set(cfg, "compress.threshold.bytes", "1073741824"), "no compression");
    check(rmq_producer_new(cfg, &producer), "producer");
    check(rmq_producer_start(producer), "start");
    body = malloc((size_t)size);
    memset(body, 'r', (size_t)size);

    /* Warm up: route, connection, topic auto-creation. */
    sender((void *)(intptr_t)100);
    atomic_store(&failed, 0);

    double cpu0 = cpu_seconds(), t0 = now_s();
    long sent;
    if (strcmp(mode, "async") == 0) {
        rmq_message_t *m = NULL;
        check(rmq_message_new(topic, &m), "message");
        check(rmq_message_set_body(m, body, (size_t)size), "body");
        for (long i = 0; i < count; i++) check(rmq_producer_send_async(producer, m, on_sent, NULL, NULL), "async send");
        while (atomic_load(&done) < count) sleep_ms(1);
        rmq_message_free(m);
        sent = count;
    } else {
        long per = count / concurrency;
        pthread_t *threads = malloc(sizeof(pthread_t) * (size_t)concurrency);
        for (long i = 0; i < concurrency; i++) pthread_create(&threads[i], NULL, sender, (void *)(intptr_t)per);
        for (long i = 0; i < concurrency; i++) pthread_join(threads[i], NULL);
        free(threads);
        sent = per * concurrency;
    }
    double secs = now_s() - t0, cpu = cpu_seconds() - cpu0;
    printf("c mode=%s size=%ld concurrency=%ld sent=%ld failed=%ld msgs/s=%.0f cpu_s_per_100k=%.2f\n", mode, size,
           concurrency, sent, atomic_load(&failed), sent / secs, cpu / sent * 100000.0);
    check(rmq_producer_shutdown(producer), "shutdown");
    rmq_producer_free(producer);
    free(body);
    return atomic_load(&failed) == 0 ? 0 : 1;
}
