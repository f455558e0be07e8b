"""The package's surface: the 2.x names and values, the ctypes declarations, loading, and
argument checks that need no broker."""

from __future__ import annotations

import ctypes
import inspect
import os
import re
import subprocess
import sys

import pytest

import rocketmq
from rocketmq import _native
from rocketmq import client as rc
from rocketmq import consts, exceptions, ffi
from rocketmq.client import (
    ConsumeStatus,
    Message,
    MessageModel,
    Producer,
    PushConsumer,
    SendResult,
    SendStatus,
    TransactionMQProducer,
    TransactionStatus,
)

from conftest import NAMESRV, unique

HEADER = os.path.join(os.path.dirname(__file__), "..", "..", "..", "include", "rocketmq.h")


def test_old_names_and_enum_values():
    assert [(e.name, e.value) for e in SendStatus] == [
        ("OK", 0),
        ("FLUSH_DISK_TIMEOUT", 1),
        ("FLUSH_SLAVE_TIMEOUT", 2),
        ("SLAVE_NOT_AVAILABLE", 3),
    ]
    assert [(e.name, e.value) for e in TransactionStatus] == [("COMMIT", 0), ("ROLLBACK", 1), ("UNKNOWN", 2)]
    assert [(e.name, e.value) for e in ConsumeStatus] == [("CONSUME_SUCCESS", 0), ("RECONSUME_LATER", 1)]
    assert [(e.name, e.value) for e in ffi.MessageModel] == [("BROADCASTING", 0), ("CLUSTERING", 1)]
    assert rc.MessageModel is ffi.MessageModel
    assert issubclass(ffi.MessageModel, ffi.CtypesEnum)
    assert ffi.CtypesEnum.from_param(MessageModel.CLUSTERING) == 1
    assert SendResult._fields == ("status", "msg_id", "offset")
    for name in ("Message", "ReceivedMessage", "Producer", "PushConsumer", "TransactionMQProducer", "SendResult"):
        assert hasattr(rc, name)
    for name in ("SendStatus", "Message", "ReceivedMessage", "Producer", "PushConsumer", "TransactionMQProducer",
                 "TransactionStatus", "ConsumeStatus"):
        assert name in rc.__all__


def test_old_signatures():
    def params(f):
        return [(p.name, p.default) for p in inspect.signature(f).parameters.values()
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]

    e = inspect.Parameter.empty
    assert params(Producer.__init__) == [("self", e), ("group_id", e), ("orderly", False), ("timeout", None),
                                         ("compress_level", None), ("max_message_size", None)]
    assert params(TransactionMQProducer.__init__) == [
        ("self", e), ("group_id", e), ("checker_callback", e), ("user_args", None), ("timeout", None),
        ("compress_level", None), ("max_message_size", None)]
    assert params(PushConsumer.__init__) == [("self", e), ("group_id", e), ("orderly", False),
                                             ("message_model", MessageModel.CLUSTERING)]
    assert params(PushConsumer.subscribe) == [("self", e), ("topic", e), ("callback", e), ("expression", "*")]
    assert params(TransactionMQProducer.send_message_in_transaction) == [
        ("self", e), ("message", e), ("local_execute", e), ("user_args", None)]
    assert params(Producer.set_session_credentials)[:4] == [("self", e), ("access_key", e), ("access_secret", e),
                                                            ("channel", "")]
    for m in ("send_sync", "send_oneway", "send_orderly_with_sharding_key", "set_group", "set_name_server_address",
              "set_name_server_domain", "set_session_credentials", "set_timeout", "set_compress_level",
              "set_max_message_size", "set_instance_name", "start", "shutdown", "__enter__", "__exit__"):
        assert callable(getattr(Producer, m)), m
    for m in ("set_message_model", "start", "shutdown", "set_group", "set_name_server_address",
              "set_name_server_domain", "set_session_credentials", "subscribe", "set_thread_count",
              "set_message_batch_max_size", "set_instance_name", "__enter__", "__exit__"):
        assert callable(getattr(PushConsumer, m)), m
    for m in ("set_keys", "set_tags", "set_body", "set_property", "set_delay_time_level"):
        assert callable(getattr(Message, m)), m
    for p in ("topic", "tags", "keys", "body", "id", "delay_time_level", "queue_id", "reconsume_times",
              "store_size", "born_timestamp", "store_timestamp", "queue_offset", "commit_log_offset",
              "prepared_transaction_offset"):
        assert isinstance(getattr(rc.ReceivedMessage, p), property), p
    for m in ("get_property", "__getitem__", "__str__", "__bytes__"):
        assert callable(getattr(rc.ReceivedMessage, m)), m


def test_exception_hierarchy():
    E = exceptions
    assert issubclass(E.NullPointerException, E.RocketMQException)
    assert issubclass(E.MallocFailed, E.RocketMQException)
    for cls in (E.ProducerStartFailed, E.ProducerSendSyncFailed, E.ProducerSendOnewayFailed,
                E.ProducerSendOrderlyFailed, E.ProducerSendAsyncFailed):
        assert issubclass(cls, E.ProducerException)
    assert issubclass(E.ProducerException, E.RocketMQException)
    assert issubclass(E.PushConsumerStartFailed, E.ConsumerException)
    assert issubclass(E.ConsumerException, E.RocketMQException)
    e = E.ProducerSendAsyncFailed("m", 8, "f", 3, "T")
    assert (str(e), e.error, e.file, e.line, e.type) == ("m", 8, "f", 3, "T")


def test_consts():
    assert consts.MessageProperty.KEYS.value == "KEYS"
    assert consts.MessageProperty.UNIQ_CLIENT_MESSAGE_ID_KEYIDX.value == "UNIQ_KEY"
    assert consts.MessageProperty.CONSUME_START_TIMESTAMP.value == "CONSUME_START_TIME"
    assert consts.MessageProperty.REAL_QUEUE_ID.value == "REAL_QID"
    assert len([m for m in consts.MessageProperty]) >= 22


def test_every_header_function_is_declared():
    with open(HEADER) as f:
        text = f.read()
    declared = set(re.findall(r"^[a-z][^\n(]*?[ *](rmq_[a-z0-9_]+)\(", text, re.M))
    declared = {d for d in declared if not d.endswith("_cb")}
    assert len(declared) > 100
    assert declared == set(_native.SIGNATURES), declared ^ set(_native.SIGNATURES)
    for name in declared:
        restype, argtypes = _native.SIGNATURES[name]
        for fn in (getattr(_native.lib, name), getattr(_native.api, name)):
            assert fn.argtypes == argtypes and fn.restype == restype, name
    # Calls that may block release the GIL (CDLL); only plain getters and setters keep it.
    for name in ("rmq_producer_send_sync", "rmq_pull_consumer_poll", "rmq_push_consumer_shutdown",
                 "rmq_producer_free", "rmq_transaction_producer_send_in_transaction", "rmq_set_log_callback"):
        assert name not in _native.NON_BLOCKING
        assert getattr(_native.api, name) is getattr(_native.lib, name)
    assert "rmq_message_view_body" in _native.NON_BLOCKING


def test_version_checked_and_exposed():
    n = _native.lib.rmq_version_number()
    assert ((n >> 16) & 0xFF, (n >> 8) & 0xFF, n & 0xFF) == rocketmq.LIBRARY_VERSION
    assert rocketmq.library_version == _native.lib.rmq_version().decode()
    assert (_native.VERSION_MAJOR, _native.VERSION_MINOR) == rocketmq.LIBRARY_VERSION[:2]
    with open(HEADER) as f:
        text = f.read()
    header = tuple(int(re.search(r"#define RMQ_VERSION_%s (\d+)" % k, text).group(1)) for k in ("MAJOR", "MINOR", "PATCH"))
    assert header == (_native.VERSION_MAJOR, _native.VERSION_MINOR, _native.VERSION_PATCH)


def _import_with(env_extra):
    env = dict(os.environ, **env_extra)
    env["PYTHONPATH"] = os.path.dirname(os.path.dirname(rocketmq.__file__))
    return subprocess.run([sys.executable, "-c", "import rocketmq.client, rocketmq; print(rocketmq.LIBRARY_PATH)"],
                          env=env, capture_output=True, text=True, cwd="/")


def test_library_override_and_errors(tmp_path):
    # An explicit path wins; a missing one fails the import with a clear message.
    ok = _import_with({"ROCKETMQ_LIBRARY": _native.LIBRARY_PATH})
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == _native.LIBRARY_PATH
    bad = _import_with({"ROCKETMQ_LIBRARY": str(tmp_path / "nope.so")})
    assert bad.returncode != 0 and "ROCKETMQ_LIBRARY" in bad.stderr
    # A library without the native API (here: libc) is refused at import.
    libc = ctypes.util.find_library("c")
    other = _import_with({"ROCKETMQ_LIBRARY": libc})
    assert other.returncode != 0 and "has no symbol rmq_" in other.stderr


def test_library_bundled_in_package():
    # The installed package carries its own copy (pip install builds and bundles it).
    if os.environ.get("ROCKETMQ_LIBRARY"):
        pytest.skip("ROCKETMQ_LIBRARY overrides the bundled library")
    assert _native.LIBRARY_PATH == os.path.join(os.path.dirname(rocketmq.__file__), "lib", "librocketmq.so")


def test_message_setters_and_getters():
    m = Message("T1")
    m.set_keys("a b")
    m.set_tags(b"tagA")
    m.set_body("héllo")
    m.set_property("p", "v")
    m.set_property(b"n", 5)
    m.set_delay_time_level(3)
    assert (m.topic, m.tags, m.keys, m.body) == ("T1", "tagA", "a b", "héllo".encode())
    assert m.get_property("p") == "v" and m.get_property("n") == "5" and m.get_property("DELAY") == "3"
    m.set_body(b"\x00\x01\x02")
    assert m.body == b"\x00\x01\x02"
    m.set_keys(["k1", "k2"])
    assert m.keys == "k1 k2"
    m2 = Message("T2", b"body", tags="t", keys="k", properties={"x": "1"})
    assert (m2.body, m2.tags, m2.keys, m2.get_property("x")) == (b"body", "t", "k", "1")
    assert m._as_parameter_ == m._ptr


def test_message_argument_errors():
    m = Message("T1")
    with pytest.raises(exceptions.InvalidArgument):
        m.set_delay_time_level(99)
    with pytest.raises(exceptions.InvalidArgument):
        m.set_property("", "v")
    with pytest.raises(exceptions.RocketMQException):
        m.set_delivery_time(-1)
    with pytest.raises(TypeError):
        m.set_body(12.5j)
    with pytest.raises(exceptions.InvalidArgument) as e:
        m.set_property("p", "bad\x01value")
    assert e.value.code == exceptions.ErrorCode.INVALID_ARG


def test_settings_are_checked_at_the_setter():
    p = Producer(unique("py_api"))
    with pytest.raises(exceptions.InvalidArgument):
        p.set_config("no.such.key", "1")
    with pytest.raises(exceptions.InvalidArgument):
        p.set_config("back.pressure", "sometimes")
    c = PushConsumer(unique("py_api"))
    with pytest.raises(exceptions.InvalidArgument):
        c.set_thread_count(0)
    with pytest.raises(ValueError):
        c.set_message_model(7)


def test_start_needs_a_name_server(monkeypatch):
    monkeypatch.delenv("NAMESRV_ADDR", raising=False)
    with pytest.raises(exceptions.ProducerStartFailed):
        Producer(unique("py_api")).start()
    c = PushConsumer(unique("py_api"))
    c.subscribe("T", lambda m: ConsumeStatus.CONSUME_SUCCESS)
    with pytest.raises(exceptions.PushConsumerStartFailed):
        c.start()


def test_namesrv_addr_environment(monkeypatch):
    monkeypatch.setenv("NAMESRV_ADDR", NAMESRV)
    p = Producer(unique("py_api"))
    p.start()
    p.shutdown()


def test_push_consumer_no_subscription_start_fail():
    c = PushConsumer("testGroup")
    c.set_name_server_address(NAMESRV)
    with pytest.raises(exceptions.PushConsumerStartFailed):
        c.start()
    c.shutdown()


def test_sends_before_start_raise_the_old_classes():
    p = Producer(unique("py_api"))
    m = Message("T", "b")
    with pytest.raises(exceptions.ProducerSendSyncFailed) as e:
        p.send_sync(m)
    assert e.value.code == exceptions.ErrorCode.NOT_STARTED
    with pytest.raises(exceptions.ProducerSendOnewayFailed):
        p.send_oneway(m)
    with pytest.raises(exceptions.ProducerSendOrderlyFailed):
        p.send_orderly_with_sharding_key(m, "k")
    with pytest.raises(exceptions.ProducerSendAsyncFailed):
        p.send_async(m)


def test_context_managers_return_self_and_setters_after_start_refuse():
    with Producer(unique("py_api"), name_server_address=NAMESRV) as p:
        assert isinstance(p, Producer) and p.started
        with pytest.raises(exceptions.IllegalState):
            p.set_timeout(100)
    assert not p.started
    p.shutdown()  # twice is fine
    p.start()  # and it can start again
    p.shutdown()


def test_log_level_roundtrip():
    old = rocketmq.get_log_level()
    try:
        rocketmq.set_log_level(rocketmq.LogLevel.ERROR)
        assert rocketmq.get_log_level() == rocketmq.LogLevel.ERROR
        with pytest.raises(exceptions.InvalidArgument):
            rocketmq.set_log_level(42)
    finally:
        rocketmq.set_log_level(old)


def test_log_bridge(caplog):
    import logging

    rocketmq.log_to_python(True)
    old = rocketmq.get_log_level()
    try:
        rocketmq.set_log_level(rocketmq.LogLevel.DEBUG)
        with caplog.at_level(logging.DEBUG, logger="rocketmq.native"):
            with Producer(unique("py_log"), name_server_address=NAMESRV):
                pass
        assert any(r.name == "rocketmq.native" for r in caplog.records)
    finally:
        rocketmq.set_log_level(old)
        rocketmq.log_to_python(False)
