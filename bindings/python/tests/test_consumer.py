"""Push consumers against the local broker: the 2.x scenarios (consume, reconsume later,
orderly, broadcasting) and the additions (SQL92, batches, consume-from-where, allocation
strategies, listeners that raise or return garbage, messages kept past their callback)."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import Counter, defaultdict

import pytest

from rocketmq import exceptions
from rocketmq.client import (
    AllocateStrategy,
    ConsumeFromWhere,
    ConsumeStatus,
    ExpressionType,
    Message,
    MessageModel,
    MessageSelector,
    PushConsumer,
    SendStatus,
)

from conftest import NAMESRV, Collector, consume_all, snapshot, unique, wait_until


def _send(producer, topic, n, start=0, **props):
    for i in range(start, start + n):
        m = Message(topic)
        m.set_keys("k%d" % i)
        m.set_tags("XXX")
        m.set_body("body-%d" % i)
        m.set_property("property", "test")
        m.set_property("idx", i)
        for k, v in props.items():
            m.set_property(k, v)
        assert producer.send_sync(m).status == SendStatus.OK


def _consumer(group=None, **kw):
    c = PushConsumer(group or unique("push_consumer_group"), **kw)
    c.set_name_server_address(NAMESRV)
    c.set_consume_from_where(ConsumeFromWhere.FIRST_OFFSET)
    return c


def _run_until(c, cond, timeout, settle=1.5):
    """Starts ``c``, waits up to ``timeout`` seconds for ``cond`` and, when it came, ``settle``
    seconds more to catch extras; shuts ``c`` down and returns whether ``cond`` came."""
    c.start()
    try:
        if not wait_until(cond, timeout):
            return False
        time.sleep(settle)
        return True
    finally:
        c.shutdown()


def test_push_consumer(producer, topic):
    # The 2.x test: keys, body and property arrive as sent.
    m = Message(topic)
    m.set_keys("XXX")
    m.set_tags("XXX")
    m.set_body("XXXX")
    m.set_property("property", "test")
    assert producer.send_sync(m).status == SendStatus.OK
    seen = []

    def on_message(msg):
        seen.append((msg.body, msg.keys, msg.get_property("property"), msg["property"], str(msg), bytes(msg),
                     msg.topic, msg.tags, msg.id, msg.reconsume_times, msg.store_size, msg.born_timestamp,
                     msg.store_timestamp, msg.queue_offset, msg.commit_log_offset, msg.queue_id,
                     msg.prepared_transaction_offset, msg.delay_time_level, msg.get_property("missing"),
                     msg.offset_msg_id, msg.born_host, msg.store_host, msg.properties, repr(msg)))
        return ConsumeStatus.CONSUME_SUCCESS

    c = _consumer()
    c.subscribe(topic, on_message)
    with c as same:
        assert same is c
        assert wait_until(lambda: seen, 30)
    (body, keys, prop, prop2, text, raw, t, tags, mid, rt, size, born, stored, qoff, cloff, qid, ptoff, delay,
     missing, offid, bhost, shost, props, rep) = seen[0]
    assert (body, keys, prop, prop2, text, raw, t, tags) == (b"XXXX", b"XXX", b"test", b"test", "XXXX", b"XXXX",
                                                             topic, b"XXX")
    assert mid and isinstance(mid, str) and rt == 0 and size > 0 and born > 0 and stored >= born - 5000
    assert qoff == 0 and cloff >= 0 and qid >= 0 and ptoff >= 0 and delay == 0 and missing == b""
    broker_port = os.environ.get("ROCKETMQ_BROKER", "127.0.0.1:10911").rsplit(":", 1)[1]
    assert offid and bhost and shost.endswith(":" + broker_port)
    assert props["KEYS"] == "XXX" and props["TAGS"] == "XXX" and props["property"] == "test"
    assert "XXXX" in rep
    assert len(seen) == 1


def test_push_consumer_many_messages_concurrently(producer, topic):
    _send(producer, topic, 100)
    c = _consumer()
    c.set_thread_count(4)
    got = Collector()
    threads = set()

    def on_message(msg):
        threads.add(threading.get_ident())
        return got(msg)

    c.subscribe(topic, on_message)
    assert _run_until(c, lambda: len(got) >= 100, 60)
    assert Counter(got.bodies()) == Counter(b"body-%d" % i for i in range(100))
    assert threading.get_ident() not in threads


def test_push_consumer_reconsume_later(producer, topic):
    _send(producer, topic, 3)
    deliveries = defaultdict(list)
    lock = threading.Lock()

    def on_message(msg):
        with lock:
            deliveries[msg.body].append(snapshot(msg))
            first = len(deliveries[msg.body]) == 1
        return ConsumeStatus.RECONSUME_LATER if first else ConsumeStatus.CONSUME_SUCCESS

    c = _consumer()
    c.subscribe(topic, on_message)
    # The broker redelivers through the group's retry topic (delay level 3: about 10 s).
    assert _run_until(c, lambda: len(deliveries) == 3 and all(len(v) >= 2 for v in deliveries.values()), 90)
    assert set(deliveries) == {b"body-0", b"body-1", b"body-2"}
    for body, ds in deliveries.items():
        assert len(ds) == 2, (body, len(ds))
        first, again = ds
        assert first["reconsume_times"] == 0 and again["reconsume_times"] >= 1
        assert again["topic"] == topic and again["keys"] == first["keys"] and again["id"] == first["id"]


def test_listener_that_raises_is_logged_and_redelivered(producer, topic, caplog):
    _send(producer, topic, 2)
    calls = Counter()
    lock = threading.Lock()

    def on_message(msg):
        with lock:
            calls[msg.body] += 1
            n = calls[msg.body]
        if n == 1 and msg.body == b"body-0":
            raise RuntimeError("listener failure %s" % msg.body)
        if n == 1 and msg.body == b"body-1":
            return None  # not a status: counts as RECONSUME_LATER
        return ConsumeStatus.CONSUME_SUCCESS

    c = _consumer()
    c.subscribe(topic, on_message)
    with caplog.at_level(logging.ERROR, logger="rocketmq"):
        assert _run_until(c, lambda: calls[b"body-0"] >= 2 and calls[b"body-1"] >= 2, 90)
    assert calls == Counter({b"body-0": 2, b"body-1": 2})
    text = caplog.text
    assert "listener failure" in text and "RuntimeError" in text
    assert "returned None" in text


def test_push_consumer_orderly(producer, topic):
    # Three sharding keys, ten messages each; each queue's messages arrive in send order.
    sent = defaultdict(list)
    for i in range(30):
        key = "order%d" % (i % 3)
        m = Message(topic)
        m.set_body("%s-%d" % (key, i))
        r = producer.send_orderly_with_sharding_key(m, key)
        sent[r.queue_id].append(("%s-%d" % (key, i)).encode())
    got = defaultdict(list)
    active = Counter()
    overlap = []
    lock = threading.Lock()

    def on_message(msg):
        with lock:
            active[msg.queue_id] += 1
            if active[msg.queue_id] > 1:
                overlap.append(msg.queue_id)
        time.sleep(0.005)
        with lock:
            got[msg.queue_id].append(msg.body)
            active[msg.queue_id] -= 1
        return ConsumeStatus.CONSUME_SUCCESS

    c = _consumer(orderly=True)
    c.subscribe(topic, on_message)
    assert _run_until(c, lambda: sum(len(v) for v in got.values()) >= 30, 60)
    assert dict(got) == dict(sent)
    assert not overlap


def test_orderly_listener_failure_suspends_and_keeps_order(producer, topic):
    for i in range(5):
        m = Message(topic)
        m.set_body("m%d" % i)
        producer.send_orderly_with_sharding_key(m, "one-key")
    seen = []
    failed = []

    def on_message(msg):
        seen.append(msg.body)
        if msg.body == b"m2" and not failed:
            failed.append(1)
            raise RuntimeError("suspend me")
        if msg.body == b"m3" and len(failed) == 1:
            failed.append(2)
            return ConsumeStatus.RECONSUME_LATER
        return ConsumeStatus.CONSUME_SUCCESS

    c = _consumer(orderly=True)
    c.set_suspend_time(200)
    c.subscribe(topic, on_message)
    assert _run_until(c, lambda: b"m4" in seen, 60, settle=1)
    assert seen == [b"m0", b"m1", b"m2", b"m2", b"m3", b"m3", b"m4"]


def test_broadcasting(producer, topic):
    group = unique("py_broadcast")
    collectors = []
    consumers = []
    for _ in range(2):
        c = PushConsumer(group, False, MessageModel.BROADCASTING)
        c.set_name_server_address(NAMESRV)
        c.set_instance_name(unique("inst"))
        c.set_consume_from_where(ConsumeFromWhere.FIRST_OFFSET)
        got = Collector()
        c.subscribe(topic, got)
        collectors.append(got)
        consumers.append(c)
    producer.send_sync(Message(topic, "warm-up"))
    for c in consumers:
        c.start()
    try:
        time.sleep(2)
        _send(producer, topic, 20)
        assert wait_until(lambda: all(len(g) >= 20 for g in collectors), 60)
        time.sleep(1.5)
    finally:
        for c in consumers:
            c.shutdown()
    want = Counter(b"body-%d" % i for i in range(20))
    for g in collectors:
        got = Counter(b for b in g.bodies() if b != b"warm-up")
        assert got == want


def test_sql92_selector(producer, topic):
    _send(producer, topic, 10)
    items = consume_all(topic, 5, expression=MessageSelector.by_sql("idx >= 5 AND property = 'test'"))
    assert Counter(i["body"] for i in items) == Counter(b"body-%d" % i for i in range(5, 10))
    c = _consumer()
    got = Collector()
    c.subscribe(topic, got, "idx < 3", expression_type=ExpressionType.SQL92)
    assert _run_until(c, lambda: len(got) >= 3, 60)
    assert Counter(got.bodies()) == Counter(b"body-%d" % i for i in range(3))


def test_tag_expression_and_several_topics(producer, topic):
    other = topic + "_b"
    for tag in ("A", "B", "C"):
        producer.send_sync(Message(topic, "t1-" + tag, tags=tag))
        producer.send_sync(Message(other, "t2-" + tag, tags=tag))
    got1, got2 = Collector(), Collector()
    c = _consumer()
    c.subscribe(topic, got1, "A || C")
    c.subscribe(other, got2, "B")
    assert _run_until(c, lambda: len(got1) >= 2 and len(got2) >= 1, 60)
    # Each topic has its own listener (2.x had one for all: the last registered).
    assert sorted(got1.bodies()) == [b"t1-A", b"t1-C"]
    assert got2.bodies() == [b"t2-B"]


def test_batches(producer, topic):
    _send(producer, topic, 40)
    sizes = []
    got = Collector()
    lock = threading.Lock()

    def on_batch(msgs):
        with lock:
            sizes.append(len(msgs))
        for m in msgs:
            got(m)
        return ConsumeStatus.CONSUME_SUCCESS

    c = _consumer()
    c.set_message_batch_max_size(8)
    c.subscribe(topic, on_batch, batch=True)
    assert _run_until(c, lambda: len(got) >= 40, 60)
    assert Counter(got.bodies()) == Counter(b"body-%d" % i for i in range(40))
    assert max(sizes) > 1 and max(sizes) <= 8


def test_batch_size_with_one_message_listener_acks_the_prefix(producer, topic):
    # With batches, a failed message makes only itself and those after it come again.
    _send(producer, topic, 20)
    calls = Counter()
    lock = threading.Lock()

    def on_message(msg):
        with lock:
            calls[msg.body] += 1
            first = calls[msg.body] == 1
        if msg.body == b"body-7" and first:
            return ConsumeStatus.RECONSUME_LATER
        return ConsumeStatus.CONSUME_SUCCESS

    c = _consumer()
    c.set_message_batch_max_size(32)
    c.subscribe(topic, on_message)
    assert _run_until(c, lambda: len(calls) == 20 and calls[b"body-7"] >= 2, 90)
    assert calls[b"body-7"] == 2
    assert sum(calls.values()) <= 20 + 20  # at most the failed message and those after it come twice
    assert all(calls[b"body-%d" % i] == 1 for i in range(7))


def test_message_kept_past_its_callback(producer, topic, monkeypatch):
    import rocketmq.client as rc

    copies = []
    real_detach = rc.ReceivedMessage._detach

    def counting_detach(self):
        copies.append(1)
        real_detach(self)

    monkeypatch.setattr(rc.ReceivedMessage, "_detach", counting_detach)
    producer.send_sync(Message(topic, "keep me", keys="k"))
    producer.send_sync(Message(topic, "drop me", keys="k"))
    kept = []
    dropped = []

    def on_message(msg):
        if msg.body == b"keep me":
            kept.append(msg)
        else:
            dropped.append(id(msg))
        return ConsumeStatus.CONSUME_SUCCESS

    c = _consumer()
    c.subscribe(topic, on_message)
    assert _run_until(c, lambda: kept and dropped, 30, settle=0)
    assert len(copies) == 1  # only the kept message was copied
    # Still readable after the callback returned and the consumer was freed.
    assert kept[0].body == b"keep me" and kept[0].keys == b"k" and kept[0].topic == topic
    clone = kept[0].clone()
    del kept[:]
    assert clone.body == b"keep me"


def test_message_kept_through_a_bound_method(producer, topic):
    producer.send_sync(Message(topic, "x"))
    holder = {}

    class Listener:
        def __call__(self, msg):
            holder["id"] = id(msg)
            holder["repr_fn"] = msg.__repr__  # a bound method keeps the message referenced
            return ConsumeStatus.CONSUME_SUCCESS

    c = _consumer()
    c.subscribe(topic, Listener())
    assert _run_until(c, lambda: "repr_fn" in holder, 30, settle=0)
    assert "x" in holder["repr_fn"]()


def test_consume_from_timestamp(producer, topic):
    _send(producer, topic, 5)
    time.sleep(1.5)
    since = int(time.time() * 1000)
    time.sleep(0.5)
    _send(producer, topic, 5, start=5)
    c = PushConsumer(unique("py_from_ts"))
    c.set_name_server_address(NAMESRV)
    c.set_consume_from_where(ConsumeFromWhere.TIMESTAMP, since)
    got = Collector()
    c.subscribe(topic, got)
    assert _run_until(c, lambda: len(got) >= 5, 60)
    assert Counter(got.bodies()) == Counter(b"body-%d" % i for i in range(5, 10))


def test_consume_from_first_offset(producer, topic):
    _send(producer, topic, 5)
    items = consume_all(topic, 5)  # consume_all starts at FIRST_OFFSET
    assert Counter(i["body"] for i in items) == Counter(b"body-%d" % i for i in range(5))


@pytest.mark.parametrize("strategy", list(AllocateStrategy))
def test_allocate_strategies_share_queues_exactly_once(producer, topic, strategy):
    producer.send_sync(Message(topic, "warm-up"))  # creates the topic (4 queues)
    group = unique("py_alloc")
    consumers, collectors = [], []
    for _ in range(2):
        c = PushConsumer(group, allocate_strategy=strategy)
        c.set_name_server_address(NAMESRV)
        c.set_instance_name(unique("inst"))
        c.set_consume_from_where(ConsumeFromWhere.FIRST_OFFSET)
        c.set_config("rebalance.interval.ms", 1000)
        got = Collector()
        c.subscribe(topic, got)
        consumers.append(c)
        collectors.append(got)
    for c in consumers:
        c.start()
    try:
        def split():
            # Only the topic's queues: each consumer also owns queues of the group's retry topic.
            a, b = ({q for q in c.assigned_queues() if q.topic == topic} for c in consumers)
            return a, b

        def shared():
            a, b = split()
            if a & b or len(a | b) != 4:
                return False
            # The averaging strategies give each of the two consumers two queues. A consistent-hash
            # ring may give one consumer every queue (the ring points come from random client ids),
            # so for it only the exact, disjoint cover is required.
            return strategy == AllocateStrategy.CONSISTENT_HASH or (len(a), len(b)) == (2, 2)

        assert wait_until(shared, 60, 0.5), split()
        _send(producer, topic, 40)
        assert wait_until(lambda: sum(len(g) for g in collectors) >= 41, 60)
        time.sleep(1.5)
    finally:
        for c in consumers:
            c.shutdown()
    total = Counter()
    for g in collectors:
        total.update(g.bodies())
    # The warm-up message may come twice: it can be consumed before the second
    # consumer joins and again by the consumer its queue moves to, before the
    # first one's offset reaches the broker (at-least-once, as in every client).
    assert total.pop(b"warm-up") >= 1
    assert total == Counter([b"body-%d" % i for i in range(40)])


def test_subscribe_after_start_and_unsubscribe(producer, topic):
    other = topic + "_late"
    c = _consumer()
    got1, got2 = Collector(), Collector()
    c.subscribe(topic, got1)
    c.start()
    try:
        c.subscribe(other, got2)
        producer.send_sync(Message(topic, "one"))
        producer.send_sync(Message(other, "two"))
        assert wait_until(lambda: len(got1) >= 1 and len(got2) >= 1, 60)
        c.unsubscribe(other)
        c.pause()
        c.resume()
    finally:
        c.shutdown()
    assert got1.bodies() == [b"one"] and got2.bodies() == [b"two"]


def test_shutdown_from_own_listener_is_refused(producer, topic):
    producer.send_sync(Message(topic, "x"))
    errors = []
    c = _consumer()

    def on_message(msg):
        try:
            c.shutdown()
        except exceptions.RocketMQException as e:
            errors.append(e)
        return ConsumeStatus.CONSUME_SUCCESS

    c.subscribe(topic, on_message)
    c.start()
    try:
        assert wait_until(lambda: errors, 30)
        assert c.started
    finally:
        c.shutdown()
    assert isinstance(errors[0], exceptions.IllegalState)
    assert errors[0].code == exceptions.ErrorCode.INVALID_STATE
