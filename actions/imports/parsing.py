"""Row parsing: each row of a sheet under its header becomes a PlanRow, a skipped row, or a problem naming its cell."""

import datetime
import re
from collections.abc import Sequence

from actions import definitions
from actions.imports.choices import KIND_RAG, KIND_STATUS, REFUSE, ReadingChoices
from actions.imports.layout import HEADER_SEARCH_ROWS, Layout, find_layout
from actions.imports.rows import BLANK_ROW, ParsedFile, PlanRow, Problem, UnknownWord
from actions.models.action import MAX_ACTION_NUMBER
from actions.models.status import MAX_COMMENTARY_LENGTH, RAG
from actions.spreadsheet import (
    Column,
    cell_text,
    delivery_status_from_word,
    is_tick,
    normalise_header,
    rag_from_word,
)

MAX_ROWS = 5000
MAX_LENGTHS = {
    Column.ACTION: 10_000,
    Column.COMMENTARY: MAX_COMMENTARY_LENGTH,
    Column.TARGET_DATE: 100,
    **dict.fromkeys(definitions.DETAIL_ROLES, 5000),
}
_WORD_NOUNS = {KIND_STATUS: "delivery status", KIND_RAG: "RAG colour"}


class _Refused(Exception):
    """The row uses a word the plan admin chose to refuse: it is skipped, not imported."""


def parse_sheet(
    sheet_name, rows, targets, parsed: ParsedFile, theme: Sequence[str] = (), choices: ReadingChoices | None = None
) -> bool:
    """Parse one sheet into `parsed`; False if it has no recognisable header."""
    choices = choices or ReadingChoices()
    layout = None
    header_row = 0
    data_rows = 0
    seen: dict[int, int] = {}
    state = _TableState()
    unknown: dict[tuple[str, str], UnknownWord] = {}
    known = {t.number for t in targets}

    def check_targets():
        layout.targets_checked = True
        for message in [*layout.duplicate_messages(), *layout.target_problems(known)]:
            parsed.problems.append(Problem(message, sheet_name, header_row))
        parsed.columns = layout.readings()
        parsed.roles_missing = layout.roles_missing()

    for row_number, cells in enumerate(rows, start=1):
        if layout is None:
            if row_number > HEADER_SEARCH_ROWS:
                return False
            layout = find_layout(cells, targets, choices)
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
        if not any(cell_text(cell.value) for cell in cells if cell.value is not None):
            # Blank (or only styled) rows are not rows of the plan: they end the table but count toward no
            # limit, and a run of them is noted once, so a styled cell at row 1,048,576 costs nothing.
            if not state.after_blank:
                parsed.skipped.append((row_number, BLANK_ROW))
            state.after_blank = True
            continue
        data_rows += 1
        if data_rows > MAX_ROWS:
            parsed.problems.append(
                Problem(f"The sheet has more than {MAX_ROWS} rows; split the file.", sheet_name, row_number)
            )
            return True
        _RowReader(sheet_name, row_number, cells, layout, parsed, choices, unknown).read(seen, state)
    if layout is None:
        return False
    if not layout.targets_checked:
        check_targets()
    if layout.commentary_in_rag and all(row.commentary is None for row in parsed.rows):
        parsed.roles_missing.append(Column.COMMENTARY)  # its RAG column holds only colour words
    for word in unknown.values():
        parsed.unknown_words.append(word)
        count = len(word.rows)
        listed = ", ".join(map(str, word.rows[:10])) + (", …" if count > 10 else "")
        parsed.problems.append(
            Problem(
                f"'{word.word}' is not a {_WORD_NOUNS[word.kind]} the importer knows ({count} row"
                f"{'s' if count != 1 else ''}: {listed}); say what it means under 'How this file was read'",
                sheet_name,
                word.rows[0],
                word.column,
            )
        )
    return True


class _TableState:
    """Where the table is: the action a numberless row would continue, and whether a blank row came since."""

    def __init__(self):
        self.current: PlanRow | None = None
        self.after_blank = False


class _RowReader:
    def __init__(self, sheet, row_number, cells, layout: Layout, parsed: ParsedFile, choices, unknown):
        self.sheet, self.row_number, self.cells, self.layout = sheet, row_number, cells, layout
        self.parsed, self.choices, self.unknown = parsed, choices, unknown

    def problem(self, message, index):
        self.parsed.problems.append(Problem(message, self.sheet, self.row_number, self.layout.column_name(index)))

    def warning(self, message, index):
        self.parsed.warnings.append(Problem(message, self.sheet, self.row_number, self.layout.column_name(index)))

    def cell(self, index):
        return self.cells[index] if index is not None and index < len(self.cells) else None

    def text(self, index, role=None):
        found = self.cell(index)
        if found is None or found.value is None:  # most target cells are empty: the hot path
            return ""
        if found.data_type == "f":
            self.problem(f"holds a formula ({found.value}); paste the value instead", index)
            return ""
        value = found.value
        if isinstance(value, datetime.datetime | datetime.date):
            value = f"{value:%d/%m/%Y}"
        value = cell_text(value)
        limit = MAX_LENGTHS.get(role)
        if limit and len(value) > limit:
            self.problem(f"is {len(value)} characters long; the limit is {limit}", index)
        return value

    def optional_text(self, index, role=None) -> str | None:
        """The cell's text, or None when the file has no such column (so the plan keeps its own)."""
        return None if index is None else self.text(index, role)

    def read(self, seen: dict[int, int], state: _TableState) -> None:
        layout = self.layout
        number_text = self.text(layout.number)
        number = _action_number(number_text) if number_text else None
        marks = self.marks()
        action_text = self.text(layout.action, Column.ACTION)
        commentary = self.optional_text(layout.commentary, Column.COMMENTARY)
        if layout.commentary_in_rag and commentary and rag_from_word(commentary):
            commentary = None  # a bare RAG word in the RAG column is the colour; the file has no commentary for it
        target_date = self.optional_text(layout.target_date, Column.TARGET_DATE)
        status_text = self.optional_text(layout.delivery_status)

        if number is not None and number > MAX_ACTION_NUMBER:
            shown = number_text if len(number_text) <= 20 else f"{number_text[:20]}…"
            self.problem(f"'{shown}' is not an action number: the largest is {MAX_ACTION_NUMBER:,}", layout.number)
            state.current = None
            return
        if number is None:
            # Never empty: parse_sheet has already passed over rows with no text.
            everything = " ".join(filter(None, (cell_text(c.value) for c in self.cells if c.value is not None)))
            if state.after_blank or (not seen and not number_text):
                # Below a blank row the table has ended: a legend or a note, never part of an action.
                where = "below the table" if seen else "above the first action"
                self.parsed.skipped.append((self.row_number, f"note {where}, not imported: “{everything[:200]}”"))
                return
            if number_text:
                self.problem(f"'{number_text}' is not an action number", layout.number)
                state.current = None
                return
            previous = state.current
            if previous is None:
                self.problem("has no action number and there is no action above it to continue", layout.number)
                return
            # A page break in the source split the action: the row continues the one above.
            previous.text = " ".join(filter(None, [previous.text, action_text]))
            if commentary:
                previous.commentary = " ".join(filter(None, [previous.commentary, commentary]))
            if marks and previous.marks is not None:
                for target, mark in marks.items():
                    previous.marks.setdefault(target, mark)
            self.warn_position_not_read(previous.number, status_text)
            return

        state.after_blank = False
        if number in seen:
            self.problem(f"action {number} appears twice (first on row {seen[number]})", layout.number)
            state.current = None
            return
        seen[number] = self.row_number
        if not action_text:
            self.problem(f"action {number} has no action text", layout.action)
        try:
            delivery_status = None if status_text is None else self.delivery_status(status_text)
            rag = self.rag()
        except _Refused as refusal:
            self.parsed.skipped.append((self.row_number, f"action {number} refused: {refusal}"))
            state.current = PlanRow(self.row_number, number, None, action_text, None, None, None, None)
            return
        row = PlanRow(
            row=self.row_number,
            number=number,
            marks=marks,
            text=action_text,
            delivery_status=delivery_status,
            rag=rag,
            commentary=commentary,
            target_date=target_date,
            details=self.details(),
        )
        self.parsed.rows.append(row)
        state.current = row

    def warn_position_not_read(self, number: int, status_text: str | None) -> None:
        """A continuation row's own delivery status or RAG word is not read (the action's row gives its
        position), so the preview says so rather than dropping it unseen."""
        layout = self.layout
        given = [("delivery status", layout.delivery_status, status_text)]
        if layout.rag is not None and not layout.commentary_in_rag:  # else that column's text is commentary
            rag_cell = self.cell(layout.rag)
            given.append(("RAG", layout.rag, cell_text(rag_cell.value) if rag_cell is not None else ""))
        for part, index, text in given:
            if text:
                self.warning(
                    f"continues action {number} above (it has no number of its own), so its {part} '{text}' "
                    "is not read: the action's own row gives its position",
                    index,
                )

    def details(self) -> dict:
        """The definition columns the file has, each cell read as its part (a problem names a bad cell)."""
        found = {}
        for role in definitions.DETAIL_ROLES:
            index = self.layout.roles.get(role)
            if index is None:
                continue
            try:
                found[role] = definitions.parse_cell(role, self.text(index, role))
            except definitions.CellProblem as problem:
                self.problem(str(problem), index)
        return found

    def marks(self) -> dict[int, str] | None:
        if not self.layout.targets:
            return None  # no target columns: the file says nothing about targets
        marks = {}
        width = len(self.cells)
        for index, target in self.layout.targets.items():
            if index >= width or self.cells[index].value is None:
                continue
            mark = self.text(index)
            if not mark:
                continue
            if is_tick(mark):
                marks[target] = mark
            else:
                self.problem(
                    f"'{mark}' is not a tick; mark a contributing target with ✓ (or x), or leave it blank", index
                )
        return marks

    def chosen_meaning(self, kind, word, index) -> str | None:
        meaning = self.choices.meaning_of(kind, word)
        if meaning == REFUSE:
            raise _Refused(f"{_WORD_NOUNS[kind]} '{word}' in column {self.layout.column_name(index)}")
        if meaning is None:
            key = (kind, normalise_header(word))
            found = self.unknown.setdefault(key, UnknownWord(kind, word, self.layout.column_name(index)))
            found.rows.append(self.row_number)
        return meaning

    def delivery_status(self, status_text: str) -> str | None:
        status = delivery_status_from_word(status_text)
        if status is None:
            return self.chosen_meaning(KIND_STATUS, status_text, self.layout.delivery_status)
        return status

    def rag(self) -> str | None:
        """A RAG word beats a fill. A fill is read from the RAG cell when it holds no word, and from the
        commentary cell only when the file has no RAG column at all. None when the file gives no RAG."""
        layout = self.layout
        if layout.rag is None:
            return layout.fill_rag(self.cell(layout.commentary))
        rag_cell = self.cell(layout.rag)
        if getattr(rag_cell, "data_type", None) == "f":
            if not layout.commentary_in_rag:  # else the commentary check has said so already
                self.problem(f"holds a formula ({rag_cell.value}); paste the value instead", layout.rag)
            return None
        word = cell_text(rag_cell.value) if rag_cell is not None else ""
        if layout.commentary_in_rag and not rag_from_word(word):
            word = ""  # commentary, not a colour: the colour is the fill
        fill_rag = layout.fill_rag(rag_cell)
        if word:
            word_rag = rag_from_word(word)
            if word_rag is None:
                chosen = self.chosen_meaning(KIND_RAG, word, layout.rag)
                word_rag = RAG(chosen) if chosen else None
            if word_rag and fill_rag and word_rag != fill_rag:
                self.warning(
                    f"the word says {word_rag.label} but the cell is filled {fill_rag.label}; {word_rag.label} "
                    "(the word) is used",
                    layout.rag,
                )
            return word_rag
        if fill_rag is None:
            self.problem("has no RAG: write Green, Amber or Red, or fill the cell in that colour", layout.rag)
        return fill_rag


# ASCII digits only: \d alone also matches "²" and other digits int() may not read.
_NUMBER = re.compile(r"^(\d+)(?:\.0+)?[.)]?\s*(.*)$", re.ASCII)


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
