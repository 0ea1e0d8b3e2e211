"""A period's closing asked of the background worker, for plans too large to close within a request."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

REFUSAL_SHOWN_FOR = timedelta(days=1)


class ClosingRequestQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(state__in=(ClosingRequest.State.QUEUED, ClosingRequest.State.RUNNING))

    def latest_for(self, period):
        """The period's latest request, or None."""
        return self.filter(period=period).select_related("requested_by").order_by("-requested_at", "-id").first()


class ClosingRequest(models.Model):
    """A plan admin asked for `period` to be closed; the worker closes it (`reports.tasks.close_in_background`)
    with the same checks as a close within the request, and records what happened."""

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting for the background worker"
        RUNNING = "running", "Being closed"
        CLOSED = "closed", "Closed"
        REFUSED = "refused", "Not closed"

    period = models.ForeignKey("actions.ReportingPeriod", on_delete=models.CASCADE, related_name="closing_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True, help_text="Why it was not closed, if it was not.")

    objects = ClosingRequestQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["period", "-requested_at"])]

    def __str__(self):
        return f"Close {self.period_id}: {self.get_state_display()}"

    @property
    def is_pending(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def shows_refusal(self) -> bool:
        """A refusal is shown on the period's pages for a day, then the pages are as if it was never asked."""
        return self.state == self.State.REFUSED and self.finished_at > timezone.now() - REFUSAL_SHOWN_FOR
