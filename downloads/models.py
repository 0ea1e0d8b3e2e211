"""Workbooks too large to build within one request, built by the background worker and kept for a while.

A user asks for one (`PreparedDownload.objects.request`), the worker (`manage.py db_worker`, running
`downloads.tasks.prepare_download`) builds it and records its progress on the row, and the user's progress
page offers the file when it is ready. Each is the requester's alone and is deleted KEEP_FOR after it was
asked for.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

KEEP_FOR = timedelta(hours=24)


class PreparedDownloadQuerySet(models.QuerySet):
    def of(self, user):
        return self.filter(requested_by=user)

    def current(self, now=None):
        return self.filter(requested_at__gt=(now or timezone.now()) - KEEP_FOR)

    def expired(self, now=None):
        return self.filter(requested_at__lte=(now or timezone.now()) - KEEP_FOR)

    def newest_first(self):
        return self.order_by("-requested_at", "-id")

    def without_content(self):
        return self.defer("content")

    def request(self, *, user, kind: str, query: str, file_name: str, rows: int) -> tuple["PreparedDownload", bool]:
        """The user's current download of this kind and query that has not failed, or a new one queued;
        (download, whether it is new). Asking twice does not build the file twice."""
        existing = (
            self.of(user)
            .current()
            .filter(kind=kind, query=query)
            .exclude(state=PreparedDownload.State.FAILED)
            .without_content()
            .newest_first()
            .first()
        )
        if existing is not None:
            return existing, False
        self.expired().delete()
        return self.create(requested_by=user, kind=kind, query=query, file_name=file_name, rows_total=rows), True


class PreparedDownload(models.Model):
    class Kind(models.TextChoices):
        ACTIONS = "actions-xlsx", "Action list workbook"
        REPORT = "report-xlsx", "Progress report workbook"

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being prepared"
        READY = "ready", "Ready to download"
        FAILED = "failed", "Could not be prepared"

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    query = models.TextField(blank=True, help_text="The action list's query string, or the report's period.")
    file_name = models.CharField(max_length=200)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="prepared_downloads"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    content = models.BinaryField(null=True, editable=False)
    failure = models.TextField(blank=True)

    objects = PreparedDownloadQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["requested_by", "-requested_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.requested_by}, {self.requested_at:%d %b %Y %H:%M}"

    @property
    def is_pending(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def percent_done(self) -> int:
        if self.state == self.State.READY:
            return 100
        return min(99, self.rows_done * 100 // self.rows_total) if self.rows_total else 0

    @property
    def expires_at(self):
        return self.requested_at + KEEP_FOR
