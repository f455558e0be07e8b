"""Loads librocketmq and declares the native C API (``include/rocketmq.h``) for ctypes.

Every function of the header gets its ``argtypes`` and ``restype`` here, at import time, so a
library that lacks one fails the import with a clear message instead of failing later.

Where the library comes from, in order:

1. the ``ROCKETMQ_LIBRARY`` environment variable (a path to ``librocketmq.so``);
2. the copy bundled in this package (``rocketmq/lib/librocketmq.so``);
3. the system loader (``librocketmq.so.0`` or whatever ``ctypes.util.find_library`` finds).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from ctypes import (
    CFUNCTYPE,
    POINTER,
    c_bool,
    c_char_p,
    c_int32,
    c_int64,
    c_size_t,
    c_uint8,
    c_uint32,
    c_void_p,
)
from typing import TYPE_CHECKING, Any, List, Optional, Tuple

class PullInfo(ctypes.Structure):
    """``rmq_pull_info_t``: the status and offsets of a one-shot pull."""

    _fields_ = [
        ("status", c_int32),
        ("next_begin_offset", c_int64),
        ("min_offset", c_int64),
        ("max_offset", c_int64),
    ]


#: The library version this package is written against (``RMQ_VERSION_*`` of the header).
VERSION_MAJOR = 0
VERSION_MINOR = 1
VERSION_PATCH = 0

if sys.platform == "darwin":  # pragma: no cover - Linux is what CI runs
    _SUFFIXES = (".dylib",)
elif sys.platform == "win32":  # pragma: no cover
    _SUFFIXES = (".dll",)
else:
    _SUFFIXES = (".so", ".so.0")

_PKG_DIR = os.path.dirname(os.path.abspath(__file__))
_BUNDLED_DIR = os.path.join(_PKG_DIR, "lib")


def _candidates() -> List[Tuple[str, str]]:
    """(where it came from, path or name) pairs, most preferred first."""
    found: List[Tuple[str, str]] = []
    env = os.environ.get("ROCKETMQ_LIBRARY")
    if env:
        found.append(("ROCKETMQ_LIBRARY", env))
        return found  # an explicit choice is never silently replaced
    for suffix in _SUFFIXES:
        path = os.path.join(_BUNDLED_DIR, "librocketmq" + suffix)
        if os.path.exists(path):
            found.append(("bundled", path))
    if sys.platform.startswith("linux"):
        found.append(("system", "librocketmq.so.0"))
    name = ctypes.util.find_library("rocketmq")
    if name:
        found.append(("system", name))
    return found


def _load() -> Tuple[ctypes.CDLL, str]:
    errors = []
    for origin, path in _candidates():
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            errors.append("%s (%s): %s" % (path, origin, e))
    hint = (
        "librocketmq was not found. Install the package with `pip install ./bindings/python` "
        "(which builds and bundles it), or set ROCKETMQ_LIBRARY to the path of librocketmq.so."
    )
    if errors:
        hint += " Tried: " + "; ".join(errors)
    raise ImportError(hint)


lib, LIBRARY_PATH = _load()

# --- callback types -------------------------------------------------------------------------

#: void (*)(void *user_data, rmq_log_level_t level, const char *target, const char *message)
LOG_CB = CFUNCTYPE(None, c_void_p, c_int32, c_char_p, c_char_p)
#: void (*)(void *user_data)
FREE_CB = CFUNCTYPE(None, c_void_p)
#: void (*)(void *user_data, const rmq_send_result_t *result, const rmq_error_t *error)
SEND_CB = CFUNCTYPE(None, c_void_p, c_void_p, c_void_p)
#: size_t (*)(void *user_data, const rmq_message_t *msg, const rmq_message_queue_t *const *queues, size_t count)
QUEUE_SELECTOR_CB = CFUNCTYPE(c_size_t, c_void_p, c_void_p, POINTER(c_void_p), c_size_t)
#: int32_t (*)(void *user_data, const rmq_message_view_t *const *msgs, size_t count, int32_t *ack_index)
CONSUME_CB = CFUNCTYPE(c_int32, c_void_p, POINTER(c_void_p), c_size_t, POINTER(c_int32))
#: int32_t (*)(void *user_data, const rmq_message_view_t *const *msgs, size_t count)
CONSUME_ORDERLY_CB = CFUNCTYPE(c_int32, c_void_p, POINTER(c_void_p), c_size_t)
#: int32_t (*)(void *user_data, const char *group, const char *current_id,
#:     const rmq_message_queue_t *const *queues, size_t queue_count,
#:     const char *const *consumer_ids, size_t consumer_count, uint8_t *mine)
ALLOCATE_CB = CFUNCTYPE(
    c_int32, c_void_p, c_char_p, c_char_p, POINTER(c_void_p), c_size_t, POINTER(c_char_p), c_size_t, POINTER(c_uint8)
)
#: int32_t (*)(void *user_data, const rmq_message_t *msg, void *arg)
TRANSACTION_EXECUTE_CB = CFUNCTYPE(c_int32, c_void_p, c_void_p, c_void_p)
#: int32_t (*)(void *user_data, const rmq_message_view_t *msg)
TRANSACTION_CHECK_CB = CFUNCTYPE(c_int32, c_void_p, c_void_p)

# --- constants ------------------------------------------------------------------------------

RMQ_CONSUME_SUCCESS = 0
RMQ_RECONSUME_LATER = 1
RMQ_ORDERLY_SUCCESS = 0
RMQ_SUSPEND_CURRENT_QUEUE_A_MOMENT = 1
RMQ_TRANSACTION_UNKNOWN = 0
RMQ_TRANSACTION_COMMIT = 1
RMQ_TRANSACTION_ROLLBACK = 2

RMQ_OK = 0
RMQ_ERR_INVALID_ARG = 1
RMQ_ERR_NULL_ARG = 2
RMQ_ERR_UNKNOWN_CONFIG = 3
RMQ_ERR_INVALID_STATE = 4
RMQ_ERR_NOT_STARTED = 5
RMQ_ERR_SHUT_DOWN = 6
RMQ_ERR_BUSY = 7
RMQ_ERR_TIMEOUT = 8
RMQ_ERR_NETWORK = 9
RMQ_ERR_NO_ROUTE = 10
RMQ_ERR_BROKER = 11
RMQ_ERR_PROTOCOL = 12
RMQ_ERR_COMPRESSION = 13
RMQ_ERR_INTERNAL = 14
RMQ_ERR_PANIC = 15

# --- function declarations ------------------------------------------------------------------

_ERR = c_void_p  # rmq_error_t *: NULL (None) on success
_PTR = c_void_p  # any opaque handle
_OUT = POINTER(c_void_p)  # T **out
_ARR = POINTER(c_void_p)  # const T *const *array
_OUT_ARR = POINTER(POINTER(c_void_p))  # T ***out


def _decl(name: str, restype, argtypes) -> None:
    try:
        fn = getattr(lib, name)
    except AttributeError:
        raise ImportError(
            "%s (loaded from %s) has no symbol %s: the library does not match this package"
            % (os.path.basename(LIBRARY_PATH), LIBRARY_PATH, name)
        ) from None
    fn.restype = restype
    fn.argtypes = argtypes


#: name -> (restype, argtypes), one entry per function of include/rocketmq.h.
SIGNATURES = {
    # config
    "rmq_config_new": (_PTR, []),
    "rmq_config_set": (_ERR, [_PTR, c_char_p, c_char_p]),
    "rmq_config_get": (c_char_p, [_PTR, c_char_p]),
    "rmq_config_free": (None, [_PTR]),
    "rmq_config_set_allocate": (_ERR, [_PTR, ALLOCATE_CB, c_void_p, FREE_CB]),
    # admin
    "rmq_admin_new": (_ERR, [_PTR, _OUT]),
    "rmq_admin_create_topic": (
        _ERR,
        [_PTR, c_char_p, c_char_p, c_char_p, c_int32, c_int32, c_int32, c_char_p, c_int32, c_bool],
    ),
    "rmq_admin_delete_topic": (_ERR, [_PTR, c_char_p, c_char_p, c_char_p]),
    "rmq_admin_publish_queues": (_ERR, [_PTR, c_char_p, _OUT_ARR, POINTER(c_size_t)]),
    "rmq_admin_topic_list": (_ERR, [_PTR, POINTER(POINTER(c_char_p)), POINTER(c_size_t)]),
    "rmq_admin_topic_clusters": (_ERR, [_PTR, c_char_p, POINTER(POINTER(c_char_p)), POINTER(c_size_t)]),
    "rmq_strings_free": (None, [POINTER(c_char_p), c_size_t]),
    "rmq_admin_free": (None, [_PTR]),
    # errors
    "rmq_error_code": (c_int32, [_ERR]),
    "rmq_error_message": (c_char_p, [_ERR]),
    "rmq_error_response_code": (c_int32, [_ERR]),
    "rmq_error_retriable": (c_bool, [_ERR]),
    "rmq_error_free": (None, [_ERR]),
    "rmq_err_name": (c_char_p, [c_int32]),
    # log
    "rmq_set_log_level": (_ERR, [c_int32]),
    "rmq_log_level": (c_int32, []),
    "rmq_set_log_callback": (None, [LOG_CB, c_void_p, FREE_CB]),
    # outgoing messages
    "rmq_message_new": (_ERR, [c_char_p, _OUT]),
    "rmq_message_new_reply": (_ERR, [_PTR, c_char_p, c_size_t, _OUT]),
    "rmq_message_new_reply_to": (_ERR, [c_char_p, c_char_p, c_char_p, c_char_p, c_char_p, c_size_t, _OUT]),
    "rmq_message_set_body": (_ERR, [_PTR, c_char_p, c_size_t]),
    "rmq_message_set_tags": (_ERR, [_PTR, c_char_p]),
    "rmq_message_set_keys": (_ERR, [_PTR, c_char_p]),
    "rmq_message_set_property": (_ERR, [_PTR, c_char_p, c_char_p]),
    "rmq_message_set_delay_level": (_ERR, [_PTR, c_int32]),
    "rmq_message_set_delivery_time": (_ERR, [_PTR, c_int64]),
    "rmq_message_set_sharding_key": (_ERR, [_PTR, c_char_p]),
    "rmq_message_set_flag": (_ERR, [_PTR, c_int32]),
    "rmq_message_topic": (c_char_p, [_PTR]),
    "rmq_message_transaction_id": (c_char_p, [_PTR]),
    "rmq_message_property": (c_char_p, [_PTR, c_char_p]),
    "rmq_message_tags": (c_char_p, [_PTR]),
    "rmq_message_keys": (c_char_p, [_PTR]),
    "rmq_message_body": (c_void_p, [_PTR, POINTER(c_size_t)]),
    "rmq_message_free": (None, [_PTR]),
    # queues
    "rmq_message_queue_new": (_ERR, [c_char_p, c_char_p, c_int32, _OUT]),
    "rmq_message_queue_topic": (c_char_p, [_PTR]),
    "rmq_message_queue_broker_name": (c_char_p, [_PTR]),
    "rmq_message_queue_queue_id": (c_int32, [_PTR]),
    "rmq_message_queue_free": (None, [_PTR]),
    "rmq_message_queues_free": (None, [_ARR, c_size_t]),
    # received messages
    "rmq_message_view_topic": (c_char_p, [_PTR]),
    "rmq_message_view_property": (c_char_p, [_PTR, c_char_p]),
    "rmq_message_view_tags": (c_char_p, [_PTR]),
    "rmq_message_view_keys": (c_char_p, [_PTR]),
    "rmq_message_view_body": (c_void_p, [_PTR, POINTER(c_size_t)]),
    "rmq_message_view_msg_id": (c_char_p, [_PTR]),
    "rmq_message_view_offset_msg_id": (c_char_p, [_PTR]),
    "rmq_message_view_queue_id": (c_int32, [_PTR]),
    "rmq_message_view_queue_offset": (c_int64, [_PTR]),
    "rmq_message_view_commit_log_offset": (c_int64, [_PTR]),
    "rmq_message_view_born_timestamp": (c_int64, [_PTR]),
    "rmq_message_view_store_timestamp": (c_int64, [_PTR]),
    "rmq_message_view_born_host": (c_char_p, [_PTR]),
    "rmq_message_view_store_host": (c_char_p, [_PTR]),
    "rmq_message_view_reconsume_times": (c_int32, [_PTR]),
    "rmq_message_view_flag": (c_int32, [_PTR]),
    "rmq_message_view_sys_flag": (c_int32, [_PTR]),
    "rmq_message_view_body_crc": (c_int32, [_PTR]),
    "rmq_message_view_store_size": (c_int32, [_PTR]),
    "rmq_message_view_prepared_transaction_offset": (c_int64, [_PTR]),
    "rmq_message_view_property_count": (c_size_t, [_PTR]),
    "rmq_message_view_property_at": (c_bool, [_PTR, c_size_t, POINTER(c_char_p), POINTER(c_char_p)]),
    "rmq_message_view_clone": (_PTR, [_PTR]),
    "rmq_message_view_free": (None, [_PTR]),
    "rmq_message_views_free": (None, [_ARR, c_size_t]),
    # producer
    "rmq_producer_new": (_ERR, [_PTR, _OUT]),
    "rmq_producer_start": (_ERR, [_PTR]),
    "rmq_producer_shutdown": (_ERR, [_PTR]),
    "rmq_producer_free": (None, [_PTR]),
    "rmq_producer_send_sync": (_ERR, [_PTR, _PTR, _OUT]),
    "rmq_producer_send_async": (_ERR, [_PTR, _PTR, SEND_CB, c_void_p, FREE_CB]),
    "rmq_producer_send_oneway": (_ERR, [_PTR, _PTR]),
    "rmq_producer_send_batch": (_ERR, [_PTR, _ARR, c_size_t, _OUT]),
    "rmq_producer_send_orderly": (_ERR, [_PTR, _PTR, c_char_p, _OUT]),
    "rmq_producer_send_with_selector": (_ERR, [_PTR, _PTR, QUEUE_SELECTOR_CB, c_void_p, _OUT]),
    "rmq_producer_send_to_queue": (_ERR, [_PTR, _PTR, _PTR, _OUT]),
    "rmq_producer_queues": (_ERR, [_PTR, c_char_p, _OUT_ARR, POINTER(c_size_t)]),
    "rmq_producer_request": (_ERR, [_PTR, _PTR, c_int64, _OUT]),
    # send results
    "rmq_send_result_status": (c_int32, [_PTR]),
    "rmq_send_result_msg_id": (c_char_p, [_PTR]),
    "rmq_send_result_offset_msg_id": (c_char_p, [_PTR]),
    "rmq_send_result_topic": (c_char_p, [_PTR]),
    "rmq_send_result_broker_name": (c_char_p, [_PTR]),
    "rmq_send_result_queue_id": (c_int32, [_PTR]),
    "rmq_send_result_queue_offset": (c_int64, [_PTR]),
    "rmq_send_result_transaction_id": (c_char_p, [_PTR]),
    "rmq_send_result_transaction_state": (c_int32, [_PTR]),
    "rmq_send_result_free": (None, [_PTR]),
    # transaction producer
    "rmq_transaction_producer_new": (
        _ERR,
        [_PTR, TRANSACTION_EXECUTE_CB, TRANSACTION_CHECK_CB, c_void_p, FREE_CB, _OUT],
    ),
    "rmq_transaction_producer_start": (_ERR, [_PTR]),
    "rmq_transaction_producer_send_in_transaction": (_ERR, [_PTR, _PTR, c_void_p, _OUT]),
    "rmq_transaction_producer_shutdown": (_ERR, [_PTR]),
    "rmq_transaction_producer_free": (None, [_PTR]),
    # lite pull consumer
    "rmq_pull_consumer_new": (_ERR, [_PTR, _OUT]),
    "rmq_pull_consumer_subscribe": (_ERR, [_PTR, c_char_p, c_char_p]),
    "rmq_pull_consumer_subscribe_sql92": (_ERR, [_PTR, c_char_p, c_char_p]),
    "rmq_pull_consumer_unsubscribe": (_ERR, [_PTR, c_char_p]),
    "rmq_pull_consumer_assign": (_ERR, [_PTR, _ARR, c_size_t]),
    "rmq_pull_consumer_start": (_ERR, [_PTR]),
    "rmq_pull_consumer_poll": (_ERR, [_PTR, c_int64, _OUT_ARR, POINTER(c_size_t)]),
    "rmq_pull_consumer_seek": (_ERR, [_PTR, _PTR, c_int64]),
    "rmq_pull_consumer_seek_to_beginning": (_ERR, [_PTR, _PTR]),
    "rmq_pull_consumer_seek_to_end": (_ERR, [_PTR, _PTR]),
    "rmq_pull_consumer_seek_to_timestamp": (_ERR, [_PTR, _PTR, c_int64]),
    "rmq_pull_consumer_offset_for_timestamp": (_ERR, [_PTR, _PTR, c_int64, POINTER(c_int64)]),
    "rmq_pull_consumer_pull_from": (
        _ERR,
        [_PTR, _PTR, c_char_p, c_int64, c_int32, c_int64, POINTER(PullInfo), _OUT_ARR, POINTER(c_size_t)],
    ),
    "rmq_pull_consumer_commit": (_ERR, [_PTR]),
    "rmq_pull_consumer_commit_offset": (_ERR, [_PTR, _PTR, c_int64]),
    "rmq_pull_consumer_committed": (_ERR, [_PTR, _PTR, POINTER(c_int64)]),
    "rmq_pull_consumer_pause": (_ERR, [_PTR, _ARR, c_size_t]),
    "rmq_pull_consumer_resume": (_ERR, [_PTR, _ARR, c_size_t]),
    "rmq_pull_consumer_fetch_queues": (_ERR, [_PTR, c_char_p, _OUT_ARR, POINTER(c_size_t)]),
    "rmq_pull_consumer_assignment": (_ERR, [_PTR, _OUT_ARR, POINTER(c_size_t)]),
    "rmq_pull_consumer_shutdown": (_ERR, [_PTR]),
    "rmq_pull_consumer_free": (None, [_PTR]),
    # push consumer
    "rmq_push_consumer_new": (_ERR, [_PTR, _OUT]),
    "rmq_consume_set_delay_level": (_ERR, [c_int32]),
    "rmq_consume_set_suspend_time_ms": (_ERR, [c_int64]),
    "rmq_push_consumer_subscribe": (_ERR, [_PTR, c_char_p, c_char_p, CONSUME_CB, c_void_p, FREE_CB]),
    "rmq_push_consumer_subscribe_sql92": (
        _ERR,
        [_PTR, c_char_p, c_char_p, CONSUME_CB, c_void_p, FREE_CB],
    ),
    "rmq_push_consumer_subscribe_orderly": (
        _ERR,
        [_PTR, c_char_p, c_char_p, CONSUME_ORDERLY_CB, c_void_p, FREE_CB],
    ),
    "rmq_push_consumer_subscribe_orderly_sql92": (
        _ERR,
        [_PTR, c_char_p, c_char_p, CONSUME_ORDERLY_CB, c_void_p, FREE_CB],
    ),
    "rmq_push_consumer_unsubscribe": (_ERR, [_PTR, c_char_p]),
    "rmq_push_consumer_start": (_ERR, [_PTR]),
    "rmq_push_consumer_pause": (_ERR, [_PTR]),
    "rmq_push_consumer_resume": (_ERR, [_PTR]),
    "rmq_push_consumer_assigned_queues": (_ERR, [_PTR, _OUT_ARR, POINTER(c_size_t)]),
    "rmq_push_consumer_shutdown": (_ERR, [_PTR]),
    "rmq_push_consumer_free": (None, [_PTR]),
    # version
    "rmq_version": (c_char_p, []),
    "rmq_version_number": (c_uint32, []),
}

for _name, (_restype, _argtypes) in SIGNATURES.items():
    _decl(_name, _restype, _argtypes)
del _name, _restype, _argtypes

#: Functions that never block or wait: plain getters and setters of messages, views, queues,
#: results, errors and configs. The client calls them through a PyDLL handle, which keeps
#: the GIL (saving a release and a re-acquire per call, and the thread switches those cause
#: when callback threads compete for the GIL). Everything else (sends, starts, shutdowns,
#: polls, frees of clients) goes through the CDLL handle, which releases the GIL for the
#: length of the call. Of these, only ``rmq_config_set_allocate`` and ``rmq_config_free``
#: may call into Python (a free_user_data callback, on the calling thread, which holds the GIL).
NON_BLOCKING = frozenset(
    name
    for name in SIGNATURES
    if name.startswith(("rmq_message_", "rmq_send_result_", "rmq_error_", "rmq_config_", "rmq_version"))
    or name in ("rmq_err_name", "rmq_log_level", "rmq_set_log_level")
)

_plib = ctypes.PyDLL(LIBRARY_PATH)


class _Api:
    """The native functions as the client calls them (see NON_BLOCKING)."""

    if TYPE_CHECKING:

        def __getattr__(self, name: str) -> Any: ...


api = _Api()
for _name, (_restype, _argtypes) in SIGNATURES.items():
    if _name in NON_BLOCKING:
        _fn = getattr(_plib, _name)
        _fn.restype = _restype
        _fn.argtypes = _argtypes
    else:
        _fn = getattr(lib, _name)
    setattr(api, _name, _fn)
del _name, _restype, _argtypes, _fn


def _check_version() -> Tuple[int, int, int]:
    number = api.rmq_version_number()
    found = ((number >> 16) & 0xFF, (number >> 8) & 0xFF, number & 0xFF)
    # Before 1.0 every minor version may change the ABI; from 1.0 on, any newer minor is fine.
    if VERSION_MAJOR == 0:
        ok = found[0] == 0 and found[1] == VERSION_MINOR
    else:
        ok = found[0] == VERSION_MAJOR and found[1] >= VERSION_MINOR
    if not ok and not os.environ.get("ROCKETMQ_SKIP_VERSION_CHECK"):
        raise ImportError(
            "librocketmq %d.%d.%d at %s does not match this package (written for %d.%d.x)"
            % (found + (LIBRARY_PATH, VERSION_MAJOR, VERSION_MINOR))
        )
    return found


LIBRARY_VERSION = _check_version()


def err_name(code: int) -> Optional[str]:
    name = api.rmq_err_name(code)
    return name.decode() if name is not None else None
