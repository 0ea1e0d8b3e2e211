"""Writing an import: everything in one transaction with bulk writes, recorded as a batch, or nothing."""

from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from actions import definitions
from actions.imports.compare import ImportPreview, PlanAction, RowOutcome, preview_import
from actions.imports.rows import ParsedFile, Problem
from actions.models import (
    Action,
    ActionTarget,
    DefinitionChange,
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


def apply_import(
    parsed: ParsedFile, period: ReportingPeriod, *, user=None, apply_definitions: bool = False
) -> tuple[ImportPreview, ImportBatch | None]:
    """Write the import in one transaction. Returns the preview it applied and the batch (None if nothing changed).

    With `apply_definitions` (the plan admin's choice for this import, off by default), the parts of each
    action's definition the file gives otherwise (wording, targets, target date, service, leads, portfolio
    holder, partners, funding, milestones, links) are changed too, each change recorded (DefinitionChange,
    and the models' own history) with who and when, so the import's undo can put the old values back.
    New actions always get the file's definition: it is their first one, not a change.

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
        if not preview.has_changes and not (apply_definitions and preview.definition_differences):
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
            definitions_applied=apply_definitions,
        )
        reason = f"Import of {batch.file_name} for {period}"
        # With their history rows, as an admin's new action has: who, when, and which import.
        new_actions = bulk_create_with_history(
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
            ],
            Action,
            default_user=user,
            default_change_reason=reason,
            default_date=now,
        )
        for outcome, action in zip(preview.new, new_actions, strict=True):
            outcome.action = PlanAction(action.pk, action.number, action.text, action.target_date_text)
            for part, value in _new_action_definition(outcome).items():
                definitions.write_part(action, part, value, user=user, reason=reason)
        if new_actions:
            from targets.models import Target

            target_ids = dict(Target.objects.values_list("number", "pk"))
            ActionTarget.objects.bulk_create(
                [
                    ActionTarget(action=action, target_id=target_ids[number], mark=mark[:8])
                    for outcome, action in zip(preview.new, new_actions, strict=True)
                    for number, mark in (outcome.row.marks or {}).items()
                ]
            )
        if apply_definitions:
            _apply_definition_changes(preview.definition_differences, batch=batch, user=user, now=now, reason=reason)
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


def _stored(part: str, value):
    """The file's value for `part` as a change stores it: leads as accounts, the rest as compared (targets are
    already [number, mark] pairs in order, each mark a tick word the parser accepted)."""
    if part == definitions.Column.LEAD_OFFICER:
        return definitions.users_named(value)[0]
    return value


def _new_action_definition(outcome: RowOutcome) -> dict:
    """A new action's parts beyond text, targets and target date, as the file gives them."""
    details = outcome.row.details
    blank = {"directorate": "", "service": ""}
    found = definitions.differences(details, {**dict.fromkeys(definitions.PART_LABELS), "service": blank})
    return {part: _stored(part, value) for part, value in found.items() if value not in (None, [], blank)}


def _apply_definition_changes(outcomes: list[RowOutcome], *, batch: ImportBatch, user, now, reason: str) -> None:
    # The comparison read plain values; only the actions written to are loaded as instances (already locked).
    actions = Action.objects.with_definition().in_bulk([outcome.action.pk for outcome in outcomes])
    changes = []
    for outcome in outcomes:
        action = actions[outcome.action.pk]
        for part, (_, value) in outcome.definition_changes.items():
            if part == definitions.Column.LEAD_OFFICER and outcome.unknown_leads:
                continue  # a name with no account: the leads stay as they are, as the preview said
            new = _stored(part, value)
            old = definitions.stored_value(action, part)
            if old == new:
                continue
            definitions.write_part(action, part, new, user=user, reason=reason)
            changes.append(
                DefinitionChange(
                    import_batch=batch,
                    action=action,
                    part=part,
                    old=old,
                    new=new,
                    changed_by=user,
                    changed_at=now,
                )
            )
    DefinitionChange.objects.bulk_create(changes)


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
