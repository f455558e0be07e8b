/*
 * One-way sends (SendMessageOneway, SendMessageOnewayOrderly) through the
 * rocketmq-client-cpp C API. Arrival is checked through queue offsets on a
 * fresh topic: sync probes to every queue must see every one-way message
 * stored before them.
 * Usage: producer_oneway <namesrv> <fresh topic> <group> [count]
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <rocketmq/CErrorMessage.h>
#include <rocketmq/CMessage.h>
#include <rocketmq/CProducer.h>

#define CHECK(cond, what)                                                          \
  do {                                                                             \
    if (!(cond)) {                                                                 \
      fprintf(stderr, "FAILED: %s (last error: %s)\n", what, GetLatestErrorMessage()); \
      exit(1);                                                                     \
    }                                                                              \
  } while (0)

static int queue_count;

/* arg points to the wanted queue index. */
static int chosen_queue(int size, CMessage* msg, void* arg) {
  (void)msg;
  queue_count = size;
  return *(int*)arg;
}

int main(int argc, char** argv) {
  const char* namesrv = argc > 1 ? argv[1] : "127.0.0.1:9876";
  const char* topic = argc > 2 ? argv[2] : "compat_c_oneway";
  const char* group = argc > 3 ? argv[3] : "compat_c_oneway_group";
  int count = argc > 4 ? atoi(argv[4]) : 10;
  int i, q, round;
  long long stored = 0;
  char body[64];
  CSendResult result;
  CProducer* producer = CreateProducer(group);
  CMessage* msg = CreateMessage(topic);

  CHECK(producer != NULL && msg != NULL, "create");
  CHECK(SetProducerNameServerAddress(producer, namesrv) == OK, "SetProducerNameServerAddress");
  CHECK(StartProducer(producer) == OK, "StartProducer");

  /* A first sync send creates the topic; queue 0 starts at offset 0. */
  q = 0;
  CHECK(SetMessageBody(msg, "first") == OK, "SetMessageBody");
  CHECK(SendMessageOrderly(producer, msg, chosen_queue, &q, 1, &result) == OK, "first sync send");
  CHECK(result.offset == 0, "a fresh queue starts at offset 0");

  for (i = 0; i < count; i++) {
    snprintf(body, sizeof body, "oneway message %d", i);
    CHECK(SetMessageBody(msg, body) == OK, "SetMessageBody");
    CHECK(SendMessageOnewayOrderly(producer, msg, chosen_queue, &q) == OK, "SendMessageOnewayOrderly");
    CHECK(SendMessageOneway(producer, msg) == OK, "SendMessageOneway");
  }
  /* Each round sends one sync probe to every queue; the offsets it gets,
     minus the earlier probes, count the messages stored before it. Once every
     one-way message is stored they add up to 1 + 2 * count. */
  for (round = 0; round < 10; round++) {
    stored = 0;
    sleep(1);
    CHECK(SetMessageBody(msg, "probe") == OK, "SetMessageBody");
    for (q = 0; q < queue_count; q++) {
      CHECK(SendMessageOrderly(producer, msg, chosen_queue, &q, 1, &result) == OK, "probe send");
      stored += result.offset - round;
    }
    printf("round %d: %lld messages stored before the probes (want %d)\n", round, stored, 1 + 2 * count);
    if (stored == 1 + 2 * count) break;
  }
  CHECK(stored == 1 + 2 * count, "every one-way message arrived");

  CHECK(SendMessageOneway(producer, NULL) == NULL_POINTER, "NULL message");
  CHECK(SetMessageTopic(msg, "") == OK, "SetMessageTopic");
  CHECK(SendMessageOneway(producer, msg) == PRODUCER_SEND_ONEWAY_FAILED, "blank topic refused");
  DestroyMessage(msg);
  CHECK(ShutdownProducer(producer) == OK, "ShutdownProducer");
  CHECK(DestroyProducer(producer) == OK, "DestroyProducer");
  printf("producer_oneway: %d messages sent\n", count);
  return 0;
}
