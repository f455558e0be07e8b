"""The lite pull consumer against the local broker: subscribe and poll, commit, assign and
seek, SQL92, pause and resume; every message accounted for."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from rocketmq import exceptions
from rocketmq.client import (
    ConsumeFromWhere,
    LitePullConsumer,
    Message,
    MessageQueue,
    MessageSelector,
    PullConsumer,
    PullStatus,
    ReceivedMessage,
)

from conftest import NAMESRV, unique


def _send(producer, topic, n, start=0):
    for i in range(start, start + n):
        m = Message(topic, "body-%d" % i, keys="k%d" % i)
        m.set_property("idx", i)
        producer.send_sync(m)


def _consumer(**kw):
    c = LitePullConsumer(unique("py_pull"), name_server_address=NAMESRV,
                         consume_from_where=ConsumeFromWhere.FIRST_OFFSET, **kw)
    return c


def _drain(c, expected, timeout=60.0):
    got = []
    deadline = time.monotonic() + timeout
    while len(got) < expected and time.monotonic() < deadline:
        got.extend(c.poll(1.0))
    got.extend(c.poll(1.0))  # anything extra shows up here
    return got


def test_subscribe_poll_commit(producer, topic):
    _send(producer, topic, 30)
    c = _consumer(auto_commit=False)
    c.subscribe(topic)
    with c as same:
        assert same is c
        msgs = _drain(c, 30)
        assert all(isinstance(m, ReceivedMessage) for m in msgs)
        assert Counter(m.body for m in msgs) == Counter(b"body-%d" % i for i in range(30))
        assert all(m.topic == topic and m.keys.startswith(b"k") for m in msgs)
        c.commit()
        queues = [q for q in c.assignment() if q.topic == topic]
        assert len(queues) == 4
        committed = {q: c.committed(q) for q in queues}
        per_queue = Counter(m.queue_id for m in msgs)
        assert {q.queue_id: off for q, off in committed.items() if off} == dict(per_queue)
    # The messages stay readable after the consumer is gone (each batch keeps its memory).
    assert msgs[0].body.startswith(b"body-")


def test_committed_offsets_resume_the_group(producer, topic):
    _send(producer, topic, 10)
    group = unique("py_pull_resume")
    c1 = LitePullConsumer(group, name_server_address=NAMESRV, consume_from_where=ConsumeFromWhere.FIRST_OFFSET)
    c1.subscribe(topic)
    c1.start()
    first = _drain(c1, 10)
    c1.commit()
    c1.shutdown()
    _send(producer, topic, 5, start=10)
    c2 = LitePullConsumer(group, name_server_address=NAMESRV)
    c2.subscribe(topic)
    c2.start()
    try:
        second = _drain(c2, 5)
    finally:
        c2.shutdown()
    assert Counter(m.body for m in first) == Counter(b"body-%d" % i for i in range(10))
    assert Counter(m.body for m in second) == Counter(b"body-%d" % i for i in range(10, 15))


def test_assign_seek_and_commit_offset(producer, topic):
    _send(producer, topic, 20)
    queues = producer.queues(topic)
    c = PullConsumer(unique("py_pull_assign"), name_server_address=NAMESRV, auto_commit=False)
    assert PullConsumer is LitePullConsumer
    c.assign(queues)
    with pytest.raises(exceptions.IllegalState):
        c.subscribe(topic)
    c.start()
    try:
        for q in queues:
            c.seek_to_beginning(q)
        msgs = _drain(c, 20)
        assert Counter(m.body for m in msgs) == Counter(b"body-%d" % i for i in range(20))
        q0 = queues[0]
        in_q0 = sorted((m.queue_offset, m.body) for m in msgs if m.queue_id == q0.queue_id)
        assert in_q0
        c.seek(q0, in_q0[0][0])
        again = _drain(c, len(in_q0))
        assert sorted((m.queue_offset, m.body) for m in again) == in_q0
        c.commit({q0: 1})
        assert c.committed(q0) == 1
        for q in queues:
            c.seek_to_end(q)
        assert c.poll(0.5) == []
        c.seek_to_timestamp(q0, 0)
        assert sorted((m.queue_offset, m.body) for m in _drain(c, len(in_q0))) == in_q0
        assert set(c.assignment()) == set(queues)
        fetched = c.fetch_message_queues(topic)
        assert set(fetched) == set(queues)
    finally:
        c.shutdown()


def test_pull_from_any_offset(producer, topic):
    _send(producer, topic, 20)
    queues = producer.queues(topic)
    c = _consumer()
    with c:
        total = 0
        for q in queues:
            r = c.pull_from(q, 0)
            assert r.status in (PullStatus.FOUND, PullStatus.NO_NEW_MSG)
            assert [m.queue_offset for m in r.messages] == list(range(len(r.messages)))
            assert r.next_begin_offset == r.max_offset == len(r.messages)
            assert all(m.topic == topic and m.queue_id == q.queue_id for m in r.messages)
            total += len(r.messages)
            end = c.pull_from(q, r.next_begin_offset)
            assert end.status == PullStatus.NO_NEW_MSG and end.messages == []
        assert total == 20
        q = next(q for q in queues if c.pull_from(q, 0).max_offset >= 2)
        two = c.pull_from(q, 1, max_num=1)
        assert [m.queue_offset for m in two.messages] == [1] and two.next_begin_offset == 2
        assert c.pull_from(q, 0, expression="no-such-tag").messages == []
        assert c.pull_from(q, 1000).status == PullStatus.OFFSET_ILLEGAL
        with pytest.raises(exceptions.RocketMQException):
            c.pull_from(q, -1)
        assert c.assignment() == []


def test_pull_sql92(producer, topic):
    _send(producer, topic, 10)
    c = _consumer()
    c.subscribe(topic, MessageSelector.by_sql("idx BETWEEN 2 AND 4"))
    with c:
        msgs = _drain(c, 3)
    assert Counter(m.body for m in msgs) == Counter(b"body-%d" % i for i in (2, 3, 4))


def test_pull_from_uses_the_subscription(producer, topic):
    _send(producer, topic, 10)
    queues = producer.queues(topic)
    for selector, wanted in ((MessageSelector.by_sql("idx >= 7"), range(7, 10)), ("*", range(10))):
        c = _consumer()
        c.subscribe(topic, selector)
        with c:
            got = [m.body for q in queues for m in c.pull_from(q, 0).messages]
            # An explicit tag expression replaces the subscription.
            assert [m for q in queues for m in c.pull_from(q, 0, expression="no-such-tag").messages] == []
        assert Counter(got) == Counter(b"body-%d" % i for i in wanted)


def test_pause_and_resume(producer, topic):
    _send(producer, topic, 8)
    queues = producer.queues(topic)
    c = _consumer(auto_commit=False)
    c.assign(queues)
    with c:
        for q in queues:
            c.seek_to_beginning(q)
        c.pause(queues)
        time.sleep(1.0)
        assert c.poll(1.0) == []
        c.resume(queues)
        msgs = _drain(c, 8)
    assert Counter(m.body for m in msgs) == Counter(b"body-%d" % i for i in range(8))


def test_poll_before_start_and_after_shutdown():
    c = _consumer()
    with pytest.raises(exceptions.PullConsumerException) as e:
        c.poll(0.1)
    assert e.value.code == exceptions.ErrorCode.NOT_STARTED
    c.subscribe("T_" + unique("x"))
    c.start()
    assert c.poll(0.2) == []
    c.shutdown()
    with pytest.raises(exceptions.PullConsumerException):
        c.poll(0.1)


def test_poll_timeout_is_honoured():
    c = _consumer()
    c.subscribe("T_" + unique("empty"))
    with c:
        t0 = time.monotonic()
        assert c.poll(1.0) == []
        took = time.monotonic() - t0
    assert 0.9 <= took < 5.0, took


def test_bad_queue_arguments():
    c = _consumer()
    with pytest.raises(exceptions.InvalidArgument):
        c.assign([MessageQueue("T", "b", -1)])
