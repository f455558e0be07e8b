/*
 * Transactional send through the rocketmq-client-cpp C API: the executor
 * answers UNKNOWN, the broker checks back, the checker commits.
 * Usage: producer_transaction <namesrv> <topic> <group> [timeout seconds]
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
#include <rocketmq/CTransactionStatus.h>

#define CHECK(cond, what)                                                          \
  do {                                                                             \
    if (!(cond)) {                                                                 \
      fprintf(stderr, "FAILED: %s (last error: %s)\n", what, GetLatestErrorMessage()); \
      exit(1);                                                                     \
    }                                                                              \
  } while (0)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static CProducer* the_producer;
static CMessage* the_message;
static int executor_calls, executor_ok, checks, checks_ok;
static char checked_id[256];

static CTransactionStatus executor(CProducer* producer, CMessage* msg, void* data) {
  executor_calls++;
  if (producer == the_producer && msg == the_message && data == (void*)&executor_calls &&
      strcmp(GetOriginMessageBody(msg), "transaction body") == 0)
    executor_ok++;
  return E_UNKNOWN_TRANSACTION;
}

static CTransactionStatus checker(CProducer* producer, CMessageExt* msg, void* data) {
  pthread_mutex_lock(&lock);
  checks++;
  if (producer == the_producer && data == (void*)&checks && strcmp(GetMessageBody(msg), "transaction body") == 0 &&
      strcmp(GetMessageProperty(msg, "property"), "test") == 0) {
    checks_ok++;
    strncpy(checked_id, GetMessageId(msg), sizeof checked_id - 1);
  }
  pthread_mutex_unlock(&lock);
  return E_COMMIT_TRANSACTION;
}

int main(int argc, char** argv) {
  const char* namesrv = argc > 1 ? argv[1] : "127.0.0.1:9876";
  const char* topic = argc > 2 ? argv[2] : "compat_c_tx";
  const char* group = argc > 3 ? argv[3] : "compat_c_tx_group";
  int timeout = argc > 4 ? atoi(argv[4]) : 60;
  int waited, seen = 0;
  CSendResult result;
  CProducer* plain = CreateProducer("compat_c_tx_plain");

  the_producer = CreateTransactionProducer(group, checker, &checks);
  the_message = CreateMessage(topic);
  CHECK(the_producer != NULL && the_message != NULL, "create");
  CHECK(SetProducerNameServerAddress(the_producer, namesrv) == OK, "SetProducerNameServerAddress");
  CHECK(StartProducer(the_producer) == OK, "StartProducer");
  CHECK(SetMessageBody(the_message, "transaction body") == OK, "SetMessageBody");
  CHECK(SetMessageProperty(the_message, "property", "test") == OK, "SetMessageProperty");

  CHECK(SendMessageTransaction(the_producer, the_message, executor, &executor_calls, &result) == OK,
        "SendMessageTransaction");
  CHECK(executor_calls == 1 && executor_ok == 1, "the executor ran once, inline, with the caller's message");
  CHECK(result.sendStatus == E_SEND_OK && strlen(result.msgId) == 32, "send result");
  printf("half message %s sent, local state UNKNOWN; waiting for the broker's check\n", result.msgId);

  for (waited = 0; waited < timeout; waited++) {
    pthread_mutex_lock(&lock);
    seen = checks_ok > 0 && strcmp(checked_id, result.msgId) == 0;
    pthread_mutex_unlock(&lock);
    if (seen) break;
    sleep(1);
  }
  printf("checker called %d time(s) after about %d s\n", checks, waited);
  CHECK(seen, "the broker checked back and the checker saw the message");

  /* A normal producer cannot send transactions (rocketmq-client-cpp crashed here). */
  CHECK(SetProducerNameServerAddress(plain, namesrv) == OK, "SetProducerNameServerAddress");
  CHECK(StartProducer(plain) == OK, "StartProducer");
  CHECK(SendMessageTransaction(plain, the_message, executor, NULL, &result) == PRODUCER_SEND_TRANSACTION_FAILED,
        "transaction on a normal producer refused");
  /* A transaction producer sends normal messages too. */
  CHECK(SendMessageSync(the_producer, the_message, &result) == OK, "SendMessageSync on a transaction producer");

  CHECK(ShutdownProducer(plain) == OK && DestroyProducer(plain) == OK, "plain producer down");
  CHECK(ShutdownProducer(the_producer) == OK, "ShutdownProducer");
  CHECK(DestroyProducer(the_producer) == OK, "DestroyProducer");
  DestroyMessage(the_message);
  printf("producer_transaction: committed through check-back\n");
  return 0;
}
