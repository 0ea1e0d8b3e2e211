"""Layout recognition: which column of a sheet holds which part of the plan."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from actions.imports.rows import TargetHeading
from actions.spreadsheet import (
    Column,
    cell_text,
    header_role,
    is_tick,
    normalise_header,
    rag_from_fill,
    target_number_in_header,
)

HEADER_SEARCH_ROWS = 20


@dataclass
class Layout:
    number: int
    action: int
    targets: dict[int, int]  # column index -> target number
    delivery_status: int | None
    rag: int | None
    commentary: int | None
    target_date: int | None
    letters: dict[int, str]
    headings: dict[int, str]
    target_by_name: dict[str, int]
    targets_checked: bool = False
    theme: Sequence[str] = ()
    fill_rags: dict = field(default_factory=dict)  # cell style id -> RAG of its fill

    def fill_rag(self, cell) -> str | None:
        """The RAG a cell's fill means; worked out once per cell style, as a sheet has few."""
        style = getattr(cell, "_style_id", None)
        if style is None:
            return rag_from_fill(getattr(cell, "fill", None), self.theme)
        if style not in self.fill_rags:
            self.fill_rags[style] = rag_from_fill(cell.fill, self.theme)
        return self.fill_rags[style]

    def column_name(self, index: int) -> str:
        heading = self.headings.get(index, "")
        return f"{self.letters[index]} ({heading})" if heading else self.letters[index]

    def letter(self, index: int) -> str:
        from openpyxl.utils import get_column_letter

        return self.letters.get(index) or get_column_letter(index + 1)

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
            if number:
                self.targets[index] = number
                self.headings[index] = " ".join(heading.split())[:40]

    def target_problems(self, known: set[int]) -> list[str]:
        return [
            f"column {self.letter(index)} is read as target {number}, which the plan does not have"
            for index, number in self.targets.items()
            if number not in known
        ]


def find_layout(cells, targets: Sequence[TargetHeading]) -> Layout | None:
    from openpyxl.utils import get_column_letter

    roles: dict[str, int] = {}
    headings = {}
    for index, cell in enumerate(cells):
        text = cell_text(cell.value)
        if not text:
            continue
        headings[index] = " ".join(text.split())[:40]
        role = header_role(text)
        if role and role not in roles:
            roles[role] = index
    if Column.NUMBER not in roles or Column.ACTION not in roles:
        return None
    layout = Layout(
        number=roles[Column.NUMBER],
        action=roles[Column.ACTION],
        targets={},
        delivery_status=roles.get(Column.DELIVERY_STATUS),
        rag=roles.get(Column.RAG),
        commentary=roles.get(Column.COMMENTARY),
        target_date=roles.get(Column.TARGET_DATE),
        letters={index: get_column_letter(index + 1) for index in range(len(cells))},
        headings=headings,
        target_by_name={
            normalise_header(name): t.number for t in targets for name in t.names if normalise_header(name)
        },
    )
    # Target columns sit between the number and the action, in target order unless their titles say otherwise.
    between = range(layout.number + 1, layout.action)
    for position, index in enumerate(between, start=1):
        layout.targets[index] = layout.target_for_heading(cell_text(cells[index].value)) or position
    for index, cell in enumerate(cells):
        number = target_number_in_header(cell.value)
        if number and index not in layout.targets and index not in roles.values():
            layout.targets[index] = number
    if layout.commentary is None and layout.rag is not None:
        # The council's report: commentary sits under the RAG header, the colour is the fill.
        layout.commentary = layout.rag
    return layout
