"""Safe reading: refuse what must not be opened, then hand each sheet's cells to the parser.

`read_plan_file` turns the bytes of an .xlsx or .csv into validated rows and a
list of problems, each naming sheet, row and column. It reads no database.
"""

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

from actions.imports.choices import ReadingChoices
from actions.imports.layout import HEADER_SEARCH_ROWS
from actions.imports.parsing import parse_sheet
from actions.imports.rows import ParsedFile, Problem, TargetHeading
from actions.spreadsheet import theme_colours

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ZIP_ENTRIES = 1000
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
# Bounds on the work one file can cause, checked before (or while) it is read, so no legal file holds a
# worker for long: one part of the zip (a sheet, the shared strings) uncompressed, the distinct texts in the
# shared strings, the columns a sheet may use, the cells read from a sheet, and the problems listed.
MAX_PART_BYTES = 16 * 1024 * 1024
# Measured by benchmarks/worst_file.py: openpyxl reads about 40,000 cells a second on the project's shared
# 2-core machine, and 50,000 shared strings in about a second. The export's layout for 5,000 actions is
# 65,000 cells and at most 15,000 texts; 120,000 cells leave room for 11 more columns of the council's own.
MAX_SHARED_STRINGS = 50_000
MAX_COLUMNS = 40
MAX_CELLS = 120_000
MAX_PROBLEMS = 200
_SHARED_STRING_END = re.compile(rb"</(?:\w+:)?si>")
SHARED_STRINGS_CHUNK = 1_048_576  # bytes of the shared strings counted at a time
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class _TooMuchWork(Exception):
    """Reading the sheet further would pass one of the bounds; the message says which, where."""


@dataclass
class _Cell:
    """A CSV value dressed as a spreadsheet cell, so one parser reads both."""

    value: object
    data_type: str = "s"
    fill: object = None


def read_plan_file(
    data: bytes, file_name: str, targets: Sequence[TargetHeading], choices: ReadingChoices | None = None
) -> ParsedFile:
    """Read the file with the plan admin's `choices` (column roles, word meanings), if any."""
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
    empty_tables = []
    try:
        for sheet_name, rows, theme in sheets:
            # Each sheet is read afresh: a cover or instructions sheet may look like a header with nothing under it.
            attempt = ParsedFile(file_name=file_name, sha256=parsed.sha256)
            bounded = _bounded_rows(file_name, sheet_name, rows, attempt)
            if not parse_sheet(sheet_name, bounded, targets, attempt, theme, choices):
                continue
            if attempt.rows or attempt.problems:
                return attempt
            empty_tables.append(sheet_name)
    except _TooMuchWork as refusal:
        parsed.problems.append(Problem(str(refusal), sheet_name))
        return parsed
    except Exception as error:  # openpyxl reads sheets lazily: damage or unsafe XML surfaces only here
        parsed.rows.clear()
        parsed.problems.append(Problem(_unreadable(file_name, error)))
        return parsed
    if empty_tables:
        parsed.problems.append(Problem("The sheet has a header but no actions below it.", empty_tables[0]))
        return parsed
    parsed.problems.append(
        Problem(
            "No sheet has a header row with an action number column (such as 'No.') and an 'Action' column "
            f"in its first {HEADER_SEARCH_ROWS} rows."
        )
    )
    return parsed


def _bounded_rows(file_name: str, sheet_name, rows, parsed: ParsedFile):
    """`rows`, stopping with _TooMuchWork once the sheet passes MAX_COLUMNS, MAX_CELLS or MAX_PROBLEMS.

    A sheet's declared dimension may be wrong (or absent, in a CSV), so the columns and cells are counted
    as they are read too: openpyxl fills a row up to its last cell, so one value at column XFD is 16,384."""
    where = file_name  # the problem names the sheet
    cells_read = 0
    for row_number, cells in enumerate(rows, start=1):
        if len(cells) > MAX_COLUMNS:
            # An empty CSV field is blank too: spreadsheet programs write every row out to the widest one.
            beyond = next(
                (i for i, cell in enumerate(cells) if i >= MAX_COLUMNS and cell.value not in (None, "")), None
            )
            if beyond is not None:
                raise _TooMuchWork(
                    f"{where} has a value in column {_column_letters(beyond + 1)} of row "
                    f"{row_number}; the importer reads at most {MAX_COLUMNS} columns. Delete the columns "
                    "beyond the plan's and upload it again."
                )
            cells = cells[:MAX_COLUMNS]
        cells_read += len(cells)
        if cells_read > MAX_CELLS:
            raise _TooMuchWork(
                f"{where} has more than {MAX_CELLS:,} cells (reading stopped at row {row_number}); "
                "delete the unused rows and columns and upload it again."
            )
        if len(parsed.problems) >= MAX_PROBLEMS:
            # Far more than anyone can act on: list the first ones and stop, rather than build a page of them.
            parsed.problems.append(
                Problem(
                    f"Reading stopped at row {row_number} after {MAX_PROBLEMS} problems; fix these and upload "
                    "the file again to see any others.",
                    sheet_name,
                    row_number,
                )
            )
            return
        yield cells


def _column_letters(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


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
    worksheets = [ws for ws in workbook.worksheets if hasattr(ws, "iter_rows")]
    for worksheet in worksheets:
        # The declared dimension, before it is reset for reading: a sheet that says it is wider than any plan
        # is refused without reading a row of it.
        declared = worksheet.max_column
        if declared and declared > MAX_COLUMNS:
            parsed.problems.append(
                Problem(
                    f"{file_name} is {declared:,} columns wide "
                    f"(to column {_column_letters(declared)}); the importer reads at most {MAX_COLUMNS}. "
                    "Delete the columns beyond the plan's and upload it again.",
                    worksheet.title,
                )
            )
            return None
    return [(ws.title, _sheet_rows(ws), theme) for ws in worksheets]


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
    for entry in entries:
        if entry.file_size > MAX_PART_BYTES:
            return (
                f"{file_name}: its part {entry.filename} expands to {entry.file_size / 1_048_576:.0f} MB; "
                f"the limit for one part is {MAX_PART_BYTES // 1_048_576} MB. It was not opened."
            )
    shared = next((e for e in entries if e.filename.lower() == "xl/sharedstrings.xml"), None)
    if shared is not None:
        return _shared_strings_problem(data, shared, file_name)
    return None


def _shared_strings_problem(data: bytes, entry: zipfile.ZipInfo, file_name: str) -> str | None:
    """Refuse a workbook whose shared-strings table holds more texts than any plan has, before openpyxl reads
    them all into memory (3 million took a minute). They are counted, not taken from the declared count,
    which a writer may leave out or get wrong; counting 32 MB of XML takes milliseconds."""
    count, carry = 0, b""
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(entry) as part:
        while chunk := part.read(SHARED_STRINGS_CHUNK):
            buffer = carry + chunk
            # Count up to the last '>' only: every closing tag ends there, so none is split between chunks.
            cut = buffer.rfind(b">") + 1
            count += len(_SHARED_STRING_END.findall(buffer, 0, cut))
            carry = buffer[cut:]
            if count > MAX_SHARED_STRINGS:
                return (
                    f"{file_name} holds more than {MAX_SHARED_STRINGS:,} different texts (its shared strings); "
                    "a plan has far fewer. It was not opened."
                )
    return None
