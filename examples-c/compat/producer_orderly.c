/*
 * Ordered sends through the rocketmq-client-cpp C API: SendMessageOrderly
 * with a selector, SendMessageOrderlyByShardingKey, SendMessageOrderlyAsync.
 * On a fresh topic the offsets a queue hands out are 0, 1, 2, ...: seeing
 * exactly that sequence per selected queue shows every message went where the
 * selector said, in order.
 * Usage: producer_orderly <namesrv> <fresh topic> <group> [orders] [per order]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

#define MAX_QUEUES 64

static int queue_count;
static int last_choice;
static pthread_t main_thread;
static int selector_off_thread;

/* arg points to the order id: the queue is order id modulo the queue count. */
static int by_order_id(int size, CMessage* msg, void* arg) {
  int order = *(int*)arg;
  (void)msg;
  if (!pthread_equal(pthread_self(), main_thread)) selector_off_thread++;
  queue_count = size;
  last_choice = order % size;
  return last_choice;
}

static int out_of_range(int size, CMessage* msg, void* arg) {
  (void)msg;
  (void)arg;
  return size + 3;
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int async_done, async_failed;
static long long async_offset = -1;

static void on_success(CSendResult r) {
  pthread_mutex_lock(&lock);
  async_offset = r.offset;
  async_done++;
  pthread_mutex_unlock(&lock);
}

static void on_exception(CMQException e) {
  pthread_mutex_lock(&lock);
  fprintf(stderr, "orderly async send failed: %s\n", e.msg);
  async_failed++;
  async_done++;
  pthread_mutex_unlock(&lock);
}

int main(int argc, char** argv) {
  const char* namesrv = argc > 1 ? argv[1] : "127.0.0.1:9876";
  const char* topic = argc > 2 ? argv[2] : "compat_c_orderly";
  const char* group = argc > 3 ? argv[3] : "compat_c_orderly_group";
  int orders = argc > 4 ? atoi(argv[4]) : 3;
  int per_order = argc > 5 ? atoi(argv[5]) : 5;
  long long next_offset[MAX_QUEUES];
  int i, order, step, waited;
  char body[64];
  CSendResult result, again;
  CProducer* producer = CreateOrderlyProducer(group);
  CMessage* msg = CreateMessage(topic);

  main_thread = pthread_self();
  memset(next_offset, 0, sizeof next_offset);
  CHECK(producer != NULL && msg != NULL, "create");
  CHECK(SetProducerNameServerAddress(producer, namesrv) == OK, "SetProducerNameServerAddress");
  CHECK(StartProducer(producer) == OK, "StartProducer");

  for (step = 0; step < per_order; step++) {
    for (order = 0; order < orders; order++) {
      snprintf(body, sizeof body, "order %d step %d", order, step);
      CHECK(SetMessageBody(msg, body) == OK, "SetMessageBody");
      CHECK(SendMessageOrderly(producer, msg, by_order_id, &order, 2, &result) == OK, "SendMessageOrderly");
      CHECK(result.sendStatus == E_SEND_OK, "send status");
      CHECK(queue_count > 0 && queue_count <= MAX_QUEUES, "queue count");
      printf("order %d step %d -> queue %d offset %lld\n", order, step, last_choice, result.offset);
      CHECK(result.offset == next_offset[last_choice], "offsets of a queue follow the send order");
      next_offset[last_choice]++;
    }
  }
  CHECK(selector_off_thread == 0, "the selector runs on the calling thread");

  /* The same sharding key always lands on the same queue: consecutive offsets. */
  CHECK(SetMessageProperty(msg, "property", "test") == OK, "SetMessageProperty");
  CHECK(SendMessageOrderlyByShardingKey(producer, msg, "order-key-1", &result) == OK, "by sharding key");
  for (i = 0; i < 3; i++) {
    CHECK(SendMessageOrderlyByShardingKey(producer, msg, "order-key-1", &again) == OK, "by sharding key again");
    CHECK(again.offset == result.offset + i + 1, "same key, same queue, in order");
  }

  /* Ordered async: the selector picks queue 0 here, on this thread. */
  order = 0;
  CHECK(SendMessageOrderlyAsync(producer, msg, by_order_id, &order, on_success, on_exception) == OK,
        "SendMessageOrderlyAsync");
  for (waited = 0; waited < 100 && async_done == 0; waited++) {
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  pthread_mutex_lock(&lock);
  CHECK(async_done == 1 && async_failed == 0, "the async ordered send succeeded");
  printf("orderly async -> queue 0 offset %lld (expected >= %lld)\n", async_offset, next_offset[0]);
  CHECK(async_offset >= next_offset[0], "async ordered send went to queue 0");
  pthread_mutex_unlock(&lock);

  /* A selector answer out of range is an error (rocketmq-client-cpp read out of bounds). */
  CHECK(SendMessageOrderly(producer, msg, out_of_range, NULL, 0, &result) == PRODUCER_SEND_ORDERLY_FAILED,
        "out-of-range selector answer refused");
  printf("out-of-range selector refused: %s\n", GetLatestErrorMessage());
  CHECK(SendMessageOrderly(producer, msg, NULL, NULL, 0, &result) == NULL_POINTER, "NULL selector");

  DestroyMessage(msg);
  CHECK(ShutdownProducer(producer) == OK, "ShutdownProducer");
  CHECK(DestroyProducer(producer) == OK, "DestroyProducer");
  printf("producer_orderly: %d ordered messages sent\n", orders * per_order + 5);
  return 0;
}
