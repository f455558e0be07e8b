"""Producers of the official rocketmq-client-python 2.0.0 package on librocketmq."""
import ctypes
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from rocketmq import ffi
from rocketmq.client import Message, Producer, SendStatus, TransactionMQProducer, TransactionStatus
from rocketmq.exceptions import ProducerSendSyncFailed, ProducerStartFailed

from conftest import NAMESRV, name

TOPIC = name('topic')


def new_message(topic=TOPIC, body='XXXX', keys='XXX', tags='XXX'):
    msg = Message(topic)
    msg.set_keys(keys)
    msg.set_tags(tags)
    msg.set_property('property', 'test')
    msg.set_body(body)
    return msg


def check_result(ret):
    assert ret.status == SendStatus.OK
    assert len(ret.msg_id) == 32
    int(ret.msg_id, 16)
    assert ret.offset >= 0


def test_producer_send_sync(producer):
    ids = set()
    for i in range(10):
        ret = producer.send_sync(new_message(body='sync %d' % i, keys='send_sync'))
        check_result(ret)
        ids.add(ret.msg_id)
    assert len(ids) == 10


def test_producer_send_sync_multi_thread(producer):
    with ThreadPoolExecutor(max_workers=5) as pool:
        results = list(pool.map(lambda i: producer.send_sync(new_message(body='thread %d' % i)), range(20)))
    for ret in results:
        check_result(ret)
    assert len(set(r.msg_id for r in results)) == 20


def test_producer_send_sync_failure_raises_with_reason(producer):
    with pytest.raises(ProducerSendSyncFailed) as err:
        producer.send_sync(new_message(topic='not a valid topic!'))
    assert 'topic' in str(err.value)


def test_producer_start_failure_raises_with_reason():
    p = Producer(name('unstartable'))
    p.set_name_server_address('')
    p.set_name_server_domain('jmenv.example.invalid')
    with pytest.raises(ProducerStartFailed) as err:
        p.start()
    assert 'name server' in str(err.value)


def _probe_all_queues(producer_handle, topic, probe_round):
    """Sends one sync message to every queue of `topic` through the library the
    package loaded (SendMessageOrderly with a selector); returns how many
    messages each queue held before its probe."""
    dll = ffi.dll
    dll.SendMessageOrderly.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ffi.QUEUE_SELECTOR_CALLBACK,
                                       ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ffi._CSendResult)]
    dll.SendMessageOrderly.restype = ctypes.c_int
    sizes = []
    stored = []
    queue = [0]

    def select(size, msg, arg):
        sizes.append(size)
        return queue[0]

    selector = ffi.QUEUE_SELECTOR_CALLBACK(select)
    q = 0
    while True:
        queue[0] = q
        result = ffi._CSendResult()
        msg = new_message(topic=topic, body='probe')
        assert dll.SendMessageOrderly(producer_handle, msg, selector, None, 1, ctypes.pointer(result)) == 0
        stored.append(result.offset - probe_round)
        q += 1
        if q >= sizes[-1]:
            return stored


def test_producer_send_oneway(producer):
    topic = name('oneway')
    first = producer.send_sync(new_message(topic=topic, body='first'))  # creates the topic
    check_result(first)
    count = 20
    for i in range(count):
        producer.send_oneway(new_message(topic=topic, body='oneway %d' % i, keys='send_oneway'))
    # Arrival: once every one-way message is stored, the per-queue offsets the
    # probes get add up to 1 + count.
    total = None
    for probe_round in range(10):
        time.sleep(1)
        total = sum(_probe_all_queues(producer._handle, topic, probe_round))
        if total == 1 + count:
            break
    assert total == 1 + count


def test_producer_send_orderly_with_sharding_key(orderly_producer):
    topic = name('orderly')
    offsets = {}
    for step in range(5):
        for key in ('order1', 'order2', 'order3'):
            msg = new_message(topic=topic, body='%s step %d' % (key, step))
            ret = orderly_producer.send_orderly_with_sharding_key(msg, key)
            check_result(ret)
            offsets.setdefault(key, []).append(ret.offset)
    # One key, one queue, in send order. The keys are sent in turn, so when d
    # keys share a queue each of them sees offsets d apart (d = 1: a queue of
    # its own); the first offsets of the keys sharing a queue are 0 .. d-1.
    for key, offs in offsets.items():
        steps = set(b - a for a, b in zip(offs, offs[1:]))
        assert len(steps) == 1 and steps.pop() in (1, 2, 3), (key, offs)
    firsts = sorted(offs[0] for offs in offsets.values())
    assert firsts[0] == 0 and all(f < 3 for f in firsts), firsts


def test_transaction_producer():
    checked = threading.Event()
    seen = {}

    def on_local_execute(msg, user_args):
        seen['local'] = (msg.body, user_args, msg.id)
        return TransactionStatus.UNKNOWN

    def on_check(msg):
        seen['check'] = (msg.body, msg.topic, msg.id, msg.get_property('property'))
        checked.set()
        return TransactionStatus.COMMIT

    producer = TransactionMQProducer(name('transaction_group'), on_check)
    producer.set_name_server_address(NAMESRV)
    producer.start()
    try:
        topic = name('transaction')
        ret = producer.send_message_in_transaction(new_message(topic=topic), on_local_execute, None)
        check_result(ret)
        assert seen['local'] == (b'XXXX', None, ret.msg_id)
        # The local broker checks UNKNOWN half messages back after a few seconds.
        assert checked.wait(90), 'the broker never checked the transaction back'
        body, check_topic, msg_id, prop = seen['check']
        assert body == b'XXXX'
        assert check_topic == topic
        assert msg_id == ret.msg_id
        assert prop == b'test'
    finally:
        producer.shutdown()


def test_transaction_producer_commit_and_rollback_without_check():
    calls = []

    def on_check(msg):
        calls.append(('check', msg.body))
        return TransactionStatus.COMMIT

    producer = TransactionMQProducer(name('transaction_group2'), on_check)
    producer.set_name_server_address(NAMESRV)
    producer.start()
    try:
        topic = name('transaction2')
        for state in (TransactionStatus.COMMIT, TransactionStatus.ROLLBACK):
            def local(msg, user_args, state=state):
                calls.append(('local', msg.body, user_args))
                return state
            ret = producer.send_message_in_transaction(new_message(topic=topic, body=state.name), local, 7)
            check_result(ret)
        assert calls == [('local', b'COMMIT', 7), ('local', b'ROLLBACK', 7)]
        # A transaction producer also sends plain messages.
        check_result(producer.send_sync(new_message(topic=topic)))
        time.sleep(6)
        assert [c for c in calls if c[0] == 'check'] == []
    finally:
        producer.shutdown()


def test_forked_child_gets_an_error_not_a_hang(producer):
    """A child forked after the producer started cannot use it (the library's
    threads stayed in the parent): the send fails at once with a reason, and
    the parent's producer carries on."""
    import os
    topic = name('forked')
    first = Message(topic)
    first.set_body('creates the topic')
    producer.send_sync(first)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        code = 1
        try:
            signal_alarm = __import__('signal')
            signal_alarm.alarm(20)  # a hang kills the child
            msg = Message(topic)
            msg.set_body('from the child')
            try:
                producer.send_sync(msg)
            except ProducerSendSyncFailed as e:
                os.write(w, str(e).encode()[:500])
                code = 0
        finally:
            os._exit(code)
    os.close(w)
    _, status = os.waitpid(pid, 0)
    reason = os.read(r, 1000).decode()
    os.close(r)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, (status, reason)
    assert 'forked' in reason, reason
    msg = Message(topic)
    msg.set_body('from the parent')
    assert producer.send_sync(msg).status == SendStatus.OK
