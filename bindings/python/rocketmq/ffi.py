"""Names that code written for rocketmq-client-python 2.x imports from ``rocketmq.ffi``.

``dll`` is the loaded native library (``librocketmq``, the ``rmq_*`` C API of this package,
not the rocketmq-client-cpp API); every one of its functions has ``argtypes`` and ``restype``
declared (see :mod:`rocketmq._native`).
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from ._native import LIBRARY_PATH, LIBRARY_VERSION, lib as dll

__all__ = ["CtypesEnum", "MessageModel", "TraceModel", "dll", "LIBRARY_PATH", "LIBRARY_VERSION"]


class CtypesEnum(IntEnum):
    """A ctypes-compatible IntEnum superclass."""

    @classmethod
    def from_param(cls, obj: Any) -> int:
        return int(obj)


class MessageModel(CtypesEnum):
    """How a consumer group shares messages."""

    #: Every consumer of the group gets every message.
    BROADCASTING = 0
    #: The consumers of the group share the messages (each message to one of them).
    CLUSTERING = 1


class TraceModel(CtypesEnum):
    """Message trace switch (accepted for compatibility; tracing is not implemented)."""

    OPEN = 0
    CLOSE = 1
