"""Closing a period in the background (run by `manage.py db_worker`)."""

import logging

from django.utils import timezone
from django_tasks import task

from reports.closing import ClosingRefused, close_period
from reports.models import ClosingRequest

logger = logging.getLogger(__name__)
State = ClosingRequest.State


@task()
def close_in_background(request_id: int) -> str:
    """Closes the request's period as a close within a request would, refusing for the same reasons (checked
    again now: something may have been recorded since it was asked for); records the outcome on the request."""
    requests = ClosingRequest.objects.filter(pk=request_id)
    if not requests.filter(state=State.QUEUED).update(state=State.RUNNING):
        return "not queued"
    request = requests.select_related("period", "requested_by").get()
    try:
        close_period(period=request.period, by=request.requested_by)
    except ClosingRefused as refusal:
        requests.update(state=State.REFUSED, outcome=str(refusal), finished_at=timezone.now())
        return State.REFUSED
    except Exception:
        logger.exception("Closing %s in the background failed", request.period_id)
        requests.update(
            state=State.REFUSED,
            outcome="Something went wrong while it was being closed; the error has been logged. Nothing changed.",
            finished_at=timezone.now(),
        )
        raise
    requests.update(state=State.CLOSED, finished_at=timezone.now())
    return State.CLOSED
