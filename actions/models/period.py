from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from actions.periods import InvalidPeriod, Quarter


class PeriodClosed(Exception):
    """The period (or a later one, which freezes it) is closed: nothing may be recorded for it."""

    def __init__(self, period: "ReportingPeriod", closing: "ReportingPeriod"):
        self.period = period
        self.closing = closing
        if closing.pk == period.pk:
            reason = f"{period.label} is closed"
        else:
            reason = f"{period.label} is frozen because {closing.label}, after it, is closed"
        super().__init__(
            f"{reason}, so nothing can be recorded for it. A plan admin can reopen {closing.label} "
            "from its report if a correction is needed."
        )


class ReportingPeriodQuerySet(models.QuerySet):
    def for_quarter(self, quarter: Quarter) -> "ReportingPeriod":
        """The period's row, created on first use; raises InvalidPeriod for an implausible quarter with no row."""
        existing = self.filter(slug=quarter.slug).first()
        if existing is not None:
            return existing
        quarter.refuse_if_implausible()
        period, _ = self.get_or_create(
            slug=quarter.slug,
            defaults={"year": quarter.year, "quarter": quarter.quarter, "start": quarter.start, "end": quarter.end},
        )
        return period

    def for_slug(self, slug: str) -> "ReportingPeriod":
        """The period for a slug, created on first use; raises InvalidPeriod for a malformed slug."""
        return self.for_quarter(Quarter.from_slug(slug))

    def peek(self, slug: str) -> "ReportingPeriod":
        """The period for a slug, unsaved if it has no row yet: for reading, so nothing is written by a look."""
        quarter = Quarter.from_slug(slug)
        existing = self.filter(slug=quarter.slug).first()
        if existing is not None:
            return existing
        return self.model(
            slug=quarter.slug, year=quarter.year, quarter=quarter.quarter, start=quarter.start, end=quarter.end
        )

    def current(self, today: date | None = None) -> "ReportingPeriod":
        return self.for_quarter(Quarter.current(today))

    def closed(self):
        return self.filter(closed_at__isnull=False)

    def published(self):
        """The periods the public site shows: the closed ones, newest first."""
        return self.closed().order_by("-slug")

    def closing(self, period) -> "ReportingPeriod | None":
        """The closed period that freezes `period` (it, or the earliest closed one after it), or None.

        Closing a period freezes every earlier one too: an update for an earlier quarter would change the
        position at the closed quarter's end, which its snapshot and the public site must not see change."""
        slug = getattr(period, "slug", period)
        return self.closed().filter(slug__gte=slug).order_by("slug").first()

    def refuse_if_closed(self, period: "ReportingPeriod", *, lock: bool = False) -> None:
        """Raise PeriodClosed if `period` is frozen. With `lock`, inside a transaction, lock the period's row
        and those after it first (in slug order), so a closing cannot commit between this check and the
        caller's write."""
        rows = self.filter(slug__gte=period.slug).order_by("slug")
        if lock:
            rows = rows.select_for_update()
        closing = next((row for row in rows if row.closed_at is not None), None)
        if closing is not None:
            raise PeriodClosed(period, closing)


class ReportingPeriod(models.Model):
    """A UK financial-year quarter. The slug is the key because slugs sort in date order."""

    slug = models.CharField(primary_key=True, max_length=10, help_text="For example 2022-23-q4.")
    year = models.PositiveSmallIntegerField(help_text="Calendar year in which the financial year starts.")
    quarter = models.PositiveSmallIntegerField()
    start = models.DateField()
    end = models.DateField()
    # Open or closed now; how it got there is in PeriodEvent, one row per close and reopen.
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+"
    )

    objects = ReportingPeriodQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]
        permissions = [("close_reportingperiod", "Can close and reopen reporting periods")]
        constraints = [
            models.CheckConstraint(condition=models.Q(quarter__gte=1, quarter__lte=4), name="period_quarter_1_to_4"),
            models.UniqueConstraint(fields=["year", "quarter"], name="period_unique_year_quarter"),
            models.CheckConstraint(condition=models.Q(start__lt=models.F("end")), name="period_starts_before_end"),
        ]

    def __str__(self):
        return self.label

    @property
    def as_quarter(self) -> Quarter:
        return Quarter(self.year, self.quarter)

    @property
    def label(self) -> str:
        return self.as_quarter.label

    @property
    def ends_at(self) -> datetime:
        """The first moment after the period's last day, in the site's time zone: what was added before it was
        in the plan by the period's end. A plain comparison, so the database needs no date function per row."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    def clean(self):
        try:
            quarter = Quarter(self.year, self.quarter)
            quarter.refuse_if_implausible()
        except (InvalidPeriod, TypeError) as error:
            raise ValidationError(str(error)) from error
        if self.slug and self.slug != quarter.slug:
            raise ValidationError({"slug": f"The slug for {quarter.label} is {quarter.slug}."})
        self.slug, self.start, self.end = quarter.slug, quarter.start, quarter.end

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class PeriodEvent(models.Model):
    """A period closed or reopened: who, when and (for a reopening) why. Append-only."""

    class Kind(models.TextChoices):
        CLOSED = "closed", "Closed"
        REOPENED = "reopened", "Reopened"

    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=["closed", "reopened"]), name="period_event_kind_valid"),
            models.CheckConstraint(condition=~models.Q(kind="reopened", reason=""), name="period_reopen_has_reason"),
        ]

    def __str__(self):
        return f"{self.period_id} {self.kind} at {self.at:%Y-%m-%d %H:%M}"


class ReportSnapshotQuerySet(models.QuerySet):
    def newest_first(self):
        return self.order_by("-taken_at", "-pk")


class ReportSnapshot(models.Model):
    """The quarterly report as it stood when its period closed, rendered and stored: it never changes.

    Each closing takes a new one (after a reopening the earlier one stays, at its own address)."""

    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="snapshots")
    closing = models.OneToOneField(PeriodEvent, on_delete=models.PROTECT, related_name="snapshot")
    taken_at = models.DateTimeField(default=timezone.now)
    body_html = models.TextField(help_text="The report's content, linking to the internal pages.")
    public_body_html = models.TextField(help_text="The same report, linking to the public site's pages.")
    workbook = models.BinaryField(help_text="The report's spreadsheet export at the same moment.")

    objects = ReportSnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["-taken_at", "-id"]

    def __str__(self):
        return f"Report for {self.period} as closed on {self.taken_at:%Y-%m-%d %H:%M}"
