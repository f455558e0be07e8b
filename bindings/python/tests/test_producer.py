"""Sends against the local broker: the 2.x scenarios (sync, several threads, oneway, orderly
by sharding key, transactions with check-back) and the additions (async with a callback and
with asyncio, batch, selectors, delivery time and delay). Every message sent is consumed back
and accounted for."""

from __future__ import annotations

import asyncio
import http.server
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor

import pytest

from rocketmq import exceptions
from rocketmq.client import (
    Message,
    MessageQueue,
    Producer,
    SendFuture,
    SendResult,
    SendStatus,
    TransactionMQProducer,
    TransactionStatus,
)

from conftest import NAMESRV, consume_all, unique, wait_until


def _msg(topic, i, **kw):
    m = Message(topic)
    m.set_keys("k%d" % i)
    m.set_tags("XXX")
    m.set_body("body-%d" % i)
    m.set_property("property", "test")
    for k, v in kw.items():
        m.set_property(k, v)
    return m


def _assert_exactly(items, bodies, at_least_once=()):
    """``items`` hold each of ``bodies`` once, and each of ``at_least_once`` once or more."""
    got = Counter(i["body"] for i in items)
    for b in at_least_once:
        b = b.encode()
        assert got.pop(b, 0) >= 1, "missing %s in %s" % (b, got)
    want = Counter(b.encode() if isinstance(b, str) else b for b in bodies)
    assert got == want, "missing %s, extra %s" % (want - got, got - want)


def test_producer_send_sync(producer, topic):
    results = [producer.send_sync(_msg(topic, i)) for i in range(20)]
    for r in results:
        assert isinstance(r, SendResult) and r.status == SendStatus.OK
        status, msg_id, offset = r  # still the 2.x three-field tuple
        assert msg_id and offset >= 0 and r.topic == topic and r.broker_name and r.queue_id >= 0
    assert len({r.msg_id for r in results}) == 20
    items = consume_all(topic, 20)
    _assert_exactly(items, ["body-%d" % i for i in range(20)])
    assert {i["id"] for i in items} == {r.msg_id for r in results}
    assert all(i["tags"] == b"XXX" and i["topic"] == topic for i in items)


def test_producer_send_sync_multi_thread(producer, topic):
    def send(i):
        return producer.send_sync(_msg(topic, i))

    with ThreadPoolExecutor(5) as ex:
        results = list(ex.map(send, range(50)))
    assert all(r.status == SendStatus.OK for r in results)
    _assert_exactly(consume_all(topic, 50), ["body-%d" % i for i in range(50)])


def test_producer_send_oneway(producer, topic):
    producer.send_sync(_msg(topic, -1))  # route and connection first
    for i in range(20):
        assert producer.send_oneway(_msg(topic, i)) is None
    _assert_exactly(consume_all(topic, 21), ["body-%d" % i for i in range(-1, 20)])


def test_producer_send_orderly_with_sharding_key(topic):
    p = Producer(unique("orderly_producer_group"), True)
    p.set_name_server_address(NAMESRV)
    p.start()
    try:
        sent = defaultdict(list)
        queues = defaultdict(set)
        for i in range(30):
            key = "order%d" % (i % 3)
            m = _msg(topic, i)
            r = p.send_orderly_with_sharding_key(m, key)
            assert r.status == SendStatus.OK
            sent[key].append(b"body-%d" % i)
            queues[key].add(r.queue_id)
    finally:
        p.shutdown()
    assert all(len(q) == 1 for q in queues.values())
    items = consume_all(topic, 30, orderly=True)
    _assert_exactly(items, [b for v in sent.values() for b in v])
    by_queue = defaultdict(list)
    for it in items:
        by_queue[it["queue_id"]].append(it["body"])
    for key, bodies in sent.items():
        (q,) = queues[key]
        assert [b for b in by_queue[q] if b in bodies] == bodies


def test_send_orderly_with_selector(producer, topic):
    chosen = []

    def select(queues, msg, arg):
        chosen.append(len(queues))
        return queues[arg % len(queues)]

    rs = [producer.send_orderly(_msg(topic, i), select, i) for i in range(8)]
    assert chosen and all(n >= 1 for n in chosen)
    assert [r.queue_id for r in rs] == [i % chosen[0] for i in range(8)]
    with pytest.raises(exceptions.ProducerSendOrderlyFailed):
        producer.send_orderly(_msg(topic, 99), lambda q, m, a: 1 / 0)  # a raising selector fails the send
    qs = producer.queues(topic)
    assert qs and all(isinstance(q, MessageQueue) and q.topic == topic for q in qs)
    r = producer.send_to_queue(_msg(topic, 100), qs[-1])
    assert (r.queue_id, r.broker_name) == (qs[-1].queue_id, qs[-1].broker_name)
    _assert_exactly(consume_all(topic, 9), ["body-%d" % i for i in list(range(8)) + [100]])


def test_send_async_callback_and_future(producer, topic):
    done = []
    lock = threading.Lock()

    def cb(result, exc):
        with lock:
            done.append((result, exc, threading.current_thread() is threading.main_thread()))

    futures = [producer.send_async(_msg(topic, i), cb) for i in range(30)]
    results = [f.result(timeout=30) for f in futures]
    assert all(isinstance(f, SendFuture) for f in futures)
    assert all(r.status == SendStatus.OK for r in results)
    assert wait_until(lambda: len(done) == 30, 10)
    assert all(r is not None and e is None and not on_main for r, e, on_main in done)
    assert {r.msg_id for r, _, _ in done} == {r.msg_id for r in results}
    _assert_exactly(consume_all(topic, 30), ["body-%d" % i for i in range(30)])


def test_send_async_asyncio(producer, topic):
    async def main():
        rs = await asyncio.gather(*(producer.send_async(_msg(topic, i)) for i in range(20)))
        one = await producer.send_async(_msg(topic, 20))
        return list(rs) + [one]

    results = asyncio.run(main())
    assert len(results) == 21 and all(r.status == SendStatus.OK for r in results)
    _assert_exactly(consume_all(topic, 21), ["body-%d" % i for i in range(21)])


def test_send_async_failure_reaches_callback_and_future():
    # A name server nobody listens on: the send fails after the call returned.
    p = Producer(unique("py_async_fail"), timeout=1500, retry_times=0)
    p.set_name_server_address("127.0.0.1:1")
    p.start()
    errors = []
    try:
        f = p.send_async(Message(unique("T"), "x"), lambda r, e: errors.append((r, e)))
        with pytest.raises(exceptions.ProducerSendAsyncFailed) as e:
            f.result(timeout=30)
        assert e.value.code == exceptions.ErrorCode.NETWORK and e.value.type == "RMQ_ERR_NETWORK"
        assert e.value.retriable
        assert wait_until(lambda: errors, 5)
        assert errors[0][0] is None and isinstance(errors[0][1], exceptions.ProducerSendAsyncFailed)
    finally:
        p.shutdown()


def test_send_batch(producer, topic):
    msgs = [_msg(topic, i) for i in range(10)]
    r = producer.send_batch(msgs)
    assert r.status == SendStatus.OK and len(r.msg_id.split(",")) == 10
    items = consume_all(topic, 10)
    _assert_exactly(items, ["body-%d" % i for i in range(10)])
    assert {i["id"] for i in items} == set(r.msg_id.split(","))
    with pytest.raises(exceptions.ProducerSendBatchFailed):
        producer.send_batch([])


def test_send_batch_of_non_messages_releases_the_producer():
    # A batch that is not messages fails before the library is called and leaves nothing
    # for shutdown to wait for.
    p = Producer(unique("py_bad_batch"))
    p.set_name_server_address(NAMESRV)
    p.start()
    with pytest.raises(AttributeError):
        p.send_batch([object()])
    in_use = p._handle._users
    for _ in range(in_use):
        p._handle.release()  # lets shutdown return even when the assertion below fails
    p.shutdown()
    assert in_use == 0


def test_delivery_time_and_delay(producer, topic):
    sent_at = time.time()
    m1 = _msg(topic, 1)
    m1.set_delay(4)
    m2 = _msg(topic, 2)
    m2.set_delivery_time(int((sent_at + 4) * 1000))
    m3 = _msg(topic, 3)
    m3.set_delay_time_level(2)  # 5 s with the broker's default levels
    m4 = _msg(topic, 4)  # no delay
    for m in (m1, m2, m3, m4):
        assert producer.send_sync(m).status == SendStatus.OK
    items = consume_all(topic, 4, timeout=60)
    _assert_exactly(items, ["body-%d" % i for i in (1, 2, 3, 4)])
    at = {i["body"]: i["received_at"] - sent_at for i in items}
    assert at[b"body-1"] >= 3.0 and at[b"body-2"] >= 3.0 and at[b"body-3"] >= 4.0, at
    # The broker's clock, whatever the consumer's start-up took: a delayed message is stored in
    # its topic when it is due (keeping its born time), the plain one at once.
    stored = {i["body"]: i["store_timestamp"] - i["born_timestamp"] for i in items}
    assert stored[b"body-4"] < 2000, stored
    assert stored[b"body-1"] >= 3000 and stored[b"body-2"] >= 3000 and stored[b"body-3"] >= 4000, stored


def _tx_msg(topic, name):
    m = Message(topic)
    m.set_keys(name)
    m.set_body(name)
    return m


def test_transaction_producer(topic):
    checked = []
    executed = {}

    def checker(msg):
        checked.append((msg.body, msg.transaction_id))
        # The 2.x test's check: the body is there, and the answer is COMMIT (or ROLLBACK for "raise").
        return TransactionStatus.ROLLBACK if msg.body == b"raise" else TransactionStatus.COMMIT

    def local_execute(msg, user_args):
        executed[msg.body] = (user_args, msg.topic, msg.keys, msg.transaction_id)
        if msg.body == b"raise":
            raise RuntimeError("local transaction failed")
        return {b"commit": TransactionStatus.COMMIT, b"rollback": TransactionStatus.ROLLBACK,
                b"unknown": TransactionStatus.UNKNOWN}[msg.body]

    p = TransactionMQProducer(unique("transactionTestGroup"), checker)
    p.set_name_server_address(NAMESRV)
    p.start()
    try:
        results = {}
        for name in ("commit", "rollback", "unknown", "raise"):
            results[name] = p.send_message_in_transaction(_tx_msg(topic, name), local_execute, {"arg": name})
            assert results[name].status == SendStatus.OK
        assert results["commit"].transaction_status == TransactionStatus.COMMIT
        assert results["rollback"].transaction_status == TransactionStatus.ROLLBACK
        assert results["unknown"].transaction_status == TransactionStatus.UNKNOWN
        assert results["raise"].transaction_status == TransactionStatus.UNKNOWN
        assert executed[b"commit"][0] == {"arg": "commit"} and executed[b"commit"][1] == topic
        assert executed[b"commit"][2] == b"commit" and executed[b"commit"][3]
        # The broker asks the checker about the two UNKNOWN ones (after ~3 s on the test broker).
        assert wait_until(lambda: {b for b, _ in checked} >= {b"unknown", b"raise"}, 90, 0.5), checked
        # Plain sends from a transaction producer work too.
        assert p.send_sync(_tx_msg(topic, "plain")).status == SendStatus.OK
    finally:
        p.shutdown()
    items = consume_all(topic, 3, settle=3)
    # A message committed by a check-back can come twice: when an answer takes longer than the
    # broker's check interval, the broker asks again and commits each answer (broker behaviour).
    _assert_exactly(items, ["commit", "plain"], at_least_once=["unknown"])


def test_transaction_checker_that_raises_is_asked_again(topic):
    calls = []

    def checker(msg):
        calls.append(msg.body)
        if len(calls) == 1:
            raise ValueError("not yet")
        return TransactionStatus.COMMIT

    with TransactionMQProducer(unique("py_tx_raise"), checker, name_server_address=NAMESRV) as p:
        r = p.send_message_in_transaction(_tx_msg(topic, "later"), lambda m, a: TransactionStatus.UNKNOWN)
        assert r.status == SendStatus.OK
        assert wait_until(lambda: len(calls) >= 2, 90, 0.5), calls
    _assert_exactly(consume_all(topic, 1), [], at_least_once=["later"])


class _NsAddrHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        body = NAMESRV.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_name_server_domain(topic):
    server = http.server.HTTPServer(("127.0.0.1", 0), _NsAddrHandler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        p = Producer(unique("py_domain"))
        p.set_name_server_domain("http://127.0.0.1:%d/rocketmq/nsaddr" % server.server_port)
        with p:
            assert p.send_sync(_msg(topic, 0)).status == SendStatus.OK
    finally:
        server.shutdown()
    _assert_exactly(consume_all(topic, 1), ["body-0"])


def test_shutdown_waits_for_concurrent_sends(topic):
    p = Producer(unique("py_concurrent_shutdown"), name_server_address=NAMESRV)
    p.start()
    p.send_sync(_msg(topic, 0))
    stop = threading.Event()
    outcomes = Counter()

    def sender():
        while not stop.is_set():
            try:
                p.send_sync(_msg(topic, 1))
                outcomes["ok"] += 1
            except exceptions.ProducerSendSyncFailed as e:
                outcomes[e.code] += 1
                return

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    p.shutdown()
    stop.set()
    for t in threads:
        t.join(10)
    assert outcomes["ok"] > 0
    assert set(outcomes) <= {"ok", exceptions.ErrorCode.SHUT_DOWN, exceptions.ErrorCode.NOT_STARTED}
