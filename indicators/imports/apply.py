"""Writing an import of indicator values in one transaction, recorded as a batch; and undoing it."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from indicators.imports.preview import ValuesPreview, preview_values
from indicators.imports.reading import ParsedValues, Problem
from indicators.models import Indicator, IndicatorImport, IndicatorValue, PendingIndicatorImport, ValueSource

PENDING_LIFETIME = timedelta(hours=2)


class ImportRefused(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems[:5]))


class UndoRefused(Exception):
    """The batch cannot be undone; the message says what blocks it."""


def apply_values(parsed: ParsedValues, *, user=None) -> tuple[ValuesPreview, IndicatorImport | None]:
    """Write every new value and correction, or nothing. Returns the preview applied and the batch (None if
    the file changes nothing)."""
    if not parsed.ok:
        raise ImportRefused(parsed.problems)
    with transaction.atomic():
        # Compared again with the indicators locked, so the write reflects the values as they are now.
        preview = preview_values(parsed, lock=True)
        if not preview.has_changes:
            return preview, None
        now = timezone.now()
        batch = IndicatorImport.objects.create(
            file_name=parsed.file_name[:255],
            sha256=parsed.sha256,
            imported_by=user,
            imported_at=now,
            values_created=len(preview.to_write),
            unchanged=len(preview.unchanged),
        )
        IndicatorValue.objects.bulk_create(
            [
                IndicatorValue(
                    indicator=change.cell.indicator,
                    period=change.cell.period,
                    value=change.cell.value,
                    provisional=change.cell.provisional,
                    note=f"Imported from {parsed.file_name[:200]}, {change.cell.column}, row {change.cell.row}.",
                    recorded_by=user,
                    recorded_at=now,
                    source=ValueSource.IMPORT,
                    import_batch=batch,
                    supersedes=change.standing,
                )
                for change in preview.to_write
            ]
        )
    return preview, batch


def hold_upload(*, data: bytes, file_name: str, user, now=None) -> PendingIndicatorImport:
    now = now or timezone.now()
    PendingIndicatorImport.objects.filter(expires_at__lte=now).delete()
    return PendingIndicatorImport.objects.create(
        user=user, file_name=file_name[:255], data=data, created_at=now, expires_at=now + PENDING_LIFETIME
    )


def undo_blocker(batch: IndicatorImport) -> str | None:
    """Why `batch` cannot be undone now, or None if it can."""
    if batch.undone_at is not None:
        return f"This import was already undone on {timezone.localtime(batch.undone_at):%d %b %Y at %H:%M}."
    later = IndicatorImport.objects.filter(undone_at__isnull=True).order_by("-imported_at", "-pk").first()
    if later is not None and later.pk != batch.pk:
        return f"Only the latest import can be undone. Undo {later.file_name}, imported after it, first."
    created = IndicatorValue.objects.filter(import_batch=batch)
    last_pk = created.aggregate(last=Max("pk"))["last"] or 0
    newer = (
        IndicatorValue.objects.filter(indicator_id__in=created.values("indicator_id"))
        .exclude(import_batch=batch)
        .filter(Q(pk__gt=last_pk) | Q(recorded_at__gt=batch.imported_at))
        .select_related("indicator")
        .order_by("indicator__name", "period")
    )
    blocking = list(newer[:6])
    if blocking:
        described = "; ".join(f"{value.indicator.name} for {value.period_label}" for value in blocking[:5])
        more = " and more" if len(blocking) > 5 else ""
        return f"Values were recorded after this import for indicators it changed: {described}{more}."
    return None


def undo_values(batch: IndicatorImport, *, user, now=None) -> IndicatorImport:
    """Remove the values `batch` created; the values they superseded stand again. The batch stays, undone."""
    with transaction.atomic():
        batch = IndicatorImport.objects.select_for_update().get(pk=batch.pk)
        touched = IndicatorValue.objects.filter(import_batch=batch).values_list("indicator_id", flat=True)
        list(Indicator.objects.select_for_update().filter(pk__in=list(touched)).order_by("pk").values_list("pk"))
        blocker = undo_blocker(batch)
        if blocker:
            raise UndoRefused(blocker)
        IndicatorValue.objects.filter(import_batch=batch).delete()
        batch.undone_at = now or timezone.now()
        batch.undone_by = user
        batch.save(update_fields=["undone_at", "undone_by"])
    return batch
