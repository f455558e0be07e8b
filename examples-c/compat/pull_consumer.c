/*
 * Pull consumer through the rocketmq-client-cpp C API: lists the queues of a
 * topic (FetchSubscriptionMessageQueues) and pulls every queue from offset 0
 * (Pull) until nothing is new; every message sent is found once, and a tag
 * expression filters.
 * Usage: pull_consumer <namesrv> <fresh topic> <group> [count]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rocketmq/CErrorMessage.h>
#include <rocketmq/CMessage.h>
#include <rocketmq/CMessageExt.h>
#include <rocketmq/CMessageQueue.h>
#include <rocketmq/CProducer.h>
#include <rocketmq/CPullConsumer.h>
#include <rocketmq/CPullResult.h>

#define CHECK(cond, what)                                                          \
  do {                                                                             \
    if (!(cond)) {                                                                 \
      fprintf(stderr, "FAILED: %s (last error: %s)\n", what, GetLatestErrorMessage()); \
      exit(1);                                                                     \
    }                                                                              \
  } while (0)

#define MAX_COUNT 1000

static int seen[MAX_COUNT];

/* Pulls every queue from 0 with `expr`; returns how many messages were found. */
static int pull_all(CPullConsumer* consumer, CMessageQueue* mqs, int size, const char* expr, int count, int record) {
  int q, i, total = 0;
  for (q = 0; q < size; q++) {
    long long offset = 0;
    for (;;) {
      CPullResult r = Pull(consumer, &mqs[q], expr, offset, 8);
      if (r.pullStatus == E_FOUND) {
        for (i = 0; i < r.size; i++) {
          CMessageExt* m = r.msgFoundList[i];
          int index = atoi(GetMessageKeys(m) + 4);
          CHECK(GetMessageQueueId(m) == mqs[q].queueId, "message of the pulled queue");
          CHECK(GetMessageQueueOffset(m) >= offset, "offsets move forward");
          CHECK(strncmp(GetMessageBody(m), "pull message", 12) == 0, "body");
          CHECK(index >= 0 && index < count, "key");
          if (record) seen[index]++;
          total++;
        }
        CHECK(ReleasePullResult(r) == OK, "ReleasePullResult");
        offset = r.nextBeginOffset;
      } else {
        /* Releasing a result without messages is harmless. */
        CHECK(ReleasePullResult(r) == NULL_POINTER, "ReleasePullResult of an empty result");
        CHECK(r.pullStatus == E_NO_NEW_MSG || r.pullStatus == E_NO_MATCHED_MSG, "pull ends with no new message");
        if (r.pullStatus == E_NO_NEW_MSG || r.nextBeginOffset <= offset) break;
        offset = r.nextBeginOffset;
      }
    }
  }
  return total;
}

int main(int argc, char** argv) {
  const char* namesrv = argc > 1 ? argv[1] : "127.0.0.1:9876";
  const char* topic = argc > 2 ? argv[2] : "compat_c_pull";
  const char* group = argc > 3 ? argv[3] : "compat_c_pull_group";
  int count = argc > 4 ? atoi(argv[4]) : 30;
  char producer_group[256], key[32], body[64];
  int i, size = -1, total, tagged, missing = 0;
  CMessageQueue* mqs = NULL;
  CSendResult result;
  CPullResult r;
  CProducer* producer;
  CPullConsumer* consumer;
  CMessage* msg;

  CHECK(count > 0 && count <= MAX_COUNT, "count in range");
  snprintf(producer_group, sizeof producer_group, "%s_producer", group);
  producer = CreateProducer(producer_group);
  CHECK(SetProducerNameServerAddress(producer, namesrv) == OK && StartProducer(producer) == OK, "producer");
  msg = CreateMessage(topic);
  for (i = 0; i < count; i++) {
    snprintf(key, sizeof key, "key-%d", i);
    snprintf(body, sizeof body, "pull message %d", i);
    CHECK(SetMessageKeys(msg, key) == OK && SetMessageBody(msg, body) == OK, "keys, body");
    CHECK(SetMessageTags(msg, i % 3 == 0 ? "TagA" : "TagB") == OK, "tags");
    CHECK(SendMessageSync(producer, msg, &result) == OK, "SendMessageSync");
  }
  printf("%d messages sent to %s\n", count, topic);

  consumer = CreatePullConsumer(group);
  CHECK(consumer != NULL, "CreatePullConsumer");
  CHECK(SetPullConsumerNameServerAddress(consumer, namesrv) == OK, "SetPullConsumerNameServerAddress");
  CHECK(FetchSubscriptionMessageQueues(consumer, topic, &mqs, &size) == PULLCONSUMER_FETCH_MQ_FAILED,
        "fetch before start fails");
  CHECK(mqs == NULL && size == 0, "no queues on failure");
  CHECK(StartPullConsumer(consumer) == OK, "StartPullConsumer");
  CHECK(strcmp(GetPullConsumerGroupID(consumer), group) == 0, "GetPullConsumerGroupID");
  CHECK(FetchSubscriptionMessageQueues(consumer, topic, &mqs, &size) == OK, "FetchSubscriptionMessageQueues");
  CHECK(size > 0 && mqs != NULL, "the topic has queues");
  for (i = 0; i < size; i++) {
    CHECK(strcmp(mqs[i].topic, topic) == 0 && strlen(mqs[i].brokerName) > 0, "queue fields");
    printf("queue %s@%s:%d\n", mqs[i].topic, mqs[i].brokerName, mqs[i].queueId);
  }

  total = pull_all(consumer, mqs, size, "*", count, 1);
  for (i = 0; i < count; i++)
    if (seen[i] != 1) missing++;
  printf("pulled %d messages, %d missing or duplicated\n", total, missing);
  CHECK(total == count && missing == 0, "every message pulled once");

  tagged = pull_all(consumer, mqs, size, "TagA", count, 0);
  printf("pulled %d messages with TagA (expected %d)\n", tagged, (count + 2) / 3);
  CHECK(tagged == (count + 2) / 3, "tag filtering");

  r = Pull(consumer, &mqs[0], "*", -1, 8);
  CHECK(r.pullStatus == E_BROKER_TIMEOUT, "negative offset refused");
  r = Pull(consumer, NULL, "*", 0, 8);
  CHECK(r.pullStatus == E_BROKER_TIMEOUT, "NULL queue refused (rocketmq-client-cpp crashed)");

  CHECK(ReleaseSubscriptionMessageQueue(mqs) == OK, "ReleaseSubscriptionMessageQueue");
  CHECK(ShutdownPullConsumer(consumer) == OK, "ShutdownPullConsumer");
  CHECK(DestroyPullConsumer(consumer) == OK, "DestroyPullConsumer");
  DestroyMessage(msg);
  CHECK(ShutdownProducer(producer) == OK && DestroyProducer(producer) == OK, "producer down");
  printf("pull_consumer: every message accounted for\n");
  return 0;
}
