/*
 * Sync sends through the rocketmq-client-cpp C API.
 * Usage: producer_sync <namesrv> <topic> <group> [count]
 * Exits 0 when every send succeeded and every check passed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rocketmq/CErrorMessage.h>
#include <rocketmq/CMessage.h>
#include <rocketmq/CProducer.h>
#include <rocketmq/CSendResult.h>

#define CHECK(cond, what)                                                          \
  do {                                                                             \
    if (!(cond)) {                                                                 \
      fprintf(stderr, "FAILED: %s (last error: %s)\n", what, GetLatestErrorMessage()); \
      exit(1);                                                                     \
    }                                                                              \
  } while (0)

int main(int argc, char** argv) {
  const char* namesrv = argc > 1 ? argv[1] : "127.0.0.1:9876";
  const char* topic = argc > 2 ? argv[2] : "compat_c_sync";
  const char* group = argc > 3 ? argv[3] : "compat_c_sync_group";
  int count = argc > 4 ? atoi(argv[4]) : 10;
  int i;
  char body[64];
  char first_id[MAX_MESSAGE_ID_LENGTH];
  CSendResult result;
  CProducer* producer = CreateProducer(group);
  CMessage* msg;

  CHECK(producer != NULL, "CreateProducer");
  CHECK(SetProducerNameServerAddress(producer, namesrv) == OK, "SetProducerNameServerAddress");
  CHECK(SetProducerSendMsgTimeout(producer, 5000) == OK, "SetProducerSendMsgTimeout");
  CHECK(SetProducerLogLevel(producer, E_LOG_LEVEL_WARN) == OK, "SetProducerLogLevel");

  /* Sending before start fails with a reason. */
  msg = CreateMessage(topic);
  CHECK(SetMessageBody(msg, "early") == OK, "SetMessageBody");
  CHECK(SendMessageSync(producer, msg, &result) == PRODUCER_SEND_SYNC_FAILED, "send before start fails");
  CHECK(strlen(GetLatestErrorMessage()) > 0, "error text after a failed send");

  CHECK(StartProducer(producer) == OK, "StartProducer");
  CHECK(StartProducer(producer) == OK, "second StartProducer is a no-op");

  first_id[0] = '\0';
  for (i = 0; i < count; i++) {
    snprintf(body, sizeof body, "sync message %d", i);
    CHECK(SetMessageTags(msg, "TagA") == OK, "SetMessageTags");
    CHECK(SetMessageKeys(msg, "key1 key2") == OK, "SetMessageKeys");
    CHECK(SetMessageProperty(msg, "property", "test") == OK, "SetMessageProperty");
    CHECK(SetMessageBody(msg, body) == OK, "SetMessageBody");
    memset(&result, 0xff, sizeof result);
    CHECK(SendMessageSync(producer, msg, &result) == OK, "SendMessageSync");
    CHECK(result.sendStatus == E_SEND_OK, "send status is E_SEND_OK");
    CHECK(strlen(result.msgId) == 32, "message id is 32 hex characters");
    CHECK(result.offset >= 0, "offset is not negative");
    CHECK(strcmp(result.msgId, first_id) != 0, "message ids differ");
    if (i == 0) strcpy(first_id, result.msgId);
    printf("sent %s offset %lld\n", result.msgId, result.offset);
  }

  /* Invalid input: errors, not crashes. */
  CHECK(SendMessageSync(producer, NULL, &result) == NULL_POINTER, "NULL message");
  CHECK(SendMessageSync(producer, msg, NULL) == NULL_POINTER, "NULL result");
  CHECK(SetMessageTags(msg, NULL) == NULL_POINTER, "NULL tags");
  CHECK(SetMessageTopic(msg, "bad topic!") == OK, "SetMessageTopic");
  CHECK(SendMessageSync(producer, msg, &result) == PRODUCER_SEND_SYNC_FAILED, "invalid topic is refused");
  printf("invalid topic refused: %s\n", GetLatestErrorMessage());

  CHECK(DestroyMessage(msg) == OK, "DestroyMessage");
  CHECK(ShutdownProducer(producer) == OK, "ShutdownProducer");
  CHECK(DestroyProducer(producer) == OK, "DestroyProducer");
  printf("producer_sync: %d messages sent\n", count);
  return 0;
}
