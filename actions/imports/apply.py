"""Writing an import: everything in one transaction with bulk writes, recorded as a batch, or nothing."""

from django.db import connection, transaction
from django.utils import timezone

from actions.imports.compare import ImportPreview, preview_import
from actions.imports.rows import ParsedFile, Problem
from actions.models import (
    Action,
    ActionTarget,
    ImportBatch,
    PeriodClosed,
    ReportingPeriod,
    ReviewState,
    StatusSource,
    StatusUpdate,
)
from actions.models.action import year_in


class ImportRefused(Exception):
    """The file has problems; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems[:5]))


def closed_period_problem(period: ReportingPeriod, *, lock: bool = False) -> Problem | None:
    """Why nothing can be imported for `period` (it, or a later period, is closed), or None."""
    try:
        ReportingPeriod.objects.refuse_if_closed(period, lock=lock)
    except PeriodClosed as closed:
        return Problem(str(closed))
    return None


def apply_import(parsed: ParsedFile, period: ReportingPeriod, *, user=None) -> tuple[ImportPreview, ImportBatch | None]:
    """Write the import in one transaction. Returns the preview it applied and the batch (None if nothing changed).

    A refused file, or one with nothing to change, writes nothing at all: not even the period's row.
    Refused (ImportRefused) for a closed period. Its updates count as approved: review is for officers'
    updates, and the plan admin who imports answers for the file."""
    if not parsed.ok:
        raise ImportRefused(parsed.problems)
    with transaction.atomic():
        # Compare again inside the transaction, with the actions locked: the file was read once, at upload,
        # but the plan may have moved since, so this is the check of what can have changed.
        preview = preview_import(parsed, period, lock=True)
        if problem := closed_period_problem(period, lock=True):
            raise ImportRefused([problem])
        if not preview.has_changes:
            return preview, None
        period = ReportingPeriod.objects.for_quarter(period.as_quarter)
        preview.period = period
        now = timezone.now()
        counts = preview.counts
        batch = ImportBatch.objects.create(
            file_name=parsed.file_name[:255],
            sha256=parsed.sha256,
            period=period,
            imported_by=user,
            imported_at=now,
            rows_read=len(parsed.rows),
            actions_created=counts.new,
            updates_created=counts.updates,
            unchanged=counts.unchanged,
            missing=counts.missing,
            changed=counts.changed,
            confirmed=counts.confirmed,
            skipped=counts.skipped,
            warnings=counts.warnings,
        )
        new_actions = Action.objects.bulk_create(
            [
                Action(
                    number=outcome.row.number,
                    text=outcome.row.text,
                    target_date_text=outcome.row.target_date or "",
                    target_year=year_in(outcome.row.target_date or ""),
                    created_at=now,
                    created_by_import=batch,
                )
                for outcome in preview.new
            ]
        )
        for outcome, action in zip(preview.new, new_actions, strict=True):
            outcome.action = action
        if new_actions:
            from targets.models import Target

            target_ids = dict(Target.objects.values_list("number", "pk"))
            ActionTarget.objects.bulk_create(
                [
                    ActionTarget(action=outcome.action, target_id=target_ids[number], mark=mark[:8])
                    for outcome in preview.new
                    for number, mark in (outcome.row.marks or {}).items()
                ]
            )
        recorded_at = StatusUpdate._meta.get_field("recorded_at").get_db_prep_save(now, connection)
        _insert_many(
            StatusUpdate,
            _UPDATE_COLUMNS,
            [
                (
                    outcome.action.pk,
                    period.pk,
                    outcome.delivery_status,
                    outcome.rag,
                    outcome.commentary,
                    getattr(user, "pk", None),
                    recorded_at,
                    StatusSource.IMPORT.value,
                    batch.pk,
                    ReviewState.APPROVED.value,
                )
                for outcome in preview.to_write
            ],
        )
        # Recomputed in the database: an update for an earlier period does not become current.
        Action.objects.filter(
            pk__in=StatusUpdate.objects.filter(import_batch=batch).values("action_id")
        ).recompute_current()
    return preview, batch


_UPDATE_COLUMNS = [
    "action",
    "period",
    "delivery_status",
    "rag",
    "commentary",
    "recorded_by",
    "recorded_at",
    "source",
    "import_batch",
    "review_state",
]


def _insert_many(model, field_names: list[str], rows) -> None:
    """INSERT plain values, many rows to a statement.

    bulk_create builds and compiles a model instance per row, in batches of
    99 on SQLite: most of an import's time for a 5,000-row quarter. The values
    here are already validated by the parser, and the database's constraints
    still check them.
    """
    rows = list(rows)
    fields = [model._meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    table, columns = quote(model._meta.db_table), ", ".join(quote(field.column) for field in fields)
    per_statement = max(1, min(connection.ops.bulk_batch_size(fields, rows), 1000))
    placeholder = f"({', '.join(['%s'] * len(fields))})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            values = ", ".join([placeholder] * len(chunk))
            # Identifiers come from the model's own metadata, quoted; every value is a parameter.
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {values}", [v for row in chunk for v in row])  # noqa: S608
