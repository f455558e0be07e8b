/*
 * Helpers shared by the C examples: error checks, unique names, producers,
 * consumer configs.
 * Each example exits 0 when it saw what it expected and 1 otherwise.
 */
#ifndef EXAMPLES_COMMON_H
#define EXAMPLES_COMMON_H

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rocketmq.h"

static int failures = 0;

/* Records a failed expectation and goes on. */
#define EXPECT(cond)                                                               \
    do {                                                                           \
        if (!(cond)) {                                                             \
            fprintf(stderr, "%s:%d: expected %s\n", __FILE__, __LINE__, #cond);    \
            failures++;                                                            \
        }                                                                          \
    } while (0)

/* Exits when `err` is an error (freeing it first). */
static inline void check(rmq_error_t *err, const char *what) {
    if (err != NULL) {
        fprintf(stderr, "%s failed: %s (%s, response code %d)\n", what, rmq_error_message(err),
                rmq_err_name(rmq_error_code(err)), rmq_error_response_code(err));
        rmq_error_free(err);
        exit(1);
    }
}

/* The code of `err` (RMQ_OK for NULL), freeing it. */
static inline rmq_err_t code_of(rmq_error_t *err) {
    rmq_err_t c = rmq_error_code(err);
    rmq_error_free(err);
    return c;
}

static inline const char *namesrv(void) {
    const char *n = getenv("ROCKETMQ_NAMESRV");
    return n != NULL ? n : "127.0.0.1:9876";
}

/* A name no earlier run used: prefix_pid_seconds_nanos. */
static inline void unique_name(char *buf, size_t len, const char *prefix) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(buf, len, "%s_%ld_%ld_%ld", prefix, (long)getpid(), (long)ts.tv_sec % 100000000L,
             (long)ts.tv_nsec / 1000L);
}

static inline void sleep_ms(long ms) {
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

/* A config for `group` on the local name server. */
static inline rmq_config_t *producer_config(const char *group) {
    rmq_config_t *cfg = rmq_config_new();
    check(rmq_config_set(cfg, "namesrv.addr", namesrv()), "config namesrv.addr");
    check(rmq_config_set(cfg, "group", group), "config group");
    check(rmq_config_set(cfg, "send.timeout.ms", "10000"), "config send.timeout.ms");
    return cfg;
}

/* A started producer of a unique group. */
static inline rmq_producer_t *started_producer(const char *group_prefix) {
    char group[128];
    unique_name(group, sizeof group, group_prefix);
    rmq_producer_t *p = NULL;
    check(rmq_producer_new(producer_config(group), &p), "rmq_producer_new");
    check(rmq_producer_start(p), "rmq_producer_start");
    return p;
}

/* A message for `topic` with `body`. */
static inline rmq_message_t *text_message(const char *topic, const char *body) {
    rmq_message_t *m = NULL;
    check(rmq_message_new(topic, &m), "rmq_message_new");
    check(rmq_message_set_body(m, (const uint8_t *)body, strlen(body)), "rmq_message_set_body");
    return m;
}

/* Checks what every successful send result has. */
static inline void expect_ok_result(const rmq_send_result_t *r, const char *topic) {
    EXPECT(r != NULL);
    EXPECT(rmq_send_result_status(r) == RMQ_SEND_OK);
    EXPECT(strlen(rmq_send_result_msg_id(r)) == 32);
    EXPECT(strlen(rmq_send_result_offset_msg_id(r)) == 32);
    EXPECT(strcmp(rmq_send_result_topic(r), topic) == 0);
    EXPECT(strlen(rmq_send_result_broker_name(r)) > 0);
    EXPECT(rmq_send_result_queue_id(r) >= 0);
    EXPECT(rmq_send_result_queue_offset(r) >= 0);
}

/* A consumer config for `group` on the local name server, reading a new
   group's queues from their first message. */
static inline rmq_config_t *consumer_config(const char *group) {
    rmq_config_t *cfg = rmq_config_new();
    check(rmq_config_set(cfg, "namesrv.addr", namesrv()), "config namesrv.addr");
    check(rmq_config_set(cfg, "group", group), "config group");
    check(rmq_config_set(cfg, "consume.from.where", "first_offset"), "config consume.from.where");
    return cfg;
}

/* Sends `n` messages "<prefix> <i>" (i = 0..n-1) to `topic`, synchronously. */
static inline void send_numbered(rmq_producer_t *p, const char *topic, const char *prefix, int n) {
    for (int i = 0; i < n; i++) {
        char body[128];
        snprintf(body, sizeof body, "%s %d", prefix, i);
        rmq_message_t *m = text_message(topic, body);
        rmq_send_result_t *r = NULL;
        check(rmq_producer_send_sync(p, m, &r), "rmq_producer_send_sync");
        rmq_send_result_free(r);
        rmq_message_free(m);
    }
}

/* The number after "<prefix> " in a received body, or -1. */
static inline int body_number(const rmq_message_view_t *v, const char *prefix) {
    size_t len = 0;
    const uint8_t *b = rmq_message_view_body(v, &len);
    char buf[128];
    size_t plen = strlen(prefix);
    if (b == NULL || len >= sizeof buf || len <= plen + 1) return -1;
    memcpy(buf, b, len);
    buf[len] = 0;
    if (strncmp(buf, prefix, plen) != 0 || buf[plen] != ' ') return -1;
    char *end = NULL;
    long v2 = strtol(buf + plen + 1, &end, 10);
    return (end != NULL && *end == 0 && v2 >= 0 && v2 < 1000000) ? (int)v2 : -1;
}

/* A monotonic clock in milliseconds. */
static inline long long mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline int finish(const char *name) {
    if (failures == 0) {
        printf("%s: ok\n", name);
        return 0;
    }
    printf("%s: %d failed expectation(s)\n", name, failures);
    return 1;
}

#endif
