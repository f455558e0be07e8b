"""The RocketMQ client: the rocketmq-client-python 2.x API, and what it never had.

Code written for rocketmq-client-python 2.x (``Producer``, ``TransactionMQProducer``,
``PushConsumer``, ``Message``, ``ReceivedMessage``, ``SendResult``, ``SendStatus``,
``ConsumeStatus``, ``TransactionStatus``, ``MessageModel``) runs unchanged. Additions:
async sends (a callback, and a future that ``await`` accepts), batch sends, queue selectors,
request-reply, the lite pull consumer (:class:`LitePullConsumer`), delivery times and delays,
where a new group starts consuming, SQL92 selectors, allocation strategies (the library's,
and functions of your own), and context managers that return the object.

Settings are kept by the object and handed to the library at ``start()``; setters called
after ``start()`` raise :class:`~rocketmq.exceptions.IllegalState`. ``shutdown()`` frees the
native client; ``start()`` may be called again afterwards.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import ctypes
import datetime as _dt
import os
import sys
import threading
import time
import urllib.request
from collections import namedtuple
from ctypes import byref, c_char_p, c_int64, c_size_t, c_void_p
from enum import Enum, IntEnum
from typing import (
    Any,
    Callable,
    Dict,
    Generator,
    Iterable,
    Iterator,
    List,
    Mapping,
    NamedTuple,
    Optional,
    Sequence,
    Tuple,
    Type,
    TypeVar,
    Union,
)

from . import _native, _runtime
from ._runtime import (
    FREE_TRAMPOLINE,
    NO_FREE,
    Handle,
    InUse,
    build_config,
    c_array,
    callback_scope,
    callbacks,
    decode,
    logger,
    next_key,
    not_started,
    register,
    to_bytes,
    to_text,
    unregister,
    validate_setting,
)
from .consts import MessageProperty
from .exceptions import (
    IllegalState,
    InvalidArgument,
    ProducerException,
    ProducerSendAsyncFailed,
    ProducerSendBatchFailed,
    ProducerSendOnewayFailed,
    ProducerSendOrderlyFailed,
    ProducerSendSyncFailed,
    ProducerSendTransactionFailed,
    ProducerStartFailed,
    PullConsumerException,
    PullConsumerStartFailed,
    PushConsumerStartFailed,
    RocketMQException,
    _error_from,
    ffi_check,
)
from .ffi import MessageModel, TraceModel

lib = _native.api

__all__ = [
    "SendStatus",
    "SendResult",
    "SendFuture",
    "Message",
    "ReceivedMessage",
    "MessageQueue",
    "Producer",
    "PushConsumer",
    "LitePullConsumer",
    "PullConsumer",
    "TransactionMQProducer",
    "TransactionStatus",
    "ConsumeStatus",
    "ConsumeOrderlyStatus",
    "MessageModel",
    "ConsumeFromWhere",
    "AllocateStrategy",
    "AllocateFunction",
    "allocate_by_config",
    "allocate_by_machine_room",
    "ExpressionType",
    "MessageSelector",
    "PullStatus",
    "PullResult",
]

_T = TypeVar("_T")
_Str = Union[str, bytes]

# --- enums and results ------------------------------------------------------------------------


class SendStatus(IntEnum):
    """How the broker stored a message."""

    OK = 0
    FLUSH_DISK_TIMEOUT = 1
    FLUSH_SLAVE_TIMEOUT = 2
    SLAVE_NOT_AVAILABLE = 3


class TransactionStatus(IntEnum):
    """The outcome of a local transaction (values as in rocketmq-client-python 2.x)."""

    COMMIT = 0
    ROLLBACK = 1
    UNKNOWN = 2


_TX_TO_NATIVE = {
    TransactionStatus.COMMIT: _native.RMQ_TRANSACTION_COMMIT,
    TransactionStatus.ROLLBACK: _native.RMQ_TRANSACTION_ROLLBACK,
    TransactionStatus.UNKNOWN: _native.RMQ_TRANSACTION_UNKNOWN,
}
_TX_FROM_NATIVE = {v: k for k, v in _TX_TO_NATIVE.items()}


class ConsumeStatus(IntEnum):
    """What a listener returns."""

    CONSUME_SUCCESS = 0
    RECONSUME_LATER = 1


class ConsumeOrderlyStatus(IntEnum):
    """What an orderly listener may return (``ConsumeStatus`` values mean the same)."""

    SUCCESS = 0
    SUSPEND_CURRENT_QUEUE_A_MOMENT = 1


class ConsumeFromWhere(str, Enum):
    """Where a consumer group with no stored offset starts."""

    LAST_OFFSET = "last_offset"
    FIRST_OFFSET = "first_offset"
    TIMESTAMP = "timestamp"


class AllocateStrategy(str, Enum):
    """How the consumers of a group share the queues of a topic."""

    #: Consecutive blocks of queues (Java ``AllocateMessageQueueAveragely``), the default.
    AVG = "AVG"
    #: Queue ``i`` goes to consumer ``i % n`` (``AllocateMessageQueueAveragelyByCircle``).
    AVG_BY_CIRCLE = "AVG_BY_CIRCLE"
    #: A consistent-hash ring of consumers (``AllocateMessageQueueConsistentHash``).
    CONSISTENT_HASH = "CONSISTENT_HASH"


class ExpressionType(str, Enum):
    """The language of a subscription expression."""

    TAG = "TAG"
    SQL92 = "SQL92"


class PullStatus(IntEnum):
    """How a one-shot pull (:meth:`LitePullConsumer.pull_from`) ended (``rmq_pull_status_t``)."""

    FOUND = 0
    NO_NEW_MSG = 1
    NO_MATCHED_MSG = 2
    OFFSET_ILLEGAL = 3


class PullResult(NamedTuple):
    """The outcome of :meth:`LitePullConsumer.pull_from`."""

    status: PullStatus
    next_begin_offset: int
    min_offset: int
    max_offset: int
    messages: List["ReceivedMessage"]


class MessageSelector(NamedTuple):
    """A subscription expression: tags (``"TagA || TagB"``, ``"*"``) or SQL92 over properties."""

    type: ExpressionType
    expression: str

    @classmethod
    def by_tag(cls, expression: str = "*") -> "MessageSelector":
        return cls(ExpressionType.TAG, expression)

    @classmethod
    def by_sql(cls, sql: str) -> "MessageSelector":
        return cls(ExpressionType.SQL92, sql)


def _enum_text(value: Any) -> str:
    return str(value.value) if isinstance(value, Enum) else to_text(value)


def _epoch_ms(when: Union[int, float, _dt.datetime]) -> int:
    """Milliseconds since the Unix epoch: of a ``datetime`` (naive means local time), or ``when`` itself."""
    if isinstance(when, _dt.datetime):
        return int(when.timestamp() * 1000)
    return int(when)


def _selector(expression: Union[str, bytes, MessageSelector], expression_type: Optional[ExpressionType]) -> MessageSelector:
    if isinstance(expression, MessageSelector):
        return expression
    return MessageSelector(ExpressionType(expression_type or ExpressionType.TAG), to_text(expression, "expression"))


_SendResultBase = namedtuple("SendResult", ["status", "msg_id", "offset"])  # type: ignore[name-match]


class SendResult(_SendResultBase):
    """The broker's answer to a send: ``(status, msg_id, offset)`` as in 2.x (a named tuple),
    with more attributes: ``offset_msg_id``, ``topic``, ``broker_name``, ``queue_id``,
    ``transaction_id`` and, for transactional sends, ``transaction_status``."""

    offset_msg_id: Optional[str]
    topic: Optional[str]
    broker_name: Optional[str]
    queue_id: int
    transaction_id: Optional[str]
    transaction_status: Optional[TransactionStatus]

    def __new__(
        cls,
        status: SendStatus,
        msg_id: str,
        offset: int,
        offset_msg_id: Optional[str] = None,
        topic: Optional[str] = None,
        broker_name: Optional[str] = None,
        queue_id: int = -1,
        transaction_id: Optional[str] = None,
        transaction_status: Optional[TransactionStatus] = None,
    ) -> "SendResult":
        self = super().__new__(cls, status, msg_id, offset)
        self.offset_msg_id = offset_msg_id
        self.topic = topic
        self.broker_name = broker_name
        self.queue_id = queue_id
        self.transaction_id = transaction_id
        self.transaction_status = transaction_status
        return self

    @property
    def message_queue(self) -> "MessageQueue":
        return MessageQueue(self.topic or "", self.broker_name or "", self.queue_id)


def _read_result(r: int, transactional: bool = False) -> SendResult:
    """A SendResult from a (borrowed) rmq_send_result_t."""
    status = lib.rmq_send_result_status(r)
    try:
        status = SendStatus(status)
    except ValueError:  # pragma: no cover - the library only returns the four
        pass
    tx = None
    if transactional:
        tx = _TX_FROM_NATIVE.get(lib.rmq_send_result_transaction_state(r), TransactionStatus.UNKNOWN)
    return SendResult(
        status,
        decode(lib.rmq_send_result_msg_id(r)) or "",
        lib.rmq_send_result_queue_offset(r),
        offset_msg_id=decode(lib.rmq_send_result_offset_msg_id(r)),
        topic=decode(lib.rmq_send_result_topic(r)),
        broker_name=decode(lib.rmq_send_result_broker_name(r)),
        queue_id=lib.rmq_send_result_queue_id(r),
        transaction_id=decode(lib.rmq_send_result_transaction_id(r)),
        transaction_status=tx,
    )


def _take_result(r: Optional[int], transactional: bool = False) -> SendResult:
    """Reads and frees an owned rmq_send_result_t."""
    try:
        return _read_result(r or 0, transactional)
    finally:
        lib.rmq_send_result_free(r)


class SendFuture(concurrent.futures.Future):  # type: ignore[type-arg]
    """The future of an async send: ``result()`` waits for the :class:`SendResult` (or raises
    :class:`~rocketmq.exceptions.ProducerSendAsyncFailed`), and ``await`` works in asyncio."""

    def __await__(self) -> Generator[Any, None, SendResult]:
        return asyncio.wrap_future(self).__await__()

    def result(self, timeout: Optional[float] = None) -> SendResult:
        return super().result(timeout)


# --- queues -----------------------------------------------------------------------------------


class MessageQueue(NamedTuple):
    """A queue of a topic on one broker."""

    topic: str
    broker_name: str
    queue_id: int

    def _new_native(self) -> int:
        out = c_void_p()
        ffi_check(
            lib.rmq_message_queue_new(
                to_bytes(self.topic, "topic"), to_bytes(self.broker_name, "broker_name"), int(self.queue_id), byref(out)
            ),
            InvalidArgument,
        )
        return out.value  # type: ignore[return-value]

    @staticmethod
    def _from_native(q: int) -> "MessageQueue":
        return MessageQueue(
            decode(lib.rmq_message_queue_topic(q)) or "",
            decode(lib.rmq_message_queue_broker_name(q)) or "",
            lib.rmq_message_queue_queue_id(q),
        )


class _NativeQueues:
    """Owned native copies of a list of queues for the length of a call."""

    def __init__(self, queues: Iterable[MessageQueue]) -> None:
        self.ptrs: List[int] = []
        try:
            for q in queues:
                if not isinstance(q, MessageQueue):
                    q = MessageQueue(*q)
                self.ptrs.append(q._new_native())
        except BaseException:
            self.close()
            raise
        self.array = c_array(self.ptrs)
        self.count = len(self.ptrs)

    def close(self) -> None:
        for p in self.ptrs:
            lib.rmq_message_queue_free(p)
        self.ptrs = []

    def __enter__(self) -> "_NativeQueues":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _take_queues(arr: Any, count: int) -> List[MessageQueue]:
    """Reads and frees an owned array of owned queues."""
    try:
        return [MessageQueue._from_native(arr[i]) for i in range(count)]
    finally:
        lib.rmq_message_queues_free(arr, count)


# --- allocation strategies of your own --------------------------------------------------------

#: A queue allocation strategy written in Python: ``strategy(group, current_id, queues,
#: consumer_ids)`` returns the queues of ``queues`` (one topic's, sorted by broker name then
#: queue id) that the consumer ``current_id`` owns; ``consumer_ids`` are the group's consumers,
#: sorted. Every consumer of the group must choose consistently for the same input.
AllocateFunction = Callable[[str, str, List[MessageQueue], List[str]], Iterable[MessageQueue]]


def _averagely(current_id: str, queues: Sequence[MessageQueue], consumer_ids: Sequence[str]) -> List[MessageQueue]:
    """Java's ``AllocateMessageQueueAveragely``: consecutive blocks of queues, one per consumer
    in ``consumer_ids`` order; the first ``len(queues) % len(consumer_ids)`` consumers get one
    queue more. A consumer not in ``consumer_ids`` gets nothing."""
    if not queues or current_id not in consumer_ids:
        return []
    index = list(consumer_ids).index(current_id)
    size, extra = divmod(len(queues), len(consumer_ids))
    if index < extra:
        start, count = index * (size + 1), size + 1
    else:
        start, count = index * size + extra, size
    return list(queues[start : start + count])


def allocate_by_config(queues: Iterable[MessageQueue]) -> AllocateFunction:
    """A strategy that always allocates ``queues`` (Java ``AllocateMessageQueueByConfig``):
    the consumer owns those of them that the topic being shared has, whatever the group's
    other consumers are (give each consumer of the group its own queues)."""
    fixed = [q if isinstance(q, MessageQueue) else MessageQueue(*q) for q in queues]

    def by_config(group: str, current_id: str, mqs: List[MessageQueue], consumer_ids: List[str]) -> List[MessageQueue]:
        return list(fixed)

    return by_config


def allocate_by_machine_room(rooms: Union[str, Iterable[str]]) -> AllocateFunction:
    """A strategy sharing only the queues of brokers in ``rooms`` (Java
    ``AllocateMessageQueueByMachineRoom``): the queues of brokers named ``"<room>@..."``
    for one of the rooms, shared among the consumers as ``AllocateStrategy.AVG`` does."""
    names = [rooms] if isinstance(rooms, str) else [to_text(r, "room") for r in rooms]
    prefixes = tuple(r + "@" for r in names)

    def by_machine_room(
        group: str, current_id: str, mqs: List[MessageQueue], consumer_ids: List[str]
    ) -> List[MessageQueue]:
        if not prefixes:
            return []
        in_rooms = [q for q in mqs if q.broker_name.startswith(prefixes)]
        return _averagely(current_id, in_rooms, consumer_ids)

    return by_machine_room


def _queue_key(q: Any) -> Tuple[str, str, int]:
    """(topic, broker name, queue id) of a MessageQueue, a 3-tuple or an object with those attributes."""
    if isinstance(q, tuple) and len(q) == 3:
        return (q[0], q[1], int(q[2]))
    return (q.topic, q.broker_name, int(q.queue_id))


def _on_allocate(
    user_data: Optional[int],
    group: Optional[bytes],
    current_id: Optional[bytes],
    queues: Any,
    queue_count: int,
    consumer_ids: Any,
    consumer_count: int,
    mine: Any,
) -> int:
    try:
        strategy = callbacks.get(user_data or 0)
        if strategy is None or _runtime.exiting():
            return 1
        mqs = [MessageQueue._from_native(queues[i]) for i in range(queue_count)]
        cids = [decode(consumer_ids[i]) or "" for i in range(consumer_count)]
        group_name = decode(group) or ""
        try:
            with callback_scope:
                chosen = strategy(group_name, decode(current_id) or "", list(mqs), cids)
                if chosen is None:
                    raise TypeError("the strategy returned None, not the queues this consumer owns")
                index = {_queue_key(q): i for i, q in enumerate(mqs)}
                # Queues the topic does not have (another topic's, say) are not this call's to give.
                owned = [index[k] for k in map(_queue_key, chosen) if k in index]
        except BaseException:
            logger.exception(
                "the allocation strategy of group %s raised (the consumer keeps its queues and tries again)",
                group_name,
            )
            return 1
        for i in owned:
            mine[i] = 1
        return 0
    except BaseException:  # never raise into C
        try:
            logger.exception("queue allocation failed")
        except BaseException:  # pragma: no cover
            pass
        return 1


_ALLOCATE_TRAMPOLINE = _native.ALLOCATE_CB(_on_allocate)


# --- messages ---------------------------------------------------------------------------------


class Message:
    """A message to send. Not thread-safe: use one message from one thread at a time.

    ``Message(topic)`` as in 2.x; the keyword arguments are shortcuts for the setters.
    """

    def __init__(
        self,
        topic: _Str,
        body: Optional[Union[str, bytes, bytearray, memoryview]] = None,
        *,
        tags: Optional[_Str] = None,
        keys: Optional[Union[_Str, Iterable[str]]] = None,
        properties: Optional[Mapping[str, Any]] = None,
    ) -> None:
        self._ptr: Optional[int] = None
        out = c_void_p()
        ffi_check(lib.rmq_message_new(to_bytes(topic, "topic"), byref(out)), InvalidArgument)
        self._ptr = out.value
        if body is not None:
            self.set_body(body)
        if tags is not None:
            self.set_tags(tags)
        if keys is not None:
            self.set_keys(keys)
        if properties:
            for k, v in properties.items():
                self.set_property(k, v)

    def __del__(self) -> None:
        ptr, self._ptr = getattr(self, "_ptr", None), None
        if ptr:
            lib.rmq_message_free(ptr)

    @property
    def _as_parameter_(self) -> Optional[int]:
        return self._ptr

    def set_keys(self, keys: Union[_Str, Iterable[str]]) -> None:
        """Sets the keys (for lookups by key); several are separated by spaces, or given as a list."""
        if not isinstance(keys, (str, bytes, bytearray)):
            keys = " ".join(to_text(k, "key") for k in keys)
        ffi_check(lib.rmq_message_set_keys(self._ptr, to_bytes(keys, "keys")), InvalidArgument)

    def set_tags(self, tags: _Str) -> None:
        """Sets the tag (one; consumers filter on it)."""
        ffi_check(lib.rmq_message_set_tags(self._ptr, to_bytes(tags, "tags")), InvalidArgument)

    def set_body(self, body: Union[str, bytes, bytearray, memoryview]) -> None:
        """Sets the body; ``str`` is encoded as UTF-8. Bodies may hold any bytes, NUL included."""
        data = to_bytes(body, "body")
        ffi_check(lib.rmq_message_set_body(self._ptr, data, len(data)), InvalidArgument)

    def set_property(self, key: Union[_Str, MessageProperty], value: Any) -> None:
        """Sets a user property (consumers' SQL92 selectors filter on them)."""
        ffi_check(
            lib.rmq_message_set_property(self._ptr, to_bytes(key, "key"), to_bytes(value, "value")),
            InvalidArgument,
        )

    def set_delay_time_level(self, delay_time_level: int) -> None:
        """Sets the delay level (1 = 1 s ... 18 = 2 h with the broker's default levels; 0: none)."""
        ffi_check(lib.rmq_message_set_delay_level(self._ptr, int(delay_time_level)), InvalidArgument)

    def set_delivery_time(self, when: Union[int, float, _dt.datetime]) -> None:
        """Makes the message visible at ``when``: a ``datetime`` (naive means local time) or
        milliseconds since the Unix epoch (5.x brokers' timer messages)."""
        ffi_check(lib.rmq_message_set_delivery_time(self._ptr, _epoch_ms(when)), InvalidArgument)

    def set_delay(self, seconds: Union[int, float, _dt.timedelta]) -> None:
        """Makes the message visible ``seconds`` from now (a number or a ``timedelta``)."""
        if isinstance(seconds, _dt.timedelta):
            seconds = seconds.total_seconds()
        if seconds < 0:
            raise InvalidArgument("a delay cannot be negative")
        self.set_delivery_time(int(time.time() * 1000 + seconds * 1000))

    def set_sharding_key(self, key: _Str) -> None:
        """Sets the sharding key (``""`` removes it)."""
        ffi_check(lib.rmq_message_set_sharding_key(self._ptr, to_bytes(key, "key")), InvalidArgument)

    def set_flag(self, flag: int) -> None:
        """Sets the user flag, carried as is."""
        ffi_check(lib.rmq_message_set_flag(self._ptr, int(flag)), InvalidArgument)

    @property
    def topic(self) -> str:
        return decode(lib.rmq_message_topic(self._ptr)) or ""

    @property
    def tags(self) -> Optional[str]:
        return decode(lib.rmq_message_tags(self._ptr))

    @property
    def keys(self) -> Optional[str]:
        return decode(lib.rmq_message_keys(self._ptr))

    @property
    def body(self) -> bytes:
        n = c_size_t()
        p = lib.rmq_message_body(self._ptr, byref(n))
        return ctypes.string_at(p, n.value) if p else b""

    def get_property(self, key: Union[_Str, MessageProperty]) -> Optional[str]:
        return decode(lib.rmq_message_property(self._ptr, to_bytes(key, "key")))

    def __repr__(self) -> str:
        return "<Message topic=%r tags=%r keys=%r body=%r>" % (self.topic, self.tags, self.keys, self.body)


class ReceivedMessage:
    """A received message, as in 2.x: ``topic`` and ``id`` are ``str``; ``tags``, ``keys``,
    ``body`` and ``get_property()`` are ``bytes`` (``b''`` when absent).

    A message passed to a listener or a checker is valid after the callback returns only if
    the callback kept a reference to it (it is then copied when the callback returns).
    """

    __slots__ = ("_handle", "_owner", "_owned", "__weakref__")

    def __init__(self, handle: int, _owner: Any = None, _owned: bool = False) -> None:
        self._handle: Optional[int] = handle
        self._owner = _owner  # keeps the memory of borrowed views alive (poll batches)
        self._owned = _owned

    def __del__(self) -> None:
        h = getattr(self, "_handle", None)
        if h and getattr(self, "_owned", False):
            self._handle = None
            lib.rmq_message_view_free(h)

    def _h(self) -> int:
        h = self._handle
        if h is None:
            raise IllegalState(
                "this message was borrowed by a callback that has returned; keep a reference to it "
                "inside the callback or use clone()"
            )
        return h

    def _detach(self) -> None:
        """Replaces a borrowed view with an owned copy (called when its callback returns)."""
        h = self._handle
        if h is not None and not self._owned:
            self._handle = lib.rmq_message_view_clone(h)
            self._owned = True
            self._owner = None

    def clone(self) -> "ReceivedMessage":
        """An independent copy that stays valid as long as it is referenced."""
        return ReceivedMessage(lib.rmq_message_view_clone(self._h()), None, True)

    # -- the 2.x attributes --

    @property
    def topic(self) -> str:
        return decode(lib.rmq_message_view_topic(self._h())) or ""

    @property
    def tags(self) -> bytes:
        return lib.rmq_message_view_tags(self._h()) or b""

    @property
    def keys(self) -> bytes:
        return lib.rmq_message_view_keys(self._h()) or b""

    @property
    def body(self) -> bytes:
        n = c_size_t()
        p = lib.rmq_message_view_body(self._h(), byref(n))
        return ctypes.string_at(p, n.value) if p else b""

    @property
    def id(self) -> str:
        return decode(lib.rmq_message_view_msg_id(self._h())) or ""

    @property
    def delay_time_level(self) -> int:
        raw = lib.rmq_message_view_property(self._h(), b"DELAY")
        try:
            return int(raw) if raw else 0
        except ValueError:
            return 0

    @property
    def queue_id(self) -> int:
        return lib.rmq_message_view_queue_id(self._h())

    @property
    def reconsume_times(self) -> int:
        return lib.rmq_message_view_reconsume_times(self._h())

    @property
    def store_size(self) -> int:
        return lib.rmq_message_view_store_size(self._h())

    @property
    def born_timestamp(self) -> int:
        return lib.rmq_message_view_born_timestamp(self._h())

    @property
    def store_timestamp(self) -> int:
        return lib.rmq_message_view_store_timestamp(self._h())

    @property
    def queue_offset(self) -> int:
        return lib.rmq_message_view_queue_offset(self._h())

    @property
    def commit_log_offset(self) -> int:
        return lib.rmq_message_view_commit_log_offset(self._h())

    @property
    def prepared_transaction_offset(self) -> int:
        return lib.rmq_message_view_prepared_transaction_offset(self._h())

    def get_property(self, prop: Union[_Str, MessageProperty]) -> bytes:
        """The property ``prop`` (a name or a :class:`~rocketmq.consts.MessageProperty`), ``b''`` when unset."""
        if isinstance(prop, MessageProperty):
            prop = prop.value
        return lib.rmq_message_view_property(self._h(), to_bytes(prop, "prop")) or b""

    def __getitem__(self, key: Union[_Str, MessageProperty]) -> bytes:
        return self.get_property(key)

    def __str__(self) -> str:
        return self.body.decode("utf-8")

    def __bytes__(self) -> bytes:
        return self.body

    def __repr__(self) -> str:
        if self._handle is None:
            return "<ReceivedMessage (released)>"
        return "<ReceivedMessage topic={} id={} body={}>".format(repr(self.topic), repr(self.id), repr(self.body))

    # -- additions --

    @property
    def offset_msg_id(self) -> str:
        """The broker's offset message id (store host and commit log offset)."""
        return decode(lib.rmq_message_view_offset_msg_id(self._h())) or ""

    @property
    def born_host(self) -> str:
        return decode(lib.rmq_message_view_born_host(self._h())) or ""

    @property
    def store_host(self) -> str:
        return decode(lib.rmq_message_view_store_host(self._h())) or ""

    @property
    def flag(self) -> int:
        return lib.rmq_message_view_flag(self._h())

    @property
    def sys_flag(self) -> int:
        return lib.rmq_message_view_sys_flag(self._h())

    @property
    def body_crc(self) -> int:
        return lib.rmq_message_view_body_crc(self._h())

    @property
    def transaction_id(self) -> Optional[str]:
        return decode(lib.rmq_message_view_property(self._h(), b"__transactionId__"))

    @property
    def properties(self) -> Dict[str, str]:
        """Every property, system ones included, as text."""
        h = self._h()
        out: Dict[str, str] = {}
        name, value = c_char_p(), c_char_p()
        for i in range(lib.rmq_message_view_property_count(h)):
            if lib.rmq_message_view_property_at(h, i, byref(name), byref(value)):
                out[decode(name.value) or ""] = decode(value.value) or ""
        return out


class _LocalTransactionMessage(ReceivedMessage):
    """The message a transaction's execute callback gets: the message as sent, plus the
    transaction id. Metadata the broker adds on delivery reads as 0."""

    __slots__ = ("_snapshot",)

    def __init__(self, msg: int) -> None:
        super().__init__(msg)
        n = c_size_t()
        p = lib.rmq_message_body(msg, byref(n))
        self._snapshot = {
            "topic": decode(lib.rmq_message_topic(msg)) or "",
            "tags": lib.rmq_message_tags(msg) or b"",
            "keys": lib.rmq_message_keys(msg) or b"",
            "body": ctypes.string_at(p, n.value) if p else b"",
            "id": decode(lib.rmq_message_property(msg, b"UNIQ_KEY")) or "",
            "transaction_id": decode(lib.rmq_message_transaction_id(msg)),
        }

    def __del__(self) -> None:
        pass

    def _detach(self) -> None:
        self._handle = None  # the snapshot stays; properties need the live message

    def clone(self) -> "ReceivedMessage":
        raise IllegalState("the message of a local transaction cannot be cloned")

    topic = property(lambda self: self._snapshot["topic"])  # type: ignore[assignment]
    tags = property(lambda self: self._snapshot["tags"])  # type: ignore[assignment]
    keys = property(lambda self: self._snapshot["keys"])  # type: ignore[assignment]
    body = property(lambda self: self._snapshot["body"])  # type: ignore[assignment]
    id = property(lambda self: self._snapshot["id"])  # type: ignore[assignment]
    transaction_id = property(lambda self: self._snapshot["transaction_id"])  # type: ignore[assignment]

    def get_property(self, prop: Union[_Str, MessageProperty]) -> bytes:
        if isinstance(prop, MessageProperty):
            prop = prop.value
        return lib.rmq_message_property(self._h(), to_bytes(prop, "prop")) or b""

    @property
    def delay_time_level(self) -> int:
        raw = self.get_property("DELAY")
        return int(raw) if raw.isdigit() else 0

    def _zero(self) -> int:
        return 0

    queue_id = reconsume_times = store_size = born_timestamp = store_timestamp = property(_zero)  # type: ignore[assignment]
    queue_offset = commit_log_offset = prepared_transaction_offset = property(_zero)  # type: ignore[assignment]
    flag = sys_flag = body_crc = property(_zero)  # type: ignore[assignment]

    @property
    def properties(self) -> Dict[str, str]:
        raise IllegalState("the properties of a local transaction's message are read one by one with get_property")


def _release_borrowed(m: ReceivedMessage) -> None:
    """Called when a callback that got ``m`` returns: copies it if the callback kept it."""
    # One reference is the caller's local variable, one is getrefcount's argument.
    if sys.getrefcount(m) > 3:
        m._detach()
    else:
        m._handle = None


# --- name servers -----------------------------------------------------------------------------


def _fetch_name_servers(domain: str, timeout: float = 5.0) -> str:
    """Name server addresses from an address server, as rocketmq-client-cpp's
    ``SetProducerNameServerDomain`` (``http://<domain>:8080/rocketmq/nsaddr`` unless a URL is given)."""
    url = domain if "://" in domain else "http://%s:8080/rocketmq/nsaddr" % domain
    with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 - user-chosen address server
        text = resp.read().decode("utf-8", "replace")
    addrs = ";".join(a.strip() for a in text.replace("\n", ";").split(";") if a.strip())
    if not addrs:
        raise RocketMQException("the address server at %s returned no name server" % url)
    return addrs


# --- common client behaviour ------------------------------------------------------------------


class _Client:
    """Settings kept until start, the native handle, start/shutdown, context manager."""

    _what = "client"
    _start_exc: Type[RocketMQException] = RocketMQException
    _is_consumer = False

    def __init__(self, group_id: _Str) -> None:
        self._settings: Dict[str, str] = {}
        self._namesrv_domain: Optional[str] = None
        self._handle: Optional[Handle] = None
        self._state = threading.RLock()
        #: A strategy of your own (consumers), handed to the library at start.
        self._allocate: Optional[AllocateFunction] = None
        self._set("group", to_text(group_id, "group_id"))

    # -- settings --

    def _set(self, key: str, value: Any) -> None:
        text = to_text(value, key)
        with self._state:
            if self._handle is not None:
                raise IllegalState("%s cannot change after start(); call it before start()" % key)
            validate_setting(key, text)
            self._settings[key] = text
            if key == "allocate.strategy":
                self._allocate = None

    def _configure(self, cfg: int) -> None:
        """Hands the native config what is not a setting: the allocation strategy."""
        strategy = self._allocate
        if strategy is None:
            return
        # The trampoline lives as long as the module; the strategy stays in `callbacks`
        # until the library calls free_user_data (no consumer built from cfg uses it any more).
        key = next_key()
        callbacks[key] = strategy
        err = lib.rmq_config_set_allocate(cfg, _ALLOCATE_TRAMPOLINE, key, FREE_TRAMPOLINE)
        if err:
            callbacks.pop(key, None)  # not kept by the library: free_user_data is not called
            ffi_check(err, self._start_exc)

    def set_config(self, key: str, value: Any) -> None:
        """Sets any library setting by its key (see ``rmq_config_set`` in ``rocketmq.h``)."""
        self._set(key, value)

    def get_config(self, key: str) -> Optional[str]:
        return self._settings.get(key)

    def set_group(self, group_name: _Str) -> None:
        self._set("group", to_text(group_name))

    def set_name_server_address(self, addr: _Str) -> None:
        """Name servers, ``host:port;host:port``."""
        self._set("namesrv.addr", to_text(addr))

    def set_name_server_domain(self, domain: _Str) -> None:
        """An address server to ask for the name servers at start (used when no address is set)."""
        self._namesrv_domain = to_text(domain)

    def set_session_credentials(self, access_key: _Str, access_secret: _Str, channel: _Str = "") -> None:
        """ACL credentials. ``channel`` is accepted for compatibility and not used."""
        self._set("access.key", to_text(access_key))
        self._set("secret.key", to_text(access_secret))

    def set_instance_name(self, name: _Str) -> None:
        self._set("instance.name", to_text(name))

    def set_message_trace(self, message_trace: Union[bool, TraceModel]) -> None:
        """Accepted for compatibility; message tracing is not implemented (OPEN logs a warning)."""
        if message_trace is True or (isinstance(message_trace, TraceModel) and message_trace == TraceModel.OPEN):
            logger.warning("message trace is not supported; set_message_trace is ignored")

    def _native_settings(self) -> Dict[str, str]:
        settings = dict(self._settings)
        if "namesrv.addr" not in settings:
            if self._namesrv_domain:
                try:
                    settings["namesrv.addr"] = _fetch_name_servers(self._namesrv_domain)
                except Exception as e:
                    raise self._start_exc("cannot get the name servers from %s: %s" % (self._namesrv_domain, e)) from e
            elif os.environ.get("NAMESRV_ADDR"):
                settings["namesrv.addr"] = os.environ["NAMESRV_ADDR"]
            else:
                raise self._start_exc("no name server address: call set_name_server_address() before start()")
        return settings

    # -- lifecycle --

    def _create(self, cfg: int) -> Handle:  # pragma: no cover - abstract
        raise NotImplementedError

    def _native_shutdown(self, ptr: int) -> Optional[int]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _acquire(self, exc: Type[RocketMQException]) -> Tuple[Handle, int]:
        """The started handle and its pointer, in use until ``release()``; raises ``exc``
        when not started or shut down."""
        h = self._handle
        if h is None:
            raise not_started(exc, self._what)
        return h, h.acquire(exc)

    def _using(self, exc: Type[RocketMQException]) -> InUse:
        """:meth:`_acquire` for a ``with`` block, which gets the pointer and releases it."""
        return InUse(*self._acquire(exc))

    def start(self) -> None:
        """Connects and starts. Starting a started client does nothing."""
        with self._state:
            if self._handle is not None:
                return
            _runtime.check_not_forked(self._start_exc)
            cfg = build_config(self._native_settings(), self._start_exc)
            try:
                self._configure(cfg)
            except BaseException:
                lib.rmq_config_free(cfg)
                raise
            self._handle = self._create(cfg)
            _runtime.started_any = True
            register(self, self._is_consumer)

    def shutdown(self) -> None:
        """Stops and frees the native client; ``start()`` may be called again later."""
        with self._state:
            h = self._handle
        if h is None:
            return
        try:
            ptr = h.acquire()
        except IllegalState:
            return  # another thread is shutting it down
        try:
            # Not under self._state: listeners may take it while shutdown waits for them.
            err = self._native_shutdown(ptr)
        finally:
            h.release()
        if err and lib.rmq_error_code(err) == _native.RMQ_ERR_INVALID_STATE:
            ffi_check(err, IllegalState)  # called from its own callback: nothing changed
        with self._state:
            if self._handle is h:
                self._handle = None
                unregister(self)
        h.close()
        ffi_check(err)

    def _close_at_exit(self) -> None:
        h = self._handle
        if h is not None:
            self._handle = None
            h.close()

    def __del__(self) -> None:
        h = getattr(self, "_handle", None)
        if h is not None:
            self._handle = None
            try:
                h.close()
            except BaseException:  # pragma: no cover
                pass

    def __enter__(self: _T) -> _T:
        self.start()  # type: ignore[attr-defined]
        return self

    def __exit__(self, exec_type: Any, value: Any, traceback: Any) -> None:
        self.shutdown()

    @property
    def started(self) -> bool:
        return self._handle is not None


class _Consumer(_Client):
    """What push and lite pull consumers share: the message model, where a new group starts,
    the allocation strategy, the pull batch size, and calls on the started native consumer."""

    _is_consumer = True
    #: What a call on a consumer that is not started (or is shut down) raises.
    _call_exc: Type[RocketMQException] = IllegalState
    #: What a call's error raises as (``None``: a class chosen from the error code).
    _call_error_cls: Optional[Type[RocketMQException]] = None

    def __init__(
        self,
        group_id: _Str,
        message_model: MessageModel,
        name_server_address: Optional[_Str],
        consume_from_where: Optional[ConsumeFromWhere],
        allocate_strategy: Optional[Union[AllocateStrategy, AllocateFunction]],
    ) -> None:
        super().__init__(group_id)
        self.set_message_model(message_model)
        if name_server_address is not None:
            self.set_name_server_address(name_server_address)
        if consume_from_where is not None:
            self.set_consume_from_where(consume_from_where)
        if allocate_strategy is not None:
            self.set_allocate_strategy(allocate_strategy)

    # -- settings --

    def set_message_model(self, model: MessageModel) -> None:
        model = MessageModel(model)
        self._set("message.model", "broadcasting" if model == MessageModel.BROADCASTING else "clustering")

    def set_consume_from_where(
        self, where: Union[ConsumeFromWhere, str], timestamp: Optional[Union[int, _dt.datetime]] = None
    ) -> None:
        """Where a group with no stored offset starts; ``timestamp`` (ms or a datetime) for TIMESTAMP."""
        self._set("consume.from.where", _enum_text(where))
        if timestamp is not None:
            self._set("consume.timestamp", _epoch_ms(timestamp))

    def set_allocate_strategy(self, strategy: Union[AllocateStrategy, str, AllocateFunction]) -> None:
        """How the group's consumers share the queues of subscribed topics (clustering): an
        :class:`AllocateStrategy`, which the library runs, or a function (see
        :data:`AllocateFunction`, :func:`allocate_by_config`, :func:`allocate_by_machine_room`),
        which the library calls on a thread of its own at each rebalance. An exception in the
        function is logged and the consumer keeps its queues until a later rebalance succeeds."""
        if not callable(strategy):  # AllocateStrategy members and names are not callable
            self._set("allocate.strategy", _enum_text(strategy))
            return
        with self._state:
            if self._handle is not None:
                raise IllegalState("the allocation strategy cannot change after start(); call it before start()")
            self._settings.pop("allocate.strategy", None)
            self._allocate = strategy

    def set_pull_batch_size(self, size: int) -> None:
        """Most messages per pull (default 32 for a push consumer; 10 for a lite pull consumer,
        which also returns at most that many per poll)."""
        self._set("pull.batch.size", int(size))

    # -- calls on the started consumer --

    def _call(self, fn: Callable[..., Optional[int]], *args: Any) -> None:
        with self._using(self._call_exc) as ptr:
            err = fn(ptr, *args)
        ffi_check(err, self._call_error_cls)


# --- producers --------------------------------------------------------------------------------


def _on_send(user_data: Optional[int], result: Optional[int], error: Optional[int]) -> None:
    try:
        entry = callbacks.pop(user_data or 0, None)
        if entry is None:
            return
        future, callback = entry
        res: Optional[SendResult] = None
        exc: Optional[RocketMQException] = None
        if error:
            exc = _error_from(error, ProducerSendAsyncFailed)
        else:
            res = _read_result(result or 0)
        if callback is not None:
            try:
                callback(res, exc)
            except BaseException:
                logger.exception("an async send callback raised")
        if res is not None:
            future.set_result(res)
        else:
            future.set_exception(exc)
    except BaseException:  # never raise into C
        try:
            logger.exception("async send completion failed")
        except BaseException:
            pass


_SEND_TRAMPOLINE = _native.SEND_CB(_on_send)


def _on_select(user_data: Optional[int], msg: Optional[int], queues: Any, count: int) -> int:
    try:
        selector, arg = callbacks[user_data or 0]
        mqs = [MessageQueue._from_native(queues[i]) for i in range(count)]
        chosen = selector(mqs, msg, arg)
        if isinstance(chosen, MessageQueue):
            return mqs.index(chosen)
        return int(chosen)
    except BaseException:
        logger.exception("a queue selector raised")
        return count  # out of range: the send fails with an error


_SELECT_TRAMPOLINE = _native.QUEUE_SELECTOR_CB(_on_select)

SendCallback = Callable[[Optional[SendResult], Optional[RocketMQException]], None]


class Producer(_Client):
    """A producer (rocketmq-client-python 2.x ``Producer``).

    ``timeout`` is the send timeout in milliseconds, retries included; ``compress_level``
    the zlib level of bodies over the compression threshold; ``max_message_size`` in bytes.
    ``orderly`` is kept for compatibility: every producer can send in order by sharding key.
    """

    _what = "producer"
    _start_exc = ProducerStartFailed

    def __init__(
        self,
        group_id: _Str,
        orderly: bool = False,
        timeout: Optional[int] = None,
        compress_level: Optional[int] = None,
        max_message_size: Optional[int] = None,
        *,
        name_server_address: Optional[_Str] = None,
        retry_times: Optional[int] = None,
    ) -> None:
        super().__init__(group_id)
        self._orderly = bool(orderly)
        if timeout is not None:
            self.set_timeout(timeout)
        if compress_level is not None:
            self.set_compress_level(compress_level)
        if max_message_size is not None:
            self.set_max_message_size(max_message_size)
        if name_server_address is not None:
            self.set_name_server_address(name_server_address)
        if retry_times is not None:
            self.set_retry_times(retry_times)

    # -- settings --

    def set_timeout(self, timeout: int) -> None:
        """The send timeout in milliseconds (retries included)."""
        self._set("send.timeout.ms", int(timeout))

    def set_compress_level(self, level: int) -> None:
        self._set("compress.level", int(level))

    def set_max_message_size(self, max_size: int) -> None:
        self._set("max.message.bytes", int(max_size))

    def set_retry_times(self, times: int) -> None:
        """Extra attempts after a retriable failure (default 2)."""
        self._set("retry.times", int(times))

    def set_compress_threshold(self, size: int) -> None:
        """Bodies larger than ``size`` bytes are compressed (default 4096)."""
        self._set("compress.threshold.bytes", int(size))

    # -- lifecycle --

    def _create(self, cfg: int) -> Handle:
        out = c_void_p()
        ffi_check(lib.rmq_producer_new(cfg, byref(out)), ProducerStartFailed)
        err = lib.rmq_producer_start(out.value)
        if err:
            lib.rmq_producer_free(out.value)
            ffi_check(err, ProducerStartFailed)
        return Handle(out.value, lib.rmq_producer_free, "producer")  # type: ignore[arg-type]

    def _native_shutdown(self, ptr: int) -> Optional[int]:
        return lib.rmq_producer_shutdown(ptr)

    # -- sends --

    def send_sync(self, msg: Message) -> SendResult:
        """Sends and waits for the broker's answer (retrying retriable failures)."""
        out = c_void_p()
        with self._using(ProducerSendSyncFailed) as ptr:
            err = lib.rmq_producer_send_sync(ptr, msg._ptr, byref(out))
        ffi_check(err, ProducerSendSyncFailed)
        return _take_result(out.value)

    def send_oneway(self, msg: Message) -> None:
        """Sends without waiting for an answer (no retries)."""
        with self._using(ProducerSendOnewayFailed) as ptr:
            err = lib.rmq_producer_send_oneway(ptr, msg._ptr)
        ffi_check(err, ProducerSendOnewayFailed)

    def send_orderly_with_sharding_key(self, msg: Message, sharding_key: _Str) -> SendResult:
        """Sends to the queue chosen by the hash of ``sharding_key``: messages with the same
        key go to the same queue, in order."""
        out = c_void_p()
        with self._using(ProducerSendOrderlyFailed) as ptr:
            err = lib.rmq_producer_send_orderly(ptr, msg._ptr, to_bytes(sharding_key, "sharding_key"), byref(out))
        ffi_check(err, ProducerSendOrderlyFailed)
        return _take_result(out.value)

    def send_orderly(
        self,
        msg: Message,
        selector: Callable[[List[MessageQueue], Any, Any], Union[int, MessageQueue]],
        arg: Any = None,
    ) -> SendResult:
        """Sends to the queue ``selector(queues, msg, arg)`` chooses (an index or a queue);
        the selector runs on this thread before this returns."""

        def select(mqs: List[MessageQueue], _m: Any, a: Any) -> Union[int, MessageQueue]:
            return selector(mqs, msg, a)

        out = c_void_p()
        with self._using(ProducerSendOrderlyFailed) as ptr:
            key = next_key()
            callbacks[key] = (select, arg)
            try:
                err = lib.rmq_producer_send_with_selector(ptr, msg._ptr, _SELECT_TRAMPOLINE, key, byref(out))
            finally:
                callbacks.pop(key, None)
        ffi_check(err, ProducerSendOrderlyFailed)
        return _take_result(out.value)

    def send_to_queue(self, msg: Message, queue: MessageQueue) -> SendResult:
        """Sends to ``queue`` (one of :meth:`queues`)."""
        out = c_void_p()
        with self._using(ProducerSendSyncFailed) as ptr, _NativeQueues([queue]) as q:
            err = lib.rmq_producer_send_to_queue(ptr, msg._ptr, q.ptrs[0], byref(out))
        ffi_check(err, ProducerSendSyncFailed)
        return _take_result(out.value)

    def send_batch(self, msgs: Sequence[Message]) -> SendResult:
        """Sends several messages of one topic as one batch; ``msg_id`` lists their ids, comma-separated."""
        out = c_void_p()
        with self._using(ProducerSendBatchFailed) as ptr:
            arr = c_array(m._ptr for m in msgs)  # type: ignore[misc]
            err = lib.rmq_producer_send_batch(ptr, arr, len(msgs), byref(out))
        ffi_check(err, ProducerSendBatchFailed)
        return _take_result(out.value)

    def send_async(self, msg: Message, callback: Optional[SendCallback] = None) -> SendFuture:
        """Sends without waiting. Returns a :class:`SendFuture` (``.result()``, or ``await`` it);
        ``callback(result, exception)`` (one of them ``None``) runs first, on the library's
        callback thread, exactly once."""
        with self._using(ProducerSendAsyncFailed) as ptr:
            future = SendFuture()
            future.set_running_or_notify_cancel()
            key = next_key()
            callbacks[key] = (future, callback)
            err = lib.rmq_producer_send_async(ptr, msg._ptr, _SEND_TRAMPOLINE, key, NO_FREE)
        if err:
            callbacks.pop(key, None)
            ffi_check(err, ProducerSendAsyncFailed)
        return future

    def request(self, msg: Message, timeout: float = 3.0) -> ReceivedMessage:
        """Sends ``msg`` as a request and waits up to ``timeout`` seconds for the reply."""
        out = c_void_p()
        with self._using(ProducerException) as ptr:
            err = lib.rmq_producer_request(ptr, msg._ptr, max(1, int(timeout * 1000)), byref(out))
        ffi_check(err, ProducerException)
        return ReceivedMessage(out.value, None, True)  # type: ignore[arg-type]

    def queues(self, topic: _Str) -> List[MessageQueue]:
        """The writable queues of ``topic``."""
        arr = ctypes.POINTER(c_void_p)()
        n = c_size_t()
        with self._using(ProducerException) as ptr:
            err = lib.rmq_producer_queues(ptr, to_bytes(topic, "topic"), byref(arr), byref(n))
        ffi_check(err, ProducerException)
        return _take_queues(arr, n.value)


# --- transaction producer ---------------------------------------------------------------------


def _to_native_tx(status: Any, what: str) -> int:
    try:
        return _TX_TO_NATIVE[TransactionStatus(status)]
    except (ValueError, KeyError, TypeError):
        logger.error("%s returned %r; use TransactionStatus (treated as UNKNOWN)", what, status)
        return _native.RMQ_TRANSACTION_UNKNOWN


def _on_execute(user_data: Optional[int], msg: Optional[int], arg: Optional[int]) -> int:
    try:
        entry = callbacks.get(arg or 0)
        if entry is None:
            return _native.RMQ_TRANSACTION_UNKNOWN
        local_execute, user_args = entry
        m = _LocalTransactionMessage(msg or 0)
        try:
            with callback_scope:
                status = local_execute(m, user_args)
        except BaseException:
            logger.exception("a local transaction callback raised (the outcome is left UNKNOWN)")
            return _native.RMQ_TRANSACTION_UNKNOWN
        finally:
            _release_borrowed(m)
        return _to_native_tx(status, "a local transaction callback")
    except BaseException:  # never raise into C
        return _native.RMQ_TRANSACTION_UNKNOWN


def _on_check(user_data: Optional[int], view: Optional[int]) -> int:
    try:
        checker = callbacks.get(user_data or 0)
        if checker is None:
            return _native.RMQ_TRANSACTION_UNKNOWN
        m = ReceivedMessage(view or 0)
        try:
            with callback_scope:
                status = checker(m)
        except BaseException:
            logger.exception("a transaction check callback raised (answered UNKNOWN)")
            return _native.RMQ_TRANSACTION_UNKNOWN
        finally:
            _release_borrowed(m)
        return _to_native_tx(status, "a transaction check callback")
    except BaseException:  # never raise into C
        return _native.RMQ_TRANSACTION_UNKNOWN


_EXECUTE_TRAMPOLINE = _native.TRANSACTION_EXECUTE_CB(_on_execute)
_CHECK_TRAMPOLINE = _native.TRANSACTION_CHECK_CB(_on_check)


class TransactionMQProducer(Producer):
    """A transaction producer (2.x ``TransactionMQProducer``).

    ``checker_callback(msg)`` answers the broker's question about a half message whose
    outcome was left UNKNOWN; it runs on the producer's checker thread and returns a
    :class:`TransactionStatus`. An exception in it is logged and answers UNKNOWN.
    Plain sends (``send_sync`` ...) go through a companion producer of the same group.
    """

    _what = "transaction producer"

    def __init__(
        self,
        group_id: _Str,
        checker_callback: Callable[[ReceivedMessage], TransactionStatus],
        user_args: Any = None,
        timeout: Optional[int] = None,
        compress_level: Optional[int] = None,
        max_message_size: Optional[int] = None,
        *,
        name_server_address: Optional[_Str] = None,
    ) -> None:
        super().__init__(
            group_id,
            False,
            timeout,
            compress_level,
            max_message_size,
            name_server_address=name_server_address,
        )
        self._checker = checker_callback
        self._user_args = user_args
        self._companion: Optional[Producer] = None

    def _create(self, cfg: int) -> Handle:
        key = next_key()
        callbacks[key] = self._checker
        out = c_void_p()
        # On failure the library has already called free_user_data (forgetting the key).
        ffi_check(
            lib.rmq_transaction_producer_new(cfg, _EXECUTE_TRAMPOLINE, _CHECK_TRAMPOLINE, key, FREE_TRAMPOLINE, byref(out)),
            ProducerStartFailed,
        )
        err = lib.rmq_transaction_producer_start(out.value)
        if err:
            lib.rmq_transaction_producer_free(out.value)
            ffi_check(err, ProducerStartFailed)
        return Handle(out.value, lib.rmq_transaction_producer_free, "transaction producer")  # type: ignore[arg-type]

    def _native_shutdown(self, ptr: int) -> Optional[int]:
        return lib.rmq_transaction_producer_shutdown(ptr)

    def shutdown(self) -> None:
        with self._state:
            companion, self._companion = self._companion, None
        try:
            super().shutdown()
        finally:
            if companion is not None:
                companion.shutdown()

    def _acquire(self, exc: Type[RocketMQException]) -> Tuple[Handle, int]:
        with self._state:
            if self._handle is None:
                raise not_started(exc, self._what)
            if self._companion is None:
                companion = Producer(self._settings["group"])
                companion._settings = dict(self._settings)
                companion._namesrv_domain = self._namesrv_domain
                companion.start()
                self._companion = companion
            companion = self._companion
        return companion._acquire(exc)

    def send_message_in_transaction(
        self,
        message: Message,
        local_execute: Callable[[ReceivedMessage, Any], TransactionStatus],
        user_args: Any = None,
    ) -> SendResult:
        """Sends a half message, runs ``local_execute(msg, user_args)`` on this thread, then
        commits, rolls back or leaves the outcome to the checker (UNKNOWN). An exception in
        ``local_execute`` is logged and counts as UNKNOWN. The result's
        ``transaction_status`` tells the outcome."""
        h, ptr = _Client._acquire(self, ProducerSendTransactionFailed)  # its own handle, not the companion's
        key = next_key()
        callbacks[key] = (local_execute, user_args)
        out = c_void_p()
        try:
            err = lib.rmq_transaction_producer_send_in_transaction(ptr, message._ptr, key, byref(out))
        finally:
            callbacks.pop(key, None)
            h.release()
        ffi_check(err, ProducerSendTransactionFailed)
        return _take_result(out.value, transactional=True)


# --- push consumer ----------------------------------------------------------------------------


class _Subscription:
    __slots__ = ("topic", "callback", "selector", "batch", "orderly")

    def __init__(self, topic: str, callback: Callable[..., Any], selector: MessageSelector, batch: bool, orderly: bool):
        self.topic = topic
        self.callback = callback
        self.selector = selector
        self.batch = batch
        self.orderly = orderly


def _status_ok(status: Any, orderly: bool) -> bool:
    """True for success; logs and returns False for anything that is not a known status."""
    if status is not None and not isinstance(status, bool):
        try:
            value = int(status)
        except (TypeError, ValueError):
            value = -1
        if value == 0:
            return True
        if value == 1:
            return False
    logger.error(
        "a listener returned %r; return ConsumeStatus.CONSUME_SUCCESS or ConsumeStatus.RECONSUME_LATER "
        "(treated as %s)",
        status,
        "SUSPEND_CURRENT_QUEUE_A_MOMENT" if orderly else "RECONSUME_LATER",
    )
    return False


def _consume(sub: _Subscription, msgs: Any, count: int) -> int:
    """Runs the listener over a batch: the number of messages consumed from the start."""
    callback = sub.callback
    if sub.batch:
        batch = [ReceivedMessage(msgs[i]) for i in range(count)]
        try:
            with callback_scope:
                status = callback(batch)
        except BaseException:
            logger.exception("a message listener raised (the batch is consumed again later)")
            status = None
            ok = False
        else:
            ok = _status_ok(status, sub.orderly)
        finally:
            kept_list = sys.getrefcount(batch) > 2  # the local variable and the argument
            for m in batch:
                if kept_list or sys.getrefcount(m) > 3:  # the list and the loop variable hold it too
                    m._detach()
                else:
                    m._handle = None
            del batch
        return count if ok else 0
    for i in range(count):
        m = ReceivedMessage(msgs[i])
        try:
            with callback_scope:
                status = callback(m)
        except BaseException:
            logger.exception("a message listener raised (the message is consumed again later)")
            return i
        finally:
            _release_borrowed(m)
        if not _status_ok(status, sub.orderly):
            return i
    return count


def _on_consume(user_data: Optional[int], msgs: Any, count: int, ack_index: Any) -> int:
    try:
        sub = callbacks.get(user_data or 0)
        if sub is None:
            return _native.RMQ_RECONSUME_LATER
        done = _consume(sub, msgs, count)
        if done == count:
            return _native.RMQ_CONSUME_SUCCESS
        if done == 0:
            return _native.RMQ_RECONSUME_LATER
        ack_index[0] = done - 1  # the first `done` were consumed; the rest come again
        return _native.RMQ_CONSUME_SUCCESS
    except BaseException:  # never raise into C
        return _native.RMQ_RECONSUME_LATER


def _on_consume_orderly(user_data: Optional[int], msgs: Any, count: int) -> int:
    try:
        sub = callbacks.get(user_data or 0)
        if sub is None:
            return _native.RMQ_SUSPEND_CURRENT_QUEUE_A_MOMENT
        if _consume(sub, msgs, count) == count:
            return _native.RMQ_ORDERLY_SUCCESS
        return _native.RMQ_SUSPEND_CURRENT_QUEUE_A_MOMENT
    except BaseException:  # never raise into C
        return _native.RMQ_SUSPEND_CURRENT_QUEUE_A_MOMENT


_CONSUME_TRAMPOLINE = _native.CONSUME_CB(_on_consume)
_CONSUME_ORDERLY_TRAMPOLINE = _native.CONSUME_ORDERLY_CB(_on_consume_orderly)

MessageListener = Callable[[ReceivedMessage], Union[ConsumeStatus, int]]


class PushConsumer(_Consumer):
    """A push consumer (2.x ``PushConsumer``): the library pulls and calls the listener of
    each subscribed topic on its consume threads.

    A listener gets one :class:`ReceivedMessage` and returns a :class:`ConsumeStatus`.
    An exception or any other return value is logged and counts as ``RECONSUME_LATER``
    (orderly: the queue is suspended a moment and the message delivered again). With a
    batch size over 1 the listener still gets one message at a time; the messages before a
    failed one count as consumed. ``subscribe(..., batch=True)`` hands it whole batches.
    """

    _what = "push consumer"
    _start_exc = PushConsumerStartFailed

    def __init__(
        self,
        group_id: _Str,
        orderly: bool = False,
        message_model: MessageModel = MessageModel.CLUSTERING,
        *,
        name_server_address: Optional[_Str] = None,
        consume_from_where: Optional[ConsumeFromWhere] = None,
        allocate_strategy: Optional[Union[AllocateStrategy, AllocateFunction]] = None,
        thread_count: Optional[int] = None,
    ) -> None:
        super().__init__(group_id, message_model, name_server_address, consume_from_where, allocate_strategy)
        self._orderly = bool(orderly)
        self._subscriptions: Dict[str, _Subscription] = {}
        if thread_count is not None:
            self.set_thread_count(thread_count)

    # -- settings --

    def set_thread_count(self, thread_count: int) -> None:
        """Threads running listeners (default 20)."""
        self._set("consume.thread.count", int(thread_count))

    def set_message_batch_max_size(self, max_size: int) -> None:
        """Most messages per listener call (default 1)."""
        self._set("consume.batch.size", int(max_size))

    def set_max_reconsume_times(self, times: int) -> None:
        """Deliveries before the dead-letter queue (-1: 16 concurrently, unlimited orderly)."""
        self._set("max.reconsume.times", int(times))

    def set_suspend_time(self, millis: int) -> None:
        """Orderly: how long a queue pauses after a failed batch (default 1000 ms)."""
        self._set("suspend.current.queue.time.ms", int(millis))

    # -- subscriptions --

    def subscribe(
        self,
        topic: _Str,
        callback: Callable[..., Any],
        expression: Union[_Str, MessageSelector] = "*",
        *,
        expression_type: Optional[ExpressionType] = None,
        batch: bool = False,
    ) -> None:
        """Subscribes ``topic`` with a tag expression (``"*"``, ``"TagA || TagB"``), an SQL92
        selector (``MessageSelector.by_sql(...)`` or ``expression_type=ExpressionType.SQL92``)
        and its own listener. Subscribing a topic again replaces both. Allowed after start."""
        sub = _Subscription(
            to_text(topic, "topic"), callback, _selector(expression, expression_type), bool(batch), self._orderly
        )
        with self._state:
            if self._handle is not None:
                self._call(self._register, sub)
            self._subscriptions[sub.topic] = sub

    def unsubscribe(self, topic: _Str) -> None:
        t = to_text(topic, "topic")
        with self._state:
            self._subscriptions.pop(t, None)
            if self._handle is not None:
                self._call(lib.rmq_push_consumer_unsubscribe, t.encode())

    def _register(self, ptr: int, sub: _Subscription) -> None:
        key = next_key()
        callbacks[key] = sub
        sql = sub.selector.type == ExpressionType.SQL92
        if sub.orderly:
            fn = lib.rmq_push_consumer_subscribe_orderly_sql92 if sql else lib.rmq_push_consumer_subscribe_orderly
            trampoline: Any = _CONSUME_ORDERLY_TRAMPOLINE
        else:
            fn = lib.rmq_push_consumer_subscribe_sql92 if sql else lib.rmq_push_consumer_subscribe
            trampoline = _CONSUME_TRAMPOLINE
        err = fn(ptr, sub.topic.encode(), sub.selector.expression.encode(), trampoline, key, FREE_TRAMPOLINE)
        if err:
            callbacks.pop(key, None)  # not kept by the library: free_user_data is not called
            ffi_check(err)

    # -- lifecycle --

    def _create(self, cfg: int) -> Handle:
        out = c_void_p()
        ffi_check(lib.rmq_push_consumer_new(cfg, byref(out)), PushConsumerStartFailed)
        ptr: int = out.value  # type: ignore[assignment]
        try:
            for sub in self._subscriptions.values():
                self._register(ptr, sub)
            ffi_check(lib.rmq_push_consumer_start(ptr), PushConsumerStartFailed)
        except RocketMQException as e:
            lib.rmq_push_consumer_free(ptr)
            if not isinstance(e, PushConsumerStartFailed):
                raise PushConsumerStartFailed(str(e)) from e
            raise
        except BaseException:
            lib.rmq_push_consumer_free(ptr)
            raise
        return Handle(ptr, lib.rmq_push_consumer_free, "push consumer")

    def _native_shutdown(self, ptr: int) -> Optional[int]:
        return lib.rmq_push_consumer_shutdown(ptr)

    def pause(self) -> None:
        """Stops pulling (messages already fetched are still consumed)."""
        self._call(lib.rmq_push_consumer_pause)

    def resume(self) -> None:
        self._call(lib.rmq_push_consumer_resume)

    def assigned_queues(self) -> List[MessageQueue]:
        """The queues this consumer owns now."""
        arr = ctypes.POINTER(c_void_p)()
        n = c_size_t()
        self._call(lib.rmq_push_consumer_assigned_queues, byref(arr), byref(n))
        return _take_queues(arr, n.value)


# --- lite pull consumer -----------------------------------------------------------------------


class _PollBatch:
    """Owns the array of views one poll returned; its messages keep it alive."""

    __slots__ = ("arr", "count", "__weakref__")

    def __init__(self, arr: Any, count: int) -> None:
        self.arr = arr
        self.count = count

    def __del__(self) -> None:
        arr, self.arr = self.arr, None
        if arr:
            lib.rmq_message_views_free(arr, self.count)


class LitePullConsumer(_Consumer):
    """A lite pull consumer: the library pulls in the background and :meth:`poll` hands the
    messages out on the caller's thread (no callbacks). Subscribe (the group shares the
    queues) or assign queues, then start, then poll. With ``auto_commit`` (the default) what
    earlier polls returned is committed now and then; otherwise call :meth:`commit`.
    """

    _what = "pull consumer"
    _start_exc = PullConsumerStartFailed
    _call_exc = PullConsumerException
    _call_error_cls = PullConsumerException

    #: The longest single wait inside poll(), so Ctrl-C is seen promptly.
    POLL_SLICE = 0.2

    def __init__(
        self,
        group_id: _Str,
        message_model: MessageModel = MessageModel.CLUSTERING,
        *,
        name_server_address: Optional[_Str] = None,
        consume_from_where: Optional[ConsumeFromWhere] = None,
        allocate_strategy: Optional[Union[AllocateStrategy, AllocateFunction]] = None,
        auto_commit: Optional[bool] = None,
        pull_batch_size: Optional[int] = None,
    ) -> None:
        super().__init__(group_id, message_model, name_server_address, consume_from_where, allocate_strategy)
        self._topics: Dict[str, MessageSelector] = {}
        self._assigned: Optional[List[MessageQueue]] = None
        if auto_commit is not None:
            self.set_auto_commit(auto_commit)
        if pull_batch_size is not None:
            self.set_pull_batch_size(pull_batch_size)

    # -- settings --

    def set_auto_commit(self, enabled: bool) -> None:
        self._set("auto.commit", bool(enabled))

    # -- what to consume --

    def subscribe(
        self,
        topic: _Str,
        expression: Union[_Str, MessageSelector] = "*",
        *,
        expression_type: Optional[ExpressionType] = None,
    ) -> None:
        """Subscribes ``topic`` (tags, or SQL92 with ``MessageSelector.by_sql``); the group
        shares its queues. Cannot be mixed with :meth:`assign`."""
        t = to_text(topic, "topic")
        sel = _selector(expression, expression_type)
        with self._state:
            if self._assigned is not None:
                raise IllegalState("subscribe() cannot be mixed with assign()")
            h = self._handle
            if h is not None:
                self._call(self._subscribe_native, t, sel)
            self._topics[t] = sel

    @staticmethod
    def _subscribe_native(ptr: int, topic: str, sel: MessageSelector) -> Optional[int]:
        fn = lib.rmq_pull_consumer_subscribe_sql92 if sel.type == ExpressionType.SQL92 else lib.rmq_pull_consumer_subscribe
        return fn(ptr, topic.encode(), sel.expression.encode())

    def unsubscribe(self, topic: _Str) -> None:
        t = to_text(topic, "topic")
        with self._state:
            self._topics.pop(t, None)
            if self._handle is not None:
                self._call(lib.rmq_pull_consumer_unsubscribe, t.encode())

    def assign(self, queues: Iterable[MessageQueue]) -> None:
        """Consumes exactly these queues (no rebalancing). Cannot be mixed with :meth:`subscribe`."""
        qs = [q if isinstance(q, MessageQueue) else MessageQueue(*q) for q in queues]
        _NativeQueues(qs).close()  # checks them now
        with self._state:
            if self._topics:
                raise IllegalState("assign() cannot be mixed with subscribe()")
            if self._handle is not None:
                self._call(self._assign_native, qs)
            self._assigned = qs

    @staticmethod
    def _assign_native(ptr: int, queues: List[MessageQueue]) -> Optional[int]:
        with _NativeQueues(queues) as q:
            return lib.rmq_pull_consumer_assign(ptr, q.array, q.count)

    # -- lifecycle --

    def _create(self, cfg: int) -> Handle:
        out = c_void_p()
        ffi_check(lib.rmq_pull_consumer_new(cfg, byref(out)), PullConsumerStartFailed)
        ptr: int = out.value  # type: ignore[assignment]
        try:
            for topic, sel in self._topics.items():
                ffi_check(self._subscribe_native(ptr, topic, sel), PullConsumerStartFailed)
            if self._assigned is not None:
                ffi_check(self._assign_native(ptr, self._assigned), PullConsumerStartFailed)
            ffi_check(lib.rmq_pull_consumer_start(ptr), PullConsumerStartFailed)
        except BaseException:
            lib.rmq_pull_consumer_free(ptr)
            raise
        return Handle(ptr, lib.rmq_pull_consumer_free, "pull consumer")

    def _native_shutdown(self, ptr: int) -> Optional[int]:
        return lib.rmq_pull_consumer_shutdown(ptr)

    # -- consuming --

    def poll(self, timeout: float = 1.0) -> List[ReceivedMessage]:
        """Waits up to ``timeout`` seconds for messages and returns the next batch (messages
        of one queue, in order), or ``[]``. Ctrl-C interrupts the wait."""
        deadline = time.monotonic() + max(0.0, timeout)
        arr = ctypes.POINTER(c_void_p)()
        n = c_size_t()
        while True:
            remaining = deadline - time.monotonic()
            slice_ms = int(max(0.0, min(remaining, self.POLL_SLICE)) * 1000)
            self._call(lib.rmq_pull_consumer_poll, slice_ms, byref(arr), byref(n))
            if n.value:
                batch = _PollBatch(arr, n.value)
                return [ReceivedMessage(arr[i], batch) for i in range(n.value)]
            if remaining <= self.POLL_SLICE:
                return []

    def __iter__(self) -> Iterator[ReceivedMessage]:
        """Polls forever, one message at a time."""
        while True:
            for m in self.poll(self.POLL_SLICE * 5):
                yield m

    def pull_from(
        self,
        queue: MessageQueue,
        offset: int,
        max_num: int = 32,
        expression: Optional[_Str] = None,
        timeout: float = 3.0,
    ) -> PullResult:
        """Pulls once from ``queue`` (any queue of a topic, see :meth:`fetch_message_queues`) at
        ``offset``: up to ``max_num`` messages matching the tag ``expression`` (``None``: this
        consumer's subscription of the queue's topic, tags or SQL92, or every message of a topic
        it does not subscribe), waiting up to ``timeout`` seconds. Outside the consumer's
        buffering: nothing is committed and :meth:`poll` is not affected."""
        info = _native.PullInfo()
        arr = ctypes.POINTER(c_void_p)()
        n = c_size_t()
        with _NativeQueues([queue]) as nq:
            self._call(
                lib.rmq_pull_consumer_pull_from,
                nq.ptrs[0],
                None if expression is None else to_bytes(expression, "expression"),
                int(offset),
                int(max_num),
                int(timeout * 1000),
                byref(info),
                byref(arr),
                byref(n),
            )
        msgs: List[ReceivedMessage] = []
        if n.value:
            batch = _PollBatch(arr, n.value)
            msgs = [ReceivedMessage(arr[i], batch) for i in range(n.value)]
        return PullResult(
            PullStatus(info.status), info.next_begin_offset, info.min_offset, info.max_offset, msgs
        )

    def commit(self, offsets: Optional[Mapping[MessageQueue, int]] = None) -> None:
        """Commits what polls returned so far (or the given next offsets per queue) and waits
        until the broker (broadcasting: the local file) has them."""
        if offsets is None:
            self._call(lib.rmq_pull_consumer_commit)
            return
        for q, off in offsets.items():
            with _NativeQueues([q]) as nq:
                self._call(lib.rmq_pull_consumer_commit_offset, nq.ptrs[0], int(off))

    def committed(self, queue: MessageQueue) -> Optional[int]:
        """The committed next offset of ``queue``, or ``None`` when nothing was committed."""
        off = c_int64()
        with _NativeQueues([queue]) as nq:
            self._call(lib.rmq_pull_consumer_committed, nq.ptrs[0], byref(off))
        return None if off.value < 0 else off.value

    def seek(self, queue: MessageQueue, offset: int) -> None:
        with _NativeQueues([queue]) as nq:
            self._call(lib.rmq_pull_consumer_seek, nq.ptrs[0], int(offset))

    def seek_to_beginning(self, queue: MessageQueue) -> None:
        with _NativeQueues([queue]) as nq:
            self._call(lib.rmq_pull_consumer_seek_to_beginning, nq.ptrs[0])

    def seek_to_end(self, queue: MessageQueue) -> None:
        with _NativeQueues([queue]) as nq:
            self._call(lib.rmq_pull_consumer_seek_to_end, nq.ptrs[0])

    def seek_to_timestamp(self, queue: MessageQueue, timestamp: Union[int, _dt.datetime]) -> None:
        """Continues ``queue`` at its first message stored at or after ``timestamp`` (ms or a datetime)."""
        with _NativeQueues([queue]) as nq:
            self._call(lib.rmq_pull_consumer_seek_to_timestamp, nq.ptrs[0], _epoch_ms(timestamp))

    def pause(self, queues: Iterable[MessageQueue]) -> None:
        with _NativeQueues(queues) as nq:
            self._call(lib.rmq_pull_consumer_pause, nq.array, nq.count)

    def resume(self, queues: Iterable[MessageQueue]) -> None:
        with _NativeQueues(queues) as nq:
            self._call(lib.rmq_pull_consumer_resume, nq.array, nq.count)

    def fetch_message_queues(self, topic: _Str) -> List[MessageQueue]:
        """The queues of ``topic`` from its route."""
        arr = ctypes.POINTER(c_void_p)()
        n = c_size_t()
        self._call(lib.rmq_pull_consumer_fetch_queues, to_bytes(topic, "topic"), byref(arr), byref(n))
        return _take_queues(arr, n.value)

    def assignment(self) -> List[MessageQueue]:
        """The queues consumed now (assigned, or from rebalancing)."""
        arr = ctypes.POINTER(c_void_p)()
        n = c_size_t()
        self._call(lib.rmq_pull_consumer_assignment, byref(arr), byref(n))
        return _take_queues(arr, n.value)


#: Another name for :class:`LitePullConsumer`.
PullConsumer = LitePullConsumer
