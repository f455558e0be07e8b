"""Fixtures and helpers: a local RocketMQ (ROCKETMQ_NAMESRV, default 127.0.0.1:9876), unique
names per test, and helpers that consume what a test sent so every message is accounted for."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from typing import Any, Callable, Dict, List, Optional

import pytest

from rocketmq.client import (
    ConsumeFromWhere,
    ConsumeStatus,
    MessageModel,
    Producer,
    PushConsumer,
)

NAMESRV = os.environ.get("ROCKETMQ_NAMESRV", "127.0.0.1:9876")


def _reachable(addr: str) -> bool:
    host, port = addr.split(";")[0].rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session", autouse=True)
def _broker_up() -> None:
    if not _reachable(NAMESRV):
        pytest.fail("no RocketMQ name server at %s (set ROCKETMQ_NAMESRV)" % NAMESRV, pytrace=False)


def unique(prefix: str) -> str:
    """A topic or group name no other test or run uses."""
    return "%s_%d_%s" % (prefix, os.getpid(), uuid.uuid4().hex[:10])


@pytest.fixture
def topic(request: Any) -> str:
    return unique("PyT_" + request.node.name[:40].replace("[", "_").replace("]", "_"))


@pytest.fixture
def producer() -> Any:
    p = Producer(unique("py_producer"))
    p.set_name_server_address(NAMESRV)
    p.start()
    yield p
    p.shutdown()


def wait_until(cond: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(interval)
    return cond()


def snapshot(msg: Any) -> Dict[str, Any]:
    """The fields of a received message, read while it is valid."""
    return {
        "topic": msg.topic,
        "body": msg.body,
        "keys": msg.keys,
        "tags": msg.tags,
        "id": msg.id,
        "queue_id": msg.queue_id,
        "queue_offset": msg.queue_offset,
        "reconsume_times": msg.reconsume_times,
        "store_timestamp": msg.store_timestamp,
        "born_timestamp": msg.born_timestamp,
        "received_at": time.time(),
    }


class Collector:
    """A listener that records what it gets (thread-safe) and always succeeds."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: List[Dict[str, Any]] = []

    def __call__(self, msg: Any) -> ConsumeStatus:
        snap = snapshot(msg)
        with self.lock:
            self.items.append(snap)
        return ConsumeStatus.CONSUME_SUCCESS

    def __len__(self) -> int:
        with self.lock:
            return len(self.items)

    def bodies(self) -> List[bytes]:
        with self.lock:
            return [i["body"] for i in self.items]


def consume_all(
    topic: str,
    expected: int,
    timeout: float = 60.0,
    settle: float = 1.5,
    expression: Any = "*",
    orderly: bool = False,
    model: MessageModel = MessageModel.CLUSTERING,
    group: Optional[str] = None,
) -> List[Dict[str, Any]]:
    """Consumes ``topic`` from its first offset with a new group until ``expected`` messages
    came, then ``settle`` seconds more to catch extras; returns what came."""
    c = PushConsumer(group or unique("py_check"), orderly, model)
    c.set_name_server_address(NAMESRV)
    c.set_consume_from_where(ConsumeFromWhere.FIRST_OFFSET)
    got = Collector()
    c.subscribe(topic, got, expression)
    c.start()
    try:
        wait_until(lambda: len(got) >= expected, timeout)
        time.sleep(settle)
    finally:
        c.shutdown()
    return got.items
