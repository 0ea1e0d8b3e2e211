"""What committees and scorecards ask of each action besides its wording: who is responsible (a service in
a directorate), which councillor holds the portfolio, who delivers it with the council, what it costs and
whether the money is there, its milestones, and links to the decisions behind it.

Each hangs off Action, so a later Plan model is one migration away. Every model here keeps its history
(django-simple-history), as Action does: a definition change is appended, never overwritten.
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Service(models.Model):
    """A directorate (no parent) or a service within one: a two-level hierarchy, as councils organise."""

    name = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="directorate",
        limit_choices_to={"parent__isnull": True},
        help_text="The directorate this service sits in; blank for a directorate itself.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["parent__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"], condition=models.Q(parent__isnull=True), name="directorate_name_unique"
            ),
            models.UniqueConstraint(fields=["parent", "name"], name="service_name_unique_in_directorate"),
            models.CheckConstraint(condition=~models.Q(parent=models.F("pk")), name="service_not_its_own_parent"),
        ]

    def __str__(self):
        return f"{self.parent.name} › {self.name}" if self.parent_id else self.name

    def clean(self):
        if self.parent_id and self.parent.parent_id:
            raise ValidationError({"parent": "Choose a directorate: a service cannot sit inside another service."})

    @property
    def directorate(self) -> "Service":
        return self.parent if self.parent_id else self


class PortfolioHolder(models.Model):
    """The councillor who holds the portfolio an action falls under: a name and a role, not a user account."""

    name = models.CharField(max_length=200, help_text='As committee papers write it: "Cllr Jane Smith".')
    role = models.CharField(max_length=200, blank=True, help_text='"Lead Member for Environment and Climate".')

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name"], name="portfolio_holder_name_unique")]

    def __str__(self):
        return f"{self.name} ({self.role})" if self.role else self.name


class Partner(models.Model):
    """An organisation that delivers actions with the council (CPCA, GCP, the district councils)."""

    name = models.CharField(max_length=200, unique=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class FundingState(models.TextChoices):
    SECURED = "secured", "Secured"
    BID_SUBMITTED = "bid_submitted", "Bid submitted"
    UNFUNDED = "unfunded", "Unfunded"


class ActionFunding(models.Model):
    """One line of an action's funding: how much, from where, whether it is secured, for which financial year."""

    action = models.ForeignKey("actions.Action", on_delete=models.CASCADE, related_name="funding")
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True, help_text="In pounds.")
    source = models.CharField(max_length=200, blank=True, help_text='"Capital programme", "Salix", "CPCA".')
    state = models.CharField(max_length=20, choices=FundingState.choices, blank=True)
    financial_year = models.CharField(
        max_length=7, blank=True, help_text='A UK financial year as "2024/25".', validators=[]
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["action", "financial_year", "pk"]
        verbose_name_plural = "funding"
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="funding_amount_not_negative"),
            models.CheckConstraint(
                condition=models.Q(state__in=[*FundingState.values, ""]), name="funding_state_valid"
            ),
        ]

    def __str__(self):
        from actions.definitions import funding_text

        return funding_text(self)

    def clean(self):
        from actions.definitions import FINANCIAL_YEAR

        if self.financial_year and not FINANCIAL_YEAR.fullmatch(self.financial_year):
            raise ValidationError({"financial_year": 'Write the financial year as "2024/25".'})


class MilestoneQuerySet(models.QuerySet):
    def late(self, on: date):
        """Due before `on` and not done."""
        return self.filter(due__lt=on, done__isnull=True)


class ActionMilestone(models.Model):
    """A step on the way to the action's target date. Late when its due date has passed and it is not done."""

    action = models.ForeignKey("actions.Action", on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=300)
    due = models.DateField(null=True, blank=True)
    done = models.DateField(null=True, blank=True)

    history = HistoricalRecords()
    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["action", models.F("due").asc(nulls_last=True), "pk"]

    def __str__(self):
        return self.title

    def is_late(self, on: date | None = None) -> bool:
        return self.done is None and self.due is not None and self.due < (on or timezone.localdate())


class ActionLink(models.Model):
    """A committee decision or a document about the action."""

    action = models.ForeignKey("actions.Action", on_delete=models.CASCADE, related_name="links")
    title = models.CharField(max_length=300)
    url = models.URLField("URL", max_length=500)

    history = HistoricalRecords()

    class Meta:
        ordering = ["action", "pk"]

    def __str__(self):
        return self.title


class DefinitionChange(models.Model):
    """One part of an action's definition an import changed (the plan admin ticked "apply definition
    changes"), with the values before and after, so the import's undo can put the old one back."""

    import_batch = models.ForeignKey("actions.ImportBatch", on_delete=models.CASCADE, related_name="definition_changes")
    action = models.ForeignKey("actions.Action", on_delete=models.CASCADE, related_name="definition_changes")
    part = models.CharField(max_length=40, help_text="Which part of the definition: a column role.")
    old = models.JSONField(null=True)
    new = models.JSONField(null=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self):
        return f"Action {self.action_id}: {self.part}"
