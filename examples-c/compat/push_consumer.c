/*
 * Push consumer through the rocketmq-client-cpp C API: messages sent before
 * the start all arrive (every one accounted for, with its keys, tags and
 * properties), a RECONSUME_LATER message comes back through the retry topic,
 * and in orderly mode the messages of each queue arrive in queue order.
 * Usage: push_consumer <namesrv> <fresh topic> <group> [count] [orderly]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rocketmq/CErrorMessage.h>
#include <rocketmq/CMessage.h>
#include <rocketmq/CMessageExt.h>
#include <rocketmq/CProducer.h>
#include <rocketmq/CPushConsumer.h>

#define CHECK(cond, what)                                                          \
  do {                                                                             \
    if (!(cond)) {                                                                 \
      fprintf(stderr, "FAILED: %s (last error: %s)\n", what, GetLatestErrorMessage()); \
      exit(1);                                                                     \
    }                                                                              \
  } while (0)

#define MAX_COUNT 1000
#define MAX_QUEUES 64

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static CPushConsumer* the_consumer;
static const char* the_topic;
static int orderly;
static int seen[MAX_COUNT];
static char ids[MAX_COUNT][MAX_MESSAGE_ID_LENGTH];
static int bad, duplicates, wrong_handle;
static int rejected_index = 0, rejected_once, redelivered, redelivered_times;
static long long last_offset[MAX_QUEUES];
static int out_of_order;

static int on_message(CPushConsumer* consumer, CMessageExt* msg) {
  int index = atoi(GetMessageKeys(msg) + 4); /* "key-<n>" */
  int queue = GetMessageQueueId(msg);
  long long offset = GetMessageQueueOffset(msg);
  int status = E_CONSUME_SUCCESS;
  pthread_mutex_lock(&lock);
  if (consumer != the_consumer) wrong_handle++;
  if (index < 0 || index >= MAX_COUNT || strcmp(GetMessageTopic(msg), the_topic) != 0 ||
      strcmp(GetMessageTags(msg), "TagA") != 0 || strcmp(GetMessageProperty(msg, "property"), "test") != 0 ||
      strcmp(GetMessageId(msg), ids[index]) != 0 || GetMessageBodyLength(msg) != (int)strlen(GetMessageBody(msg))) {
    bad++;
  } else if (!orderly && index == rejected_index && !rejected_once) {
    /* The first delivery of this message is refused: it must come back. */
    rejected_once = 1;
    status = E_RECONSUME_LATER;
  } else {
    if (!orderly && index == rejected_index) {
      redelivered++;
      redelivered_times = GetMessageReconsumeTimes(msg);
    }
    if (seen[index]) duplicates++;
    seen[index]++;
  }
  if (orderly && queue >= 0 && queue < MAX_QUEUES) {
    if (offset <= last_offset[queue]) out_of_order++;
    last_offset[queue] = offset;
  }
  pthread_mutex_unlock(&lock);
  return status;
}

static int received(int count) {
  int i, n = 0;
  for (i = 0; i < count; i++) n += seen[i] > 0;
  return n;
}

int main(int argc, char** argv) {
  const char* namesrv = argc > 1 ? argv[1] : "127.0.0.1:9876";
  const char* topic = argc > 2 ? argv[2] : "compat_c_push";
  const char* group = argc > 3 ? argv[3] : "compat_c_push_group";
  int count = argc > 4 ? atoi(argv[4]) : 20;
  char producer_group[256], key[32], body[64];
  int i, waited, n = 0;
  CSendResult result;
  CProducer* producer;
  CMessage* msg;

  orderly = argc > 5 && strcmp(argv[5], "orderly") == 0;
  the_topic = topic;
  CHECK(count > 0 && count <= MAX_COUNT, "count in range");
  for (i = 0; i < MAX_QUEUES; i++) last_offset[i] = -1;

  snprintf(producer_group, sizeof producer_group, "%s_producer", group);
  producer = CreateProducer(producer_group);
  CHECK(SetProducerNameServerAddress(producer, namesrv) == OK, "SetProducerNameServerAddress");
  CHECK(StartProducer(producer) == OK, "StartProducer");
  msg = CreateMessage(topic);
  for (i = 0; i < count; i++) {
    snprintf(key, sizeof key, "key-%d", i);
    snprintf(body, sizeof body, "push message %d", i);
    CHECK(SetMessageKeys(msg, key) == OK && SetMessageTags(msg, "TagA") == OK, "keys, tags");
    CHECK(SetMessageProperty(msg, "property", "test") == OK && SetMessageBody(msg, body) == OK, "property, body");
    CHECK(SendMessageSync(producer, msg, &result) == OK, "SendMessageSync");
    strcpy(ids[i], result.msgId);
  }
  printf("%d messages sent to %s\n", count, topic);

  the_consumer = CreatePushConsumer(group);
  CHECK(the_consumer != NULL, "CreatePushConsumer");
  CHECK(strcmp(GetPushConsumerGroupID(the_consumer), group) == 0, "GetPushConsumerGroupID");
  CHECK(SetPushConsumerNameServerAddress(the_consumer, namesrv) == OK, "SetPushConsumerNameServerAddress");
  CHECK(SetPushConsumerMessageModel(the_consumer, CLUSTERING) == OK, "SetPushConsumerMessageModel");
  CHECK(SetPushConsumerThreadCount(the_consumer, 4) == OK, "SetPushConsumerThreadCount");
  CHECK(SetPushConsumerMessageBatchMaxSize(the_consumer, 1) == OK, "SetPushConsumerMessageBatchMaxSize");
  CHECK(StartPushConsumer(the_consumer) == PUSHCONSUMER_START_FAILED, "start without a callback fails");
  CHECK(Subscribe(the_consumer, topic, "TagA || TagB") == OK, "Subscribe");
  if (orderly)
    CHECK(RegisterMessageCallbackOrderly(the_consumer, on_message) == OK, "RegisterMessageCallbackOrderly");
  else
    CHECK(RegisterMessageCallback(the_consumer, on_message) == OK, "RegisterMessageCallback");
  CHECK(StartPushConsumer(the_consumer) == OK, "StartPushConsumer");

  /* The refused message comes back after the broker's first retry delay (about 10 s). */
  for (waited = 0; waited < 90; waited++) {
    pthread_mutex_lock(&lock);
    n = received(count);
    pthread_mutex_unlock(&lock);
    if (n == count && (orderly || redelivered)) break;
    sleep(1);
  }
  CHECK(ShutdownPushConsumer(the_consumer) == OK, "ShutdownPushConsumer");
  pthread_mutex_lock(&lock);
  printf("%s: %d/%d received after %d s, %d bad, %d duplicates, redelivered %d (reconsume times %d), %d out of order\n",
         orderly ? "orderly" : "concurrently", n, count, waited, bad, duplicates, redelivered, redelivered_times,
         out_of_order);
  CHECK(n == count, "every message received");
  CHECK(bad == 0 && wrong_handle == 0, "every message as sent, with the consumer's own handle");
  CHECK(out_of_order == 0, "queue order kept");
  if (!orderly) CHECK(redelivered == 1 && redelivered_times >= 1, "the refused message came back once, as a retry");
  pthread_mutex_unlock(&lock);

  CHECK(DestroyPushConsumer(the_consumer) == OK, "DestroyPushConsumer");
  DestroyMessage(msg);
  CHECK(ShutdownProducer(producer) == OK && DestroyProducer(producer) == OK, "producer down");
  printf("push_consumer: every message accounted for\n");
  return 0;
}
