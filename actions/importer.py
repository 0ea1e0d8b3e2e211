"""Importing a quarter's plan spreadsheet: parse, then compare, then apply.

- `read_plan_file` turns the bytes of an .xlsx or .csv into validated rows and
  a list of problems, each naming sheet, row and column. It reads no database.
- `preview_import` compares those rows with the plan: new actions, changed
  positions, actions missing from the file. It writes nothing.
- `apply_import` writes everything in one transaction with bulk writes, and
  records the import batch, or writes nothing at all.

The management command `import_plan`, the seed and the web import all use
these three functions; there is no other way in.
"""

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from actions import services
from actions.models import (
    Action,
    ActionTarget,
    ImportBatch,
    PendingImport,
    ReportingPeriod,
    StatusSource,
    StatusUpdate,
)
from actions.models.action import year_in
from actions.models.status import RAG, delivery_status_label
from actions.spreadsheet import (
    Column,
    cell_text,
    delivery_status_from_word,
    header_role,
    is_tick,
    normalise_header,
    rag_from_fill,
    rag_from_word,
    target_number_in_header,
    theme_colours,
)

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5000
MAX_ZIP_ENTRIES = 1000
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
HEADER_SEARCH_ROWS = 20
MAX_LENGTHS = {Column.ACTION: 10_000, Column.COMMENTARY: 10_000, Column.TARGET_DATE: 100}
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Problem:
    """Something wrong with the file, and where: sheet, row and column when known."""

    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def where(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.row:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self):
        where = self.where()
        return f"{where[:1].upper()}{where[1:]}: {self.message}" if where else self.message


@dataclass
class PlanRow:
    row: int  # the sheet row the action starts on
    number: int
    marks: dict[int, str]
    text: str
    delivery_status: str
    rag: str
    commentary: str
    target_date: str

    @property
    def rag_label(self) -> str:
        return RAG(self.rag).label if self.rag else ""

    @property
    def delivery_status_label(self) -> str:
        return delivery_status_label(self.delivery_status)


@dataclass
class ParsedFile:
    file_name: str
    sha256: str
    sheet: str | None = None
    rows: list[PlanRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class TargetHeading:
    """What the parser needs to know of a target to recognise its column."""

    number: int
    names: tuple[str, ...]


def target_headings(targets) -> list[TargetHeading]:
    return [TargetHeading(t.number, (t.title, t.short_title, t.source_header)) for t in targets]


@dataclass
class _Cell:
    """A CSV value dressed as a spreadsheet cell, so one parser reads both."""

    value: object
    data_type: str = "s"
    fill: object = None


# ---------------------------------------------------------------------------
# Parse


def read_plan_file(data: bytes, file_name: str, targets: Sequence[TargetHeading]) -> ParsedFile:
    parsed = ParsedFile(file_name=file_name, sha256=hashlib.sha256(data).hexdigest())
    if len(data) > MAX_FILE_BYTES:
        parsed.problems.append(
            Problem(f"The file is {len(data) / 1_048_576:.1f} MB; the limit is {MAX_FILE_BYTES // 1_048_576} MB.")
        )
        return parsed
    if file_name.lower().endswith(".csv"):
        sheets = _csv_sheets(data, file_name, parsed)
    else:
        sheets = _xlsx_sheets(data, file_name, parsed)
    if sheets is None:
        return parsed
    try:
        for sheet_name, rows, theme in sheets:
            if _parse_sheet(sheet_name, rows, targets, parsed, theme):
                return parsed
    except Exception as error:  # openpyxl reads sheets lazily: damage or unsafe XML surfaces only here
        parsed.rows.clear()
        parsed.problems.append(Problem(_unreadable(file_name, error)))
        return parsed
    parsed.problems.append(
        Problem(
            "No sheet has a header row with an action number column (such as 'No.') and an 'Action' column "
            f"in its first {HEADER_SEARCH_ROWS} rows."
        )
    )
    return parsed


def _csv_sheets(data: bytes, file_name: str, parsed: ParsedFile):
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        parsed.problems.append(Problem(f"{file_name} is not a text CSV file."))
        return None
    if "\x00" in text:
        parsed.problems.append(Problem(f"{file_name} is not a text CSV file."))
        return None
    rows = ([_Cell(_unquote(value)) for value in row] for row in csv.reader(io.StringIO(text)))
    return [(None, rows, ())]


def _unquote(value: str) -> str:
    """Undo the apostrophe our CSV export puts before formula-like text."""
    if value.startswith("'") and value[1:2] in ("=", "+", "-", "@", "\t", "\r"):
        return value[1:]
    return value


def _xlsx_sheets(data: bytes, file_name: str, parsed: ParsedFile):
    problem = zip_problem(data, file_name)
    if problem:
        parsed.problems.append(Problem(problem))
        return None
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many types for a damaged file
        parsed.problems.append(Problem(_unreadable(file_name, error)))
        return None
    theme = theme_colours(workbook.loaded_theme)
    return [(ws.title, _sheet_rows(ws), theme) for ws in workbook.worksheets if hasattr(ws, "iter_rows")]


def _unreadable(file_name: str, error: Exception) -> str:
    cause = error
    while cause is not None:
        if type(cause).__module__.startswith("defusedxml"):
            return (
                f"{file_name} contains unsafe XML ({type(cause).__name__}), such as entity definitions "
                "that could expand without limit. It was not read."
            )
        cause = cause.__cause__ or cause.__context__
    return f"{file_name} could not be read as an Excel workbook: it is damaged ({type(error).__name__}: {error})."


def _sheet_rows(worksheet):
    # The <dimension> a file declares may be wrong (some writers put A1); read every row there is.
    worksheet.reset_dimensions()
    return worksheet.iter_rows()


def zip_problem(data: bytes, file_name: str) -> str | None:
    """Refuse what openpyxl should never open: non-workbooks, macros, zip bombs."""
    if data.startswith(_OLE_SIGNATURE):
        return (
            f"{file_name} is an encrypted (password-protected) workbook or an old .xls file. "
            "Remove the password, or save it as an Excel Workbook (.xlsx), and upload it again."
        )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        if data.startswith(b"PK\x03\x04"):
            return f"{file_name} is damaged or truncated: it starts like a workbook but cannot be opened."
        return f"{file_name} is not an Excel workbook (.xlsx) or a CSV file."
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        return f"{file_name} is damaged or truncated ({error})."
    if len(entries) > MAX_ZIP_ENTRIES:
        return f"{file_name} holds {len(entries)} parts; a workbook has far fewer. It was not opened."
    if any(entry.filename.lower().endswith("vbaproject.bin") for entry in entries):
        return f"{file_name} contains macros. Save it as a macro-free Excel Workbook (.xlsx) and upload it again."
    uncompressed = sum(entry.file_size for entry in entries)
    compressed = sum(entry.compress_size for entry in entries) or 1
    if uncompressed > MAX_UNCOMPRESSED_BYTES or uncompressed / compressed > MAX_COMPRESSION_RATIO:
        return f"{file_name} expands to {uncompressed / 1_048_576:.0f} MB when opened, too large to read safely."
    if "[Content_Types].xml" not in {entry.filename for entry in entries}:
        return f"{file_name} is a zip file but not an Excel workbook."
    return None


@dataclass
class _Layout:
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


def _find_layout(cells, targets: Sequence[TargetHeading]) -> _Layout | None:
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
    layout = _Layout(
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


def _parse_sheet(sheet_name, rows, targets, parsed: ParsedFile, theme: Sequence[str] = ()) -> bool:
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
            layout = _find_layout(cells, targets)
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


def _parse_row(sheet, row_number, cells, layout: _Layout, parsed: ParsedFile, seen, previous):
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


def _rag_of(rag_cell, layout: _Layout, commentary_cell, problem) -> str | None:
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


# ---------------------------------------------------------------------------
# Compare


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


# ---------------------------------------------------------------------------
# Apply


class ImportRefused(Exception):
    """The file has problems; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems[:5]))


def apply_import(parsed: ParsedFile, period: ReportingPeriod, *, user=None) -> tuple[ImportPreview, ImportBatch | None]:
    """Write the import in one transaction. Returns the preview it applied and the batch (None if nothing changed)."""
    if not parsed.ok:
        raise ImportRefused(parsed.problems)
    with transaction.atomic():
        # Compare again inside the transaction, with the actions locked, so the
        # write reflects the plan as it is now, not as it was at preview time.
        preview = preview_import(parsed, period, lock=True)
        if not preview.has_changes:
            return preview, None
        now = timezone.now()
        batch = ImportBatch.objects.create(
            file_name=parsed.file_name[:255],
            sha256=parsed.sha256,
            period=period,
            imported_by=user,
            imported_at=now,
            rows_read=len(parsed.rows),
            actions_created=len(preview.new),
            updates_created=len(preview.to_write),
            unchanged=len(preview.unchanged),
            missing=len(preview.missing),
        )
        new_actions = Action.objects.bulk_create(
            [
                Action(
                    number=outcome.row.number,
                    text=outcome.row.text,
                    target_date_text=outcome.row.target_date,
                    target_year=year_in(outcome.row.target_date),
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
                    for number, mark in outcome.row.marks.items()
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
                    outcome.row.delivery_status,
                    outcome.row.rag,
                    outcome.row.commentary,
                    getattr(user, "pk", None),
                    recorded_at,
                    StatusSource.IMPORT.value,
                    batch.pk,
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


# ---------------------------------------------------------------------------
# Hold between preview and confirm


PENDING_LIFETIME = timedelta(hours=2)


def hold_upload(*, data: bytes, file_name: str, period: ReportingPeriod, user, now=None) -> PendingImport:
    """Keep an uploaded file server-side until its owner confirms or cancels it, or it expires."""
    now = now or timezone.now()
    PendingImport.objects.expired(now=now).delete()
    return PendingImport.objects.create(
        user=user,
        period=period,
        file_name=file_name[:255],
        data=data,
        created_at=now,
        expires_at=now + PENDING_LIFETIME,
    )


# ---------------------------------------------------------------------------
# Undo


class UndoRefused(Exception):
    """The batch cannot be undone; the message says what blocks it."""


def undo_blocker(batch: ImportBatch) -> str | None:
    """Why `batch` cannot be undone now, or None if it can."""
    if batch.undone_at is not None:
        return f"This import was already undone on {timezone.localtime(batch.undone_at):%d %b %Y at %H:%M}."
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
    merged = Action.objects.filter(merged_into__created_by_import=batch).order_by("number").first()
    if merged is not None:
        return (
            f"Action {merged.number} has been merged into action {merged.merged_into.number}, "
            "which this import created."
        )
    return None


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
        list(Action.objects.select_for_update().filter(pk__in=action_ids).values_list("pk", flat=True))
        blocker = undo_blocker(batch)
        if blocker:
            raise UndoRefused(blocker)
        # Point the actions away from the updates first: current_update protects them.
        Action.objects.filter(pk__in=action_ids).update(
            current_update=None, current_period=None, current_rag="", current_delivery_status=""
        )
        StatusUpdate.objects.filter(import_batch=batch).delete()
        Action.objects.filter(created_by_import=batch).delete()
        services.refresh_current_status(Action.objects.filter(pk__in=action_ids))
        batch.undone_at = now or timezone.now()
        batch.undone_by = user
        batch.save(update_fields=["undone_at", "undone_by"])
    return batch
