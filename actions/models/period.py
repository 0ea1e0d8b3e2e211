from datetime import date

from django.core.exceptions import ValidationError
from django.db import models

from actions.periods import InvalidPeriod, Quarter


class ReportingPeriodQuerySet(models.QuerySet):
    def for_quarter(self, quarter: Quarter) -> "ReportingPeriod":
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


class ReportingPeriod(models.Model):
    """A UK financial-year quarter. The slug is the key because slugs sort in date order."""

    slug = models.CharField(primary_key=True, max_length=10, help_text="For example 2022-23-q4.")
    year = models.PositiveSmallIntegerField(help_text="Calendar year in which the financial year starts.")
    quarter = models.PositiveSmallIntegerField()
    start = models.DateField()
    end = models.DateField()

    objects = ReportingPeriodQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]
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

    def clean(self):
        try:
            quarter = Quarter(self.year, self.quarter)
        except (InvalidPeriod, TypeError) as error:
            raise ValidationError(str(error)) from error
        if self.slug and self.slug != quarter.slug:
            raise ValidationError({"slug": f"The slug for {quarter.label} is {quarter.slug}."})
        self.slug, self.start, self.end = quarter.slug, quarter.start, quarter.end
