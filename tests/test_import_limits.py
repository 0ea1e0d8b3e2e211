"""The bounds on what one file may make the importer do, each refused with a message naming file and sheet."""

import io
import os
import re
import zipfile

import pytest
from openpyxl import Workbook
from openpyxl.styles import PatternFill

from actions.imports.reading import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_PROBLEMS,
    MAX_SHARED_STRINGS,
    SHARED_STRINGS_CHUNK,
    read_plan_file,
)
from actions.imports.rows import target_headings
from targets.models import Target
from tests.factories import HEADER, make_targets, plan_row, workbook_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def targets():
    return make_targets()


def parse(data: bytes, name="plan.xlsx"):
    return read_plan_file(data, name, target_headings(Target.objects.all()))


def messages(parsed) -> list[str]:
    return [str(problem) for problem in parsed.problems]


def rewrite_part(data: bytes, name: str, edit) -> bytes:
    """The workbook with one part of its zip replaced by `edit(old bytes)` (b"" if it had no such part)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry)
            target.writestr(entry, edit(content) if entry.filename == name else content)
        if name not in source.namelist():
            target.writestr(name, edit(b""))
    return out.getvalue()


@pytest.mark.parametrize("number", [2147483648, 99999999999999999999, 1e308, "2147483648"])
def test_an_action_number_beyond_the_databases_range_is_refused_with_its_cell(number):
    parsed = parse(workbook_bytes([HEADER, plan_row(1), plan_row(number)]))
    assert not parsed.ok
    (problem,) = parsed.problems
    assert (problem.sheet, problem.row, problem.column) == ("Plan", 3, "A (No.)")
    assert "is not an action number: the largest is 2,147,483,647" in problem.message
    assert [row.number for row in parsed.rows] == [1]


def test_the_largest_action_number_the_database_holds_is_read():
    parsed = parse(workbook_bytes([HEADER, plan_row(2147483647)]))
    assert parsed.ok, messages(parsed)
    assert [row.number for row in parsed.rows] == [2147483647]


def declaring_columns(width: int) -> bytes:
    """The plan's workbook with a heading in column `width`, so that its declared dimension is that wide."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Plan"
    sheet.append(HEADER)
    sheet.append(plan_row(1))
    sheet.cell(row=1, column=width, value="Notes")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_sheet_declaring_16384_columns_is_refused_before_a_row_is_read():
    parsed = parse(declaring_columns(16384), "wide.xlsx")
    assert messages(parsed) == [
        f"Sheet 'Plan': wide.xlsx is 16,384 columns wide (to column XFD); the importer reads at most "
        f"{MAX_COLUMNS}. Delete the columns beyond the plan's and upload it again."
    ]
    assert parsed.rows == []


def test_a_sheet_declaring_exactly_the_columns_read_is_read():
    parsed = parse(declaring_columns(MAX_COLUMNS), "wide.xlsx")
    assert parsed.ok, messages(parsed)
    assert [row.number for row in parsed.rows] == [1]


def lying_about_its_width(workbook) -> bytes:
    """The workbook saved with its declared dimension rewritten to A1, as some writers leave it."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return rewrite_part(
        buffer.getvalue(),
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1"', xml),
    )


def test_a_value_beyond_the_columns_read_is_refused_even_when_the_dimension_says_a1():
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Plan"
    sheet.append(HEADER)
    for number in range(1, 200):
        sheet.append(plan_row(number))
        sheet.cell(row=number + 1, column=16384, value="x")
    parsed = parse(lying_about_its_width(workbook), "wide.xlsx")
    assert len(parsed.problems) == 1
    assert "Sheet 'Plan': wide.xlsx has a value in column XFD of row 2; the importer reads at most 40 columns" in (
        str(parsed.problems[0])
    )


SST_START = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def shared_strings(count: int, *, split: bool = False) -> bytes:
    """The plan's workbook with `count` shared strings, long enough that counting them reads several chunks.

    With `split`, two texts are padded so that the counter's first chunk ends just after a closing </si> and
    its second just inside one ("</t><" | "/si>"): the two ways a closing tag meets a chunk's end."""
    xml = bytearray(SST_START)
    for n in range(count):
        item = b"<si><t>Commentary on a row, %06d</t></si>" % n
        for boundary, before_end in ((SHARED_STRINGS_CHUNK, 0), (2 * SHARED_STRINGS_CHUNK, len(b"/si>"))):
            room = boundary + before_end - len(xml)
            if split and len(item) <= room < len(item) * 2:
                item = item.replace(b"</t>", b" " * (room - len(item)) + b"</t>")
        xml += item
    xml += b"</sst>"
    assert not split or (
        xml[:SHARED_STRINGS_CHUNK].endswith(b"</si>") and xml[: 2 * SHARED_STRINGS_CHUNK].endswith(b"</t><")
    )
    return rewrite_part(workbook_bytes([HEADER, plan_row(1)]), "xl/sharedStrings.xml", lambda _: bytes(xml))


@pytest.mark.parametrize("split", [False, True], ids=["whole", "tags split between chunks"])
def test_more_shared_strings_than_a_plan_has_are_refused_before_the_workbook_is_opened(split):
    parsed = parse(shared_strings(MAX_SHARED_STRINGS + 1, split=split), "strings.xlsx")
    assert messages(parsed) == [
        f"strings.xlsx holds more than {MAX_SHARED_STRINGS:,} different texts (its shared strings); a plan has far "
        "fewer. It was not opened."
    ]


def test_as_many_shared_strings_as_the_limit_are_read():
    parsed = parse(shared_strings(MAX_SHARED_STRINGS), "strings.xlsx")
    assert parsed.ok, messages(parsed)
    assert [row.number for row in parsed.rows] == [1]


def test_a_part_that_expands_beyond_the_limit_is_refused():
    # Random enough that it compresses only 20 to 1, under the ratio that catches zip bombs.
    noise = b"".join(os.urandom(8).hex().encode() + b" " * 200 for _ in range(17 * 1024 * 1024 // 216 + 1))
    padding = b"<!--" + noise + b"-->"
    data = rewrite_part(workbook_bytes([HEADER, plan_row(1)]), "xl/styles.xml", lambda xml: xml + padding)
    assert messages(parse(data, "big.xlsx")) == [
        "big.xlsx: its part xl/styles.xml expands to 17 MB; the limit for one part is 16 MB. It was not opened."
    ]


def test_a_csv_with_more_cells_than_the_limit_is_refused_naming_the_file():
    header = ",".join(HEADER) + "," * (MAX_COLUMNS - len(HEADER) - 1)
    first = ",".join("" if value is None else str(value) for value in plan_row(1))
    lines = [header, first + "," * (MAX_COLUMNS - len(HEADER))]
    lines += ["," * (MAX_COLUMNS - 1)] * (MAX_CELLS // MAX_COLUMNS + 1)
    parsed = parse("\n".join(lines).encode(), "cells.csv")
    assert len(parsed.problems) == 1
    assert parsed.problems[0].message.startswith(f"cells.csv has more than {MAX_CELLS:,} cells (reading stopped at row")


def test_the_problems_listed_stop_at_the_limit_with_a_note():
    rows = [HEADER, *(plan_row(number, rag="Purple-ish") for number in range(1, 300))]
    rows += [["not a number", *plan_row(1)[1:]] for _ in range(400)]
    parsed = parse(workbook_bytes(rows))
    assert len(parsed.problems) <= MAX_PROBLEMS + 2
    assert any(
        "Reading stopped at row" in message and f"after {MAX_PROBLEMS} problems" in message
        for message in messages(parsed)
    )


def test_blank_styled_rows_do_not_count_toward_the_row_limit():
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Plan"
    for row in [HEADER, plan_row(1), plan_row(2)]:
        sheet.append(row)
    sheet.cell(row=1_048_576, column=1).fill = PatternFill("solid", fgColor="FFFF00")
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = parse(buffer.getvalue())
    assert parsed.ok, messages(parsed)
    assert [row.number for row in parsed.rows] == [1, 2]


def test_cells_past_the_columns_read_are_cut_off_while_blank_and_the_first_value_there_is_refused():
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Plan"
    sheet.append(HEADER)
    sheet.append(plan_row(1))
    for column in range(MAX_COLUMNS + 1, 51):  # styled but blank, out to column AX
        sheet.cell(row=2, column=column).fill = PatternFill("solid", fgColor="FFFF00")
    parsed = parse(lying_about_its_width(workbook))
    assert messages(parsed) == [] and [row.number for row in parsed.rows] == [1]

    sheet.cell(row=2, column=MAX_COLUMNS + 1, value="stray")  # column AO, the first not read
    assert messages(parse(lying_about_its_width(workbook), "wide.xlsx")) == [
        "Sheet 'Plan': wide.xlsx has a value in column AO of row 2; the importer reads at most 40 columns. Delete "
        "the columns beyond the plan's and upload it again."
    ]


def test_a_csv_row_with_empty_fields_past_the_columns_read_is_read():
    """Spreadsheet programs write a CSV row out to the widest row's last column, as empty fields."""
    first = ",".join("" if value is None else str(value) for value in plan_row(1))
    lines = [",".join(HEADER) + "," * 40, first + "," * 40]
    parsed = parse("\n".join(lines).encode(), "wide.csv")
    assert messages(parsed) == [] and [row.number for row in parsed.rows] == [1]


def test_a_sheet_of_exactly_the_most_cells_read_is_read(monkeypatch):
    from actions.imports import reading

    data = workbook_bytes([HEADER, plan_row(1), plan_row(2)])
    cells = len(HEADER) * 3
    monkeypatch.setattr(reading, "MAX_CELLS", cells)
    assert messages(parse(data)) == []
    monkeypatch.setattr(reading, "MAX_CELLS", cells - 1)
    assert messages(parse(data)) == [
        f"Sheet 'Plan': plan.xlsx has more than {cells - 1:,} cells (reading stopped at row 3); delete the unused "
        "rows and columns and upload it again."
    ]
