"""Push consumers of the official package on librocketmq: what works before
the consumer engine is available."""
import pytest

from rocketmq.client import PushConsumer
from rocketmq.exceptions import PushConsumerStartFailed

from conftest import NAMESRV, name


def test_push_consumer_no_subscription_start_fail():
    consumer = PushConsumer(name('no_callback_group'))
    consumer.set_name_server_address(NAMESRV)
    with pytest.raises(PushConsumerStartFailed) as err:
        consumer.start()
    assert 'messageListener is null' in str(err.value)
    consumer.shutdown()


def test_push_consumer_settings():
    consumer = PushConsumer(name('settings_group'))
    consumer.set_name_server_address(NAMESRV)
    consumer.set_group(name('settings_group2'))
    consumer.set_thread_count(2)
    consumer.set_message_batch_max_size(1)
    consumer.set_instance_name('compat')
    consumer.set_session_credentials('AK', 'SK', 'channel')
    consumer.subscribe(name('topic'), lambda msg: None)
    consumer.shutdown()
