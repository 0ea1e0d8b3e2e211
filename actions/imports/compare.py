"""Comparison: what applying a parsed file for a period would do. Writes nothing."""

from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from actions.imports.rows import ParsedFile, PlanRow
from actions.models import Action, ActionTarget, ImportBatch, ReportingPeriod, StatusUpdate


@dataclass
class RowOutcome:
    row: PlanRow
    action: Action | None  # None for a new action
    standing: "Standing | None"  # the position as it stood in the period before this import
    kind: str  # one of the OUTCOME_* values
    changed: list[str] = field(default_factory=list)  # which of "rag", "delivery_status", "commentary"
    definition_differs: list[str] = field(default_factory=list)

    @cached_property
    def before(self) -> StatusUpdate | None:
        """The standing position as a StatusUpdate, built only when shown (thousands cost a quarter second)."""
        return StatusUpdate(**self.standing._asdict()) if self.standing else None


class Standing(NamedTuple):
    id: int
    action_id: int
    period_id: str
    rag: str
    delivery_status: str
    commentary: str


OUTCOME_NEW = "new"
OUTCOME_CHANGED = "changed"
OUTCOME_CONFIRMED = "confirmed"  # same as before, first recorded for this period
OUTCOME_UNCHANGED = "unchanged"  # already recorded for this period as it is


@dataclass
class ImportPreview:
    parsed: ParsedFile
    period: ReportingPeriod
    outcomes: list[RowOutcome]
    missing: list[Action]
    previous_batch: ImportBatch | None

    def of_kind(self, kind: str) -> list[RowOutcome]:
        return [outcome for outcome in self.outcomes if outcome.kind == kind]

    @property
    def new(self):
        return self.of_kind(OUTCOME_NEW)

    @property
    def changed(self):
        return self.of_kind(OUTCOME_CHANGED)

    @property
    def confirmed(self):
        return self.of_kind(OUTCOME_CONFIRMED)

    @property
    def unchanged(self):
        return self.of_kind(OUTCOME_UNCHANGED)

    @property
    def to_write(self) -> list[RowOutcome]:
        return [outcome for outcome in self.outcomes if outcome.kind != OUTCOME_UNCHANGED]

    @property
    def has_changes(self) -> bool:
        return bool(self.to_write)

    @property
    def definition_differences(self) -> list[RowOutcome]:
        return [outcome for outcome in self.outcomes if outcome.definition_differs]


def _position_differences(row: PlanRow, update: Standing | None) -> list[str]:
    if update is None:
        return ["rag", "delivery_status", "commentary"]
    return [
        name
        for name, value in (
            ("rag", row.rag),
            ("delivery_status", row.delivery_status),
            ("commentary", row.commentary),
        )
        if getattr(update, name) != value
    ]


def _definition_differences(row: PlanRow, action: Action, marks: dict[int, str]) -> list[str]:
    differences = []
    if row.text != action.text:
        differences.append("action text")
    if set(row.marks) != set(marks):
        differences.append("targets")
    if row.target_date != action.target_date_text:
        differences.append("target date")
    return differences


def preview_import(parsed: ParsedFile, period: ReportingPeriod, *, lock: bool = False) -> ImportPreview:
    """What applying `parsed` for `period` would do. Writes nothing."""
    actions_query = Action.objects.only("pk", "number", "text", "target_date_text")
    if lock:
        actions_query = actions_query.select_for_update()
    actions = {action.number: action for action in actions_query}
    marks: dict[int, dict[int, str]] = {}
    for action_id, target_number, mark in ActionTarget.objects.values_list("action_id", "target__number", "mark"):
        marks.setdefault(action_id, {})[target_number] = mark
    # The position each action had as this period stood: only its latest update up to it is loaded.
    latest = StatusUpdate.objects.filter(pk__in=Action.objects.with_position(period).values("position_update_id"))
    standing = {row[1]: Standing(*row) for row in latest.values_list(*Standing._fields)}

    outcomes = []
    for row in parsed.rows:
        action = actions.get(row.number)
        if action is None:
            outcomes.append(RowOutcome(row, None, None, OUTCOME_NEW, _position_differences(row, None)))
            continue
        before = standing.get(action.pk)
        changed = _position_differences(row, before)
        if changed:
            kind = OUTCOME_CHANGED
        elif before.period_id == period.slug:
            kind = OUTCOME_UNCHANGED
        else:
            kind = OUTCOME_CONFIRMED
        outcomes.append(
            RowOutcome(
                row, action, before, kind, changed, _definition_differences(row, action, marks.get(action.pk, {}))
            )
        )
    in_file = {row.number for row in parsed.rows}
    missing = [action for number, action in sorted(actions.items()) if number not in in_file]
    previous_batch = (
        ImportBatch.objects.filter(sha256=parsed.sha256, period=period, undone_at__isnull=True)
        .select_related("imported_by")
        .first()
    )
    return ImportPreview(parsed, period, outcomes, missing, previous_batch)
