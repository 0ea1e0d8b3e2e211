"""The background task that builds a prepared download (run by `manage.py db_worker`)."""

import logging

from django.utils import timezone
from django_tasks import task

from downloads.building import CannotPrepare, build
from downloads.models import PreparedDownload

logger = logging.getLogger(__name__)
State = PreparedDownload.State


@task()
def prepare_download(download_id: int) -> str:
    """Builds the download and stores it on its row; returns its state. A download already taken by
    another run of the task (or deleted) is left alone."""
    downloads = PreparedDownload.objects.filter(pk=download_id)
    if not downloads.filter(state=State.QUEUED).update(state=State.RUNNING, rows_done=0):
        return "not queued"
    download = downloads.without_content().get()
    try:
        content = build(download)
    except CannotPrepare as refusal:
        downloads.update(state=State.FAILED, failure=str(refusal), finished_at=timezone.now())
        return State.FAILED
    except Exception:
        logger.exception("Prepared download %s failed", download_id)
        downloads.update(
            state=State.FAILED,
            failure="Something went wrong while it was being prepared; the error has been logged.",
            finished_at=timezone.now(),
        )
        raise
    downloads.update(state=State.READY, content=content, rows_done=download.rows_total, finished_at=timezone.now())
    return State.READY
