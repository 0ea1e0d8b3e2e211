"""Reading a spreadsheet of indicator values in the layout of council emissions tables.

One row per indicator (named by its name or its slug), one column per period (`2018/19`, `2019/20`, …
or `2019`, or `2022/23 Q4`), an optional unit column checked against the indicator's unit. A value may
be marked provisional with a trailing `p`, `(p)` or `*`; `-`, `..`, `x` and blanks mean no figure.
Every cell is checked before anything is written; each problem names the sheet, row and column.
Nothing here touches HTTP or writes to the database.
"""

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from openpyxl.utils import get_column_letter

from actions.imports.reading import MAX_FILE_BYTES, zip_problem
from actions.periods import InvalidPeriod
from indicators.models import Indicator

HEADER_SEARCH_ROWS = 20
MAX_ROWS = 1000
NAME_HEADERS = {"indicator", "indicator name", "name", "measure", "slug", "indicator slug"}
UNIT_HEADERS = {"unit", "units"}
NO_FIGURE = {"", "-", "–", "..", "x", "n/a", "na", ":"}
_PROVISIONAL = re.compile(r"^(?P<number>.*?)\s*(?:\(p\)|p|\*|\(provisional\)|provisional)$", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self):
        where = ", ".join(
            part
            for part in (
                f"sheet '{self.sheet}'" if self.sheet else "",
                f"row {self.row}" if self.row else "",
                f"column {self.column}" if self.column else "",
            )
            if part
        )
        return f"{where}: {self.message}" if where else self.message


@dataclass(frozen=True)
class ValueCell:
    indicator: Indicator
    period: str  # the period's key
    value: Decimal
    provisional: bool
    row: int
    column: str


@dataclass
class ParsedValues:
    file_name: str
    sha256: str
    cells: list[ValueCell] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows_read: int = 0
    seen: dict[int, int] = field(default_factory=dict)  # indicator pk -> its row

    @property
    def ok(self) -> bool:
        return not self.problems


def _normal(text) -> str:
    return " ".join(str(text).split()).lower() if text is not None else ""


def read_values_file(data: bytes, file_name: str, indicators=None) -> ParsedValues:
    """Every value in the file, matched to indicators and periods, or the problems that stop it."""
    parsed = ParsedValues(file_name=file_name, sha256=hashlib.sha256(data).hexdigest())
    if len(data) > MAX_FILE_BYTES:
        parsed.problems.append(
            Problem(f"The file is {len(data) / 1_048_576:.1f} MB; the limit is {MAX_FILE_BYTES // 1_048_576} MB.")
        )
        return parsed
    indicators = list(Indicator.objects.all() if indicators is None else indicators)
    lookup = {}
    for indicator in indicators:
        lookup[_normal(indicator.slug)] = indicator
        lookup[_normal(indicator.name)] = indicator
    try:
        sheets = _csv_sheets(data, file_name) if file_name.lower().endswith(".csv") else _xlsx_sheets(data, file_name)
        for sheet, rows in sheets:
            if _parse_sheet(sheet, rows, lookup, parsed):
                return parsed
    except _Refused as refusal:
        parsed.problems.append(Problem(str(refusal)))
        return parsed
    except Exception as error:  # openpyxl reads lazily: damage surfaces while iterating
        parsed.cells.clear()
        parsed.problems.append(Problem(f"{file_name} could not be read: it is damaged ({type(error).__name__})."))
        return parsed
    parsed.problems.append(
        Problem(
            f"No sheet has a header row with an 'Indicator' column and period columns in its first "
            f"{HEADER_SEARCH_ROWS} rows."
        )
    )
    return parsed


class _Refused(Exception):
    pass


def _csv_sheets(data: bytes, file_name: str):
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _Refused(f"{file_name} is not a text CSV file.")
    if "\x00" in text:
        raise _Refused(f"{file_name} is not a text CSV file.")
    return [(None, ([(value, False) for value in row] for row in csv.reader(io.StringIO(text))))]


def _xlsx_sheets(data: bytes, file_name: str):
    problem = zip_problem(data, file_name)
    if problem:
        raise _Refused(problem)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many types for a damaged file
        raise _Refused(f"{file_name} could not be read as an Excel workbook: it is damaged.") from error
    sheets = []
    for worksheet in workbook.worksheets:
        if hasattr(worksheet, "iter_rows"):
            worksheet.reset_dimensions()
            rows = ([(cell.value, cell.data_type == "f") for cell in row] for row in worksheet.iter_rows())
            sheets.append((worksheet.title, rows))
    return sheets


def _parse_sheet(sheet, rows, lookup, parsed: ParsedValues) -> bool:
    """Parse one sheet if it has the layout's header; False to try the next sheet."""
    header = None
    for number, row in enumerate(rows, start=1):
        if header is None:
            if number > HEADER_SEARCH_ROWS:
                return False
            header = _header(row)
            if header is not None:
                name_column, unit_column, periods = header
            continue
        if number - HEADER_SEARCH_ROWS > MAX_ROWS:
            parsed.problems.append(Problem(f"The sheet has more than {MAX_ROWS} rows of indicators.", sheet))
            return True
        _parse_row(sheet, number, row, name_column, unit_column, periods, lookup, parsed)
    if header is None:
        return False
    if not parsed.cells and not parsed.problems:
        parsed.problems.append(Problem("The sheet has the header but no values under it.", sheet))
    return True


def _header(row):
    texts = [_normal(value) for value, _ in row]
    name_column = next((i for i, text in enumerate(texts) if text in NAME_HEADERS), None)
    if name_column is None:
        return None
    unit_column = next((i for i, text in enumerate(texts) if text in UNIT_HEADERS), None)
    periods = {
        i: str(row[i][0]).strip() if not isinstance(row[i][0], float) else str(int(row[i][0]))
        for i, text in enumerate(texts)
        if text and i not in (name_column, unit_column)
    }
    return (name_column, unit_column, periods) if periods else None


def _parse_row(sheet, number, row, name_column, unit_column, periods, lookup, parsed: ParsedValues):
    def cell(index):
        return row[index] if index < len(row) else (None, False)

    name = _normal(cell(name_column)[0])
    if not name and not any(_normal(value) for value, _ in row):
        return
    parsed.rows_read += 1
    letter = get_column_letter(name_column + 1)
    indicator = lookup.get(name)
    if indicator is None:
        parsed.problems.append(
            Problem(f"'{cell(name_column)[0]}' is not an indicator's name or slug.", sheet, number, letter)
        )
        return
    if indicator.pk in parsed.seen:
        parsed.problems.append(
            Problem(f"{indicator.name} is also on row {parsed.seen[indicator.pk]}.", sheet, number, letter)
        )
        return
    parsed.seen[indicator.pk] = number
    if unit_column is not None:
        unit = cell(unit_column)[0]
        if _normal(unit) and _normal(unit) != _normal(indicator.unit):
            parsed.problems.append(
                Problem(
                    f"{indicator.name}: the unit is '{unit}', but the indicator is measured in {indicator.unit}.",
                    sheet,
                    number,
                    get_column_letter(unit_column + 1),
                )
            )
            return
    columns_of: dict[str, str] = {}
    for index, heading in periods.items():
        value, is_formula = cell(index)
        column = f"{get_column_letter(index + 1)} ({heading})"
        if is_formula or (isinstance(value, str) and value.startswith("=")):
            parsed.problems.append(
                Problem(f"{indicator.name}: a formula, not a value. Paste the values instead.", sheet, number, column)
            )
            continue
        reading = _figure(value)
        if reading is None:
            continue
        if isinstance(reading, str):
            parsed.problems.append(Problem(f"{indicator.name}: {reading}", sheet, number, column))
            continue
        try:
            period = indicator.period(heading)
        except InvalidPeriod as error:
            parsed.problems.append(
                Problem(
                    f"{indicator.name} is measured by {indicator.get_frequency_display().lower()}: {error}",
                    sheet,
                    number,
                    column,
                )
            )
            continue
        if period.key in columns_of:
            parsed.problems.append(
                Problem(
                    f"{indicator.name}: {period.label} is also in column {columns_of[period.key]}.",
                    sheet,
                    number,
                    column,
                )
            )
            continue
        columns_of[period.key] = column
        figure, provisional = reading
        parsed.cells.append(ValueCell(indicator, period.key, figure, provisional, number, column))


def _figure(value):
    """(Decimal, provisional) for a cell, None for no figure, or a message saying what is wrong."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value)), False
    text = " ".join(str(value).split())
    if text.lower() in NO_FIGURE:
        return None
    provisional = False
    match = _PROVISIONAL.match(text)
    if match and match["number"]:
        text, provisional = match["number"], True
    try:
        figure = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return f"'{value}' is not a number."
    if not figure.is_finite() or abs(figure) >= Decimal(10) ** 16:
        return f"'{value}' is not a number this tracker can hold."
    if figure.as_tuple().exponent < -4:
        return f"'{value}' has more than 4 decimal places."
    return figure, provisional
