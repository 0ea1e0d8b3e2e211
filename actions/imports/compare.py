"""Comparison: what applying a parsed file for a period would do, and its one set of counts. Writes nothing."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from actions import definitions
from actions.imports.rows import ParsedFile, PlanRow
from actions.models import Action, ActionTarget, ImportBatch, ReportingPeriod, StatusUpdate
from actions.models.action import year_in
from actions.models.status import RAG, delivery_status_label


class PlanAction(NamedTuple):
    """An action as the comparison reads it: plain values, not a model instance (5,000 of those cost more
    than the rest of the comparison). Apply loads instances only for the actions whose definition it writes."""

    pk: int
    number: int
    text: str
    target_date_text: str


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

POSITION_FIELDS = ("rag", "delivery_status", "commentary")


@dataclass
class RowOutcome:
    row: PlanRow
    action: PlanAction | None  # None for a new action
    standing: Standing | None  # the position as it stood in the period before this import
    kind: str  # one of the OUTCOME_* values
    # Tuples, not lists, and empty ones shared: thousands of outcomes live through a preview, and every list is
    # another object for each of the garbage collector's walks.
    changed: tuple[str, ...] = ()  # which of POSITION_FIELDS
    # Part -> (the plan's value, the file's value), for each part of the definition that differs.
    definition_changes: dict = field(default_factory=dict)
    warnings: Sequence[str] = ()  # set when shown: the file's warnings on this row
    unknown_leads: Sequence[str] = ()  # lead officer names no account has

    @property
    def definition_differs(self) -> list[str]:
        return [definitions.PART_LABELS[part] for part in self.definition_changes]

    def definition_lines(self) -> list[tuple[str, str, str]]:
        """Each differing part in words: (what, before, after)."""
        return [
            (definitions.PART_LABELS[part], definitions.describe(part, old), definitions.describe(part, new))
            for part, (old, new) in self.definition_changes.items()
        ]

    def position(self, name: str) -> str:
        """What will be recorded: the file's value, or the standing one where the file has no such column."""
        value = getattr(self.row, name)
        if value is None:
            value = getattr(self.standing, name) if self.standing else ""
        return value

    @property
    def rag(self) -> str:
        return self.position("rag")

    @property
    def delivery_status(self) -> str:
        return self.position("delivery_status")

    @property
    def commentary(self) -> str:
        return self.position("commentary")

    @property
    def rag_label(self) -> str:
        return RAG(self.rag).label if self.rag else ""

    @property
    def delivery_status_label(self) -> str:
        return delivery_status_label(self.delivery_status)

    @cached_property
    def before(self) -> StatusUpdate | None:
        """The standing position as a StatusUpdate, built only when shown (thousands cost a quarter second)."""
        return StatusUpdate(**self.standing._asdict()) if self.standing else None


@dataclass(frozen=True)
class ImportCounts:
    """One import's numbers, computed once from its preview; the preview, the success message, the history
    and the admin all show these (an ImportBatch stores them)."""

    new: int = 0
    changed: int = 0
    confirmed: int = 0
    unchanged: int = 0
    missing: int = 0
    skipped: int = 0
    warnings: int = 0

    LABELS = {
        "new": "New actions",
        "changed": "Changed",
        "confirmed": "Confirmed unchanged",
        "unchanged": "Already recorded",
        "missing": "Missing from the file",
        "skipped": "Rows skipped",
        "warnings": "Warnings",
    }

    def items(self) -> list[tuple[str, str, int]]:
        return [(name, label, getattr(self, name)) for name, label in self.LABELS.items()]

    def sentence(self) -> str:
        return ", ".join(f"{label.lower()} {value}" for _, label, value in self.items())

    @property
    def updates(self) -> int:
        """Status updates an import records: one per new, changed and confirmed action."""
        return self.new + self.changed + self.confirmed


@dataclass
class ImportPreview:
    parsed: ParsedFile
    period: ReportingPeriod
    outcomes: list[RowOutcome]
    missing: list[PlanAction]
    previous_batch: ImportBatch | None

    def of_kind(self, kind: str) -> list[RowOutcome]:
        return [outcome for outcome in self.outcomes if outcome.kind == kind]

    @cached_property
    def new(self):
        return self.of_kind(OUTCOME_NEW)

    @cached_property
    def changed(self):
        return self.of_kind(OUTCOME_CHANGED)

    @cached_property
    def confirmed(self):
        return self.of_kind(OUTCOME_CONFIRMED)

    @cached_property
    def unchanged(self):
        return self.of_kind(OUTCOME_UNCHANGED)

    @property
    def to_write(self) -> list[RowOutcome]:
        return [outcome for outcome in self.outcomes if outcome.kind != OUTCOME_UNCHANGED]

    @property
    def has_changes(self) -> bool:
        return any(outcome.kind != OUTCOME_UNCHANGED for outcome in self.outcomes)

    @cached_property
    def counts(self) -> ImportCounts:
        return ImportCounts(
            new=len(self.new),
            changed=len(self.changed),
            confirmed=len(self.confirmed),
            unchanged=len(self.unchanged),
            missing=len(self.missing),
            skipped=len(self.parsed.rows_skipped),
            warnings=len(self.parsed.warnings),
        )

    @cached_property
    def definition_differences(self) -> list[RowOutcome]:
        return [outcome for outcome in self.outcomes if outcome.definition_differs]

    def definition_summary(self) -> str:
        """ "action text (3 actions), target date (1 action)" """
        counts: dict[str, int] = {}
        for outcome in self.definition_differences:
            for name in outcome.definition_differs:
                counts[name] = counts.get(name, 0) + 1
        return ", ".join(f"{name} ({n} action{'s' if n != 1 else ''})" for name, n in counts.items())

    @property
    def changes(self) -> list[RowOutcome]:
        """What the plan admin checks first: new and changed actions, in file order."""
        return [outcome for outcome in self.outcomes if outcome.kind in (OUTCOME_NEW, OUTCOME_CHANGED)]


def _position_differences(row: PlanRow, update: Standing | None) -> tuple[str, ...]:
    if update is None:
        return POSITION_FIELDS
    return tuple(
        [
            name
            for name in POSITION_FIELDS
            if getattr(row, name) is not None and getattr(update, name) != getattr(row, name)
        ]
    )


def same_target_date(file_text: str, plan_text: str) -> bool:
    """The same date, or the same year written another way ("31/03/2024" and "2024")."""
    if " ".join(file_text.split()).lower() == " ".join(plan_text.split()).lower():
        return True
    file_year = year_in(file_text)
    return file_year is not None and file_year == year_in(plan_text)


def _definition_differences(row: PlanRow, action: PlanAction, marks: dict[int, str], details: Action | None) -> dict:
    """Part -> (the plan's value, the file's value) for each part of the definition the file gives otherwise;
    `details` is the action with its definition prefetched, where the file has columns for it."""
    differences = {}
    if row.text and row.text != action.text:
        differences["text"] = (action.text, row.text)
    if row.marks is not None and set(row.marks) != set(marks):
        differences["targets"] = (sorted(map(list, marks.items())), sorted(map(list, row.marks.items())))
    if row.target_date is not None and not same_target_date(row.target_date, action.target_date_text):
        differences["target_date"] = (action.target_date_text, row.target_date)
    if row.details and details is not None:  # None only for an action added between the comparison's reads
        current = definitions.values_of(details)
        for part, value in definitions.differences(row.details, current).items():
            differences[part] = (current[part], value)
    return differences


def preview_import(parsed: ParsedFile, period: ReportingPeriod, *, lock: bool = False) -> ImportPreview:
    """What applying `parsed` for `period` would do. Writes nothing; `period` need not be saved yet."""
    actions_query = Action.objects.values_list(*PlanAction._fields)
    if lock:
        # In primary-key order, as undo and every other many-action write lock them: two writers taking the
        # same rows in the same order wait for each other instead of deadlocking.
        actions_query = actions_query.select_for_update(of=("self",)).order_by("pk")
    actions = {row[1]: PlanAction(*row) for row in actions_query}
    with_details = {}
    if any(row.details for row in parsed.rows):
        # Not locked itself: in a confirm, the rows are already locked above, and FOR UPDATE could not lock the
        # nullable side of with_definition's outer joins anyway.
        with_details = {action.pk: action for action in Action.objects.with_definition()}
    marks: dict[int, dict[int, str]] = {}
    if any(row.marks is not None for row in parsed.rows):
        for action_id, target_number, mark in ActionTarget.objects.values_list("action_id", "target__number", "mark"):
            marks.setdefault(action_id, {})[target_number] = mark
    # The position each action had as this period stood: only its latest update up to it is loaded.
    latest = StatusUpdate.objects.filter(pk__in=Action.objects.with_position(period.slug).values("position_update_id"))
    standing = {row[1]: Standing(*row) for row in latest.values_list(*Standing._fields)}

    outcomes = []
    lead_names = {name for row in parsed.rows for name in row.details.get(definitions.Column.LEAD_OFFICER, [])}
    _, unknown_leads = definitions.users_named(lead_names)
    unknown_leads = set(unknown_leads)
    for row in parsed.rows:
        action = actions.get(row.number)
        if action is None:
            outcomes.append(RowOutcome(row, None, None, OUTCOME_NEW))
            continue
        before = standing.get(action.pk)
        changed = _position_differences(row, before)
        if changed:
            kind = OUTCOME_CHANGED
        elif before.period_id == period.slug:
            kind = OUTCOME_UNCHANGED
        else:
            kind = OUTCOME_CONFIRMED
        differences = _definition_differences(row, action, marks.get(action.pk, {}), with_details.get(action.pk))
        outcome = RowOutcome(row, action, before, kind, changed, differences)
        if definitions.Column.LEAD_OFFICER in outcome.definition_changes:
            outcome.unknown_leads = sorted(set(row.details[definitions.Column.LEAD_OFFICER]) & unknown_leads)
        outcomes.append(outcome)
    in_file = {row.number for row in parsed.rows}
    missing = [action for number, action in sorted(actions.items()) if number not in in_file]
    previous_batch = (
        ImportBatch.objects.filter(sha256=parsed.sha256, period_id=period.slug, undone_at__isnull=True)
        .select_related("imported_by")
        .first()
    )
    return ImportPreview(parsed, period, outcomes, missing, previous_batch)
