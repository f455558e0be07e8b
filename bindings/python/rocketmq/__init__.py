"""Apache RocketMQ client for Python, on librocketmq.

``from rocketmq.client import Producer, PushConsumer, Message, ConsumeStatus`` works as with
rocketmq-client-python 2.x; see :mod:`rocketmq.client` for what was added.
"""

from __future__ import annotations

from ._log import LogLevel, get_log_level, log_to_python, set_log_level
from ._native import LIBRARY_PATH, LIBRARY_VERSION
from .client import (
    AllocateFunction,
    AllocateStrategy,
    ConsumeFromWhere,
    ConsumeOrderlyStatus,
    ConsumeStatus,
    ExpressionType,
    LitePullConsumer,
    Message,
    MessageModel,
    MessageQueue,
    MessageSelector,
    Producer,
    PullConsumer,
    PushConsumer,
    ReceivedMessage,
    SendFuture,
    SendResult,
    SendStatus,
    TransactionMQProducer,
    TransactionStatus,
    allocate_by_config,
    allocate_by_machine_room,
)
from .exceptions import RocketMQException

__version__ = "0.1.0"

#: The loaded library's version, "MAJOR.MINOR.PATCH".
library_version = "%d.%d.%d" % LIBRARY_VERSION

__all__ = [
    "AllocateFunction",
    "AllocateStrategy",
    "ConsumeFromWhere",
    "ConsumeOrderlyStatus",
    "ConsumeStatus",
    "ExpressionType",
    "LIBRARY_PATH",
    "LitePullConsumer",
    "LogLevel",
    "Message",
    "MessageModel",
    "MessageQueue",
    "MessageSelector",
    "Producer",
    "PullConsumer",
    "PushConsumer",
    "ReceivedMessage",
    "RocketMQException",
    "SendFuture",
    "SendResult",
    "SendStatus",
    "TransactionMQProducer",
    "TransactionStatus",
    "allocate_by_config",
    "allocate_by_machine_room",
    "get_log_level",
    "library_version",
    "log_to_python",
    "set_log_level",
]
