"""Plumbing shared by the client classes: handle guards, callback registries, exit hooks."""

from __future__ import annotations

import atexit
import ctypes
import itertools
import logging
import os
import threading
import weakref
from typing import Any, Callable, Dict, Iterable, Optional, Set, Type

from . import _native
from .exceptions import ErrorCode, IllegalState, InvalidArgument, RocketMQException, ffi_check

lib = _native.api
logger = logging.getLogger("rocketmq")

_key_counter = itertools.count(1)
_key_lock = threading.Lock()


def next_key() -> int:
    """A process-unique non-zero integer, passed to C as ``user_data``."""
    with _key_lock:
        return next(_key_counter)


#: user_data key -> Python object (listeners, checkers, pending sends). Entries are
#: removed by the free_user_data trampoline, or by the code that created them.
callbacks: Dict[int, Any] = {}


def _free_user_data(user_data: Optional[int]) -> None:
    try:
        if user_data is not None:
            callbacks.pop(user_data, None)
    except BaseException:  # pragma: no cover - never raise into C
        pass


#: The one finalizer every registration uses: it forgets the key. Module-level, so it lives
#: as long as the library can call it.
FREE_TRAMPOLINE = _native.FREE_CB(_free_user_data)
#: A NULL rmq_free_cb.
NO_FREE = _native.FREE_CB()


def to_bytes(value: Any, what: str = "value") -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if hasattr(value, "value") and isinstance(value.value, (str, bytes)):  # an Enum
        return to_bytes(value.value, what)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value).encode()
    raise TypeError("%s must be str or bytes, not %s" % (what, type(value).__name__))


def to_text(value: Any, what: str = "value") -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if hasattr(value, "value"):  # an Enum
        return to_text(value.value, what)
    raise TypeError("%s must be str, not %s" % (what, type(value).__name__))


def decode(raw: Optional[bytes]) -> Optional[str]:
    return raw.decode("utf-8", "replace") if raw is not None else None


#: Incremented in a forked child: handles made before the fork belong to the parent.
_fork_generation = 0


class Handle:
    """Owns a native handle and keeps it from being freed while calls use it.

    ``acquire`` returns the pointer and counts a user; ``release`` uncounts it; ``close``
    refuses new users, waits for the current ones, then frees the pointer. In a forked
    child, handles of the parent refuse every call and are never freed there.
    """

    __slots__ = ("_ptr", "_free", "_users", "_cond", "_closing", "what", "_generation")

    def __init__(self, ptr: int, free: Callable[[int], None], what: str) -> None:
        self._ptr: Optional[int] = ptr
        self._free = free
        self._users = 0
        self._cond = threading.Condition(threading.Lock())
        self._closing = False
        self.what = what
        self._generation = _fork_generation

    def acquire(self, exc: Type[RocketMQException] = IllegalState) -> int:
        if self._generation != _fork_generation:
            e = exc("the %s was created before this process was forked; create a new one in the child" % self.what)
            e.code = ErrorCode.INVALID_STATE
            raise e
        with self._cond:
            if self._closing or self._ptr is None:
                e = exc("the %s was shut down" % self.what)
                e.code = ErrorCode.SHUT_DOWN
                raise e
            self._users += 1
            return self._ptr

    def release(self) -> None:
        with self._cond:
            self._users -= 1
            if self._closing and self._users == 0:
                self._cond.notify_all()

    @property
    def ptr(self) -> Optional[int]:
        return self._ptr

    def close(self) -> None:
        if self._generation != _fork_generation:
            self._ptr = None  # the parent's: its threads do not exist here
            return
        with self._cond:
            if self._closing:
                return
            self._closing = True
            while self._users > 0:
                self._cond.wait(0.1)
            ptr, self._ptr = self._ptr, None
        if ptr:
            self._free(ptr)


class InUse:
    """An acquired handle's pointer for a ``with`` block: released when the block ends."""

    __slots__ = ("_handle", "_ptr")

    def __init__(self, handle: Handle, ptr: int) -> None:
        self._handle = handle
        self._ptr = ptr

    def __enter__(self) -> int:
        return self._ptr

    def __exit__(self, *exc: Any) -> None:
        self._handle.release()


def not_started(exc: Type[RocketMQException], what: str) -> RocketMQException:
    e = exc("the %s is not started" % what)
    e.code = ErrorCode.NOT_STARTED
    return e


def validate_setting(key: str, value: str) -> None:
    """Checks ``key = value`` with the library now, so a bad value fails at the setter."""
    cfg = lib.rmq_config_new()
    try:
        ffi_check(lib.rmq_config_set(cfg, key.encode(), value.encode()), InvalidArgument)
    finally:
        lib.rmq_config_free(cfg)


def build_config(settings: Dict[str, str], exc: Type[RocketMQException]) -> int:
    """A native rmq_config_t holding ``settings`` (owned by the caller until a constructor takes it)."""
    cfg = lib.rmq_config_new()
    try:
        for key, value in settings.items():
            ffi_check(lib.rmq_config_set(cfg, key.encode(), value.encode()), exc)
    except BaseException:
        lib.rmq_config_free(cfg)
        raise
    return cfg


# --- process exit -----------------------------------------------------------------------------

#: Objects whose native handle is alive (producers are weakly held: dropping the last
#: reference shuts one down).
_open: "weakref.WeakSet[Any]" = weakref.WeakSet()
#: Started consumers are held strongly: their listeners keep running without a reference.
_running: Set[Any] = set()
_registry_lock = threading.Lock()
_exiting = False


def register(obj: Any, strong: bool) -> None:
    with _registry_lock:
        _open.add(obj)
        if strong:
            _running.add(obj)


def unregister(obj: Any) -> None:
    with _registry_lock:
        _open.discard(obj)
        _running.discard(obj)


#: Whether this process has started a client (and so the library's I/O threads).
started_any = False
#: Set in a forked child of a process that had started a client: the library's threads
#: were not copied, so the child cannot use the library at all.
fork_poisoned = False


def check_not_forked(exc: Type[RocketMQException]) -> None:
    if fork_poisoned:
        e = exc(
            "librocketmq cannot be used in a process forked after a client was started; "
            "create clients in the child only if the parent started none (or use the spawn start method)"
        )
        e.code = ErrorCode.INVALID_STATE
        raise e


def _after_fork_in_child() -> None:
    global _fork_generation, _key_lock, _registry_lock, fork_poisoned
    _fork_generation += 1
    fork_poisoned = fork_poisoned or started_any
    _key_lock = threading.Lock()
    _registry_lock = threading.Lock()
    _open.clear()
    _running.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def exiting() -> bool:
    return _exiting


@atexit.register
def _shutdown_all() -> None:
    """Shuts every open client down before the interpreter goes away, so that no library
    thread calls into Python during finalization."""
    global _exiting
    _exiting = True
    with _registry_lock:
        objs = list(_open)
    # Consumers first: their listeners may use producers.
    objs.sort(key=lambda o: 0 if getattr(o, "_is_consumer", False) else 1)
    for obj in objs:
        try:
            obj._close_at_exit()
        except BaseException:  # pragma: no cover - best effort at exit
            pass
    from . import _log

    _log.reset_at_exit()


def in_callback_thread() -> bool:
    return getattr(_tls, "depth", 0) > 0


_tls = threading.local()


class CallbackScope:
    """Marks the current thread as running a library callback (for re-entrancy checks)."""

    __slots__ = ()

    def __enter__(self) -> None:
        _tls.depth = getattr(_tls, "depth", 0) + 1

    def __exit__(self, *exc: Any) -> None:
        _tls.depth -= 1


callback_scope = CallbackScope()


def c_array(ptrs: Iterable[int]) -> "ctypes.Array[ctypes.c_void_p]":
    items = list(ptrs)
    return (ctypes.c_void_p * max(len(items), 1))(*items)
