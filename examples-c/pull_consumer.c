/*
 * Lite pull consumer: sends N messages, subscribes and polls until all N
 * came (each once), seeks every queue back to its beginning and polls all N
 * again, commits and reads the committed offsets back, pauses and resumes
 * the queues, commits one offset by hand, and pulls every queue once from
 * offset 0 outside the consumer's buffering.
 */
#include "common.h"

#define N 60
#define MAX_QUEUES 64

static char topic[128];

/* Polls until every message 0..N-1 came once, or 60 s passed; records the
   last offset seen per queue. Returns the number of duplicates. */
static int poll_all(rmq_pull_consumer_t *c, long long last_offset[MAX_QUEUES], int *got) {
    int seen[N];
    memset(seen, 0, sizeof seen);
    int distinct = 0, duplicates = 0, polls = 0;
    long long t0 = mono_ms();
    while (distinct < N && mono_ms() - t0 < 60000) {
        rmq_message_view_t **msgs = NULL;
        size_t count = 0;
        check(rmq_pull_consumer_poll(c, 1000, &msgs, &count), "rmq_pull_consumer_poll");
        polls++;
        EXPECT((msgs == NULL) == (count == 0));
        for (size_t i = 0; i < count; i++) {
            int k = body_number(msgs[i], "pull");
            int q = rmq_message_view_queue_id(msgs[i]);
            EXPECT(k >= 0 && k < N);
            EXPECT(q >= 0 && q < MAX_QUEUES);
            EXPECT(strcmp(rmq_message_view_topic(msgs[i]), topic) == 0);
            if (k < 0 || k >= N || q < 0 || q >= MAX_QUEUES) continue;
            if (seen[k]++ == 0)
                distinct++;
            else
                duplicates++;
            long long off = rmq_message_view_queue_offset(msgs[i]);
            if (off > last_offset[q]) last_offset[q] = off;
        }
        rmq_message_views_free(msgs, count);
    }
    printf("  %d/%d messages in %d polls, %lld ms, %d duplicates\n", distinct, N, polls, mono_ms() - t0,
           duplicates);
    *got = distinct;
    return duplicates;
}

int main(void) {
    char group[128];
    unique_name(topic, sizeof topic, "c_pull");
    unique_name(group, sizeof group, "c_pull_group");
    rmq_producer_t *p = started_producer("c_pull_producer");
    send_numbered(p, topic, "pull", N);
    printf("sent %d messages to %s\n", N, topic);

    rmq_config_t *cfg = consumer_config(group);
    check(rmq_config_set(cfg, "auto.commit", "false"), "config auto.commit");
    rmq_pull_consumer_t *c = NULL;
    check(rmq_pull_consumer_new(cfg, &c), "rmq_pull_consumer_new");
    check(rmq_pull_consumer_subscribe(c, topic, "*"), "rmq_pull_consumer_subscribe");
    check(rmq_pull_consumer_start(c), "rmq_pull_consumer_start");

    long long last_offset[MAX_QUEUES];
    for (int q = 0; q < MAX_QUEUES; q++) last_offset[q] = -1;
    int got = 0;
    printf("first pass:\n");
    EXPECT(poll_all(c, last_offset, &got) == 0);
    EXPECT(got == N);

    rmq_message_queue_t **fetched = NULL;
    size_t nfetched = 0;
    check(rmq_pull_consumer_fetch_queues(c, topic, &fetched, &nfetched), "rmq_pull_consumer_fetch_queues");
    rmq_message_queue_t **assigned = NULL;
    size_t nassigned = 0;
    check(rmq_pull_consumer_assignment(c, &assigned, &nassigned), "rmq_pull_consumer_assignment");
    printf("%zu queues in the route, %zu assigned\n", nfetched, nassigned);
    EXPECT(nfetched > 0);
    EXPECT(nassigned == nfetched); /* the only consumer of its group */

    /* Back to the beginning: every message comes again. */
    for (size_t i = 0; i < nassigned; i++)
        check(rmq_pull_consumer_seek_to_beginning(c, assigned[i]), "rmq_pull_consumer_seek_to_beginning");
    printf("second pass, after seeking to the beginning:\n");
    long long again[MAX_QUEUES];
    for (int q = 0; q < MAX_QUEUES; q++) again[q] = -1;
    EXPECT(poll_all(c, again, &got) == 0);
    EXPECT(got == N);
    for (int q = 0; q < MAX_QUEUES; q++) EXPECT(again[q] == last_offset[q]);

    /* Commit where the second pass ended, then read it back from the broker. */
    check(rmq_pull_consumer_commit(c), "rmq_pull_consumer_commit");
    int with_messages = 0;
    for (size_t i = 0; i < nassigned; i++) {
        int q = rmq_message_queue_queue_id(assigned[i]);
        int64_t committed = -2;
        check(rmq_pull_consumer_committed(c, assigned[i], &committed), "rmq_pull_consumer_committed");
        printf("queue %d: last offset %lld, committed %lld\n", q, last_offset[q], (long long)committed);
        if (last_offset[q] >= 0) {
            with_messages++;
            EXPECT(committed == last_offset[q] + 1);
        }
    }
    EXPECT(with_messages > 0);

    /* Paused queues give nothing; resumed ones do. */
    for (size_t i = 0; i < nassigned; i++) check(rmq_pull_consumer_seek(c, assigned[i], 0), "rmq_pull_consumer_seek");
    check(rmq_pull_consumer_pause(c, (const rmq_message_queue_t *const *)assigned, nassigned),
          "rmq_pull_consumer_pause");
    rmq_message_view_t **msgs = NULL;
    size_t count = 0;
    check(rmq_pull_consumer_poll(c, 500, &msgs, &count), "poll while paused");
    EXPECT(count == 0 && msgs == NULL);
    rmq_message_views_free(msgs, count);
    check(rmq_pull_consumer_resume(c, (const rmq_message_queue_t *const *)assigned, nassigned),
          "rmq_pull_consumer_resume");
    long long t0 = mono_ms();
    while (count == 0 && mono_ms() - t0 < 30000) {
        check(rmq_pull_consumer_poll(c, 1000, &msgs, &count), "poll after resume");
        if (count > 0) {
            /* Keep one message past the array with a clone. */
            rmq_message_view_t *kept = rmq_message_view_clone(msgs[0]);
            rmq_message_views_free(msgs, count);
            EXPECT(body_number(kept, "pull") >= 0);
            rmq_message_view_free(kept);
        }
    }
    printf("after resume: a batch of %zu\n", count);
    EXPECT(count > 0);

    /* One offset by hand. */
    if (nassigned > 0) {
        int64_t committed = -2;
        check(rmq_pull_consumer_commit_offset(c, assigned[0], 0), "commit offset 0");
        check(rmq_pull_consumer_committed(c, assigned[0], &committed), "committed");
        EXPECT(committed == 0);
    }

    /* One-shot pulls from offset 0 of every queue: all N messages, in queue
       order, then nothing new at the end; bad arguments are refused. */
    int pulled = 0;
    for (size_t i = 0; i < nfetched; i++) {
        rmq_pull_info_t info;
        rmq_message_view_t **found = NULL;
        size_t nfound = 0;
        check(rmq_pull_consumer_pull_from(c, fetched[i], "*", 0, 64, 3000, &info, &found, &nfound), "pull_from");
        EXPECT(info.status == RMQ_PULL_FOUND || (info.status == RMQ_PULL_NO_NEW_MSG && nfound == 0));
        EXPECT((long long)nfound == info.next_begin_offset);
        for (size_t k = 0; k < nfound; k++) {
            EXPECT(rmq_message_view_queue_offset(found[k]) == (int64_t)k);
            EXPECT(body_number(found[k], "pull") >= 0);
        }
        pulled += (int)nfound;
        rmq_message_views_free(found, nfound);
        check(rmq_pull_consumer_pull_from(c, fetched[i], NULL, info.next_begin_offset, 64, 3000, &info, &found,
                                          &nfound),
              "pull_from at the end");
        EXPECT(info.status == RMQ_PULL_NO_NEW_MSG && nfound == 0 && found == NULL);
    }
    printf("one-shot pulls from offset 0: %d messages\n", pulled);
    EXPECT(pulled == N);
    if (nfetched > 0) {
        rmq_pull_info_t info;
        rmq_message_view_t **found = NULL;
        size_t nfound = 0;
        EXPECT(code_of(rmq_pull_consumer_pull_from(c, fetched[0], "*", -1, 1, 100, &info, &found, &nfound)) ==
               RMQ_ERR_INVALID_ARG);
        EXPECT(code_of(rmq_pull_consumer_pull_from(c, fetched[0], "*", 0, 0, 100, &info, &found, &nfound)) ==
               RMQ_ERR_INVALID_ARG);
        EXPECT(code_of(rmq_pull_consumer_pull_from(c, fetched[0], "*", 0, 1, 0, &info, &found, &nfound)) ==
               RMQ_ERR_INVALID_ARG);
    }

    rmq_message_queues_free(assigned, nassigned);
    rmq_message_queues_free(fetched, nfetched);
    check(rmq_pull_consumer_shutdown(c), "rmq_pull_consumer_shutdown");
    rmq_pull_consumer_free(c);
    check(rmq_producer_shutdown(p), "rmq_producer_shutdown");
    rmq_producer_free(p);
    return finish("pull_consumer");
}
