"""Row parsing: each row of a sheet under its header becomes a PlanRow or a problem naming its cell."""

import re
from collections.abc import Sequence

from actions.imports.layout import HEADER_SEARCH_ROWS, Layout, find_layout
from actions.imports.rows import ParsedFile, PlanRow, Problem
from actions.spreadsheet import (
    Column,
    cell_text,
    delivery_status_from_word,
    is_tick,
    rag_from_word,
)

MAX_ROWS = 5000
MAX_LENGTHS = {Column.ACTION: 10_000, Column.COMMENTARY: 10_000, Column.TARGET_DATE: 100}


def parse_sheet(sheet_name, rows, targets, parsed: ParsedFile, theme: Sequence[str] = ()) -> bool:
    """Parse one sheet into `parsed`; False if it has no recognisable header."""
    layout = None
    header_row = 0
    data_rows = 0
    seen: dict[int, int] = {}
    current: PlanRow | None = None
    known = {t.number for t in targets}

    def check_targets():
        layout.targets_checked = True
        for message in layout.target_problems(known):
            parsed.problems.append(Problem(message, sheet_name, header_row))

    for row_number, cells in enumerate(rows, start=1):
        if layout is None:
            if row_number > HEADER_SEARCH_ROWS:
                return False
            layout = find_layout(cells, targets)
            if layout is not None:
                layout.theme = theme
                parsed.sheet, header_row = sheet_name, row_number
            continue
        if not layout.targets_checked:
            if row_number == header_row + 1 and layout.is_second_header(cells):
                layout.read_second_header(cells)
                parsed.skipped.append((row_number, "target titles under the header"))
                continue
            check_targets()
        data_rows += 1
        if data_rows > MAX_ROWS:
            parsed.problems.append(
                Problem(f"The sheet has more than {MAX_ROWS} rows; split the file.", sheet_name, row_number)
            )
            return True
        current = _parse_row(sheet_name, row_number, cells, layout, parsed, seen, current)
    if layout is None:
        return False
    if not layout.targets_checked:
        check_targets()
    if not parsed.rows and not parsed.problems:
        parsed.problems.append(Problem("The sheet has a header but no actions below it.", sheet_name))
    return True


def _parse_row(sheet, row_number, cells, layout: Layout, parsed: ParsedFile, seen, previous):
    def problem(message, index=None):
        column = layout.column_name(index) if index is not None else None
        parsed.problems.append(Problem(message, sheet, row_number, column))

    def cell(index):
        return cells[index] if index is not None and index < len(cells) else None

    def text(index, role=None):
        found = cell(index)
        if found is None or found.value is None:  # most target cells are empty: the hot path
            return ""
        if found.data_type == "f":
            problem(f"holds a formula ({found.value}); paste the value instead", index)
            return ""
        value = cell_text(found.value)
        limit = MAX_LENGTHS.get(role)
        if limit and len(value) > limit:
            problem(f"is {len(value)} characters long; the limit is {limit}", index)
        return value

    number_text = text(layout.number)
    marks = {}
    width = len(cells)
    for index, target in layout.targets.items():
        if index >= width or cells[index].value is None:
            continue
        mark = text(index)
        if not mark:
            continue
        if is_tick(mark):
            marks[target] = mark
        else:
            problem(f"'{mark}' is not a tick; mark a contributing target with ✓ (or x), or leave it blank", index)
    action_text = text(layout.action, Column.ACTION)
    commentary = text(layout.commentary, Column.COMMENTARY)
    if layout.commentary == layout.rag and rag_from_word(commentary):
        commentary = ""  # a RAG column alone: its words are colours, not commentary
    rag_cell = cell(layout.rag)
    target_date = text(layout.target_date, Column.TARGET_DATE)
    status_text = text(layout.delivery_status)

    if not number_text:
        if not (action_text or commentary or marks or status_text or target_date):
            parsed.skipped.append((row_number, "blank row"))
            return previous
        if previous is None:
            problem("has no action number and there is no action above it to continue", layout.number)
            return previous
        # A page break in the source split the action: the row continues the one above.
        previous.text = " ".join(filter(None, [previous.text, action_text]))
        previous.commentary = " ".join(filter(None, [previous.commentary, commentary]))
        for target, mark in marks.items():
            previous.marks.setdefault(target, mark)
        return previous

    number = _action_number(number_text)
    if number is None:
        problem(f"'{number_text}' is not an action number", layout.number)
        return None
    if number in seen:
        problem(f"action {number} appears twice (first on row {seen[number]})", layout.number)
        return None
    seen[number] = row_number
    if not action_text:
        problem(f"action {number} has no action text", layout.action)

    delivery_status = delivery_status_from_word(status_text)
    if delivery_status is None:
        problem(
            f"'{status_text}' is not a delivery status; use Not started, In progress, In delivery or Complete, "
            "or leave it blank if not recorded",
            layout.delivery_status,
        )
    rag = _rag_of(rag_cell, layout, cell(layout.commentary), problem)

    row = PlanRow(
        row=row_number,
        number=number,
        marks=marks,
        text=action_text,
        delivery_status=delivery_status or "",
        rag=rag or "",
        commentary=commentary,
        target_date=target_date,
    )
    parsed.rows.append(row)
    return row


_NUMBER = re.compile(r"^(\d+)(?:\.0+)?[.)]?\s*(.*)$")


def _action_number(value: str) -> int | None:
    """The action number in a cell: "50", "50.", "50.0", or with a stray tick ("50 ✓", "50✓")."""
    match = _NUMBER.match(value)
    if not match:
        return None
    tail = match.group(2).strip()
    if tail and (any(c.isdigit() for c in tail) or not all(is_tick(mark) for mark in tail.split())):
        return None  # "5 a" and "50.5" are not action numbers
    number = int(match.group(1))
    return number if number >= 1 else None


def _rag_of(rag_cell, layout: Layout, commentary_cell, problem) -> str | None:
    fill_rag = layout.fill_rag(rag_cell) or layout.fill_rag(commentary_cell)
    word_rag = None
    if getattr(rag_cell, "data_type", None) == "f":
        if layout.commentary != layout.rag:  # else the commentary check has said so already
            problem(f"holds a formula ({rag_cell.value}); paste the value instead", layout.rag)
        return None
    # Where the RAG column also holds the commentary, only a bare RAG word in it is read as the colour.
    shared = layout.commentary == layout.rag
    if rag_cell is not None and (not shared or rag_from_word(rag_cell.value)):
        word = cell_text(rag_cell.value)
        if word:
            word_rag = rag_from_word(word)
            if word_rag is None:
                problem(f"'{word}' is not a RAG colour; use Green, Amber (or Yellow) or Red", layout.rag)
                return None
    if word_rag and fill_rag and word_rag != fill_rag:
        problem(
            f"the RAG word says {word_rag.label} but the cell is filled {fill_rag.label}; make them agree",
            layout.rag,
        )
        return None
    rag = word_rag or fill_rag
    if rag is None:
        problem("has no RAG: write Green, Amber or Red, or fill the cell in that colour", layout.rag)
    return rag
