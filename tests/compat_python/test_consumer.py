"""Push consumers of the official rocketmq-client-python 2.0.0 package on
librocketmq: concurrently and orderly, clustering and broadcasting,
RECONSUME_LATER redelivery. Every message sent is accounted for."""
import threading
import time

import pytest

from rocketmq.client import ConsumeStatus, Message, MessageModel, PushConsumer
from rocketmq.exceptions import PushConsumerStartFailed

from conftest import NAMESRV, name


def send(producer, topic, count, tag='XXX'):
    """Sends `count` messages; returns {msg_id: index}."""
    ids = {}
    for i in range(count):
        msg = Message(topic)
        msg.set_keys('key-%d' % i)
        msg.set_tags(tag)
        msg.set_property('property', 'test')
        msg.set_body('XXXX %d' % i)
        ret = producer.send_sync(msg)
        ids[ret.msg_id] = i
    return ids


class Collector(object):
    """Records what a consumer callback sees (thread-safe)."""

    def __init__(self, topic, reject=None):
        self.topic = topic
        self.lock = threading.Lock()
        self.received = []   # (msg_id, key, body, property, queue_id, queue_offset, reconsume_times)
        self.reject = set(reject or ())
        self.rejected = []

    def __call__(self, msg):
        record = (msg.id, msg.keys, msg.body, msg.get_property('property'), msg.queue_id,
                  msg.queue_offset, msg.reconsume_times)
        assert msg.topic == self.topic
        with self.lock:
            if msg.keys in self.reject:
                self.reject.discard(msg.keys)
                self.rejected.append(record)
                return ConsumeStatus.RECONSUME_LATER
            self.received.append(record)
        return ConsumeStatus.CONSUME_SUCCESS

    def ids(self):
        with self.lock:
            return [r[0] for r in self.received]

    def wait_for(self, wanted, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if set(wanted) <= set(self.ids()):
                return True
            time.sleep(0.5)
        return False


def consumer(group, topic, callback, orderly=False, model=MessageModel.CLUSTERING):
    c = PushConsumer(group, orderly, model)
    c.set_name_server_address(NAMESRV)
    c.subscribe(topic, callback)
    return c


def settle(producer, topic, collectors, every, timeout=90):
    """Sends markers one at a time until 8 in a row (two rounds of a topic's 4 queues) were each
    consumed by exactly one of `collectors` (`every` False: each queue has one owner in the
    group) or by all of them (`every` True: broadcasting consumers all have their queues and
    start offsets). Markers are told apart from the test's messages by their ids."""
    deadline = time.time() + timeout
    streak, owners = 0, set()
    while streak < 8 or len(owners) < len(collectors):
        assert time.time() < deadline, 'the consumers never settled'
        msg = Message(topic)
        msg.set_keys('marker')
        msg.set_body('marker')
        marker = producer.send_sync(msg).msg_id
        seen_by = lambda: [i for i, c in enumerate(collectors) if marker in c.ids()]
        until = time.time() + 5
        while time.time() < until and not seen_by():
            time.sleep(0.05)
        time.sleep(0.3)  # a second owner of the queue would get it too by now
        seen = seen_by()
        if len(seen) == (len(collectors) if every else 1):
            streak += 1
            owners.update(seen)
        else:
            streak, owners = 0, set()


def check_records(records, ids):
    for msg_id, key, body, prop, queue_id, offset, _ in records:
        if msg_id not in ids:
            continue  # a marker of settle()
        i = ids[msg_id]
        assert key == b'key-%d' % i
        assert body == b'XXXX %d' % i
        assert prop == b'test'
        assert queue_id >= 0 and offset >= 0


def test_push_consumer_no_subscription_start_fail():
    c = PushConsumer(name('no_callback_group'))
    c.set_name_server_address(NAMESRV)
    with pytest.raises(PushConsumerStartFailed) as err:
        c.start()
    assert 'messageListener is null' in str(err.value)
    c.shutdown()


def test_push_consumer(producer):
    topic = name('push')
    ids = send(producer, topic, 20)
    got = Collector(topic)
    c = consumer(name('push_group'), topic, got)
    c.start()
    try:
        assert got.wait_for(ids), 'missing: %s' % (set(ids) - set(got.ids()))
    finally:
        c.shutdown()
    check_records(got.received, ids)
    assert sorted(got.ids()) == sorted(ids), 'every message exactly once'


def test_push_consumer_reconsume_later(producer):
    topic = name('reconsume')
    ids = send(producer, topic, 5)
    got = Collector(topic, reject={b'key-2'})
    group = name('reconsume_group')
    c = consumer(group, topic, got)
    c.start()
    try:
        # The refused message comes back from the retry topic after about 10 s.
        assert got.wait_for(ids, timeout=90), 'missing: %s' % (set(ids) - set(got.ids()))
    finally:
        c.shutdown()
    check_records(got.received, ids)
    assert [r[1] for r in got.rejected] == [b'key-2']
    again = [r for r in got.received if r[1] == b'key-2']
    assert len(again) == 1 and again[0][6] >= 1, again
    assert again[0][0] == got.rejected[0][0], 'the same message id comes back'
    assert sorted(got.ids()) == sorted(ids)


def test_push_consumer_same_group_again_resumes_after_committed_offsets(producer):
    topic = name('resume')
    group = name('resume_group')
    first_ids = send(producer, topic, 5)
    got = Collector(topic)
    c = consumer(group, topic, got)
    c.start()
    try:
        assert got.wait_for(first_ids)
    finally:
        c.shutdown()
    # A second consumer of the same group in the same process only sees what is new.
    second_ids = send(producer, topic, 5)
    got2 = Collector(topic)
    c2 = consumer(group, topic, got2)
    c2.start()
    try:
        assert got2.wait_for(second_ids)
        time.sleep(2)
    finally:
        c2.shutdown()
    assert sorted(got2.ids()) == sorted(second_ids)


def test_push_consumer_orderly(orderly_producer):
    topic = name('push_orderly')
    ids = {}
    for i in range(30):
        msg = Message(topic)
        msg.set_keys('key-%d' % i)
        msg.set_tags('XXX')
        msg.set_property('property', 'test')
        msg.set_body('XXXX %d' % i)
        ret = orderly_producer.send_orderly_with_sharding_key(msg, 'order-%d' % (i % 3))
        ids[ret.msg_id] = i
    got = Collector(topic)
    c = consumer(name('orderly_group'), topic, got, orderly=True)
    c.start()
    try:
        assert got.wait_for(ids)
    finally:
        c.shutdown()
    check_records(got.received, ids)
    assert sorted(got.ids()) == sorted(ids)
    # Per queue, in queue order; per sharding key, in send order.
    by_queue = {}
    for r in got.received:
        by_queue.setdefault(r[4], []).append(r[5])
    for offsets in by_queue.values():
        assert offsets == sorted(offsets)
    for k in range(3):
        seq = [ids[r[0]] for r in got.received if ids[r[0]] % 3 == k]
        assert seq == sorted(seq)


def test_push_consumer_clustering_shares_queues(producer):
    topic = name('clustering')
    group = name('clustering_group')
    producer.send_sync(_first(topic))
    a, b = Collector(topic), Collector(topic)
    ca, cb = consumer(group, topic, a), consumer(group, topic, b)
    ca.start()
    cb.start()
    try:
        settle(producer, topic, [a, b], every=False)  # both consumers have rebalanced
        ids = send(producer, topic, 40)
        deadline = time.time() + 60
        while time.time() < deadline and not set(ids) <= set(a.ids()) | set(b.ids()):
            time.sleep(0.5)
        time.sleep(1)
    finally:
        ca.shutdown()
        cb.shutdown()
    seen_a = set(a.ids()) & set(ids)
    seen_b = set(b.ids()) & set(ids)
    assert seen_a | seen_b == set(ids), 'every message consumed'
    assert not seen_a & seen_b, 'no message consumed twice in one group'
    assert seen_a and seen_b, 'both consumers got queues'


def test_push_consumer_broadcasting(producer):
    topic = name('broadcasting')
    group = name('broadcasting_group')
    producer.send_sync(_first(topic))
    a, b = Collector(topic), Collector(topic)
    ca = consumer(group, topic, a, model=MessageModel.BROADCASTING)
    cb = consumer(group, topic, b, model=MessageModel.BROADCASTING)
    ca.start()
    cb.start()
    try:
        settle(producer, topic, [a, b], every=True)  # both have their queues and start offsets
        ids = send(producer, topic, 20)
        assert a.wait_for(ids) and b.wait_for(ids)
    finally:
        ca.shutdown()
        cb.shutdown()
    check_records(a.received, ids)
    assert set(ids) <= set(a.ids()) and set(ids) <= set(b.ids()), 'every consumer gets every message'


def _first(topic):
    """A message that creates `topic` before consumers subscribe to it."""
    msg = Message(topic)
    msg.set_keys('first')
    msg.set_body('first')
    return msg


def test_push_consumer_settings():
    c = PushConsumer(name('settings_group'))
    c.set_name_server_address(NAMESRV)
    c.set_group(name('settings_group2'))
    c.set_thread_count(2)
    c.set_message_batch_max_size(1)
    c.set_instance_name('compat')
    c.set_session_credentials('AK', 'SK', 'channel')
    c.subscribe(name('topic'), lambda msg: ConsumeStatus.CONSUME_SUCCESS)
    c.shutdown()
