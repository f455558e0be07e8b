"""Exceptions: the classes of rocketmq-client-python 2.x, plus a few for what it never had.

Every exception raised for a failed library call carries the library's error code
(:class:`ErrorCode`), the broker's response code (0 when the error did not come from a
server) and whether retrying may help.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Optional

from . import _native

__all__ = [
    "ErrorCode",
    "RocketMQException",
    "NullPointerException",
    "MallocFailed",
    "ProducerException",
    "ProducerStartFailed",
    "ProducerSendSyncFailed",
    "ProducerSendOnewayFailed",
    "ProducerSendOrderlyFailed",
    "ProducerSendAsyncFailed",
    "ProducerSendBatchFailed",
    "ProducerSendTransactionFailed",
    "ConsumerException",
    "PushConsumerStartFailed",
    "PullConsumerStartFailed",
    "PullConsumerException",
    "InvalidArgument",
    "IllegalState",
    "ffi_check",
]


class ErrorCode(IntEnum):
    """The library's error codes (``RMQ_ERR_*``)."""

    OK = 0
    INVALID_ARG = 1
    NULL_ARG = 2
    UNKNOWN_CONFIG = 3
    INVALID_STATE = 4
    NOT_STARTED = 5
    SHUT_DOWN = 6
    BUSY = 7
    TIMEOUT = 8
    NETWORK = 9
    NO_ROUTE = 10
    BROKER = 11
    PROTOCOL = 12
    COMPRESSION = 13
    INTERNAL = 14
    PANIC = 15


class RocketMQException(Exception):
    """RocketMQ exception base class."""

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        #: The library's error code; ``None`` when the error was raised by the binding itself.
        self.code: Optional[ErrorCode] = None
        #: The broker's or name server's response code, 0 when there was none.
        self.response_code: int = 0
        #: Whether retrying the same call may succeed.
        self.retriable: bool = False


class NullPointerException(RocketMQException):
    pass


class MallocFailed(RocketMQException):
    pass


class ProducerException(RocketMQException):
    pass


class ProducerStartFailed(ProducerException):
    pass


class ProducerSendSyncFailed(ProducerException):
    pass


class ProducerSendOnewayFailed(ProducerException):
    pass


class ProducerSendOrderlyFailed(ProducerException):
    pass


class ProducerSendAsyncFailed(ProducerException):
    """An async send failed; ``error`` is the error code, ``type`` its name."""

    def __init__(self, msg: object, error: int = 0, file: str = "", line: int = 0, type: str = "") -> None:
        super().__init__(msg)
        self.error = error
        self.file = file
        self.line = line
        self.type = type


class ProducerSendBatchFailed(ProducerException):
    pass


class ProducerSendTransactionFailed(ProducerException):
    pass


class ConsumerException(RocketMQException):
    pass


class PushConsumerStartFailed(ConsumerException):
    pass


class PullConsumerException(ConsumerException):
    pass


class PullConsumerStartFailed(PullConsumerException):
    pass


class InvalidArgument(RocketMQException, ValueError):
    """An argument or a setting was refused."""


class IllegalState(RocketMQException, RuntimeError):
    """The call is not allowed in the object's current state (e.g. a setting changed after start)."""


def _error_from(err: int, cls: Optional[type] = None) -> RocketMQException:
    """Builds an exception from an ``rmq_error_t *`` (borrowed; not freed here)."""
    lib = _native.api
    code = lib.rmq_error_code(err)
    raw = lib.rmq_error_message(err)
    msg = raw.decode("utf-8", "replace") if raw is not None else ""
    try:
        ecode: Optional[ErrorCode] = ErrorCode(code)
    except ValueError:
        ecode = None
    if cls is None:
        if code == _native.RMQ_ERR_NULL_ARG:
            cls = NullPointerException
        elif code in (_native.RMQ_ERR_INVALID_ARG, _native.RMQ_ERR_UNKNOWN_CONFIG):
            cls = InvalidArgument
        elif code in (_native.RMQ_ERR_INVALID_STATE, _native.RMQ_ERR_NOT_STARTED, _native.RMQ_ERR_SHUT_DOWN):
            cls = IllegalState
        else:
            cls = RocketMQException
    name = _native.err_name(code) or str(code)
    if cls is ProducerSendAsyncFailed:
        exc: RocketMQException = ProducerSendAsyncFailed(msg, code, "", 0, name)
    else:
        exc = cls(msg)
    exc.code = ecode
    exc.response_code = lib.rmq_error_response_code(err)
    exc.retriable = bool(lib.rmq_error_retriable(err))
    return exc


def ffi_check(err: Optional[int], cls: Optional[type] = None) -> None:
    """Raises (as ``cls``, or a class chosen from the error code) when ``err`` is an error.

    Takes ownership of ``err`` (an ``rmq_error_t *`` or ``None``) and frees it.
    """
    if not err:
        return
    try:
        exc = _error_from(err, cls)
    finally:
        _native.api.rmq_error_free(err)
    raise exc
