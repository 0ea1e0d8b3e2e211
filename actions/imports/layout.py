"""Layout recognition: which column of a sheet holds which part of the plan.

A heading's role is the plan admin's choice where one was made (this upload or remembered), else what its
words mean (`header_role`); target columns are named "Target N", titled as a target, or sit between the
number and the action.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from actions.imports.choices import NOT_USED, ReadingChoices
from actions.imports.rows import ColumnReading, TargetHeading
from actions.spreadsheet import (
    COLUMN_ROLES,
    ROLE_LABELS,
    Column,
    cell_text,
    header_role,
    heading_key,
    is_tick,
    normalise_header,
    rag_from_fill,
    target_number_in_header,
)

HEADER_SEARCH_ROWS = 20
_SINGLE_ROLES = {role.key for role in COLUMN_ROLES}
# Headings of columns that hold other things about an action (lead officer, budget, ...): never targets.
_NOT_TARGETS = next(role.none_of for role in COLUMN_ROLES if role.key == Column.ACTION)


@dataclass
class Layout:
    roles: dict[str, int]  # Column value -> column index
    targets: dict[int, int]  # column index -> target number
    headings: dict[int, str]  # shortened, as messages name a column
    target_by_name: dict[str, int]
    chosen: set[int] = field(default_factory=set)
    full_headings: dict[int, str] = field(default_factory=dict)
    duplicates: list[tuple[str, list[int]]] = field(default_factory=list)
    commentary_in_rag: bool = False  # the council's report: commentary under the RAG header, the colour its fill
    targets_checked: bool = False
    theme: Sequence[str] = ()
    fill_rags: dict = field(default_factory=dict)  # cell style id -> RAG of its fill

    @property
    def number(self) -> int:
        return self.roles[Column.NUMBER]

    @property
    def action(self) -> int:
        return self.roles[Column.ACTION]

    @property
    def delivery_status(self) -> int | None:
        return self.roles.get(Column.DELIVERY_STATUS)

    @property
    def rag(self) -> int | None:
        return self.roles.get(Column.RAG)

    @property
    def commentary(self) -> int | None:
        return self.rag if self.commentary_in_rag else self.roles.get(Column.COMMENTARY)

    @property
    def target_date(self) -> int | None:
        return self.roles.get(Column.TARGET_DATE)

    def fill_rag(self, cell) -> str | None:
        """The RAG a cell's fill means; worked out once per cell style, as a sheet has few."""
        if cell is None:
            return None
        style = getattr(cell, "_style_id", None)
        if style is None:
            return rag_from_fill(getattr(cell, "fill", None), self.theme)
        if style not in self.fill_rags:
            self.fill_rags[style] = rag_from_fill(cell.fill, self.theme)
        return self.fill_rags[style]

    def column_name(self, index: int) -> str:
        heading, letter = self.headings.get(index, ""), self.letter(index)
        return f"{letter} ({heading})" if heading else letter

    def letter(self, index: int) -> str:
        return get_column_letter(index + 1)

    def target_for_heading(self, heading) -> int | None:
        return target_number_in_header(heading) or self.target_by_name.get(normalise_header(heading))

    def is_second_header(self, cells) -> bool:
        """A row of target titles under a merged "TARGETS" banner cell, with nothing in the number column."""
        number = cells[self.number] if self.number < len(cells) else None
        if number is not None and cell_text(number.value):
            return False
        titles = [cell_text(cells[index].value) for index in self.targets if index < len(cells) and cells[index].value]
        return bool(titles) and not any(is_tick(title) for title in titles)

    def read_second_header(self, cells) -> None:
        for index in self.targets:
            heading = cell_text(cells[index].value) if index < len(cells) else ""
            number = self.target_for_heading(heading) if heading else None
            if number and index not in self.chosen:
                self.targets[index] = number
                self.full_headings[index] = " ".join(heading.split())[:200]
                self.headings[index] = self.full_headings[index][:40]

    def target_problems(self, known: set[int]) -> list[str]:
        if not known and self.targets:
            return [
                "The plan has no targets yet, so the target columns cannot be read. Load the plan's targets "
                "first: run `python manage.py seed_plan`, then import this file again."
            ]
        return [
            f"column {self.letter(index)} is read as target {number}, which the plan does not have"
            for index, number in self.targets.items()
            if number not in known
        ]

    def readings(self) -> list[ColumnReading]:
        """Every header cell and the role it was given, for "How this file was read"."""
        role_of = {index: key for key, index in self.roles.items()}
        role_of.update({index: f"target:{number}" for index, number in self.targets.items()})
        indexes = sorted(set(self.headings) | set(role_of))
        return [
            ColumnReading(self.letter(i), self.full_headings.get(i, ""), role_of.get(i, NOT_USED), i in self.chosen)
            for i in indexes
        ]

    def roles_missing(self) -> list[str]:
        found = set(self.roles) | ({Column.COMMENTARY} if self.commentary_in_rag else set())
        return [role.key for role in COLUMN_ROLES if role.key not in found and not role.definition]

    def duplicate_messages(self) -> list[str]:
        return [
            f"columns {' and '.join(self.column_name(i) for i in indexes)} are all read as {ROLE_LABELS[key].lower()}; "
            "say which one it is under 'How this file was read', and mark the others 'Not used'"
            for key, indexes in self.duplicates
        ]


def find_layout(cells, targets: Sequence[TargetHeading], choices: ReadingChoices | None = None) -> Layout | None:
    """The layout if `cells` is a header row: one with an action number column and an action column."""
    choices = choices or ReadingChoices()
    headings: dict[int, str] = {}
    full_headings: dict[int, str] = {}
    given: dict[int, str] = {}  # column index -> role
    chosen = set()
    for index, cell in enumerate(cells):
        text = cell_text(cell.value)
        if not text:
            continue
        full_headings[index] = " ".join(text.split())[:200]
        headings[index] = full_headings[index][:40]
        role = choices.role_for(text)
        if role is not None:
            chosen.add(index)
        else:
            number = target_number_in_header(text)
            role = f"target:{number}" if number else (header_role(text) or NOT_USED)
        given[index] = role
    by_role: dict[str, list[int]] = {}
    for index, role in given.items():
        if role in _SINGLE_ROLES:
            by_role.setdefault(role, []).append(index)
    if Column.NUMBER not in by_role or Column.ACTION not in by_role:
        return None
    layout = Layout(
        roles={role: indexes[0] for role, indexes in by_role.items()},
        targets={},
        headings=headings,
        target_by_name={
            normalise_header(name): t.number for t in targets for name in t.names if normalise_header(name)
        },
        chosen=chosen,
        full_headings=full_headings,
        duplicates=[(role, indexes) for role, indexes in by_role.items() if len(indexes) > 1],
    )
    for index, role in given.items():
        if role.startswith("target:"):
            layout.targets[index] = int(role.partition(":")[2])
    # Unrecognised columns between the number and the action are targets, in target order unless titled.
    between = range(layout.number + 1, layout.action)
    for position, index in enumerate(between, start=1):
        if index in chosen or index in layout.targets or given.get(index, NOT_USED) in _SINGLE_ROLES:
            continue
        heading = headings.get(index, "")
        if heading and set(heading_key(heading).split()) & _NOT_TARGETS:
            continue
        layout.targets[index] = layout.target_for_heading(heading) or position
    if Column.COMMENTARY not in layout.roles and Column.RAG in layout.roles and layout.rag not in chosen:
        layout.commentary_in_rag = True
    return layout
