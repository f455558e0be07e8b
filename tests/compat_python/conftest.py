"""Fixtures for the tests of the official rocketmq-client-python 2.0.0 package
running on librocketmq (the drop-in rocketmq-client-cpp C API).

Every run uses its own topic and group names (suffix COMPAT_RUN_ID, or the
time and pid), so runs never see each other's messages."""
import os
import time

import pytest

NAMESRV = os.environ.get('NAMESRV_ADDR', '127.0.0.1:9876')
RUN_ID = os.environ.get('COMPAT_RUN_ID') or '%d_%d' % (int(time.time()), os.getpid())


def name(base):
    """A topic or group name unique to this run."""
    return 'compat_py_%s_%s' % (base, RUN_ID)


@pytest.fixture(scope='session')
def producer():
    from rocketmq.client import Producer
    p = Producer(name('producer_group'))
    p.set_name_server_address(NAMESRV)
    p.start()
    yield p
    p.shutdown()


@pytest.fixture(scope='session')
def orderly_producer():
    from rocketmq.client import Producer
    p = Producer(name('orderly_producer_group'), True)
    p.set_name_server_address(NAMESRV)
    p.start()
    yield p
    p.shutdown()
