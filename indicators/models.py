"""Indicators: what each target is measured by, its baseline and goals, and its values over time.

Values are append-only, like status updates: a correction is a new value for the same period that
supersedes the standing one, and both stay in the history.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from actions.periods import InvalidPeriod
from indicators.periods import Frequency, Period, parse_period

VALUE_DIGITS = {"max_digits": 20, "decimal_places": 4}

__all__ = [
    "Direction",
    "Frequency",
    "Indicator",
    "IndicatorGoal",
    "IndicatorImport",
    "IndicatorQuerySet",
    "IndicatorValue",
    "IndicatorValueQuerySet",
    "PendingIndicatorImport",
    "ValueSource",
    "plain",
]


def plain(value) -> str:
    """A Decimal as people write it: 21000, 12.5, never 2.1E+4 or 12.5000."""
    if value is None:
        return ""
    text = f"{Decimal(value).normalize():f}"
    return "0" if text in ("-0", "") else text


class Direction(models.TextChoices):
    DOWN = "down", "Lower is better"
    UP = "up", "Higher is better"


class ValueSource(models.TextChoices):
    WEB = "web", "Web form"
    IMPORT = "import", "Spreadsheet import"
    ADMIN = "admin", "Admin"
    DEMO = "demo", "Demonstration data"


class IndicatorQuerySet(models.QuerySet):
    def in_order(self):
        return self.order_by("position", "name")

    def for_pages(self):
        """Everything the list, target and report pages draw, in three more queries whatever the count."""
        return self.prefetch_related(
            models.Prefetch("targets", queryset=_targets().in_plan_order()),
            models.Prefetch("goals", queryset=IndicatorGoal.objects.order_by("period")),
            models.Prefetch("values", queryset=IndicatorValue.objects.in_history_order()),
        )

    def serving(self, target):
        return self.filter(targets=target)

    def editable_by(self, user):
        """The indicators `user` may record values for: all for a plan admin, those they own for an officer."""
        from indicators.permissions import EDIT_ANY_INDICATOR, RECORD_VALUE

        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.has_perm(EDIT_ANY_INDICATOR):
            return self.all()
        if user.has_perm(RECORD_VALUE):
            return self.filter(owners=user)
        return self.none()


def _targets():
    from targets.models import Target

    return Target.objects


class Indicator(models.Model):
    """A measure of progress towards one or more targets, with a baseline and goals."""

    slug = models.SlugField(max_length=80, unique=True, help_text="Its address: /indicators/<slug>/.")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in lists (smaller first).")
    targets = models.ManyToManyField("targets.Target", related_name="indicators")
    unit = models.CharField(max_length=40, help_text="For example tCO2e, %, count, hectares.")
    direction = models.CharField(max_length=4, choices=Direction.choices)
    frequency = models.CharField(
        "measured every", max_length=20, choices=Frequency.choices, help_text="Each value is for one such period."
    )
    baseline_value = models.DecimalField(**VALUE_DIGITS, null=True, blank=True)
    baseline_period = models.CharField(
        max_length=12, blank=True, help_text="The period the baseline is for, e.g. 2018/19, 2018/19 Q4 or 2018."
    )
    data_source = models.TextField("where the data comes from", blank=True)
    calculation = models.TextField("how it is calculated", blank=True)
    owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="owned_indicators",
        help_text="Officers who record its values (plan admins can record any indicator's).",
    )

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("indicators:detail", kwargs={"slug": self.slug})

    def period(self, text) -> Period:
        return parse_period(self.frequency, text)

    @property
    def baseline(self) -> Period | None:
        return self.period(self.baseline_period) if self.baseline_period else None

    def clean(self):
        if self.baseline_period:
            try:
                self.baseline_period = self.period(self.baseline_period).key
            except InvalidPeriod as error:
                raise ValidationError({"baseline_period": str(error)}) from error
        if self.pk:
            before = Indicator.objects.filter(pk=self.pk).values_list("frequency", flat=True).first()
            if before and before != self.frequency and self.values.exists():
                raise ValidationError({"frequency": "It has values recorded by the old frequency; it cannot change."})


class IndicatorGoal(models.Model):
    """A value to reach by the end of a period: an absolute figure, or a percentage of the baseline."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="goals")
    period = models.CharField("by the end of", max_length=12, help_text="e.g. 2029/30, 2045.")
    value = models.DecimalField(**VALUE_DIGITS, null=True, blank=True)
    percent_of_baseline = models.DecimalField(
        max_digits=7, decimal_places=2, null=True, blank=True, help_text="For a goal such as 'halve': 50."
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["period"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period"], name="goal_one_per_period"),
            models.CheckConstraint(
                condition=models.Q(value__isnull=True) ^ models.Q(percent_of_baseline__isnull=True),
                name="goal_value_or_percent",
            ),
        ]

    def __str__(self):
        return f"{self.describe()} by {self.period}"

    def resolved_value(self, indicator: Indicator | None = None) -> Decimal | None:
        """The goal as a figure; None when it is a share of a baseline not yet known."""
        if self.value is not None:
            return self.value
        baseline = (indicator or self.indicator).baseline_value
        if baseline is None or self.percent_of_baseline is None:
            return None
        return baseline * self.percent_of_baseline / 100

    def describe(self) -> str:
        if self.value is not None:
            return plain(self.value)
        return f"{plain(self.percent_of_baseline)}% of the baseline"

    def clean(self):
        if (self.value is None) == (self.percent_of_baseline is None):
            raise ValidationError("Give the goal either as a value or as a percentage of the baseline, not both.")
        if self.indicator_id:
            try:
                self.period = self.indicator.period(self.period).key
            except InvalidPeriod as error:
                raise ValidationError({"period": str(error)}) from error


class IndicatorValueQuerySet(models.QuerySet):
    def in_history_order(self):
        """By period, then by when each value was recorded: a superseded value comes before its successor."""
        return self.select_related("recorded_by").order_by("period", "recorded_at", "pk")

    def standing(self):
        """The value each period stands at: not superseded by a correction."""
        return self.filter(superseded_by__isnull=True)

    def latest_recorded(self):
        return self.order_by("-recorded_at", "-pk").first()


class IndicatorValue(models.Model):
    """One recorded value of an indicator for a period. Append-only: a correction is a new row."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    period = models.CharField(max_length=12)
    value = models.DecimalField(**VALUE_DIGITS)
    provisional = models.BooleanField(default=False, help_text="Ticked until the figure is final.")
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, db_index=True)
    source = models.CharField(max_length=10, choices=ValueSource.choices)
    import_batch = models.ForeignKey(
        "indicators.IndicatorImport", null=True, blank=True, on_delete=models.PROTECT, related_name="values"
    )
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        help_text="The value for the same period that this one corrects.",
    )

    objects = IndicatorValueQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(source__in=ValueSource.values), name="value_source_valid"),
            models.CheckConstraint(
                condition=(
                    models.Q(source=ValueSource.IMPORT, import_batch__isnull=False)
                    | (~models.Q(source=ValueSource.IMPORT) & models.Q(import_batch__isnull=True))
                ),
                name="value_import_has_batch",
            ),
        ]
        indexes = [models.Index(fields=["indicator", "period", "recorded_at"], name="value_indicator_period_idx")]

    def __str__(self):
        return f"{self.indicator}, {self.period}: {self.value}"

    @property
    def period_label(self) -> str:
        return self.indicator.period(self.period).label

    @property
    def is_demo(self) -> bool:
        return self.source == ValueSource.DEMO


class IndicatorImport(models.Model):
    """One applied spreadsheet of indicator values; every value it created points here."""

    file_name = models.CharField(max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now)
    values_created = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name = "indicator values import"

    def __str__(self):
        return f"{self.file_name} at {timezone.localtime(self.imported_at):%Y-%m-%d %H:%M}"


class PendingIndicatorImport(models.Model):
    """An uploaded file of indicator values waiting between preview and confirm, in the database."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=255)
    data = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    def __str__(self):
        return f"{self.file_name}, uploaded by {self.user_id}"
