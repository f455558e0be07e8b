"""The library's own log: its level, and an optional bridge into Python's ``logging``."""

from __future__ import annotations

import logging
import threading
from enum import IntEnum
from typing import Optional, Union

from . import _native
from .exceptions import InvalidArgument, ffi_check

lib = _native.api

__all__ = ["LogLevel", "set_log_level", "get_log_level", "log_to_python"]


class LogLevel(IntEnum):
    """The library's log levels (``RMQ_LOG_*``): a level logs itself and every more important one."""

    OFF = 0
    ERROR = 1
    WARN = 2
    INFO = 3
    DEBUG = 4
    TRACE = 5


_TO_PY = {
    LogLevel.ERROR: logging.ERROR,
    LogLevel.WARN: logging.WARNING,
    LogLevel.INFO: logging.INFO,
    LogLevel.DEBUG: logging.DEBUG,
    LogLevel.TRACE: logging.DEBUG - 5,
}

_native_logger = logging.getLogger("rocketmq.native")
_lock = threading.Lock()
_installed = False
_released = threading.Event()


def set_log_level(level: Union[LogLevel, int]) -> None:
    """Sets the most detailed level the library logs (default ``LogLevel.WARN``)."""
    ffi_check(lib.rmq_set_log_level(int(level)), InvalidArgument)


def get_log_level() -> LogLevel:
    return LogLevel(lib.rmq_log_level())


def _on_log(user_data: Optional[int], level: int, target: Optional[bytes], message: Optional[bytes]) -> None:
    try:
        py_level = _TO_PY.get(level, logging.INFO)  # type: ignore[call-overload]
        if _native_logger.isEnabledFor(py_level):
            _native_logger.log(
                py_level,
                "%s: %s",
                (target or b"").decode("utf-8", "replace"),
                (message or b"").decode("utf-8", "replace"),
            )
    except BaseException:  # never raise into C
        pass


def _on_release(user_data: Optional[int]) -> None:
    _released.set()


_LOG_TRAMPOLINE = _native.LOG_CB(_on_log)
_RELEASE_TRAMPOLINE = _native.FREE_CB(_on_release)


def log_to_python(enable: bool = True) -> None:
    """Sends the library's log lines to the ``rocketmq.native`` logger instead of stderr
    (``enable=False`` restores stderr). The library's level still filters first."""
    global _installed
    with _lock:
        if enable and not _installed:
            _released.clear()
            lib.rmq_set_log_callback(_LOG_TRAMPOLINE, None, _RELEASE_TRAMPOLINE)
            _installed = True
        elif not enable and _installed:
            lib.rmq_set_log_callback(_native.LOG_CB(), None, _native.FREE_CB())
            _installed = False
            # The release runs after the callback's last call; wait for it briefly.
            _released.wait(1.0)


def reset_at_exit() -> None:
    try:
        log_to_python(False)
    except BaseException:  # pragma: no cover
        pass
