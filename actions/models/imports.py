import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class ImportBatchQuerySet(models.QuerySet):
    def with_people(self):
        return self.select_related("period", "imported_by", "undone_by")

    def newest_first(self):
        return self.order_by("-imported_at", "-pk")

    def standing(self):
        """Batches not undone."""
        return self.filter(undone_at__isnull=True)


class ImportBatch(models.Model):
    """One applied spreadsheet import; every status update it created points here."""

    file_name = models.CharField(max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64)
    period = models.ForeignKey("actions.ReportingPeriod", on_delete=models.PROTECT, related_name="import_batches")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty when imported from the command line.",
    )
    imported_at = models.DateTimeField(default=timezone.now)
    rows_read = models.PositiveIntegerField(default=0)
    actions_created = models.PositiveIntegerField("new actions", default=0)
    updates_created = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField("already recorded", default=0)
    missing = models.PositiveIntegerField(
        "missing from the file", default=0, help_text="Actions of the plan absent from the file."
    )
    changed = models.PositiveIntegerField(default=0)
    confirmed = models.PositiveIntegerField("confirmed unchanged", default=0)
    skipped = models.PositiveIntegerField("rows skipped", default=0)
    warnings = models.PositiveIntegerField(default=0)
    definitions_applied = models.BooleanField(
        "definition changes applied",
        default=False,
        help_text="The plan admin asked for the file's differing definitions (service, funding, ...) to be applied.",
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name_plural = "import batches"
        constraints = [
            models.CheckConstraint(condition=models.Q(sha256__regex=r"^[0-9a-f]{64}$"), name="import_sha256_hex"),
        ]
        indexes = [models.Index(fields=["sha256", "period"], name="import_sha_period_idx")]

    def __str__(self):
        return f"{self.file_name} for {self.period_id} at {timezone.localtime(self.imported_at):%Y-%m-%d %H:%M}"

    @property
    def counts(self):
        """The import's counts as its preview showed them."""
        from actions.imports.compare import ImportCounts

        return ImportCounts(
            new=self.actions_created,
            changed=self.changed,
            confirmed=self.confirmed,
            unchanged=self.unchanged,
            missing=self.missing,
            skipped=self.skipped,
            warnings=self.warnings,
        )


class PendingImportQuerySet(models.QuerySet):
    def live(self, *, now=None):
        return self.filter(expires_at__gt=now or timezone.now())

    def expired(self, *, now=None):
        return self.filter(expires_at__lte=now or timezone.now())


class PendingImport(models.Model):
    """An uploaded file waiting between preview and confirm, with the outcome of reading it.

    Kept in the database, not on a local disk, so any of several app servers
    sharing the database can show the preview and apply the confirm. The period
    is kept as its slug: its row is created only when an import is applied.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period_slug = models.CharField(max_length=10)
    file_name = models.CharField(max_length=255)
    data = models.BinaryField()
    choices = models.JSONField(default=dict, help_text="This upload's mapping-step choices.")
    parsed = models.JSONField(null=True, help_text="The file as read with its choices (a ParsedFile).")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    objects = PendingImportQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="pending_import_expiry_idx")]

    def __str__(self):
        return f"{self.file_name} for {self.period_slug}, uploaded by {self.user_id}"

    @property
    def period(self):
        from actions.models.period import ReportingPeriod

        return ReportingPeriod.objects.peek(self.period_slug)


class RememberedChoice(models.Model):
    """A mapping-step choice kept for future imports: a column heading's role, or an unknown word's meaning."""

    class Kind(models.TextChoices):
        COLUMN = "column", "Column heading"
        STATUS = "status", "Delivery status word"
        RAG = "rag", "RAG word"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.CharField(
        "heading or word",
        max_length=200,
        help_text="As it appears in the file. A heading matches whatever quarter or year it names.",
    )
    key = models.CharField(max_length=200, editable=False)
    meaning = models.CharField(
        max_length=30,
        help_text=(
            "For a column: number, action, delivery status, RAG, commentary, target date, target:N, or blank for "
            "not used. For a status word: not_started, in_progress, in_delivery, complete, blank for not recorded, "
            "or refuse. For a RAG word: green, amber, red or refuse."
        ),
        blank=True,
    )
    remembered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    remembered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "key"]
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="remembered_choice_unique")]

    def __str__(self):
        return f"{self.get_kind_display()} “{self.text}” → {self.meaning or 'not used'}"

    def save(self, *args, **kwargs):
        self.key = self.key_for(self.kind, self.text)
        super().save(*args, **kwargs)

    def clean(self):
        from django.core.exceptions import ValidationError

        from actions.imports.choices import valid_meaning

        if not valid_meaning(self.kind, self.meaning):
            raise ValidationError(
                {"meaning": f"“{self.meaning}” is not a meaning a {self.get_kind_display().lower()} can have."}
            )
        self.key = self.key_for(self.kind, self.text)

    @staticmethod
    def key_for(kind: str, text: str) -> str:
        from actions.spreadsheet import heading_key, normalise_header

        return heading_key(text) if kind == RememberedChoice.Kind.COLUMN else normalise_header(text)
