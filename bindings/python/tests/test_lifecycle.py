"""Lifetimes: start and shutdown in a loop without leaking threads or memory, garbage
collection, process exit with clients still running, and Ctrl-C during a blocking wait."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import textwrap
import time
import weakref

import rocketmq
from rocketmq import exceptions
from rocketmq import _runtime
from rocketmq.client import (
    ConsumeFromWhere,
    ConsumeStatus,
    LitePullConsumer,
    Message,
    Producer,
    PushConsumer,
)

from conftest import NAMESRV, Collector, unique, wait_until


def _threads() -> int:
    return len(os.listdir("/proc/self/task"))


def _rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _cycle(group: str, topic: str) -> None:
    c = PushConsumer(group)
    c.set_name_server_address(NAMESRV)
    c.set_thread_count(2)
    c.subscribe(topic, lambda m: ConsumeStatus.CONSUME_SUCCESS)
    c.start()
    c.shutdown()


def test_push_consumer_start_shutdown_100_times_leaks_nothing(producer, topic):
    producer.send_sync(Message(topic, "x"))
    group = unique("py_loop")
    for _ in range(5):  # warm up: runtime threads, routes, allocator arenas
        _cycle(group, topic)
    gc.collect()
    threads0, rss0, keys0 = _threads(), _rss_kib(), len(_runtime.callbacks)
    t0 = time.monotonic()
    for _ in range(100):
        _cycle(group, topic)
    took = time.monotonic() - t0
    gc.collect()
    # Threads of the last cycles may still be ending (idle runtime threads linger up to 10 s).
    wait_until(lambda: _threads() <= threads0 + 2, 15)
    threads1, rss1, keys1 = _threads(), _rss_kib(), len(_runtime.callbacks)
    print("100 cycles: %.1f s, threads %d -> %d, RSS %d -> %d KiB" % (took, threads0, threads1, rss0, rss1))
    assert threads1 <= threads0 + 2, (threads0, threads1)
    assert rss1 - rss0 < 24 * 1024, (rss0, rss1)
    assert keys1 == keys0  # every subscription's user data was released


def test_pull_consumer_start_shutdown_loop_leaks_nothing(topic):
    group = unique("py_pull_loop")

    def cycle():
        c = LitePullConsumer(group, name_server_address=NAMESRV)
        c.subscribe(topic)
        c.start()
        c.poll(0)
        c.shutdown()

    for _ in range(3):
        cycle()
    gc.collect()
    threads0, rss0 = _threads(), _rss_kib()
    for _ in range(30):
        cycle()
    gc.collect()
    assert wait_until(lambda: _threads() <= threads0 + 2, 15), (threads0, _threads())
    assert _rss_kib() - rss0 < 16 * 1024


def test_producer_start_shutdown_loop_and_gc(topic):
    def cycle():
        p = Producer(unique("py_p_loop"), name_server_address=NAMESRV)
        p.start()
        p.send_sync(Message(topic, "x"))
        p.shutdown()

    for _ in range(3):
        cycle()
    threads0 = _threads()
    for _ in range(30):
        cycle()
    # A started producer that is dropped is shut down and freed by the garbage collector.
    p = Producer(unique("py_p_gc"), name_server_address=NAMESRV)
    p.start()
    ref = weakref.ref(p)
    del p
    gc.collect()
    assert ref() is None
    assert wait_until(lambda: _threads() <= threads0 + 2, 10)


def test_started_consumer_without_references_keeps_consuming(producer, topic):
    got = Collector()

    def start_one():
        c = PushConsumer(unique("py_gc"))
        c.set_name_server_address(NAMESRV)
        # The topic is created by the send below, maybe while the consumer looks up where to
        # start: from the first offset the message cannot fall before that start.
        c.set_consume_from_where(ConsumeFromWhere.FIRST_OFFSET)
        c.subscribe(topic, got)
        c.start()
        return weakref.ref(c)

    ref = start_one()
    gc.collect()
    assert ref() is not None  # held while started
    producer.send_sync(Message(topic, "still here"))
    try:
        assert wait_until(lambda: len(got) >= 1, 30)
    finally:
        ref().shutdown()
    gc.collect()
    assert ref() is None  # released once shut down
    assert got.bodies() == [b"still here"]


def _run_child(code: str, timeout: float = 60.0, **popen):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [os.path.dirname(os.path.dirname(rocketmq.__file__)), os.path.dirname(__file__)]
    )
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **popen)


def test_ctrl_c_interrupts_a_blocking_poll():
    child = _run_child(
        """
        import sys, time
        from rocketmq.client import LitePullConsumer
        from conftest import NAMESRV, unique
        c = LitePullConsumer(unique("py_sigint"), name_server_address=NAMESRV)
        c.subscribe(unique("T_sigint"))
        c.start()
        print("ready", flush=True)
        t0 = time.monotonic()
        try:
            c.poll(60)
        except KeyboardInterrupt:
            print("interrupted after %.2f" % (time.monotonic() - t0), flush=True)
            c.shutdown()
            sys.exit(0)
        sys.exit(3)
        """
    )
    assert child.stdout.readline().strip() == "ready"
    time.sleep(1.0)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=30)
    assert child.returncode == 0, err
    # Far less than the poll's 60 s (the parent waited 1 s of it before the signal).
    assert float(out.split()[-1]) < 10.0, out


def test_ctrl_c_interrupts_waiting_for_a_future():
    child = _run_child(
        """
        import concurrent.futures, sys
        from rocketmq.client import SendFuture
        f = SendFuture()
        print("ready", flush=True)
        try:
            f.result()
        except KeyboardInterrupt:
            sys.exit(0)
        sys.exit(3)
        """
    )
    assert child.stdout.readline().strip() == "ready"
    time.sleep(0.5)
    child.send_signal(signal.SIGINT)
    child.communicate(timeout=30)
    assert child.returncode == 0


def test_exit_with_clients_running_and_listeners_busy(producer, topic):
    # The process exits cleanly while a consumer is running a slow listener, a producer has
    # async sends in flight, and nothing was shut down.
    child = _run_child(
        """
        import time
        from rocketmq.client import ConsumeStatus, ConsumeFromWhere, Message, Producer, PushConsumer
        from conftest import NAMESRV, unique
        topic = %r
        p = Producer(unique("py_exit"), name_server_address=NAMESRV)
        p.start()
        started = []
        def slow(msg):
            started.append(1)
            time.sleep(0.5)
            return ConsumeStatus.CONSUME_SUCCESS
        c = PushConsumer(unique("py_exit"), consume_from_where=ConsumeFromWhere.FIRST_OFFSET)
        c.set_name_server_address(NAMESRV)
        c.subscribe(topic, slow)
        c.start()
        for i in range(20):
            p.send_sync(Message(topic, "m%%d" %% i))
        while not started:
            time.sleep(0.05)
        for i in range(50):
            p.send_async(Message(topic, "a%%d" %% i))
        print("exiting", flush=True)
        """ % topic
    )
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    assert "exiting" in out
    assert "Traceback" not in err, err


def test_listener_raising_system_exit_does_not_end_the_process(producer, topic):
    producer.send_sync(Message(topic, "x"))
    calls = []

    def on_message(msg):
        calls.append(1)
        if len(calls) == 1:
            raise SystemExit(3)
        return ConsumeStatus.CONSUME_SUCCESS

    c = PushConsumer(unique("py_sysexit"))
    c.set_name_server_address(NAMESRV)
    c.subscribe(topic, on_message)
    c.start()
    try:
        assert wait_until(lambda: len(calls) >= 2, 60)
    finally:
        c.shutdown()


def test_fork_child_refuses_the_library_without_hanging(producer, topic):
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 0
        try:
            try:
                producer.send_sync(Message(topic, "from child"))
                code = 10
            except exceptions.ProducerSendSyncFailed as e:
                if e.code != exceptions.ErrorCode.INVALID_STATE:
                    code = 11
            try:
                Producer(unique("py_fork"), name_server_address=NAMESRV).start()
                code = 12
            except exceptions.ProducerStartFailed as e:
                if e.code != exceptions.ErrorCode.INVALID_STATE:
                    code = 13
        except BaseException:
            code = 14
        os._exit(code)
    deadline = time.monotonic() + 30
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            raise AssertionError("the forked child hung")
        time.sleep(0.05)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
    assert producer.send_sync(Message(topic, "from parent")).status == 0  # the parent is unaffected


def test_fork_before_any_client_leaves_the_child_free():
    child = _run_child(
        """
        import os, sys
        from rocketmq.client import Message, Producer
        from conftest import NAMESRV, unique
        pid = os.fork()
        if pid == 0:
            with Producer(unique("py_fork_child"), name_server_address=NAMESRV) as p:
                ok = p.send_sync(Message(unique("T_fork"), "x")).status == 0
            os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
        sys.exit(os.WEXITSTATUS(status))
        """
    )
    child.communicate(timeout=60)
    assert child.returncode == 0
