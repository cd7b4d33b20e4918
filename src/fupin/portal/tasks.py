"""Text messages (短信) as background jobs (Django Tasks): the page answers without waiting for the gateway."""

from django_tasks import task


@task()
def send_code_task(outbox_id: int) -> bool:
    """Text one queued code (`sms.queue_code`): the argument is an outbox row's id, never a phone or a code."""
    from . import sms

    return sms.send_queued(outbox_id)
