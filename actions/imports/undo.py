"""Undoing an import: its status updates and the actions it created go; the batch stays, marked undone."""

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from actions import definitions, services
from actions.models import Action, DefinitionChange, ImportBatch, ReportingPeriod, StatusUpdate


class UndoRefused(Exception):
    """The batch cannot be undone; the message says what blocks it."""


def undo_blocker(batch: ImportBatch) -> str | None:
    """Why `batch` cannot be undone now, or None if it can."""
    if batch.undone_at is not None:
        return f"This import was already undone on {timezone.localtime(batch.undone_at):%d %b %Y at %H:%M}."
    if closing := ReportingPeriod.objects.closing(batch.period_id):
        return f"Its period is frozen: {closing.label} is closed. A plan admin can reopen it from its report."
    later = ImportBatch.objects.standing().newest_first().first()
    if later is not None and later.pk != batch.pk:
        return (
            f"Only the latest import can be undone. {later.file_name} was imported for {later.period} "
            f"after it, on {timezone.localtime(later.imported_at):%d %b %Y at %H:%M}; undo that first."
        )
    batch_updates = StatusUpdate.objects.filter(import_batch=batch)
    touched = batch_updates.values("action_id")
    last_pk = batch_updates.aggregate(last=Max("pk"))["last"] or 0
    newer = (
        StatusUpdate.objects.filter(action_id__in=touched)
        .exclude(import_batch=batch)
        .filter(Q(pk__gt=last_pk) | Q(recorded_at__gt=batch.imported_at))
        .select_related("action", "period", "recorded_by")
        .order_by("action__number", "recorded_at")
    )
    blocking = list(newer[:6])
    if blocking:
        described = "; ".join(
            f"action {update.action.number} for {update.period} on "
            f"{timezone.localtime(update.recorded_at):%d %b %Y at %H:%M}"
            + (f" by {update.recorded_by.get_username()}" if update.recorded_by else "")
            for update in blocking[:5]
        )
        more = " and more" if len(blocking) > 5 else ""
        return f"Statuses were recorded after this import for actions it changed: {described}{more}."
    if changed := definition_changed_since(batch):
        return changed
    merged = Action.objects.filter(merged_into__created_by_import=batch).order_by("number").first()
    if merged is not None:
        return (
            f"Action {merged.number} has been merged into action {merged.merged_into.number}, "
            "which this import created."
        )
    return None


def definition_changed_since(batch: ImportBatch) -> str | None:
    """Why putting back the definitions `batch` changed would overwrite a later edit, or None."""
    for change in _definition_changes(batch):
        if definitions.stored_value(change.action, change.part) != change.new:
            return (
                f"The {definitions.PART_LABELS[change.part]} of action {change.action.number} has been changed "
                "since this import (in the admin); undoing it would overwrite that change."
            )
    return None


def _definition_changes(batch: ImportBatch) -> list[DefinitionChange]:
    """The definition changes `batch` applied, latest first: the order to put them back in."""
    return list(DefinitionChange.objects.filter(import_batch=batch).select_related("action").order_by("-pk"))


def undo_import(batch: ImportBatch, *, user, now=None) -> ImportBatch:
    """Remove what `batch` recorded: its status updates and the actions it created.

    Each touched action's current status is recomputed from the history that
    remains. The batch stays in the history, marked undone. Raises UndoRefused
    (writing nothing) if it is not the latest batch or anything was recorded
    since for the actions it touched.
    """
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        action_ids = set(StatusUpdate.objects.filter(import_batch=batch).values_list("action_id", flat=True))
        # Lock the actions so no status can be recorded for them while we decide.
        # In primary-key order, as the import and every other many-action write lock them.
        list(
            Action.objects.select_for_update(of=("self",))
            .filter(pk__in=action_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        blocker = undo_blocker(batch)
        if blocker:
            raise UndoRefused(blocker)
        # Point the actions away from the updates first: current_update protects them.
        Action.objects.filter(pk__in=action_ids).update(
            current_update=None, current_period=None, current_rag="", current_delivery_status=""
        )
        StatusUpdate.objects.filter(import_batch=batch).delete()
        reason = f"Undo of the import of {batch.file_name} for {batch.period_id}"
        for change in _definition_changes(batch):  # kept, with the batch: history is appended
            definitions.write_part(change.action, change.part, change.old, user=user, reason=reason)
        Action.objects.filter(created_by_import=batch).delete()
        services.refresh_current_status(Action.objects.filter(pk__in=action_ids))
        batch.undone_at = now or timezone.now()
        batch.undone_by = user
        batch.save(update_fields=["undone_at", "undone_by"])
    return batch
