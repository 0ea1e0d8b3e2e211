from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone


class RAG(models.TextChoices):
    """Red, amber, green. The source report's legend calls amber "yellow": delayed or stalled."""

    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"

    @property
    def meaning(self) -> str:
        return {
            RAG.RED: "Not started or off track",
            RAG.AMBER: "Delayed or stalled",
            RAG.GREEN: "On track",
        }[self]


# Red first: the order a manager reads a plan in.
RAG_SEVERITY = {RAG.RED: 0, RAG.AMBER: 1, RAG.GREEN: 2}


class DeliveryStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    IN_DELIVERY = "in_delivery", "In delivery"
    COMPLETE = "complete", "Complete"


# The source report left some statuses blank; they stay visibly unrecorded.
NOT_RECORDED = "Not recorded"


def delivery_status_label(code: str) -> str:
    return DeliveryStatus(code).label if code else NOT_RECORDED


class StatusSource(models.TextChoices):
    IMPORT = "import", "Spreadsheet import"
    WEB = "web", "Web form"
    ADMIN = "admin", "Admin"


class ReviewState(models.TextChoices):
    """Where an update stands with its reviewer. Only approved updates count in reports and the public site."""

    SUBMITTED = "submitted", "Awaiting review"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned"


class StatusUpdateQuerySet(models.QuerySet):
    def newest_first(self):
        return self.order_by("-period_id", "-recorded_at", "-id")

    def with_details(self):
        return self.select_related("period", "recorded_by", "import_batch", "latest_review__decided_by")

    def counted(self, *, approved_only: bool):
        """The updates a position is read from: all of them (internal pages), or the approved ones (reports,
        the public site). The one switch between "latest" and "latest approved"."""
        return self.filter(review_state=ReviewState.APPROVED) if approved_only else self.all()

    def awaiting_review(self):
        return self.filter(review_state=ReviewState.SUBMITTED)

    def reviewed(self):
        """Updates a reviewer decided on (approved or returned), as opposed to counted as approved on recording."""
        return self.filter(latest_review__isnull=False)

    def published(self, as_of):
        """An action's history as the public site shows it: approved updates for `as_of` or earlier."""
        slug = getattr(as_of, "slug", as_of)
        return self.counted(approved_only=True).filter(period_id__lte=slug)


# One limit for commentary everywhere it is written or read: the form, the admin, the import, the model and
# the export (well under a spreadsheet cell's 32,767 characters, so an export always imports back).
MAX_COMMENTARY_LENGTH = 10_000


class StatusUpdate(models.Model):
    """One recorded position of an action. Append-only: a change is a new row."""

    action = models.ForeignKey("actions.Action", on_delete=models.PROTECT, related_name="status_updates")
    period = models.ForeignKey("actions.ReportingPeriod", on_delete=models.PROTECT, related_name="status_updates")
    delivery_status = models.CharField(max_length=20, choices=DeliveryStatus.choices, blank=True)
    rag = models.CharField("RAG", max_length=10, choices=RAG.choices)
    commentary = models.TextField(
        blank=True, max_length=MAX_COMMENTARY_LENGTH, validators=[MaxLengthValidator(MAX_COMMENTARY_LENGTH)]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, db_index=True)
    source = models.CharField(max_length=10, choices=StatusSource.choices)
    import_batch = models.ForeignKey(
        "actions.ImportBatch", null=True, blank=True, on_delete=models.PROTECT, related_name="status_updates"
    )
    based_on = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The action's current update when this one was recorded: what the writer saw.",
    )
    # The review's state, kept in step with the latest ReviewDecision (the append-only log) in the same
    # transaction, so positions filter on it without a join. The officer's words above are never edited.
    review_state = models.CharField(
        max_length=10,
        choices=ReviewState.choices,
        default=ReviewState.APPROVED,
        db_default=ReviewState.APPROVED,
        editable=False,
    )
    latest_review = models.ForeignKey(
        "actions.ReviewDecision", null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+"
    )

    objects = StatusUpdateQuerySet.as_manager()

    class Meta:
        permissions = [("review_statusupdate", "Can approve or return status updates")]
        constraints = [
            models.CheckConstraint(condition=models.Q(rag__in=RAG.values), name="status_rag_valid"),
            models.CheckConstraint(
                condition=models.Q(review_state__in=ReviewState.values), name="status_review_state_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(delivery_status__in=[*DeliveryStatus.values, ""]), name="status_delivery_valid"
            ),
            models.CheckConstraint(condition=models.Q(source__in=StatusSource.values), name="status_source_valid"),
            models.CheckConstraint(
                condition=(
                    models.Q(source=StatusSource.IMPORT, import_batch__isnull=False)
                    | (~models.Q(source=StatusSource.IMPORT) & models.Q(import_batch__isnull=True))
                ),
                name="status_import_has_batch",
            ),
        ]
        indexes = [
            models.Index(fields=["action", "period", "recorded_at"], name="status_action_period_idx"),
            models.Index(fields=["review_state", "period"], name="status_review_period_idx"),
        ]

    def __str__(self):
        return f"Action {self.action.number}, {self.period}: {self.get_rag_display()}"

    @property
    def delivery_status_label(self) -> str:
        return delivery_status_label(self.delivery_status)

    def sort_key(self) -> tuple:
        """Which update is latest: the later period wins, then the later recording."""
        return (self.period_id, self.recorded_at, self.pk or 0)

    @property
    def awaiting_review(self) -> bool:
        return self.review_state == ReviewState.SUBMITTED

    @property
    def returned(self) -> bool:
        return self.review_state == ReviewState.RETURNED


class ReviewDecision(models.Model):
    """A reviewer's decision on one status update: approved, or returned with a note. Append-only."""

    update = models.ForeignKey(StatusUpdate, on_delete=models.PROTECT, related_name="reviews")
    decision = models.CharField(
        max_length=10, choices=[(ReviewState.APPROVED, "Approved"), (ReviewState.RETURNED, "Returned")]
    )
    note = models.TextField(blank=True, help_text="Why it was returned: the officer sees this.")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision__in=[ReviewState.APPROVED, ReviewState.RETURNED]),
                name="review_decision_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(decision=ReviewState.RETURNED, note=""), name="review_return_has_note"
            ),
        ]

    def __str__(self):
        return f"{self.get_decision_display()}: update {self.update_id}"
