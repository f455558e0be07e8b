"""Allocation strategies written in Python: the helpers (no broker), the callback's plumbing,
and push and lite pull consumers sharing a topic's queues with functions of their own."""

from __future__ import annotations

import ctypes
import logging
import threading
import time
from collections import Counter

import pytest

import rocketmq
from rocketmq import _native, _runtime
from rocketmq import client as rc
from rocketmq import exceptions
from rocketmq.client import (
    AllocateStrategy,
    ConsumeFromWhere,
    LitePullConsumer,
    Message,
    MessageQueue,
    PushConsumer,
    SendStatus,
    allocate_by_config,
    allocate_by_machine_room,
)

from conftest import NAMESRV, Collector, consume_all, unique, wait_until


def _q(broker, qid, topic="T"):
    return MessageQueue(topic, broker, qid)


def _java_averagely(index, n, c):
    """The queue indexes Java's AllocateMessageQueueAveragely gives consumer ``index`` of ``c``
    out of ``n`` queues, by its formula (average size, then start index)."""
    mod = n % c
    if n <= c:
        average = 1
    elif mod > 0 and index < mod:
        average = n // c + 1
    else:
        average = n // c
    start = index * average if (mod > 0 and index < mod) else index * average + mod
    return list(range(start, start + max(0, min(average, n - start))))


# --- helpers, no broker -----------------------------------------------------------------------


def test_allocate_by_machine_room_shares_the_rooms_queues_averagely():
    queues = ([_q("roomA@b1", i) for i in range(3)] + [_q("roomB@b2", i) for i in range(4)]
              + [_q("roomC@b3", i) for i in range(2)] + [_q("roomAx@b4", 0), _q("roomA", 0), _q("b5", 0)])
    in_rooms = queues[:7]
    strategy = allocate_by_machine_room(["roomA", "roomB"])
    cids = ["c1", "c2", "c3"]
    got = [strategy("G", cid, list(queues), cids) for cid in cids]
    # 7 queues, 3 consumers: consecutive blocks of 3, 2, 2.
    assert got == [in_rooms[0:3], in_rooms[3:5], in_rooms[5:7]]
    assert strategy("G", "not-a-member", list(queues), cids) == []
    assert strategy("G", "c1", [], cids) == []
    # Fewer queues than consumers: one each for the first ones, none for the rest.
    two = [_q("roomB@b2", 0), _q("roomB@b2", 1)]
    assert [strategy("G", cid, two, cids) for cid in cids] == [[two[0]], [two[1]], []]
    # One room as a plain string; no room at all owns nothing.
    assert allocate_by_machine_room("roomC")("G", "c1", list(queues), ["c1"]) == queues[7:9]
    assert allocate_by_machine_room([])("G", "c1", list(queues), ["c1"]) == []


@pytest.mark.parametrize("consumers", [1, 2, 3, 4, 5])
def test_allocate_by_machine_room_matches_java_averagely(consumers):
    strategy = allocate_by_machine_room(["r"])
    cids = ["cid-%d" % i for i in range(consumers)]
    for n in range(0, 13):
        queues = [_q("r@b", i) for i in range(n)]
        parts = [strategy("G", cid, list(queues), cids) for cid in cids]
        assert parts == [[queues[i] for i in _java_averagely(k, n, consumers)] for k in range(consumers)], n
        assert [q for p in parts for q in p] == queues  # every queue exactly once, in order


def test_allocate_by_config_always_gives_its_queues():
    mine = [_q("b", 1), ("T", "b", 3)]
    strategy = allocate_by_config(mine)
    for cid, cids in (("c1", ["c1", "c2"]), ("other", []), ("c2", ["c2"])):
        got = strategy("G", cid, [_q("b", i) for i in range(4)], cids)
        assert got == [_q("b", 1), _q("b", 3)] and all(isinstance(q, MessageQueue) for q in got)
    got.clear()  # what a call returned is the caller's
    assert strategy("G", "c1", [], []) == [_q("b", 1), _q("b", 3)]
    mine.clear()  # and the strategy keeps its own copy
    assert strategy("G", "c1", [], []) == [_q("b", 1), _q("b", 3)]


def test_allocate_helpers_are_exported():
    for name in ("allocate_by_config", "allocate_by_machine_room", "AllocateFunction"):
        assert name in rocketmq.__all__ and name in rc.__all__
        assert getattr(rocketmq, name) is getattr(rc, name)


def _call_trampoline(strategy, queues, cids, current="c1", group=b"G"):
    """Calls the C-callable trampoline the way the library does; returns (rc, mine)."""
    key = _runtime.next_key()
    _runtime.callbacks[key] = strategy
    try:
        with rc._NativeQueues(queues) as nq:
            ids = (ctypes.c_char_p * max(1, len(cids)))(*[c.encode() for c in cids])
            mine = (ctypes.c_uint8 * max(1, len(queues)))()
            status = rc._ALLOCATE_TRAMPOLINE(key, group, current.encode(), nq.array, nq.count, ids, len(cids), mine)
            return status, list(mine)[: len(queues)]
    finally:
        _runtime.callbacks.pop(key, None)


def test_allocate_callback_marks_the_queues_returned(caplog):
    queues = [_q("broker-a", i) for i in range(4)] + [_q("broker-b", 0)]
    seen = []

    def strategy(group, current_id, mqs, consumer_ids):
        seen.append((group, current_id, mqs, consumer_ids))
        mqs.clear()  # its own copy: changes do not matter
        # A queue, a tuple, a duplicate, and queues the topic does not have.
        return iter([_q("broker-a", 2), ("T", "broker-b", 0), _q("broker-a", 2), _q("broker-a", 9),
                     _q("broker-a", 1, topic="other")])

    assert _call_trampoline(strategy, queues, ["c1", "c2"]) == (0, [0, 0, 1, 0, 1])
    assert seen == [("G", "c1", [], ["c1", "c2"])]
    # Nothing owned is a valid answer.
    assert _call_trampoline(lambda *a: [], queues, ["c1"]) == (0, [0] * 5)

    def boom(*a):
        raise RuntimeError("strategy failure 42")

    with caplog.at_level(logging.ERROR, logger="rocketmq"):
        assert _call_trampoline(boom, queues, ["c1"])[0] != 0
        assert _call_trampoline(lambda *a: None, queues, ["c1"])[0] != 0
        assert _call_trampoline(lambda *a: [object()], queues, ["c1"])[0] != 0
    assert "strategy failure 42" in caplog.text and "group G" in caplog.text
    assert "returned None" in caplog.text
    # A key the library no longer holds (freed) fails without calling anything.
    mine = (ctypes.c_uint8 * 1)()
    assert rc._ALLOCATE_TRAMPOLINE(_runtime.next_key(), b"G", b"c1", None, 0, None, 0, mine) != 0


def test_allocate_setter_accepts_functions_and_enums():
    def strategy(group, current_id, mqs, consumer_ids):
        return mqs

    c = PushConsumer(unique("py_alloc"), allocate_strategy=strategy)
    assert c._allocate is strategy and c.get_config("allocate.strategy") is None
    c.set_allocate_strategy(AllocateStrategy.AVG_BY_CIRCLE)
    assert c._allocate is None and c.get_config("allocate.strategy") == "AVG_BY_CIRCLE"
    c.set_allocate_strategy(allocate_by_machine_room(["r"]))
    assert callable(c._allocate) and c.get_config("allocate.strategy") is None
    c.set_config("allocate.strategy", "CONSISTENT_HASH")  # the setting replaces the function
    assert c._allocate is None
    with pytest.raises(exceptions.InvalidArgument):
        c.set_allocate_strategy("NO_SUCH_STRATEGY")
    assert c.get_config("allocate.strategy") == "CONSISTENT_HASH"
    p = LitePullConsumer(unique("py_alloc"), allocate_strategy=strategy)
    assert p._allocate is strategy
    p.set_allocate_strategy("AVG")
    assert p._allocate is None and p.get_config("allocate.strategy") == "AVG"


def test_allocate_function_released_when_the_library_lets_it_go():
    def strategy(group, current_id, mqs, consumer_ids):
        return mqs

    def held():
        return [k for k, v in list(_runtime.callbacks.items()) if v is strategy]

    c = PushConsumer(unique("py_alloc"), allocate_strategy=strategy)
    cfg = _runtime.build_config({"group": "g"}, exceptions.RocketMQException)
    c._configure(cfg)
    assert len(held()) == 1
    _native.api.rmq_config_free(cfg)  # the library's last user: free_user_data forgets it
    assert held() == []
    # A refused call keeps nothing (no config: an error, and free_user_data is not called).
    with pytest.raises(exceptions.RocketMQException):
        exceptions.ffi_check(_native.api.rmq_config_set_allocate(None, rc._ALLOCATE_TRAMPOLINE, None, _runtime.NO_FREE))


# --- against the broker -----------------------------------------------------------------------


def _fill(producer, topic, per_queue):
    """Sends ``per_queue`` messages to each queue of ``topic``: {body: queue id}, with the
    message that created the topic."""
    warm_up = producer.send_sync(Message(topic, "warm-up"))  # creates the topic (4 queues)
    queues = producer.queues(topic)
    assert len(queues) == 4
    sent = {b"warm-up": warm_up.queue_id}
    for q in queues:
        for i in range(per_queue):
            body = "q%d-%d" % (q.queue_id, i)
            r = producer.send_to_queue(Message(topic, body), q)
            assert r.status == SendStatus.OK and r.queue_id == q.queue_id
            sent[body.encode()] = q.queue_id
    return queues, sent


def _parity(want, calls):
    def strategy(group, current_id, mqs, consumer_ids):
        calls.append((group, current_id, [q.topic for q in mqs], list(consumer_ids)))
        return [q for q in mqs if q.queue_id % 2 == want]

    return strategy


def _push(group, strategy):
    c = PushConsumer(group, allocate_strategy=strategy)
    c.set_name_server_address(NAMESRV)
    c.set_instance_name(unique("inst"))
    c.set_consume_from_where(ConsumeFromWhere.FIRST_OFFSET)
    c.set_config("rebalance.interval.ms", 1000)
    return c


def _topic_queues(c, topic):
    return sorted(q.queue_id for q in c.assigned_queues() if q.topic == topic)


def test_alloc_push_consumers_split_queues_by_parity(producer, topic):
    _, sent = _fill(producer, topic, 5)
    group = unique("py_alloc_parity")
    calls = ([], [])
    strategies = [_parity(0, calls[0]), _parity(1, calls[1])]
    consumers, collectors = [], []
    for s in strategies:
        c = _push(group, s)
        got = Collector()
        c.subscribe(topic, got)
        consumers.append(c)
        collectors.append(got)
    for c in consumers:
        c.start()
    try:
        assert wait_until(lambda: [_topic_queues(c, topic) for c in consumers] == [[0, 2], [1, 3]], 60, 0.5)
        assert wait_until(lambda: sum(len(g) for g in collectors) >= len(sent), 60)
        time.sleep(1.5)
        assert [_topic_queues(c, topic) for c in consumers] == [[0, 2], [1, 3]]
    finally:
        for c in consumers:
            c.shutdown()
    total = Counter()
    for want, got in enumerate(collectors):
        assert got.items and all(i["queue_id"] % 2 == want for i in got.items)
        total.update(got.bodies())
    assert total == Counter(list(sent))
    # The library called each strategy with the group, its consumer id and the group's ids.
    for own in calls:
        assert own and all(g == group for g, _, _, _ in own)
        assert any(cid in cids and len(cids) == 2 for _, cid, _, cids in own)
        assert any(set(topics) == {topic} and len(topics) == 4 for _, _, topics, _ in own)
    # Shut down, the consumers let their strategies go (free_user_data).
    assert wait_until(lambda: not any(v in strategies for v in list(_runtime.callbacks.values())), 10)


def test_alloc_push_by_config_one_queue(producer, topic):
    queues, sent = _fill(producer, topic, 4)
    chosen = queues[1]
    c = _push(unique("py_alloc_config"), allocate_by_config([chosen]))
    got = Collector()
    c.subscribe(topic, got)
    c.start()
    try:
        assert wait_until(lambda: _topic_queues(c, topic) == [chosen.queue_id], 60, 0.5)
        want = sorted(b for b, qid in sent.items() if qid == chosen.queue_id)
        assert wait_until(lambda: len(got) >= len(want), 60)
        time.sleep(2)
        assert [q for q in c.assigned_queues() if q.topic == topic] == [chosen]
    finally:
        c.shutdown()
    assert sorted(got.bodies()) == want
    assert all(i["queue_id"] == chosen.queue_id for i in got.items)


def test_alloc_push_strategy_that_raises_consumes_nothing(producer, topic, caplog):
    _, sent = _fill(producer, topic, 2)
    calls = []
    lock = threading.Lock()

    def broken(group, current_id, mqs, consumer_ids):
        with lock:
            calls.append(current_id)
        raise RuntimeError("allocation blew up")

    c = _push(unique("py_alloc_raise"), broken)
    got = Collector()
    c.subscribe(topic, got)
    with caplog.at_level(logging.ERROR, logger="rocketmq"):
        c.start()
        try:
            # Rebalances keep failing (and are tried again); nothing is owned or consumed.
            assert wait_until(lambda: len(calls) >= 3, 30, 0.2)
            time.sleep(1.5)
            assert c.assigned_queues() == [] and len(got) == 0
        finally:
            c.shutdown()
    assert "allocation blew up" in caplog.text and "RuntimeError" in caplog.text
    # The process is fine: another group consumes every message.
    items = consume_all(topic, len(sent))
    assert Counter(i["body"] for i in items) == Counter(list(sent))


def test_alloc_lite_pull_consumers_split_queues_by_parity(producer, topic):
    _, sent = _fill(producer, topic, 5)
    group = unique("py_alloc_pull")
    consumers = []
    for want in (0, 1):
        p = LitePullConsumer(group, name_server_address=NAMESRV, consume_from_where=ConsumeFromWhere.FIRST_OFFSET,
                             allocate_strategy=_parity(want, []))
        p.set_instance_name(unique("inst"))
        p.set_config("rebalance.interval.ms", 1000)
        p.subscribe(topic)
        consumers.append(p)
    got = ([], [])
    for p in consumers:
        p.start()
    try:
        def owned():
            return [sorted(q.queue_id for q in p.assignment() if q.topic == topic) for p in consumers]

        assert wait_until(lambda: owned() == [[0, 2], [1, 3]], 60, 0.5)
        deadline = time.monotonic() + 60
        while sum(len(g) for g in got) < len(sent) and time.monotonic() < deadline:
            for p, g in zip(consumers, got):
                g.extend((m.body, m.queue_id) for m in p.poll(0.3))
        for p, g in zip(consumers, got):  # anything extra shows up here
            g.extend((m.body, m.queue_id) for m in p.poll(1.0))
        assert owned() == [[0, 2], [1, 3]]
    finally:
        for p in consumers:
            p.shutdown()
    for want, g in enumerate(got):
        assert g and all(qid % 2 == want for _, qid in g)
    assert Counter(b for g in got for b, _ in g) == Counter(list(sent))
