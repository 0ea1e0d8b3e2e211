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
    actions_created = models.PositiveIntegerField(default=0)
    updates_created = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    missing = models.PositiveIntegerField(default=0, help_text="Actions of the plan absent from the file.")
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
        return f"{self.file_name} for {self.period_id} at {self.imported_at:%Y-%m-%d %H:%M}"


class PendingImportQuerySet(models.QuerySet):
    def live(self, *, now=None):
        return self.filter(expires_at__gt=now or timezone.now())

    def expired(self, *, now=None):
        return self.filter(expires_at__lte=now or timezone.now())


class PendingImport(models.Model):
    """An uploaded file waiting between preview and confirm.

    Kept in the database, not on a local disk, so any of several app servers
    sharing the database can show the preview and apply the confirm.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey("actions.ReportingPeriod", on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=255)
    data = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    objects = PendingImportQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="pending_import_expiry_idx")]

    def __str__(self):
        return f"{self.file_name} for {self.period_id}, uploaded by {self.user_id}"
