import pytest

from fupin.portal.sms import MemoryBackend


@pytest.fixture(autouse=True)
def _sms_outbox(settings):
    settings.FUPIN_SMS_BACKEND = "fupin.portal.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    yield MemoryBackend.outbox
    MemoryBackend.outbox.clear()


@pytest.fixture
def outbox(_sms_outbox):
    return _sms_outbox
