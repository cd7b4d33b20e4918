"""Text messages as background jobs (Django Tasks): the page answers without waiting for the gateway."""

from django_tasks import task


@task()
def send_sms_task(phone: str, text: str) -> bool:
    """Deliver one message; an empty phone is a request that sends nothing (see `sms.queue`)."""
    from . import sms

    if not phone:
        return False
    return sms.send(phone, text)
