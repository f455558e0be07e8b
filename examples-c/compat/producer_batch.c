/*
 * Batch sends through the rocketmq-client-cpp C API. A batch of N is stored
 * as N consecutive messages: on a fresh topic every batch offset is a
 * multiple of N and the result carries N message ids.
 * Usage: producer_batch <namesrv> <fresh topic> <group> [batch size] [batches]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rocketmq/CBatchMessage.h>
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

int main(int argc, char** argv) {
  const char* namesrv = argc > 1 ? argv[1] : "127.0.0.1:9876";
  const char* topic = argc > 2 ? argv[2] : "compat_c_batch";
  const char* group = argc > 3 ? argv[3] : "compat_c_batch_group";
  int size = argc > 4 ? atoi(argv[4]) : 5;
  int batches = argc > 5 ? atoi(argv[5]) : 6;
  int i, b, ids;
  const char* p;
  char body[64];
  CSendResult result;
  CProducer* producer = CreateProducer(group);
  CBatchMessage* empty = CreateBatchMessage();

  CHECK(producer != NULL && empty != NULL, "create");
  CHECK(SetProducerNameServerAddress(producer, namesrv) == OK, "SetProducerNameServerAddress");
  CHECK(StartProducer(producer) == OK, "StartProducer");

  for (b = 0; b < batches; b++) {
    CBatchMessage* batch = CreateBatchMessage();
    for (i = 0; i < size; i++) {
      CMessage* msg = CreateMessage(topic);
      snprintf(body, sizeof body, "batch %d message %d", b, i);
      CHECK(SetMessageBody(msg, body) == OK, "SetMessageBody");
      CHECK(SetMessageTags(msg, "Batch") == OK, "SetMessageTags");
      CHECK(AddMessage(batch, msg) == OK, "AddMessage");
      /* The batch holds a copy: the message can go at once. */
      CHECK(DestroyMessage(msg) == OK, "DestroyMessage");
    }
    CHECK(SendBatchMessage(producer, batch, &result) == OK, "SendBatchMessage");
    CHECK(result.sendStatus == E_SEND_OK, "send status");
    for (ids = 1, p = result.msgId; *p; p++)
      if (*p == ',') ids++;
    printf("batch %d: offset %lld, %d ids\n", b, result.offset, ids);
    CHECK(result.offset % size == 0, "a batch takes consecutive offsets");
    CHECK(ids == size || strlen(result.msgId) > 200, "one id per message (cut when too long)");
    CHECK(DestroyBatchMessage(batch) == OK, "DestroyBatchMessage");
  }

  CHECK(SendBatchMessage(producer, empty, &result) == PRODUCER_SEND_SYNC_FAILED, "empty batch refused");
  CHECK(SendBatchMessage(producer, NULL, &result) == NULL_POINTER, "NULL batch");
  CHECK(AddMessage(empty, NULL) == NULL_POINTER, "NULL message");
  CHECK(DestroyBatchMessage(empty) == OK, "DestroyBatchMessage");
  CHECK(ShutdownProducer(producer) == OK, "ShutdownProducer");
  CHECK(DestroyProducer(producer) == OK, "DestroyProducer");
  printf("producer_batch: %d batches of %d sent\n", batches, size);
  return 0;
}
