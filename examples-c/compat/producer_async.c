/*
 * Async sends (SendMessageAsync and SendAsync) through the rocketmq-client-cpp C API.
 * Usage: producer_async <namesrv> <topic> <group> [count]
 * Checks that every send gets exactly one callback, on a library thread.
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

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int successes, failures, user_successes, bad_results, on_main_thread;
static pthread_t main_thread;

static void note_thread(void) {
  if (pthread_equal(pthread_self(), main_thread)) on_main_thread++;
}

static void on_success(CSendResult result) {
  pthread_mutex_lock(&lock);
  note_thread();
  if (result.sendStatus != E_SEND_OK || strlen(result.msgId) != 32) bad_results++;
  successes++;
  pthread_mutex_unlock(&lock);
}

static void on_exception(CMQException e) {
  pthread_mutex_lock(&lock);
  note_thread();
  fprintf(stderr, "async send failed: error %d, %s: %s\n", e.error, e.type, e.msg);
  failures++;
  pthread_mutex_unlock(&lock);
}

struct tag {
  int magic;
};

static void on_user_success(CSendResult result, CMessage* msg, void* user_data) {
  struct tag* t = (struct tag*)user_data;
  pthread_mutex_lock(&lock);
  note_thread();
  if (result.sendStatus != E_SEND_OK || t->magic != 4242 || strcmp(GetOriginMessageTags(msg), "User") != 0)
    bad_results++;
  user_successes++;
  pthread_mutex_unlock(&lock);
}

static void on_user_exception(CMQException e, CMessage* msg, void* user_data) {
  (void)msg;
  (void)user_data;
  pthread_mutex_lock(&lock);
  fprintf(stderr, "SendAsync failed: %s\n", e.msg);
  failures++;
  pthread_mutex_unlock(&lock);
}

int main(int argc, char** argv) {
  const char* namesrv = argc > 1 ? argv[1] : "127.0.0.1:9876";
  const char* topic = argc > 2 ? argv[2] : "compat_c_async";
  const char* group = argc > 3 ? argv[3] : "compat_c_async_group";
  int count = argc > 4 ? atoi(argv[4]) : 20;
  int i, waited, done;
  char body[64];
  struct tag t;
  CProducer* producer = CreateProducer(group);
  CMessage* msg = CreateMessage(topic);
  CMessage* user_msg = CreateMessage(topic);

  main_thread = pthread_self();
  t.magic = 4242;
  CHECK(producer != NULL && msg != NULL, "create");
  CHECK(SetProducerNameServerAddress(producer, namesrv) == OK, "SetProducerNameServerAddress");
  CHECK(StartProducer(producer) == OK, "StartProducer");
  CHECK(SendMessageAsync(producer, msg, NULL, on_exception) == NULL_POINTER, "NULL callback refused");

  for (i = 0; i < count; i++) {
    snprintf(body, sizeof body, "async message %d", i);
    CHECK(SetMessageBody(msg, body) == OK, "SetMessageBody");
    CHECK(SendMessageAsync(producer, msg, on_success, on_exception) == OK, "SendMessageAsync");
  }
  /* The message may be reused or freed right after SendMessageAsync returns. */
  CHECK(SetMessageTags(user_msg, "User") == OK, "SetMessageTags");
  CHECK(SetMessageBody(user_msg, "with user data") == OK, "SetMessageBody");
  CHECK(SendAsync(producer, user_msg, on_user_success, on_user_exception, &t) == OK, "SendAsync");

  for (waited = 0; waited < 300; waited++) {
    struct timespec ts = {0, 100 * 1000 * 1000};
    pthread_mutex_lock(&lock);
    done = successes + failures + user_successes;
    pthread_mutex_unlock(&lock);
    if (done >= count + 1) break;
    nanosleep(&ts, NULL);
  }
  pthread_mutex_lock(&lock);
  printf("async: %d successes, %d SendAsync successes, %d failures, %d bad results\n", successes,
         user_successes, failures, bad_results);
  CHECK(successes == count && user_successes == 1, "every async send succeeded");
  CHECK(failures == 0 && bad_results == 0, "no failure, every result valid");
  CHECK(on_main_thread == 0, "callbacks run on a library thread");
  pthread_mutex_unlock(&lock);

  CHECK(ShutdownProducer(producer) == OK, "ShutdownProducer");
  /* Exactly one callback per send: none arrives late. */
  CHECK(successes == count && user_successes == 1, "no extra callback");
  DestroyMessage(msg);
  DestroyMessage(user_msg);
  CHECK(DestroyProducer(producer) == OK, "DestroyProducer");
  printf("producer_async: %d + 1 messages sent\n", count);
  return 0;
}
